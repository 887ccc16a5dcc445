// Backward (reverse-mode) kernels, one next to each forward kernel of synpref_kernels.h,
// llm.c style: plain named functions on row ranges, shapes in the comments, AVX2+FMA paths
// chosen at run time with a portable scalar fallback computing the same thing.
//
// Conventions: row-major f32 buffers, `ld*` are row strides in elements. `d<name>` is the
// gradient of the loss with respect to <name>. Kernels ACCUMULATE (+=) into parameter
// gradients (dweight, dbias) so a caller can give each thread its own buffer and sum them;
// whether input gradients are written or accumulated is stated per function.
#ifndef SYNPREF_GRAD_KERNELS_H
#define SYNPREF_GRAD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

// ---- normalisation ----------------------------------------------------------------
/// Backward of synpref_rmsnorm (y = x * r * w, r = 1/sqrt(mean(x^2) + eps)), per row:
///   dinp[r]  += r * (w*dout) - x * r^3 / dim * sum(w*dout*x)
///   dweight  += dout * x * r                 (summed over the rows; may be NULL)
/// inp, dout, dinp: [rows][dim] (row strides ldi, ldo, ldd); weight, dweight: [dim].
void synpref_rmsnorm_backward(float *dinp, size_t ldd, float *dweight,
                              const float *dout, size_t ldo, const float *inp, size_t ldi,
                              const float *weight, size_t rows, size_t dim, float eps);

/// Backward of synpref_layernorm (y = xhat * w + b, xhat = (x - mean) * r), per row:
///   dinp[r] += r * (g - mean(g) - xhat * mean(g * xhat)),  g = dout * w
///   dweight += dout * xhat,  dbias += dout   (summed over the rows; each may be NULL)
void synpref_layernorm_backward(float *dinp, size_t ldd, float *dweight, float *dbias,
                                const float *dout, size_t ldo, const float *inp, size_t ldi,
                                const float *weight, size_t rows, size_t dim, float eps);

// ---- rotary position embedding ----------------------------------------------------
/// Backward of synpref_rope: the rotation is orthogonal, so its gradient is the rotation
/// by the opposite angle, in place on dx[rows][heads*D] (row stride ld):
///   dx1' = dx1 cos + dx2 sin,   dx2' = dx2 cos - dx1 sin
void synpref_rope_backward(float *dx, size_t ld, size_t rows, size_t heads, size_t head_dim,
                           const float *cos_table, const float *sin_table);

// ---- element-wise -----------------------------------------------------------------
/// Backward of synpref_silu_mul (out = silu(g) * u), element-wise over n values; WRITES
/// dgate = dout * u * s * (1 + g (1 - s)), dup = dout * silu(g), s = sigmoid(g).
/// dgate may alias gate and dup may alias up (each element is read before it is written).
void synpref_silu_mul_backward(float *dgate, float *dup, const float *dout,
                               const float *gate, const float *up, size_t n);
/// Backward of synpref_gelu_erf: WRITES dx = dout * (Phi(x) + x phi(x)), where Phi, phi
/// are the standard normal cdf and pdf. dx may alias dout.
void synpref_gelu_erf_backward(float *dx, const float *dout, const float *x, size_t n);
/// The same from the forward's input x AND output y = gelu(x): Phi(x) = y / x (0.5 at
/// x = 0), so no erf is evaluated and the AVX2 path is fully vectorised. Matches
/// synpref_gelu_erf_backward to a few ulps. dx may alias dout.
void synpref_gelu_erf_backward_from_output(float *dx, const float *dout, const float *x,
                                           const float *y, size_t n);
/// Backward of synpref_tanh from its OUTPUT y: WRITES dx = dout * (1 - y^2); may alias.
void synpref_tanh_backward(float *dx, const float *dout, const float *y, size_t n);

/// Bias gradient of a linear layer: dbias[cols] += sum over rows of dout[rows][cols].
void synpref_colsum_accumulate(float *dbias, const float *dout, size_t ldo, size_t rows,
                               size_t cols);
/// Embedding backward (scatter-add) restricted to columns c0..c1 so threads can split the
/// width: dtable[ids[r]][c0:c1] += dout[r][c0:c1]. dtable: [vocab][dim]; ids < vocab.
void synpref_embedding_backward(float *dtable, size_t dim, const float *dout, size_t ldo,
                                const int32_t *ids, size_t rows, size_t c0, size_t c1);

/// sum(x[i]^2) accumulated in double (gradient norms).
double synpref_sum_squares(const float *x, size_t n);
/// x[n] *= s
void synpref_scale(float *x, size_t n, float s);

// ---- optimiser --------------------------------------------------------------------
/// One AdamW step on n values, in torch.optim.AdamW's order of f32 operations
/// (single-tensor path):
///   p *= 1 - lr*wd                      (decoupled weight decay; skipped when decay == 1)
///   m += (g - m) * (1 - beta1)          (torch lerp)
///   v = v * beta2 + (1 - beta2) * g * g
///   p += -step_size * m / (sqrt(v) / bc2_sqrt + eps)
/// The scalars are computed by the caller in double and rounded to f32, as torch does.
void synpref_adamw_update(float *p, float *m, float *v, const float *g, size_t n,
                          float decay, float one_minus_beta1, float beta2,
                          float one_minus_beta2, float neg_step_size, float bc2_sqrt,
                          float eps);

// ---- attention --------------------------------------------------------------------
/// delta[t * ld_delta + h] = sum_d dout[t][h*D + d] * out[t][h*D + d] for rows t0..t1 and
/// all heads: the per-row correction term of the softmax backward.
void synpref_attention_backward_delta(float *delta, size_t ld_delta, const float *dout,
                                      size_t lddo, const float *out, size_t ldo, size_t t0,
                                      size_t t1, size_t heads, size_t head_dim);

/// Scratch (floats) one worker needs for synpref_attention_backward.
size_t synpref_attention_backward_scratch_floats(size_t head_dim);

/// Flash-attention style backward for ONE sequence and ONE key/value head together with
/// the `group` query heads that read it (GQA/MQA; group = 1 for plain multi-head). It
/// walks key blocks of BK rows; for each it recomputes the score tiles of every query
/// block of every head in the group from q, k and the saved log-sum-exp, so memory stays
/// O(BQ*BK + BK*D) whatever the length:
///   P  = exp(scale q k^T - lse)   (causal: key j <= query i)
///   dV += P^T dO,  dS = P * (dO v^T - delta),  dK += scale dS^T q,  dQ += scale dS k
/// Shapes (T = sequence length, D = head_dim, query head g of the group at column g*D):
///   q, dout, dq:  [T][group*D] (row strides ldq, lddo, lddq)   dq is ACCUMULATED
///   k, v:         [T][D]       (row strides ldk, ldv)
///   dk, dv:       [T][D]       (row strides lddk, lddv)        dk, dv are WRITTEN
///   lse:          lse[g*ld_lse + t]   from the forward (synpref_attention_block)
///   delta:        delta[t*ld_delta + g]  from synpref_attention_backward_delta
/// Every row it writes belongs to this (sequence, kv head), so items run in parallel.
void synpref_attention_backward(const float *q, size_t ldq, const float *k, size_t ldk,
                                const float *v, size_t ldv, const float *dout, size_t lddo,
                                const float *lse, size_t ld_lse, const float *delta,
                                size_t ld_delta, size_t T, size_t group, size_t head_dim,
                                float scale, int causal, float *dq, size_t lddq, float *dk,
                                size_t lddk, float *dv, size_t lddv, float *scratch);

#endif

// Hot element-wise and attention kernels in C. Each vectorised function carries a
// per-function `target("avx2,fma")` (or AVX-512) attribute and is chosen at run time after
// a CPU check,
// so the package needs no unsafeFlags and stays usable as a dependency. Every kernel has
// a portable scalar fallback computing the same thing.
//
// Conventions (llm.c style): row-major f32 buffers, shapes in the comments, `ld*` are row
// strides in elements, kernels work on a row range so callers can split rows across
// threads. Forward kernels are plain named functions so a backward kernel can sit next to
// each one.
#ifndef SYNPREF_KERNELS_H
#define SYNPREF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// CPU feature bits (CPUID, counted only when the OS saves the registers they need).
enum {
    SYNPREF_CPU_SSE2 = 1 << 0, SYNPREF_CPU_SSE3 = 1 << 1, SYNPREF_CPU_SSE41 = 1 << 2,
    SYNPREF_CPU_AVX = 1 << 3, SYNPREF_CPU_FMA = 1 << 4, SYNPREF_CPU_F16C = 1 << 5,
    SYNPREF_CPU_AVX2 = 1 << 6, SYNPREF_CPU_AVX512F = 1 << 7, SYNPREF_CPU_AVX512DQ = 1 << 8,
    SYNPREF_CPU_AVX512BW = 1 << 9, SYNPREF_CPU_AVX512VL = 1 << 10, SYNPREF_CPU_AVX512VNNI = 1 << 11,
    SYNPREF_CPU_AVX512BF16 = 1 << 12, SYNPREF_CPU_AVX512FP16 = 1 << 13, SYNPREF_CPU_AVXVNNI = 1 << 14,
    SYNPREF_CPU_AMX_TILE = 1 << 15, SYNPREF_CPU_AMX_BF16 = 1 << 16, SYNPREF_CPU_SHA = 1 << 17,
};
/// The SYNPREF_CPU_* bits this CPU has (0 on other architectures).
uint64_t synpref_cpu_features(void);
/// The CPU's brand string from CPUID (e.g. "Intel(R) Xeon(R) Processor"); "" where unknown.
void synpref_cpu_brand(char out[49]);

// ---- GEMM fallback ----------------------------------------------------------------
/// C[m][n] = alpha * op(A) . op(B) + beta * C, row-major; op(A) = A[m][k] or (transA)
/// A[k][m]^T, op(B) = B[k][n] or (transB) B[n][k]^T. Plain loops summed in double: the
/// reference the BLAS self-check compares against, and what runs if the BLAS fails it.
void synpref_sgemm_plain(int transA, int transB, size_t m, size_t n, size_t k, float alpha,
                         const float *a, size_t lda, const float *b, size_t ldb,
                         float beta, float *c, size_t ldc);
/// The same product, blocked and vectorised (AVX2 when present): what `BLAS.sgemm` runs
/// when the BLAS library fails its start-up self-check. Several times slower than a tuned
/// BLAS, but right.
void synpref_sgemm_fallback(int transA, int transB, size_t m, size_t n, size_t k, float alpha,
                            const float *a, size_t lda, const float *b, size_t ldb,
                            float beta, float *c, size_t ldc);
/// Which kernel paths may run: the widest the CPU has (AVX-512 where present, else AVX2+FMA,
/// else portable scalar), at most AVX2+FMA, or the portable scalar ones.
enum { SYNPREF_KERNELS_BEST = 0, SYNPREF_KERNELS_AVX2 = 1, SYNPREF_KERNELS_SCALAR = 2 };
/// Limits the kernels the calling thread runs (a SYNPREF_KERNELS_* value);
/// `ComputeContext` passes the calling thread's choice to its workers. For tests that
/// compare the paths.
void synpref_force_kernels(int choice);
/// The calling thread's limit (SYNPREF_KERNELS_BEST unless forced).
int synpref_forced_kernels(void);

// ---- dtype conversion -------------------------------------------------------------
/// dst[n] (f32) = widen(src[n] bf16). Exact.
void synpref_bf16_to_f32(const uint16_t *src, float *dst, size_t n);
/// dst[n] (f32) = widen(src[n] IEEE half). Exact (subnormals, inf, nan included).
void synpref_f16_to_f32(const uint16_t *src, float *dst, size_t n);

// ---- element-wise -----------------------------------------------------------------
/// y[n] += x[n]
void synpref_add_inplace(float *y, const float *x, size_t n);
/// out[rows][cols] += bias[cols]  (row stride ld)
void synpref_add_bias(float *out, size_t ld, const float *bias, size_t rows, size_t cols);
/// out[r][c] = silu(gate[r][c]) * up[r][c], silu(x) = x / (1 + exp(-x)); out may alias gate.
void synpref_silu_mul(float *out, const float *gate, const float *up, size_t n);
/// x[n] = gelu(x) = 0.5 x (1 + erf(x / sqrt 2))  (transformers' "gelu", erf form)
void synpref_gelu_erf(float *x, size_t n);
/// x[n] = tanh(x[n])
void synpref_tanh(float *x, size_t n);
/// x[n] = exp(x[n]); relative error ~1e-7 (Cephes polynomial).
void synpref_exp(float *x, size_t n);
/// Row-wise softmax of x[rows][cols] (row stride ld), in place.
void synpref_softmax_rows(float *x, size_t ld, size_t rows, size_t cols);

// ---- normalisation ----------------------------------------------------------------
/// out[r] = inp[r] / sqrt(mean(inp[r]^2) + eps) * weight     inp, out: [rows][dim]
/// out may alias inp.
void synpref_rmsnorm(float *out, size_t ldo, const float *inp, size_t ldi,
                     const float *weight, size_t rows, size_t dim, float eps);
/// out[r] = (inp[r] - mean) / sqrt(var + eps) * weight + bias  (biased var); may alias.
void synpref_layernorm(float *out, size_t ldo, const float *inp, size_t ldi,
                       const float *weight, const float *bias, size_t rows, size_t dim,
                       float eps);

// ---- rotary position embedding ----------------------------------------------------
/// Rotates heads in place, "rotate_half" layout (first half / second half of each head):
///   x[t][h][i]       = x1 cos - x2 sin,   x[t][h][i+D/2] = x2 cos + x1 sin
/// x: [rows][heads*D] with row stride ld; cos, sin: [rows][D/2] (per row's position).
void synpref_rope(float *x, size_t ld, size_t rows, size_t heads, size_t head_dim,
                  const float *cos_table, const float *sin_table);

// ---- attention --------------------------------------------------------------------
/// Block sizes of the tiled attention.
enum { SYNPREF_ATTN_BQ = 64, SYNPREF_ATTN_BK = 64 };
/// Floats of scratch a caller must give each worker thread.
size_t synpref_attention_scratch_floats(size_t head_dim);
/// Floats of one packed key (or value) buffer for `n` keys: n rounded up to BK, times D.
size_t synpref_attention_packed_floats(size_t n, size_t head_dim);
/// Packs the keys and values of one sequence and one kv head into key/value blocks of BK
/// keys, zero-padded at the end:
///   kp[b][d][j] = k[(b*BK + j) * ldk + d]   (each block transposed: [D][BK])
///   vp[b*BK + j][d] = v[(b*BK + j) * ldv + d]
/// kp and vp each hold synpref_attention_packed_floats(n, D) floats.
void synpref_attention_pack(float *kp, float *vp, const float *k, size_t ldk, const float *v, size_t ldv,
                            size_t n, size_t head_dim);

/// Flash-attention style forward for one query block of one head of one sequence, with an
/// online softmax: memory O(BQ*BK + BQ*D), never O(length^2).
///   q:   [nq][D]  rows q0..q0+nq of the sequence (row stride ldq)
///   kp, vp: all nk keys and values of the sequence for this head's kv head, packed by
///           synpref_attention_pack
///   out: [nq][D]  softmax(scale * q k^T [+ causal mask]) v   (row stride ldo)
/// causal: query row q0+i attends keys 0..q0+i only. nq <= SYNPREF_ATTN_BQ.
/// lse (optional, may be NULL): [nq] log-sum-exp of each row's scaled scores, kept for a
/// backward pass.
void synpref_attention_block(const float *q, size_t ldq, size_t q0, size_t nq,
                             const float *kp, const float *vp, size_t nk,
                             size_t head_dim, float scale, int causal,
                             float *out, size_t ldo, float *lse, float *scratch);

#endif

// Backward of the tiled attention (forward in attention.c), flash-attention style: the
// probabilities are recomputed tile by tile from q, k and the forward's log-sum-exp, so
// nothing of size length^2 is ever stored. One call covers one sequence and one key/value
// head with all the query heads that share it, which makes every row it writes (dq of
// those heads, dk and dv of that kv head) private to the call: calls run in parallel.
#include "synpref_grad_kernels.h"
#include "synpref_kernels.h"
#include "internal.h"
#include <string.h>

enum { BQ = SYNPREF_ATTN_BQ, BK = SYNPREF_ATTN_BK };

// Scratch layout (floats): kt[D][BK] | vt[D][BK] | p[BQ][BK] | ds[BQ][BK] | dk[BK][D] | dv[BK][D]
size_t synpref_attention_backward_scratch_floats(size_t head_dim) {
    return 2 * head_dim * BK + 2 * (size_t)BQ * BK + 2 * (size_t)BK * head_dim;
}

void synpref_attention_backward_delta(float *delta, size_t ld_delta, const float *dout,
                                      size_t lddo, const float *out, size_t ldo, size_t t0,
                                      size_t t1, size_t heads, size_t head_dim) {
    for (size_t t = t0; t < t1; t++)
        for (size_t h = 0; h < heads; h++) {
            const float *a = dout + t * lddo + h * head_dim, *b = out + t * ldo + h * head_dim;
            float s = 0;
            for (size_t d = 0; d < head_dim; d++) s += a[d] * b[d];
            delta[t * ld_delta + h] = s;
        }
}

// ---- one small GEMM for all five tile products ------------------------------------
// c[m][n] (row stride ldc) = (accumulate ? c : 0) + sum_kk A(i, kk) b[kk][j], where
// A(i, kk) = a[i*sam + kk*sak] (any strides, so A may be a transposed tile) and b rows are
// contiguous with stride ldb.
static void tile_gemm_scalar(float *c, size_t ldc, const float *a, size_t sam, size_t sak,
                             const float *b, size_t ldb, size_t m, size_t n, size_t k,
                             int accumulate) {
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        if (!accumulate) memset(ci, 0, n * sizeof(float));
        for (size_t kk = 0; kk < k; kk++) {
            float x = a[i * sam + kk * sak];
            if (x == 0.0f) continue;
            const float *bk = b + kk * ldb;
            for (size_t j = 0; j < n; j++) ci[j] += x * bk[j];
        }
    }
}

#if SYNPREF_X86
static AVX2 void tile_gemm_avx2(float *c, size_t ldc, const float *a, size_t sam, size_t sak,
                                const float *b, size_t ldb, size_t m, size_t n, size_t k,
                                int accumulate) {
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        const float *a0 = a + i * sam, *a1 = a0 + sam, *a2 = a1 + sam, *a3 = a2 + sam;
        float *c0 = c + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
        size_t j = 0;
        for (; j + 16 <= n; j += 16) {
            __m256 x00, x01, x10, x11, x20, x21, x30, x31;
            if (accumulate) {
                x00 = _mm256_loadu_ps(c0 + j); x01 = _mm256_loadu_ps(c0 + j + 8);
                x10 = _mm256_loadu_ps(c1 + j); x11 = _mm256_loadu_ps(c1 + j + 8);
                x20 = _mm256_loadu_ps(c2 + j); x21 = _mm256_loadu_ps(c2 + j + 8);
                x30 = _mm256_loadu_ps(c3 + j); x31 = _mm256_loadu_ps(c3 + j + 8);
            } else {
                x00 = x01 = x10 = x11 = x20 = x21 = x30 = x31 = _mm256_setzero_ps();
            }
            const float *bk = b + j;
            for (size_t kk = 0; kk < k; kk++, bk += ldb) {
                __m256 b0 = _mm256_loadu_ps(bk), b1 = _mm256_loadu_ps(bk + 8);
                size_t o = kk * sak;
                __m256 w = _mm256_broadcast_ss(a0 + o);
                x00 = _mm256_fmadd_ps(w, b0, x00); x01 = _mm256_fmadd_ps(w, b1, x01);
                w = _mm256_broadcast_ss(a1 + o);
                x10 = _mm256_fmadd_ps(w, b0, x10); x11 = _mm256_fmadd_ps(w, b1, x11);
                w = _mm256_broadcast_ss(a2 + o);
                x20 = _mm256_fmadd_ps(w, b0, x20); x21 = _mm256_fmadd_ps(w, b1, x21);
                w = _mm256_broadcast_ss(a3 + o);
                x30 = _mm256_fmadd_ps(w, b0, x30); x31 = _mm256_fmadd_ps(w, b1, x31);
            }
            _mm256_storeu_ps(c0 + j, x00); _mm256_storeu_ps(c0 + j + 8, x01);
            _mm256_storeu_ps(c1 + j, x10); _mm256_storeu_ps(c1 + j + 8, x11);
            _mm256_storeu_ps(c2 + j, x20); _mm256_storeu_ps(c2 + j + 8, x21);
            _mm256_storeu_ps(c3 + j, x30); _mm256_storeu_ps(c3 + j + 8, x31);
        }
        for (; j + 8 <= n; j += 8) {
            __m256 x0, x1, x2, x3;
            if (accumulate) {
                x0 = _mm256_loadu_ps(c0 + j); x1 = _mm256_loadu_ps(c1 + j);
                x2 = _mm256_loadu_ps(c2 + j); x3 = _mm256_loadu_ps(c3 + j);
            } else {
                x0 = x1 = x2 = x3 = _mm256_setzero_ps();
            }
            const float *bk = b + j;
            for (size_t kk = 0; kk < k; kk++, bk += ldb) {
                __m256 b0 = _mm256_loadu_ps(bk);
                size_t o = kk * sak;
                x0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a0 + o), b0, x0);
                x1 = _mm256_fmadd_ps(_mm256_broadcast_ss(a1 + o), b0, x1);
                x2 = _mm256_fmadd_ps(_mm256_broadcast_ss(a2 + o), b0, x2);
                x3 = _mm256_fmadd_ps(_mm256_broadcast_ss(a3 + o), b0, x3);
            }
            _mm256_storeu_ps(c0 + j, x0); _mm256_storeu_ps(c1 + j, x1);
            _mm256_storeu_ps(c2 + j, x2); _mm256_storeu_ps(c3 + j, x3);
        }
        for (; j < n; j++)
            for (size_t r = 0; r < 4; r++) {
                float s = accumulate ? c[(i + r) * ldc + j] : 0.0f;
                for (size_t kk = 0; kk < k; kk++) s += a[(i + r) * sam + kk * sak] * b[kk * ldb + j];
                c[(i + r) * ldc + j] = s;
            }
    }
    for (; i < m; i++) {
        const float *ai = a + i * sam;
        float *ci = c + i * ldc;
        size_t j = 0;
        for (; j + 8 <= n; j += 8) {
            __m256 x = accumulate ? _mm256_loadu_ps(ci + j) : _mm256_setzero_ps();
            for (size_t kk = 0; kk < k; kk++)
                x = _mm256_fmadd_ps(_mm256_broadcast_ss(ai + kk * sak), _mm256_loadu_ps(b + kk * ldb + j), x);
            _mm256_storeu_ps(ci + j, x);
        }
        for (; j < n; j++) {
            float s = accumulate ? ci[j] : 0.0f;
            for (size_t kk = 0; kk < k; kk++) s += ai[kk * sak] * b[kk * ldb + j];
            ci[j] = s;
        }
    }
}

// AVX-512 version: R (<= 6) rows x 32 columns per tile, the last columns under a mask (only
// whole groups of 8, as the AVX2 kernel vectorises them; a rest below 8 runs in scalar
// code as there). Every element sees the same operations in the same order as in the AVX2
// kernel, so both paths give the same bits.
static inline __attribute__((always_inline)) AVX512 void tile_rows_512(
    int R, float *c, size_t ldc, const float *a, size_t sam, size_t sak, const float *b, size_t ldb,
    size_t n8, size_t k, int accumulate) {
    for (size_t j = 0; j < n8; j += 32) {
        size_t left = n8 - j;
        __mmask16 m0 = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
        __mmask16 m1 = left >= 32 ? 0xffff : left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0;
        __m512 x[6][2];
        for (int r = 0; r < R; r++) {
            x[r][0] = accumulate ? _mm512_maskz_loadu_ps(m0, c + r * ldc + j) : _mm512_setzero_ps();
            x[r][1] = accumulate ? _mm512_maskz_loadu_ps(m1, c + r * ldc + j + 16) : _mm512_setzero_ps();
        }
        const float *bk = b + j;
        for (size_t kk = 0; kk < k; kk++, bk += ldb) {
            __m512 b0 = _mm512_maskz_loadu_ps(m0, bk), b1 = _mm512_maskz_loadu_ps(m1, bk + 16);
            for (int r = 0; r < R; r++) {
                __m512 w = _mm512_set1_ps(a[r * sam + kk * sak]);
                x[r][0] = _mm512_fmadd_ps(w, b0, x[r][0]);
                x[r][1] = _mm512_fmadd_ps(w, b1, x[r][1]);
            }
        }
        for (int r = 0; r < R; r++) {
            _mm512_mask_storeu_ps(c + r * ldc + j, m0, x[r][0]);
            _mm512_mask_storeu_ps(c + r * ldc + j + 16, m1, x[r][1]);
        }
    }
}

static AVX512 void tile_gemm_avx512(float *c, size_t ldc, const float *a, size_t sam, size_t sak,
                                    const float *b, size_t ldb, size_t m, size_t n, size_t k,
                                    int accumulate) {
    size_t n8 = n & ~(size_t)7, i = 0;
    for (; i + 6 <= m; i += 6) tile_rows_512(6, c + i * ldc, ldc, a + i * sam, sam, sak, b, ldb, n8, k, accumulate);
    float *ci = c + i * ldc;
    const float *ai = a + i * sam;
    switch (m - i) {
    case 5: tile_rows_512(5, ci, ldc, ai, sam, sak, b, ldb, n8, k, accumulate); break;
    case 4: tile_rows_512(4, ci, ldc, ai, sam, sak, b, ldb, n8, k, accumulate); break;
    case 3: tile_rows_512(3, ci, ldc, ai, sam, sak, b, ldb, n8, k, accumulate); break;
    case 2: tile_rows_512(2, ci, ldc, ai, sam, sak, b, ldb, n8, k, accumulate); break;
    case 1: tile_rows_512(1, ci, ldc, ai, sam, sak, b, ldb, n8, k, accumulate); break;
    default: break;
    }
    if (n8 < n) // the rest below 8 columns, as in the AVX2 kernel
        tile_gemm_avx2(c + n8, ldc, a, sam, sak, b + n8, ldb, m, n - n8, k, accumulate);
}

// p[j] = exp(scale * s[j] - lse) for j < n.
static AVX2 void scaled_exp_avx2(float *p, const float *s, size_t n, float scale, float lse) {
    __m256 vs = _mm256_set1_ps(scale), vl = _mm256_set1_ps(lse);
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(p + j, synpref_exp8(_mm256_fmsub_ps(_mm256_loadu_ps(s + j), vs, vl)));
    for (; j < n; j++) p[j] = expf(s[j] * scale - lse);
}

// ds[j] = scale * p[j] * (dp[j] - delta) for j < n (in place over dp).
static AVX2 void dscore_avx2(float *ds, const float *p, size_t n, float scale, float delta) {
    __m256 vs = _mm256_set1_ps(scale), vd = _mm256_set1_ps(delta);
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(ds + j), vd);
        _mm256_storeu_ps(ds + j, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(p + j), d), vs));
    }
    for (; j < n; j++) ds[j] = p[j] * (ds[j] - delta) * scale;
}
#endif

// The two element-wise steps on 16 lanes (same operations per element as the AVX2 ones).
static AVX512 void scaled_exp_avx512(float *p, const float *s, size_t n, float scale, float lse) {
    __m512 vs = _mm512_set1_ps(scale), vl = _mm512_set1_ps(lse);
    size_t j = 0;
    for (; j + 16 <= n; j += 16)
        _mm512_storeu_ps(p + j, synpref_exp16(_mm512_fmsub_ps(_mm512_loadu_ps(s + j), vs, vl)));
    scaled_exp_avx2(p + j, s + j, n - j, scale, lse);
}

static AVX512 void dscore_avx512(float *ds, const float *p, size_t n, float scale, float delta) {
    __m512 vs = _mm512_set1_ps(scale), vd = _mm512_set1_ps(delta);
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(ds + j), vd);
        _mm512_storeu_ps(ds + j, _mm512_mul_ps(_mm512_mul_ps(_mm512_loadu_ps(p + j), d), vs));
    }
    dscore_avx2(ds + j, p + j, n - j, scale, delta);
}

// simd: 0 portable, 1 AVX2, 2 AVX-512.
static void tile_gemm(int simd, float *c, size_t ldc, const float *a, size_t sam, size_t sak,
                      const float *b, size_t ldb, size_t m, size_t n, size_t k, int accumulate) {
#if SYNPREF_X86
    if (simd == 2) { tile_gemm_avx512(c, ldc, a, sam, sak, b, ldb, m, n, k, accumulate); return; }
    if (simd) { tile_gemm_avx2(c, ldc, a, sam, sak, b, ldb, m, n, k, accumulate); return; }
#endif
    (void)simd;
    tile_gemm_scalar(c, ldc, a, sam, sak, b, ldb, m, n, k, accumulate);
}

void synpref_attention_backward(const float *q, size_t ldq, const float *k, size_t ldk,
                                const float *v, size_t ldv, const float *dout, size_t lddo,
                                const float *lse, size_t ld_lse, const float *delta,
                                size_t ld_delta, size_t T, size_t group, size_t D,
                                float scale, int causal, float *dq, size_t lddq, float *dk,
                                size_t lddk, float *dv, size_t lddv, float *scratch) {
    int simd = 0, wide = 0;
#if SYNPREF_X86
    wide = synpref_use_avx512();
    simd = synpref_use_avx2();
#endif
    int gemm = wide ? 2 : simd; // tile products: AVX-512, AVX2 or portable
    float *kt = scratch;
    float *vt = kt + D * BK;
    float *p = vt + D * BK;
    float *ds = p + (size_t)BQ * BK;
    float *dkacc = ds + (size_t)BQ * BK;
    float *dvacc = dkacc + (size_t)BK * D;

    for (size_t kb = 0; kb < T; kb += BK) {
        size_t nkb = T - kb < BK ? T - kb : BK;
        size_t ncols = (nkb + 15) & ~(size_t)15;
        // Key and value blocks transposed ([D][BK]); columns past nkb are zero.
        for (size_t d = 0; d < D; d++) {
            float *kr = kt + d * BK, *vr = vt + d * BK;
            for (size_t j = 0; j < nkb; j++) { kr[j] = k[(kb + j) * ldk + d]; vr[j] = v[(kb + j) * ldv + d]; }
            for (size_t j = nkb; j < ncols; j++) { kr[j] = 0; vr[j] = 0; }
        }
        memset(dkacc, 0, nkb * D * sizeof(float));
        memset(dvacc, 0, nkb * D * sizeof(float));
        // Causal: query rows before kb see none of these keys.
        size_t qstart = causal ? (kb / BQ) * BQ : 0;
        for (size_t g = 0; g < group; g++) {
            const float *qg = q + g * D, *dog = dout + g * D;
            float *dqg = dq + g * D;
            for (size_t q0 = qstart; q0 < T; q0 += BQ) {
                size_t nq = T - q0 < BQ ? T - q0 : BQ;
                // s = q k^T (unscaled) into p, then p = exp(scale s - lse), masked.
                tile_gemm(gemm, p, BK, qg + q0 * ldq, ldq, 1, kt, BK, nq, ncols, D, 0);
                for (size_t i = 0; i < nq; i++) {
                    float *pi = p + i * BK;
                    size_t valid = nkb;
                    if (causal) {
                        size_t lim = q0 + i + 1; // keys 0..q0+i
                        valid = lim <= kb ? 0 : (lim - kb < nkb ? lim - kb : nkb);
                    }
                    float l = lse[g * ld_lse + q0 + i];
#if SYNPREF_X86
                    if (wide) scaled_exp_avx512(pi, pi, valid, scale, l);
                    else if (simd) scaled_exp_avx2(pi, pi, valid, scale, l);
                    else
#endif
                        for (size_t j = 0; j < valid; j++) pi[j] = expf(pi[j] * scale - l);
                    for (size_t j = valid; j < ncols; j++) pi[j] = 0;
                }
                // dp = dO v^T into ds, then ds = scale * p * (dp - delta).
                tile_gemm(gemm, ds, BK, dog + q0 * lddo, lddo, 1, vt, BK, nq, ncols, D, 0);
                for (size_t i = 0; i < nq; i++) {
                    float dl = delta[(q0 + i) * ld_delta + g];
                    float *di = ds + i * BK;
                    const float *pi = p + i * BK;
#if SYNPREF_X86
                    if (wide) dscore_avx512(di, pi, ncols, scale, dl);
                    else if (simd) dscore_avx2(di, pi, ncols, scale, dl);
                    else
#endif
                        for (size_t j = 0; j < ncols; j++) di[j] = pi[j] * (di[j] - dl) * scale;
                }
                // dV_j += P^T dO_i;  dK_j += dS^T q_i;  dQ_i += dS k_j
                tile_gemm(gemm, dvacc, D, p, 1, BK, dog + q0 * lddo, lddo, nkb, D, nq, 1);
                tile_gemm(gemm, dkacc, D, ds, 1, BK, qg + q0 * ldq, ldq, nkb, D, nq, 1);
                tile_gemm(gemm, dqg + q0 * lddq, lddq, ds, BK, 1, k + kb * ldk, ldk, nq, D, nkb, 1);
            }
        }
        for (size_t j = 0; j < nkb; j++) {
            memcpy(dk + (kb + j) * lddk, dkacc + j * D, D * sizeof(float));
            memcpy(dv + (kb + j) * lddv, dvacc + j * D, D * sizeof(float));
        }
    }
}

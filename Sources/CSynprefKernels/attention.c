// Tiled attention with an online softmax (flash-attention style). One call handles one
// query block (<= BQ rows) of one head: it walks the keys in blocks of BK, keeping only a
// BQ x BK score tile, the running row max m, the running denominator l and the BQ x D
// output accumulator. Memory is O(BQ*(BK + D)) whatever the sequence length.
#include "synpref_kernels.h"
#include "internal.h"
#include <string.h>

enum { BQ = SYNPREF_ATTN_BQ, BK = SYNPREF_ATTN_BK };
// Micro-kernels work on 6 query rows at a time; scratch rows are padded up to RB * ceil(BQ/RB).
enum { RB = 6, BQP = (SYNPREF_ATTN_BQ + 5) / 6 * 6 };

// Scratch layout (floats): qs[BQP][D] | s[BQP][BK] | acc[BQP][D] | m[BQP] | l[BQP] | corr[BQP]
size_t synpref_attention_scratch_floats(size_t head_dim) {
    return (size_t)BQP * head_dim + (size_t)BQP * BK + (size_t)BQP * head_dim + 3 * BQP;
}

// s[BQ][BK] (cols < ncols) = qs[BQ][D] . kt[D][ncols]   (kt row stride ldkt)
static void scores_scalar(float *s, const float *qs, const float *kt, size_t ldkt, size_t rows, size_t ncols, size_t D) {
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < ncols; j++) {
            float a = 0;
            for (size_t d = 0; d < D; d++) a += qs[i * D + d] * kt[d * ldkt + j];
            s[i * BK + j] = a;
        }
}

// acc[i][:] += sum_j p[i][j] v[j][:]   for i < rows, j < nk
static void pv_scalar(float *acc, const float *p, const float *v, size_t ldv, size_t rows, size_t nk, size_t D) {
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < nk; j++) {
            float pij = p[i * BK + j];
            if (pij == 0.0f) continue;
            const float *vj = v + j * ldv;
            for (size_t d = 0; d < D; d++) acc[i * D + d] += pij * vj[d];
        }
}

#if SYNPREF_X86
// rows is a multiple of RB = 6 (the scratch rows past nq are zero-filled): 6 x 16 tiles,
// 12 accumulators, so the FMA pipes never wait on one another.
#define FMA2(r) b = _mm256_broadcast_ss(q##r + d); \
    a##r##0 = _mm256_fmadd_ps(b, k0, a##r##0); a##r##1 = _mm256_fmadd_ps(b, k1, a##r##1);
static AVX2 void scores_avx2(float *s, const float *qs, const float *kt, size_t ldkt, size_t rows, size_t ncols, size_t D) {
    for (size_t i = 0; i < rows; i += RB) {
        const float *q0 = qs + i * D, *q1 = q0 + D, *q2 = q1 + D, *q3 = q2 + D, *q4 = q3 + D, *q5 = q4 + D;
        for (size_t j = 0; j < ncols; j += 16) {
            __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
            __m256 a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00, b;
            const float *k = kt + j;
            for (size_t d = 0; d < D; d++, k += ldkt) {
                __m256 k0 = _mm256_loadu_ps(k), k1 = _mm256_loadu_ps(k + 8);
                FMA2(0) FMA2(1) FMA2(2) FMA2(3) FMA2(4) FMA2(5)
            }
            float *o = s + i * BK + j;
            _mm256_storeu_ps(o, a00); _mm256_storeu_ps(o + 8, a01);
            _mm256_storeu_ps(o + BK, a10); _mm256_storeu_ps(o + BK + 8, a11);
            _mm256_storeu_ps(o + 2 * BK, a20); _mm256_storeu_ps(o + 2 * BK + 8, a21);
            _mm256_storeu_ps(o + 3 * BK, a30); _mm256_storeu_ps(o + 3 * BK + 8, a31);
            _mm256_storeu_ps(o + 4 * BK, a40); _mm256_storeu_ps(o + 4 * BK + 8, a41);
            _mm256_storeu_ps(o + 5 * BK, a50); _mm256_storeu_ps(o + 5 * BK + 8, a51);
        }
    }
}
#undef FMA2

// acc[i][:] = corr[i] * acc[i][:] + sum_j p[i][j] v[j][:]   (the online-softmax rescale is
// folded into the accumulator load); 6 rows x 16 columns of D per tile.
#define LOAD2(r) a##r##0 = _mm256_mul_ps(_mm256_broadcast_ss(corr + i + r), _mm256_loadu_ps(c + r * D)); \
    a##r##1 = _mm256_mul_ps(_mm256_broadcast_ss(corr + i + r), _mm256_loadu_ps(c + r * D + 8));
#define FMA2(r) b = _mm256_broadcast_ss(p + (i + r) * BK + j); \
    a##r##0 = _mm256_fmadd_ps(b, v0, a##r##0); a##r##1 = _mm256_fmadd_ps(b, v1, a##r##1);
#define STORE2(r) _mm256_storeu_ps(c + r * D, a##r##0); _mm256_storeu_ps(c + r * D + 8, a##r##1);
static AVX2 void pv_avx2(float *acc, const float *corr, const float *p, const float *v, size_t ldv, size_t rows, size_t nk, size_t D) {
    for (size_t i = 0; i < rows; i += RB) {
        size_t d = 0;
        for (; d + 16 <= D; d += 16) {
            float *c = acc + i * D + d;
            __m256 a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, b;
            LOAD2(0) LOAD2(1) LOAD2(2) LOAD2(3) LOAD2(4) LOAD2(5)
            const float *vj = v + d;
            for (size_t j = 0; j < nk; j++, vj += ldv) {
                __m256 v0 = _mm256_loadu_ps(vj), v1 = _mm256_loadu_ps(vj + 8);
                FMA2(0) FMA2(1) FMA2(2) FMA2(3) FMA2(4) FMA2(5)
            }
            STORE2(0) STORE2(1) STORE2(2) STORE2(3) STORE2(4) STORE2(5)
        }
        for (; d < D; d++)
            for (size_t r = 0; r < RB; r++) {
                float a = corr[i + r] * acc[(i + r) * D + d];
                for (size_t j = 0; j < nk; j++) a += p[(i + r) * BK + j] * v[j * ldv + d];
                acc[(i + r) * D + d] = a;
            }
    }
}
#undef LOAD2
#undef FMA2
#undef STORE2

static AVX2 float rowmax_avx2(const float *s, size_t n) {
    size_t j = 0;
    float mx = -INFINITY;
    if (n >= 8) {
        __m256 v = _mm256_loadu_ps(s);
        for (j = 8; j + 8 <= n; j += 8) v = _mm256_max_ps(v, _mm256_loadu_ps(s + j));
        mx = synpref_hmax8(v);
    }
    for (; j < n; j++) mx = s[j] > mx ? s[j] : mx;
    return mx;
}

// p[j] = exp(s[j] - m) in place for j < n; returns the sum.
static AVX2 float exp_sum_avx2(float *s, size_t n, float m) {
    __m256 vm = _mm256_set1_ps(m), sum = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 e = synpref_exp8(_mm256_sub_ps(_mm256_loadu_ps(s + j), vm));
        _mm256_storeu_ps(s + j, e);
        sum = _mm256_add_ps(sum, e);
    }
    float t = synpref_hsum8(sum);
    for (; j < n; j++) { s[j] = expf(s[j] - m); t += s[j]; }
    return t;
}
#endif

void synpref_attention_block(const float *q, size_t ldq, size_t q0, size_t nq,
                             const float *kt, size_t ldkt, const float *v, size_t ldv, size_t nk,
                             size_t D, float scale, int causal,
                             float *out, size_t ldo, float *lse, float *scratch) {
    if (nq == 0) return;
    if (nq > BQ) nq = BQ;
    int simd = 0;
#if SYNPREF_X86
    simd = synpref_use_avx2();
#endif
    size_t rows = (nq + RB - 1) / RB * RB; // 6-row micro-kernels; rows past nq are zero
    float *qs = scratch;
    float *s = qs + (size_t)BQP * D;
    float *acc = s + (size_t)BQP * BK;
    float *m = acc + (size_t)BQP * D;
    float *l = m + BQP;
    float *cr = l + BQP;

    memset(qs, 0, rows * D * sizeof(float));
    for (size_t i = 0; i < nq; i++)
        for (size_t d = 0; d < D; d++) qs[i * D + d] = q[i * ldq + d] * scale;
    memset(acc, 0, rows * D * sizeof(float));
    for (size_t i = 0; i < rows; i++) { m[i] = -INFINITY; l[i] = 0; }

    size_t kend = nk;
    if (causal && q0 + nq < kend) kend = q0 + nq;
    for (size_t kb = 0; kb < kend; kb += BK) {
        size_t nkb = kend - kb < BK ? kend - kb : BK;
        // Columns past nkb (up to a multiple of 16) read padding the caller provides;
        // their scores are discarded below.
        size_t ncols = (nkb + 15) & ~(size_t)15;
#if SYNPREF_X86
        if (simd) scores_avx2(s, qs, kt + kb, ldkt, rows, ncols, D);
        else
#endif
            scores_scalar(s, qs, kt + kb, ldkt, rows, nkb, D);

        for (size_t i = 0; i < rows; i++) {
            float *si = s + i * BK;
            // Keys this row may see in the block: j < valid.
            size_t valid = nkb;
            if (i >= nq) valid = 0;
            else if (causal) {
                size_t lim = q0 + i + 1; // keys 0..q0+i
                valid = lim <= kb ? 0 : (lim - kb < nkb ? lim - kb : nkb);
            }
            if (valid == 0) { memset(si, 0, ncols * sizeof(float)); cr[i] = 1.0f; continue; }
            float mx;
#if SYNPREF_X86
            if (simd) mx = rowmax_avx2(si, valid);
            else
#endif
            {
                mx = si[0];
                for (size_t j = 1; j < valid; j++) mx = si[j] > mx ? si[j] : mx;
            }
            float mnew = mx > m[i] ? mx : m[i];
            float corr = expf(m[i] - mnew); // 0 on the first block (m = -inf)
            float sum;
#if SYNPREF_X86
            if (simd) sum = exp_sum_avx2(si, valid, mnew);
            else
#endif
            {
                sum = 0;
                for (size_t j = 0; j < valid; j++) { si[j] = expf(si[j] - mnew); sum += si[j]; }
            }
            for (size_t j = valid; j < ncols; j++) si[j] = 0;
            l[i] = l[i] * corr + sum;
            m[i] = mnew;
            cr[i] = corr;
        }
#if SYNPREF_X86
        if (simd) { pv_avx2(acc, cr, s, v + kb * ldv, ldv, rows, nkb, D); continue; }
#endif
        for (size_t i = 0; i < nq; i++)
            if (cr[i] != 1.0f)
                for (size_t d = 0; d < D; d++) acc[i * D + d] *= cr[i];
        pv_scalar(acc, s, v + kb * ldv, ldv, nq, nkb, D);
    }
    for (size_t i = 0; i < nq; i++) {
        float inv = l[i] > 0 ? 1.0f / l[i] : 0.0f;
        for (size_t d = 0; d < D; d++) out[i * ldo + d] = acc[i * D + d] * inv;
        if (lse) lse[i] = m[i] + logf(l[i]);
    }
}

void synpref_transpose_heads(float *kt_out, size_t ldkt, const float *k, size_t ldk,
                             size_t t0, size_t t1, size_t heads, size_t D) {
    // Tiles of 8 tokens so each source row and destination run stays in cache.
    for (size_t tb = t0; tb < t1; tb += 8) {
        size_t te = tb + 8 < t1 ? tb + 8 : t1;
        for (size_t h = 0; h < heads; h++)
            for (size_t d = 0; d < D; d++) {
                float *dst = kt_out + (h * D + d) * ldkt;
                for (size_t t = tb; t < te; t++) dst[t] = k[t * ldk + h * D + d];
            }
    }
}

// Tiled attention with an online softmax (flash-attention style). One call handles one
// query block (<= BQ rows) of one head: it walks the keys in blocks of BK, keeping only a
// BQ x BK score tile, the running row max m, the running denominator l and the BQ x D
// output accumulator. Memory is O(BQ*(BK + D)) whatever the sequence length.
#include "synpref_kernels.h"
#include "internal.h"
#include <string.h>

enum { BQ = SYNPREF_ATTN_BQ, BK = SYNPREF_ATTN_BK };

// Scratch layout (floats): qs[BQ][D] | s[BQ][BK] | acc[BQ][D] | m[BQ] | l[BQ] | corr[BQ]
size_t synpref_attention_scratch_floats(size_t head_dim) {
    return (size_t)BQ * head_dim + (size_t)BQ * BK + (size_t)BQ * head_dim + 3 * BQ;
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
// rows is a multiple of 4 (the scratch rows past nq are zero-filled).
static AVX2 void scores_avx2(float *s, const float *qs, const float *kt, size_t ldkt, size_t rows, size_t ncols, size_t D) {
    for (size_t i = 0; i < rows; i += 4) {
        const float *q0 = qs + i * D, *q1 = q0 + D, *q2 = q1 + D, *q3 = q2 + D;
        for (size_t j = 0; j < ncols; j += 16) {
            __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00;
            __m256 a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            const float *k = kt + j;
            for (size_t d = 0; d < D; d++, k += ldkt) {
                __m256 k0 = _mm256_loadu_ps(k), k1 = _mm256_loadu_ps(k + 8);
                __m256 b = _mm256_broadcast_ss(q0 + d);
                a00 = _mm256_fmadd_ps(b, k0, a00); a01 = _mm256_fmadd_ps(b, k1, a01);
                b = _mm256_broadcast_ss(q1 + d);
                a10 = _mm256_fmadd_ps(b, k0, a10); a11 = _mm256_fmadd_ps(b, k1, a11);
                b = _mm256_broadcast_ss(q2 + d);
                a20 = _mm256_fmadd_ps(b, k0, a20); a21 = _mm256_fmadd_ps(b, k1, a21);
                b = _mm256_broadcast_ss(q3 + d);
                a30 = _mm256_fmadd_ps(b, k0, a30); a31 = _mm256_fmadd_ps(b, k1, a31);
            }
            float *o = s + i * BK + j;
            _mm256_storeu_ps(o, a00); _mm256_storeu_ps(o + 8, a01);
            _mm256_storeu_ps(o + BK, a10); _mm256_storeu_ps(o + BK + 8, a11);
            _mm256_storeu_ps(o + 2 * BK, a20); _mm256_storeu_ps(o + 2 * BK + 8, a21);
            _mm256_storeu_ps(o + 3 * BK, a30); _mm256_storeu_ps(o + 3 * BK + 8, a31);
        }
    }
}

// acc[i][:] = corr[i] * acc[i][:] + sum_j p[i][j] v[j][:]   (the online-softmax rescale is
// folded into the accumulator load)
static AVX2 void pv_avx2(float *acc, const float *corr, const float *p, const float *v, size_t ldv, size_t rows, size_t nk, size_t D) {
    for (size_t i = 0; i < rows; i += 4) {
        const float *p0 = p + i * BK, *p1 = p0 + BK, *p2 = p1 + BK, *p3 = p2 + BK;
        const __m256 c0 = _mm256_broadcast_ss(corr + i), c1 = _mm256_broadcast_ss(corr + i + 1);
        const __m256 c2 = _mm256_broadcast_ss(corr + i + 2), c3 = _mm256_broadcast_ss(corr + i + 3);
        size_t d = 0;
        for (; d + 16 <= D; d += 16) {
            float *c = acc + i * D + d;
            __m256 a00 = _mm256_mul_ps(c0, _mm256_loadu_ps(c)), a01 = _mm256_mul_ps(c0, _mm256_loadu_ps(c + 8));
            __m256 a10 = _mm256_mul_ps(c1, _mm256_loadu_ps(c + D)), a11 = _mm256_mul_ps(c1, _mm256_loadu_ps(c + D + 8));
            __m256 a20 = _mm256_mul_ps(c2, _mm256_loadu_ps(c + 2 * D)), a21 = _mm256_mul_ps(c2, _mm256_loadu_ps(c + 2 * D + 8));
            __m256 a30 = _mm256_mul_ps(c3, _mm256_loadu_ps(c + 3 * D)), a31 = _mm256_mul_ps(c3, _mm256_loadu_ps(c + 3 * D + 8));
            const float *vj = v + d;
            for (size_t j = 0; j < nk; j++, vj += ldv) {
                __m256 v0 = _mm256_loadu_ps(vj), v1 = _mm256_loadu_ps(vj + 8);
                __m256 b = _mm256_broadcast_ss(p0 + j);
                a00 = _mm256_fmadd_ps(b, v0, a00); a01 = _mm256_fmadd_ps(b, v1, a01);
                b = _mm256_broadcast_ss(p1 + j);
                a10 = _mm256_fmadd_ps(b, v0, a10); a11 = _mm256_fmadd_ps(b, v1, a11);
                b = _mm256_broadcast_ss(p2 + j);
                a20 = _mm256_fmadd_ps(b, v0, a20); a21 = _mm256_fmadd_ps(b, v1, a21);
                b = _mm256_broadcast_ss(p3 + j);
                a30 = _mm256_fmadd_ps(b, v0, a30); a31 = _mm256_fmadd_ps(b, v1, a31);
            }
            _mm256_storeu_ps(c, a00); _mm256_storeu_ps(c + 8, a01);
            _mm256_storeu_ps(c + D, a10); _mm256_storeu_ps(c + D + 8, a11);
            _mm256_storeu_ps(c + 2 * D, a20); _mm256_storeu_ps(c + 2 * D + 8, a21);
            _mm256_storeu_ps(c + 3 * D, a30); _mm256_storeu_ps(c + 3 * D + 8, a31);
        }
        for (; d + 8 <= D; d += 8) {
            float *c = acc + i * D + d;
            __m256 a0 = _mm256_mul_ps(c0, _mm256_loadu_ps(c)), a1 = _mm256_mul_ps(c1, _mm256_loadu_ps(c + D));
            __m256 a2 = _mm256_mul_ps(c2, _mm256_loadu_ps(c + 2 * D)), a3 = _mm256_mul_ps(c3, _mm256_loadu_ps(c + 3 * D));
            const float *vj = v + d;
            for (size_t j = 0; j < nk; j++, vj += ldv) {
                __m256 v0 = _mm256_loadu_ps(vj);
                a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(p0 + j), v0, a0);
                a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(p1 + j), v0, a1);
                a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(p2 + j), v0, a2);
                a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(p3 + j), v0, a3);
            }
            _mm256_storeu_ps(c, a0); _mm256_storeu_ps(c + D, a1);
            _mm256_storeu_ps(c + 2 * D, a2); _mm256_storeu_ps(c + 3 * D, a3);
        }
        for (; d < D; d++)
            for (size_t r = 0; r < 4; r++) {
                float a = corr[i + r] * acc[(i + r) * D + d];
                for (size_t j = 0; j < nk; j++) a += p[(i + r) * BK + j] * v[j * ldv + d];
                acc[(i + r) * D + d] = a;
            }
    }
}

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
    size_t rows = (nq + 3) & ~(size_t)3; // 4-row micro-kernels; rows past nq are zero
    float *qs = scratch;
    float *s = qs + (size_t)BQ * D;
    float *acc = s + (size_t)BQ * BK;
    float *m = acc + (size_t)BQ * D;
    float *l = m + BQ;
    float *cr = l + BQ;

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

// Tiled attention with an online softmax (flash-attention style). One call handles one
// query block (<= BQ rows) of one head: it walks the keys in blocks of BK, keeping only a
// BQ x BK score tile, the running row max m, the running denominator l and the BQ x D
// output accumulator. Memory is O(BQ*(BK + D)) whatever the sequence length.
//
// Keys and values are first packed per (sequence, kv head) into contiguous blocks
// (synpref_attention_pack): a key block is [D][BK] (transposed, so a score tile reads
// whole rows) and a value block [BK][D]. Read straight from the [tokens][heads*D]
// activations instead, every key or value row of a block sits on its own page (row
// stride heads*D*4 bytes, a multiple of 4 KiB), which thrashes the L1 sets and the TLB;
// packed, a block is 32 KiB of consecutive memory (measured 52 -> 80 GFLOP/s per core).
#include "synpref_kernels.h"
#include "internal.h"
#include <string.h>

enum { BQ = SYNPREF_ATTN_BQ, BK = SYNPREF_ATTN_BK };
// Micro-kernels work on RB query rows at a time; scratch rows are padded up to a multiple.
enum { RB = 6, BQP = (SYNPREF_ATTN_BQ + RB - 1) / RB * RB };

// Scratch layout (floats): qs[BQP][D] | s[BQP][BK] | acc[BQP][D] | m[BQP] | l[BQP] | corr[BQP]
size_t synpref_attention_scratch_floats(size_t head_dim) {
    return (size_t)BQP * head_dim + (size_t)BQP * BK + (size_t)BQP * head_dim + 3 * BQP;
}

size_t synpref_attention_packed_floats(size_t n, size_t head_dim) {
    return (n + BK - 1) / BK * BK * head_dim;
}

void synpref_attention_pack(float *kp, float *vp, const float *k, size_t ldk, const float *v, size_t ldv,
                            size_t n, size_t D) {
    size_t blocks = (n + BK - 1) / BK;
    for (size_t b = 0; b < blocks; b++) {
        float *kb = kp + b * D * BK;
        size_t t0 = b * BK, cnt = n - t0 < BK ? n - t0 : BK;
        // Transpose in 8-key strips so each source row and destination run stays in cache.
        for (size_t j0 = 0; j0 < cnt; j0 += 8) {
            size_t j1 = j0 + 8 < cnt ? j0 + 8 : cnt;
            for (size_t d = 0; d < D; d++)
                for (size_t j = j0; j < j1; j++) kb[d * BK + j] = k[(t0 + j) * ldk + d];
        }
        if (cnt < BK)
            for (size_t d = 0; d < D; d++) memset(kb + d * BK + cnt, 0, (BK - cnt) * sizeof(float));
        for (size_t j = 0; j < cnt; j++) memcpy(vp + (t0 + j) * D, v + (t0 + j) * ldv, D * sizeof(float));
        if (cnt < BK) memset(vp + (t0 + cnt) * D, 0, (BK - cnt) * D * sizeof(float));
    }
}

// The causal limit of a row group: rows g*RB .. g*RB+RB-1 of the query block see keys
// j < base + g*RB + RB of the key block (base = q0 - kb), so later columns are skipped.
static size_t group_limit(long base, size_t g, size_t n) {
    long lim = base + (long)(g * RB + RB);
    if (lim <= 0) return 0;
    return (size_t)lim < n ? (size_t)lim : n;
}

// s[i][j] (cols < ncols) = qs[i][:] . kb[:][j]   for i < rows
static void scores_scalar(float *s, const float *qs, const float *kb, size_t rows, size_t ncols, size_t D) {
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < ncols; j++) {
            float a = 0;
            for (size_t d = 0; d < D; d++) a += qs[i * D + d] * kb[d * BK + j];
            s[i * BK + j] = a;
        }
}

// acc[i][:] = corr[i] * acc[i][:] + sum_j p[i][j] v[j][:]   for i < rows, j < nk
static void pv_scalar(float *acc, const float *corr, const float *p, const float *v, size_t rows, size_t nk, size_t D) {
    for (size_t i = 0; i < rows; i++) {
        float *a = acc + i * D;
        if (corr[i] != 1.0f)
            for (size_t d = 0; d < D; d++) a[d] *= corr[i];
        for (size_t j = 0; j < nk; j++) {
            float pij = p[i * BK + j];
            if (pij == 0.0f) continue;
            const float *vj = v + j * D;
            for (size_t d = 0; d < D; d++) a[d] += pij * vj[d];
        }
    }
}

#if SYNPREF_X86
// 6 x 16 tiles, 12 accumulators, so the FMA pipes never wait on one another. `rows` is a
// multiple of RB (scratch rows past nq are zero); with `causal`, a row group stops at the
// 16-column tile holding its last visible key.
#define FMA2(r) b = _mm256_broadcast_ss(q + (r) * D + d); \
    a##r##0 = _mm256_fmadd_ps(b, k0, a##r##0); a##r##1 = _mm256_fmadd_ps(b, k1, a##r##1);
static AVX2 void scores_avx2(float *s, const float *qs, const float *kb, size_t rows, size_t ncols, size_t D,
                             int causal, long base) {
    for (size_t g = 0; g * RB < rows; g++) {
        const float *q = qs + g * RB * D;
        size_t nc = causal ? (group_limit(base, g, ncols) + 15) & ~(size_t)15 : ncols;
        for (size_t j = 0; j < nc; j += 16) {
            __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
            __m256 a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00, b;
            const float *k = kb + j;
            for (size_t d = 0; d < D; d++, k += BK) {
                __m256 k0 = _mm256_loadu_ps(k), k1 = _mm256_loadu_ps(k + 8);
                FMA2(0) FMA2(1) FMA2(2) FMA2(3) FMA2(4) FMA2(5)
            }
            float *o = s + g * RB * BK + j;
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
// folded into the accumulator load); 6 rows x 16 columns of D per tile. With `causal`, a
// row group stops at its last visible key (later probabilities are zero).
#define LOAD2(r) a##r##0 = _mm256_mul_ps(_mm256_broadcast_ss(cg + r), _mm256_loadu_ps(c + r * D)); \
    a##r##1 = _mm256_mul_ps(_mm256_broadcast_ss(cg + r), _mm256_loadu_ps(c + r * D + 8));
#define FMA2(r) b = _mm256_broadcast_ss(pg + (r) * BK + j); \
    a##r##0 = _mm256_fmadd_ps(b, v0, a##r##0); a##r##1 = _mm256_fmadd_ps(b, v1, a##r##1);
#define STORE2(r) _mm256_storeu_ps(c + r * D, a##r##0); _mm256_storeu_ps(c + r * D + 8, a##r##1);
static AVX2 void pv_avx2(float *acc, const float *corr, const float *p, const float *v, size_t rows, size_t nk, size_t D,
                         int causal, long base) {
    for (size_t g = 0; g * RB < rows; g++) {
        size_t i = g * RB, nj = causal ? group_limit(base, g, nk) : nk;
        const float *pg = p + i * BK, *cg = corr + i;
        size_t d = 0;
        for (; d + 16 <= D; d += 16) {
            float *c = acc + i * D + d;
            __m256 a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, b;
            LOAD2(0) LOAD2(1) LOAD2(2) LOAD2(3) LOAD2(4) LOAD2(5)
            const float *vj = v + d;
            for (size_t j = 0; j < nj; j++, vj += D) {
                __m256 v0 = _mm256_loadu_ps(vj), v1 = _mm256_loadu_ps(vj + 8);
                FMA2(0) FMA2(1) FMA2(2) FMA2(3) FMA2(4) FMA2(5)
            }
            STORE2(0) STORE2(1) STORE2(2) STORE2(3) STORE2(4) STORE2(5)
        }
        for (; d < D; d++)
            for (size_t r = 0; r < RB; r++) {
                float a = cg[r] * acc[(i + r) * D + d];
                for (size_t j = 0; j < nj; j++) a += pg[r * BK + j] * v[j * D + d];
                acc[(i + r) * D + d] = a;
            }
    }
}
#undef LOAD2
#undef FMA2
#undef STORE2

// AVX-512 versions of the two tile products: 6 rows x 32 columns (two zmm per row, 12
// accumulators). Every output element sees the same operations in the same order as in
// the AVX2 kernels (a zero or rescaled start, then one FMA per d or per key, in order), so
// both paths give the same bits.
static inline __attribute__((always_inline)) AVX512 void scores_tile_512(float *o, const float *q, const float *k,
                                                                         size_t D) {
    __m512 a00 = _mm512_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
    __m512 a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00, b;
    for (size_t d = 0; d < D; d++, k += BK) {
        __m512 k0 = _mm512_loadu_ps(k), k1 = _mm512_loadu_ps(k + 16);
#define FMA2(r) b = _mm512_set1_ps(q[(r) * D + d]); \
        a##r##0 = _mm512_fmadd_ps(b, k0, a##r##0); a##r##1 = _mm512_fmadd_ps(b, k1, a##r##1);
        FMA2(0) FMA2(1) FMA2(2) FMA2(3) FMA2(4) FMA2(5)
#undef FMA2
    }
    _mm512_storeu_ps(o, a00); _mm512_storeu_ps(o + 16, a01);
    _mm512_storeu_ps(o + BK, a10); _mm512_storeu_ps(o + BK + 16, a11);
    _mm512_storeu_ps(o + 2 * BK, a20); _mm512_storeu_ps(o + 2 * BK + 16, a21);
    _mm512_storeu_ps(o + 3 * BK, a30); _mm512_storeu_ps(o + 3 * BK + 16, a31);
    _mm512_storeu_ps(o + 4 * BK, a40); _mm512_storeu_ps(o + 4 * BK + 16, a41);
    _mm512_storeu_ps(o + 5 * BK, a50); _mm512_storeu_ps(o + 5 * BK + 16, a51);
}

// Columns are computed in 32-wide tiles: a count rounded up to 16 is rounded on to 32,
// which stays inside the BK-column block (BK is a multiple of 32) and its zero padding;
// the extra scores are never read.
static AVX512 void scores_avx512(float *s, const float *qs, const float *kb, size_t rows, size_t ncols, size_t D,
                                 int causal, long base) {
    for (size_t g = 0; g * RB < rows; g++) {
        size_t nc = causal ? group_limit(base, g, ncols) : ncols;
        for (size_t j = 0; j < nc; j += 32) scores_tile_512(s + g * RB * BK + j, qs + g * RB * D, kb + j, D);
    }
}

// acc[i][:] = corr[i] * acc[i][:] + sum_j p[i][j] v[j][:] on 6 rows x 32 columns of D;
// the masks select the columns of each half (a last 16 columns run as a half tile).
static inline __attribute__((always_inline)) AVX512 void pv_tile_512(float *c, const float *cg, const float *pg,
                                                                     const float *vj, size_t nj, size_t D,
                                                                     __mmask16 m0, __mmask16 m1) {
    __m512 a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, b;
#define LOAD2(r) a##r##0 = _mm512_mul_ps(_mm512_set1_ps(cg[r]), _mm512_maskz_loadu_ps(m0, c + r * D)); \
    a##r##1 = _mm512_mul_ps(_mm512_set1_ps(cg[r]), _mm512_maskz_loadu_ps(m1, c + r * D + 16));
    LOAD2(0) LOAD2(1) LOAD2(2) LOAD2(3) LOAD2(4) LOAD2(5)
#undef LOAD2
    for (size_t j = 0; j < nj; j++, vj += D) {
        __m512 v0 = _mm512_maskz_loadu_ps(m0, vj), v1 = _mm512_maskz_loadu_ps(m1, vj + 16);
#define FMA2(r) b = _mm512_set1_ps(pg[(r) * BK + j]); \
        a##r##0 = _mm512_fmadd_ps(b, v0, a##r##0); a##r##1 = _mm512_fmadd_ps(b, v1, a##r##1);
        FMA2(0) FMA2(1) FMA2(2) FMA2(3) FMA2(4) FMA2(5)
#undef FMA2
    }
#define STORE2(r) _mm512_mask_storeu_ps(c + r * D, m0, a##r##0); _mm512_mask_storeu_ps(c + r * D + 16, m1, a##r##1);
    STORE2(0) STORE2(1) STORE2(2) STORE2(3) STORE2(4) STORE2(5)
#undef STORE2
}

static AVX512 void pv_avx512(float *acc, const float *corr, const float *p, const float *v, size_t rows, size_t nk,
                             size_t D, int causal, long base) {
    for (size_t g = 0; g * RB < rows; g++) {
        size_t i = g * RB, nj = causal ? group_limit(base, g, nk) : nk;
        const float *pg = p + i * BK, *cg = corr + i;
        size_t d = 0;
        for (; d + 32 <= D; d += 32) pv_tile_512(acc + i * D + d, cg, pg, v + d, nj, D, 0xffff, 0xffff);
        if (d + 16 <= D) { // 16 more columns: the first half of a tile
            pv_tile_512(acc + i * D + d, cg, pg, v + d, nj, D, 0xffff, 0);
            d += 16;
        }
        for (; d < D; d++)
            for (size_t r = 0; r < RB; r++) {
                float a = cg[r] * acc[(i + r) * D + d];
                for (size_t j = 0; j < nj; j++) a += pg[r * BK + j] * v[j * D + d];
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

// exp_sum_avx2 with 16-lane exponentials: the sum still adds 8-lane halves in the AVX2
// kernel's order, so both give the same bits.
static AVX512 float exp_sum_avx512(float *s, size_t n, float m) {
    __m512 vm = _mm512_set1_ps(m);
    __m256 sum = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
        __m512 e = synpref_exp16(_mm512_sub_ps(_mm512_loadu_ps(s + j), vm));
        _mm512_storeu_ps(s + j, e);
        sum = _mm256_add_ps(sum, _mm512_castps512_ps256(e));
        sum = _mm256_add_ps(sum, _mm512_extractf32x8_ps(e, 1));
    }
    if (j + 8 <= n) {
        __m256 e = synpref_exp8(_mm256_sub_ps(_mm256_loadu_ps(s + j), _mm256_set1_ps(m)));
        _mm256_storeu_ps(s + j, e);
        sum = _mm256_add_ps(sum, e);
        j += 8;
    }
    float t = synpref_hsum8(sum);
    for (; j < n; j++) { s[j] = expf(s[j] - m); t += s[j]; }
    return t;
}

static AVX2 void scale_copy_avx2(float *dst, const float *src, float scale, size_t n) {
    __m256 vs = _mm256_set1_ps(scale);
    size_t d = 0;
    for (; d + 8 <= n; d += 8) _mm256_storeu_ps(dst + d, _mm256_mul_ps(vs, _mm256_loadu_ps(src + d)));
    for (; d < n; d++) dst[d] = src[d] * scale;
}
#endif

void synpref_attention_block(const float *q, size_t ldq, size_t q0, size_t nq,
                             const float *kp, const float *vp, size_t nk,
                             size_t D, float scale, int causal,
                             float *out, size_t ldo, float *lse, float *scratch) {
    if (nq == 0) return;
    if (nq > BQ) nq = BQ;
    int simd = 0, wide = 0;
#if SYNPREF_X86
    simd = synpref_use_avx2();
    wide = synpref_use_avx512();
#endif
    (void)wide;
    size_t rows = (nq + RB - 1) / RB * RB; // RB-row micro-kernels; rows past nq are zero
    float *qs = scratch;
    float *s = qs + (size_t)BQP * D;
    float *acc = s + (size_t)BQP * BK;
    float *m = acc + (size_t)BQP * D;
    float *l = m + BQP;
    float *cr = l + BQP;

    for (size_t i = 0; i < nq; i++) {
#if SYNPREF_X86
        if (simd) { scale_copy_avx2(qs + i * D, q + i * ldq, scale, D); continue; }
#endif
        for (size_t d = 0; d < D; d++) qs[i * D + d] = q[i * ldq + d] * scale;
    }
    memset(qs + nq * D, 0, (rows - nq) * D * sizeof(float));
    memset(acc, 0, rows * D * sizeof(float));
    for (size_t i = 0; i < rows; i++) { m[i] = -INFINITY; l[i] = 0; }

    size_t kend = nk;
    if (causal && q0 + nq < kend) kend = q0 + nq;
    for (size_t kb = 0; kb < kend; kb += BK) {
        size_t nkb = kend - kb < BK ? kend - kb : BK;
        const float *kblock = kp + kb * D, *vblock = vp + kb * D; // block kb / BK of both
        long base = (long)q0 - (long)kb; // row i sees keys j < base + i + 1 of this block
        // Columns past nkb (up to a multiple of 16) read the zero padding of the packed
        // block; their scores are discarded below.
        size_t ncols = (nkb + 15) & ~(size_t)15;
#if SYNPREF_X86
        if (wide) scores_avx512(s, qs, kblock, rows, ncols, D, causal, base);
        else if (simd) scores_avx2(s, qs, kblock, rows, ncols, D, causal, base);
        else
#endif
            scores_scalar(s, qs, kblock, nq, nkb, D);

        for (size_t i = 0; i < rows; i++) {
            float *si = s + i * BK;
            // Keys this row may see in the block: j < valid.
            size_t valid = nkb;
            if (i >= nq) valid = 0;
            else if (causal) {
                long lim = base + (long)i + 1;
                valid = lim <= 0 ? 0 : ((size_t)lim < nkb ? (size_t)lim : nkb);
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
            if (wide) sum = exp_sum_avx512(si, valid, mnew);
            else if (simd) sum = exp_sum_avx2(si, valid, mnew);
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
        if (wide) { pv_avx512(acc, cr, s, vblock, rows, nkb, D, causal, base); continue; }
        if (simd) { pv_avx2(acc, cr, s, vblock, rows, nkb, D, causal, base); continue; }
#endif
        pv_scalar(acc, cr, s, vblock, nq, nkb, D);
    }
    for (size_t i = 0; i < nq; i++) {
        float inv = l[i] > 0 ? 1.0f / l[i] : 0.0f;
        for (size_t d = 0; d < D; d++) out[i * ldo + d] = acc[i * D + d] * inv;
        if (lse) lse[i] = m[i] + logf(l[i]);
    }
}

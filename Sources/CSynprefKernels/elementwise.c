// Element-wise kernels: residual adds, biases, activations, exp, row softmax.
#include "synpref_kernels.h"
#include "internal.h"

#if SYNPREF_X86
static AVX2 void add_inplace_avx2(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    for (; i < n; i++) y[i] += x[i];
}

static AVX2 void silu_mul_avx2(float *out, const float *gate, const float *up, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 neg = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 e = synpref_exp8(_mm256_xor_ps(g, neg));
        __m256 s = _mm256_div_ps(g, _mm256_add_ps(one, e));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(s, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) out[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

static AVX2 void exp_avx2(float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, synpref_exp8(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) x[i] = expf(x[i]);
}

static AVX2 void softmax_row_avx2(float *x, size_t n) {
    __m256 vm = _mm256_set1_ps(-INFINITY);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(x + i));
    float m = synpref_hmax8(vm);
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    __m256 vmax = _mm256_set1_ps(m), vs = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 e = synpref_exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        vs = _mm256_add_ps(vs, e);
        _mm256_storeu_ps(x + i, e);
    }
    float s = synpref_hsum8(vs);
    for (; i < n; i++) { x[i] = expf(x[i] - m); s += x[i]; }
    __m256 inv = _mm256_set1_ps(1.0f / s);
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (; i < n; i++) x[i] *= 1.0f / s;
}
#endif

void synpref_add_inplace(float *y, const float *x, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { add_inplace_avx2(y, x, n); return; }
#endif
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

void synpref_add_bias(float *out, size_t ld, const float *bias, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) synpref_add_inplace(out + r * ld, bias, cols);
}

void synpref_silu_mul(float *out, const float *gate, const float *up, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { silu_mul_avx2(out, gate, up, n); return; }
#endif
    for (size_t i = 0; i < n; i++) out[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

#if SYNPREF_X86
// gelu(x) = x Φ(x), Φ(x) = 1 − erfc(z)/2 for x ≥ 0 and erfc(z)/2 below, z = |x|/√2, with
// erfc(z) ≈ t·P(t)·exp(−z²), t = 1/(1 + p z) (Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7;
// PyTorch's vectorised erf uses the same formula). Taking erfc directly keeps the
// negative tail free of the cancellation in 1 + erf(x/√2).
static AVX2 void gelu_erf_avx2(float *x, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f), half = _mm256_set1_ps(0.5f), absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 rsqrt2 = _mm256_set1_ps(0.70710678118654752f), p = _mm256_set1_ps(0.3275911f);
    const __m256 a1 = _mm256_set1_ps(0.254829592f), a2 = _mm256_set1_ps(-0.284496736f), a3 = _mm256_set1_ps(1.421413741f);
    const __m256 a4 = _mm256_set1_ps(-1.453152027f), a5 = _mm256_set1_ps(1.061405429f), zero = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 z = _mm256_mul_ps(_mm256_and_ps(v, absmask), rsqrt2);
        __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(p, z, one));
        __m256 poly = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(a5, t, a4), t, a3), t, a2), t, a1);
        __m256 erfc = _mm256_mul_ps(_mm256_mul_ps(poly, t), synpref_exp8(_mm256_sub_ps(zero, _mm256_mul_ps(z, z))));
        __m256 tail = _mm256_mul_ps(half, erfc);
        __m256 cdf = _mm256_blendv_ps(_mm256_sub_ps(one, tail), tail, _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
        _mm256_storeu_ps(x + i, _mm256_mul_ps(v, cdf));
    }
    for (; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

// The same formula on 16 lanes (the same operations per element, so the same bits).
static AVX512 void gelu_erf_avx512(float *x, size_t n) {
    const __m512 one = _mm512_set1_ps(1.0f), half = _mm512_set1_ps(0.5f), absmask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    const __m512 rsqrt2 = _mm512_set1_ps(0.70710678118654752f), p = _mm512_set1_ps(0.3275911f);
    const __m512 a1 = _mm512_set1_ps(0.254829592f), a2 = _mm512_set1_ps(-0.284496736f), a3 = _mm512_set1_ps(1.421413741f);
    const __m512 a4 = _mm512_set1_ps(-1.453152027f), a5 = _mm512_set1_ps(1.061405429f), zero = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        __m512 z = _mm512_mul_ps(_mm512_and_ps(v, absmask), rsqrt2);
        __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(p, z, one));
        __m512 poly = _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_fmadd_ps(a5, t, a4), t, a3), t, a2), t, a1);
        __m512 erfc = _mm512_mul_ps(_mm512_mul_ps(poly, t), synpref_exp16(_mm512_sub_ps(zero, _mm512_mul_ps(z, z))));
        __m512 tail = _mm512_mul_ps(half, erfc);
        __m512 cdf = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ), _mm512_sub_ps(one, tail), tail);
        _mm512_storeu_ps(x + i, _mm512_mul_ps(v, cdf));
    }
    gelu_erf_avx2(x + i, n - i);
}
#endif

void synpref_gelu_erf(float *x, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx512()) { gelu_erf_avx512(x, n); return; }
    if (synpref_use_avx2()) { gelu_erf_avx2(x, n); return; }
#endif
    for (size_t i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

void synpref_tanh(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = tanhf(x[i]);
}

void synpref_exp(float *x, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { exp_avx2(x, n); return; }
#endif
    for (size_t i = 0; i < n; i++) x[i] = expf(x[i]);
}

void synpref_softmax_rows(float *x, size_t ld, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * ld;
#if SYNPREF_X86
        if (synpref_use_avx2()) { softmax_row_avx2(row, cols); continue; }
#endif
        float m = -INFINITY, s = 0;
        for (size_t i = 0; i < cols; i++) m = row[i] > m ? row[i] : m;
        for (size_t i = 0; i < cols; i++) { row[i] = expf(row[i] - m); s += row[i]; }
        for (size_t i = 0; i < cols; i++) row[i] *= 1.0f / s;
    }
}

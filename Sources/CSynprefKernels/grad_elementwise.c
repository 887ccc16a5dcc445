// Backward of the element-wise kernels (forward in elementwise.c), bias and embedding
// gradients, and the reductions gradient clipping needs.
#include "synpref_grad_kernels.h"
#include "internal.h"

#if SYNPREF_X86
static AVX2 void silu_mul_backward_avx2(float *dgate, float *dup, const float *dout,
                                        const float *gate, const float *up, size_t n) {
    const __m256 one = _mm256_set1_ps(1.0f), neg = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i), u = _mm256_loadu_ps(up + i), dy = _mm256_loadu_ps(dout + i);
        __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, synpref_exp8(_mm256_xor_ps(g, neg))));
        __m256 silu = _mm256_mul_ps(g, s);
        // d silu/dg = s (1 + g (1 - s))
        __m256 ds = _mm256_mul_ps(s, _mm256_fmadd_ps(g, _mm256_sub_ps(one, s), one));
        _mm256_storeu_ps(dgate + i, _mm256_mul_ps(_mm256_mul_ps(dy, u), ds));
        _mm256_storeu_ps(dup + i, _mm256_mul_ps(dy, silu));
    }
    for (; i < n; i++) {
        float g = gate[i], u = up[i], dy = dout[i];
        float s = 1.0f / (1.0f + expf(-g));
        dgate[i] = dy * u * (s * (1.0f + g * (1.0f - s)));
        dup[i] = dy * (g * s);
    }
}

// dx = dout * (y/x + x * exp(-x^2/2) / sqrt(2 pi)), y/x replaced by 0.5 where x == 0.
static AVX2 void gelu_backward_from_output_avx2(float *dx, const float *dout, const float *x,
                                                const float *y, size_t n) {
    const __m256 half = _mm256_set1_ps(0.5f), mhalf = _mm256_set1_ps(-0.5f);
    const __m256 inv_sqrt_2pi = _mm256_set1_ps(0.39894228040143268f), zero = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vx = _mm256_loadu_ps(x + i), vy = _mm256_loadu_ps(y + i);
        __m256 is_zero = _mm256_cmp_ps(vx, zero, _CMP_EQ_OQ);
        __m256 cdf = _mm256_blendv_ps(_mm256_div_ps(vy, vx), half, is_zero);
        __m256 pdf = _mm256_mul_ps(synpref_exp8(_mm256_mul_ps(mhalf, _mm256_mul_ps(vx, vx))), inv_sqrt_2pi);
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dout + i), _mm256_fmadd_ps(vx, pdf, cdf)));
    }
    for (; i < n; i++) {
        float v = x[i], cdf = v == 0.0f ? 0.5f : y[i] / v;
        dx[i] = dout[i] * (cdf + v * (expf(-0.5f * v * v) * 0.39894228040143268f));
    }
}

static AVX2 double sum_squares_avx2(const float *x, size_t n) {
    // f32 lanes over short stretches, folded into a double every 1024 values.
    double total = 0;
    size_t i = 0;
    while (i < n) {
        size_t end = n - i > 1024 ? i + 1024 : n;
        __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
        for (; i + 16 <= end; i += 16) {
            __m256 u = _mm256_loadu_ps(x + i), v = _mm256_loadu_ps(x + i + 8);
            a = _mm256_fmadd_ps(u, u, a);
            b = _mm256_fmadd_ps(v, v, b);
        }
        total += synpref_hsum8(_mm256_add_ps(a, b));
        for (; i < end; i++) total += (double)x[i] * x[i];
    }
    return total;
}

static AVX2 void scale_avx2(float *x, size_t n, float s) {
    __m256 vs = _mm256_set1_ps(s);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vs));
    for (; i < n; i++) x[i] *= s;
}

static AVX2 void add_avx2(float *y, const float *x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    for (; i < n; i++) y[i] += x[i];
}
#endif

static void add_rows(float *y, const float *x, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { add_avx2(y, x, n); return; }
#endif
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

void synpref_silu_mul_backward(float *dgate, float *dup, const float *dout,
                               const float *gate, const float *up, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { silu_mul_backward_avx2(dgate, dup, dout, gate, up, n); return; }
#endif
    for (size_t i = 0; i < n; i++) {
        float g = gate[i], u = up[i], dy = dout[i];
        float s = 1.0f / (1.0f + expf(-g));
        dgate[i] = dy * u * (s * (1.0f + g * (1.0f - s)));
        dup[i] = dy * (g * s);
    }
}

void synpref_gelu_erf_backward(float *dx, const float *dout, const float *x, size_t n) {
    // gelu(x) = x Phi(x):  gelu'(x) = Phi(x) + x phi(x),  phi(x) = exp(-x^2/2) / sqrt(2 pi)
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + erff(v * 0.70710678118654752f));
        float pdf = expf(-0.5f * v * v) * 0.39894228040143268f;
        dx[i] = dout[i] * (cdf + v * pdf);
    }
}

void synpref_gelu_erf_backward_from_output(float *dx, const float *dout, const float *x,
                                           const float *y, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { gelu_backward_from_output_avx2(dx, dout, x, y, n); return; }
#endif
    for (size_t i = 0; i < n; i++) {
        float v = x[i], cdf = v == 0.0f ? 0.5f : y[i] / v;
        dx[i] = dout[i] * (cdf + v * (expf(-0.5f * v * v) * 0.39894228040143268f));
    }
}

void synpref_tanh_backward(float *dx, const float *dout, const float *y, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = dout[i] * (1.0f - y[i] * y[i]);
}

void synpref_colsum_accumulate(float *dbias, const float *dout, size_t ldo, size_t rows,
                               size_t cols) {
    for (size_t r = 0; r < rows; r++) add_rows(dbias, dout + r * ldo, cols);
}

void synpref_embedding_backward(float *dtable, size_t dim, const float *dout, size_t ldo,
                                const int32_t *ids, size_t rows, size_t c0, size_t c1) {
    if (c1 <= c0) return;
    for (size_t r = 0; r < rows; r++)
        add_rows(dtable + (size_t)ids[r] * dim + c0, dout + r * ldo + c0, c1 - c0);
}

double synpref_sum_squares(const float *x, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx2()) return sum_squares_avx2(x, n);
#endif
    double t = 0;
    for (size_t i = 0; i < n; i++) t += (double)x[i] * x[i];
    return t;
}

void synpref_scale(float *x, size_t n, float s) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { scale_avx2(x, n, s); return; }
#endif
    for (size_t i = 0; i < n; i++) x[i] *= s;
}

// RMSNorm (Llama, Qwen3) and LayerNorm (BERT), one row at a time, statistics in f32 like
// transformers computes them for f32 activations.
#include "synpref_kernels.h"
#include "internal.h"

#if SYNPREF_X86
static AVX2 float sumsq_avx2(const float *x, size_t n) {
    __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 u = _mm256_loadu_ps(x + i), v = _mm256_loadu_ps(x + i + 8);
        a = _mm256_fmadd_ps(u, u, a);
        b = _mm256_fmadd_ps(v, v, b);
    }
    float s = synpref_hsum8(_mm256_add_ps(a, b));
    for (; i < n; i++) s += x[i] * x[i];
    return s;
}

static AVX2 void scale_mul_avx2(float *out, const float *x, const float *w, float r, size_t n) {
    __m256 vr = _mm256_set1_ps(r);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(w + i),
                                                _mm256_mul_ps(_mm256_loadu_ps(x + i), vr)));
    for (; i < n; i++) out[i] = w[i] * (x[i] * r);
}

static AVX2 void layernorm_stats_avx2(const float *x, size_t dim, float eps, float *mean_out, float *rstd_out) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + 8 <= dim; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    }
    double mean = synpref_hsum4d(s0, s1);
    for (; i < dim; i++) mean += x[i];
    float m = (float)(mean / (double)dim);
    __m256 vm = _mm256_set1_ps(m);
    s0 = _mm256_setzero_pd(); s1 = _mm256_setzero_pd();
    for (i = 0; i + 8 <= dim; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), vm);
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(d)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(d, 1));
        s0 = _mm256_fmadd_pd(lo, lo, s0);
        s1 = _mm256_fmadd_pd(hi, hi, s1);
    }
    double var = synpref_hsum4d(s0, s1);
    for (; i < dim; i++) { float d = x[i] - m; var += (double)d * d; }
    *mean_out = m;
    *rstd_out = 1.0f / sqrtf((float)(var / (double)dim) + eps);
}

// out = ((x - m) · rs) · w + b, as the scalar loop computes it.
static AVX2 void layernorm_apply_avx2(float *o, const float *x, const float *w, const float *b, size_t dim, float m, float rs) {
    __m256 vm = _mm256_set1_ps(m), vr = _mm256_set1_ps(rs);
    size_t i = 0;
    for (; i + 8 <= dim; i += 8) {
        __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vr);
        _mm256_storeu_ps(o + i, _mm256_add_ps(_mm256_mul_ps(d, _mm256_loadu_ps(w + i)), _mm256_loadu_ps(b + i)));
    }
    for (; i < dim; i++) o[i] = (x[i] - m) * rs * w[i] + b[i];
}
#endif

void synpref_rmsnorm(float *out, size_t ldo, const float *inp, size_t ldi,
                     const float *weight, size_t rows, size_t dim, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *x = inp + r * ldi;
        float *o = out + r * ldo;
#if SYNPREF_X86
        if (synpref_use_avx2()) {
            float rs = 1.0f / sqrtf(sumsq_avx2(x, dim) / (float)dim + eps);
            scale_mul_avx2(o, x, weight, rs, dim);
            continue;
        }
#endif
        float s = 0;
        for (size_t i = 0; i < dim; i++) s += x[i] * x[i];
        float rs = 1.0f / sqrtf(s / (float)dim + eps);
        for (size_t i = 0; i < dim; i++) o[i] = weight[i] * (x[i] * rs);
    }
}

void synpref_layernorm_stats(const float *x, size_t dim, float eps, float *mean, float *rstd) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { layernorm_stats_avx2(x, dim, eps, mean, rstd); return; }
#endif
    // Two passes (mean, then centred variance) keep the variance accurate.
    double sum = 0;
    for (size_t i = 0; i < dim; i++) sum += x[i];
    float m = (float)(sum / (double)dim);
    double var = 0;
    for (size_t i = 0; i < dim; i++) { float d = x[i] - m; var += (double)d * d; }
    *mean = m;
    *rstd = 1.0f / sqrtf((float)(var / (double)dim) + eps);
}

void synpref_layernorm(float *out, size_t ldo, const float *inp, size_t ldi,
                       const float *weight, const float *bias, size_t rows, size_t dim,
                       float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *x = inp + r * ldi;
        float *o = out + r * ldo;
        float m, rs;
        synpref_layernorm_stats(x, dim, eps, &m, &rs);
#if SYNPREF_X86
        if (synpref_use_avx2()) { layernorm_apply_avx2(o, x, weight, bias, dim, m, rs); continue; }
#endif
        for (size_t i = 0; i < dim; i++) o[i] = (x[i] - m) * rs * weight[i] + bias[i];
    }
}

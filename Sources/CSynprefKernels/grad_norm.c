// Backward of RMSNorm and LayerNorm (forward in norm.c). Statistics are recomputed from
// the saved input row (two floats per row are cheaper to recompute than to store).
#include "synpref_grad_kernels.h"
#include "internal.h"

#if SYNPREF_X86
// Returns (sum x^2, sum w*dy*x) over n.
static AVX2 void rms_sums_avx2(const float *x, const float *dy, const float *w, size_t n,
                               float *ssq, float *sdot) {
    __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vx = _mm256_loadu_ps(x + i);
        a = _mm256_fmadd_ps(vx, vx, a);
        b = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(dy + i)), vx, b);
    }
    float s = synpref_hsum8(a), t = synpref_hsum8(b);
    for (; i < n; i++) { s += x[i] * x[i]; t += w[i] * dy[i] * x[i]; }
    *ssq = s;
    *sdot = t;
}

// dx += r*w*dy - c*x;  dw += dy*x*r
static AVX2 void rms_apply_avx2(float *dx, float *dw, const float *x, const float *dy,
                                const float *w, float r, float c, size_t n) {
    __m256 vr = _mm256_set1_ps(r), vc = _mm256_set1_ps(c);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vx = _mm256_loadu_ps(x + i), vdy = _mm256_loadu_ps(dy + i);
        __m256 g = _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(w + i), vdy), vr);
        _mm256_storeu_ps(dx + i, _mm256_add_ps(_mm256_loadu_ps(dx + i), _mm256_fnmadd_ps(vc, vx, g)));
        if (dw) _mm256_storeu_ps(dw + i, _mm256_fmadd_ps(vdy, _mm256_mul_ps(vx, vr), _mm256_loadu_ps(dw + i)));
    }
    for (; i < n; i++) {
        dx[i] += w[i] * dy[i] * r - c * x[i];
        if (dw) dw[i] += dy[i] * (x[i] * r);
    }
}
#endif

void synpref_rmsnorm_backward(float *dinp, size_t ldd, float *dweight,
                              const float *dout, size_t ldo, const float *inp, size_t ldi,
                              const float *weight, size_t rows, size_t dim, float eps) {
    for (size_t row = 0; row < rows; row++) {
        const float *x = inp + row * ldi, *dy = dout + row * ldo;
        float *dx = dinp + row * ldd;
        float ssq, sdot;
#if SYNPREF_X86
        if (synpref_use_avx2()) {
            rms_sums_avx2(x, dy, weight, dim, &ssq, &sdot);
        } else
#endif
        {
            ssq = 0;
            sdot = 0;
            for (size_t i = 0; i < dim; i++) { ssq += x[i] * x[i]; sdot += weight[i] * dy[i] * x[i]; }
        }
        float r = 1.0f / sqrtf(ssq / (float)dim + eps);
        // d/dx_i of sum_j g_j x_j r  =  g_i r - x_i r^3 / dim * sum_j g_j x_j
        float c = r * r * r * sdot / (float)dim;
#if SYNPREF_X86
        if (synpref_use_avx2()) { rms_apply_avx2(dx, dweight, x, dy, weight, r, c, dim); continue; }
#endif
        for (size_t i = 0; i < dim; i++) {
            dx[i] += weight[i] * dy[i] * r - c * x[i];
            if (dweight) dweight[i] += dy[i] * (x[i] * r);
        }
    }
}

void synpref_layernorm_backward(float *dinp, size_t ldd, float *dweight, float *dbias,
                                const float *dout, size_t ldo, const float *inp, size_t ldi,
                                const float *weight, size_t rows, size_t dim, float eps) {
    for (size_t row = 0; row < rows; row++) {
        const float *x = inp + row * ldi, *dy = dout + row * ldo;
        float *dx = dinp + row * ldd;
        // Same statistics as the forward (two passes, double accumulators).
        double mean = 0;
        for (size_t i = 0; i < dim; i++) mean += x[i];
        float m = (float)(mean / (double)dim);
        double var = 0;
        for (size_t i = 0; i < dim; i++) { float d = x[i] - m; var += (double)d * d; }
        float r = 1.0f / sqrtf((float)(var / (double)dim) + eps);
        double sg = 0, sgx = 0;
        for (size_t i = 0; i < dim; i++) {
            float xhat = (x[i] - m) * r, g = dy[i] * weight[i];
            sg += g;
            sgx += (double)g * xhat;
        }
        float mg = (float)(sg / (double)dim), mgx = (float)(sgx / (double)dim);
        for (size_t i = 0; i < dim; i++) {
            float xhat = (x[i] - m) * r, g = dy[i] * weight[i];
            dx[i] += r * (g - mg - xhat * mgx);
            if (dweight) dweight[i] += dy[i] * xhat;
            if (dbias) dbias[i] += dy[i];
        }
    }
}

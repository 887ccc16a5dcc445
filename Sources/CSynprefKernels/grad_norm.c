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

#if SYNPREF_X86
// sum g and sum g·xhat (in double) over the row, g = dy·w, xhat = (x - m)·r.
static AVX2 void ln_sums_avx2(const float *x, const float *dy, const float *w, size_t n, float m, float r,
                              double *sg_out, double *sgx_out) {
    __m256 vm = _mm256_set1_ps(m), vr = _mm256_set1_ps(r);
    __m256d g0 = _mm256_setzero_pd(), g1 = g0, h0 = g0, h1 = g0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vr);
        __m256 g = _mm256_mul_ps(_mm256_loadu_ps(dy + i), _mm256_loadu_ps(w + i));
        __m256d glo = _mm256_cvtps_pd(_mm256_castps256_ps128(g)), ghi = _mm256_cvtps_pd(_mm256_extractf128_ps(g, 1));
        g0 = _mm256_add_pd(g0, glo);
        g1 = _mm256_add_pd(g1, ghi);
        h0 = _mm256_fmadd_pd(glo, _mm256_cvtps_pd(_mm256_castps256_ps128(xhat)), h0);
        h1 = _mm256_fmadd_pd(ghi, _mm256_cvtps_pd(_mm256_extractf128_ps(xhat, 1)), h1);
    }
    double sg = synpref_hsum4d(g0, g1), sgx = synpref_hsum4d(h0, h1);
    for (; i < n; i++) {
        float xhat = (x[i] - m) * r, g = dy[i] * w[i];
        sg += g;
        sgx += (double)g * xhat;
    }
    *sg_out = sg;
    *sgx_out = sgx;
}

// dx += r (g - mg - xhat·mgx);  dw += dy·xhat;  db += dy
static AVX2 void ln_apply_avx2(float *dx, float *dw, float *db, const float *x, const float *dy, const float *w,
                               size_t n, float m, float r, float mg, float mgx) {
    __m256 vm = _mm256_set1_ps(m), vr = _mm256_set1_ps(r), vmg = _mm256_set1_ps(mg), vmgx = _mm256_set1_ps(mgx);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vdy = _mm256_loadu_ps(dy + i);
        __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vr);
        __m256 g = _mm256_mul_ps(vdy, _mm256_loadu_ps(w + i));
        __m256 t = _mm256_sub_ps(_mm256_sub_ps(g, vmg), _mm256_mul_ps(xhat, vmgx));
        _mm256_storeu_ps(dx + i, _mm256_add_ps(_mm256_loadu_ps(dx + i), _mm256_mul_ps(vr, t)));
        if (dw) _mm256_storeu_ps(dw + i, _mm256_add_ps(_mm256_loadu_ps(dw + i), _mm256_mul_ps(vdy, xhat)));
        if (db) _mm256_storeu_ps(db + i, _mm256_add_ps(_mm256_loadu_ps(db + i), vdy));
    }
    for (; i < n; i++) {
        float xhat = (x[i] - m) * r, g = dy[i] * w[i];
        dx[i] += r * (g - mg - xhat * mgx);
        if (dw) dw[i] += dy[i] * xhat;
        if (db) db[i] += dy[i];
    }
}
#endif

void synpref_layernorm_backward(float *dinp, size_t ldd, float *dweight, float *dbias,
                                const float *dout, size_t ldo, const float *inp, size_t ldi,
                                const float *weight, size_t rows, size_t dim, float eps) {
    for (size_t row = 0; row < rows; row++) {
        const float *x = inp + row * ldi, *dy = dout + row * ldo;
        float *dx = dinp + row * ldd;
        float m, r; // the forward's statistics, recomputed by the same function
        synpref_layernorm_stats(x, dim, eps, &m, &r);
        double sg = 0, sgx = 0;
#if SYNPREF_X86
        if (synpref_use_avx2()) {
            ln_sums_avx2(x, dy, weight, dim, m, r, &sg, &sgx);
            ln_apply_avx2(dx, dweight, dbias, x, dy, weight, dim, m, r, (float)(sg / (double)dim), (float)(sgx / (double)dim));
            continue;
        }
#endif
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

#include "synpref_kernels.h"
#include "internal.h"
#include <stdlib.h>
#include <string.h>

// One output element at a time, its k products summed in double: slow (no blocking, no
// SIMD) but simple enough to be obviously right, and accurate to ~1 ulp of the f32 result.
void synpref_sgemm_plain(int transA, int transB, size_t m, size_t n, size_t k, float alpha,
                         const float *a, size_t lda, const float *b, size_t ldb,
                         float beta, float *c, size_t ldc) {
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t p = 0; p < k; p++) {
                double av = transA ? a[p * lda + i] : a[i * lda + p];
                double bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                s += av * bv;
            }
            float prior = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
            c[i * ldc + j] = (float)(alpha * s) + prior;
        }
    }
}

#if SYNPREF_X86
// c[n] += a * b[n]
static AVX2 void axpy_avx2(float *c, const float *b, float a, size_t n) {
    __m256 av = _mm256_set1_ps(a);
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(c + j, _mm256_fmadd_ps(av, _mm256_loadu_ps(b + j), _mm256_loadu_ps(c + j)));
    for (; j < n; j++) c[j] += a * b[j];
}
#endif

static void axpy(float *c, const float *b, float a, size_t n) {
#if SYNPREF_X86
    if (synpref_use_avx2()) { axpy_avx2(c, b, a, n); return; }
#endif
    for (size_t j = 0; j < n; j++) c[j] += a * b[j];
}

// Row-major copy of op(X) as [rows][cols] (X is [cols][rows] when trans).
static float *packed(const float *x, size_t ld, int trans, size_t rows, size_t cols) {
    float *p = malloc(rows * cols * sizeof(float) + 1);
    if (!p) return NULL;
    for (size_t r = 0; r < rows; r++)
        for (size_t q = 0; q < cols; q++) p[r * cols + q] = trans ? x[q * ld + r] : x[r * ld + q];
    return p;
}

void synpref_sgemm_fallback(int transA, int transB, size_t m, size_t n, size_t k, float alpha,
                            const float *a, size_t lda, const float *b, size_t ldb,
                            float beta, float *c, size_t ldc) {
    float *ap = NULL, *bp = NULL;
    if (transA) { ap = packed(a, lda, 1, m, k); a = ap; lda = k; }
    if (transB) { bp = packed(b, ldb, 1, k, n); b = bp; ldb = n; }
    if ((transA && !ap) || (transB && !bp)) {  // out of memory: the unblocked loops need none
        free(ap); free(bp);
        synpref_sgemm_plain(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        if (beta == 0.0f) memset(ci, 0, n * sizeof(float));
        else if (beta != 1.0f) for (size_t j = 0; j < n; j++) ci[j] *= beta;
    }
    const size_t kb = 256;  // a block of B's rows stays in L2 while every row of C uses it
    for (size_t p0 = 0; p0 < k; p0 += kb) {
        size_t p1 = p0 + kb < k ? p0 + kb : k;
        for (size_t i = 0; i < m; i++)
            for (size_t p = p0; p < p1; p++) axpy(c + i * ldc, b + p * ldb, alpha * a[i * lda + p], n);
    }
    free(ap);
    free(bp);
}

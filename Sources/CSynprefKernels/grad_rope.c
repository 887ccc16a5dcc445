// Backward of the rotary embedding (forward in rope.c): rotation by the opposite angle.
#include "synpref_grad_kernels.h"
#include "internal.h"

#if SYNPREF_X86
static AVX2 void rope_back_head_avx2(float *x, const float *c, const float *s, size_t half) {
    size_t i = 0;
    for (; i + 8 <= half; i += 8) {
        __m256 x1 = _mm256_loadu_ps(x + i), x2 = _mm256_loadu_ps(x + half + i);
        __m256 vc = _mm256_loadu_ps(c + i), vs = _mm256_loadu_ps(s + i);
        _mm256_storeu_ps(x + i, _mm256_add_ps(_mm256_mul_ps(x1, vc), _mm256_mul_ps(x2, vs)));
        _mm256_storeu_ps(x + half + i, _mm256_sub_ps(_mm256_mul_ps(x2, vc), _mm256_mul_ps(x1, vs)));
    }
    for (; i < half; i++) {
        float x1 = x[i], x2 = x[half + i];
        x[i] = x1 * c[i] + x2 * s[i];
        x[half + i] = x2 * c[i] - x1 * s[i];
    }
}
#endif

void synpref_rope_backward(float *dx, size_t ld, size_t rows, size_t heads, size_t head_dim,
                           const float *cos_table, const float *sin_table) {
    size_t half = head_dim / 2;
    for (size_t r = 0; r < rows; r++) {
        const float *c = cos_table + r * half, *s = sin_table + r * half;
        for (size_t h = 0; h < heads; h++) {
            float *xh = dx + r * ld + h * head_dim;
#if SYNPREF_X86
            if (synpref_use_avx2()) { rope_back_head_avx2(xh, c, s, half); continue; }
#endif
            for (size_t i = 0; i < half; i++) {
                float x1 = xh[i], x2 = xh[half + i];
                xh[i] = x1 * c[i] + x2 * s[i];
                xh[half + i] = x2 * c[i] - x1 * s[i];
            }
        }
    }
}

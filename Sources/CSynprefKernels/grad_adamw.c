// AdamW parameter update in torch.optim.AdamW's order of f32 operations (CPU,
// single-tensor path): the lerp of the first moment is a fused multiply-add as in
// ATen's vectorised lerp; addcmul / addcdiv multiply the scalar first, as ATen does.
#include "synpref_grad_kernels.h"
#include "internal.h"

// No contraction of a*b+c into fma: torch rounds each product separately here.
#pragma STDC FP_CONTRACT OFF

#if SYNPREF_X86
static AVX2 void adamw_avx2(float *p, float *m, float *v, const float *g, size_t n, float decay,
                            float w1, float beta2, float w2, float neg_step, float bc2_sqrt,
                            float eps) {
    __m256 vdecay = _mm256_set1_ps(decay), vw1 = _mm256_set1_ps(w1), vb2 = _mm256_set1_ps(beta2);
    __m256 vw2 = _mm256_set1_ps(w2), vstep = _mm256_set1_ps(neg_step);
    __m256 vbc = _mm256_set1_ps(bc2_sqrt), veps = _mm256_set1_ps(eps);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 pi = _mm256_loadu_ps(p + i), gi = _mm256_loadu_ps(g + i);
        __m256 mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i);
        if (decay != 1.0f) pi = _mm256_mul_ps(pi, vdecay);
        mi = _mm256_fmadd_ps(vw1, _mm256_sub_ps(gi, mi), mi);
        vi = _mm256_add_ps(_mm256_mul_ps(vi, vb2), _mm256_mul_ps(_mm256_mul_ps(vw2, gi), gi));
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), vbc), veps);
        pi = _mm256_add_ps(pi, _mm256_div_ps(_mm256_mul_ps(vstep, mi), denom));
        _mm256_storeu_ps(p + i, pi);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
    }
    for (; i < n; i++) {
        float pi = p[i], gi = g[i];
        if (decay != 1.0f) pi *= decay;
        float mi = fmaf(w1, gi - m[i], m[i]);
        float vi = v[i] * beta2 + (w2 * gi) * gi;
        float denom = sqrtf(vi) / bc2_sqrt + eps;
        p[i] = pi + (neg_step * mi) / denom;
        m[i] = mi;
        v[i] = vi;
    }
}
#endif

void synpref_adamw_update(float *p, float *m, float *v, const float *g, size_t n,
                          float decay, float one_minus_beta1, float beta2,
                          float one_minus_beta2, float neg_step_size, float bc2_sqrt,
                          float eps) {
#if SYNPREF_X86
    if (synpref_use_avx2()) {
        adamw_avx2(p, m, v, g, n, decay, one_minus_beta1, beta2, one_minus_beta2, neg_step_size,
                   bc2_sqrt, eps);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++) {
        float pi = p[i], gi = g[i];
        if (decay != 1.0f) pi *= decay;
        float mi = fmaf(one_minus_beta1, gi - m[i], m[i]);
        float vi = v[i] * beta2 + (one_minus_beta2 * gi) * gi;
        float denom = sqrtf(vi) / bc2_sqrt + eps;
        p[i] = pi + (neg_step_size * mi) / denom;
        m[i] = mi;
        v[i] = vi;
    }
}

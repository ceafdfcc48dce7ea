// A vectorised e^x for the AVX-512 kernels (softmax, SiLU).
#ifndef ZOO_VECTOR_EXP_H
#define ZOO_VECTOR_EXP_H

#include "cpu_features.h"
#if ZOO_X86

// e^x for x ≤ 88.7 (Cephes' expf: x = n·ln 2 + r, |r| ≤ ln 2 / 2, a degree-7 polynomial), within
// 2 ulp; below −87.3 the result is 0.
__attribute__((target("avx512f"))) static inline __m512 exp_avx512(__m512 x) {
    x = _mm512_min_ps(x, _mm512_set1_ps(88.7f));
    __mmask16 tiny = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.3f), _CMP_LT_OQ);
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512 result = _mm512_scalef_ps(p, n);
    return _mm512_mask_mov_ps(result, tiny, _mm512_setzero_ps());
}

#endif

#endif

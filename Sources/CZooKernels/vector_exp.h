// The vectorised e^x of the SIMD kernels (softmax, SiLU): its constants, which every instruction set uses
// (neon_vector.c too), and the AVX-512 and AVX2 versions.
#ifndef ZOO_VECTOR_EXP_H
#define ZOO_VECTOR_EXP_H

#include "cpu_features.h"

// Cephes' expf: x = n·ln 2 + r, |r| ≤ ln 2 / 2, with ln 2 in two parts (the first exact in a float, so
// n·ln2_hi is exact) and e^r a degree-7 polynomial, within 2 ulp. Inputs are clamped at ZOO_EXP_MAX;
// below ZOO_EXP_MIN the result is 0.
#define ZOO_EXP_MAX 88.7f
#define ZOO_EXP_MIN (-87.3f)
#define ZOO_EXP_LOG2E 1.44269504088896341f
#define ZOO_EXP_LN2_HI 0.693359375f
#define ZOO_EXP_LN2_LO (-2.12194440e-4f)

/// The polynomial's coefficients, highest degree first, for Horner's rule: p = c0; p = p·r + cᵢ; then
/// e^r ≈ p·r² + (r + 1).
static const float zoo_exp_coefficients[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                              4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

#if ZOO_X86

// e^x (see above) in sixteen lanes; scalef applies 2^n with one rounding.
__attribute__((target("avx512f"))) static inline __m512 exp_avx512(__m512 x) {
    x = _mm512_min_ps(x, _mm512_set1_ps(ZOO_EXP_MAX));
    __mmask16 tiny = _mm512_cmp_ps_mask(x, _mm512_set1_ps(ZOO_EXP_MIN), _CMP_LT_OQ);
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(ZOO_EXP_LOG2E)), _MM_FROUND_TO_NEAREST_INT);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(ZOO_EXP_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(ZOO_EXP_LN2_LO), r);
    __m512 p = _mm512_set1_ps(zoo_exp_coefficients[0]);
    for (int i = 1; i < 6; i++) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(zoo_exp_coefficients[i]));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512 result = _mm512_scalef_ps(p, n);
    return _mm512_mask_mov_ps(result, tiny, _mm512_setzero_ps());
}

// The same e^x in eight lanes. AVX2 has no scalef, so 2^n is applied as two exact powers of two
// (n split in halves, each within the normal range): one rounding, as scalef has.
__attribute__((target("avx2,fma"))) static inline __m256 exp_avx2(__m256 x) {
    x = _mm256_min_ps(x, _mm256_set1_ps(ZOO_EXP_MAX));
    __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(ZOO_EXP_MIN), _CMP_LT_OQ);
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(ZOO_EXP_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(ZOO_EXP_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(ZOO_EXP_LN2_LO), r);
    __m256 p = _mm256_set1_ps(zoo_exp_coefficients[0]);
    for (int i = 1; i < 6; i++) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(zoo_exp_coefficients[i]));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i k = _mm256_cvtps_epi32(n);
    __m256i k1 = _mm256_srai_epi32(k, 1), k2 = _mm256_sub_epi32(k, k1);
    __m256 pow1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, _mm256_set1_epi32(127)), 23));
    __m256 pow2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, _mm256_set1_epi32(127)), 23));
    __m256 result = _mm256_mul_ps(_mm256_mul_ps(p, pow1), pow2);
    return _mm256_andnot_ps(tiny, result);
}

#endif

#endif

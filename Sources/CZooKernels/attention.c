// Causal attention for one query token and one KV head (with the query heads that share it, GQA):
// scores q·k for every visible key, softmax, then the weighted sum of the values. With AVX-512 the
// scores of 16 keys are summed across lanes together (one transpose-and-add tree instead of 16
// horizontal sums), exponentials are vectorised, and each value row is read once for up to 16
// accumulator registers of output. Every token and head is computed the same way whatever the
// number of tokens in the call, so a cached decode step equals its recomputation bit for bit. AVX2
// takes the same steps 8 lanes and 8 keys at a time.
#include "zoo_kernels.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu_features.h"
#include "neon.h"

#include "dequant_frame.h"
#include "half.h"
#include "vector_exp.h"

// MARK: - Portable

static inline float element(const void *rows, int half, size_t index) {
    return half ? zoo_f16_to_f32(((const uint16_t *)rows)[index]) : ((const float *)rows)[index];
}

static void softmax_portable(float *x, int n) {
    float max_value = -INFINITY, sum = 0;
    for (int i = 0; i < n; i++) max_value = x[i] > max_value ? x[i] : max_value;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - max_value);
        sum += x[i];
    }
    float inverse = 1 / sum;
    for (int i = 0; i < n; i++) x[i] *= inverse;
}

static void attend_portable(const float *q, int group, int d, const void *keys, const void *values, int half,
                            size_t stride, int visible, float scale, float *scores, float *out) {
    for (int g = 0; g < group; g++) {
        float *s = scores + (size_t)g * visible;
        for (int j = 0; j < visible; j++) {
            float dot = 0;
            for (int c = 0; c < d; c++) dot += q[(size_t)g * d + c] * element(keys, half, (size_t)j * stride + c);
            s[j] = dot * scale;
        }
        softmax_portable(s, visible);
        float *o = out + (size_t)g * d;
        for (int c = 0; c < d; c++) o[c] = 0;
        for (int j = 0; j < visible; j++)
            for (int c = 0; c < d; c++) o[c] += s[j] * element(values, half, (size_t)j * stride + c);
    }
}

// MARK: - AVX-512

#if ZOO_X86
#define AVX512_TARGET __attribute__((target("avx512f,f16c")))

AVX512_TARGET static inline __m512 load_row(const void *rows, int half, size_t index) {
    return half ? _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)((const uint16_t *)rows + index)))
                : _mm512_loadu_ps((const float *)rows + index);
}

// Sums across lanes of 16 vectors at once: lane j of the result is the sum of a[j]'s lanes.
AVX512_TARGET static inline __m512 reduce16(__m512 a[16]) {
    // Each step adds the two halves of every vector's live lanes and packs two vectors into one.
    const __m512i lo8 = _mm512_set_epi32(23, 22, 21, 20, 19, 18, 17, 16, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i hi8 = _mm512_set_epi32(31, 30, 29, 28, 27, 26, 25, 24, 15, 14, 13, 12, 11, 10, 9, 8);
    __m512 b[8], c[4], e[2];
    for (int i = 0; i < 8; i++)  // b[i]: a[2i] in lanes 0–7, a[2i+1] in lanes 8–15
        b[i] = _mm512_add_ps(_mm512_permutex2var_ps(a[2 * i], lo8, a[2 * i + 1]),
                             _mm512_permutex2var_ps(a[2 * i], hi8, a[2 * i + 1]));
    const __m512i lo4 = _mm512_set_epi32(27, 26, 25, 24, 19, 18, 17, 16, 11, 10, 9, 8, 3, 2, 1, 0);
    const __m512i hi4 = _mm512_set_epi32(31, 30, 29, 28, 23, 22, 21, 20, 15, 14, 13, 12, 7, 6, 5, 4);
    for (int i = 0; i < 4; i++)  // c[i]: a[4i] … a[4i+3] in lanes of four
        c[i] = _mm512_add_ps(_mm512_permutex2var_ps(b[2 * i], lo4, b[2 * i + 1]),
                             _mm512_permutex2var_ps(b[2 * i], hi4, b[2 * i + 1]));
    const __m512i lo2 = _mm512_set_epi32(29, 28, 25, 24, 21, 20, 17, 16, 13, 12, 9, 8, 5, 4, 1, 0);
    const __m512i hi2 = _mm512_set_epi32(31, 30, 27, 26, 23, 22, 19, 18, 15, 14, 11, 10, 7, 6, 3, 2);
    for (int i = 0; i < 2; i++)  // e[i]: a[8i] … a[8i+7] in lanes of two
        e[i] = _mm512_add_ps(_mm512_permutex2var_ps(c[2 * i], lo2, c[2 * i + 1]),
                             _mm512_permutex2var_ps(c[2 * i], hi2, c[2 * i + 1]));
    const __m512i lo1 = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i hi1 = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    return _mm512_add_ps(_mm512_permutex2var_ps(e[0], lo1, e[1]), _mm512_permutex2var_ps(e[0], hi1, e[1]));
}

AVX512_TARGET static void softmax_avx512(float *x, int n) {
    __m512 m = _mm512_set1_ps(-INFINITY);
    int i = 0;
    for (; i + 16 <= n; i += 16) m = _mm512_max_ps(m, _mm512_loadu_ps(x + i));
    if (i < n) m = _mm512_mask_max_ps(m, (__mmask16)((1u << (n - i)) - 1u), m, _mm512_maskz_loadu_ps((__mmask16)((1u << (n - i)) - 1u), x + i));
    __m512 max_value = _mm512_set1_ps(_mm512_reduce_max_ps(m));
    __m512 sum = _mm512_setzero_ps();
    for (i = 0; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 e = exp_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), max_value));
        e = _mm512_maskz_mov_ps(k, e);
        sum = _mm512_add_ps(sum, e);
        _mm512_mask_storeu_ps(x + i, k, e);
    }
    __m512 inverse = _mm512_set1_ps(1 / _mm512_reduce_add_ps(sum));
    for (i = 0; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(x + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), inverse));
    }
}

AVX512_TARGET static void attend_avx512(const float *q, int group, int d, const void *keys, const void *values,
                                        int half, size_t stride, int visible, float scale, float *scores, float *out) {
    const int chunks = d / 16;
    // 1. Scores, 16 keys at a time                                        scores: [group, visible]
    for (int j0 = 0; j0 < visible; j0 += 16) {
        const int nj = visible - j0 < 16 ? visible - j0 : 16;
        for (int g = 0; g < group; g++) {
            __m512 a[16];
            for (int jj = 0; jj < 16; jj++) {
                __m512 acc = _mm512_setzero_ps();
                if (jj < nj)
                    for (int c = 0; c < chunks; c++)
                        acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + (size_t)g * d + 16 * c),
                                              load_row(keys, half, (size_t)(j0 + jj) * stride + 16 * c), acc);
                a[jj] = acc;
            }
            __m512 s = _mm512_mul_ps(reduce16(a), _mm512_set1_ps(scale));
            _mm512_mask_storeu_ps(scores + (size_t)g * visible + j0, (__mmask16)((1u << nj) - 1u), s);
        }
    }
    // 2. Softmax per head
    for (int g = 0; g < group; g++) softmax_avx512(scores + (size_t)g * visible, visible);
    // 3. out = scores · values, for as many heads at once as 16 registers of output hold
    const int batch = chunks >= 16 ? 1 : 16 / chunks;
    for (int g0 = 0; g0 < group; g0 += batch) {
        const int heads = group - g0 < batch ? group - g0 : batch;
        __m512 acc[16];
        for (int i = 0; i < heads * chunks; i++) acc[i] = _mm512_setzero_ps();
        for (int j = 0; j < visible; j++) {
            for (int c = 0; c < chunks; c++) {
                __m512 v = load_row(values, half, (size_t)j * stride + 16 * c);
                for (int h = 0; h < heads; h++)
                    acc[h * chunks + c] = _mm512_fmadd_ps(_mm512_set1_ps(scores[(size_t)(g0 + h) * visible + j]), v,
                                                          acc[h * chunks + c]);
            }
        }
        for (int h = 0; h < heads; h++)
            for (int c = 0; c < chunks; c++) _mm512_storeu_ps(out + (size_t)(g0 + h) * d + 16 * c, acc[h * chunks + c]);
    }
}
#endif

// MARK: - AVX2 (the AVX-512 kernel's steps with 8 lanes and 16 registers)

#if ZOO_X86
#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))

AVX2_TARGET static inline __m256 load_row8(const void *rows, int half, size_t index) {
    return half ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)rows + index)))
                : _mm256_loadu_ps((const float *)rows + index);
}

// Lane j of the result is the sum of a[j]'s lanes (two rounds of pairwise adds, then the halves).
AVX2_TARGET static inline __m256 reduce8(const __m256 a[8]) {
    __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
    __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(a[4], a[5]), _mm256_hadd_ps(a[6], a[7]));
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

AVX2_TARGET static inline __m256i tail_mask8(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

AVX2_TARGET static void softmax_avx2(float *x, int n) {
    __m256 m = _mm256_set1_ps(-INFINITY);
    for (int i = 0; i < n; i += 8) {
        __m256i k = tail_mask8(n - i);
        __m256 v = _mm256_blendv_ps(m, _mm256_maskload_ps(x + i, k), _mm256_castsi256_ps(k));
        m = _mm256_max_ps(m, v);
    }
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    __m256 max_value = _mm256_set1_ps(_mm_cvtss_f32(h));
    __m256 sum = _mm256_setzero_ps();
    for (int i = 0; i < n; i += 8) {
        __m256i k = tail_mask8(n - i);
        __m256 e = _mm256_and_ps(exp_avx2(_mm256_sub_ps(_mm256_maskload_ps(x + i, k), max_value)), _mm256_castsi256_ps(k));
        sum = _mm256_add_ps(sum, e);
        _mm256_maskstore_ps(x + i, k, e);
    }
    __m256 inverse = _mm256_set1_ps(1 / zoo_hsum256(sum));
    for (int i = 0; i < n; i += 8) {
        __m256i k = tail_mask8(n - i);
        _mm256_maskstore_ps(x + i, k, _mm256_mul_ps(_mm256_maskload_ps(x + i, k), inverse));
    }
}

AVX2_TARGET static void attend_avx2(const float *q, int group, int d, const void *keys, const void *values, int half,
                                    size_t stride, int visible, float scale, float *scores, float *out) {
    const int chunks = d / 8;
    // 1. Scores, 8 keys at a time                                         scores: [group, visible]
    for (int j0 = 0; j0 < visible; j0 += 8) {
        const int nj = visible - j0 < 8 ? visible - j0 : 8;
        for (int g = 0; g < group; g++) {
            __m256 a[8];
            for (int jj = 0; jj < 8; jj++) {
                __m256 acc = _mm256_setzero_ps();
                if (jj < nj)
                    for (int c = 0; c < chunks; c++)
                        acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + (size_t)g * d + 8 * c),
                                              load_row8(keys, half, (size_t)(j0 + jj) * stride + 8 * c), acc);
                a[jj] = acc;
            }
            __m256 s = _mm256_mul_ps(reduce8(a), _mm256_set1_ps(scale));
            _mm256_maskstore_ps(scores + (size_t)g * visible + j0, tail_mask8(nj), s);
        }
    }
    // 2. Softmax per head
    for (int g = 0; g < group; g++) softmax_avx2(scores + (size_t)g * visible, visible);
    // 3. out = scores · values, 12 accumulators at a time: several heads of a few chunks, or blocks of
    //    chunks of one head
    const int per_pass = chunks >= 12 ? 12 : chunks;
    const int batch = 12 / per_pass;
    for (int g0 = 0; g0 < group; g0 += batch) {
        const int heads = group - g0 < batch ? group - g0 : batch;
        for (int c0 = 0; c0 < chunks; c0 += per_pass) {
            const int nc = chunks - c0 < per_pass ? chunks - c0 : per_pass;
            __m256 acc[12];
            for (int i = 0; i < heads * nc; i++) acc[i] = _mm256_setzero_ps();
            for (int j = 0; j < visible; j++)
                for (int c = 0; c < nc; c++) {
                    __m256 v = load_row8(values, half, (size_t)j * stride + 8 * (c0 + c));
                    for (int h = 0; h < heads; h++)
                        acc[h * nc + c] = _mm256_fmadd_ps(_mm256_set1_ps(scores[(size_t)(g0 + h) * visible + j]), v,
                                                          acc[h * nc + c]);
                }
            for (int h = 0; h < heads; h++)
                for (int c = 0; c < nc; c++) _mm256_storeu_ps(out + (size_t)(g0 + h) * d + 8 * (c0 + c), acc[h * nc + c]);
        }
    }
}
#endif

void zoo_attend_group(const float *q, int group, int d, const void *keys, const void *values, int half,
                      size_t stride, int visible, float scale, float *scores, float *out) {
#if ZOO_X86
    if (zoo_isa_index() == ZOO_ISA_AVX512 && d % 16 == 0 && d <= 256) {
        attend_avx512(q, group, d, keys, values, half, stride, visible, scale, scores, out);
        return;
    }
    if (zoo_isa_index() == ZOO_ISA_AVX2 && d % 8 == 0) {
        attend_avx2(q, group, d, keys, values, half, stride, visible, scale, scores, out);
        return;
    }
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) {
        zoo_neon_attend_group(q, group, d, keys, values, half, stride, visible, scale, scores, out);
        return;
    }
#endif
    attend_portable(q, group, d, keys, values, half, stride, visible, scale, scores, out);
}

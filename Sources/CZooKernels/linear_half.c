// Linear layers with 16-bit weights (bf16 or f16) and fp32 activations and accumulation.
// The per-element arithmetic is that of linear_f32.c on the widened weights (the same chunks,
// FMA order and horizontal sums), so results equal the fp32 path bit for bit while reading half
// the bytes. Tails are widened through a zero-padded local buffer.
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define ZOO_X86 1
#endif

#include "half.h"
#include "dequant_frame.h"
#include "tiling.h"

static inline float bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

#if ZOO_X86
// MARK: - AVX-512

__attribute__((target("avx512f"))) static inline __m512 load16_bf16(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}
__attribute__((target("avx512f"))) static inline __m512 load16_f16(const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

#define DEFINE_HALF_AVX512(NAME, LOAD)                                                                             \
    __attribute__((target("avx512f"), always_inline)) static inline void NAME##_block(                          \
        const float *x, int tb, int k_dim, const uint16_t *w, int nb, float *y, int ldy, int accumulate,          \
        int rows4, int prefetch) {                                                                                 \
        __m512 acc[BLOCK][BLOCK];                                                                                  \
        for (int i = 0; i < BLOCK; i++)                                                                            \
            for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm512_setzero_ps();                                       \
        int k = 0;                                                                                                 \
        for (; k + 16 <= k_dim; k += 16) {                                                                         \
            __m512 wv[BLOCK];                                                                                      \
            for (int j = 0; j < nb; j++) {                                                                         \
                if (prefetch && !(k & 31)) ZOO_PREFETCH_AHEAD(w + (size_t)j * k_dim + k, k_dim);                   \
                wv[j] = LOAD(ZOO_WEIGHT_CHUNK(w, j, k, k_dim, rows4));                                             \
            }                                                                                                      \
            for (int i = 0; i < tb; i++) {                                                                         \
                __m512 xv = _mm512_loadu_ps(x + (size_t)i * k_dim + k);                                            \
                for (int j = 0; j < nb; j++) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);                    \
            }                                                                                                      \
        }                                                                                                          \
        if (k < k_dim) {                                                                                           \
            __mmask16 m = (__mmask16)((1u << (k_dim - k)) - 1u);                                                   \
            __m512 wv[BLOCK];                                                                                      \
            for (int j = 0; j < nb; j++) {                                                                         \
                uint16_t tail[16] = {0};                                                                           \
                memcpy(tail, w + (size_t)j * k_dim + k, (size_t)(k_dim - k) * 2);                                  \
                wv[j] = LOAD(tail);                                                                                \
            }                                                                                                      \
            for (int i = 0; i < tb; i++) {                                                                         \
                __m512 xv = _mm512_maskz_loadu_ps(m, x + (size_t)i * k_dim + k);                                   \
                for (int j = 0; j < nb; j++) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);                    \
            }                                                                                                      \
        }                                                                                                          \
        ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, _mm512_reduce_add_ps);                                      \
    }                                                                                                              \
    __attribute__((target("avx512f"))) static void NAME(const float *x, int rows, int k_dim, const uint16_t *w,   \
                                                        int n_begin, int n_end, float *y, int ldy, int accumulate) { \
        ZOO_FOR_EACH_TILE(rows, n_begin, n_end, NAME##_TILE)                                                     \
    }                                                                                                              \
    __attribute__((target("avx512f"))) static void NAME##_rows4(const float *x, int rows, int k_dim,              \
                                                                const uint16_t *w, int n_begin, int n_end,         \
                                                                float *y, int ldy, int accumulate) {               \
        ZOO_FOR_EACH_TILE_ROWS4(rows, n_begin, n_end, NAME##_TILE4)                                              \
    }

#define linear_bf16_avx512_TILE(TB, NB) ZOO_FLOAT_TILE(linear_bf16_avx512_block, TB, NB, 0)
#define linear_bf16_avx512_TILE4(TB, NB) ZOO_FLOAT_TILE(linear_bf16_avx512_block, TB, NB, 1)
#define linear_f16_avx512_TILE(TB, NB) ZOO_FLOAT_TILE(linear_f16_avx512_block, TB, NB, 0)
#define linear_f16_avx512_TILE4(TB, NB) ZOO_FLOAT_TILE(linear_f16_avx512_block, TB, NB, 1)
DEFINE_HALF_AVX512(linear_bf16_avx512, load16_bf16)
DEFINE_HALF_AVX512(linear_f16_avx512, load16_f16)
#endif  // ZOO_X86

// MARK: - Portable fallback (the generic f32 kernel's order on widened weights)

static void linear_half_generic(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end,
                                float *y, int ldy, int accumulate, int is_bf16, int rows4) {
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const float *xr = x + (size_t)t * k_dim;
            const uint16_t *group = w + (size_t)(rows4 ? n & ~3 : n) * k_dim;
            float s[8] = {0};
            int k = 0;
            for (; k + 8 <= k_dim; k += 8) {
                const uint16_t *wr = ZOO_WEIGHT_CHUNK(group, rows4 ? n & 3 : 0, k, k_dim, rows4);
                for (int l = 0; l < 8; l++) s[l] += xr[k + l] * (is_bf16 ? bf16_to_f32(wr[l]) : zoo_f16_to_f32(wr[l]));
            }
            for (int l = 0; k + l < k_dim; l++)  // row-major only (rows4: k_dim % 16 == 0)
                s[l] += xr[k + l] * (is_bf16 ? bf16_to_f32(group[k + l]) : zoo_f16_to_f32(group[k + l]));
            float v = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

void zoo_linear_bf16(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
#if ZOO_X86
    if (zoo_linear_isa()[0] == 'a' && zoo_linear_isa()[3] == '5') {  // "avx512f"
        linear_bf16_avx512(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    linear_half_generic(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, 1, 0);
}

void zoo_linear_f16(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                    int ldy, int accumulate) {
#if ZOO_X86
    if (zoo_linear_isa()[0] == 'a' && zoo_linear_isa()[3] == '5') {
        linear_f16_avx512(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    linear_half_generic(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, 0, 0);
}

void zoo_linear_half_rows4(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                           int ldy, int accumulate, int is_bf16) {
#if ZOO_X86
    if (zoo_linear_isa()[0] == 'a' && zoo_linear_isa()[3] == '5') {
        if (is_bf16)
            linear_bf16_avx512_rows4(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
        else
            linear_f16_avx512_rows4(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    linear_half_generic(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, is_bf16, 1);
}

void zoo_widen_bf16(const uint16_t *source, float *destination, int count) {
    for (int i = 0; i < count; i++) destination[i] = bf16_to_f32(source[i]);
}

void zoo_widen_f16(const uint16_t *source, float *destination, int count) {
    for (int i = 0; i < count; i++) destination[i] = zoo_f16_to_f32(source[i]);
}

// What the linear kernels share beyond tiling.h: the AVX2 horizontal sum and a tile's epilogue (every
// kernel), and for the dequantize-and-dot kernels (q4_K, q5_K, q6_K, q5_0/q5_1) the tile drivers and
// dispatch (ZOO_DEFINE_DEQUANT_LINEAR) and the portable path, which dequantizes each block to fp32 and
// feeds eight lane sums in the generic fp32 kernel's order (so it equals linear_f32.c on the
// dequantized weights, bit for bit).
#ifndef ZOO_DEQUANT_FRAME_H
#define ZOO_DEQUANT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_features.h"
#include "tiling.h"
#if ZOO_X86

/// The sum of the eight lanes in linear_f32.c's AVX2 order: halves, then pairs, then the last two.
__attribute__((target("avx2,fma"))) static inline float zoo_hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/// Rows a k-quant tile asks for ahead of the one it reads (the hardware prefetchers lose track of
/// the four rows a prefill tile reads at once).
#define ZOO_K_PREFETCH_ROWS 8

/// Asks for the `bytes`-byte block at `block`, one request per 64-byte line and one for its last byte,
/// so every line it touches is requested wherever it starts. The k-quant tiles call it only in a
/// weight block's first token tile (tiling.h: later tiles find the rows in cache).
static inline void zoo_prefetch_block(const uint8_t *block, int bytes) {
    for (int offset = 0; offset < bytes; offset += 64) _mm_prefetch((const char *)block + offset, _MM_HINT_T0);
    _mm_prefetch((const char *)block + bytes - 1, _MM_HINT_T0);
}
#endif

/// Dequantizes one block to fp32; `variant` selects a format's flavour (q5_1's min), else unused.
typedef void (*zoo_block_dequantizer)(const uint8_t *block, int variant, float *out);

/// y[t, n] (+)= x[t] · dequantized(row n), for blocks of `block_values` (≤ 256) weights in
/// `block_bytes` bytes.
static inline void zoo_dequantized_linear_portable(const float *x, int rows, int k_dim, const uint8_t *w, int n_begin,
                                                   int n_end, float *y, int ldy, int accumulate, int block_values,
                                                   int block_bytes, zoo_block_dequantizer dequantize, int variant) {
    const int blocks = k_dim / block_values;
    const size_t row_bytes = (size_t)blocks * block_bytes;
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const float *xr = x + (size_t)t * k_dim;
            float s[8] = {0}, wb[256];
            for (int b = 0; b < blocks; b++) {
                dequantize(w + (size_t)n * row_bytes + (size_t)b * block_bytes, variant, wb);
                for (int k = 0; k < block_values; k += 8)
                    for (int l = 0; l < 8; l++) s[l] += xr[(size_t)b * block_values + k + l] * wb[k + l];
            }
            float v = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

/// A tile's epilogue: each accumulator summed across its lanes by HSUM and stored (or added) at y.
#define ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, HSUM)                                           \
    for (int i_ = 0; i_ < (tb); i_++)                                                                   \
        for (int j_ = 0; j_ < (nb); j_++) {                                                             \
            float v_ = HSUM((acc)[i_][j_]);                                                             \
            float *out_ = (y) + (size_t)i_ * (ldy) + j_;                                                \
            *out_ = (accumulate) ? *out_ + v_ : v_;                                                     \
        }

/// The tile call of a k-quant kernel (`row_bytes` per weight row): FN over token rows t.. and weight
/// rows n.., asking for rows ahead in the first token tile only.
#define ZOO_K_TILE(FN, TB, NB)                                                                                 \
    FN(x + (size_t)t * k_dim, TB, k_dim, w + (size_t)n * row_bytes, NB, y + (size_t)t * ldy + n, ldy, accumulate, \
       t == 0)

#if ZOO_X86
#define ZOO_DEQUANT_SIMD_DRIVERS(NAME, BLOCK_VALUES, BLOCK_BYTES)                                                  \
    __attribute__((target("avx512f"))) static void linear_##NAME##_avx512(                                      \
        const float *x, int rows, int k_dim, const uint8_t *w, int n_begin, int n_end, float *y, int ldy,        \
        int accumulate) {                                                                                        \
        size_t row_bytes = (size_t)(k_dim / (BLOCK_VALUES)) * (BLOCK_BYTES);                                     \
        ZOO_FOR_EACH_TILE(rows, n_begin, n_end, ZOO_DEQUANT_TILE_AVX512_##NAME)                                  \
    }                                                                                                            \
    __attribute__((target("avx2,fma"))) static void linear_##NAME##_avx2(                                       \
        const float *x, int rows, int k_dim, const uint8_t *w, int n_begin, int n_end, float *y, int ldy,        \
        int accumulate) {                                                                                        \
        size_t row_bytes = (size_t)(k_dim / (BLOCK_VALUES)) * (BLOCK_BYTES);                                     \
        ZOO_FOR_EACH_TILE(rows, n_begin, n_end, ZOO_DEQUANT_TILE_AVX2_##NAME)                                    \
    }
#define ZOO_DEQUANT_DISPATCH_SIMD(NAME)                                                                         \
    case ZOO_ISA_AVX512: linear_##NAME##_avx512(x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate); return; \
    case ZOO_ISA_AVX2: linear_##NAME##_avx2(x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate); return;
#elif ZOO_ARM64
#include "neon.h"
#define ZOO_DEQUANT_SIMD_DRIVERS(NAME, BLOCK_VALUES, BLOCK_BYTES)
#define ZOO_DEQUANT_DISPATCH_SIMD(NAME)                                                                         \
    case ZOO_ISA_NEON: zoo_neon_linear_##NAME(x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate); return;
#else
#define ZOO_DEQUANT_SIMD_DRIVERS(NAME, BLOCK_VALUES, BLOCK_BYTES)
#define ZOO_DEQUANT_DISPATCH_SIMD(NAME)
#endif

/// The rest of a dequantize-and-dot kernel for format NAME, given its tiles NAME##_tile_avx512 and
/// NAME##_tile_avx2 (x86 only) and its NAME##_dequantize_block(block, out): the tile drivers, the
/// portable path and the public zoo_linear_NAME, which picks one by instruction set.
#define ZOO_DEFINE_DEQUANT_LINEAR(NAME, BLOCK_VALUES, BLOCK_BYTES)                                              \
    ZOO_DEQUANT_SIMD_DRIVERS(NAME, BLOCK_VALUES, BLOCK_BYTES)                                                    \
    static void NAME##_dequantize(const uint8_t *block, int variant, float *out) {                              \
        (void)variant;                                                                                           \
        NAME##_dequantize_block(block, out);                                                                     \
    }                                                                                                            \
    void zoo_linear_##NAME(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,  \
                           float *y, int ldy, int accumulate) {                                                  \
        switch (zoo_isa_index()) {                                                                               \
            ZOO_DEQUANT_DISPATCH_SIMD(NAME)                                                                      \
        default:                                                                                                 \
            zoo_dequantized_linear_portable(x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate,         \
                                            (BLOCK_VALUES), (BLOCK_BYTES), NAME##_dequantize, 0);               \
            return;                                                                                              \
        }                                                                                                        \
    }

#endif

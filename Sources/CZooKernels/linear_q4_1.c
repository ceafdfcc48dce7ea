// q4_1 weights (llama.cpp's 4-bit format with a minimum, blocks of 32) times fp32 activations, read in
// place from GGUF blocks. Older llama.cpp conversions (`--outtype q4_1`, `llama-quantize Q4_1`) write it.
//
// A block is 20 bytes: fp16 d, fp16 m, qs[16]. Value l takes the low nibble of qs[l] (l < 16) or the
// high nibble of qs[l − 16]: q in 0..15, and the value is d·q + m.
//
// As linear_q5.c: 16 (or 8) weights are dequantized at a time exactly as gguf-py does (d·q has at most
// 15 significant bits, so the product is exact and the fused d·q + m rounds once, like gguf-py's add)
// and feed fp32 accumulators in linear_f32.c's chunk order and lane layout. So an output element's
// arithmetic does not depend on the number of rows and equals the fp32 kernel on the dequantized
// weights, bit for bit.
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"

#include "dequant_frame.h"
#include "half.h"
#include "tiling.h"

#define QK 32
#define Q4_1_BYTES 20

/// One block as fp32, with gguf-py's arithmetic (the definition every path equals).
static void q4_1_dequantize_block(const uint8_t *block, float *y) {
#pragma STDC FP_CONTRACT OFF
    float d = zoo_f16_at(block), m = zoo_f16_at(block + 2);
    const uint8_t *qs = block + 4;
    for (int l = 0; l < QK; l++) {
        int q = (l < 16 ? qs[l] : qs[l - 16] >> 4) & 0x0F;
        float dq = d * (float)q;
        y[l] = dq + m;
    }
}

void zoo_dequantize_q4_1(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / QK; b++) q4_1_dequantize_block(blocks + (size_t)b * Q4_1_BYTES, out + (size_t)b * QK);
}

#if ZOO_X86
/// A block's parts as the SIMD tiles read them: scale `d`, min `m`, and the nibbles of values 0..15
/// (`low`) and 16..31 (`high`), each 0..15 in a byte.
typedef struct {
    float d, m;
    __m128i low, high;
} q4_1_parts;

static inline q4_1_parts q4_1_read_parts(const uint8_t *block) {
    const __m128i mask = _mm_set1_epi8(0x0F);
    __m128i qs = _mm_loadu_si128((const __m128i *)(block + 4));
    return (q4_1_parts){zoo_f16_at(block), zoo_f16_at(block + 2), _mm_and_si128(qs, mask),
                        _mm_and_si128(_mm_srli_epi16(qs, 4), mask)};
}

// MARK: - AVX-512

/// One tile: token rows [0, tb) × weight rows [0, nb) of the narrowed call `c`.
__attribute__((target("avx512f"), always_inline)) static inline void q4_1_tile_avx512(zoo_dequant_call c, int tb,
                                                                                      int nb) {
    __m512 acc[BLOCK][BLOCK];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < c.k_dim / QK; b++) {
        const float *xb = c.x + (size_t)b * QK;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = zoo_dequant_block(c, j, b, Q4_1_BYTES);
            // Every other block: prefetched addresses at most 40 bytes apart touch every line.
            if (!(b & 1)) ZOO_PREFETCH_AHEAD(block, c.row_bytes, nb);
            const q4_1_parts q = q4_1_read_parts(block);
            // 1. Values 0..15 and 16..31 as d·q + m (the product is exact, so fusing rounds as gguf-py's add).
            __m512 d = _mm512_set1_ps(q.d), m = _mm512_set1_ps(q.m);
            __m512 w0 = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(q.low)), m);
            __m512 w1 = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(q.high)), m);
            // 2. Each token row's 32 activations against them, in linear_f32.c's lane order.
            for (int i = 0; i < tb; i++) {
                const float *xc = xb + (size_t)i * c.k_dim;
                acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc), w0, acc[i][j]);
                acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc + 16), w1, acc[i][j]);
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, c.y, c.ldy, c.accumulate, _mm512_reduce_add_ps);
}

// MARK: - AVX2 + FMA

/// Eight weights d·q + m from the first eight bytes of `nibbles` (0..15).
__attribute__((target("avx2,fma"), always_inline)) static inline __m256 q4_1_weights8(__m128i nibbles, __m256 d,
                                                                                     __m256 m) {
    return _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(nibbles)), m);
}

/// One tile, as q4_1_tile_avx512, eight lanes wide.
__attribute__((target("avx2,fma"), always_inline)) static inline void q4_1_tile_avx2(zoo_dequant_call c, int tb,
                                                                                    int nb) {
    __m256 acc[BLOCK][BLOCK];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < c.k_dim / QK; b++) {
        const float *xb = c.x + (size_t)b * QK;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = zoo_dequant_block(c, j, b, Q4_1_BYTES);
            if (!(b & 1)) ZOO_PREFETCH_AHEAD(block, c.row_bytes, nb);
            const q4_1_parts q = q4_1_read_parts(block);
            __m256 d = _mm256_set1_ps(q.d), m = _mm256_set1_ps(q.m);
            // Values 0..7, 8..15 (low nibbles), 16..23, 24..31 (high nibbles).
            __m256 wv[4] = {q4_1_weights8(q.low, d, m), q4_1_weights8(_mm_srli_si128(q.low, 8), d, m),
                            q4_1_weights8(q.high, d, m), q4_1_weights8(_mm_srli_si128(q.high, 8), d, m)};
            for (int i = 0; i < tb; i++) {
                const float *xc = xb + (size_t)i * c.k_dim;
                for (int part = 0; part < 4; part++)
                    acc[i][j] = _mm256_fmadd_ps(_mm256_loadu_ps(xc + 8 * part), wv[part], acc[i][j]);
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, c.y, c.ldy, c.accumulate, zoo_hsum256);
}

// MARK: - Drivers (the outputs [0, rows) × [n_begin, n_end) of `c`, tile by tile)

__attribute__((target("avx512f"))) static void q4_1_linear_avx512(zoo_dequant_call c, int n_begin, int n_end) {
#define TILE(AT, TB, NB) q4_1_tile_avx512(zoo_dequant_tile(c, AT), TB, NB)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}

__attribute__((target("avx2,fma"))) static void q4_1_linear_avx2(zoo_dequant_call c, int n_begin, int n_end) {
#define TILE(AT, TB, NB) q4_1_tile_avx2(zoo_dequant_tile(c, AT), TB, NB)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}
#endif  // ZOO_X86

// MARK: - The format and its public entry point (dequant_frame.h)

static const zoo_dequant_format q4_1_format = {
    .block_values = QK,
    .block_bytes = Q4_1_BYTES,
    .dequantize_block = q4_1_dequantize_block,
#if ZOO_X86
    .avx512 = q4_1_linear_avx512,
    .avx2 = q4_1_linear_avx2,
#elif ZOO_ARM64
    .neon = zoo_neon_linear_q4_1,
#endif
};

void zoo_linear_q4_1(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
    zoo_dequant_linear(&q4_1_format, x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate);
}

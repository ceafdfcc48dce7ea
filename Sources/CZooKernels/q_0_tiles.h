// The AVX-512 tile and driver that q8_0 and q4_0 with fp32 activations share (linear_q8_0.c,
// linear_q4_0.c). Both store the values [rows][k·bits/8] apart from the fp16-rounded scales
// [rows][k/32]; only how a block of 32 becomes floats differs (int8 widened; or nibble − 8, low
// nibbles the first 16 values). A block's two halves are multiplied and added as (x1·w1 + x0·w0),
// then scaled into the accumulator: one fixed sequence per output element, so a decode step equals
// the same row of a prefill bit for bit. `bits` is a constant at each call (the tile is always
// inlined), so each format compiles to its own loop.
#ifndef ZOO_Q_0_TILES_H
#define ZOO_Q_0_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_features.h"
#include "tiling.h"

#define ZOO_Q_0_BLOCK 32

#if ZOO_X86
__attribute__((target("avx512f"), always_inline)) static inline void
zoo_q_0_tile_avx512(const int bits, const float *x, int tb, int k_dim, const uint8_t *q, const float *scales, int nb,
                    float *y, int ldy, int accumulate) {
    const int blocks = k_dim / ZOO_Q_0_BLOCK;
    const int row_bytes = k_dim / 8 * bits, block_bytes = ZOO_Q_0_BLOCK / 8 * bits;
    const __m128i low_mask = _mm_set1_epi8(0x0F);
    const __m512 eight = _mm512_set1_ps(8.0f);
    __m512 acc[BLOCK][BLOCK];
    for (int i = 0; i < BLOCK; i++)
        for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm512_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m512 w0[BLOCK], w1[BLOCK], sc[BLOCK];
        for (int j = 0; j < nb; j++) {
            const uint8_t *row = q + (size_t)j * row_bytes + (size_t)b * block_bytes;
            // One prefetch per 64-byte line: every fourth q4_0 block, every second q8_0 block.
            if (!(b & (64 / block_bytes - 1))) ZOO_PREFETCH_AHEAD(row, row_bytes, nb);
            if (bits == 8) {
                w0[j] = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)row)));
                w1[j] = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(row + 16))));
            } else {
                __m128i packed = _mm_loadu_si128((const __m128i *)row);
                __m128i lo = _mm_and_si128(packed, low_mask), hi = _mm_and_si128(_mm_srli_epi16(packed, 4), low_mask);
                w0[j] = _mm512_sub_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(lo)), eight);
                w1[j] = _mm512_sub_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(hi)), eight);
            }
            sc[j] = _mm512_set1_ps(scales[(size_t)j * blocks + b]);
        }
        for (int i = 0; i < tb; i++) {
            const float *xb = x + (size_t)i * k_dim + (size_t)b * ZOO_Q_0_BLOCK;
            __m512 x0 = _mm512_loadu_ps(xb), x1 = _mm512_loadu_ps(xb + 16);
            for (int j = 0; j < nb; j++) {
                __m512 part = _mm512_fmadd_ps(x1, w1[j], _mm512_mul_ps(x0, w0[j]));
                acc[i][j] = _mm512_fmadd_ps(sc[j], part, acc[i][j]);
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, _mm512_reduce_add_ps);
}

/// The tiles over the outputs [0, rows) × [n_begin, n_end) of a q8_0 (`bits` 8) or q4_0 (4) matrix.
__attribute__((target("avx512f"), always_inline)) static inline void
zoo_q_0_linear_avx512(const int bits, const float *x, int rows, int k_dim, const uint8_t *q, const float *scales,
                      int n_begin, int n_end, float *y, int ldy, int accumulate) {
    const int blocks = k_dim / ZOO_Q_0_BLOCK, row_bytes = k_dim / 8 * bits;
#define TILE(AT, TB, NB)                                                                                              \
    zoo_q_0_tile_avx512(bits, x + (size_t)(AT).t * k_dim, TB, k_dim, q + (size_t)(AT).n * row_bytes,                  \
                        scales + (size_t)(AT).n * blocks, NB, y + (size_t)(AT).t * ldy + (AT).n, ldy, accumulate)
    ZOO_FOR_EACH_TILE(rows, n_begin, n_end, TILE)
#undef TILE
}
#endif

#endif

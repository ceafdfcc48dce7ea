// The tiling every linear kernel shares: the output [rows, n_begin..n_end) is visited in tiles of
// up to BLOCK token rows × BLOCK weight rows, and TILE(at, tb, nb) computes one tile, `at` (a
// zoo_tile) saying where it starts. Full tiles and the one-token tile of a decode step pass constant
// sizes, so the compiler keeps every accumulator of those in a register.
#ifndef ZOO_TILING_H
#define ZOO_TILING_H

#include <stddef.h>

#define BLOCK 4

/// Where a tile starts in the output: its first token row `t` and first weight row `n`. The tile loops
/// hand it to their TILE argument, so a tile call names every position it uses.
typedef struct {
    int t, n;
} zoo_tile;

// Asks for the same place two tiles (2 × BLOCK weight rows of `row_stride`) ahead, when a tile reads
// several weight rows at once (its `nb` > 1): interleaved rows defeat the hardware prefetchers, which a
// single row read front to back (a decode step) does not need. Prefetches never fault, so reading
// past the matrix's end is harmless. Callers issue one per 64-byte line. The fp32 and 16-bit kernels
// ask only in a weight block's first token tile, the one that reads its rows from memory: later tiles
// find them in cache, where the prefetches only take load slots (a 512-token fp32 prompt: 40 → 50
// GMAC/s on one core without them; 4–16 tokens need them: up to 1.45× faster).
#include "cpu_features.h"
#if ZOO_X86
#define ZOO_PREFETCH_AHEAD(p, row_stride, nb)                                                               \
    do {                                                                                                    \
        if ((nb) > 1) _mm_prefetch((const char *)((p) + (size_t)(2 * BLOCK) * (size_t)(row_stride)), _MM_HINT_T0); \
    } while (0)
#else
#define ZOO_PREFETCH_AHEAD(p, row_stride, nb) ((void)0)
#endif

/// Full tiles are TOKENS token rows × WROWS weight rows (ZOO_FOR_EACH_TILE_OF: BLOCK): AVX-512's 32
/// registers hold 4 × 4 accumulators, AVX2's 16 only 3 × 4 (with the three token chunks and one weight
/// chunk; 4 × 4 spilled: f32 prompt 1.3× faster on one core with 3).
#define ZOO_FOR_EACH_TILE_SHAPED(TOKENS, WROWS, rows, n_begin, n_end, TILE)            \
    for (int n_ = (n_begin); n_ < (n_end); n_ += (WROWS)) {                            \
        int nb_ = (n_end) - n_ < (WROWS) ? (n_end) - n_ : (WROWS);                     \
        for (int t_ = 0; t_ < (rows); t_ += (TOKENS)) {                                \
            int tb_ = (rows) - t_ < (TOKENS) ? (rows) - t_ : (TOKENS);                 \
            if (tb_ == (TOKENS) && nb_ == (WROWS)) {                                   \
                TILE(((zoo_tile){t_, n_}), (TOKENS), (WROWS));                         \
            } else if (tb_ == 1 && nb_ == (WROWS)) {                                   \
                /* One token (a decode step): the weight rows one after another. One   \
                   sequential read keeps a core's prefetchers ahead; four interleaved  \
                   rows do not (f32: 22 against 15 GB/s on one core). Per element the  \
                   arithmetic is the tile's, so results do not change. */              \
                for (int row_ = n_; row_ < n_ + (WROWS); row_++) {                     \
                    TILE(((zoo_tile){t_, row_}), 1, 1);                                \
                }                                                                      \
            } else {                                                                   \
                TILE(((zoo_tile){t_, n_}), tb_, nb_);                                  \
            }                                                                          \
        }                                                                              \
    }
#define ZOO_FOR_EACH_TILE_OF(TOKENS, rows, n_begin, n_end, TILE)                       \
    ZOO_FOR_EACH_TILE_SHAPED(TOKENS, BLOCK, rows, n_begin, n_end, TILE)
#define ZOO_FOR_EACH_TILE(rows, n_begin, n_end, TILE) ZOO_FOR_EACH_TILE_OF(BLOCK, rows, n_begin, n_end, TILE)

// The same tiles over weights in the four-row layout (see zoo_pack_rows4): BLOCK consecutive weight
// rows are one contiguous stream, so a decode step reads all four together (one x chunk for four
// rows) instead of one after another. Rows come in whole groups of four (n_begin, n_end multiples
// of 4); per element the arithmetic is the row-major tile's.
#define ZOO_FOR_EACH_TILE_ROWS4_OF(TOKENS, rows, n_begin, n_end, TILE)                 \
    for (int n_ = (n_begin); n_ < (n_end); n_ += BLOCK) {                              \
        for (int t_ = 0; t_ < (rows); t_ += (TOKENS)) {                                \
            int tb_ = (rows) - t_ < (TOKENS) ? (rows) - t_ : (TOKENS);                 \
            if (tb_ == (TOKENS)) {                                                     \
                TILE(((zoo_tile){t_, n_}), (TOKENS), BLOCK);                           \
            } else if (tb_ == 1) {                                                     \
                TILE(((zoo_tile){t_, n_}), 1, BLOCK);                                  \
            } else {                                                                   \
                TILE(((zoo_tile){t_, n_}), tb_, BLOCK);                                \
            }                                                                          \
        }                                                                              \
    }
#define ZOO_FOR_EACH_TILE_ROWS4(rows, n_begin, n_end, TILE) ZOO_FOR_EACH_TILE_ROWS4_OF(BLOCK, rows, n_begin, n_end, TILE)

#if ZOO_X86
/// The sum of the eight lanes in linear_f32.c's AVX2 order: halves, then pairs, then the last two.
__attribute__((target("avx2,fma"))) static inline float zoo_hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

#endif

/// A tile's epilogue: each accumulator summed across its lanes by HSUM and stored (or added) at y.
#define ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, HSUM)                                           \
    for (int i_ = 0; i_ < (tb); i_++)                                                                   \
        for (int j_ = 0; j_ < (nb); j_++) {                                                             \
            float v_ = HSUM((acc)[i_][j_]);                                                             \
            float *out_ = (y) + (size_t)i_ * (ldy) + j_;                                                \
            *out_ = (accumulate) ? *out_ + v_ : v_;                                                     \
        }

/// Token rows of an AVX2 tile (see ZOO_FOR_EACH_TILE_OF).
#define ZOO_AVX2_TOKENS 3

#if ZOO_X86
/// linear_f32.c's AVX2 tiles for every token row against nb ≤ BLOCK weight rows at `w` (row-major, or
/// one four-row group), without prefetches: the 16-bit kernels' prompt path runs them on a group of
/// rows widened into cache, so each element gets exactly the fp32 kernel's arithmetic.
void zoo_f32_avx2_all_tokens(const float *x, int rows, int k_dim, const float *w, int nb, float *y, int ldy,
                             int accumulate, int rows4);
#endif

/// The tile call of the fp32 and 16-bit kernels (linear_f32.c, linear_half.c): block function BLOCK_FN
/// over the tile at AT (a zoo_tile) of row-major (ROWS4 = 0) or four-row (1) weights `w`, asking for
/// weight rows ahead only in the first token tile (see ZOO_PREFETCH_AHEAD).
#define ZOO_FLOAT_TILE(AT, BLOCK_FN, TB, NB, ROWS4)                                                          \
    BLOCK_FN(x + (size_t)(AT).t * k_dim, TB, k_dim, w + (size_t)(AT).n * k_dim, NB,                          \
             y + (size_t)(AT).t * ldy + (AT).n, ldy, accumulate, ROWS4, !(ROWS4) && (AT).t == 0)

/// Where the 16 (AVX2: 8) weights of row `j` of a tile start at column `k` (a multiple of the chunk):
/// row-major rows are `k_dim` apart; in the four-row layout the tile's rows alternate every 16
/// columns (`w` is the group's start, k_dim a multiple of 16).
#define ZOO_WEIGHT_CHUNK(w, j, k, k_dim, rows4) \
    ((rows4) ? (w) + (size_t)((k) >> 4) * 64 + (size_t)(j) * 16 + ((k) & 15) : (w) + (size_t)(j) * (k_dim) + (k))

#endif

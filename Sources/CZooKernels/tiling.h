// The tiling every linear kernel shares: the output [rows, n_begin..n_end) is visited in tiles of
// up to BLOCK token rows × BLOCK weight rows, and TILE(tb, nb) computes one tile with `t` (first
// token row) and `n` (first weight row) in scope. Full tiles and the one-token tile of a decode
// step pass constant sizes, so the compiler keeps every accumulator of those in a register.
#ifndef ZOO_TILING_H
#define ZOO_TILING_H

#define BLOCK 4

// Asks for the same place two tiles (2 × BLOCK weight rows of `row_bytes_or_elements`) ahead. A
// decode step streams each matrix once, and one core's hardware prefetcher alone keeps too few
// lines in flight: this roughly doubles a core's read bandwidth. Prefetches never fault, so reading
// past the matrix's end is harmless. Callers issue one per 64-byte line.
#if defined(__x86_64__)
#include <immintrin.h>
#define ZOO_PREFETCH_AHEAD(p, row_stride) \
    _mm_prefetch((const char *)((p) + (size_t)(2 * BLOCK) * (size_t)(row_stride)), _MM_HINT_T0)
#else
#define ZOO_PREFETCH_AHEAD(p, row_stride) ((void)0)
#endif

#define ZOO_FOR_EACH_TILE(rows, n_begin, n_end, TILE)                                  \
    for (int n = (n_begin); n < (n_end); n += BLOCK) {                                 \
        int nb = (n_end) - n < BLOCK ? (n_end) - n : BLOCK;                            \
        for (int t = 0; t < (rows); t += BLOCK) {                                      \
            int tb = (rows) - t < BLOCK ? (rows) - t : BLOCK;                          \
            if (tb == BLOCK && nb == BLOCK) {                                          \
                TILE(BLOCK, BLOCK);                                                    \
            } else if (tb == 1 && nb == BLOCK) {                                       \
                TILE(1, BLOCK);                                                        \
            } else {                                                                   \
                TILE(tb, nb);                                                          \
            }                                                                          \
        }                                                                              \
    }

#endif

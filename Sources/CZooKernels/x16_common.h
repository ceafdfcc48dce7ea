// What the kernels on rows interleaved by 16 share (linear_x16.c, linear_q4_k_x16.c, linear_bf16x16.c): the
// tile loop over groups of 16 weight rows, and the VNNI broadcast.
#ifndef ZOO_X16_COMMON_H
#define ZOO_X16_COMMON_H

#include <stdint.h>
#include <string.h>
#include "cpu_features.h"
#if ZOO_X86

/// Four activation bytes (one VNNI operand's worth) broadcast to every 32-bit lane.
__attribute__((target("avx512f"))) static inline __m512i zoo_broadcast4(const int8_t *p) {
    int32_t word;
    memcpy(&word, p, 4);
    return _mm512_set1_epi32(word);
}

/// Weight rows a group interleaves.
#define ZOO_X16_GROUP 16

/// Where an x16 tile starts: token row `t` and group `g` (of ZOO_X16_GROUP weight rows); `mask` holds the rows
/// of the tile's last group that exist (the matrix need not end on a whole group).
typedef struct {
    int t, g;
    __mmask16 mask;
} zoo_x16_tile;

/// The tiles over the outputs [0, rows) × [n_begin, n_end) of a kernel on rows interleaved by 16: up to four
/// token rows by one group, or, where the kernel's tile takes two (MAX_GROUPS 2), two groups side by side in a
/// prefill, which then share each activation load. A decode step reads one group at a time: one sequential
/// stream per core (q4_0: 29 against 16 GB/s on one core with two groups side by side). TILE(at, TB, GG)
/// computes one tile with constant TB token rows and GG groups, so its accumulators stay in registers.
#define ZOO_FOR_EACH_X16_TILE(MAX_GROUPS, rows, n_begin, n_end, TILE)                                                 \
    for (int g_ = (n_begin) / ZOO_X16_GROUP, g_end_ = ((n_end) + ZOO_X16_GROUP - 1) / ZOO_X16_GROUP; g_ < g_end_;) {  \
        const int groups_ = (MAX_GROUPS) > 1 && g_end_ - g_ >= 2 && (rows) > 1 ? 2 : 1;                               \
        const int last_rows_ = (n_end) - (g_ + groups_ - 1) * ZOO_X16_GROUP;                                          \
        const __mmask16 mask_ =                                                                                       \
            last_rows_ >= ZOO_X16_GROUP ? (__mmask16)0xFFFF : (__mmask16)((1u << last_rows_) - 1u);                   \
        for (int t_ = 0; t_ < (rows); t_ += 4) {                                                                      \
            const zoo_x16_tile at_ = {t_, g_, mask_};                                                                 \
            const int tb_ = (rows) - t_ < 4 ? (rows) - t_ : 4;                                                        \
            if (groups_ == 2) {                                                                                       \
                ZOO_X16_TOKEN_TILES(at_, tb_, 2, TILE)                                                                \
            } else {                                                                                                  \
                ZOO_X16_TOKEN_TILES(at_, tb_, 1, TILE)                                                                \
            }                                                                                                         \
        }                                                                                                             \
        g_ += groups_;                                                                                                \
    }

/// The tile call for `tb` (1..4) token rows, each count a constant.
#define ZOO_X16_TOKEN_TILES(at, tb, GG, TILE)                                                                         \
    switch (tb) {                                                                                                     \
    case 4: TILE(at, 4, GG); break;                                                                                   \
    case 3: TILE(at, 3, GG); break;                                                                                   \
    case 2: TILE(at, 2, GG); break;                                                                                   \
    default: TILE(at, 1, GG); break;                                                                                  \
    }
#endif

#endif

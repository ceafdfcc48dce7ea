// q4_K weights unpacked at load into blocks of 32 (`q4_Kb32`), times activations quantized to 8 bits,
// with integer dot products: the AVX2 route for q4_K, which has no interleaved VNNI kernel there.
//
// Layout: per row, for each block of 32 (a q4_K sub-block), 16 bytes of nibbles in q4_0's order
// (byte i holds value i in its low nibble and value i + 16 in its high one); and beside the values,
// per row and block, the pair (s, m) = (d·scale, dmin·min) as fp32, both exact. A value is s·q − m,
// exactly gguf-py's dequantization. Nothing is lost: the nibbles and the factors are the super-block's.
//
// Per output element, per block b and lane l of four values: dot = Σ q·xq (exact integers) and
//   lane[l] = fma(dot, s·xd, lane[l]);  lane[l] = fma(−xsum4[l], m·xd, lane[l])
// then the eight lanes are summed in zoo_hsum256's order. That sequence does not depend on the tile,
// so a row's result does not depend on the rows that share the call; the AVX2 path performs the same
// operations as the portable one (its maddubs sums are the same exact integers).
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include "cpu_features.h"

#include "k_scales.h"
#include "tiling.h"

#define QK 32
#define QK_K 256
#define SUPER_BYTES 144

void zoo_unpack_q4_k_b32(const uint8_t *blocks, int rows, int k_dim, uint8_t *nibbles, float *factors) {
    size_t supers = (size_t)rows * (size_t)k_dim / QK_K;
    for (size_t s = 0; s < supers; s++) {
        const uint8_t *block = blocks + s * SUPER_BYTES, *q = block + 16;
        float scale[8], min[8];
        zoo_k_factors(block, scale, min);
        for (int j = 0; j < 8; j++) {
            // Sub-block j's value l is the low (j even) or high (j odd) nibble of q[32·(j/2) + l].
            const uint8_t *chunk = q + 32 * (j / 2);
            int shift = (j & 1) ? 4 : 0;
            uint8_t *out = nibbles + (s * 8 + (size_t)j) * 16;
            for (int i = 0; i < 16; i++)
                out[i] = (uint8_t)(((chunk[i] >> shift) & 0x0F) | (((chunk[i + 16] >> shift) & 0x0F) << 4));
            factors[2 * (s * 8 + (size_t)j)] = scale[j];
            factors[2 * (s * 8 + (size_t)j) + 1] = min[j];
        }
    }
}

void zoo_decode_row_q4_k_b32(const uint8_t *nibbles, const float *factors, int k_dim, int row, float *y) {
#pragma STDC FP_CONTRACT OFF
    int blocks = k_dim / QK;
    for (int b = 0; b < blocks; b++) {
        const uint8_t *block = nibbles + ((size_t)row * blocks + (size_t)b) * 16;
        float s = factors[2 * ((size_t)row * blocks + (size_t)b)], m = factors[2 * ((size_t)row * blocks + (size_t)b) + 1];
        for (int i = 0; i < 16; i++) {
            float lo = s * (float)(block[i] & 0x0F), hi = s * (float)(block[i] >> 4);
            y[b * QK + i] = lo - m;
            y[b * QK + 16 + i] = hi - m;
        }
    }
}

// MARK: - Portable

/// The lanes' sum in zoo_hsum256's order: (l + l+4) pairs, then (0+2, 1+3), then the last two.
static inline float sum_lanes(const float *lane) {
    float h[4];
    for (int l = 0; l < 4; l++) h[l] = lane[l] + lane[l + 4];
    float p0 = h[0] + h[2], p1 = h[1] + h[3];
    return p0 + p1;
}

void zoo_linear_q4_k_b32_x8_portable(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                                     const uint8_t *nibbles, const float *factors, int n_begin, int n_end, float *y,
                                     int ldy, int accumulate) {
    int blocks = k_dim / QK;
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            float lane[8] = {0};
            for (int b = 0; b < blocks; b++) {
                const uint8_t *w = nibbles + ((size_t)n * blocks + (size_t)b) * 16;
                const int8_t *x = xq + (size_t)t * k_dim + (size_t)b * QK;
                const float *f = factors + 2 * ((size_t)n * blocks + (size_t)b);
                float xs = xd[(size_t)t * blocks + b];
                float s = f[0] * xs, m = f[1] * xs;
                for (int l = 0; l < 8; l++) {
                    int32_t dot = 0;
                    for (int e = 0; e < 4; e++) {
                        int i = 4 * l + e;
                        int q = i < 16 ? w[i] & 0x0F : w[i - 16] >> 4;
                        dot += q * x[i];
                    }
                    lane[l] = __builtin_fmaf((float)dot, s, lane[l]);
                    lane[l] = __builtin_fmaf(-(float)xsum4[(size_t)t * (k_dim / 4) + (size_t)b * 8 + l], m, lane[l]);
                }
            }
            float v = sum_lanes(lane);
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

// MARK: - AVX2

#if ZOO_X86
#define AVX2_TARGET __attribute__((target("avx2,fma")))

/// The block's 32 values as bytes (values 0..15 in the low half, 16..31 in the high one).
AVX2_TARGET static inline __m256i b32_values(const uint8_t *block) {
    __m128i packed = _mm_loadu_si128((const __m128i *)block);
    __m128i low = _mm_and_si128(packed, _mm_set1_epi8(0x0F));
    __m128i high = _mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(0x0F));
    return _mm256_set_m128i(high, low);
}

/// Token rows × weight rows of a full tile (overridable for the kernel benchmark's shape sweep): eight
/// accumulators beside the tile's four weight blocks, the activations, their sums and two factors.
#ifndef ZOO_B32_TOKENS
#define ZOO_B32_TOKENS 2
#endif
#ifndef ZOO_B32_ROWS
#define ZOO_B32_ROWS 4
#endif
/// Weight rows a decode step reads side by side (see linear_b32_avx2).
#ifndef ZOO_B32_DECODE_ROWS
#define ZOO_B32_DECODE_ROWS 2
#endif

/// One block b into a tile's accumulators; `f` holds the pairs' (s·xd, m·xd) for this block, as the
/// portable kernel rounds them, 16 floats apart per pair.
AVX2_TARGET __attribute__((always_inline)) static inline void
b32_step(const int8_t *xq, const int32_t *xsum4, int tb, int k_dim, const uint8_t *w, int nb, int b, const float *f,
         __m256 acc[ZOO_B32_TOKENS][ZOO_B32_ROWS]) {
    int blocks = k_dim / QK;
    __m256i wv[ZOO_B32_ROWS];
    for (int j = 0; j < nb; j++) {
        const uint8_t *row = w + ((size_t)j * blocks + (size_t)b) * 16;
        if (!(b & 3)) ZOO_PREFETCH_AHEAD(row, (size_t)blocks * 16, nb);
        wv[j] = b32_values(row);
    }
    for (int i = 0; i < tb; i++) {
        __m256i xv = _mm256_loadu_si256((const __m256i *)(xq + (size_t)i * k_dim + (size_t)b * QK));
        __m256 sums = _mm256_cvtepi32_ps(
            _mm256_loadu_si256((const __m256i *)(xsum4 + (size_t)i * (k_dim / 4) + (size_t)b * 8)));
        for (int j = 0; j < nb; j++) {
            const float *pair = f + (i * ZOO_B32_ROWS + j) * 16;
            __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(wv[j], xv), _mm256_set1_epi16(1));
            acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_broadcast_ss(pair), acc[i][j]);
            acc[i][j] = _mm256_fnmadd_ps(sums, _mm256_broadcast_ss(pair + 1), acc[i][j]);
        }
    }
}

AVX2_TARGET __attribute__((always_inline)) static inline void
b32_tile(const int8_t *xq, const float *xd, const int32_t *xsum4, int tb, int k_dim, const uint8_t *w,
         const float *factors, int nb, float *y, int ldy, int accumulate) {
    int blocks = k_dim / QK;
    __m256 acc[ZOO_B32_TOKENS][ZOO_B32_ROWS];
    for (int i = 0; i < ZOO_B32_TOKENS; i++)
        for (int j = 0; j < ZOO_B32_ROWS; j++) acc[i][j] = _mm256_setzero_ps();
    // Eight blocks at a time: the pairs' factors times the activation scales, two vector multiplies per
    // pair ((s, m) of four blocks times (xd, xd) of the same four), instead of two per block.
    for (int b0 = 0; b0 < blocks; b0 += 8) {
        int bn = blocks - b0 < 8 ? blocks - b0 : 8;
        float f[ZOO_B32_TOKENS * ZOO_B32_ROWS * 16] __attribute__((aligned(32)));
        for (int i = 0; i < tb; i++)
            for (int j = 0; j < nb; j++) {
                const float *sm = factors + 2 * ((size_t)j * blocks + (size_t)b0), *xs = xd + (size_t)i * blocks + b0;
                float *to = f + (i * ZOO_B32_ROWS + j) * 16;
                if (bn == 8) {
                    __m256 x8 = _mm256_loadu_ps(xs);
                    __m256 lo = _mm256_permutevar8x32_ps(x8, _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
                    __m256 hi = _mm256_permutevar8x32_ps(x8, _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7));
                    _mm256_store_ps(to, _mm256_mul_ps(_mm256_loadu_ps(sm), lo));
                    _mm256_store_ps(to + 8, _mm256_mul_ps(_mm256_loadu_ps(sm + 8), hi));
                } else {
                    for (int e = 0; e < bn; e++) {
                        to[2 * e] = sm[2 * e] * xs[e];
                        to[2 * e + 1] = sm[2 * e + 1] * xs[e];
                    }
                }
            }
        for (int e = 0; e < bn; e++) b32_step(xq, xsum4, tb, k_dim, w, nb, b0 + e, f + 2 * e, acc);
    }
    ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, zoo_hsum256);
}

AVX2_TARGET static void linear_b32_avx2(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                                        const uint8_t *nibbles, const float *factors, int n_begin, int n_end, float *y,
                                        int ldy, int accumulate) {
    int blocks = k_dim / QK;
    if (rows == 1) {
        // One token (a decode step): two rows side by side. A row alone is one chain of two fused
        // multiply-adds per block, which waits on their latency; two chains halve the wait, and two
        // streams still keep a core's prefetchers ahead (four did not, reading from memory). Per
        // element the tile's arithmetic, so the bits do not change.
        for (int n = n_begin; n < n_end; n += ZOO_B32_DECODE_ROWS) {
            int nb = n_end - n < ZOO_B32_DECODE_ROWS ? n_end - n : ZOO_B32_DECODE_ROWS;
            const uint8_t *wn = nibbles + (size_t)n * blocks * 16;
            const float *fn = factors + (size_t)n * blocks * 2;
            if (nb == ZOO_B32_DECODE_ROWS)
                b32_tile(xq, xd, xsum4, 1, k_dim, wn, fn, ZOO_B32_DECODE_ROWS, y + n, ldy, accumulate);
            else
                b32_tile(xq, xd, xsum4, 1, k_dim, wn, fn, nb, y + n, ldy, accumulate);
        }
        return;
    }
#define TILE(AT, TB, NB)                                                                                              \
    b32_tile(xq + (size_t)(AT).t * k_dim, xd + (size_t)(AT).t * blocks, xsum4 + (size_t)(AT).t * (k_dim / 4),         \
             TB, k_dim, nibbles + (size_t)(AT).n * blocks * 16, factors + (size_t)(AT).n * blocks * 2, NB,            \
             y + (size_t)(AT).t * ldy + (AT).n, ldy, accumulate)
    ZOO_FOR_EACH_TILE_SHAPED(ZOO_B32_TOKENS, ZOO_B32_ROWS, rows, n_begin, n_end, TILE)
#undef TILE
}
#endif

// MARK: - Dispatch

void zoo_linear_q4_k_b32_x8(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                            const uint8_t *nibbles, const float *factors, int n_begin, int n_end, float *y, int ldy,
                            int accumulate) {
#if ZOO_X86
    if (zoo_isa_index() >= ZOO_ISA_AVX2) {
        linear_b32_avx2(xq, xd, xsum4, rows, k_dim, nibbles, factors, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    zoo_linear_q4_k_b32_x8_portable(xq, xd, xsum4, rows, k_dim, nibbles, factors, n_begin, n_end, y, ldy, accumulate);
}

// The SIMD tiles of the two k-quants with 6-bit scales and mins, q4_K and q5_K (linear_q4_k.c,
// linear_q5_k.c). Their super-blocks differ only in size and where the nibbles start, and q5_K adds a
// fifth bit per value from qh[32]; so one AVX-512 and one AVX2 tile serve both, and each format calls
// them with its layout as constants (the tiles are always inlined, so the q4_K code has no qh branch).
//
// 16 (or 8) weights are dequantized at a time with one fused multiply-subtract (exactly the
// dequantized value) and fed to the fp32 accumulators of every token row of the tile in the chunk
// order and lane layout of linear_f32.c, so an output element's arithmetic does not depend on the
// number of rows and equals the fp32 kernel on the dequantized weights, bit for bit.
#ifndef ZOO_K_TILES_H
#define ZOO_K_TILES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpu_features.h"
#include "dequant_frame.h"
#include "half.h"
#include "k_scales.h"
#include "tiling.h"

#if ZOO_X86

#define ZOO_QK_K 256

/// Where a k-quant super-block keeps its parts: `block_bytes` in all, the nibbles qs[128] at
/// `qs_offset`, and the fifth bits qh[32] at `qh_offset` (-1: none, q4_K).
typedef struct {
    int block_bytes, qs_offset, qh_offset;
} zoo_k_layout;

/// The nibbles `nibbles` (already masked to 0..15) with 16 added where `bit` is set in `high`.
static inline __m128i zoo_k_with_high_bits(__m128i nibbles, __m128i high, int bit) {
    const __m128i sixteen = _mm_set1_epi8(16);
    __m128i clear = _mm_cmpeq_epi8(_mm_and_si128(high, _mm_set1_epi8((char)(1 << bit))), _mm_setzero_si128());
    return _mm_or_si128(nibbles, _mm_andnot_si128(clear, sixteen));
}

/// The fifth bits qh[32] of `block` as two 16-byte halves (zeros where the format has none).
static inline void zoo_k_high_bits(const zoo_k_layout layout, const uint8_t *block, __m128i high[2]) {
    high[0] = high[1] = _mm_setzero_si128();
    if (layout.qh_offset < 0) return;
    high[0] = _mm_loadu_si128((const __m128i *)(block + layout.qh_offset));
    high[1] = _mm_loadu_si128((const __m128i *)(block + layout.qh_offset + 16));
}

// MARK: - AVX-512

/// Sixteen unsigned bytes as floats.
__attribute__((target("avx512f"))) static inline __m512 zoo_k_widen16(__m128i bytes) {
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(bytes));
}

__attribute__((target("avx512f"), always_inline)) static inline void
zoo_k_tile_avx512(const zoo_k_layout layout, zoo_dequant_call c, int tb, int nb, int prefetch) {
    const __m128i low = _mm_set1_epi8(0x0F);
    __m512 acc[BLOCK][BLOCK];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < c.k_dim / ZOO_QK_K; b++) {
        const float *xb = c.x + (size_t)b * ZOO_QK_K;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = zoo_k_block(c, j, b, layout.block_bytes, prefetch);
            const uint8_t *q = block + layout.qs_offset;
            // Lanes 0..7: d·scale; lanes 8..15: dmin·min (avx512f implies F16C).
            uint32_t halves;
            memcpy(&halves, block, 4);
            __m128 d_dmin = _mm_cvtph_ps(_mm_cvtsi32_si128((int)halves));
            __m512 factor = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1),
                                                  _mm512_castps128_ps512(d_dmin));
            float f[16];
            _mm512_storeu_ps(f, _mm512_mul_ps(factor, zoo_k_widen16(zoo_k_scales_and_mins(block + 4))));
            __m128i h[2];
            zoo_k_high_bits(layout, block, h);
            for (int chunk = 0; chunk < 4; chunk++) {
                __m128i p0 = _mm_loadu_si128((const __m128i *)(q + 32 * chunk));
                __m128i p1 = _mm_loadu_si128((const __m128i *)(q + 32 * chunk + 16));
                __m512 sl = _mm512_set1_ps(f[2 * chunk]), ml = _mm512_set1_ps(f[8 + 2 * chunk]);
                __m512 sh = _mm512_set1_ps(f[2 * chunk + 1]), mh = _mm512_set1_ps(f[8 + 2 * chunk + 1]);
                __m128i q0 = _mm_and_si128(p0, low), q1 = _mm_and_si128(p1, low);
                __m128i q2 = _mm_and_si128(_mm_srli_epi16(p0, 4), low), q3 = _mm_and_si128(_mm_srli_epi16(p1, 4), low);
                if (layout.qh_offset >= 0) {
                    q0 = zoo_k_with_high_bits(q0, h[0], 2 * chunk);
                    q1 = zoo_k_with_high_bits(q1, h[1], 2 * chunk);
                    q2 = zoo_k_with_high_bits(q2, h[0], 2 * chunk + 1);
                    q3 = zoo_k_with_high_bits(q3, h[1], 2 * chunk + 1);
                }
                __m512 w0 = _mm512_fmsub_ps(sl, zoo_k_widen16(q0), ml);
                __m512 w1 = _mm512_fmsub_ps(sl, zoo_k_widen16(q1), ml);
                __m512 w2 = _mm512_fmsub_ps(sh, zoo_k_widen16(q2), mh);
                __m512 w3 = _mm512_fmsub_ps(sh, zoo_k_widen16(q3), mh);
                for (int i = 0; i < tb; i++) {
                    const float *xc = xb + (size_t)i * c.k_dim + 64 * chunk;
                    acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc), w0, acc[i][j]);
                    acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc + 16), w1, acc[i][j]);
                    acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc + 32), w2, acc[i][j]);
                    acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc + 48), w3, acc[i][j]);
                }
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, c.y, c.ldy, c.accumulate, _mm512_reduce_add_ps);
}

// MARK: - AVX2 + FMA

/// The low (half 0) or high (half 1) eight unsigned bytes of `bytes`, as floats.
__attribute__((target("avx2,fma"))) static inline __m256 zoo_k_widen8(__m128i bytes, int half) {
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(half ? _mm_srli_si128(bytes, 8) : bytes));
}

__attribute__((target("avx2,fma"), always_inline)) static inline void
zoo_k_tile_avx2(const zoo_k_layout layout, zoo_dequant_call c, int tb, int nb, int prefetch) {
    const __m128i low = _mm_set1_epi8(0x0F);
    __m256 acc[BLOCK][BLOCK];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < c.k_dim / ZOO_QK_K; b++) {
        const float *xb = c.x + (size_t)b * ZOO_QK_K;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = zoo_k_block(c, j, b, layout.block_bytes, prefetch);
            const uint8_t *q = block + layout.qs_offset;
            __m128i packed = zoo_k_scales_and_mins(block + 4);
            float scale[8], min[8];
            _mm256_storeu_ps(scale, _mm256_mul_ps(_mm256_set1_ps(zoo_f16_at(block)), zoo_k_widen8(packed, 0)));
            _mm256_storeu_ps(min, _mm256_mul_ps(_mm256_set1_ps(zoo_f16_at(block + 2)), zoo_k_widen8(packed, 1)));
            __m128i h[2];
            zoo_k_high_bits(layout, block, h);
            for (int chunk = 0; chunk < 4; chunk++) {
                __m128i p[2] = {_mm_loadu_si128((const __m128i *)(q + 32 * chunk)),
                                _mm_loadu_si128((const __m128i *)(q + 32 * chunk + 16))};
                for (int s = 0; s < 2; s++) {  // sub-block 2·chunk (low nibbles), then 2·chunk + 1 (high)
                    __m256 sc = _mm256_set1_ps(scale[2 * chunk + s]), mn = _mm256_set1_ps(min[2 * chunk + s]);
                    for (int part = 0; part < 4; part++) {
                        __m128i bytes = s ? _mm_srli_epi16(p[part / 2], 4) : p[part / 2];
                        __m128i values = _mm_and_si128(bytes, low);
                        if (layout.qh_offset >= 0) values = zoo_k_with_high_bits(values, h[part / 2], 2 * chunk + s);
                        __m256 wv = _mm256_fmsub_ps(sc, zoo_k_widen8(values, part & 1), mn);
                        for (int i = 0; i < tb; i++) {
                            const float *xc = xb + (size_t)i * c.k_dim + 64 * chunk + 32 * s + 8 * part;
                            acc[i][j] = _mm256_fmadd_ps(_mm256_loadu_ps(xc), wv, acc[i][j]);
                        }
                    }
                }
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, c.y, c.ldy, c.accumulate, zoo_hsum256);
}

// MARK: - Drivers

/// The AVX-512 tiles over the outputs [0, rows) × [n_begin, n_end) of `c`, for the format `layout`.
__attribute__((target("avx512f"), always_inline)) static inline void
zoo_k_linear_avx512(const zoo_k_layout layout, zoo_dequant_call c, int n_begin, int n_end) {
#define TILE(AT, TB, NB) zoo_k_tile_avx512(layout, zoo_dequant_tile(c, AT), TB, NB, (AT).t == 0)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}

/// The AVX2 tiles over the outputs [0, rows) × [n_begin, n_end) of `c`, for the format `layout`.
__attribute__((target("avx2,fma"), always_inline)) static inline void
zoo_k_linear_avx2(const zoo_k_layout layout, zoo_dequant_call c, int n_begin, int n_end) {
#define TILE(AT, TB, NB) zoo_k_tile_avx2(layout, zoo_dequant_tile(c, AT), TB, NB, (AT).t == 0)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}

#endif  // ZOO_X86

#endif

// q6_K weights (llama.cpp's 6-bit k-quant) times fp32 activations, read in place from GGUF blocks.
// A super-block of 256 values is 210 bytes: ql[128] (low four bits), qh[64] (high two bits),
// int8 scales[16] (one per sub-block of 16) and an fp16 d. Each half of 128 values uses 64 bytes
// of ql and 32 of qh: value r of a half takes the nibble (r / 64) of ql[r % 64] and the bit pair
// (r / 32) of qh[r % 32]; a value is (d·scale)·(q − 32).
//
// As in linear_q4_k.c, weights are dequantized 16 (or 8) at a time (the same products as the
// dequantizer) and feed fp32 accumulators in linear_f32.c's order, so the result does not depend
// on the number of rows and equals the fp32 kernel on the dequantized weights, bit for bit.
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"

#include "dequant_frame.h"
#include "half.h"
#include "tiling.h"

#define QK_K 256
#define BLOCK_BYTES 210

/// The sixteen d·scale factors of a super-block, rounded to fp32 as gguf-py does.
static inline void q6_k_factors(const uint8_t *block, float *scale) {
    float d = zoo_f16_at(block + 208);
    const int8_t *s = (const int8_t *)(block + 192);
    for (int g = 0; g < 16; g++) scale[g] = d * (float)s[g];
}

/// Value r (0..127) of half h of a super-block, in 0..63.
static inline int q6_k_value(const uint8_t *block, int h, int r) {
    const uint8_t *ql = block + 64 * h, *qh = block + 128 + 32 * h;
    return ((ql[r % 64] >> (4 * (r / 64))) & 0x0F) | (((qh[r % 32] >> (2 * (r / 32))) & 3) << 4);
}

/// One super-block as fp32: (d·scale)·(q − 32), both products rounded as gguf-py does (and as the
/// SIMD paths multiply).
static inline void q6_k_dequantize_block(const uint8_t *block, float *y) {
    float scale[16];
    q6_k_factors(block, scale);
    for (int v = 0; v < QK_K; v++) y[v] = scale[v / 16] * (float)(q6_k_value(block, v / 128, v % 128) - 32);
}

void zoo_dequantize_q6_k(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / QK_K; b++) q6_k_dequantize_block(blocks + (size_t)b * BLOCK_BYTES, out + (size_t)b * QK_K);
}

#if ZOO_X86
/// The sixteen 6-bit values of group g (0..7) of a half, minus 32, as int8: the low bits come
/// from ql chunk g % 4 (high nibbles for g ≥ 4), the high pair from qh chunk g % 2, bits 2·(g / 2).
/// SSE2 only, so both SIMD paths inline it.
static inline __m128i
q6_k_group(const __m128i *low, const __m128i *high, int g) {
    const __m128i nibble = _mm_set1_epi8(0x0F), pair = _mm_set1_epi8(0x30);
    __m128i lo = _mm_and_si128(g >= 4 ? _mm_srli_epi16(low[g & 3], 4) : low[g & 3], nibble);
    __m128i hi = high[g & 1];
    // Move the wanted pair to bits 4..5; bits shifted in from the neighbouring byte are masked off.
    switch (g >> 1) {
    case 0: hi = _mm_slli_epi16(hi, 4); break;
    case 1: hi = _mm_slli_epi16(hi, 2); break;
    case 2: break;
    default: hi = _mm_srli_epi16(hi, 2); break;
    }
    return _mm_sub_epi8(_mm_or_si128(lo, _mm_and_si128(hi, pair)), _mm_set1_epi8(32));
}

/// Half `h` of a block (values 128·h ..< 128·h + 128): its 64 low-nibble bytes (ql, four vectors) and
/// its 32 high-pair bytes (qh, two vectors), as q6_k_group reads them.
static inline void q6_k_load_half(const uint8_t *block, int h, __m128i low[4], __m128i high[2]) {
    for (int c = 0; c < 4; c++) low[c] = _mm_loadu_si128((const __m128i *)(block + 64 * h + 16 * c));
    for (int c = 0; c < 2; c++) high[c] = _mm_loadu_si128((const __m128i *)(block + 128 + 32 * h + 16 * c));
}

// MARK: - AVX-512

__attribute__((target("avx512f"), always_inline)) static inline void
q6_k_tile_avx512(zoo_dequant_call c, int tb, int nb, int prefetch) {
    __m512 acc[BLOCK][BLOCK];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < c.k_dim / QK_K; b++) {
        const float *xb = c.x + (size_t)b * QK_K;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = zoo_k_block(c, j, b, BLOCK_BYTES, prefetch);
            float scale[16];
            __m128i scales = _mm_loadu_si128((const __m128i *)(block + 192));
            _mm512_storeu_ps(scale, _mm512_mul_ps(_mm512_set1_ps(zoo_f16_at(block + 208)),
                                                  _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(scales))));
            for (int h = 0; h < 2; h++) {
                __m128i low[4], high[2];
                q6_k_load_half(block, h, low, high);
                for (int g = 0; g < 8; g++) {
                    __m512 q = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q6_k_group(low, high, g)));
                    __m512 wv = _mm512_mul_ps(_mm512_set1_ps(scale[8 * h + g]), q);
                    for (int i = 0; i < tb; i++) {
                        const float *xg = xb + (size_t)i * c.k_dim + 128 * h + 16 * g;
                        acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xg), wv, acc[i][j]);
                    }
                }
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, c.y, c.ldy, c.accumulate, _mm512_reduce_add_ps);
}


// MARK: - AVX2 + FMA

__attribute__((target("avx2,fma"), always_inline)) static inline void
q6_k_tile_avx2(zoo_dequant_call c, int tb, int nb, int prefetch) {
    __m256 acc[BLOCK][BLOCK];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < c.k_dim / QK_K; b++) {
        const float *xb = c.x + (size_t)b * QK_K;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = zoo_k_block(c, j, b, BLOCK_BYTES, prefetch);
            float scale[16];
            __m128i scales = _mm_loadu_si128((const __m128i *)(block + 192));
            __m256 d = _mm256_set1_ps(zoo_f16_at(block + 208));
            _mm256_storeu_ps(scale, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(scales))));
            _mm256_storeu_ps(scale + 8, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(scales, 8)))));
            for (int h = 0; h < 2; h++) {
                __m128i low[4], high[2];
                q6_k_load_half(block, h, low, high);
                for (int g = 0; g < 8; g++) {
                    __m128i q = q6_k_group(low, high, g);
                    __m256 sc = _mm256_set1_ps(scale[8 * h + g]);
                    for (int part = 0; part < 2; part++) {
                        __m256 wv = _mm256_mul_ps(
                            sc, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(part ? _mm_srli_si128(q, 8) : q)));
                        for (int i = 0; i < tb; i++) {
                            const float *xg = xb + (size_t)i * c.k_dim + 128 * h + 16 * g + 8 * part;
                            acc[i][j] = _mm256_fmadd_ps(_mm256_loadu_ps(xg), wv, acc[i][j]);
                        }
                    }
                }
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, c.y, c.ldy, c.accumulate, zoo_hsum256);
}

#endif  // ZOO_X86

// MARK: - Drivers and the public entry point (dequant_frame.h)

#if ZOO_X86
__attribute__((target("avx512f"))) static void q6_k_linear_avx512(zoo_dequant_call c, int n_begin, int n_end) {
#define TILE(AT, TB, NB) q6_k_tile_avx512(zoo_dequant_tile(c, AT), TB, NB, (AT).t == 0)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}

__attribute__((target("avx2,fma"))) static void q6_k_linear_avx2(zoo_dequant_call c, int n_begin, int n_end) {
#define TILE(AT, TB, NB) q6_k_tile_avx2(zoo_dequant_tile(c, AT), TB, NB, (AT).t == 0)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}
#endif

static const zoo_dequant_format q6_k_format = {
    .block_values = QK_K,
    .block_bytes = BLOCK_BYTES,
    .dequantize_block = q6_k_dequantize_block,
#if ZOO_X86
    .avx512 = q6_k_linear_avx512,
    .avx2 = q6_k_linear_avx2,
#elif ZOO_ARM64
    .neon = zoo_neon_linear_q6_k,
#endif
};

void zoo_linear_q6_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
    zoo_dequant_linear(&q6_k_format, x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate);
}

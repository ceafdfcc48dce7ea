// q5_K weights (llama.cpp's 5-bit k-quant) times fp32 activations, read in place from GGUF blocks.
// A super-block of 256 values is 176 bytes: fp16 d, fp16 dmin, the 12 bytes of 6-bit scales and
// mins of q4_K (k_scales.h), qh[32], then qs[128]. As in q4_K, byte l of chunk c (32 bytes) of qs
// holds value l of sub-block 2c in its low nibble and of sub-block 2c + 1 in its high nibble; the
// fifth bit of value l of sub-block s is bit s of qh[l]. A value is (d·scale)·q − dmin·min.
//
// Same design as linear_q4_k.c: 16 (or 8) weights dequantized at a time with one fused
// multiply-subtract (exactly the dequantized value: d·scale·q has at most 22 significant bits)
// feed the fp32 accumulators in linear_f32.c's chunk order and lane layout, so an output element's
// arithmetic does not depend on the number of rows and equals the fp32 kernel on the dequantized
// weights, bit for bit.
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"

#include "dequant_frame.h"
#include "half.h"
#include "k_scales.h"
#include "tiling.h"

#define QK_K 256
#define BLOCK_BYTES 176
#define QH_OFFSET 16
#define QS_OFFSET 48

/// One super-block as fp32, with gguf-py's arithmetic: (d·scale) and (dmin·min) rounded to fp32,
/// then (d·scale)·q (exact) minus (dmin·min), rounded once.
static inline void q5_k_dequantize_block(const uint8_t *block, float *y) {
#pragma STDC FP_CONTRACT OFF
    const uint8_t *qh = block + QH_OFFSET, *q = block + QS_OFFSET;
    float scale[8], min[8];
    zoo_k_factors(block, scale, min);
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++) {
            int lo = (q[32 * c + l] & 0x0F) | (((qh[l] >> (2 * c)) & 1) << 4);
            int hi = (q[32 * c + l] >> 4) | (((qh[l] >> (2 * c + 1)) & 1) << 4);
            float a = scale[2 * c] * (float)lo, b = scale[2 * c + 1] * (float)hi;
            y[64 * c + l] = a - min[2 * c];
            y[64 * c + 32 + l] = b - min[2 * c + 1];
        }
}

void zoo_dequantize_q5_k(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / QK_K; b++) q5_k_dequantize_block(blocks + (size_t)b * BLOCK_BYTES, out + (size_t)b * QK_K);
}

#if ZOO_X86
/// The nibbles `nibbles` (already masked to 0..15) with 16 added where `bit` is set in `high`.
static inline __m128i q5_k_with_high_bits(__m128i nibbles, __m128i high, int bit) {
    const __m128i sixteen = _mm_set1_epi8(16);
    __m128i clear = _mm_cmpeq_epi8(_mm_and_si128(high, _mm_set1_epi8((char)(1 << bit))), _mm_setzero_si128());
    return _mm_or_si128(nibbles, _mm_andnot_si128(clear, sixteen));
}

// MARK: - AVX-512

/// Sixteen unsigned bytes as floats.
__attribute__((target("avx512f"))) static inline __m512 q5_k_widen16(__m128i bytes) {
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(bytes));
}

__attribute__((target("avx512f"), always_inline)) static inline void
q5_k_tile_avx512(const float *x, int tb, int k_dim, const uint8_t *w, int nb, float *y, int ldy, int accumulate,
                 int prefetch) {
    const int blocks = k_dim / QK_K;
    const size_t row_bytes = (size_t)blocks * BLOCK_BYTES;
    const __m128i low = _mm_set1_epi8(0x0F);
    __m512 acc[BLOCK][BLOCK];
    for (int i = 0; i < BLOCK; i++)
        for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm512_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        const float *xb = x + (size_t)b * QK_K;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = w + (size_t)j * row_bytes + (size_t)b * BLOCK_BYTES, *q = block + QS_OFFSET;
            if (prefetch) zoo_prefetch_block(block + ZOO_K_PREFETCH_ROWS * row_bytes, BLOCK_BYTES);
            // Lanes 0..7: d·scale; lanes 8..15: dmin·min (avx512f implies F16C).
            uint32_t halves;
            memcpy(&halves, block, 4);
            __m128 d_dmin = _mm_cvtph_ps(_mm_cvtsi32_si128((int)halves));
            __m512 factor = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1),
                                                  _mm512_castps128_ps512(d_dmin));
            float f[16];
            _mm512_storeu_ps(f, _mm512_mul_ps(factor, q5_k_widen16(zoo_k_scales_and_mins(block + 4))));
            __m128i h0 = _mm_loadu_si128((const __m128i *)(block + QH_OFFSET));
            __m128i h1 = _mm_loadu_si128((const __m128i *)(block + QH_OFFSET + 16));
            for (int c = 0; c < 4; c++) {
                __m128i p0 = _mm_loadu_si128((const __m128i *)(q + 32 * c));
                __m128i p1 = _mm_loadu_si128((const __m128i *)(q + 32 * c + 16));
                __m512 sl = _mm512_set1_ps(f[2 * c]), ml = _mm512_set1_ps(f[8 + 2 * c]);
                __m512 sh = _mm512_set1_ps(f[2 * c + 1]), mh = _mm512_set1_ps(f[8 + 2 * c + 1]);
                __m128i q0 = q5_k_with_high_bits(_mm_and_si128(p0, low), h0, 2 * c);
                __m128i q1 = q5_k_with_high_bits(_mm_and_si128(p1, low), h1, 2 * c);
                __m128i q2 = q5_k_with_high_bits(_mm_and_si128(_mm_srli_epi16(p0, 4), low), h0, 2 * c + 1);
                __m128i q3 = q5_k_with_high_bits(_mm_and_si128(_mm_srli_epi16(p1, 4), low), h1, 2 * c + 1);
                __m512 w0 = _mm512_fmsub_ps(sl, q5_k_widen16(q0), ml);
                __m512 w1 = _mm512_fmsub_ps(sl, q5_k_widen16(q1), ml);
                __m512 w2 = _mm512_fmsub_ps(sh, q5_k_widen16(q2), mh);
                __m512 w3 = _mm512_fmsub_ps(sh, q5_k_widen16(q3), mh);
                for (int i = 0; i < tb; i++) {
                    const float *xc = xb + (size_t)i * k_dim + 64 * c;
                    acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc), w0, acc[i][j]);
                    acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc + 16), w1, acc[i][j]);
                    acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc + 32), w2, acc[i][j]);
                    acc[i][j] = _mm512_fmadd_ps(_mm512_loadu_ps(xc + 48), w3, acc[i][j]);
                }
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, _mm512_reduce_add_ps);
}


// MARK: - AVX2 + FMA

/// The low (half 0) or high (half 1) eight unsigned bytes of `bytes`, as floats.
__attribute__((target("avx2,fma"))) static inline __m256 q5_k_widen8(__m128i bytes, int half) {
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(half ? _mm_srli_si128(bytes, 8) : bytes));
}

__attribute__((target("avx2,fma"), always_inline)) static inline void
q5_k_tile_avx2(const float *x, int tb, int k_dim, const uint8_t *w, int nb, float *y, int ldy, int accumulate,
               int prefetch) {
    const int blocks = k_dim / QK_K;
    const size_t row_bytes = (size_t)blocks * BLOCK_BYTES;
    const __m128i low = _mm_set1_epi8(0x0F);
    __m256 acc[BLOCK][BLOCK];
    for (int i = 0; i < BLOCK; i++)
        for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        const float *xb = x + (size_t)b * QK_K;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = w + (size_t)j * row_bytes + (size_t)b * BLOCK_BYTES, *q = block + QS_OFFSET;
            if (prefetch) zoo_prefetch_block(block + ZOO_K_PREFETCH_ROWS * row_bytes, BLOCK_BYTES);
            __m128i packed = zoo_k_scales_and_mins(block + 4);
            float scale[8], min[8];
            _mm256_storeu_ps(scale, _mm256_mul_ps(_mm256_set1_ps(zoo_f16_at(block)), q5_k_widen8(packed, 0)));
            _mm256_storeu_ps(min, _mm256_mul_ps(_mm256_set1_ps(zoo_f16_at(block + 2)), q5_k_widen8(packed, 1)));
            __m128i h[2] = {_mm_loadu_si128((const __m128i *)(block + QH_OFFSET)),
                            _mm_loadu_si128((const __m128i *)(block + QH_OFFSET + 16))};
            for (int c = 0; c < 4; c++) {
                __m128i p[2] = {_mm_loadu_si128((const __m128i *)(q + 32 * c)),
                                _mm_loadu_si128((const __m128i *)(q + 32 * c + 16))};
                for (int s = 0; s < 2; s++) {  // sub-block 2c (low nibbles), then 2c + 1 (high)
                    __m256 sc = _mm256_set1_ps(scale[2 * c + s]), mn = _mm256_set1_ps(min[2 * c + s]);
                    for (int part = 0; part < 4; part++) {
                        __m128i bytes = s ? _mm_srli_epi16(p[part / 2], 4) : p[part / 2];
                        __m128i values = q5_k_with_high_bits(_mm_and_si128(bytes, low), h[part / 2], 2 * c + s);
                        __m256 wv = _mm256_fmsub_ps(sc, q5_k_widen8(values, part & 1), mn);
                        for (int i = 0; i < tb; i++) {
                            const float *xc = xb + (size_t)i * k_dim + 64 * c + 32 * s + 8 * part;
                            acc[i][j] = _mm256_fmadd_ps(_mm256_loadu_ps(xc), wv, acc[i][j]);
                        }
                    }
                }
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, zoo_hsum256);
}

#endif  // ZOO_X86

// MARK: - Drivers and the public entry point (dequant_frame.h)

#if ZOO_X86
__attribute__((target("avx512f"))) static void q5_k_linear_avx512(zoo_dequant_call c, int n_begin, int n_end) {
#define TILE(TB, NB) ZOO_K_TILE_OF(c, q5_k_tile_avx512, TB, NB)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}

__attribute__((target("avx2,fma"))) static void q5_k_linear_avx2(zoo_dequant_call c, int n_begin, int n_end) {
#define TILE(TB, NB) ZOO_K_TILE_OF(c, q5_k_tile_avx2, TB, NB)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}
#endif

static const zoo_dequant_format q5_k_format = {
    .block_values = QK_K,
    .block_bytes = BLOCK_BYTES,
    .dequantize_block = q5_k_dequantize_block,
#if ZOO_X86
    .avx512 = q5_k_linear_avx512,
    .avx2 = q5_k_linear_avx2,
#elif ZOO_ARM64
    .neon = zoo_neon_linear_q5_k,
#endif
};

void zoo_linear_q5_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
    zoo_dequant_linear(&q5_k_format, x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate);
}

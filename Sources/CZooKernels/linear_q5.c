// q5_0 and q5_1 weights (llama.cpp's 5-bit formats for blocks of 32) times fp32 activations, read
// in place from GGUF blocks. llama.cpp's Q4_K_M and Q5_K_M write them for matrices whose rows are
// not a multiple of 256 wide (Qwen2.5-0.5B's 896), where the k-quants cannot go.
//
// q5_0 is 22 bytes: fp16 d, a little-endian uint32 qh, qs[16]; q5_1 is 24 bytes: fp16 d, fp16 m,
// qh, qs[16]. Value l of a block takes the low nibble of qs[l] (l < 16) or the high nibble of
// qs[l − 16], and bit l of qh as its fifth bit: q in 0..31. A q5_0 value is d·(q − 16), a q5_1
// value d·q + m.
//
// As in linear_q4_k.c, 16 (or 8) weights are dequantized at a time, exactly as gguf-py does (d·q
// has at most 16 significant bits, so the product is exact and the fused d·q + m rounds once, like
// gguf-py's add), and feed fp32 accumulators in linear_f32.c's chunk order and lane layout. So an
// output element's arithmetic does not depend on the number of rows and equals the fp32 kernel on
// the dequantized weights, bit for bit.
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"

#include "dequant_frame.h"
#include "half.h"
#include "tiling.h"

#define QK 32

/// Block bytes: 22 for q5_0, 24 for q5_1 (which adds an fp16 m after d).
#define Q5_BYTES(with_min) ((with_min) ? 24 : 22)

static inline uint32_t q5_high_bits(const uint8_t *block, int with_min) {
    const uint8_t *p = block + (with_min ? 4 : 2);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/// One block as fp32, with gguf-py's arithmetic.
static inline void q5_dequantize_block(const uint8_t *block, int with_min, float *y) {
#pragma STDC FP_CONTRACT OFF
    float d = zoo_f16_at(block), m = with_min ? zoo_f16_at(block + 2) : 0.0f;
    uint32_t qh = q5_high_bits(block, with_min);
    const uint8_t *qs = block + (with_min ? 8 : 6);
    for (int l = 0; l < QK; l++) {
        int q = ((l < 16 ? qs[l] : qs[l - 16] >> 4) & 0x0F) | (int)(((qh >> l) & 1) << 4);
        if (with_min) {
            float dq = d * (float)q;
            y[l] = dq + m;
        } else {
            y[l] = d * (float)(q - 16);
        }
    }
}

void zoo_dequantize_q5_0(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / QK; b++) q5_dequantize_block(blocks + (size_t)b * Q5_BYTES(0), 0, out + (size_t)b * QK);
}

void zoo_dequantize_q5_1(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / QK; b++) q5_dequantize_block(blocks + (size_t)b * Q5_BYTES(1), 1, out + (size_t)b * QK);
}

void zoo_widen_q5_0(const uint8_t *blocks, int rows, int k_dim, int8_t *values, float *scales) {
    size_t count = (size_t)rows * (size_t)k_dim / QK;
    for (size_t b = 0; b < count; b++) {
        const uint8_t *block = blocks + b * Q5_BYTES(0);
        scales[b] = zoo_f16_at(block);
        uint32_t qh = q5_high_bits(block, 0);
        const uint8_t *qs = block + 6;
        for (int l = 0; l < QK; l++) {
            int q = ((l < 16 ? qs[l] : qs[l - 16] >> 4) & 0x0F) | (int)(((qh >> l) & 1) << 4);
            values[b * QK + (size_t)l] = (int8_t)(q - 16);
        }
    }
}

#if ZOO_X86
/// A block's parts as the SIMD tiles read them: scale `d`, min `m` (0 for q5_0), the 32 fifth bits, and
/// the nibbles of values 0..15 (`low`) and 16..31 (`high`), each 0..15 in a byte.
typedef struct {
    float d, m;
    uint32_t qh;
    __m128i low, high;
} q5_parts;

static inline q5_parts q5_read_parts(const uint8_t *block, int with_min) {
    const __m128i mask = _mm_set1_epi8(0x0F);
    __m128i qs = _mm_loadu_si128((const __m128i *)(block + (with_min ? 8 : 6)));
    return (q5_parts){zoo_f16_at(block), with_min ? zoo_f16_at(block + 2) : 0.0f, q5_high_bits(block, with_min),
                      _mm_and_si128(qs, mask), _mm_and_si128(_mm_srli_epi16(qs, 4), mask)};
}

// MARK: - AVX-512

/// Sixteen weights: the sixteen nibbles `nibbles` (0..15, as bytes) with the sixteen fifth bits
/// `high`, dequantized.
__attribute__((target("avx512f"), always_inline)) static inline __m512
q5_weights16(__m128i nibbles, __mmask16 high, __m512 d, __m512 m, int with_min) {
    __m512i q = _mm512_cvtepu8_epi32(nibbles);
    q = _mm512_mask_or_epi32(q, high, q, _mm512_set1_epi32(16));
    if (with_min) return _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(q), m);
    return _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_sub_epi32(q, _mm512_set1_epi32(16))));
}

__attribute__((target("avx512f"), always_inline)) static inline void
q5_tile_avx512(zoo_dequant_call c, int tb, int nb, int with_min) {
    __m512 acc[BLOCK][BLOCK];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < c.k_dim / QK; b++) {
        const float *xb = c.x + (size_t)b * QK;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = zoo_dequant_block(c, j, b, Q5_BYTES(with_min));
            // Every other block: prefetched addresses at most 48 bytes apart touch every line.
            if (!(b & 1)) ZOO_PREFETCH_AHEAD(block, c.row_bytes, nb);
            const q5_parts q = q5_read_parts(block, with_min);
            __m512 d = _mm512_set1_ps(q.d), m = _mm512_set1_ps(q.m);
            __m512 w0 = q5_weights16(q.low, (__mmask16)q.qh, d, m, with_min);
            __m512 w1 = q5_weights16(q.high, (__mmask16)(q.qh >> 16), d, m, with_min);
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

/// Eight weights: the first eight bytes of `nibbles` (0..15) with fifth bits 0..7 of `high`.
__attribute__((target("avx2,fma"), always_inline)) static inline __m256
q5_weights8(__m128i nibbles, uint32_t high, __m256 d, __m256 m, int with_min) {
    const __m256i shifts = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i bits = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32((int)high), shifts), _mm256_set1_epi32(1));
    __m256i q = _mm256_or_si256(_mm256_cvtepu8_epi32(nibbles), _mm256_slli_epi32(bits, 4));
    if (with_min) return _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(q), m);
    return _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_sub_epi32(q, _mm256_set1_epi32(16))));
}

__attribute__((target("avx2,fma"), always_inline)) static inline void
q5_tile_avx2(zoo_dequant_call c, int tb, int nb, int with_min) {
    __m256 acc[BLOCK][BLOCK];
    memset(acc, 0, sizeof acc);
    for (int b = 0; b < c.k_dim / QK; b++) {
        const float *xb = c.x + (size_t)b * QK;
        for (int j = 0; j < nb; j++) {
            const uint8_t *block = zoo_dequant_block(c, j, b, Q5_BYTES(with_min));
            if (!(b & 1)) ZOO_PREFETCH_AHEAD(block, c.row_bytes, nb);
            const q5_parts q = q5_read_parts(block, with_min);
            __m256 d = _mm256_set1_ps(q.d), m = _mm256_set1_ps(q.m);
            // Values 0..7, 8..15 (low nibbles), 16..23, 24..31 (high nibbles).
            __m256 wv[4] = {q5_weights8(q.low, q.qh, d, m, with_min),
                            q5_weights8(_mm_srli_si128(q.low, 8), q.qh >> 8, d, m, with_min),
                            q5_weights8(q.high, q.qh >> 16, d, m, with_min),
                            q5_weights8(_mm_srli_si128(q.high, 8), q.qh >> 24, d, m, with_min)};
            for (int i = 0; i < tb; i++) {
                const float *xc = xb + (size_t)i * c.k_dim;
                for (int part = 0; part < 4; part++)
                    acc[i][j] = _mm256_fmadd_ps(_mm256_loadu_ps(xc + 8 * part), wv[part], acc[i][j]);
            }
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, c.y, c.ldy, c.accumulate, zoo_hsum256);
}

#endif  // ZOO_X86

// MARK: - Drivers and the public entry points (dequant_frame.h)

// q5_0 and q5_1 each get their own drivers, so every tile inlines its format with constant branches.
static void q5_0_dequantize_block(const uint8_t *block, float *out) { q5_dequantize_block(block, 0, out); }
static void q5_1_dequantize_block(const uint8_t *block, float *out) { q5_dequantize_block(block, 1, out); }

#if ZOO_X86
/// The AVX-512 tiles over the outputs [0, rows) × [n_begin, n_end) of `c`: q5_0 (`with_min` 0) or q5_1 (1).
__attribute__((target("avx512f"), always_inline)) static inline void
q5_linear_avx512(zoo_dequant_call c, int n_begin, int n_end, const int with_min) {
#define TILE(AT, TB, NB) q5_tile_avx512(zoo_dequant_tile(c, AT), TB, NB, with_min)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}

/// The AVX2 tiles over the outputs of `c`, as q5_linear_avx512.
__attribute__((target("avx2,fma"), always_inline)) static inline void
q5_linear_avx2(zoo_dequant_call c, int n_begin, int n_end, const int with_min) {
#define TILE(AT, TB, NB) q5_tile_avx2(zoo_dequant_tile(c, AT), TB, NB, with_min)
    ZOO_FOR_EACH_TILE(c.rows, n_begin, n_end, TILE)
#undef TILE
}

__attribute__((target("avx512f"))) static void q5_0_linear_avx512(zoo_dequant_call c, int n_begin, int n_end) {
    q5_linear_avx512(c, n_begin, n_end, 0);
}

__attribute__((target("avx2,fma"))) static void q5_0_linear_avx2(zoo_dequant_call c, int n_begin, int n_end) {
    q5_linear_avx2(c, n_begin, n_end, 0);
}

__attribute__((target("avx512f"))) static void q5_1_linear_avx512(zoo_dequant_call c, int n_begin, int n_end) {
    q5_linear_avx512(c, n_begin, n_end, 1);
}

__attribute__((target("avx2,fma"))) static void q5_1_linear_avx2(zoo_dequant_call c, int n_begin, int n_end) {
    q5_linear_avx2(c, n_begin, n_end, 1);
}
#endif

static const zoo_dequant_format q5_0_format = {
    .block_values = QK,
    .block_bytes = Q5_BYTES(0),
    .dequantize_block = q5_0_dequantize_block,
#if ZOO_X86
    .avx512 = q5_0_linear_avx512,
    .avx2 = q5_0_linear_avx2,
#elif ZOO_ARM64
    .neon = zoo_neon_linear_q5_0,
#endif
};

void zoo_linear_q5_0(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
    zoo_dequant_linear(&q5_0_format, x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate);
}

static const zoo_dequant_format q5_1_format = {
    .block_values = QK,
    .block_bytes = Q5_BYTES(1),
    .dequantize_block = q5_1_dequantize_block,
#if ZOO_X86
    .avx512 = q5_1_linear_avx512,
    .avx2 = q5_1_linear_avx2,
#elif ZOO_ARM64
    .neon = zoo_neon_linear_q5_1,
#endif
};

void zoo_linear_q5_1(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
    zoo_dequant_linear(&q5_1_format, x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate);
}

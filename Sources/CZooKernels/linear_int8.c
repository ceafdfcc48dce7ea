// q8_0 and q4_0 weights times activations quantized to 8 bits, with integer dot products — the way
// llama.cpp computes these formats. Widening every weight to fp32 costs more instructions than the
// memory it saves; with AVX-512 VNNI one instruction multiplies and sums 64 weight bytes.
//
// Activations: per row and block of 32, d = max|x| / 127 and xq = round-to-nearest-even(x / d).
// VNNI multiplies unsigned by signed bytes, so the kernels feed the weights as unsigned bytes
// (q8_0: w + 128; q4_0: the raw nibble, w + 8) and start each lane's integer sum at −offset × (the
// sum of that lane's four activation bytes), which `xsum4` holds. Integer sums are exact; per
// 32-bit lane the float arithmetic is a fixed sequence, then one horizontal sum, so an output
// element does not depend on how many rows share the call.
#include "zoo_kernels.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu_features.h"

#include "dequant_frame.h"
#include "neon.h"
#include "tiling.h"
#define QK 32

#if ZOO_X86
// The scalar loop's arithmetic, 16 values at a time: the maximum is exact, x · (1/d) is one rounded
// multiply, and the conversion rounds to nearest even like nearbyintf.
__attribute__((target("avx512f"))) static void quantize_block_avx512(const float *src, int8_t *dst, float *d_out) {
    __m512 a = _mm512_loadu_ps(src), b = _mm512_loadu_ps(src + 16);
    __m512 magnitude = _mm512_max_ps(_mm512_abs_ps(a), _mm512_abs_ps(b));
    float amax = _mm512_reduce_max_ps(magnitude);
    float d = amax / 127.0f;
    float id = d != 0 ? 1.0f / d : 0.0f;
    __m512 scale = _mm512_set1_ps(id);
    _mm_storeu_si128((__m128i *)dst, _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(a, scale))));
    _mm_storeu_si128((__m128i *)(dst + 16), _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(b, scale))));
    *d_out = d;
}

// The same in eight lanes: the maximum is exact, the multiply rounds once, and _mm256_cvtps_epi32 rounds
// to nearest even (the default MXCSR mode) like nearbyintf; |x·id| ≤ 127, so packing never saturates.
__attribute__((target("avx2,fma"))) static void quantize_block_avx2(const float *src, int8_t *dst, float *d_out) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 v[4], m = _mm256_setzero_ps();
    for (int i = 0; i < 4; i++) {
        v[i] = _mm256_loadu_ps(src + 8 * i);
        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[i]));
    }
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float amax = _mm_cvtss_f32(h);
    float d = amax / 127.0f;
    float id = d != 0 ? 1.0f / d : 0.0f;
    __m256 scale = _mm256_set1_ps(id);
    __m256i q[4];
    for (int i = 0; i < 4; i++) q[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], scale));
    // Packing interleaves the 128-bit halves; the permute puts the 32 bytes back in order.
    __m256i words = _mm256_packs_epi32(q[0], q[1]), words2 = _mm256_packs_epi32(q[2], q[3]);
    __m256i bytes = _mm256_packs_epi16(words, words2);
    bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)dst, bytes);
    *d_out = d;
}
#endif

// Writes xsum4 (sums of four bytes) when it is not NULL, bsum (one sum per block) when that is not NULL.
static void quantize_activations(const float *x, int rows, int k_dim, int8_t *xq, float *xd, int32_t *xsum4,
                                 int32_t *bsum) {
    int blocks = k_dim / QK;
#if ZOO_X86
    int simd = zoo_isa_index() == ZOO_ISA_AVX512 ? 2 : zoo_isa_index() == ZOO_ISA_AVX2 ? 1 : 0;
#else
    int simd = 0;
#endif
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < blocks; b++) {
            const float *src = x + (size_t)r * k_dim + (size_t)b * QK;
            int8_t *dst = xq + (size_t)r * k_dim + (size_t)b * QK;
            float *d_out = xd + (size_t)r * blocks + b;
#if ZOO_X86
            if (simd == 2) {
                quantize_block_avx512(src, dst, d_out);
            } else if (simd == 1) {
                quantize_block_avx2(src, dst, d_out);
            } else
#endif
            {
                float amax = 0;
                for (int i = 0; i < QK; i++) amax = fmaxf(amax, fabsf(src[i]));
                float d = amax / 127.0f;
                float id = d != 0 ? 1.0f / d : 0.0f;
                for (int i = 0; i < QK; i++) dst[i] = (int8_t)nearbyintf(src[i] * id);
                *d_out = d;
            }
            if (xsum4) {
                int32_t *sums = xsum4 + (size_t)r * (k_dim / 4) + (size_t)b * (QK / 4);
                for (int l = 0; l < QK / 4; l++) sums[l] = dst[4 * l] + dst[4 * l + 1] + dst[4 * l + 2] + dst[4 * l + 3];
            }
            if (bsum) {
                int32_t sum = 0;
                for (int i = 0; i < QK; i++) sum += dst[i];
                bsum[(size_t)r * blocks + b] = sum;
            }
        }
    (void)simd;
}

void zoo_quantize_activations(const float *x, int rows, int k_dim, int8_t *xq, float *xd, int32_t *xsum4) {
    quantize_activations(x, rows, k_dim, xq, xd, xsum4, NULL);
}

void zoo_quantize_activations_bsum(const float *x, int rows, int k_dim, int8_t *xq, float *xd, int32_t *bsum) {
    quantize_activations(x, rows, k_dim, xq, xd, NULL, bsum);
}

// MARK: - Portable (the same per-lane arithmetic as the SIMD path, 16 lanes per pair of blocks)

static void linear_x8_portable(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                               const void *weights, int is_q4, const float *scales, int n_begin, int n_end,
                               float *y, int ldy, int accumulate) {
    int blocks = k_dim / QK;
    int offset = is_q4 ? 8 : 128;
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            float lanes[16] = {0};
            for (int b = 0; b < blocks; b++) {
                float s = scales[(size_t)n * blocks + b] * xd[(size_t)t * blocks + b];
                for (int l = 0; l < 8; l++) {
                    int32_t dot = -offset * xsum4[(size_t)t * (k_dim / 4) + (size_t)b * 8 + l];
                    for (int e = 0; e < 4; e++) {
                        int i = 4 * l + e;  // position in the block
                        int u;
                        if (is_q4) {
                            uint8_t byte = ((const uint8_t *)weights)[(size_t)n * (k_dim / 2) + (size_t)b * 16 + (i & 15)];
                            u = i < 16 ? byte & 0x0F : byte >> 4;
                        } else {
                            u = ((const int8_t *)weights)[(size_t)n * k_dim + (size_t)b * QK + i] + 128;
                        }
                        dot += u * xq[(size_t)t * k_dim + (size_t)b * QK + i];
                    }
                    int lane = (b & 1) * 8 + l;
                    lanes[lane] = fmaf((float)dot, s, lanes[lane]);
                }
            }
            float v = 0;
            for (int l = 0; l < 16; l++) v += lanes[l];
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

void zoo_linear_q8_0_x8_portable(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                                 const int8_t *q, const float *scales, int n_begin, int n_end, float *y, int ldy,
                                 int accumulate) {
    linear_x8_portable(xq, xd, xsum4, rows, k_dim, q, 0, scales, n_begin, n_end, y, ldy, accumulate);
}

void zoo_linear_q4_0_x8_portable(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                                 const uint8_t *q, const float *scales, int n_begin, int n_end, float *y, int ldy,
                                 int accumulate) {
    linear_x8_portable(xq, xd, xsum4, rows, k_dim, q, 1, scales, n_begin, n_end, y, ldy, accumulate);
}

// MARK: - AVX-512 VNNI

#if ZOO_X86
#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

// [s[0] × 8 lanes, s[1] × 8 lanes]; with one block left, the upper half is s[0] too (its lanes are zero).
VNNI_TARGET static inline __m512 pair_scales(const float *s, int two) {
    __m512i index = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    __m128 pair = two ? _mm_castpd_ps(_mm_load_sd((const double *)s)) : _mm_load_ss(s);
    return _mm512_permutexvar_ps(index, _mm512_castps128_ps512(pair));
}

// Weight bytes of two blocks (or one: `two` == 0) of row `row`, as unsigned VNNI operands.
VNNI_TARGET static inline __m512i q8_operand(const int8_t *row, int two) {
    __m512i w = two ? _mm512_loadu_si512(row) : _mm512_maskz_loadu_epi8(0xFFFFFFFFull, row);
    return _mm512_xor_si512(w, _mm512_set1_epi8((char)0x80));
}

VNNI_TARGET static inline __m512i q4_operand(const uint8_t *row, int two) {
    // 32 packed bytes [B0 | B1] → [B0, B0, B1, B1] per 128-bit lane; the odd lanes shift down 4 bits.
    __m256i packed = two ? _mm256_loadu_si256((const __m256i *)row)
                         : _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)row));
    __m512i spread = _mm512_permutexvar_epi64(_mm512_set_epi64(3, 2, 3, 2, 1, 0, 1, 0), _mm512_castsi256_si512(packed));
    __m512i shifted = _mm512_srlv_epi64(spread, _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0));
    __m512i nibbles = _mm512_and_si512(shifted, _mm512_set1_epi8(0x0F));
    return two ? nibbles : _mm512_maskz_mov_epi32(0x00FF, nibbles);
}

#define DEFINE_X8_AVX512(NAME, WTYPE, ROW_BYTES, OPERAND, SHIFT)                                                \
    VNNI_TARGET __attribute__((always_inline)) static inline void NAME##_block(                                \
        const int8_t *xq, const float *xd, const int32_t *xsum4, int tb, int k_dim, const WTYPE *q,            \
        const float *scales, int nb, float *y, int ldy, int accumulate) {                                      \
        int blocks = k_dim / QK;                                                                               \
        __m512 acc[BLOCK][BLOCK];                                                                              \
        for (int i = 0; i < BLOCK; i++)                                                                        \
            for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm512_setzero_ps();                                   \
        for (int b = 0; b < blocks; b += 2) {                                                                  \
            int two = b + 1 < blocks;                                                                          \
            __m512i wv[BLOCK];                                                                                 \
            __m512 ws[BLOCK];                                                                                  \
            for (int j = 0; j < nb; j++) {                                                                     \
                const WTYPE *row = q + (size_t)j * ROW_BYTES + (size_t)b * (ROW_BYTES / blocks);               \
                ZOO_PREFETCH_AHEAD(row, ROW_BYTES, nb);                                                        \
                wv[j] = OPERAND(row, two);                                                                     \
                ws[j] = pair_scales(scales + (size_t)j * blocks + b, two);                                     \
            }                                                                                                  \
            for (int i = 0; i < tb; i++) {                                                                     \
                const int8_t *xb = xq + (size_t)i * k_dim + (size_t)b * QK;                                    \
                __m512i xv = two ? _mm512_loadu_si512(xb) : _mm512_maskz_loadu_epi8(0xFFFFFFFFull, xb);        \
                const int32_t *sb = xsum4 + (size_t)i * (k_dim / 4) + (size_t)b * 8;                           \
                __m512i sums = two ? _mm512_loadu_si512(sb) : _mm512_maskz_loadu_epi32(0x00FF, sb);            \
                __m512i start = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(sums, SHIFT));      \
                __m512 xs = pair_scales(xd + (size_t)i * blocks + b, two);                                     \
                for (int j = 0; j < nb; j++) {                                                                 \
                    __m512i dot = _mm512_dpbusd_epi32(start, wv[j], xv);                                       \
                    acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(ws[j], xs), acc[i][j]); \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
        ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, _mm512_reduce_add_ps);                                      \
    }

DEFINE_X8_AVX512(q8_x8, int8_t, k_dim, q8_operand, 7)
DEFINE_X8_AVX512(q4_x8, uint8_t, (k_dim / 2), q4_operand, 3)

// One token (a decode step) of q8_0: the activation side of every pair of blocks — its bytes, the
// lanes' starting sums and its scales — is the same for every weight row, so it is prepared once per
// call (in this thread's scratch slot 3) and each row then streams its weights alone (35 % faster on
// one core than four rows side by side). Per element the
// operations are the tile's, on the same values, so the results are bit for bit the tile's.
typedef struct {
    __m512i x, start;
    __m512 scales;
} x8_chunk;

#define DEFINE_X8_ROWS(NAME, WTYPE, ROW_BYTES, OPERAND, SHIFT)                                                  \
    VNNI_TARGET static int NAME(const int8_t *xq, const float *xd, const int32_t *xsum4, int k_dim,              \
                                const WTYPE *q, const float *scales, int n_begin, int n_end, float *y,          \
                                int accumulate) {                                                               \
        int blocks = k_dim / QK, chunks = (blocks + 1) / 2;                                                     \
        x8_chunk *c = zoo_thread_scratch(3, (size_t)chunks * sizeof(x8_chunk));                                 \
        if (!c) return 0;                                                                                       \
        for (int i = 0; i < chunks; i++) {                                                                      \
            int b = 2 * i, two = b + 1 < blocks;                                                                \
            const int8_t *xb = xq + (size_t)b * QK;                                                             \
            c[i].x = two ? _mm512_loadu_si512(xb) : _mm512_maskz_loadu_epi8(0xFFFFFFFFull, xb);                 \
            __m512i sums = two ? _mm512_loadu_si512(xsum4 + (size_t)b * 8)                                      \
                               : _mm512_maskz_loadu_epi32(0x00FF, xsum4 + (size_t)b * 8);                       \
            c[i].start = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(sums, SHIFT));              \
            c[i].scales = pair_scales(xd + b, two);                                                             \
        }                                                                                                       \
        for (int n = n_begin; n < n_end; n++) {                                                                 \
            const WTYPE *row = q + (size_t)n * ROW_BYTES;                                                       \
            const float *row_scales = scales + (size_t)n * blocks;                                              \
            __m512 acc = _mm512_setzero_ps();                                                                   \
            for (int i = 0; i < chunks; i++) {                                                                  \
                int b = 2 * i, two = b + 1 < blocks;                                                            \
                __m512i w = OPERAND(row + (size_t)b * (ROW_BYTES / blocks), two);                               \
                __m512i dot = _mm512_dpbusd_epi32(c[i].start, w, c[i].x);                                       \
                acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(pair_scales(row_scales + b, two), c[i].scales), acc); \
            }                                                                                                   \
            float v = _mm512_reduce_add_ps(acc);                                                                \
            y[n] = accumulate ? y[n] + v : v;                                                                   \
        }                                                                                                       \
        return 1;                                                                                               \
    }

DEFINE_X8_ROWS(q8_x8_rows, int8_t, k_dim, q8_operand, 7)

VNNI_TARGET static void linear_q8_x8_avx512(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows,
                                            int k_dim, const int8_t *q, const float *scales, int n_begin, int n_end,
                                            float *y, int ldy, int accumulate) {
    if (rows == 1 && q8_x8_rows(xq, xd, xsum4, k_dim, q, scales, n_begin, n_end, y, accumulate)) return;
    int blocks = k_dim / QK;
#define TILE(AT, TB, NB)                                                                                              \
    q8_x8_block(xq + (size_t)(AT).t * k_dim, xd + (size_t)(AT).t * blocks, xsum4 + (size_t)(AT).t * (k_dim / 4),      \
                TB, k_dim, q + (size_t)(AT).n * k_dim, scales + (size_t)(AT).n * blocks, NB,                          \
                y + (size_t)(AT).t * ldy + (AT).n, ldy, accumulate)
    ZOO_FOR_EACH_TILE(rows, n_begin, n_end, TILE)
#undef TILE
}

VNNI_TARGET static void linear_q4_x8_avx512(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows,
                                            int k_dim, const uint8_t *q, const float *scales, int n_begin,
                                            int n_end, float *y, int ldy, int accumulate) {
    int blocks = k_dim / QK;
    if (rows == 1) {
        // q4_0 rows are short (k/2 bytes): four of them side by side still read as one stream, and the
        // activation work is shared by four rows (measured faster than row by row, unlike q8_0).
        for (int n = n_begin; n < n_end; n += BLOCK) {
            int nb = n_end - n < BLOCK ? n_end - n : BLOCK;
            if (nb == BLOCK)
                q4_x8_block(xq, xd, xsum4, 1, k_dim, q + (size_t)n * (k_dim / 2), scales + (size_t)n * blocks, BLOCK,
                            y + n, ldy, accumulate);
            else
                q4_x8_block(xq, xd, xsum4, 1, k_dim, q + (size_t)n * (k_dim / 2), scales + (size_t)n * blocks, nb,
                            y + n, ldy, accumulate);
        }
        return;
    }
#define TILE(AT, TB, NB)                                                                                              \
    q4_x8_block(xq + (size_t)(AT).t * k_dim, xd + (size_t)(AT).t * blocks, xsum4 + (size_t)(AT).t * (k_dim / 4),      \
                TB, k_dim, q + (size_t)(AT).n * (k_dim / 2), scales + (size_t)(AT).n * blocks, NB,                    \
                y + (size_t)(AT).t * ldy + (AT).n, ldy, accumulate)
    ZOO_FOR_EACH_TILE(rows, n_begin, n_end, TILE)
#undef TILE
}

// MARK: - AVX2 (no VNNI): maddubs, in the portable kernel's float order

// Per output element the portable kernel's sixteen float lanes live in two registers: even blocks in
// one, odd blocks in the other, each lane one fused multiply-add per block, then the lanes summed in
// the portable order. The integer sums are the same exact integers, so every path gives the portable
// bits. Two registers per output leave room for 2 × 3 outputs (12 accumulators) beside a weight block,
// the activations and one product; a 4 × 4 tile of one register each spilled.
#define AVX2_TARGET __attribute__((target("avx2,fma")))

/// Token rows × weight rows of an AVX2 integer tile (overridable for the kernel benchmark's shape sweep).
#ifndef ZOO_X8_TOKENS
#define ZOO_X8_TOKENS 2
#endif
#ifndef ZOO_X8_ROWS
#define ZOO_X8_ROWS 2
#endif

/// q4_0's 16 packed bytes as 32 unsigned values: the bytes in both halves, the upper half shifted down
/// 4 bits (values 0..15, then 16..31).
AVX2_TARGET static inline __m256i q4_values_avx2(const uint8_t *block) {
    __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)block));
    return _mm256_and_si256(_mm256_srlv_epi64(both, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(0x0F));
}

/// The portable kernel's lane sum: lanes 0..15 (even blocks, then odd blocks) added in order.
AVX2_TARGET static inline float sum16_in_order(__m256 even, __m256 odd) {
    float lane[16];
    _mm256_storeu_ps(lane, even);
    _mm256_storeu_ps(lane + 8, odd);
    float v = 0;
    for (int l = 0; l < 16; l++) v += lane[l];
    return v;
}

/// sum16_in_order for four outputs at once (their even and odd registers): the lanes transposed so
/// that one 4-wide add takes lane l of all four, the adds in the same order from zero.
AVX2_TARGET static inline void sum16_in_order_x4(const __m256 *even, const __m256 *odd, float *v) {
    __m128 sum = _mm_setzero_ps();
    for (int p = 0; p < 2; p++) {
        const __m256 *a = p ? odd : even;
        __m256 u0 = _mm256_unpacklo_ps(a[0], a[1]), u1 = _mm256_unpackhi_ps(a[0], a[1]);
        __m256 u2 = _mm256_unpacklo_ps(a[2], a[3]), u3 = _mm256_unpackhi_ps(a[2], a[3]);
        // lane l of the four outputs: lanes 0..3 in the low halves, 4..7 in the high ones.
        __m256 c[4] = {_mm256_shuffle_ps(u0, u2, 0x44), _mm256_shuffle_ps(u0, u2, 0xEE),
                       _mm256_shuffle_ps(u1, u3, 0x44), _mm256_shuffle_ps(u1, u3, 0xEE)};
        for (int l = 0; l < 4; l++) sum = _mm_add_ps(sum, _mm256_castps256_ps128(c[l]));
        for (int l = 0; l < 4; l++) sum = _mm_add_ps(sum, _mm256_extractf128_ps(c[l], 1));
    }
    _mm_storeu_ps(v, sum);
}

// One block b of a tile into the accumulators of its parity. Per 32-bit lane the exact integer sum of
// four products: q8_0 feeds |x| and w with x's sign (|x·w| ≤ 127², so int16 pairs cannot saturate);
// q4_0 feeds the raw nibbles (w + 8) and subtracts 8 × the lane's activation sum. `s` holds the
// products scale × activation scale of the tile's pairs for this block (rounded as the portable ones).
#define DEFINE_X8_AVX2(NAME, WTYPE, ROW_BYTES, IS_Q4)                                                           \
    AVX2_TARGET __attribute__((always_inline)) static inline void NAME##_step(                                 \
        const int8_t *xq, const int32_t *xsum4, int tb, int k_dim, const WTYPE *q, int nb, int b,              \
        const float *s, __m256 acc[ZOO_X8_TOKENS][ZOO_X8_ROWS]) {                                              \
        __m256i wv[ZOO_X8_ROWS];                                                                               \
        for (int j = 0; j < nb; j++) {                                                                         \
            const WTYPE *row = q + (size_t)j * ROW_BYTES + (size_t)b * (ROW_BYTES / (k_dim / QK));             \
            if (!(b & (IS_Q4 ? 3 : 1))) ZOO_PREFETCH_AHEAD(row, ROW_BYTES, nb);                                \
            wv[j] = IS_Q4 ? q4_values_avx2((const uint8_t *)row) : _mm256_loadu_si256((const __m256i *)row);   \
        }                                                                                                      \
        for (int i = 0; i < tb; i++) {                                                                         \
            __m256i xv = _mm256_loadu_si256((const __m256i *)(xq + (size_t)i * k_dim + (size_t)b * QK));        \
            __m256i xu = IS_Q4 ? xv : _mm256_abs_epi8(xv);                                                     \
            __m256i start = IS_Q4 ? _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(                    \
                                        xsum4 + (size_t)i * (k_dim / 4) + (size_t)b * 8)), 3)                  \
                                  : _mm256_setzero_si256();                                                    \
            for (int j = 0; j < nb; j++) {                                                                     \
                __m256i pairs = IS_Q4 ? _mm256_maddubs_epi16(wv[j], xv)                                        \
                                      : _mm256_maddubs_epi16(xu, _mm256_sign_epi8(wv[j], xv));                 \
                __m256i dot = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));                                 \
                if (IS_Q4) dot = _mm256_sub_epi32(dot, start);                                                 \
                acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot),                                           \
                                            _mm256_broadcast_ss(s + (i * ZOO_X8_ROWS + j) * 8), acc[i][j]);    \
            }                                                                                                  \
        }                                                                                                      \
    }                                                                                                          \
                                                                                                               \
    /* A tile's accumulators: acc[0] the even blocks', acc[1] the odd blocks' lanes. */                       \
    AVX2_TARGET __attribute__((always_inline)) static inline void NAME##_sums(                                 \
        const int8_t *xq, const float *xd, const int32_t *xsum4, int tb, int k_dim, const WTYPE *q,            \
        const float *scales, int nb, __m256 acc[2][ZOO_X8_TOKENS][ZOO_X8_ROWS]) {                              \
        int blocks = k_dim / QK;                                                                               \
        for (int p = 0; p < 2; p++)                                                                            \
            for (int i = 0; i < ZOO_X8_TOKENS; i++)                                                            \
                for (int j = 0; j < ZOO_X8_ROWS; j++) acc[p][i][j] = _mm256_setzero_ps();                      \
        /* Eight blocks at a time: the pairs' scale products, one vector multiply per pair. */                 \
        for (int b0 = 0; b0 < blocks; b0 += 8) {                                                               \
            int bn = blocks - b0 < 8 ? blocks - b0 : 8;                                                        \
            float s[ZOO_X8_TOKENS * ZOO_X8_ROWS * 8] __attribute__((aligned(32)));                             \
            for (int i = 0; i < tb; i++)                                                                       \
                for (int j = 0; j < nb; j++) {                                                                 \
                    const float *ws = scales + (size_t)j * blocks + b0, *xs = xd + (size_t)i * blocks + b0;    \
                    float *to = s + (i * ZOO_X8_ROWS + j) * 8;                                                 \
                    if (bn == 8)                                                                               \
                        _mm256_store_ps(to, _mm256_mul_ps(_mm256_loadu_ps(ws), _mm256_loadu_ps(xs)));          \
                    else                                                                                       \
                        for (int e = 0; e < bn; e++) to[e] = ws[e] * xs[e];                                    \
                }                                                                                              \
            int e = 0;                                                                                         \
            for (; e + 1 < bn; e += 2) {                                                                       \
                NAME##_step(xq, xsum4, tb, k_dim, q, nb, b0 + e, s + e, acc[0]);                               \
                NAME##_step(xq, xsum4, tb, k_dim, q, nb, b0 + e + 1, s + e + 1, acc[1]);                       \
            }                                                                                                  \
            if (e < bn) NAME##_step(xq, xsum4, tb, k_dim, q, nb, b0 + e, s + e, acc[0]);                       \
        }                                                                                                      \
    }                                                                                                          \
                                                                                                               \
    AVX2_TARGET __attribute__((always_inline)) static inline void NAME##_tile(                                 \
        const int8_t *xq, const float *xd, const int32_t *xsum4, int tb, int k_dim, const WTYPE *q,            \
        const float *scales, int nb, float *y, int ldy, int accumulate) {                                      \
        __m256 acc[2][ZOO_X8_TOKENS][ZOO_X8_ROWS];                                                             \
        NAME##_sums(xq, xd, xsum4, tb, k_dim, q, scales, nb, acc);                                             \
        if (ZOO_X8_TOKENS * ZOO_X8_ROWS == 4 && tb == ZOO_X8_TOKENS && nb == ZOO_X8_ROWS) {                     \
            float v[4];                                                                                        \
            sum16_in_order_x4((const __m256 *)acc[0], (const __m256 *)acc[1], v);                              \
            for (int o = 0; o < 4; o++) {                                                                      \
                float *out = y + (size_t)(o / ZOO_X8_ROWS) * ldy + o % ZOO_X8_ROWS;                            \
                *out = accumulate ? *out + v[o] : v[o];                                                        \
            }                                                                                                  \
            return;                                                                                            \
        }                                                                                                      \
        for (int i = 0; i < tb; i++)                                                                           \
            for (int j = 0; j < nb; j++) {                                                                     \
                float v = sum16_in_order(acc[0][i][j], acc[1][i][j]);                                          \
                float *out = y + (size_t)i * ldy + j;                                                          \
                *out = accumulate ? *out + v : v;                                                              \
            }                                                                                                  \
    }                                                                                                          \
                                                                                                               \
    /* One token (a decode step): rows one after another (one sequential read each), their lane sums four */  \
    /* at a time (the sequential sum of one row alone costs as much as a short row's products). */            \
    AVX2_TARGET static void NAME##_rows(const int8_t *xq, const float *xd, const int32_t *xsum4, int k_dim,    \
                                        const WTYPE *q, const float *scales, int n_begin, int n_end, float *y, \
                                        int accumulate) {                                                      \
        int blocks = k_dim / QK;                                                                               \
        for (int n = n_begin; n < n_end; n += 4) {                                                             \
            int nb = n_end - n < 4 ? n_end - n : 4;                                                            \
            __m256 even[4], odd[4];                                                                            \
            for (int r = 0; r < 4; r++) {                                                                      \
                __m256 acc[2][ZOO_X8_TOKENS][ZOO_X8_ROWS];                                                     \
                if (r < nb)                                                                                    \
                    NAME##_sums(xq, xd, xsum4, 1, k_dim, q + (size_t)(n + r) * ROW_BYTES,                      \
                                scales + (size_t)(n + r) * blocks, 1, acc);                                    \
                else                                                                                           \
                    acc[0][0][0] = acc[1][0][0] = _mm256_setzero_ps();                                         \
                even[r] = acc[0][0][0], odd[r] = acc[1][0][0];                                                 \
            }                                                                                                  \
            float v[4];                                                                                        \
            sum16_in_order_x4(even, odd, v);                                                                   \
            for (int r = 0; r < nb; r++) y[n + r] = accumulate ? y[n + r] + v[r] : v[r];                       \
        }                                                                                                      \
    }

DEFINE_X8_AVX2(q8_x8_avx2, int8_t, k_dim, 0)
DEFINE_X8_AVX2(q4_x8_avx2, uint8_t, (k_dim / 2), 1)

AVX2_TARGET static void linear_q8_x8_avx2(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows,
                                          int k_dim, const int8_t *q, const float *scales, int n_begin, int n_end,
                                          float *y, int ldy, int accumulate) {
    if (rows == 1) {
        q8_x8_avx2_rows(xq, xd, xsum4, k_dim, q, scales, n_begin, n_end, y, accumulate);
        return;
    }
    int blocks = k_dim / QK;
#define TILE(AT, TB, NB)                                                                                              \
    q8_x8_avx2_tile(xq + (size_t)(AT).t * k_dim, xd + (size_t)(AT).t * blocks, xsum4 + (size_t)(AT).t * (k_dim / 4),  \
                    TB, k_dim, q + (size_t)(AT).n * k_dim, scales + (size_t)(AT).n * blocks, NB,                      \
                    y + (size_t)(AT).t * ldy + (AT).n, ldy, accumulate)
    ZOO_FOR_EACH_TILE_SHAPED(ZOO_X8_TOKENS, ZOO_X8_ROWS, rows, n_begin, n_end, TILE)
#undef TILE
}

AVX2_TARGET static void linear_q4_x8_avx2(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows,
                                          int k_dim, const uint8_t *q, const float *scales, int n_begin, int n_end,
                                          float *y, int ldy, int accumulate) {
    if (rows == 1) {
        q4_x8_avx2_rows(xq, xd, xsum4, k_dim, q, scales, n_begin, n_end, y, accumulate);
        return;
    }
    int blocks = k_dim / QK;
#define TILE(AT, TB, NB)                                                                                              \
    q4_x8_avx2_tile(xq + (size_t)(AT).t * k_dim, xd + (size_t)(AT).t * blocks, xsum4 + (size_t)(AT).t * (k_dim / 4),  \
                    TB, k_dim, q + (size_t)(AT).n * (k_dim / 2), scales + (size_t)(AT).n * blocks, NB,                \
                    y + (size_t)(AT).t * ldy + (AT).n, ldy, accumulate)
    ZOO_FOR_EACH_TILE_SHAPED(ZOO_X8_TOKENS, ZOO_X8_ROWS, rows, n_begin, n_end, TILE)
#undef TILE
}
#endif  // ZOO_X86

// MARK: - Dispatch

int zoo_vnni_available(void) { return zoo_cpu_has(ZOO_CPU_AVX512_VNNI); }

int zoo_int8_dot_available(void) {
    return zoo_cpu_has(ZOO_CPU_AVX512_VNNI) || zoo_cpu_has(ZOO_CPU_AVX2) || zoo_cpu_has(ZOO_CPU_DOTPROD);
}

#if ZOO_X86
// VNNI, unless the CPU lacks it or a test capped the kernels below AVX-512; else AVX2 if allowed.
static int use_vnni(void) { return zoo_vnni_available() && zoo_isa_index() == ZOO_ISA_AVX512; }
static int use_avx2(void) { return zoo_isa_index() >= ZOO_ISA_AVX2; }
#endif

/// y (+)= x · wᵀ for 8-bit activations and q8_0 (`is_q4` 0) or q4_0 (1) weights `q`, on the widest path the
/// CPU and the cap allow.
static void linear_x8(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim, const void *q,
                      int is_q4, const float *scales, int n_begin, int n_end, float *y, int ldy, int accumulate) {
#if ZOO_X86
    if (use_vnni()) {
        if (is_q4)
            linear_q4_x8_avx512(xq, xd, xsum4, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
        else
            linear_q8_x8_avx512(xq, xd, xsum4, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
        return;
    }
    if (use_avx2()) {
        if (is_q4)
            linear_q4_x8_avx2(xq, xd, xsum4, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
        else
            linear_q8_x8_avx2(xq, xd, xsum4, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) {
        zoo_neon_linear_x8(xq, xd, rows, k_dim, q, is_q4, scales, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    linear_x8_portable(xq, xd, xsum4, rows, k_dim, q, is_q4, scales, n_begin, n_end, y, ldy, accumulate);
}

void zoo_linear_q8_0_x8(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                        const int8_t *q, const float *scales, int n_begin, int n_end, float *y, int ldy,
                        int accumulate) {
    linear_x8(xq, xd, xsum4, rows, k_dim, q, 0, scales, n_begin, n_end, y, ldy, accumulate);
}

void zoo_linear_q4_0_x8(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                        const uint8_t *q, const float *scales, int n_begin, int n_end, float *y, int ldy,
                        int accumulate) {
    linear_x8(xq, xd, xsum4, rows, k_dim, q, 1, scales, n_begin, n_end, y, ldy, accumulate);
}

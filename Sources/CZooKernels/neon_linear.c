// NEON linear layers with fp32 activations: fp32, bf16 and f16 weights (row-major or the four-row
// layout), and the k-quant and q5_0/q5_1 formats dequantized block by block. Every one runs the
// order neon.h describes (eight lanes, fused, pairwise horizontal sum), so 16-bit and dequantized
// weights give the fp32 kernel's result on the widened weights bit for bit, and a row's result
// does not depend on the tile it falls in.
//
// Tiles: 4 tokens × 2 weight rows when four tokens share the call (16 accumulator registers of 32),
// 1 token × 4 weight rows for a decode step (four independent streams hide the FMA latency);
// edge tiles run the same per-element sequence with fewer rows.
#include "neon.h"

#if ZOO_ARM64
#include <string.h>

#include "tiling.h"
#include "zoo_kernels.h"

typedef struct {
    float32x4_t lo, hi;  // lanes 0–3 and 4–7 of a chunk of eight columns
} lanes8;

enum { KIND_F32, KIND_BF16, KIND_F16 };

/// Eight weights widened exactly: bf16 by a 16-bit shift, f16 by the hardware conversion.
__attribute__((always_inline)) static inline lanes8 load8(const void *p, int kind) {
    if (kind == KIND_F32) return (lanes8){vld1q_f32(p), vld1q_f32((const float *)p + 4)};
    uint16x8_t h = vld1q_u16(p);
    if (kind == KIND_BF16)
        return (lanes8){vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16)),
                        vreinterpretq_f32_u32(vshll_high_n_u16(h, 16))};
    float16x8_t f = vreinterpretq_f16_u16(h);
    return (lanes8){vcvt_f32_f16(vget_low_f16(f)), vcvt_high_f32_f16(f)};
}

__attribute__((always_inline)) static inline lanes8 fma8(lanes8 acc, lanes8 x, lanes8 w) {
    return (lanes8){vfmaq_f32(acc.lo, x.lo, w.lo), vfmaq_f32(acc.hi, x.hi, w.hi)};
}

/// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)), the portable kernels' sum.
__attribute__((always_inline)) static inline float hsum8(lanes8 v) {
    float32x4_t pairs = vpaddq_f32(v.lo, v.hi);
    float32x4_t quads = vpaddq_f32(pairs, pairs);
    return vgetq_lane_f32(quads, 0) + vgetq_lane_f32(quads, 1);
}

__attribute__((always_inline)) static inline void store_tile(lanes8 acc[4][4], int tb, int nb, float *y, int ldy,
                                                             int accumulate) {
    for (int i = 0; i < tb; i++)
        for (int j = 0; j < nb; j++) {
            float v = hsum8(acc[i][j]);
            float *out = y + (size_t)i * ldy + j;
            *out = accumulate ? *out + v : v;
        }
}

// MARK: - fp32 and 16-bit weights

__attribute__((always_inline)) static inline const void *weight_chunk(const void *w, int j, int k, int k_dim,
                                                                      int rows4, int kind) {
    if (kind == KIND_F32) return ZOO_WEIGHT_CHUNK((const float *)w, j, k, k_dim, rows4);
    return ZOO_WEIGHT_CHUNK((const uint16_t *)w, j, k, k_dim, rows4);
}

__attribute__((always_inline)) static inline void block(const float *x, int tb, int k_dim, const void *w, int nb,
                                                        float *y, int ldy, int accumulate, int rows4, int kind) {
    lanes8 acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] = (lanes8){vdupq_n_f32(0), vdupq_n_f32(0)};
    // 1. Whole chunks of eight: each weight chunk feeds every token, each token chunk every row.
    int k = 0;
    for (; k + 8 <= k_dim; k += 8) {
        lanes8 wv[4];
        for (int j = 0; j < nb; j++) wv[j] = load8(weight_chunk(w, j, k, k_dim, rows4, kind), kind);
        for (int i = 0; i < tb; i++) {
            lanes8 xv = load8(x + (size_t)i * k_dim + k, KIND_F32);
            for (int j = 0; j < nb; j++) acc[i][j] = fma8(acc[i][j], xv, wv[j]);
        }
    }
    // 2. The last chunk, zero-padded (row-major only: the four-row layout has k_dim % 16 == 0).
    if (k < k_dim) {
        int r = k_dim - k;
        lanes8 wv[4];
        for (int j = 0; j < nb; j++) {
            if (kind == KIND_F32) {
                float tail[8] = {0};
                memcpy(tail, (const float *)w + (size_t)j * k_dim + k, (size_t)r * 4);
                wv[j] = load8(tail, kind);
            } else {
                uint16_t tail[8] = {0};
                memcpy(tail, (const uint16_t *)w + (size_t)j * k_dim + k, (size_t)r * 2);
                wv[j] = load8(tail, kind);
            }
        }
        for (int i = 0; i < tb; i++) {
            float tail[8] = {0};
            memcpy(tail, x + (size_t)i * k_dim + k, (size_t)r * 4);
            lanes8 xv = load8(tail, KIND_F32);
            for (int j = 0; j < nb; j++) acc[i][j] = fma8(acc[i][j], xv, wv[j]);
        }
    }
    // 3. Horizontal sums, stored or added.
    store_tile(acc, tb, nb, y, ldy, accumulate);
}

/// Weight rows n + j0 .. n + j0 + nb against tokens x[0 ..< tb): row-major rows are k_dim apart; in
/// the four-row layout (n a multiple of 4) row j0 of the group starts 16 elements into every chunk.
__attribute__((always_inline)) static inline void tile(const float *x, int tb, int k_dim, const void *w, int n,
                                                       int j0, int nb, float *y, int ldy, int accumulate, int rows4,
                                                       int kind) {
    size_t bytes = kind == KIND_F32 ? 4 : 2;
    size_t first = rows4 ? (size_t)n * k_dim + 16 * (size_t)j0 : (size_t)(n + j0) * k_dim;
    block(x, tb, k_dim, (const char *)w + first * bytes, nb, y + n + j0, ldy, accumulate, rows4, kind);
}

/// The tiles of [rows) × [n_begin, n_end): CALL(tb, j0, nb) computes tokens t .. t + tb against weight
/// rows n + j0 .. n + j0 + nb. Full and decode tiles get constant shapes so their accumulators stay
/// in registers.
#define FOR_EACH_NEON_TILE(CALL)                                                       \
    for (int n = n_begin; n < n_end; n += 4) {                                         \
        int nb = n_end - n < 4 ? n_end - n : 4;                                        \
        for (int t = 0; t < rows; t += 4) {                                            \
            int tb = rows - t < 4 ? rows - t : 4;                                      \
            if (tb == 4) {                                                             \
                for (int j0 = 0; j0 < nb; j0 += 2) {                                   \
                    if (nb - j0 >= 2)                                                  \
                        CALL(4, j0, 2);                                                \
                    else                                                               \
                        CALL(4, j0, 1);                                                \
                }                                                                      \
            } else if (tb == 1 && nb == 4) {                                           \
                CALL(1, 0, 4);                                                         \
            } else {                                                                   \
                CALL(tb, 0, nb);                                                       \
            }                                                                          \
        }                                                                              \
    }

/// rows4: n_begin and n_end multiples of 4.
__attribute__((always_inline)) static inline void drive(const float *x, int rows, int k_dim, const void *w,
                                                        int n_begin, int n_end, float *y, int ldy, int accumulate,
                                                        int rows4, int kind) {
#define FLOAT_TILE(TB, J0, NB)                                                                                  \
    tile(x + (size_t)t * k_dim, TB, k_dim, w, n, J0, NB, y + (size_t)t * ldy, ldy, accumulate, rows4, kind)
    FOR_EACH_NEON_TILE(FLOAT_TILE)
#undef FLOAT_TILE
}

// One specialised driver per weight type and layout.
#define DEFINE_DRIVER(NAME, ROWS4, KIND)                                                                       \
    static void NAME(const float *x, int rows, int k_dim, const void *w, int n_begin, int n_end, float *y,     \
                     int ldy, int accumulate) {                                                                \
        drive(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, ROWS4, KIND);                             \
    }
DEFINE_DRIVER(linear_f32, 0, KIND_F32)
DEFINE_DRIVER(linear_f32_rows4, 1, KIND_F32)
DEFINE_DRIVER(linear_bf16, 0, KIND_BF16)
DEFINE_DRIVER(linear_bf16_rows4, 1, KIND_BF16)
DEFINE_DRIVER(linear_f16, 0, KIND_F16)
DEFINE_DRIVER(linear_f16_rows4, 1, KIND_F16)

void zoo_neon_linear_f32(const float *x, int rows, int k_dim, const float *w, int n_begin, int n_end, float *y,
                         int ldy, int accumulate, int rows4) {
    (rows4 ? linear_f32_rows4 : linear_f32)(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
}

void zoo_neon_linear_half(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                          int ldy, int accumulate, int is_bf16, int rows4) {
    if (is_bf16)
        (rows4 ? linear_bf16_rows4 : linear_bf16)(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
    else
        (rows4 ? linear_f16_rows4 : linear_f16)(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
}

// MARK: - Dequantized formats (k-quants, q5_0, q5_1, q4_1)

/// Dequantizes `count` values of consecutive blocks (zoo_neon_dequantize_<format>).
typedef void (*dequantizer)(const uint8_t *blocks, int count, float *out);

/// The f32 block on weights dequantized one block (`values` ≤ 256, a multiple of 8) at a time: the
/// same chunks in the same order, so the same result as the f32 kernel on the dequantized matrix.
__attribute__((always_inline)) static inline void dequant_tile(const float *x, int tb, int k_dim, const uint8_t *w,
                                                               size_t row_bytes, int nb, float *y, int ldy,
                                                               int accumulate, int values, int bytes,
                                                               dequantizer dequantize) {
    lanes8 acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] = (lanes8){vdupq_n_f32(0), vdupq_n_f32(0)};
    float wb[4][256];
    for (int b = 0; b < k_dim / values; b++) {
        // 1. This block of each row, dequantized as gguf-py does (neon_kquant.c).
        for (int j = 0; j < nb; j++) dequantize(w + (size_t)j * row_bytes + (size_t)b * bytes, values, wb[j]);
        // 2. Its chunks of eight, as the f32 kernel's columns b·values + c.
        for (int c = 0; c < values; c += 8) {
            lanes8 wv[4];
            for (int j = 0; j < nb; j++) wv[j] = load8(wb[j] + c, KIND_F32);
            for (int i = 0; i < tb; i++) {
                lanes8 xv = load8(x + (size_t)i * k_dim + (size_t)b * values + c, KIND_F32);
                for (int j = 0; j < nb; j++) acc[i][j] = fma8(acc[i][j], xv, wv[j]);
            }
        }
    }
    // 3. Horizontal sums, stored or added.
    store_tile(acc, tb, nb, y, ldy, accumulate);
}

__attribute__((always_inline)) static inline void drive_dequant(const float *x, int rows, int k_dim, const uint8_t *w,
                                                                int n_begin, int n_end, float *y, int ldy,
                                                                int accumulate, int values, int bytes,
                                                                dequantizer dequantize) {
    size_t row_bytes = (size_t)(k_dim / values) * bytes;
#define DEQUANT_TILE(TB, J0, NB)                                                                             \
    dequant_tile(x + (size_t)t * k_dim, TB, k_dim, w + (size_t)(n + (J0)) * row_bytes, row_bytes, NB,        \
                 y + (size_t)t * ldy + n + (J0), ldy, accumulate, values, bytes, dequantize)
    FOR_EACH_NEON_TILE(DEQUANT_TILE)
#undef DEQUANT_TILE
}

#define DEFINE_DEQUANT(FORMAT, VALUES, BYTES)                                                                  \
    void zoo_neon_linear_##FORMAT(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin,    \
                                  int n_end, float *y, int ldy, int accumulate) {                              \
        drive_dequant(x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate, VALUES, BYTES,               \
                      zoo_neon_dequantize_##FORMAT);                                                           \
    }
DEFINE_DEQUANT(q4_k, 256, 144)
DEFINE_DEQUANT(q5_k, 256, 176)
DEFINE_DEQUANT(q6_k, 256, 210)
DEFINE_DEQUANT(q5_0, 32, 22)
DEFINE_DEQUANT(q5_1, 32, 24)
DEFINE_DEQUANT(q4_1, 32, 20)
#endif  // ZOO_ARM64

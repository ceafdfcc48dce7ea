// NEON kernels of q8_0 and q4_0 weights, with quantized activations (integer dot products) and with
// fp32 activations.
//
// Quantized activations: the portable x8 kernel's arithmetic (linear_int8.c) bit for bit. Per block
// of 32, eight exact int32 sums of four products (SDOT when the CPU has dotprod, else vmull +
// pairwise adds: both exact) become sixteen float lanes per pair of blocks, lane += dot × (weight
// scale × activation scale) fused, and the lanes are summed 0 to 15 in order. The signed weights
// are used directly (q4_0: nibble − 8), so xsum4's offset correction is not needed.
//
// fp32 activations: per block, eight lanes of the block's 32 products (a multiply, three fused
// adds), the block's scale applied by one fused multiply-add per lane, then neon.h's pairwise sum.
// Not the portable kernel's order (a sequential sum per block): equal within rounding.
#include "neon.h"

#if ZOO_ARM64
#include "zoo_kernels.h"

#define QK 32

// MARK: - Quantized activations

// SDOT needs the dotprod extension in the functions that use it (and in everything they inline)
// unless the whole build has it. GCC's arm_neon.h declares SDOT for armv8.2-a+dotprod.
#if defined(__ARM_FEATURE_DOTPROD)
#define DOTPROD_TARGET
#elif defined(__clang__)
#define DOTPROD_TARGET __attribute__((target("dotprod")))
#else
#define DOTPROD_TARGET __attribute__((target("arch=armv8.2-a+dotprod")))
#endif

/// The 32 weights of block `b` of a row as signed bytes (values 0–15 and 16–31); one copy per target.
#define DEFINE_WEIGHTS32(NAME, ATTRIBUTES)                                                                         \
    ATTRIBUTES __attribute__((always_inline)) static inline void NAME(const void *row, int b, int is_q4,          \
                                                                      int8x16_t *w) {                             \
        if (is_q4) {                                                                                              \
            uint8x16_t packed = vld1q_u8((const uint8_t *)row + (size_t)b * 16);                                  \
            int8x16_t eight = vdupq_n_s8(8);                                                                      \
            w[0] = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(packed, vdupq_n_u8(0x0F))), eight);                      \
            w[1] = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(packed, 4)), eight);                                   \
        } else {                                                                                                  \
            const int8_t *p = (const int8_t *)row + (size_t)b * QK;                                               \
            w[0] = vld1q_s8(p);                                                                                   \
            w[1] = vld1q_s8(p + 16);                                                                              \
        }                                                                                                         \
    }
DEFINE_WEIGHTS32(weights32, )
DEFINE_WEIGHTS32(weights32_sdot, DOTPROD_TARGET)

/// Sums of four products each (bytes 0–3, 4–7, 8–11, 12–15), exact: |w·x| ≤ 128², so the int16
/// products cannot overflow.
__attribute__((always_inline)) static inline int32x4_t dot4_widening(int8x16_t w, int8x16_t x) {
    int32x4_t low = vpaddlq_s16(vmull_s8(vget_low_s8(w), vget_low_s8(x)));
    int32x4_t high = vpaddlq_s16(vmull_high_s8(w, x));
    return vpaddq_s32(low, high);
}

DOTPROD_TARGET __attribute__((always_inline)) static inline int32x4_t dot4_sdot(int8x16_t w, int8x16_t x) {
    return vdotq_s32(vdupq_n_s32(0), w, x);
}

/// Tokens [0, tb) × weight rows [0, nb) (tb · nb ≤ 4): for each pair of blocks, the activation
/// bytes are loaded once and each weight block once.
#define DEFINE_X8_TILE(NAME, ATTRIBUTES, DOT4, WEIGHTS32)                                                                     \
    ATTRIBUTES __attribute__((always_inline)) static inline void NAME(                                            \
        const int8_t *xq, const float *xd, int tb, int k_dim, const void *w, size_t row_bytes, const float *scales, \
        int nb, float *y, int ldy, int accumulate, int is_q4) {                                                    \
        const int blocks = k_dim / QK;                                                                             \
        float32x4_t lanes[4][4][4];                                                                                \
        for (int i = 0; i < tb; i++)                                                                               \
            for (int j = 0; j < nb; j++)                                                                           \
                for (int l = 0; l < 4; l++) lanes[i][j][l] = vdupq_n_f32(0);                                       \
        for (int b = 0; b < blocks; b++) {                                                                         \
            /* 1. Each row's block as signed bytes. */                                                             \
            int8x16_t wv[4][2];                                                                                    \
            for (int j = 0; j < nb; j++) WEIGHTS32((const uint8_t *)w + (size_t)j * row_bytes, b, is_q4, wv[j]);  \
            const int half = (b & 1) * 2; /* lanes 0–7 for even blocks, 8–15 for odd */                           \
            for (int i = 0; i < tb; i++) {                                                                         \
                /* 2. The token's bytes, and per row the exact sums of four. */                                    \
                const int8_t *xb = xq + (size_t)i * k_dim + (size_t)b * QK;                                        \
                int8x16_t x0 = vld1q_s8(xb), x1 = vld1q_s8(xb + 16);                                               \
                float xs = xd[(size_t)i * blocks + b];                                                             \
                for (int j = 0; j < nb; j++) {                                                                     \
                    /* 3. lane += dot × (weight scale × activation scale), fused. */                               \
                    float s = scales[(size_t)j * blocks + b] * xs;                                                 \
                    float32x4_t d0 = vcvtq_f32_s32(DOT4(wv[j][0], x0)), d1 = vcvtq_f32_s32(DOT4(wv[j][1], x1));   \
                    lanes[i][j][half] = vfmaq_n_f32(lanes[i][j][half], d0, s);                                     \
                    lanes[i][j][half + 1] = vfmaq_n_f32(lanes[i][j][half + 1], d1, s);                             \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
        /* 4. The sixteen lanes summed in order, as the portable kernel does. */                                   \
        for (int i = 0; i < tb; i++)                                                                               \
            for (int j = 0; j < nb; j++) {                                                                         \
                float v = 0;                                                                                       \
                for (int l = 0; l < 4; l++) {                                                                      \
                    v += vgetq_lane_f32(lanes[i][j][l], 0);                                                        \
                    v += vgetq_lane_f32(lanes[i][j][l], 1);                                                        \
                    v += vgetq_lane_f32(lanes[i][j][l], 2);                                                        \
                    v += vgetq_lane_f32(lanes[i][j][l], 3);                                                        \
                }                                                                                                  \
                float *out = y + (size_t)i * ldy + j;                                                              \
                *out = accumulate ? *out + v : v;                                                                  \
            }                                                                                                      \
    }

DEFINE_X8_TILE(x8_tile_widening, , dot4_widening, weights32)
DEFINE_X8_TILE(x8_tile_sdot, DOTPROD_TARGET, dot4_sdot, weights32_sdot)

/// Tiles of 2 tokens × 2 rows, and 1 token × 4 rows for a decode step (16 lane registers each).
#define X8_TILES(TILE)                                                                                             \
    for (int n = n_begin; n < n_end; n += 4) {                                                                     \
        int nb = n_end - n < 4 ? n_end - n : 4;                                                                    \
        for (int t = 0; t < rows;) {                                                                               \
            int tb = rows - t >= 2 ? 2 : 1;                                                                        \
            for (int j0 = 0; j0 < nb;) {                                                                           \
                int step = tb == 1 ? nb - j0 : (nb - j0 >= 2 ? 2 : 1);                                             \
                const int8_t *xt = xq + (size_t)t * k_dim;                                                         \
                const float *dt = xd + (size_t)t * blocks;                                                         \
                const uint8_t *wr = (const uint8_t *)weights + (size_t)(n + j0) * row_bytes;                       \
                const float *sr = scales + (size_t)(n + j0) * blocks;                                              \
                float *yt = y + (size_t)t * ldy + n + j0;                                                          \
                if (tb == 2 && step == 2)                                                                          \
                    TILE(xt, dt, 2, k_dim, wr, row_bytes, sr, 2, yt, ldy, accumulate, is_q4);                      \
                else if (tb == 1 && step == 4)                                                                     \
                    TILE(xt, dt, 1, k_dim, wr, row_bytes, sr, 4, yt, ldy, accumulate, is_q4);                      \
                else                                                                                               \
                    TILE(xt, dt, tb, k_dim, wr, row_bytes, sr, step, yt, ldy, accumulate, is_q4);                  \
                j0 += step;                                                                                        \
            }                                                                                                      \
            t += tb;                                                                                               \
        }                                                                                                          \
    }

#define DEFINE_X8_DRIVER(NAME, ATTRIBUTES, TILE)                                                                   \
    ATTRIBUTES static void NAME(const int8_t *xq, const float *xd, int rows, int k_dim, const void *weights,      \
                                int is_q4, const float *scales, int n_begin, int n_end, float *y, int ldy,         \
                                int accumulate) {                                                                  \
        const int blocks = k_dim / QK;                                                                             \
        const size_t row_bytes = is_q4 ? (size_t)k_dim / 2 : (size_t)k_dim;                                        \
        if (is_q4) {                                                                                               \
            is_q4 = 1; /* constant in this branch: the q4_0 tiles inline their nibble unpacking */                 \
            X8_TILES(TILE)                                                                                         \
        } else {                                                                                                   \
            is_q4 = 0;                                                                                             \
            X8_TILES(TILE)                                                                                         \
        }                                                                                                          \
    }

DEFINE_X8_DRIVER(linear_x8_widening, , x8_tile_widening)
DEFINE_X8_DRIVER(linear_x8_sdot, DOTPROD_TARGET, x8_tile_sdot)

void zoo_neon_linear_x8(const int8_t *xq, const float *xd, int rows, int k_dim, const void *weights, int is_q4,
                        const float *scales, int n_begin, int n_end, float *y, int ldy, int accumulate) {
    if (zoo_cpu_has(ZOO_CPU_DOTPROD))
        linear_x8_sdot(xq, xd, rows, k_dim, weights, is_q4, scales, n_begin, n_end, y, ldy, accumulate);
    else
        linear_x8_widening(xq, xd, rows, k_dim, weights, is_q4, scales, n_begin, n_end, y, ldy, accumulate);
}

// MARK: - fp32 activations

/// Block `b`'s 32 weights of a row as fp32 (exact: small integers).
__attribute__((always_inline)) static inline void widen32(const void *row, int b, int is_q4, float32x4_t *w) {
    int8x16_t bytes[2];
    weights32(row, b, is_q4, bytes);
    for (int h = 0; h < 2; h++) {
        int16x8_t low = vmovl_s8(vget_low_s8(bytes[h])), high = vmovl_high_s8(bytes[h]);
        w[4 * h + 0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(low)));
        w[4 * h + 1] = vcvtq_f32_s32(vmovl_high_s16(low));
        w[4 * h + 2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(high)));
        w[4 * h + 3] = vcvtq_f32_s32(vmovl_high_s16(high));
    }
}

/// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) of lanes lo (0–3) and hi (4–7).
__attribute__((always_inline)) static inline float pairwise_sum(float32x4_t lo, float32x4_t hi) {
    float32x4_t pairs = vpaddq_f32(lo, hi);
    float32x4_t quads = vpaddq_f32(pairs, pairs);
    return vgetq_lane_f32(quads, 0) + vgetq_lane_f32(quads, 1);
}

/// Tokens [0, tb) × weight rows [0, nb), tb · nb ≤ 4.
__attribute__((always_inline)) static inline void q_tile(const float *x, int tb, int k_dim, const void *w,
                                                         size_t row_bytes, const float *scales, int nb, float *y,
                                                         int ldy, int accumulate, int is_q4) {
    const int blocks = k_dim / QK;
    float32x4_t acc[4][4][2];
    for (int i = 0; i < tb; i++)
        for (int j = 0; j < nb; j++) acc[i][j][0] = acc[i][j][1] = vdupq_n_f32(0);
    for (int b = 0; b < blocks; b++)
        for (int j = 0; j < nb; j++) {
            // 1. The row's block as fp32 (lanes l and 4 + l of chunk c: values 8c + l, 8c + 4 + l).
            float32x4_t wv[8];
            widen32((const uint8_t *)w + (size_t)j * row_bytes, b, is_q4, wv);
            float s = scales[(size_t)j * blocks + b];
            for (int i = 0; i < tb; i++) {
                // 2. The block's 32 products in eight lanes, then scaled into the accumulators.
                const float *xb = x + (size_t)i * k_dim + (size_t)b * QK;
                float32x4_t lo = vmulq_f32(vld1q_f32(xb), wv[0]), hi = vmulq_f32(vld1q_f32(xb + 4), wv[1]);
                for (int c = 1; c < 4; c++) {
                    lo = vfmaq_f32(lo, vld1q_f32(xb + 8 * c), wv[2 * c]);
                    hi = vfmaq_f32(hi, vld1q_f32(xb + 8 * c + 4), wv[2 * c + 1]);
                }
                acc[i][j][0] = vfmaq_n_f32(acc[i][j][0], lo, s);
                acc[i][j][1] = vfmaq_n_f32(acc[i][j][1], hi, s);
            }
        }
    // 3. Horizontal sums, stored or added.
    for (int i = 0; i < tb; i++)
        for (int j = 0; j < nb; j++) {
            float v = pairwise_sum(acc[i][j][0], acc[i][j][1]);
            float *out = y + (size_t)i * ldy + j;
            *out = accumulate ? *out + v : v;
        }
}

/// Tiles of 4 tokens × 1 row (each weight block widened once for four tokens) and 1 token × 4 rows.
__attribute__((always_inline)) static inline void linear_q(const float *x, int rows, int k_dim, const void *weights,
                                                           const float *scales, int n_begin, int n_end, float *y,
                                                           int ldy, int accumulate, int is_q4) {
    const int blocks = k_dim / QK;
    const size_t row_bytes = is_q4 ? (size_t)k_dim / 2 : (size_t)k_dim;
    for (int n = n_begin; n < n_end; n += 4) {
        int nb = n_end - n < 4 ? n_end - n : 4;
        for (int t = 0; t < rows; t += 4) {
            int tb = rows - t < 4 ? rows - t : 4;
            const float *xt = x + (size_t)t * k_dim;
            float *yt = y + (size_t)t * ldy + n;
            const uint8_t *wr = (const uint8_t *)weights + (size_t)n * row_bytes;
            const float *sr = scales + (size_t)n * blocks;
            if (tb == 1 && nb == 4) {
                q_tile(xt, 1, k_dim, wr, row_bytes, sr, 4, yt, ldy, accumulate, is_q4);
            } else if (tb == 4) {
                for (int j = 0; j < nb; j++)
                    q_tile(xt, 4, k_dim, wr + (size_t)j * row_bytes, row_bytes, sr + (size_t)j * blocks, 1, yt + j,
                           ldy, accumulate, is_q4);
            } else {
                for (int j = 0; j < nb; j++)
                    q_tile(xt, tb, k_dim, wr + (size_t)j * row_bytes, row_bytes, sr + (size_t)j * blocks, 1, yt + j,
                           ldy, accumulate, is_q4);
            }
        }
    }
}

void zoo_neon_linear_q8_0(const float *x, int rows, int k_dim, const int8_t *q, const float *scales, int n_begin,
                          int n_end, float *y, int ldy, int accumulate) {
    linear_q(x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate, 0);
}

void zoo_neon_linear_q4_0(const float *x, int rows, int k_dim, const uint8_t *q, const float *scales, int n_begin,
                          int n_end, float *y, int ldy, int accumulate) {
    linear_q(x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate, 1);
}
#endif  // ZOO_ARM64

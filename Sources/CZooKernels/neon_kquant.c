// NEON block dequantizers for the formats read in place (q4_K, q5_K, q6_K, q5_0, q5_1, q4_1): sixteen
// values at a time with gguf-py's arithmetic, bit for bit — the per-block factors computed by the
// same scalar code as the portable dequantizers (k_scales.h, half.h), then one rounded product and
// one rounded add or subtract per value, never fused. neon_linear.c feeds their output to the fp32
// order, so the products equal the f32 kernel on zoo_dequantize_<format>'s output.
#include "neon.h"

#if ZOO_ARM64
#include "half.h"
#include "k_scales.h"

/// Sixteen small integers (bytes, unsigned or already offset to signed) as four fp32 registers.
__attribute__((always_inline)) static inline void widen16(int8x16_t v, int is_signed, float32x4_t f[4]) {
    int16x8_t lo, hi;
    if (is_signed) {
        lo = vmovl_s8(vget_low_s8(v));
        hi = vmovl_high_s8(v);
    } else {  // values up to 255 must not sign-extend
        lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(vreinterpretq_u8_s8(v))));
        hi = vreinterpretq_s16_u16(vmovl_high_u8(vreinterpretq_u8_s8(v)));
    }
    f[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo)));
    f[1] = vcvtq_f32_s32(vmovl_high_s16(lo));
    f[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi)));
    f[3] = vcvtq_f32_s32(vmovl_high_s16(hi));
}

/// y[0 ..< 16] = a·q, rounded, then with `add` + b, rounded (x − min is x + (−min), zeros' signs too).
__attribute__((always_inline)) static inline void store16(int8x16_t q, int is_signed, float a, int add, float b,
                                                          float *y) {
    float32x4_t f[4];
    widen16(q, is_signed, f);
    for (int i = 0; i < 4; i++) {
        float32x4_t product = vmulq_n_f32(f[i], a);
        vst1q_f32(y + 4 * i, add ? vaddq_f32(product, vdupq_n_f32(b)) : product);
    }
}

static inline int8x16_t as_s8(uint8x16_t v) { return vreinterpretq_s8_u8(v); }

// MARK: - q4_K and q5_K: (d·scale)·q − dmin·min

/// One super-block; `with_high` (q5_K) adds the fifth bits from qh. Sub-blocks 2c and 2c + 1 take
/// the low and high nibbles of chunk c's 32 bytes.
__attribute__((always_inline)) static inline void k_block(const uint8_t *block, float *y, int with_high) {
    float scale[8], min[8];
    zoo_k_factors(block, scale, min);
    const uint8_t *q = block + (with_high ? 48 : 16), *qh = block + 16;
    const uint8x16_t nibble = vdupq_n_u8(0x0F), sixteen = vdupq_n_u8(16);
    for (int c = 0; c < 4; c++)
        for (int half = 0; half < 2; half++) {
            // 1. Sixteen bytes of the chunk: values 16·half .. of sub-blocks 2c (low) and 2c + 1 (high).
            uint8x16_t bytes = vld1q_u8(q + 32 * c + 16 * half);
            uint8x16_t lo = vandq_u8(bytes, nibble), hi = vshrq_n_u8(bytes, 4);
            // 2. q5_K: bit 2c (low) or 2c + 1 (high) of qh[l] is the value's fifth bit.
            if (with_high) {
                uint8x16_t h = vld1q_u8(qh + 16 * half);
                lo = vorrq_u8(lo, vandq_u8(vtstq_u8(h, vdupq_n_u8((uint8_t)(1 << (2 * c)))), sixteen));
                hi = vorrq_u8(hi, vandq_u8(vtstq_u8(h, vdupq_n_u8((uint8_t)(2 << (2 * c)))), sixteen));
            }
            // 3. Rounded product, then the rounded subtraction of the min.
            store16(as_s8(lo), 0, scale[2 * c], 1, -min[2 * c], y + 64 * c + 16 * half);
            store16(as_s8(hi), 0, scale[2 * c + 1], 1, -min[2 * c + 1], y + 64 * c + 32 + 16 * half);
        }
}

void zoo_neon_dequantize_q4_k(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / 256; b++) k_block(blocks + (size_t)b * 144, out + (size_t)b * 256, 0);
}

void zoo_neon_dequantize_q5_k(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / 256; b++) k_block(blocks + (size_t)b * 176, out + (size_t)b * 256, 1);
}

// MARK: - q6_K: (d·scale)·(q − 32)

static void q6_k_block(const uint8_t *block, float *y) {
    float d = zoo_f16_at(block + 208);
    const int8_t *scales = (const int8_t *)(block + 192);
    const uint8x16_t nibble = vdupq_n_u8(0x0F), pair = vdupq_n_u8(3);
    for (int h = 0; h < 2; h++) {
        const uint8_t *ql = block + 64 * h, *qh = block + 128 + 32 * h;
        for (int m = 0; m < 8; m++) {
            // Values r = 16m .. 16m + 15 of the half: the low four bits from ql[r % 64] (high nibbles
            // for r ≥ 64), the top two from qh[r % 32], bits 2·(r / 32).
            uint8x16_t low = vld1q_u8(ql + 16 * (m % 4));
            low = m < 4 ? vandq_u8(low, nibble) : vshrq_n_u8(low, 4);
            uint8x16_t top = vandq_u8(vshlq_u8(vld1q_u8(qh + 16 * (m % 2)), vdupq_n_s8((int8_t)(-2 * (m / 2)))), pair);
            int8x16_t q = vsubq_s8(as_s8(vorrq_u8(low, vshlq_n_u8(top, 4))), vdupq_n_s8(32));
            store16(q, 1, d * (float)scales[8 * h + m], 0, 0.0f, y + 128 * h + 16 * m);
        }
    }
}

void zoo_neon_dequantize_q6_k(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / 256; b++) q6_k_block(blocks + (size_t)b * 210, out + (size_t)b * 256);
}

// MARK: - q5_0: d·(q − 16); q5_1: d·q + m

__attribute__((always_inline)) static inline void q5_block(const uint8_t *block, float *y, int with_min) {
    float d = zoo_f16_at(block), m = with_min ? zoo_f16_at(block + 2) : 0.0f;
    const uint8_t *p = block + (with_min ? 4 : 2);
    const uint8x16_t qs = vld1q_u8(block + (with_min ? 8 : 6));
    // Bit l of qh (little-endian) for value l: byte l / 8 of qh, tested against bit l % 8.
    const uint8x16_t bit = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    for (int half = 0; half < 2; half++) {
        uint8x16_t bytes = vcombine_u8(vdup_n_u8(p[2 * half]), vdup_n_u8(p[2 * half + 1]));
        uint8x16_t fifth = vandq_u8(vtstq_u8(bytes, bit), vdupq_n_u8(16));
        uint8x16_t q = vorrq_u8(half ? vshrq_n_u8(qs, 4) : vandq_u8(qs, vdupq_n_u8(0x0F)), fifth);
        if (with_min)
            store16(as_s8(q), 0, d, 1, m, y + 16 * half);
        else
            store16(vsubq_s8(as_s8(q), vdupq_n_s8(16)), 1, d, 0, 0.0f, y + 16 * half);
    }
}

void zoo_neon_dequantize_q5_0(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / 32; b++) q5_block(blocks + (size_t)b * 22, out + (size_t)b * 32, 0);
}

void zoo_neon_dequantize_q5_1(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / 32; b++) q5_block(blocks + (size_t)b * 24, out + (size_t)b * 32, 1);
}

// MARK: - q4_1: d·q + m

void zoo_neon_dequantize_q4_1(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / 32; b++) {
        const uint8_t *block = blocks + (size_t)b * 20;
        const uint8x16_t qs = vld1q_u8(block + 4);
        float d = zoo_f16_at(block), m = zoo_f16_at(block + 2);
        store16(as_s8(vandq_u8(qs, vdupq_n_u8(0x0F))), 0, d, 1, m, out + (size_t)b * 32);
        store16(as_s8(vshrq_n_u8(qs, 4)), 0, d, 1, m, out + (size_t)b * 32 + 16);
    }
}
#endif  // ZOO_ARM64

// fp32 → q4_K and q5_0 blocks (the GGUF layouts linear_q4_k.c and linear_q5.c read), following
// llama.cpp's reference quantizers (what its quantizer uses without an importance matrix), so the
// blocks equal llama.cpp's bit for bit. That needs llama.cpp's exact sequence of fp32 operations:
// every expression below rounds after each operation in the order written, and nothing may be
// fused into an FMA.
#include "zoo_kernels.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

#define QK_K 256
#define Q4_K_BYTES 144
#define Q5_0_BYTES 22

/// Round to nearest, ties to even, as llama.cpp does it: adding 1.5·2²³ leaves the integer in the
/// low mantissa bits. (Out-of-range inputs give llama.cpp's wrapped values too.)
static inline int round_half_even(float v) {
    float shifted = v + 12582912.f;
    int32_t bits;
    memcpy(&bits, &shifted, 4);
    return (bits & 0x007fffff) - 0x00400000;
}

/// fp32 → IEEE fp16 bits, rounding to nearest even, little-endian at `p`.
static inline void store_f16(uint8_t *p, float v) {
    _Float16 h = (_Float16)v;
    memcpy(p, &h, 2);
}

static inline float load_f16(const uint8_t *p) {
    _Float16 h;
    memcpy(&h, p, 2);
    return (float)h;
}

/// The scale of a sub-block of 32 values `x` with quant levels 0..15 and an offset, chosen by
/// llama.cpp's weighted search: start from the range, try 21 scalings of the level count from 14
/// to 16 and keep the least weighted squared error (with a least-squares scale and offset for each).
/// As in llama.cpp, a better offset found replaces the range's lower end for the tries after it.
/// Writes the levels to `levels` and the offset's negation (≥ 0) to `negated_offset`.
static float q4_k_fit(const float *x, const float *weight, uint8_t *levels, float *negated_offset) {
    const int n = 32, top = 15, steps = 20;
    const float first = -1.f, step = 0.1f;
    float lo = x[0], hi = x[0];
    float sum_w = weight[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < lo) lo = x[i];
        if (x[i] > hi) hi = x[i];
        float w = weight[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if (lo > 0) lo = 0;
    if (hi == lo) {
        for (int i = 0; i < n; ++i) levels[i] = 0;
        *negated_offset = -lo;
        return 0.f;
    }
    float inverse = top / (hi - lo);
    float scale = 1 / inverse;
    float best = 0;
    for (int i = 0; i < n; ++i) {
        int l = round_half_even(inverse * (x[i] - lo));
        levels[i] = (uint8_t)(l < 0 ? 0 : l > top ? top : l);
        float diff = scale * levels[i] + lo - x[i];
        best += weight[i] * (diff * diff);
    }
    uint8_t trial[32];
    for (int s = 0; s <= steps; ++s) {
        inverse = (first + step * s + top) / (hi - lo);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            int l = round_half_even(inverse * (x[i] - lo));
            l = l < 0 ? 0 : l > top ? top : l;
            trial[i] = (uint8_t)l;
            float w = weight[i];
            sum_l += w * l;
            sum_l2 += w * l * l;
            sum_xl += w * l * x[i];
        }
        float det = sum_w * sum_l2 - sum_l * sum_l;
        if (!(det > 0)) continue;
        float s_try = (sum_w * sum_xl - sum_x * sum_l) / det;
        float o_try = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (o_try > 0) {
            o_try = 0;
            s_try = sum_xl / sum_l2;
        }
        float error = 0;
        for (int i = 0; i < n; ++i) {
            float diff = s_try * trial[i] + o_try - x[i];
            error += weight[i] * (diff * diff);
        }
        if (error < best) {
            memcpy(levels, trial, (size_t)n);
            best = error;
            scale = s_try;
            lo = o_try;
        }
    }
    *negated_offset = -lo;
    return scale;
}

/// One super-block of 256 values.
static void q4_k_quantize_block(const float *x, uint8_t *block) {
    uint8_t levels[QK_K];
    float scale[8], offset[8];
    float top_scale = 0, top_offset = 0;  // scales and (negated) offsets are never negative
    for (int j = 0; j < 8; ++j) {
        const float *xs = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
        float spread = sqrtf(sum_x2 / 32);
        float weight[32];
        for (int l = 0; l < 32; ++l) weight[l] = spread + fabsf(xs[l]);
        scale[j] = q4_k_fit(xs, weight, levels + 32 * j, &offset[j]);
        if (scale[j] > top_scale) top_scale = scale[j];
        if (offset[j] > top_offset) top_offset = offset[j];
    }
    // Six-bit sub-block scales and offsets relative to the super-block's fp16 d and dmin.
    uint8_t *packed = block + 4;
    memset(packed, 0, 12);
    float to_scale = top_scale > 0 ? 63.f / top_scale : 0.f;
    float to_offset = top_offset > 0 ? 63.f / top_offset : 0.f;
    uint8_t sc[8], mn[8];
    for (int j = 0; j < 8; ++j) {
        uint8_t a = (uint8_t)round_half_even(to_scale * scale[j]);
        uint8_t b = (uint8_t)round_half_even(to_offset * offset[j]);
        sc[j] = a < 63 ? a : 63;
        mn[j] = b < 63 ? b : 63;
    }
    for (int j = 0; j < 4; ++j) {
        packed[j] = (uint8_t)(sc[j] | ((sc[j + 4] >> 4) << 6));
        packed[j + 4] = (uint8_t)(mn[j] | ((mn[j + 4] >> 4) << 6));
        packed[j + 8] = (uint8_t)((sc[j + 4] & 0xF) | ((mn[j + 4] & 0xF) << 4));
    }
    store_f16(block, top_scale / 63.f);
    store_f16(block + 2, top_offset / 63.f);
    // Requantize against the rounded factors (a sub-block whose scale rounded to zero keeps its fit).
    float d = load_f16(block), dmin = load_f16(block + 2);
    for (int j = 0; j < 8; ++j) {
        const float ds = d * sc[j];
        if (!ds) continue;
        const float dm = dmin * mn[j];
        for (int l = 0; l < 32; ++l) {
            int q = round_half_even((x[32 * j + l] + dm) / ds);
            levels[32 * j + l] = (uint8_t)(q < 0 ? 0 : q > 15 ? 15 : q);
        }
    }
    uint8_t *q = block + 16;
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l) q[32 * c + l] = (uint8_t)(levels[64 * c + l] | (levels[64 * c + 32 + l] << 4));
}

void zoo_quantize_q4_k(const float *w, int rows, int k_dim, uint8_t *blocks) {
    size_t count = (size_t)rows * (size_t)(k_dim / QK_K);
    for (size_t b = 0; b < count; ++b) q4_k_quantize_block(w + b * QK_K, blocks + b * Q4_K_BYTES);
}

void zoo_quantize_q5_0(const float *w, int rows, int k_dim, uint8_t *blocks) {
    size_t count = (size_t)rows * (size_t)(k_dim / 32);
    for (size_t b = 0; b < count; ++b) {
        const float *x = w + b * 32;
        uint8_t *block = blocks + b * Q5_0_BYTES;
        // The value of largest magnitude maps to level 0 (q − 16 = −16).
        float peak = 0, extreme = 0;
        for (int l = 0; l < 32; ++l)
            if (peak < fabsf(x[l])) {
                peak = fabsf(x[l]);
                extreme = x[l];
            }
        const float d = extreme / -16;
        const float inverse = d ? 1.0f / d : 0.0f;
        store_f16(block, d);
        uint32_t high = 0;
        for (int l = 0; l < 16; ++l) {
            // Truncation toward zero after adding 16.5 rounds half up, as llama.cpp does.
            int8_t a = (int8_t)(x[l] * inverse + 16.5f), c = (int8_t)(x[l + 16] * inverse + 16.5f);
            uint8_t lo = (uint8_t)(a < 31 ? a : 31), hi = (uint8_t)(c < 31 ? c : 31);
            block[6 + l] = (uint8_t)((lo & 0x0F) | ((hi & 0x0F) << 4));
            high |= (uint32_t)(lo >> 4) << l;
            high |= (uint32_t)(hi >> 4) << (l + 16);
        }
        for (int i = 0; i < 4; ++i) block[2 + i] = (uint8_t)(high >> (8 * i));
    }
}

// NEON row kernels: fp32 and fp16 dot products and axpy (attention rows), fp32 → fp16 narrowing (the
// KV cache), SwiGLU, and one query group's causal attention.
//
// Dots run neon.h's order (eight fused lanes, pairwise sum), then any tail fused one by one. fp16 is
// widened and narrowed by the hardware conversions, which are exact and round to nearest even as
// the portable _Float16 casts do, so narrowing gives the portable path's bits. e^x is Cephes' expf
// polynomial (as vector_exp.h's AVX-512 version), within 2 ulp.
#include "neon.h"

#if ZOO_ARM64
#include <math.h>
#include <string.h>

#include "zoo_kernels.h"
#include "vector_exp.h"

// MARK: - Loads

__attribute__((always_inline)) static inline float32x4_t load4(const void *p, int half) {
    if (half) return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
    return vld1q_f32(p);
}

/// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) of lanes lo (0–3) and hi (4–7).
__attribute__((always_inline)) static inline float pairwise_sum(float32x4_t lo, float32x4_t hi) {
    float32x4_t pairs = vpaddq_f32(lo, hi);
    float32x4_t quads = vpaddq_f32(pairs, pairs);
    return vgetq_lane_f32(quads, 0) + vgetq_lane_f32(quads, 1);
}

// MARK: - Dot products and axpy

__attribute__((always_inline)) static inline float dot(const float *a, const void *b, int n, int half) {
    const uint16_t *bh = b;
    const float *bf = b;
    float32x4_t lo = vdupq_n_f32(0), hi = vdupq_n_f32(0);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        lo = vfmaq_f32(lo, vld1q_f32(a + i), half ? load4(bh + i, 1) : load4(bf + i, 0));
        hi = vfmaq_f32(hi, vld1q_f32(a + i + 4), half ? load4(bh + i + 4, 1) : load4(bf + i + 4, 0));
    }
    float total = pairwise_sum(lo, hi);
    for (; i < n; i++) {
        float w;
        if (half) {
            uint16_t one[4] = {bh[i], 0, 0, 0};
            w = vgetq_lane_f32(load4(one, 1), 0);
        } else {
            w = bf[i];
        }
        total = fmaf(a[i], w, total);
    }
    return total;
}

float zoo_neon_dot_f32(const float *a, const float *b, int n) { return dot(a, b, n, 0); }
float zoo_neon_dot_f16(const float *a, const uint16_t *b, int n) { return dot(a, b, n, 1); }

__attribute__((always_inline)) static inline void axpy(float alpha, const void *x, float *y, int n, int half) {
    const uint16_t *xh = x;
    const float *xf = x;
    int i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), half ? load4(xh + i, 1) : load4(xf + i, 0), alpha));
    if (i < n) {  // the tail through zero-padded registers: the same fused operation
        float yt[4] = {0}, xt[4] = {0};
        uint16_t ht[4] = {0};
        memcpy(yt, y + i, (size_t)(n - i) * 4);
        if (half)
            memcpy(ht, xh + i, (size_t)(n - i) * 2);
        else
            memcpy(xt, xf + i, (size_t)(n - i) * 4);
        vst1q_f32(yt, vfmaq_n_f32(vld1q_f32(yt), half ? load4(ht, 1) : load4(xt, 0), alpha));
        memcpy(y + i, yt, (size_t)(n - i) * 4);
    }
}

void zoo_neon_axpy_f32(float alpha, const float *x, float *y, int n) { axpy(alpha, x, y, n, 0); }
void zoo_neon_axpy_f16(float alpha, const uint16_t *x, float *y, int n) { axpy(alpha, x, y, n, 1); }

void zoo_neon_narrow_f16(const float *src, uint16_t *dst, int n) {
    int i = 0;
    for (; i + 4 <= n; i += 4) vst1_u16(dst + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(src + i))));
    if (i < n) {
        float st[4] = {0};
        uint16_t dt[4];
        memcpy(st, src + i, (size_t)(n - i) * 4);
        vst1_u16(dt, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(st))));
        memcpy(dst + i, dt, (size_t)(n - i) * 2);
    }
}

// MARK: - e^x, SwiGLU

/// e^x for x ≤ 88.7 (Cephes' expf, vector_exp.h); 0 below −87.3.
static inline float32x4_t exp4(float32x4_t x) {
    // 1. Range reduction.
    x = vminq_f32(x, vdupq_n_f32(ZOO_EXP_MAX));
    uint32x4_t tiny = vcltq_f32(x, vdupq_n_f32(ZOO_EXP_MIN));
    float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(ZOO_EXP_LOG2E)));
    float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(ZOO_EXP_LN2_HI));
    r = vfmsq_f32(r, n, vdupq_n_f32(ZOO_EXP_LN2_LO));
    // 2. The polynomial.
    float32x4_t p = vdupq_n_f32(zoo_exp_coefficients[0]);
    for (int i = 1; i < 6; i++) p = vfmaq_f32(vdupq_n_f32(zoo_exp_coefficients[i]), p, r);
    p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), p, vmulq_f32(r, r));
    // 3. × 2^n in two steps (n reaches 128, one past the largest exponent).
    int32x4_t k = vcvtq_s32_f32(n), k1 = vshrq_n_s32(k, 1), k2 = vsubq_s32(k, k1);
    float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k1, vdupq_n_s32(127)), 23));
    float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k2, vdupq_n_s32(127)), 23));
    float32x4_t result = vmulq_f32(vmulq_f32(p, s1), s2);
    return vbslq_f32(tiny, vdupq_n_f32(0), result);
}

/// gate[i] = gate[i] / (1 + e^−gate[i]) · up[i], four at a time (the tail through padded registers).
void zoo_neon_swiglu(float *gate, const float *up, int n) {
    for (int i = 0; i < n; i += 4) {
        float g[4] = {0}, u[4] = {0};
        int count = n - i < 4 ? n - i : 4;
        memcpy(g, gate + i, (size_t)count * 4);
        memcpy(u, up + i, (size_t)count * 4);
        float32x4_t gv = vld1q_f32(g);
        float32x4_t silu = vdivq_f32(gv, vaddq_f32(vdupq_n_f32(1.0f), exp4(vnegq_f32(gv))));
        vst1q_f32(g, vmulq_f32(silu, vld1q_f32(u)));
        memcpy(gate + i, g, (size_t)count * 4);
    }
}

// MARK: - Attention

/// Scores q·k·scale for each visible key, softmax, then Σ p_j · v_j.
void zoo_neon_attend_group(const float *q, int group, int d, const void *keys, const void *values, int half,
                           size_t stride, int visible, float scale, float *scores, float *out) {
    const size_t element = half ? 2 : 4;
    for (int g = 0; g < group; g++) {
        const float *qg = q + (size_t)g * d;
        float *s = scores + (size_t)g * visible;
        // 1. Scores, and their maximum.
        float max_value = -INFINITY;
        for (int j = 0; j < visible; j++) {
            const char *key = (const char *)keys + (size_t)j * stride * element;
            s[j] = dot(qg, key, d, half) * scale;
            max_value = s[j] > max_value ? s[j] : max_value;
        }
        // 2. e^(s − max) and their sum (lanes, then pairwise), then the normalisation.
        float32x4_t sum4 = vdupq_n_f32(0);
        int j = 0;
        for (; j + 4 <= visible; j += 4) {
            float32x4_t e = exp4(vsubq_f32(vld1q_f32(s + j), vdupq_n_f32(max_value)));
            vst1q_f32(s + j, e);
            sum4 = vaddq_f32(sum4, e);
        }
        float sum = vaddvq_f32(sum4);
        for (; j < visible; j++) {
            float32x4_t e = exp4(vdupq_n_f32(s[j] - max_value));
            s[j] = vgetq_lane_f32(e, 0);
            sum += s[j];
        }
        float inverse = 1 / sum;
        for (j = 0; j < visible; j++) s[j] *= inverse;
        // 3. The weighted sum of the value rows.
        float *o = out + (size_t)g * d;
        for (int c = 0; c < d; c++) o[c] = 0;
        for (j = 0; j < visible; j++) axpy(s[j], (const char *)values + (size_t)j * stride * element, o, d, half);
    }
}
#endif  // ZOO_ARM64

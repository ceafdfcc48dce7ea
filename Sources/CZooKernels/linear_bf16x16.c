// bf16 weights times bf16-rounded activations with AVX-512 BF16 dot products (VDPBF16PS), the way
// PyTorch's bfloat16 dtype and llama.cpp's BF16 compute: twice the products per instruction of fp32
// FMAs. Opt-in (`dtype: bf16`): rounding the activations costs accuracy (~1e-2 relative on logits),
// which the default path, fp32 activations times bf16 weights, does not.
//
// Layout (as linear_x16.c, for the same reason: one instruction advances 16 rows): group g holds rows
// 16g … 16g+15 (missing rows of the last group are zero); per pair of columns p, 64 bytes whose lane
// r is row r's (w[2p], w[2p+1]) as two bf16 (the even column in the low half).
//
// Arithmetic per (token, row), the same in every path and for any number of rows: two sums, a over
// even pairs and b over odd pairs, each pair adding w[2p+1]·x[2p+1] then w[2p]·x[2p] (one rounding
// each, as VDPBF16PS specifies); then y = a + b.
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"
#include "x16_common.h"


#define GROUP 16

static inline size_t group_bytes(int k_dim) { return (size_t)(k_dim / 2) * 64; }

size_t zoo_bf16x16_bytes(int rows, int k_dim) { return (size_t)((rows + GROUP - 1) / GROUP) * group_bytes(k_dim); }

void zoo_pack_bf16x16(const uint16_t *w, int rows, int k_dim, int group_begin, int group_end, uint16_t *out) {
    for (int g = group_begin; g < group_end; g++) {
        uint16_t *group = out + (size_t)g * group_bytes(k_dim) / 2;
        for (int p = 0; p < k_dim / 2; p++)
            for (int r = 0; r < GROUP; r++) {
                int row = g * GROUP + r;
                uint16_t *lane = group + (size_t)p * 32 + 2 * r;
                lane[0] = row < rows ? w[(size_t)row * k_dim + 2 * p] : 0;
                lane[1] = row < rows ? w[(size_t)row * k_dim + 2 * p + 1] : 0;
            }
    }
}

static inline float bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

void zoo_unpack_row_bf16x16(const uint16_t *packed, int k_dim, int row, float *out) {
    const uint16_t *group = packed + (size_t)(row / GROUP) * group_bytes(k_dim) / 2;
    for (int p = 0; p < k_dim / 2; p++) {
        const uint16_t *lane = group + (size_t)p * 32 + 2 * (row % GROUP);
        out[2 * p] = bf16_to_f32(lane[0]);
        out[2 * p + 1] = bf16_to_f32(lane[1]);
    }
}

// Round to nearest even, as VCVTNEPS2BF16: denormal inputs become zero of their sign, NaNs stay NaN.
static inline uint16_t round_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7F800000u) == 0) return (uint16_t)((u >> 16) & 0x8000u);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x0040u);
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

#if ZOO_X86
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

static int use_bf16(void) { return zoo_cpu_has(ZOO_CPU_AVX512_BF16) && zoo_isa_index() == ZOO_ISA_AVX512; }

BF16_TARGET static void round_bf16_avx512(const float *x, int n, uint16_t *out) {
    int i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(out + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(x + i)));
    for (; i < n; i++) out[i] = round_bf16(x[i]);
}
#endif

int zoo_bf16_dot_available(void) { return zoo_cpu_has(ZOO_CPU_AVX512_BF16); }

void zoo_round_bf16(const float *x, int n, uint16_t *out) {
#if ZOO_X86
    if (use_bf16()) {
        round_bf16_avx512(x, n, out);
        return;
    }
#endif
    for (int i = 0; i < n; i++) out[i] = round_bf16(x[i]);
}

void zoo_linear_bf16x16_portable(const uint16_t *x, int rows, int k_dim, const uint16_t *packed, int n_begin,
                                 int n_end, float *y, int ldy, int accumulate) {
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const uint16_t *group = packed + (size_t)(n / GROUP) * group_bytes(k_dim) / 2;
            const uint16_t *xt = x + (size_t)t * k_dim;
            float sums[2] = {0, 0};
            for (int p = 0; p < k_dim / 2; p++) {
                const uint16_t *lane = group + (size_t)p * 32 + 2 * (n % GROUP);
                float s = sums[p & 1];
                s = s + bf16_to_f32(lane[1]) * bf16_to_f32(xt[2 * p + 1]);
                s = s + bf16_to_f32(lane[0]) * bf16_to_f32(xt[2 * p]);
                sums[p & 1] = s;
            }
            float v = sums[0] + sums[1];
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

#if ZOO_X86
// Tokens [0, T) × groups [0, G) (T ≤ 4, G ≤ 2, constants after inlining).
BF16_TARGET __attribute__((always_inline)) static inline void
bf16_tile(const uint16_t *x, const int T, int k_dim, const uint16_t *w, const int G, __mmask16 last_mask, float *y,
          int ldy, int accumulate) {
    const size_t gb = group_bytes(k_dim);
    __m512 acc[2][2][4];
    for (int g = 0; g < G; g++)
        for (int t = 0; t < T; t++) acc[0][g][t] = acc[1][g][t] = _mm512_setzero_ps();
    // Pairs two at a time, so that which sum a pair feeds is known at compile time (registers).
    const int pairs = k_dim / 2;
    for (int p = 0; p < pairs; p += 2)
        for (int h = 0; h < 2 && p + h < pairs; h++)
            for (int g = 0; g < G; g++) {
                __m512bh wv = (__m512bh)_mm512_loadu_si512((const uint8_t *)w + (size_t)g * gb + (size_t)(p + h) * 64);
                for (int t = 0; t < T; t++) {
                    int32_t pair;
                    memcpy(&pair, x + (size_t)t * k_dim + 2 * (p + h), 4);
                    acc[h][g][t] = _mm512_dpbf16_ps(acc[h][g][t], wv, (__m512bh)_mm512_set1_epi32(pair));
                }
            }
    for (int g = 0; g < G; g++)
        for (int t = 0; t < T; t++) {
            float *out = y + (size_t)t * ldy + (size_t)g * GROUP;
            __mmask16 m = g == G - 1 ? last_mask : (__mmask16)0xFFFF;
            __m512 v = _mm512_add_ps(acc[0][g][t], acc[1][g][t]);
            if (accumulate) v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, out), v);
            _mm512_mask_storeu_ps(out, m, v);
        }
}

BF16_TARGET static void linear_bf16x16_avx512(const uint16_t *x, int rows, int k_dim, const uint16_t *w, int n_begin,
                                              int n_end, float *y, int ldy, int accumulate) {
    const size_t gb = group_bytes(k_dim);
#define BF16_TILE(AT, TB, GG)                                                                                         \
    bf16_tile(x + (size_t)(AT).t * k_dim, TB, k_dim, (const uint16_t *)((const uint8_t *)w + (size_t)(AT).g * gb),    \
              GG, (AT).mask, y + (size_t)(AT).t * ldy + (size_t)(AT).g * GROUP, ldy, accumulate)
    ZOO_FOR_EACH_X16_TILE(2, rows, n_begin, n_end, BF16_TILE)
#undef BF16_TILE
}
#endif

void zoo_linear_bf16x16(const uint16_t *x, int rows, int k_dim, const uint16_t *packed, int n_begin, int n_end,
                        float *y, int ldy, int accumulate) {
#if ZOO_X86
    if (use_bf16()) {
        linear_bf16x16_avx512(x, rows, k_dim, packed, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    zoo_linear_bf16x16_portable(x, rows, k_dim, packed, n_begin, n_end, y, ldy, accumulate);
}

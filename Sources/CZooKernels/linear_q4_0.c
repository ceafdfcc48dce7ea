// q4_0 weights (llama.cpp's 4-bit format: blocks of 32 values as 16 bytes of nibbles, low nibbles
// the first 16 values and high nibbles the last 16, each value (nibble − 8) × scale) times fp32
// activations. Stored as the packed nibbles [rows][k/2] and the scales [rows][k/32] (fp16-rounded).
// Same fixed per-element order as the q8_0 kernel.
#include "zoo_kernels.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu_features.h"

#include "dequant_frame.h"
#include "neon.h"
#include "q_0_tiles.h"
#include "tiling.h"
#define QK 32

void zoo_quantize_q4_0(const float *w, int rows, int k_dim, uint8_t *q, float *scales) {
    int blocks = k_dim / QK;
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < blocks; b++) {
            const float *src = w + (size_t)r * k_dim + (size_t)b * QK;
            float amax = 0, max = 0;
            for (int i = 0; i < QK; i++)
                if (amax < fabsf(src[i])) {
                    amax = fabsf(src[i]);
                    max = src[i];
                }
            float d = max / -8.0f;
            float id = d != 0 ? 1.0f / d : 0.0f;
            uint8_t *dst = q + (size_t)r * (k_dim / 2) + (size_t)b * (QK / 2);
            for (int j = 0; j < QK / 2; j++) {
                int8_t lo = (int8_t)(src[j] * id + 8.5f), hi = (int8_t)(src[j + QK / 2] * id + 8.5f);
                uint8_t a = (uint8_t)(lo < 15 ? lo : 15), c = (uint8_t)(hi < 15 ? hi : 15);
                dst[j] = (uint8_t)(a | (c << 4));
            }
            scales[(size_t)r * blocks + b] = (float)(_Float16)d;
        }
}

#if ZOO_X86
__attribute__((target("avx512f"))) static void
linear_q4_0_avx512(const float *x, int rows, int k_dim, const uint8_t *q, const float *scales, int n_begin, int n_end,
                   float *y, int ldy, int accumulate) {
    zoo_q_0_linear_avx512(4, x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
}
#endif

static void linear_q4_0_generic(const float *x, int rows, int k_dim, const uint8_t *q, const float *scales, int n_begin,
                                int n_end, float *y, int ldy, int accumulate) {
    int blocks = k_dim / QK;
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const float *xr = x + (size_t)t * k_dim;
            const uint8_t *qr = q + (size_t)n * (k_dim / 2);
            float v = 0;
            for (int b = 0; b < blocks; b++) {
                float part = 0;
                for (int j = 0; j < QK / 2; j++) {
                    uint8_t byte = qr[b * (QK / 2) + j];
                    part += xr[b * QK + j] * (float)((int)(byte & 0x0F) - 8);
                    part += xr[b * QK + j + QK / 2] * (float)((int)(byte >> 4) - 8);
                }
                v += scales[(size_t)n * blocks + b] * part;
            }
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

void zoo_linear_q4_0(const float *x, int rows, int k_dim, const uint8_t *q, const float *scales, int n_begin,
                     int n_end, float *y, int ldy, int accumulate) {
#if ZOO_X86
    if (zoo_isa_index() == ZOO_ISA_AVX512) {
        linear_q4_0_avx512(x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) {
        zoo_neon_linear_q4_0(x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    linear_q4_0_generic(x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
}

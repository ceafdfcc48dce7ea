// q8_0 weights (llama.cpp's 8-bit format: blocks of 32 int8 values with one scale each) times
// fp32 activations. Stored as two arrays: the int8 values [rows][k] and the scales [rows][k/32]
// (fp16-rounded, as in a GGUF q8_0 block). Every output element follows one fixed sequence of
// operations, so a decode step equals the same row of a prefill bit for bit.
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

void zoo_quantize_q8_0(const float *w, int rows, int k_dim, int8_t *q, float *scales) {
    int blocks = k_dim / QK;
    for (int r = 0; r < rows; r++)
        for (int b = 0; b < blocks; b++) {
            const float *src = w + (size_t)r * k_dim + (size_t)b * QK;
            float amax = 0;
            for (int i = 0; i < QK; i++) amax = fmaxf(amax, fabsf(src[i]));
            float d = amax / 127.0f;
            float id = d != 0 ? 1.0f / d : 0.0f;
            int8_t *dst = q + (size_t)r * k_dim + (size_t)b * QK;
            for (int i = 0; i < QK; i++) dst[i] = (int8_t)roundf(src[i] * id);
            scales[(size_t)r * blocks + b] = (float)(_Float16)d;  // GGUF keeps the scale as fp16
        }
}

#if ZOO_X86
__attribute__((target("avx512f"))) static void
linear_q8_0_avx512(const float *x, int rows, int k_dim, const int8_t *q, const float *scales, int n_begin, int n_end,
                   float *y, int ldy, int accumulate) {
    zoo_q_0_linear_avx512(8, x, rows, k_dim, (const uint8_t *)q, scales, n_begin, n_end, y, ldy, accumulate);
}
#endif

static void linear_q8_0_generic(const float *x, int rows, int k_dim, const int8_t *q, const float *scales, int n_begin,
                                int n_end, float *y, int ldy, int accumulate) {
    int blocks = k_dim / QK;
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const float *xr = x + (size_t)t * k_dim;
            const int8_t *qr = q + (size_t)n * k_dim;
            float v = 0;
            for (int b = 0; b < blocks; b++) {
                float part = 0;
                for (int i = 0; i < QK; i++) part += xr[b * QK + i] * (float)qr[b * QK + i];
                v += scales[(size_t)n * blocks + b] * part;
            }
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

void zoo_linear_q8_0(const float *x, int rows, int k_dim, const int8_t *q, const float *scales, int n_begin,
                     int n_end, float *y, int ldy, int accumulate) {
#if ZOO_X86
    if (zoo_isa_index() == ZOO_ISA_AVX512) {
        linear_q8_0_avx512(x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) {
        zoo_neon_linear_q8_0(x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    linear_q8_0_generic(x, rows, k_dim, q, scales, n_begin, n_end, y, ldy, accumulate);
}

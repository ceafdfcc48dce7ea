// q5_K weights (llama.cpp's 5-bit k-quant) times fp32 activations, read in place from GGUF blocks.
// A super-block of 256 values is 176 bytes: fp16 d, fp16 dmin, the 12 bytes of 6-bit scales and
// mins of q4_K (k_scales.h), qh[32], then qs[128]. As in q4_K, byte l of chunk c (32 bytes) of qs
// holds value l of sub-block 2c in its low nibble and of sub-block 2c + 1 in its high nibble; the
// fifth bit of value l of sub-block s is bit s of qh[l]. A value is (d·scale)·q − dmin·min.
//
// Same design as linear_q4_k.c: 16 (or 8) weights dequantized at a time with one fused
// multiply-subtract (exactly the dequantized value: d·scale·q has at most 22 significant bits)
// feed the fp32 accumulators in linear_f32.c's chunk order and lane layout, so an output element's
// arithmetic does not depend on the number of rows and equals the fp32 kernel on the dequantized
// weights, bit for bit.
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"

#include "dequant_frame.h"
#include "half.h"
#include "k_scales.h"
#include "k_tiles.h"
#include "tiling.h"

#define QK_K 256
#define BLOCK_BYTES 176
#define QH_OFFSET 16
#define QS_OFFSET 48

/// One super-block as fp32, with gguf-py's arithmetic: (d·scale) and (dmin·min) rounded to fp32,
/// then (d·scale)·q (exact) minus (dmin·min), rounded once.
static inline void q5_k_dequantize_block(const uint8_t *block, float *y) {
#pragma STDC FP_CONTRACT OFF
    const uint8_t *qh = block + QH_OFFSET, *q = block + QS_OFFSET;
    float scale[8], min[8];
    zoo_k_factors(block, scale, min);
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++) {
            int lo = (q[32 * c + l] & 0x0F) | (((qh[l] >> (2 * c)) & 1) << 4);
            int hi = (q[32 * c + l] >> 4) | (((qh[l] >> (2 * c + 1)) & 1) << 4);
            float a = scale[2 * c] * (float)lo, b = scale[2 * c + 1] * (float)hi;
            y[64 * c + l] = a - min[2 * c];
            y[64 * c + 32 + l] = b - min[2 * c + 1];
        }
}

void zoo_dequantize_q5_k(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / QK_K; b++) q5_k_dequantize_block(blocks + (size_t)b * BLOCK_BYTES, out + (size_t)b * QK_K);
}

// MARK: - Drivers (k_tiles.h) and the public entry point (dequant_frame.h)

#if ZOO_X86
static const zoo_k_layout q5_k_layout = {BLOCK_BYTES, QS_OFFSET, QH_OFFSET};

__attribute__((target("avx512f"))) static void q5_k_linear_avx512(zoo_dequant_call c, int n_begin, int n_end) {
    zoo_k_linear_avx512(q5_k_layout, c, n_begin, n_end);
}

__attribute__((target("avx2,fma"))) static void q5_k_linear_avx2(zoo_dequant_call c, int n_begin, int n_end) {
    zoo_k_linear_avx2(q5_k_layout, c, n_begin, n_end);
}
#endif

static const zoo_dequant_format q5_k_format = {
    .block_values = QK_K,
    .block_bytes = BLOCK_BYTES,
    .dequantize_block = q5_k_dequantize_block,
#if ZOO_X86
    .avx512 = q5_k_linear_avx512,
    .avx2 = q5_k_linear_avx2,
#elif ZOO_ARM64
    .neon = zoo_neon_linear_q5_k,
#endif
};

void zoo_linear_q5_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
    zoo_dequant_linear(&q5_k_format, x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate);
}

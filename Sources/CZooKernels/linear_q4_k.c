// q4_K weights (llama.cpp's 4-bit k-quant) times fp32 activations, read in place from GGUF blocks.
// A super-block of 256 values is 144 bytes: fp16 d, fp16 dmin, 12 bytes packing eight 6-bit
// scales and eight 6-bit mins (one pair per sub-block of 32), then 128 bytes of nibbles where byte
// l of chunk c (32 bytes) holds value l of sub-block 2c in its low nibble and of sub-block 2c + 1
// in its high nibble. A value is (d·scale)·q − dmin·min.
//
// The kernels dequantize 16 (or 8) weights at a time with one fused multiply-subtract (exactly the
// dequantized value) and feed them to the fp32 accumulators of every token row of the tile in the
// chunk order and lane layout of linear_f32.c. So each output element follows one fixed sequence
// of operations whatever the number of rows (a decode step equals the same row of a prefill, bit
// for bit), and equals the fp32 kernel on the dequantized weights, bit for bit.
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
#define BLOCK_BYTES 144

/// One super-block as fp32. a·q is exact in fp32 (at most 21 significant bits), so subtracting
/// after rounding the product, as gguf-py does, equals the SIMD paths' fused multiply-subtract.
static inline void q4_k_dequantize_block(const uint8_t *block, float *y) {
#pragma STDC FP_CONTRACT OFF
    const uint8_t *q = block + 16;
    float scale[8], min[8];
    zoo_k_factors(block, scale, min);
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++) {
            float lo = scale[2 * c] * (float)(q[32 * c + l] & 0x0F);
            float hi = scale[2 * c + 1] * (float)(q[32 * c + l] >> 4);
            y[64 * c + l] = lo - min[2 * c];
            y[64 * c + 32 + l] = hi - min[2 * c + 1];
        }
}

void zoo_dequantize_q4_k(const uint8_t *blocks, int count, float *out) {
    for (int b = 0; b < count / QK_K; b++) q4_k_dequantize_block(blocks + (size_t)b * BLOCK_BYTES, out + (size_t)b * QK_K);
}

// MARK: - Drivers (k_tiles.h) and the public entry point (dequant_frame.h)

#if ZOO_X86
static const zoo_k_layout q4_k_layout = {BLOCK_BYTES, 16, -1};

__attribute__((target("avx512f"))) static void q4_k_linear_avx512(zoo_dequant_call c, int n_begin, int n_end) {
    zoo_k_linear_avx512(q4_k_layout, c, n_begin, n_end);
}

__attribute__((target("avx2,fma"))) static void q4_k_linear_avx2(zoo_dequant_call c, int n_begin, int n_end) {
    zoo_k_linear_avx2(q4_k_layout, c, n_begin, n_end);
}
#endif

static const zoo_dequant_format q4_k_format = {
    .block_values = QK_K,
    .block_bytes = BLOCK_BYTES,
    .dequantize_block = q4_k_dequantize_block,
#if ZOO_X86
    .avx512 = q4_k_linear_avx512,
    .avx2 = q4_k_linear_avx2,
#elif ZOO_ARM64
    .neon = zoo_neon_linear_q4_k,
#endif
};

void zoo_linear_q4_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
    zoo_dequant_linear(&q4_k_format, x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate);
}

// The ARM64 NEON kernels' entry points (neon_*.c), called from each public function's dispatch when
// zoo_isa_index() is ZOO_ISA_NEON. Internal: not part of zoo_kernels.h.
//
// The fp32 order every NEON float kernel shares (neon_linear.c): per output element, eight lanes
// (two float32x4 registers, lane l takes columns k ≡ l mod 8) accumulate x·w with one fused
// multiply-add per column in chunks of eight, a zero-padded last chunk, then the horizontal sum
// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) — the portable kernel's lanes and sum, fused.
// 16-bit and dequantized weights are widened exactly and run the same order, so they equal the fp32
// kernel on the widened weights bit for bit.
#ifndef ZOO_NEON_H
#define ZOO_NEON_H

#include "cpu_features.h"

#if ZOO_ARM64
#include <stddef.h>
#include <stdint.h>

void zoo_neon_linear_f32(const float *x, int rows, int k_dim, const float *w, int n_begin, int n_end, float *y,
                         int ldy, int accumulate, int rows4);
void zoo_neon_linear_half(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                          int ldy, int accumulate, int is_bf16, int rows4);

// k-quants, q5_0/q5_1 and q4_1 (dequant_frame.h's dispatch calls zoo_neon_linear_<format>).
void zoo_neon_linear_q4_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                          float *y, int ldy, int accumulate);
void zoo_neon_linear_q5_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                          float *y, int ldy, int accumulate);
void zoo_neon_linear_q6_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                          float *y, int ldy, int accumulate);
void zoo_neon_linear_q5_0(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                          float *y, int ldy, int accumulate);
void zoo_neon_linear_q5_1(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                          float *y, int ldy, int accumulate);
void zoo_neon_linear_q4_1(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                          float *y, int ldy, int accumulate);

// Block dequantizers with gguf-py's arithmetic, equal to zoo_dequantize_<format> bit for bit (neon_kquant.c).
void zoo_neon_dequantize_q4_k(const uint8_t *blocks, int count, float *out);
void zoo_neon_dequantize_q5_k(const uint8_t *blocks, int count, float *out);
void zoo_neon_dequantize_q6_k(const uint8_t *blocks, int count, float *out);
void zoo_neon_dequantize_q5_0(const uint8_t *blocks, int count, float *out);
void zoo_neon_dequantize_q5_1(const uint8_t *blocks, int count, float *out);
void zoo_neon_dequantize_q4_1(const uint8_t *blocks, int count, float *out);

// q8_0 / q4_0 with fp32 activations (split values and scales, as zoo_linear_q8_0 / q4_0).
void zoo_neon_linear_q8_0(const float *x, int rows, int k_dim, const int8_t *q, const float *scales, int n_begin,
                          int n_end, float *y, int ldy, int accumulate);
void zoo_neon_linear_q4_0(const float *x, int rows, int k_dim, const uint8_t *q, const float *scales, int n_begin,
                          int n_end, float *y, int ldy, int accumulate);

// q8_0 / q4_0 with quantized activations: the portable x8 kernel's arithmetic, bit for bit.
void zoo_neon_linear_x8(const int8_t *xq, const float *xd, int rows, int k_dim, const void *weights, int is_q4,
                        const float *scales, int n_begin, int n_end, float *y, int ldy, int accumulate);

// Row kernels (vector_rows.c and attention.c's public functions).
float zoo_neon_dot_f32(const float *a, const float *b, int n);
void zoo_neon_axpy_f32(float alpha, const float *x, float *y, int n);
float zoo_neon_dot_f16(const float *a, const uint16_t *b, int n);
void zoo_neon_axpy_f16(float alpha, const uint16_t *x, float *y, int n);
void zoo_neon_narrow_f16(const float *src, uint16_t *dst, int n);
void zoo_neon_swiglu(float *gate, const float *up, int n);
void zoo_neon_attend_group(const float *q, int group, int d, const void *keys, const void *values, int half,
                           size_t stride, int visible, float scale, float *scores, float *out);
#endif

#endif

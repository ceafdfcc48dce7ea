// What the dequantize-and-dot kernels (the block formats read in place, linear_q*.c) share: a format's description
// (zoo_dequant_format: block shape, block dequantizer, SIMD drivers per instruction set), one call's
// arguments as a value (zoo_dequant_call, which the drivers pass to their tiles), the dispatch, and the
// portable path, which dequantizes each block to fp32 and feeds eight lane sums in the generic fp32
// kernel's order (so it equals linear_f32.c on the dequantized weights, bit for bit).
#ifndef ZOO_DEQUANT_FRAME_H
#define ZOO_DEQUANT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_features.h"
#include "tiling.h"
#if ZOO_ARM64
#include "neon.h"
#endif

#if ZOO_X86
/// Rows a k-quant tile asks for ahead of the one it reads (the hardware prefetchers lose track of
/// the four rows a prefill tile reads at once).
#define ZOO_K_PREFETCH_ROWS 8

/// Asks for the `bytes`-byte block at `block`, one request per 64-byte line and one for its last byte,
/// so every line it touches is requested wherever it starts. The k-quant tiles call it only in a
/// weight block's first token tile (tiling.h: later tiles find the rows in cache).
static inline void zoo_prefetch_block(const uint8_t *block, int bytes) {
    for (int offset = 0; offset < bytes; offset += 64) _mm_prefetch((const char *)block + offset, _MM_HINT_T0);
    _mm_prefetch((const char *)block + bytes - 1, _MM_HINT_T0);
}
#endif

/// y[t, n] (+)= x[t] · dequantized(row n), for blocks of `block_values` (≤ 256) weights in
/// `block_bytes` bytes.
static inline void zoo_dequantized_linear_portable(const float *x, int rows, int k_dim, const uint8_t *w, int n_begin,
                                                   int n_end, float *y, int ldy, int accumulate, int block_values,
                                                   int block_bytes, void (*dequantize)(const uint8_t *block, float *out)) {
    const int blocks = k_dim / block_values;
    const size_t row_bytes = (size_t)blocks * block_bytes;
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const float *xr = x + (size_t)t * k_dim;
            float s[8] = {0}, wb[256];
            for (int b = 0; b < blocks; b++) {
                dequantize(w + (size_t)n * row_bytes + (size_t)b * block_bytes, wb);
                for (int k = 0; k < block_values; k += 8)
                    for (int l = 0; l < 8; l++) s[l] += xr[(size_t)b * block_values + k + l] * wb[k + l];
            }
            float v = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

/// One call of a dequantize-and-dot kernel, as a value: the drivers hand its fields to their tiles
/// explicitly instead of tile macros capturing names from where they expand.
typedef struct {
    const float *x;     // activations [rows][k_dim]
    const uint8_t *w;   // weight blocks, row_bytes per weight row
    float *y;           // outputs, ldy apart
    size_t row_bytes;
    int rows, k_dim, ldy, accumulate;
} zoo_dequant_call;

/// `c` narrowed to the tile at `at`: activations from its token row, weights from its weight row,
/// outputs from its corner. The SIMD tiles take their call this way.
static inline zoo_dequant_call zoo_dequant_tile(zoo_dequant_call c, zoo_tile at) {
    c.x += (size_t)at.t * c.k_dim;
    c.w += (size_t)at.n * c.row_bytes;
    c.y += (size_t)at.t * c.ldy + at.n;
    return c;
}

/// Where block `b` of weight row `j` of the tile `c` starts, for blocks of `block_bytes`.
static inline const uint8_t *zoo_dequant_block(zoo_dequant_call c, int j, int b, int block_bytes) {
    return c.w + (size_t)j * c.row_bytes + (size_t)b * block_bytes;
}

#if ZOO_X86
/// As zoo_dequant_block, for a k-quant tile: in a weight block's first token tile (`prefetch`) it also
/// asks for the same block ZOO_K_PREFETCH_ROWS rows ahead.
static inline const uint8_t *zoo_k_block(zoo_dequant_call c, int j, int b, int block_bytes, int prefetch) {
    const uint8_t *block = zoo_dequant_block(c, j, b, block_bytes);
    if (prefetch) zoo_prefetch_block(block + ZOO_K_PREFETCH_ROWS * c.row_bytes, block_bytes);
    return block;
}
#endif

/// A SIMD tile driver: the outputs [0, rows) × [n_begin, n_end) of `call`.
typedef void (*zoo_dequant_driver)(zoo_dequant_call call, int n_begin, int n_end);

/// A format's block shape, its block dequantizer (the portable path, and the definition the SIMD
/// paths must equal) and its SIMD drivers; a driver the build lacks is NULL.
typedef struct {
    int block_values, block_bytes;
    void (*dequantize_block)(const uint8_t *block, float *out);
    zoo_dequant_driver avx512, avx2;
    void (*neon)(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end, float *y, int ldy,
                 int accumulate);
} zoo_dequant_format;

/// y[t, n] (+)= x[t] · dequantized(row n) of `format`, on the widest path the CPU and the cap allow.
static inline void zoo_dequant_linear(const zoo_dequant_format *format, const float *x, int rows, int k_dim,
                                      const uint8_t *blocks, int n_begin, int n_end, float *y, int ldy, int accumulate) {
    const zoo_dequant_call call = {x, blocks, y, (size_t)(k_dim / format->block_values) * format->block_bytes,
                                   rows, k_dim, ldy, accumulate};
    switch (zoo_isa_index()) {
    case ZOO_ISA_AVX512:
        if (format->avx512) {
            format->avx512(call, n_begin, n_end);
            return;
        }
        break;
    case ZOO_ISA_AVX2:
        if (format->avx2) {
            format->avx2(call, n_begin, n_end);
            return;
        }
        break;
    case ZOO_ISA_NEON:
        if (format->neon) {
            format->neon(x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate);
            return;
        }
        break;
    default:
        break;
    }
    zoo_dequantized_linear_portable(x, rows, k_dim, blocks, n_begin, n_end, y, ldy, accumulate, format->block_values,
                                    format->block_bytes, format->dequantize_block);
}

#endif

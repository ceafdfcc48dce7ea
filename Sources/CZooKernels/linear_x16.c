// q8_0 and q4_0 weights with their rows interleaved in groups of 16, for AVX-512 VNNI.
//
// Why: in row-major order one VNNI instruction multiplies 64 bytes of ONE weight row, and every pair
// of blocks then costs a conversion, a scale product and an FMA per (token, row): four instructions
// per 64 products. Interleaved, lane r of a vector holds four bytes of row r, so one instruction with
// four activation bytes broadcast advances 16 rows at once, a block's eight instructions leave each
// lane with its row's whole integer dot product, and the float work is three instructions per block
// for 16 rows (llama.cpp's repacked "q4_0_8x8" kernels use the same idea).
//
// Layout: group g (rows 16g … 16g+15; missing rows of the last group are zero) is k_dim / 32 blocks
// one after another; block b is 16 fp16 scales (row order), then the values:
//   q8_0: 8 × 64 bytes; chunk u, lane r = bytes 4u … 4u+3 of row r's block, stored as w + 128;
//   q4_0: 4 × 64 bytes; chunk u, lane r = packed bytes 4u … 4u+3 of row r's block (GGUF's order: the
//         low nibble of byte i is value i, the high nibble value i + 16), nibbles unsigned (w + 8);
//   q5_0: q4_0's 4 × 64 bytes of low nibbles, then 64 bytes: lane r = row r's 32 fifth bits (bit i for
//         value i, GGUF's qh), values unsigned (w + 16).
// `kind` selects the format: 0 q8_0, 1 q4_0, 2 q5_0.
//
// Arithmetic, per (token t, row n), the same in every path and for any number of rows:
//   acc = 0; for each block b: dot = Σ unsigned(w) · xq − offset · Σ xq (exact int32),
//   acc = fmaf((float)dot, scale[n][b] · xd[t][b], acc); y = acc (or y + acc).
#include "zoo_kernels.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"

#include "half.h"
#include "x16_common.h"

#define QK 32
#define GROUP 16

enum { KIND_Q8 = 0, KIND_Q4 = 1, KIND_Q5 = 2 };

static inline size_t x16_block_bytes(int kind) {
    return 2 * GROUP + (size_t)(kind == KIND_Q8 ? 32 : kind == KIND_Q4 ? 16 : 20) * GROUP;
}
static inline size_t x16_group_bytes(int kind, int k_dim) { return (size_t)(k_dim / QK) * x16_block_bytes(kind); }
static inline int32_t x16_offset(int kind) { return kind == KIND_Q8 ? 128 : kind == KIND_Q4 ? 8 : 16; }

size_t zoo_x16_bytes(int kind, int rows, int k_dim) {
    return (size_t)((rows + GROUP - 1) / GROUP) * x16_group_bytes(kind, k_dim);
}

void zoo_pack_x16(int is_q4, const void *values, const float *scales, int rows, int k_dim, int group_begin,
                  int group_end, uint8_t *out) {
    const int blocks = k_dim / QK;
    const size_t bb = x16_block_bytes(is_q4);
    for (int g = group_begin; g < group_end; g++)
        for (int b = 0; b < blocks; b++) {
            uint8_t *block = out + (size_t)g * x16_group_bytes(is_q4, k_dim) + (size_t)b * bb;
            uint8_t *data = block + 2 * GROUP;
            for (int r = 0; r < GROUP; r++) {
                int row = g * GROUP + r;
                float scale = row < rows ? scales[(size_t)row * blocks + b] : 0.0f;
                uint16_t half;
                zoo_narrow_f16(&scale, &half, 1);  // exact: q8_0/q4_0 scales are fp16 values
                memcpy(block + 2 * r, &half, 2);
                for (int u = 0; u < (is_q4 ? 4 : 8); u++)
                    for (int e = 0; e < 4; e++) {
                        uint8_t byte;
                        if (row >= rows)
                            byte = is_q4 ? 0x88 : 128;  // value 0
                        else if (is_q4)
                            byte = ((const uint8_t *)values)[(size_t)row * (k_dim / 2) + (size_t)b * 16 + 4 * u + e];
                        else
                            byte = (uint8_t)(((const int8_t *)values)[(size_t)row * k_dim + (size_t)b * QK + 4 * u + e] + 128);
                        data[((size_t)u * GROUP + r) * 4 + e] = byte;
                    }
            }
        }
}

void zoo_pack_x16_gguf(int kind, const uint8_t *blocks, int rows, int k_dim, int group_begin, int group_end,
                       uint8_t *out) {
    const int per_row = k_dim / QK;
    const size_t source_bytes = kind == KIND_Q8 ? 34 : kind == KIND_Q4 ? 18 : 22, bb = x16_block_bytes(kind);
    const int words = kind == KIND_Q8 ? 8 : 4;
    // Where a block's values start in GGUF (q5_0 keeps its 32 fifth bits before them).
    const size_t values_at = kind == KIND_Q5 ? 6 : 2;
    for (int g = group_begin; g < group_end; g++)
        for (int b = 0; b < per_row; b++) {
            uint8_t *block = out + (size_t)g * x16_group_bytes(kind, k_dim) + (size_t)b * bb;
            uint8_t *data = block + 2 * GROUP;
            for (int r = 0; r < GROUP; r++) {
                int row = g * GROUP + r;
                if (row >= rows) {  // value 0 with scale 0
                    memset(block + 2 * r, 0, 2);
                    for (int u = 0; u < words; u++)
                        memset(data + ((size_t)u * GROUP + r) * 4, kind == KIND_Q8 ? 0x80 : kind == KIND_Q4 ? 0x88 : 0x00, 4);
                    if (kind == KIND_Q5) memset(data + (size_t)4 * 64 + (size_t)r * 4, 0xFF, 4);
                    continue;
                }
                const uint8_t *source = blocks + ((size_t)row * per_row + b) * source_bytes;
                memcpy(block + 2 * r, source, 2);  // the fp16 scale, as stored
                for (int u = 0; u < words; u++) {
                    uint32_t word;
                    memcpy(&word, source + values_at + 4 * u, 4);
                    if (kind == KIND_Q8) word ^= 0x80808080u;  // int8 → w + 128
                    memcpy(data + ((size_t)u * GROUP + r) * 4, &word, 4);
                }
                if (kind == KIND_Q5) memcpy(data + (size_t)4 * 64 + (size_t)r * 4, source + 2, 4);  // qh
            }
        }
}

// Value i (0–31) of row r in a packed block's data, as the unsigned number the kernels multiply.
static inline int x16_value(int kind, const uint8_t *data, int r, int i) {
    if (kind == KIND_Q8) return data[((size_t)(i / 4) * GROUP + r) * 4 + i % 4];
    int byte = data[((size_t)((i % 16) / 4) * GROUP + r) * 4 + i % 4];
    int v = i < 16 ? byte & 0x0F : byte >> 4;
    if (kind == KIND_Q5) {
        uint32_t qh;
        memcpy(&qh, data + (size_t)4 * 64 + (size_t)r * 4, 4);
        v |= (int)((qh >> i) & 1u) << 4;
    }
    return v;
}

void zoo_unpack_row_x16(int kind, const uint8_t *packed, int k_dim, int row, float *out) {
    const int blocks = k_dim / QK, g = row / GROUP, r = row % GROUP;
    for (int b = 0; b < blocks; b++) {
        const uint8_t *block = packed + (size_t)g * x16_group_bytes(kind, k_dim) + (size_t)b * x16_block_bytes(kind);
        float scale = zoo_f16_at(block + 2 * r);
        for (int i = 0; i < QK; i++) out[b * QK + i] = (float)(x16_value(kind, block + 2 * GROUP, r, i) - x16_offset(kind)) * scale;
    }
}

void zoo_linear_x16_portable(int kind, const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                             const uint8_t *packed, int n_begin, int n_end, float *y, int ldy, int accumulate) {
    const int blocks = k_dim / QK, offset = x16_offset(kind);
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const int g = n / GROUP, r = n % GROUP;
            const int8_t *xt = xq + (size_t)t * k_dim;
            float acc = 0;
            for (int b = 0; b < blocks; b++) {
                const uint8_t *block = packed + (size_t)g * x16_group_bytes(kind, k_dim) + (size_t)b * x16_block_bytes(kind);
                const int8_t *xb = xt + (size_t)b * QK;
                int32_t dot = -offset * bsum[(size_t)t * blocks + b];
                for (int i = 0; i < QK; i++) dot += x16_value(kind, block + 2 * GROUP, r, i) * xb[i];
                float scale = zoo_f16_at(block + 2 * r) * xd[(size_t)t * blocks + b];
                acc = fmaf((float)dot, scale, acc);
            }
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + acc : acc;
        }
}

// MARK: - AVX-512 VNNI

#if ZOO_X86
#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512bitalg,f16c")))

// Tokens [0, T) × groups [0, G) (T ≤ 4, G ≤ 2, both constants after inlining). With one token the
// eight products of a block go to two integer sums (even and odd chunks), so consecutive
// instructions do not wait for each other; integer sums are exact, so this changes no result.
// For VPSHUFBITQMB: byte j of each 64-bit lane (two rows' qh side by side) selects bit 4u+e of its row's
// qh (low nibbles, `index` u < 4) or bit 16+4u+e (high nibbles, index 4 + u), with e = j mod 4.
static const uint8_t q5_select_table[8][64] __attribute__((aligned(64))) = {
    {0, 1, 2, 3, 32, 33, 34, 35, 0, 1, 2, 3, 32, 33, 34, 35, 0, 1, 2, 3, 32, 33, 34, 35, 0, 1, 2, 3, 32, 33, 34, 35, 0, 1, 2, 3, 32, 33, 34, 35, 0, 1, 2, 3, 32, 33, 34, 35, 0, 1, 2, 3, 32, 33, 34, 35, 0, 1, 2, 3, 32, 33, 34, 35},
    {4, 5, 6, 7, 36, 37, 38, 39, 4, 5, 6, 7, 36, 37, 38, 39, 4, 5, 6, 7, 36, 37, 38, 39, 4, 5, 6, 7, 36, 37, 38, 39, 4, 5, 6, 7, 36, 37, 38, 39, 4, 5, 6, 7, 36, 37, 38, 39, 4, 5, 6, 7, 36, 37, 38, 39, 4, 5, 6, 7, 36, 37, 38, 39},
    {8, 9, 10, 11, 40, 41, 42, 43, 8, 9, 10, 11, 40, 41, 42, 43, 8, 9, 10, 11, 40, 41, 42, 43, 8, 9, 10, 11, 40, 41, 42, 43, 8, 9, 10, 11, 40, 41, 42, 43, 8, 9, 10, 11, 40, 41, 42, 43, 8, 9, 10, 11, 40, 41, 42, 43, 8, 9, 10, 11, 40, 41, 42, 43},
    {12, 13, 14, 15, 44, 45, 46, 47, 12, 13, 14, 15, 44, 45, 46, 47, 12, 13, 14, 15, 44, 45, 46, 47, 12, 13, 14, 15, 44, 45, 46, 47, 12, 13, 14, 15, 44, 45, 46, 47, 12, 13, 14, 15, 44, 45, 46, 47, 12, 13, 14, 15, 44, 45, 46, 47, 12, 13, 14, 15, 44, 45, 46, 47},
    {16, 17, 18, 19, 48, 49, 50, 51, 16, 17, 18, 19, 48, 49, 50, 51, 16, 17, 18, 19, 48, 49, 50, 51, 16, 17, 18, 19, 48, 49, 50, 51, 16, 17, 18, 19, 48, 49, 50, 51, 16, 17, 18, 19, 48, 49, 50, 51, 16, 17, 18, 19, 48, 49, 50, 51, 16, 17, 18, 19, 48, 49, 50, 51},
    {20, 21, 22, 23, 52, 53, 54, 55, 20, 21, 22, 23, 52, 53, 54, 55, 20, 21, 22, 23, 52, 53, 54, 55, 20, 21, 22, 23, 52, 53, 54, 55, 20, 21, 22, 23, 52, 53, 54, 55, 20, 21, 22, 23, 52, 53, 54, 55, 20, 21, 22, 23, 52, 53, 54, 55, 20, 21, 22, 23, 52, 53, 54, 55},
    {24, 25, 26, 27, 56, 57, 58, 59, 24, 25, 26, 27, 56, 57, 58, 59, 24, 25, 26, 27, 56, 57, 58, 59, 24, 25, 26, 27, 56, 57, 58, 59, 24, 25, 26, 27, 56, 57, 58, 59, 24, 25, 26, 27, 56, 57, 58, 59, 24, 25, 26, 27, 56, 57, 58, 59, 24, 25, 26, 27, 56, 57, 58, 59},
    {28, 29, 30, 31, 60, 61, 62, 63, 28, 29, 30, 31, 60, 61, 62, 63, 28, 29, 30, 31, 60, 61, 62, 63, 28, 29, 30, 31, 60, 61, 62, 63, 28, 29, 30, 31, 60, 61, 62, 63, 28, 29, 30, 31, 60, 61, 62, 63, 28, 29, 30, 31, 60, 61, 62, 63, 28, 29, 30, 31, 60, 61, 62, 63},
};

VNNI_TARGET static inline __m512i q5_select(int index) { return _mm512_load_si512(q5_select_table[index]); }

VNNI_TARGET __attribute__((always_inline)) static inline void
x16_tile(const int kind, const int8_t *xq, const float *xd, const int32_t *bsum, const int T, int k_dim,
         const uint8_t *w, const int G, __mmask16 last_mask, float *y, int ldy, int accumulate) {
    const int blocks = k_dim / QK;
    const size_t bb = x16_block_bytes(kind), gb = x16_group_bytes(kind, k_dim);
    const int32_t offset = x16_offset(kind);
    const __m512i low4 = _mm512_set1_epi8(0x0F), bit4 = _mm512_set1_epi8(0x10);
    __m512 acc[2][4];
    for (int g = 0; g < G; g++)
        for (int t = 0; t < T; t++) acc[g][t] = _mm512_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m512i ia[2][4], ib[2][4];
        for (int t = 0; t < T; t++) {
            __m512i start = _mm512_set1_epi32(-offset * bsum[(size_t)t * blocks + b]);
            for (int g = 0; g < G; g++) {
                ia[g][t] = start;
                ib[g][t] = _mm512_setzero_si512();
            }
        }
        __m512i qh[2];  // q5_0: the rows' fifth bits, one load per block and group
        if (kind == KIND_Q5)
            for (int g = 0; g < G; g++) qh[g] = _mm512_loadu_si512(w + (size_t)g * gb + (size_t)b * bb + 2 * GROUP + 4 * 64);
        for (int u = 0; u < (kind == KIND_Q8 ? 8 : 4); u++)
            for (int g = 0; g < G; g++) {
                const uint8_t *chunk = w + (size_t)g * gb + (size_t)b * bb + 2 * GROUP + (size_t)u * 64;
                __m512i p = _mm512_loadu_si512(chunk);
                if (kind != KIND_Q8) {
                    __m512i lo = _mm512_and_si512(p, low4), hi = _mm512_and_si512(_mm512_srli_epi16(p, 4), low4);
                    if (kind == KIND_Q5) {
                        // Byte e of lane r takes bit 4u+e (low nibbles) or 16+4u+e (high) of row r's qh.
                        lo = _mm512_mask_add_epi8(lo, _mm512_bitshuffle_epi64_mask(qh[g], q5_select(u)), lo, bit4);
                        hi = _mm512_mask_add_epi8(hi, _mm512_bitshuffle_epi64_mask(qh[g], q5_select(4 + u)), hi, bit4);
                    }
                    for (int t = 0; t < T; t++) {
                        const int8_t *xb = xq + (size_t)t * k_dim + (size_t)b * QK;
                        ia[g][t] = _mm512_dpbusd_epi32(ia[g][t], lo, zoo_broadcast4(xb + 4 * u));
                        if (T == 1)
                            ib[g][t] = _mm512_dpbusd_epi32(ib[g][t], hi, zoo_broadcast4(xb + 16 + 4 * u));
                        else
                            ia[g][t] = _mm512_dpbusd_epi32(ia[g][t], hi, zoo_broadcast4(xb + 16 + 4 * u));
                    }
                } else {
                    for (int t = 0; t < T; t++) {
                        const int8_t *xb = xq + (size_t)t * k_dim + (size_t)b * QK;
                        if (T == 1 && (u & 1))
                            ib[g][t] = _mm512_dpbusd_epi32(ib[g][t], p, zoo_broadcast4(xb + 4 * u));
                        else
                            ia[g][t] = _mm512_dpbusd_epi32(ia[g][t], p, zoo_broadcast4(xb + 4 * u));
                    }
                }
            }
        for (int g = 0; g < G; g++) {
            __m512 ws = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(w + (size_t)g * gb + (size_t)b * bb)));
            for (int t = 0; t < T; t++) {
                __m512i dot = T == 1 ? _mm512_add_epi32(ia[g][t], ib[g][t]) : ia[g][t];
                __m512 scale = _mm512_mul_ps(ws, _mm512_set1_ps(xd[(size_t)t * blocks + b]));
                acc[g][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), scale, acc[g][t]);
            }
        }
    }
    for (int g = 0; g < G; g++)
        for (int t = 0; t < T; t++) {
            float *out = y + (size_t)t * ldy + (size_t)g * GROUP;
            __mmask16 m = g == G - 1 ? last_mask : (__mmask16)0xFFFF;
            __m512 v = acc[g][t];
            if (accumulate) v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, out), v);
            _mm512_mask_storeu_ps(out, m, v);
        }
}

VNNI_TARGET __attribute__((always_inline)) static inline void
x16_linear(const int kind, const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
           const uint8_t *w, int n_begin, int n_end, float *y, int ldy, int accumulate) {
    const int blocks = k_dim / QK;
    const size_t gb = x16_group_bytes(kind, k_dim);
#define X16_TILE(AT, TB, GG)                                                                                          \
    x16_tile(kind, xq + (size_t)(AT).t * k_dim, xd + (size_t)(AT).t * blocks, bsum + (size_t)(AT).t * blocks, TB,     \
             k_dim, w + (size_t)(AT).g * gb, GG, (AT).mask, y + (size_t)(AT).t * ldy + (size_t)(AT).g * GROUP, ldy,   \
             accumulate)
    ZOO_FOR_EACH_X16_TILE(2, rows, n_begin, n_end, X16_TILE)
#undef X16_TILE
}

VNNI_TARGET static void q8_x16_vnni(const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                                    const uint8_t *w, int n_begin, int n_end, float *y, int ldy, int accumulate) {
    x16_linear(0, xq, xd, bsum, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
}

VNNI_TARGET static void q4_x16_vnni(const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                                    const uint8_t *w, int n_begin, int n_end, float *y, int ldy, int accumulate) {
    x16_linear(1, xq, xd, bsum, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
}

VNNI_TARGET static void q5_x16_vnni(const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                                    const uint8_t *w, int n_begin, int n_end, float *y, int ldy, int accumulate) {
    x16_linear(2, xq, xd, bsum, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
}

#endif  // ZOO_X86

void zoo_linear_x16(int kind, const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                    const uint8_t *packed, int n_begin, int n_end, float *y, int ldy, int accumulate) {
#if ZOO_X86
    if (zoo_vnni_available() && zoo_isa_index() == ZOO_ISA_AVX512 && (kind != KIND_Q5 || zoo_cpu_has(ZOO_CPU_AVX512_BITALG))) {
        switch (kind) {
        case KIND_Q8: q8_x16_vnni(xq, xd, bsum, rows, k_dim, packed, n_begin, n_end, y, ldy, accumulate); return;
        case KIND_Q4: q4_x16_vnni(xq, xd, bsum, rows, k_dim, packed, n_begin, n_end, y, ldy, accumulate); return;
        default: q5_x16_vnni(xq, xd, bsum, rows, k_dim, packed, n_begin, n_end, y, ldy, accumulate); return;
        }
    }
#endif
    zoo_linear_x16_portable(kind, xq, xd, bsum, rows, k_dim, packed, n_begin, n_end, y, ldy, accumulate);
}

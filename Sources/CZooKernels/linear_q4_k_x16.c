// q4_K weights with rows interleaved in groups of 16 for AVX-512 VNNI, times activations quantized
// to 8 bits per block of 32 (llama.cpp's arithmetic for q4_K, laid out as linear_x16.c does q4_0).
//
// A q4_K super-block is 256 values in eight sub-blocks of 32, each with a 6-bit scale and min:
// value = d·scale·q − dmin·min, q in 0…15. The activation blocks line up with the sub-blocks, so per
// sub-block the integer dot product Σ q·xq is exact and the float work is
//   v = fmaf(d·scale, dot, −(dmin·min · Σxq)),  acc = fmaf(v, xd, acc)
// with d·scale and dmin·min rounded to fp32 as gguf-py computes them.
//
// Layout per group of 16 rows (the last group padded with zero rows) and super-block, 2368 bytes:
//   d[16] and dmin[16] (fp16), scale[8][16] and min[8][16] (6-bit values, a byte each), then for each
//   pair j of sub-blocks and chunk u (0…7) 64 bytes whose lane r holds row r's packed bytes
//   qs[32j + 4u … 4u+3] (low nibbles: sub-block 2j, values 4u…4u+3; high nibbles: sub-block 2j+1).
// 4.625 bits per weight against the file's 4.5.
#include "zoo_kernels.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"

#include "half.h"
#include "x16_common.h"

#define GROUP 16
#define QK_K 256
#define SOURCE_BYTES 144
#define SB_BYTES 2368
#define NIBBLES_AT 320

static inline size_t group_bytes(int k_dim) { return (size_t)(k_dim / QK_K) * SB_BYTES; }

size_t zoo_q4_k_x16_bytes(int rows, int k_dim) { return (size_t)((rows + GROUP - 1) / GROUP) * group_bytes(k_dim); }

// The 6-bit scale and min of sub-block s from a GGUF block's 12 packed bytes (as k_scales.h).
static inline void scale_min(const uint8_t *s, int j, uint8_t *scale, uint8_t *min) {
    if (j < 4) {
        *scale = s[j] & 63;
        *min = s[j + 4] & 63;
    } else {
        *scale = (uint8_t)((s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4));
        *min = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
    }
}

void zoo_pack_q4_k_x16(const uint8_t *blocks, int rows, int k_dim, int group_begin, int group_end, uint8_t *out) {
    const int per_row = k_dim / QK_K;
    for (int g = group_begin; g < group_end; g++)
        for (int b = 0; b < per_row; b++) {
            uint8_t *sb = out + (size_t)g * group_bytes(k_dim) + (size_t)b * SB_BYTES;
            for (int r = 0; r < GROUP; r++) {
                int row = g * GROUP + r;
                if (row >= rows) {  // d = dmin = 0, scales, mins and values 0
                    memset(sb + 2 * r, 0, 2);
                    memset(sb + 32 + 2 * r, 0, 2);
                    for (int s = 0; s < 8; s++) sb[64 + 16 * s + r] = sb[192 + 16 * s + r] = 0;
                    for (int c = 0; c < 32; c++) memset(sb + NIBBLES_AT + (size_t)c * 64 + 4 * r, 0, 4);
                    continue;
                }
                const uint8_t *source = blocks + ((size_t)row * per_row + b) * SOURCE_BYTES;
                memcpy(sb + 2 * r, source, 2);
                memcpy(sb + 32 + 2 * r, source + 2, 2);
                for (int s = 0; s < 8; s++) scale_min(source + 4, s, &sb[64 + 16 * s + r], &sb[192 + 16 * s + r]);
                for (int c = 0; c < 32; c++) memcpy(sb + NIBBLES_AT + (size_t)c * 64 + 4 * r, source + 16 + 4 * c, 4);
            }
        }
}

void zoo_unpack_row_q4_k_x16(const uint8_t *packed, int k_dim, int row, float *out) {
    // Rebuilt as GGUF's block, then dequantized by the same code as in-place q4_K (bit for bit gguf-py).
    const int g = row / GROUP, r = row % GROUP;
    for (int b = 0; b < k_dim / QK_K; b++) {
        const uint8_t *sb = packed + (size_t)g * group_bytes(k_dim) + (size_t)b * SB_BYTES;
        uint8_t block[SOURCE_BYTES] = {0}, scale[8], min[8];
        memcpy(block, sb + 2 * r, 2);
        memcpy(block + 2, sb + 32 + 2 * r, 2);
        for (int s = 0; s < 8; s++) {
            scale[s] = sb[64 + 16 * s + r];
            min[s] = sb[192 + 16 * s + r];
        }
        uint8_t *p = block + 4;
        for (int j = 0; j < 4; j++) {
            p[j] = (uint8_t)(scale[j] | ((scale[j + 4] >> 4) << 6));
            p[j + 4] = (uint8_t)(min[j] | ((min[j + 4] >> 4) << 6));
            p[j + 8] = (uint8_t)((scale[j + 4] & 0x0F) | ((min[j + 4] & 0x0F) << 4));
        }
        for (int c = 0; c < 32; c++) memcpy(block + 16 + 4 * c, sb + NIBBLES_AT + (size_t)c * 64 + 4 * r, 4);
        zoo_dequantize_q4_k(block, QK_K, out + (size_t)b * QK_K);
    }
}

void zoo_linear_q4_k_x16_portable(const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                                  const uint8_t *packed, int n_begin, int n_end, float *y, int ldy, int accumulate) {
    const int blocks = k_dim / 32;
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const int g = n / GROUP, r = n % GROUP;
            float acc = 0;
            for (int b = 0; b < k_dim / QK_K; b++) {
                const uint8_t *sb = packed + (size_t)g * group_bytes(k_dim) + (size_t)b * SB_BYTES;
                const float d = zoo_f16_at(sb + 2 * r), dmin = zoo_f16_at(sb + 32 + 2 * r);
                for (int s = 0; s < 8; s++) {
                    const int8_t *xb = xq + (size_t)t * k_dim + (size_t)b * QK_K + 32 * s;
                    int32_t dot = 0;
                    for (int i = 0; i < 32; i++) {
                        int byte = sb[NIBBLES_AT + (size_t)((s / 2) * 8 + i / 4) * 64 + 4 * r + i % 4];
                        dot += ((s & 1) ? byte >> 4 : byte & 0x0F) * xb[i];
                    }
                    const int block = b * 8 + s;
                    const float scale = d * (float)sb[64 + 16 * s + r], min = dmin * (float)sb[192 + 16 * s + r];
                    const float v = fmaf(scale, (float)dot, -(min * (float)bsum[(size_t)t * blocks + block]));
                    acc = fmaf(v, xd[(size_t)t * blocks + block], acc);
                }
            }
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + acc : acc;
        }
}

#if ZOO_X86
#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,f16c")))

VNNI_TARGET static inline __m512 widen_bytes(const uint8_t *p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p)));
}

// One group of 16 rows × tokens [0, T) (T ≤ 4, a constant after inlining).
VNNI_TARGET __attribute__((always_inline)) static inline void
q4_k_tile(const int8_t *xq, const float *xd, const int32_t *bsum, const int T, int k_dim, const uint8_t *w,
          __mmask16 mask, float *y, int ldy, int accumulate) {
    const int blocks = k_dim / 32;
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    __m512 acc[4];
    for (int t = 0; t < T; t++) acc[t] = _mm512_setzero_ps();
    for (int b = 0; b < k_dim / QK_K; b++) {
        const uint8_t *sb = w + (size_t)b * SB_BYTES;
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)sb));
        const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(sb + 32)));
        for (int j = 0; j < 4; j++) {
            __m512i lo[4], hi[4];
            for (int t = 0; t < T; t++) lo[t] = hi[t] = _mm512_setzero_si512();
            for (int u = 0; u < 8; u++) {
                __m512i p = _mm512_loadu_si512(sb + NIBBLES_AT + (size_t)(j * 8 + u) * 64);
                __m512i pl = _mm512_and_si512(p, low4), ph = _mm512_and_si512(_mm512_srli_epi16(p, 4), low4);
                for (int t = 0; t < T; t++) {
                    const int8_t *xb = xq + (size_t)t * k_dim + (size_t)b * QK_K + 64 * j + 4 * u;
                    lo[t] = _mm512_dpbusd_epi32(lo[t], pl, zoo_broadcast4(xb));
                    hi[t] = _mm512_dpbusd_epi32(hi[t], ph, zoo_broadcast4(xb + 32));
                }
            }
            for (int h = 0; h < 2; h++) {
                const int s = 2 * j + h;
                const __m512 scale = _mm512_mul_ps(d, widen_bytes(sb + 64 + 16 * s));
                const __m512 min = _mm512_mul_ps(dmin, widen_bytes(sb + 192 + 16 * s));
                for (int t = 0; t < T; t++) {
                    const size_t block = (size_t)t * blocks + (size_t)b * 8 + s;
                    __m512 mb = _mm512_mul_ps(min, _mm512_set1_ps((float)bsum[block]));
                    __m512 v = _mm512_fmsub_ps(scale, _mm512_cvtepi32_ps(h ? hi[t] : lo[t]), mb);
                    acc[t] = _mm512_fmadd_ps(v, _mm512_set1_ps(xd[block]), acc[t]);
                }
            }
        }
    }
    for (int t = 0; t < T; t++) {
        float *out = y + (size_t)t * ldy;
        __m512 v = acc[t];
        if (accumulate) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out), v);
        _mm512_mask_storeu_ps(out, mask, v);
    }
}

VNNI_TARGET static void linear_q4_k_x16_vnni(const int8_t *xq, const float *xd, const int32_t *bsum, int rows,
                                             int k_dim, const uint8_t *w, int n_begin, int n_end, float *y, int ldy,
                                             int accumulate) {
    const int blocks = k_dim / 32;
    const size_t gb = group_bytes(k_dim);
    // The tile reads one group (GG is always 1).
#define Q4_K_TILE(AT, TB, GG)                                                                                         \
    q4_k_tile(xq + (size_t)(AT).t * k_dim, xd + (size_t)(AT).t * blocks, bsum + (size_t)(AT).t * blocks, TB,          \
              k_dim, w + (size_t)(AT).g * gb, (AT).mask, y + (size_t)(AT).t * ldy + (size_t)(AT).g * GROUP, ldy,      \
              accumulate)
    ZOO_FOR_EACH_X16_TILE(1, rows, n_begin, n_end, Q4_K_TILE)
#undef Q4_K_TILE
}
#endif

void zoo_linear_q4_k_x16(const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                         const uint8_t *packed, int n_begin, int n_end, float *y, int ldy, int accumulate) {
#if ZOO_X86
    if (zoo_vnni_available() && zoo_isa_index() == ZOO_ISA_AVX512) {
        linear_q4_k_x16_vnni(xq, xd, bsum, rows, k_dim, packed, n_begin, n_end, y, ldy, accumulate);
        return;
    }
#endif
    zoo_linear_q4_k_x16_portable(xq, xd, bsum, rows, k_dim, packed, n_begin, n_end, y, ldy, accumulate);
}

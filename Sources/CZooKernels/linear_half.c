// Linear layers with 16-bit weights (bf16 or f16) and fp32 activations and accumulation.
// The per-element arithmetic is that of linear_f32.c on the widened weights (the same chunks,
// FMA order and horizontal sums), so results equal the fp32 path bit for bit while reading half
// the bytes. Tails are widened through a zero-padded local buffer.
#include "zoo_kernels.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu_features.h"

#include "half.h"
#include "dequant_frame.h"
#include "neon.h"
#include "tiling.h"

static inline float bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

#if ZOO_X86
// MARK: - AVX-512

__attribute__((target("avx512f"))) static inline __m512 load16_bf16(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}
__attribute__((target("avx512f"))) static inline __m512 load16_f16(const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

#define DEFINE_HALF_AVX512(NAME, LOAD)                                                                             \
    __attribute__((target("avx512f"), always_inline)) static inline void NAME##_block(                          \
        const float *x, int tb, int k_dim, const uint16_t *w, int nb, float *y, int ldy, int accumulate,          \
        int rows4, int prefetch) {                                                                                 \
        __m512 acc[BLOCK][BLOCK];                                                                                  \
        for (int i = 0; i < BLOCK; i++)                                                                            \
            for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm512_setzero_ps();                                       \
        int k = 0;                                                                                                 \
        for (; k + 16 <= k_dim; k += 16) {                                                                         \
            __m512 wv[BLOCK];                                                                                      \
            for (int j = 0; j < nb; j++) {                                                                         \
                if (prefetch && !(k & 31)) ZOO_PREFETCH_AHEAD(w + (size_t)j * k_dim + k, k_dim, nb);               \
                wv[j] = LOAD(ZOO_WEIGHT_CHUNK(w, j, k, k_dim, rows4));                                             \
            }                                                                                                      \
            for (int i = 0; i < tb; i++) {                                                                         \
                __m512 xv = _mm512_loadu_ps(x + (size_t)i * k_dim + k);                                            \
                for (int j = 0; j < nb; j++) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);                    \
            }                                                                                                      \
        }                                                                                                          \
        if (k < k_dim) {                                                                                           \
            __mmask16 m = (__mmask16)((1u << (k_dim - k)) - 1u);                                                   \
            __m512 wv[BLOCK];                                                                                      \
            for (int j = 0; j < nb; j++) {                                                                         \
                uint16_t tail[16] = {0};                                                                           \
                memcpy(tail, w + (size_t)j * k_dim + k, (size_t)(k_dim - k) * 2);                                  \
                wv[j] = LOAD(tail);                                                                                \
            }                                                                                                      \
            for (int i = 0; i < tb; i++) {                                                                         \
                __m512 xv = _mm512_maskz_loadu_ps(m, x + (size_t)i * k_dim + k);                                   \
                for (int j = 0; j < nb; j++) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);                    \
            }                                                                                                      \
        }                                                                                                          \
        ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, _mm512_reduce_add_ps);                                      \
    }                                                                                                              \
    __attribute__((target("avx512f"))) static void NAME(const float *x, int rows, int k_dim, const uint16_t *w,   \
                                                        int n_begin, int n_end, float *y, int ldy, int accumulate) { \
        ZOO_FOR_EACH_TILE(rows, n_begin, n_end, NAME##_TILE)                                                     \
    }                                                                                                              \
    __attribute__((target("avx512f"))) static void NAME##_rows4(const float *x, int rows, int k_dim,              \
                                                                const uint16_t *w, int n_begin, int n_end,         \
                                                                float *y, int ldy, int accumulate) {               \
        ZOO_FOR_EACH_TILE_ROWS4(rows, n_begin, n_end, NAME##_TILE4)                                              \
    }

#define linear_bf16_avx512_TILE(AT, TB, NB) ZOO_FLOAT_TILE(AT, linear_bf16_avx512_block, TB, NB, 0)
#define linear_bf16_avx512_TILE4(AT, TB, NB) ZOO_FLOAT_TILE(AT, linear_bf16_avx512_block, TB, NB, 1)
#define linear_f16_avx512_TILE(AT, TB, NB) ZOO_FLOAT_TILE(AT, linear_f16_avx512_block, TB, NB, 0)
#define linear_f16_avx512_TILE4(AT, TB, NB) ZOO_FLOAT_TILE(AT, linear_f16_avx512_block, TB, NB, 1)
DEFINE_HALF_AVX512(linear_bf16_avx512, load16_bf16)
DEFINE_HALF_AVX512(linear_f16_avx512, load16_f16)
// MARK: - AVX2 + FMA + F16C (linear_f32.c's block_avx2 on weights widened 8 at a time)

__attribute__((target("avx2,fma,f16c"), always_inline)) static inline __m256 load8_half(const uint16_t *p, int is_bf16) {
    __m128i h = _mm_loadu_si128((const __m128i *)p);
    return is_bf16 ? _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)) : _mm256_cvtph_ps(h);
}

__attribute__((target("avx2,fma,f16c"), always_inline)) static inline void
half_block_avx2(const float *x, int tb, int k_dim, const uint16_t *w, int nb, float *y, int ldy, int accumulate,
                int rows4, int prefetch, int is_bf16) {
    __m256 acc[BLOCK][BLOCK];
    for (int i = 0; i < BLOCK; i++)
        for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm256_setzero_ps();
    int k = 0;
    for (; k + 8 <= k_dim; k += 8) {
        __m256 wv[BLOCK];
        for (int j = 0; j < nb; j++) {
            if (prefetch && !(k & 31)) ZOO_PREFETCH_AHEAD(w + (size_t)j * k_dim + k, k_dim, nb);
            wv[j] = load8_half(ZOO_WEIGHT_CHUNK(w, j, k, k_dim, rows4), is_bf16);
        }
        for (int i = 0; i < tb; i++) {
            __m256 xv = _mm256_loadu_ps(x + (size_t)i * k_dim + k);
            for (int j = 0; j < nb; j++) acc[i][j] = _mm256_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    if (k < k_dim) {  // row-major only (rows4: k_dim % 16 == 0); zeros past the end, as maskload gives
        int r = k_dim - k;
        __m256i m = _mm256_setr_epi32(r > 0 ? -1 : 0, r > 1 ? -1 : 0, r > 2 ? -1 : 0, r > 3 ? -1 : 0,
                                      r > 4 ? -1 : 0, r > 5 ? -1 : 0, r > 6 ? -1 : 0, 0);
        __m256 wv[BLOCK];
        for (int j = 0; j < nb; j++) {
            uint16_t tail[8] = {0};
            memcpy(tail, w + (size_t)j * k_dim + k, (size_t)r * 2);
            wv[j] = load8_half(tail, is_bf16);
        }
        for (int i = 0; i < tb; i++) {
            __m256 xv = _mm256_maskload_ps(x + (size_t)i * k_dim + k, m);
            for (int j = 0; j < nb; j++) acc[i][j] = _mm256_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, zoo_hsum256);
}

__attribute__((target("avx2,fma,f16c"), always_inline)) static inline void
bf16_block_avx2(const float *x, int tb, int k_dim, const uint16_t *w, int nb, float *y, int ldy, int accumulate,
                int rows4, int prefetch) {
    half_block_avx2(x, tb, k_dim, w, nb, y, ldy, accumulate, rows4, prefetch, 1);
}
__attribute__((target("avx2,fma,f16c"), always_inline)) static inline void
f16_block_avx2(const float *x, int tb, int k_dim, const uint16_t *w, int nb, float *y, int ldy, int accumulate,
               int rows4, int prefetch) {
    half_block_avx2(x, tb, k_dim, w, nb, y, ldy, accumulate, rows4, prefetch, 0);
}

/// Token rows from which the AVX2 16-bit kernels widen a group of weight rows ahead (half_prompt_avx2;
/// bf16, one core, 896 → 4864: break-even at 8 tokens, 1.05× at 16, 1.1× at 32, 1.55× at 512).
#ifndef ZOO_HALF_WIDEN_TOKENS
#define ZOO_HALF_WIDEN_TOKENS 16
#endif

#define BF16_TILE_avx2(AT, TB, NB) ZOO_FLOAT_TILE(AT, bf16_block_avx2, TB, NB, 0)
#define BF16_TILE4_avx2(AT, TB, NB) ZOO_FLOAT_TILE(AT, bf16_block_avx2, TB, NB, 1)
#define F16_TILE_avx2(AT, TB, NB) ZOO_FLOAT_TILE(AT, f16_block_avx2, TB, NB, 0)
#define F16_TILE4_avx2(AT, TB, NB) ZOO_FLOAT_TILE(AT, f16_block_avx2, TB, NB, 1)

/// `count` weights from `w` widened to fp32 at `out` (a tail through a zero-padded chunk, as the tiles').
__attribute__((target("avx2,fma,f16c"))) static void widen_avx2(const uint16_t *w, float *out, size_t count,
                                                                int is_bf16) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(out + i, load8_half(w + i, is_bf16));
    if (i < count) {
        uint16_t tail[8] = {0};
        float wide[8];
        memcpy(tail, w + i, (count - i) * 2);
        _mm256_storeu_ps(wide, load8_half(tail, is_bf16));
        memcpy(out + i, wide, (count - i) * sizeof(float));
    }
}

/// A prompt: each group of BLOCK weight rows is widened once into this thread's scratch (slot 3, which
/// kernels use only within one call), then linear_f32.c's 3 × 4 tiles run over every token on it. The
/// tiles are exactly the fp32 kernel's on the widened weights, so results are the same bits; the
/// widening is no longer repeated per token tile, and the tiles no longer spill (512 tokens, one core:
/// see this commit's message). Returns 0 when the scratch cannot be had.
__attribute__((target("avx2,fma,f16c"))) static int half_prompt_avx2(const float *x, int rows, int k_dim,
                                                                     const uint16_t *w, int n_begin, int n_end,
                                                                     float *y, int ldy, int accumulate, int is_bf16,
                                                                     int rows4) {
    float *group = zoo_thread_scratch(3, sizeof(float) * BLOCK * (size_t)k_dim);
    if (!group) return 0;
    for (int n = n_begin; n < n_end; n += BLOCK) {
        int nb = n_end - n < BLOCK ? n_end - n : BLOCK;
        widen_avx2(w + (size_t)n * k_dim, group, (size_t)nb * k_dim, is_bf16);
        zoo_f32_avx2_all_tokens(x, rows, k_dim, group, nb, y + n, ldy, accumulate, rows4);
    }
    return 1;
}

/// The AVX2 tile driver: `is_bf16` picks the widening, `rows4` the layout. A few tokens (a decode step)
/// widen as they read (one pass over the weights); there, unlike fp32 (3 × 4 tiles, ZOO_AVX2_TOKENS),
/// 4 × 4 tiles pay although they spill: the widening of each weight chunk is shared by four tokens
/// (bf16, one core: 33 GMAC/s against 26 with 3 × 4).
__attribute__((target("avx2,fma,f16c"))) static void linear_half_avx2(const float *x, int rows, int k_dim,
                                                                      const uint16_t *w, int n_begin, int n_end,
                                                                      float *y, int ldy, int accumulate,
                                                                      int is_bf16, int rows4) {
    if (rows >= ZOO_HALF_WIDEN_TOKENS &&
        half_prompt_avx2(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, is_bf16, rows4))
        return;
    if (is_bf16 && rows4) {
        ZOO_FOR_EACH_TILE_ROWS4(rows, n_begin, n_end, BF16_TILE4_avx2)
    } else if (is_bf16) {
        ZOO_FOR_EACH_TILE(rows, n_begin, n_end, BF16_TILE_avx2)
    } else if (rows4) {
        ZOO_FOR_EACH_TILE_ROWS4(rows, n_begin, n_end, F16_TILE4_avx2)
    } else {
        ZOO_FOR_EACH_TILE(rows, n_begin, n_end, F16_TILE_avx2)
    }
}
#endif  // ZOO_X86

// MARK: - Portable fallback (the generic f32 kernel's order on widened weights)

static void linear_half_generic(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end,
                                float *y, int ldy, int accumulate, int is_bf16, int rows4) {
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const float *xr = x + (size_t)t * k_dim;
            const uint16_t *group = w + (size_t)(rows4 ? n & ~3 : n) * k_dim;
            float s[8] = {0};
            int k = 0;
            for (; k + 8 <= k_dim; k += 8) {
                const uint16_t *wr = ZOO_WEIGHT_CHUNK(group, rows4 ? n & 3 : 0, k, k_dim, rows4);
                for (int l = 0; l < 8; l++) s[l] += xr[k + l] * (is_bf16 ? bf16_to_f32(wr[l]) : zoo_f16_to_f32(wr[l]));
            }
            for (int l = 0; k + l < k_dim; l++)  // row-major only (rows4: k_dim % 16 == 0)
                s[l] += xr[k + l] * (is_bf16 ? bf16_to_f32(group[k + l]) : zoo_f16_to_f32(group[k + l]));
            float v = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

/// y (+)= x · wᵀ for 16-bit weights (`is_bf16`: bf16, else fp16), row-major or in the four-row layout
/// (`rows4`), on the widest path the CPU and the cap allow.
static void linear_half(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                        int ldy, int accumulate, int is_bf16, int rows4) {
#if ZOO_X86
    if (zoo_isa_index() == ZOO_ISA_AVX512) {
        typedef void (*driver)(const float *, int, int, const uint16_t *, int, int, float *, int, int);
        static const driver avx512[2][2] = {{linear_f16_avx512, linear_f16_avx512_rows4},
                                            {linear_bf16_avx512, linear_bf16_avx512_rows4}};
        avx512[is_bf16 != 0][rows4 != 0](x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate);
        return;
    }
    if (zoo_isa_index() == ZOO_ISA_AVX2) {
        linear_half_avx2(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, is_bf16, rows4);
        return;
    }
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) {
        zoo_neon_linear_half(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, is_bf16, rows4);
        return;
    }
#endif
    linear_half_generic(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, is_bf16, rows4);
}

void zoo_linear_bf16(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                     int ldy, int accumulate) {
    linear_half(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, 1, 0);
}

void zoo_linear_f16(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                    int ldy, int accumulate) {
    linear_half(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, 0, 0);
}

void zoo_linear_half_rows4(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end, float *y,
                           int ldy, int accumulate, int is_bf16) {
    linear_half(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, is_bf16, 1);
}

void zoo_widen_bf16(const uint16_t *source, float *destination, int count) {
    for (int i = 0; i < count; i++) destination[i] = bf16_to_f32(source[i]);
}

void zoo_widen_f16(const uint16_t *source, float *destination, int count) {
    for (int i = 0; i < count; i++) destination[i] = zoo_f16_to_f32(source[i]);
}

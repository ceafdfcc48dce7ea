// fp32 linear layer (x · wᵀ) kernels, for row-major weights and the four-row layout (zoo_kernels.h).
// Register-blocked 4 weight rows × 4 token rows: each weight chunk loaded from memory feeds four
// tokens, each token chunk feeds four weight rows.
// Per element the order is fixed: lane-wise FMA over k in chunks, a masked last chunk, then a
// horizontal sum; edge blocks run the same sequence, which makes results independent of `rows`.
#include "zoo_kernels.h"

#include <stddef.h>
#include "cpu_features.h"

#include "dequant_frame.h"
#include "neon.h"
#include "tiling.h"

// MARK: - AVX-512
#if ZOO_X86

// The tile driver of one instruction set; `rows4` selects the four-row layout (zoo_kernels.h), and
// each branch hands the block a constant so that both are compiled specialised.
#define F32_TILE_avx512(AT, TB, NB) ZOO_FLOAT_TILE(AT, block_avx512, TB, NB, 0)
#define F32_TILE4_avx512(AT, TB, NB) ZOO_FLOAT_TILE(AT, block_avx512, TB, NB, 1)
#define F32_TILE_avx2(AT, TB, NB) ZOO_FLOAT_TILE(AT, block_avx2, TB, NB, 0)
#define F32_TILE4_avx2(AT, TB, NB) ZOO_FLOAT_TILE(AT, block_avx2, TB, NB, 1)
#define DEFINE_LINEAR_DRIVER(ISA, TARGET, TOKENS)                                                                 \
    __attribute__((target(TARGET))) static void linear_##ISA(const float *x, int rows, int k_dim, const float *w, \
                                                             int n_begin, int n_end, float *y, int ldy,           \
                                                             int accumulate, int rows4) {                         \
        if (rows4) {                                                                                              \
            ZOO_FOR_EACH_TILE_ROWS4_OF(TOKENS, rows, n_begin, n_end, F32_TILE4_##ISA)                             \
        } else {                                                                                                  \
            ZOO_FOR_EACH_TILE_OF(TOKENS, rows, n_begin, n_end, F32_TILE_##ISA)                                    \
        }                                                                                                         \
    }

__attribute__((target("avx512f"), always_inline)) static inline void
block_avx512(const float *x, int tb, int k_dim, const float *w, int nb, float *y, int ldy, int accumulate, int rows4,
             int prefetch) {
    __m512 acc[BLOCK][BLOCK];
    for (int i = 0; i < BLOCK; i++)
        for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm512_setzero_ps();
    int k = 0;
    for (; k + 16 <= k_dim; k += 16) {
        __m512 wv[BLOCK];
        for (int j = 0; j < nb; j++) {
            if (prefetch) ZOO_PREFETCH_AHEAD(w + (size_t)j * k_dim + k, k_dim, nb);
            wv[j] = _mm512_loadu_ps(ZOO_WEIGHT_CHUNK(w, j, k, k_dim, rows4));
        }
        for (int i = 0; i < tb; i++) {
            __m512 xv = _mm512_loadu_ps(x + (size_t)i * k_dim + k);
            for (int j = 0; j < nb; j++) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    if (k < k_dim) {
        __mmask16 m = (__mmask16)((1u << (k_dim - k)) - 1u);
        __m512 wv[BLOCK];
        for (int j = 0; j < nb; j++) wv[j] = _mm512_maskz_loadu_ps(m, w + (size_t)j * k_dim + k);
        for (int i = 0; i < tb; i++) {
            __m512 xv = _mm512_maskz_loadu_ps(m, x + (size_t)i * k_dim + k);
            for (int j = 0; j < nb; j++) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, _mm512_reduce_add_ps);
}

DEFINE_LINEAR_DRIVER(avx512, "avx512f", BLOCK)

// MARK: - AVX2 + FMA

__attribute__((target("avx2,fma"), always_inline)) static inline void
block_avx2(const float *x, int tb, int k_dim, const float *w, int nb, float *y, int ldy, int accumulate, int rows4,
           int prefetch) {
    __m256 acc[BLOCK][BLOCK];
    for (int i = 0; i < BLOCK; i++)
        for (int j = 0; j < BLOCK; j++) acc[i][j] = _mm256_setzero_ps();
    int k = 0;
    for (; k + 8 <= k_dim; k += 8) {
        // The token chunks stay in registers and each weight chunk is used as it arrives: with a
        // 3 × 4 tile that is 12 accumulators + 3 + 1 of the 16 ymm registers.
        __m256 xv[BLOCK];
        for (int i = 0; i < tb; i++) xv[i] = _mm256_loadu_ps(x + (size_t)i * k_dim + k);
        for (int j = 0; j < nb; j++) {
            if (prefetch && !(k & 15)) ZOO_PREFETCH_AHEAD(w + (size_t)j * k_dim + k, k_dim, nb);
            __m256 wv = _mm256_loadu_ps(ZOO_WEIGHT_CHUNK(w, j, k, k_dim, rows4));
            for (int i = 0; i < tb; i++) acc[i][j] = _mm256_fmadd_ps(xv[i], wv, acc[i][j]);
        }
    }
    if (k < k_dim) {
        int r = k_dim - k;
        __m256i m = _mm256_setr_epi32(r > 0 ? -1 : 0, r > 1 ? -1 : 0, r > 2 ? -1 : 0, r > 3 ? -1 : 0,
                                      r > 4 ? -1 : 0, r > 5 ? -1 : 0, r > 6 ? -1 : 0, 0);
        __m256 wv[BLOCK];
        for (int j = 0; j < nb; j++) wv[j] = _mm256_maskload_ps(w + (size_t)j * k_dim + k, m);
        for (int i = 0; i < tb; i++) {
            __m256 xv = _mm256_maskload_ps(x + (size_t)i * k_dim + k, m);
            for (int j = 0; j < nb; j++) acc[i][j] = _mm256_fmadd_ps(xv, wv[j], acc[i][j]);
        }
    }
    ZOO_STORE_TILE(acc, tb, nb, y, ldy, accumulate, zoo_hsum256);
}

DEFINE_LINEAR_DRIVER(avx2, "avx2,fma", ZOO_AVX2_TOKENS)

__attribute__((target("avx2,fma"))) void zoo_f32_avx2_all_tokens(const float *x, int rows, int k_dim, const float *w,
                                                                 int nb, float *y, int ldy, int accumulate, int rows4) {
    for (int t = 0; t < rows; t += ZOO_AVX2_TOKENS) {
        int tb = rows - t < ZOO_AVX2_TOKENS ? rows - t : ZOO_AVX2_TOKENS;
        const float *xt = x + (size_t)t * k_dim;
        float *yt = y + (size_t)t * ldy;
        // Constant shapes for a whole group (the last tile's too), so the accumulators stay in registers.
#define ALL_TOKENS_TILE(TB)                                                                  \
    if (rows4)                                                                               \
        block_avx2(xt, TB, k_dim, w, BLOCK, yt, ldy, accumulate, 1, 0);                      \
    else                                                                                     \
        block_avx2(xt, TB, k_dim, w, BLOCK, yt, ldy, accumulate, 0, 0);
        if (nb != BLOCK)
            block_avx2(xt, tb, k_dim, w, nb, yt, ldy, accumulate, 0, 0);  // row-major's last rows
        else if (tb == ZOO_AVX2_TOKENS) {
            ALL_TOKENS_TILE(ZOO_AVX2_TOKENS)
        } else if (tb == 2) {
            ALL_TOKENS_TILE(2)
        } else {
            ALL_TOKENS_TILE(1)
        }
#undef ALL_TOKENS_TILE
    }
}

#endif  // ZOO_X86

// MARK: - Portable fallback

static void linear_generic(const float *x, int rows, int k_dim, const float *w, int n_begin, int n_end, float *y,
                           int ldy, int accumulate, int rows4) {
    for (int t = 0; t < rows; t++)
        for (int n = n_begin; n < n_end; n++) {
            const float *xr = x + (size_t)t * k_dim;
            const float *group = w + (size_t)(rows4 ? n & ~3 : n) * k_dim;
            float s[8] = {0};
            int k = 0;
            for (; k + 8 <= k_dim; k += 8) {
                const float *wr = ZOO_WEIGHT_CHUNK(group, rows4 ? n & 3 : 0, k, k_dim, rows4);
                for (int l = 0; l < 8; l++) s[l] += xr[k + l] * wr[l];
            }
            for (int l = 0; k + l < k_dim; l++) s[l] += xr[k + l] * group[k + l];  // row-major only (rows4: k_dim % 16 == 0)
            float v = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
            float *out = y + (size_t)t * ldy + n;
            *out = accumulate ? *out + v : v;
        }
}

// MARK: - Dispatch


static void linear_any(const float *x, int rows, int k_dim, const float *w, int n_begin, int n_end, float *y,
                       int ldy, int accumulate, int rows4) {
    switch (zoo_isa_index()) {
#if ZOO_X86
    case ZOO_ISA_AVX512: linear_avx512(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, rows4); return;
    case ZOO_ISA_AVX2: linear_avx2(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, rows4); return;
#endif
#if ZOO_ARM64
    case ZOO_ISA_NEON: zoo_neon_linear_f32(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, rows4); return;
#endif
    default: linear_generic(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, rows4); return;
    }
}

void zoo_linear_f32(const float *x, int rows, int k_dim, const float *w, int n_begin, int n_end, float *y,
                    int ldy, int accumulate) {
    linear_any(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, 0);
}

void zoo_linear_f32_rows4(const float *x, int rows, int k_dim, const float *w, int n_begin, int n_end, float *y,
                          int ldy, int accumulate) {
    linear_any(x, rows, k_dim, w, n_begin, n_end, y, ldy, accumulate, 1);
}

// Attention's row kernels: fp32 dot and axpy, and fp16 rows for the KV cache: narrowing on write, and the attention's dot product and axpy reading
// fp16 directly (F16C when the CPU has it, the compiler's _Float16 otherwise; both round and widen
// exactly, so they give the same results up to the summation order of the dot product).
#include "zoo_kernels.h"

#include <math.h>
#include "dequant_frame.h"
#include "vector_exp.h"

#include <stdint.h>
#include <string.h>
#include "cpu_features.h"
#include "neon.h"

static inline float widen(uint16_t h) {
    _Float16 f;
    memcpy(&f, &h, 2);
    return (float)f;
}

static inline uint16_t narrow(float x) {
    _Float16 f = (_Float16)x;
    uint16_t h;
    memcpy(&h, &f, 2);
    return h;
}

#if ZOO_X86
// F16C comes with AVX2 (ZOO_CPU_AVX2); the portable path when a cap asks for it.
static int has_f16c(void) { return zoo_cpu_has(ZOO_CPU_AVX2) && zoo_isa_index() != ZOO_ISA_GENERIC; }

__attribute__((target("avx2,f16c,fma"))) static void narrow_f16c(const float *src, uint16_t *dst, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) dst[i] = narrow(src[i]);
}

__attribute__((target("avx2,f16c,fma"))) static float dot_f16c(const float *a, const uint16_t *b, int n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i))), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i + 8))), s1);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i))), s0);
    float total = zoo_hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; i++) total += a[i] * widen(b[i]);
    return total;
}

__attribute__((target("avx2,f16c,fma"))) static void axpy_f16c(float alpha, const uint16_t *x, float *y, int n) {
    __m256 a = _mm256_set1_ps(alpha);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += alpha * widen(x[i]);
}
#endif

void zoo_narrow_f16(const float *src, uint16_t *dst, int n) {
#if ZOO_X86
    if (has_f16c()) { narrow_f16c(src, dst, n); return; }
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) { zoo_neon_narrow_f16(src, dst, n); return; }
#endif
    for (int i = 0; i < n; i++) dst[i] = narrow(src[i]);
}

float zoo_dot_f16(const float *a, const uint16_t *b, int n) {
#if ZOO_X86
    if (has_f16c()) return dot_f16c(a, b, n);
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) return zoo_neon_dot_f16(a, b, n);
#endif
    float s[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) s[l] += a[i + l] * widen(b[i + l]);
    float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < n; i++) total += a[i] * widen(b[i]);
    return total;
}

void zoo_axpy_f16(float alpha, const uint16_t *x, float *y, int n) {
#if ZOO_X86
    if (has_f16c()) { axpy_f16c(alpha, x, y, n); return; }
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) { zoo_neon_axpy_f16(alpha, x, y, n); return; }
#endif
    for (int i = 0; i < n; i++) y[i] += alpha * widen(x[i]);
}

// MARK: - fp32 dot and axpy (attention rows)

#if ZOO_X86
__attribute__((target("avx512f"))) static float dot_f32_avx512(const float *a, const float *b, int n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    if (i + 16 <= n) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        i += 16;
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

__attribute__((target("avx512f"))) static void axpy_f32_avx512(float alpha, const float *x, float *y, int n) {
    __m512 a = _mm512_set1_ps(alpha);
    int i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_fmadd_ps(a, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, _mm512_fmadd_ps(a, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i)));
    }
}

__attribute__((target("avx2,fma"))) static float dot_f32_avx2(const float *a, const float *b, int n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    float total = zoo_hsum256(_mm256_add_ps(s0, s1));
    for (; i < n; i++) total += a[i] * b[i];
    return total;
}

__attribute__((target("avx2,fma"))) static void axpy_f32_avx2(float alpha, const float *x, float *y, int n) {
    __m256 a = _mm256_set1_ps(alpha);
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += alpha * x[i];
}
#endif

float zoo_dot_f32(const float *a, const float *b, int n) {
    switch (zoo_isa_index()) {
#if ZOO_X86
    case ZOO_ISA_AVX512: return dot_f32_avx512(a, b, n);
    case ZOO_ISA_AVX2: return dot_f32_avx2(a, b, n);
#endif
#if ZOO_ARM64
    case ZOO_ISA_NEON: return zoo_neon_dot_f32(a, b, n);
#endif
    default: {
        float s[8] = {0};
        int i = 0;
        for (; i + 8 <= n; i += 8)
            for (int l = 0; l < 8; l++) s[l] += a[i + l] * b[i + l];
        float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (; i < n; i++) total += a[i] * b[i];
        return total;
    }
    }
}

void zoo_axpy_f32(float alpha, const float *x, float *y, int n) {
    switch (zoo_isa_index()) {
#if ZOO_X86
    case ZOO_ISA_AVX512: axpy_f32_avx512(alpha, x, y, n); return;
    case ZOO_ISA_AVX2: axpy_f32_avx2(alpha, x, y, n); return;
#endif
#if ZOO_ARM64
    case ZOO_ISA_NEON: zoo_neon_axpy_f32(alpha, x, y, n); return;
#endif
    default:
        for (int i = 0; i < n; i++) y[i] += alpha * x[i];
    }
}

#if ZOO_X86
__attribute__((target("avx512f"))) static void swiglu_avx512(float *gate, const float *up, int n) {
    for (int i = 0; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 g = _mm512_maskz_loadu_ps(k, gate + i);
        __m512 silu = _mm512_div_ps(g, _mm512_add_ps(_mm512_set1_ps(1.0f), exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), g))));
        _mm512_mask_storeu_ps(gate + i, k, _mm512_mul_ps(silu, _mm512_maskz_loadu_ps(k, up + i)));
    }
}

__attribute__((target("avx2,fma"))) static void swiglu_avx2(float *gate, const float *up, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 silu = _mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), g))));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
    }
    if (i < n) {  // the tail through a padded copy, so every element takes the same path
        float g[8] = {0}, u[8] = {0};
        memcpy(g, gate + i, (size_t)(n - i) * 4);
        memcpy(u, up + i, (size_t)(n - i) * 4);
        swiglu_avx2(g, u, 8);
        memcpy(gate + i, g, (size_t)(n - i) * 4);
    }
}
#endif

void zoo_swiglu(float *gate, const float *up, int n) {
#if ZOO_X86
    if (zoo_isa_index() == ZOO_ISA_AVX512) {
        swiglu_avx512(gate, up, n);
        return;
    }
    if (zoo_isa_index() == ZOO_ISA_AVX2) {
        swiglu_avx2(gate, up, n);
        return;
    }
#endif
#if ZOO_ARM64
    if (zoo_isa_index() == ZOO_ISA_NEON) {
        zoo_neon_swiglu(gate, up, n);
        return;
    }
#endif
    for (int i = 0; i < n; i++) gate[i] = gate[i] / (1 + expf(-gate[i])) * up[i];
}

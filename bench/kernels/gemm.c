/* One core's matrix product y = x · wᵀ in one weight format, timed with the thread's CPU clock
 * (CLOCK_THREAD_CPUTIME_ID, so time other processes take from the core is not counted), against the same
 * kernel at a baseline revision in the same process, the two alternating rep by rep. Build and run with
 * bench/kernels/run.sh (which links the baseline's kernel file with its symbols renamed base_*).
 *
 *   gemm FORMAT TOKENS K N [REPS]     FORMAT: q8_0 | q4_0 | q4_kb32 | f32 | bf16
 *
 * Prints one line per kernel: the median and best GMAC/s (TOKENS·K·N multiply-adds per call) and whether
 * the current kernel's output equals the baseline's bit for bit. ZOO_ISA caps the instruction set as
 * for the engine. */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoo_kernels.h"

typedef void (*x8_kernel)(const int8_t *, const float *, const int32_t *, int, int, const void *, const float *, int,
                          int, float *, int, int);
typedef void (*float_kernel)(const float *, int, int, const void *, int, int, float *, int, int);

#ifdef ZOO_BENCH_BASELINE
#define BASE(name) base_##name
#else
#define BASE(name) name
#endif
void BASE(zoo_linear_q8_0_x8)(const int8_t *, const float *, const int32_t *, int, int, const int8_t *, const float *,
                              int, int, float *, int, int);
void BASE(zoo_linear_q4_0_x8)(const int8_t *, const float *, const int32_t *, int, int, const uint8_t *,
                              const float *, int, int, float *, int, int);
void BASE(zoo_linear_q4_k_b32_x8)(const int8_t *, const float *, const int32_t *, int, int, const uint8_t *,
                                  const float *, int, int, float *, int, int);
void BASE(zoo_linear_f32)(const float *, int, int, const float *, int, int, float *, int, int);
void BASE(zoo_linear_bf16)(const float *, int, int, const uint16_t *, int, int, float *, int, int);

static double thread_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *random_floats(size_t count, unsigned seed) {
    float *v = malloc(sizeof(float) * count);
    for (size_t i = 0; i < count; i++) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = ((float)(seed >> 8) / (float)(1u << 24)) * 2 - 1;
    }
    return v;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s q8_0|q4_0|q4_kb32|f32|bf16 TOKENS K N [REPS]\n", argv[0]);
        return 2;
    }
    const char *format = argv[1];
    int m = atoi(argv[2]), k = atoi(argv[3]), n = atoi(argv[4]), reps = argc > 5 ? atoi(argv[5]) : 7;
    if (m <= 0 || k <= 0 || n <= 0 || k % (strcmp(format, "q4_kb32") ? 32 : 256) || reps <= 0) {
        fprintf(stderr, "gemm: TOKENS, N > 0, K a multiple of 32 (q4_kb32: 256), REPS > 0\n");
        return 2;
    }
    float *x = random_floats((size_t)m * k, 1), *w = random_floats((size_t)n * k, 2);
    int blocks = k / 32;
    int8_t *xq = malloc((size_t)m * k);
    float *xd = malloc(sizeof(float) * (size_t)m * blocks);
    int32_t *xsum = malloc(sizeof(int32_t) * (size_t)m * (k / 4));
    zoo_quantize_activations(x, m, k, xq, xd, xsum);

    void *weights = NULL, *factors = NULL;
    x8_kernel x8[2] = {0};
    float_kernel fk[2] = {0};
    if (!strcmp(format, "q8_0")) {
        weights = malloc((size_t)n * k);
        factors = malloc(sizeof(float) * (size_t)n * blocks);
        zoo_quantize_q8_0(w, n, k, weights, factors);
        x8[0] = (x8_kernel)zoo_linear_q8_0_x8, x8[1] = (x8_kernel)BASE(zoo_linear_q8_0_x8);
    } else if (!strcmp(format, "q4_0")) {
        weights = malloc((size_t)n * k / 2);
        factors = malloc(sizeof(float) * (size_t)n * blocks);
        zoo_quantize_q4_0(w, n, k, weights, factors);
        x8[0] = (x8_kernel)zoo_linear_q4_0_x8, x8[1] = (x8_kernel)BASE(zoo_linear_q4_0_x8);
    } else if (!strcmp(format, "q4_kb32")) {
        uint8_t *super = malloc((size_t)n * k / 256 * 144);
        zoo_quantize_q4_k(w, n, k, super);
        weights = malloc((size_t)n * k / 2);
        factors = malloc(sizeof(float) * 2 * (size_t)n * blocks);
        zoo_unpack_q4_k_b32(super, n, k, weights, factors);
        free(super);
        x8[0] = (x8_kernel)zoo_linear_q4_k_b32_x8, x8[1] = (x8_kernel)BASE(zoo_linear_q4_k_b32_x8);
    } else if (!strcmp(format, "f32")) {
        weights = w;
        fk[0] = (float_kernel)zoo_linear_f32, fk[1] = (float_kernel)BASE(zoo_linear_f32);
    } else if (!strcmp(format, "bf16")) {
        uint16_t *h = malloc(sizeof(uint16_t) * (size_t)n * k);
        for (size_t i = 0; i < (size_t)n * k; i++) {
            uint32_t bits;
            memcpy(&bits, w + i, 4);
            h[i] = (uint16_t)(bits >> 16);
        }
        weights = h;
        fk[0] = (float_kernel)zoo_linear_bf16, fk[1] = (float_kernel)BASE(zoo_linear_bf16);
    } else {
        fprintf(stderr, "gemm: unknown format %s\n", format);
        return 2;
    }

    float *y[2] = {malloc(sizeof(float) * (size_t)m * n), malloc(sizeof(float) * (size_t)m * n)};
    double *seconds[2] = {malloc(sizeof(double) * reps), malloc(sizeof(double) * reps)};
    for (int r = -1; r < reps; r++)  // rep -1 warms caches and scratch, untimed
        for (int v = 0; v < 2; v++) {
            double start = thread_seconds();
            if (x8[v])
                x8[v](xq, xd, xsum, m, k, weights, factors, 0, n, y[v], n, 0);
            else
                fk[v](x, m, k, weights, 0, n, y[v], n, 0);
            if (r >= 0) seconds[v][r] = thread_seconds() - start;
        }
    double macs = (double)m * k * n;
    const char *names[2] = {"current", "baseline"};
    printf("%s %d x %d · %d x %d (%s):", format, m, k, n, k, getenv("ZOO_ISA") ? getenv("ZOO_ISA") : "widest");
    for (int v = 0; v < 2; v++) {
        qsort(seconds[v], reps, sizeof(double), by_value);
        printf("  %s %.1f GMAC/s (best %.1f)", names[v], macs / seconds[v][reps / 2] * 1e-9, macs / seconds[v][0] * 1e-9);
    }
    printf("  same bits: %s\n", memcmp(y[0], y[1], sizeof(float) * (size_t)m * n) ? "no" : "yes");
    return 0;
}

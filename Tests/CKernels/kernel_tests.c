// The kernels of CZooKernels as plain C, for the CPUs Swift cannot be built for here (ARM64 under
// qemu, scripts/test-arm64.sh) and as a check of this driver on x86. At every instruction-set level
// the process can reach (zoo_linear_set_isa_limit), each kernel is checked against a float64
// reference with a rounding-error bound, against the portable path, and for its exactness
// contracts bit for bit: a row's result does not depend on the rows sharing the call or on the
// output range; 16-bit weights equal the fp32 kernel on the widened weights; the block formats
// equal it on the dequantized weights; the NEON integer kernels equal the portable ones.
//
// Environment: ZOO_TEST_EXPECT_ISA (the widest level that must be reached, e.g. "neon") and
// ZOO_TEST_EXPECT_DOTPROD (1 or 0) make a run fail when the CPU did not offer the path it was meant
// to test. Closes with one line: "N passed, M failed".
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoo_kernels.h"
#include "../../Sources/CZooKernels/cpu_features.h"
#include "../../Sources/CZooKernels/neon.h"

static int passed, failed;
// Float cases where a SIMD level gave the portable path's bits (information, not a check: whether the
// compiler contracts the portable C into FMAs decides it).
static int simd_cases, simd_same_as_portable;

static void check(int ok, const char *format, ...) {
    if (ok) {
        passed++;
        return;
    }
    failed++;
    if (failed > 40) return;  // the count says the rest
    va_list args;
    va_start(args, format);
    printf("FAIL: ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
}

// MARK: - Inputs

static uint64_t rng_state;
static uint64_t next_u64(void) {
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return rng_state >> 11;
}
/// In [-1, 1).
static float next_float(void) { return (float)((int64_t)(next_u64() & 0xFFFFFF) - (1 << 23)) / (float)(1 << 23); }

static float *random_floats(size_t count, uint64_t seed) {
    rng_state = seed;
    float *v = malloc(count * sizeof(float));
    for (size_t i = 0; i < count; i++) v[i] = next_float();
    return v;
}

static float *filled(size_t count, float value) {
    float *v = malloc(count * sizeof(float));
    for (size_t i = 0; i < count; i++) v[i] = value;
    return v;
}

static int same_bits(const float *a, const float *b, size_t count) { return memcmp(a, b, count * sizeof(float)) == 0; }

/// The first index where a and b differ, for messages.
static size_t first_difference(const float *a, const float *b, size_t count) {
    for (size_t i = 0; i < count; i++)
        if (memcmp(a + i, b + i, sizeof(float))) return i;
    return count;
}

static const double unit = 1.0 / 8388608.0;  // 2^-23, twice fp32's unit roundoff

/// float64 x · wᵀ, and the sum of |x·w| that bounds its rounding error in fp32.
static void reference(const float *x, int rows, int k, const float *w, int n, double *y, double *magnitude) {
    for (int t = 0; t < rows; t++)
        for (int o = 0; o < n; o++) {
            double s = 0, m = 0;
            for (int i = 0; i < k; i++) {
                double p = (double)x[(size_t)t * k + i] * (double)w[(size_t)o * k + i];
                s += p;
                m += fabs(p);
            }
            y[(size_t)t * n + o] = s;
            magnitude[(size_t)t * n + o] = m;
        }
}

// MARK: - Levels

typedef struct {
    int limit;  // zoo_linear_set_isa_limit's argument
    const char *name;
} level;

static level levels[4];
static int level_count;

/// Every level this process reaches: the portable path first, then the wider ones.
static void find_levels(void) {
    const int limits[] = {ZOO_ISA_GENERIC, ZOO_ISA_AVX2, ZOO_ISA_AVX512, ZOO_ISA_NEON};
    for (int i = 0; i < 4; i++) {
        int old = zoo_linear_set_isa_limit(limits[i]);
        if (zoo_isa_index() == limits[i]) levels[level_count++] = (level){limits[i], zoo_linear_isa()};
        zoo_linear_set_isa_limit(old);
    }
}

static void use_level(const level *l) { zoo_linear_set_isa_limit(l->limit); }

/// The NEON fp32 order (neon.h): eight fused lanes, pairwise horizontal sum, on widened weights.
static float neon_order_model(const float *x, const float *w, int k) {
    float s[8] = {0};
    for (int i = 0; i < k; i++) s[i % 8] = fmaf(x[i], w[i], s[i % 8]);
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// MARK: - fp32-activation kernels, through one signature

/// y (+)= x · wᵀ for rows [n_begin, n_end) of a matrix in some format.
typedef void (*product)(const void *matrix, const float *x, int rows, int k, int n_begin, int n_end, float *y,
                        int ldy, int accumulate);

typedef struct {
    const char *name;
    product run;
    const void *matrix;
    const float *widened;  // the weights as fp32 (widened or dequantized), n × k
    int n, k;
    int range_step;        // output ranges must start at multiples of this (the four-row layout: 4)
    int equals_f32;        // the contract: bit for bit the f32 kernel on `widened`, at every level
    double tolerance_scale; // rounding-error bound, in units of 2^-23 · Σ|x·w| (0: (k/8 + 4))
} case_spec;

static void run_f32(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    zoo_linear_f32(x, rows, k, m, b, e, y, ldy, acc);
}

/// Checks one case at every level: float64 bound, accumulate, row and range independence, the
/// f32 contract, agreement with the portable path, and on NEON the documented order bit for bit.
static void check_case(const case_spec *c, const int *row_counts, int row_variants) {
    const int n = c->n, k = c->k;
    for (int rv = 0; rv < row_variants; rv++) {
        int rows = row_counts[rv];
        float *x = random_floats((size_t)rows * k, 1000 + rows * 7 + k);
        double *expected = malloc(sizeof(double) * rows * n), *magnitude = malloc(sizeof(double) * rows * n);
        reference(x, rows, k, c->widened, n, expected, magnitude);
        float *portable = NULL;
        for (int li = 0; li < level_count; li++) {
            use_level(&levels[li]);
            const char *isa = levels[li].name;
            float *y = filled((size_t)rows * n, NAN);
            c->run(c->matrix, x, rows, k, 0, n, y, n, 0);
            // 1. float64 reference within the rounding bound.
            double scale = c->tolerance_scale > 0 ? c->tolerance_scale : k / 8.0 + 4;
            int within = 1;
            size_t bad = 0;
            for (size_t i = 0; i < (size_t)rows * n; i++)
                if (!(fabs(y[i] - expected[i]) <= scale * unit * magnitude[i] + 1e-30)) {
                    within = 0;
                    bad = i;
                    break;
                }
            check(within, "%s %s rows %d k %d: float64 reference at %zu: %.9g vs %.9g", isa, c->name, rows, k, bad,
                  within ? 0.0 : y[bad], within ? 0.0 : expected[bad]);
            // 2. Accumulate adds the same values to what y held.
            float *initial = random_floats((size_t)rows * n, 77), *summed = malloc(sizeof(float) * rows * n);
            memcpy(summed, initial, sizeof(float) * rows * n);
            c->run(c->matrix, x, rows, k, 0, n, summed, n, 1);
            int adds = 1;
            for (size_t i = 0; i < (size_t)rows * n; i++) {
                float want = initial[i] + y[i];
                if (memcmp(&want, summed + i, 4)) adds = 0;
            }
            check(adds, "%s %s rows %d k %d: accumulate", isa, c->name, rows, k);
            // 3. Each row alone, and the output range in two pieces, give the same bits.
            int alone_same = 1;
            float *one = malloc(sizeof(float) * n);
            for (int t = 0; t < rows; t++) {
                c->run(c->matrix, x + (size_t)t * k, 1, k, 0, n, one, n, 0);
                if (!same_bits(one, y + (size_t)t * n, n)) alone_same = 0;
            }
            check(alone_same, "%s %s rows %d k %d: a row alone equals its batched result", isa, c->name, rows, k);
            int split = (n / 2) / c->range_step * c->range_step;
            float *pieces = filled((size_t)rows * n, NAN);
            c->run(c->matrix, x, rows, k, split, n, pieces, n, 0);
            c->run(c->matrix, x, rows, k, 0, split, pieces, n, 0);
            check(same_bits(pieces, y, (size_t)rows * n), "%s %s rows %d k %d: split output range", isa, c->name,
                  rows, k);
            // 4. The contract with the f32 kernel on the widened weights.
            if (c->equals_f32) {
                float *f = filled((size_t)rows * n, NAN);
                zoo_linear_f32(x, rows, k, c->widened, 0, n, f, n, 0);
                size_t at = first_difference(f, y, (size_t)rows * n);
                check(at == (size_t)rows * n, "%s %s rows %d k %d: equals f32 on widened weights (first diff %zu)",
                      isa, c->name, rows, k, at);
                free(f);
            }
            // 5. The portable path within twice the bound; on NEON, the documented order bit for bit.
            if (li == 0) {
                portable = malloc(sizeof(float) * rows * n);
                memcpy(portable, y, sizeof(float) * rows * n);
            } else {
                int close = 1;
                for (size_t i = 0; i < (size_t)rows * n; i++)
                    if (!(fabs((double)y[i] - portable[i]) <= 2 * scale * unit * magnitude[i] + 1e-30)) close = 0;
                check(close, "%s %s rows %d k %d: agrees with the portable path", isa, c->name, rows, k);
                simd_cases++;
                simd_same_as_portable += same_bits(y, portable, (size_t)rows * n);
            }
            if (levels[li].limit == ZOO_ISA_NEON && c->tolerance_scale == 0) {
                int modelled = 1;
                for (int t = 0; t < rows && modelled; t++)
                    for (int o = 0; o < n; o++) {
                        float want = neon_order_model(x + (size_t)t * k, c->widened + (size_t)o * k, k);
                        if (memcmp(&want, y + (size_t)t * n + o, 4)) {
                            modelled = 0;
                            break;
                        }
                    }
                check(modelled, "neon %s rows %d k %d: the documented fused 8-lane order", c->name, rows, k);
            }
            free(y);
            free(initial);
            free(summed);
            free(one);
            free(pieces);
        }
        free(portable);
        free(x);
        free(expected);
        free(magnitude);
    }
}

// MARK: - fp32, four-row layout, 16-bit weights

typedef struct {
    const void *w;
    int is_bf16;
} half_matrix;

static void run_bf16(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    zoo_linear_bf16(x, rows, k, m, b, e, y, ldy, acc);
}
static void run_f16(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    zoo_linear_f16(x, rows, k, m, b, e, y, ldy, acc);
}
static void run_f32_rows4(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    zoo_linear_f32_rows4(x, rows, k, m, b, e, y, ldy, acc);
}
static void run_bf16_rows4(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    zoo_linear_half_rows4(x, rows, k, m, b, e, y, ldy, acc, 1);
}
static void run_f16_rows4(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    zoo_linear_half_rows4(x, rows, k, m, b, e, y, ldy, acc, 0);
}

static const int rows_set[] = {1, 3, 17};

static void test_float_kernels(void) {
    // Qwen2.5-0.5B's widths (896, 4864), 768, and tails of every length mod 8.
    const int ks[] = {896, 768, 4864, 29, 1003, 8, 5};
    for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
        int k = ks[ki], n = k > 2000 ? 12 : 37;
        float *w = random_floats((size_t)n * k, 5 + k);
        case_spec f32 = {"f32", run_f32, w, w, n, k, 1, 0, 0};
        check_case(&f32, rows_set, 3);

        // 16-bit weights, with f16 subnormals and bf16 values of every exponent.
        uint16_t *h = malloc(sizeof(uint16_t) * n * k), *b = malloc(sizeof(uint16_t) * n * k);
        float *tiny = malloc(sizeof(float) * n * k);
        for (size_t i = 0; i < (size_t)n * k; i++) tiny[i] = i % 7 == 0 ? w[i] * 1e-5f : w[i];
        zoo_narrow_f16(tiny, h, n * k);
        zoo_round_bf16(w, n * k, b);
        float *wh = malloc(sizeof(float) * n * k), *wb = malloc(sizeof(float) * n * k);
        zoo_widen_f16(h, wh, n * k);
        zoo_widen_bf16(b, wb, n * k);
        case_spec f16 = {"f16", run_f16, h, wh, n, k, 1, 1, 0}, bf16 = {"bf16", run_bf16, b, wb, n, k, 1, 1, 0};
        check_case(&f16, rows_set, 3);
        check_case(&bf16, rows_set, 3);

        // The four-row layout (k a multiple of 16, whole groups of 4 rows).
        if (k % 16 == 0) {
            int n4 = n / 4 * 4;
            float *p = malloc(sizeof(float) * n4 * k);
            uint16_t *ph = malloc(sizeof(uint16_t) * n4 * k), *pb = malloc(sizeof(uint16_t) * n4 * k);
            zoo_pack_rows4(w, k, 4, 0, n4 / 4, p);
            zoo_pack_rows4(h, k, 2, 0, n4 / 4, ph);
            zoo_pack_rows4(b, k, 2, 0, n4 / 4, pb);
            case_spec r32 = {"f32 rows4", run_f32_rows4, p, w, n4, k, 4, 1, 0};
            case_spec r16 = {"f16 rows4", run_f16_rows4, ph, wh, n4, k, 4, 1, 0};
            case_spec rb = {"bf16 rows4", run_bf16_rows4, pb, wb, n4, k, 4, 1, 0};
            check_case(&r32, rows_set, 3);
            check_case(&r16, rows_set, 3);
            check_case(&rb, rows_set, 3);
            free(p);
            free(ph);
            free(pb);
        }
        free(w);
        free(h);
        free(b);
        free(tiny);
        free(wh);
        free(wb);
    }
}

// MARK: - Block formats read in place (k-quants, q5_0, q5_1, q4_1)

typedef void (*dequantizer)(const uint8_t *, int, float *);

typedef struct {
    const char *name;
    int values, bytes;
    int halves[2], half_count;  // where each block keeps its fp16 factors
    dequantizer dequantize;
    void (*linear)(const float *, int, int, const uint8_t *, int, int, float *, int, int);
    dequantizer simd;  // the architecture's own block dequantizer, if any
} block_format;

#if ZOO_ARM64
#define SIMD_DEQUANTIZER(FORMAT) zoo_neon_dequantize_##FORMAT
#else
#define SIMD_DEQUANTIZER(FORMAT) NULL
#endif

static const block_format block_formats[] = {
    {"q4_K", 256, 144, {0, 2}, 2, zoo_dequantize_q4_k, zoo_linear_q4_k, SIMD_DEQUANTIZER(q4_k)},
    {"q5_K", 256, 176, {0, 2}, 2, zoo_dequantize_q5_k, zoo_linear_q5_k, SIMD_DEQUANTIZER(q5_k)},
    {"q6_K", 256, 210, {208, 0}, 1, zoo_dequantize_q6_k, zoo_linear_q6_k, SIMD_DEQUANTIZER(q6_k)},
    {"q5_0", 32, 22, {0, 0}, 1, zoo_dequantize_q5_0, zoo_linear_q5_0, SIMD_DEQUANTIZER(q5_0)},
    {"q5_1", 32, 24, {0, 2}, 2, zoo_dequantize_q5_1, zoo_linear_q5_1, SIMD_DEQUANTIZER(q5_1)},
    {"q4_1", 32, 20, {0, 2}, 2, zoo_dequantize_q4_1, zoo_linear_q4_1, SIMD_DEQUANTIZER(q4_1)},
};

static const block_format *current_format;
static void run_blocks(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    current_format->linear(x, rows, k, m, b, e, y, ldy, acc);
}

/// Random blocks with finite fp16 factors (magnitudes 2^-10 to 2^-3, either sign).
static uint8_t *random_blocks(const block_format *f, int count, uint64_t seed) {
    rng_state = seed;
    size_t blocks = (size_t)count / f->values, bytes = blocks * f->bytes;
    uint8_t *p = malloc(bytes);
    for (size_t i = 0; i < bytes; i++) p[i] = (uint8_t)next_u64();
    for (size_t b = 0; b < blocks; b++)
        for (int h = 0; h < f->half_count; h++) {
            uint16_t bits = (uint16_t)((next_u64() & 1) << 15 | (5 + next_u64() % 8) << 10 | (next_u64() & 0x3FF));
            p[b * f->bytes + f->halves[h]] = (uint8_t)bits;
            p[b * f->bytes + f->halves[h] + 1] = (uint8_t)(bits >> 8);
        }
    return p;
}

static void test_block_formats(void) {
    for (size_t fi = 0; fi < sizeof block_formats / sizeof *block_formats; fi++) {
        const block_format *f = &block_formats[fi];
        current_format = f;
        const int ks[] = {f->values == 32 ? 896 : 768, f->values == 32 ? 4864 : 1536};
        for (int ki = 0; ki < 2; ki++) {
            int k = ks[ki], n = ki ? 9 : 37;
            uint8_t *blocks = random_blocks(f, n * k, 11 + fi * 10 + ki);
            float *w = malloc(sizeof(float) * n * k);
            f->dequantize(blocks, n * k, w);
            if (f->simd) {  // the SIMD dequantizer gives the portable bits, signed zeros included
                float *v = malloc(sizeof(float) * n * k);
                f->simd(blocks, n * k, v);
                size_t at = first_difference(v, w, (size_t)n * k);
                check(at == (size_t)n * k, "%s SIMD dequantizer equals the portable one (first diff %zu)", f->name, at);
                free(v);
            }
            case_spec c = {f->name, run_blocks, blocks, w, n, k, 1, 1, 0};
            check_case(&c, rows_set, 3);
            free(blocks);
            free(w);
        }
    }
    // The real quantizers' output too (q4_K and q5_0 as llama.cpp writes them).
    for (int fi = 0; fi < 2; fi++) {
        const block_format *f = &block_formats[fi == 0 ? 0 : 3];
        current_format = f;
        int k = fi == 0 ? 768 : 896, n = 21;
        float *source = random_floats((size_t)n * k, 31);
        uint8_t *blocks = malloc((size_t)n * k / f->values * f->bytes);
        if (fi == 0)
            zoo_quantize_q4_k(source, n, k, blocks);
        else
            zoo_quantize_q5_0(source, n, k, blocks);
        float *w = malloc(sizeof(float) * n * k);
        f->dequantize(blocks, n * k, w);
        case_spec c = {fi == 0 ? "q4_K quantized" : "q5_0 quantized", run_blocks, blocks, w, n, k, 1, 1, 0};
        check_case(&c, rows_set, 3);
        free(source);
        free(blocks);
        free(w);
    }
}

// MARK: - q8_0 and q4_0 with fp32 activations

typedef struct {
    const void *q;
    const float *scales;
} split_matrix;

static void run_q8_0(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    const split_matrix *s = m;
    zoo_linear_q8_0(x, rows, k, s->q, s->scales, b, e, y, ldy, acc);
}
static void run_q4_0(const void *m, const float *x, int rows, int k, int b, int e, float *y, int ldy, int acc) {
    const split_matrix *s = m;
    zoo_linear_q4_0(x, rows, k, s->q, s->scales, b, e, y, ldy, acc);
}

static void test_split_formats(void) {
    const int ks[] = {896, 4864};
    for (int ki = 0; ki < 2; ki++) {
        int k = ks[ki], n = ki ? 9 : 37, blocks = k / 32;
        float *source = random_floats((size_t)n * k, 41 + k);
        int8_t *q8 = malloc((size_t)n * k);
        uint8_t *q4 = malloc((size_t)n * k / 2);
        float *s8 = malloc(sizeof(float) * n * blocks), *s4 = malloc(sizeof(float) * n * blocks);
        zoo_quantize_q8_0(source, n, k, q8, s8);
        zoo_quantize_q4_0(source, n, k, q4, s4);
        float *w8 = malloc(sizeof(float) * n * k), *w4 = malloc(sizeof(float) * n * k);
        for (int o = 0; o < n; o++)
            for (int i = 0; i < k; i++) {
                size_t at = (size_t)o * k + i;
                float s = s8[o * blocks + i / 32];
                w8[at] = s * q8[at];
                int l = i % 32;
                uint8_t byte = q4[(size_t)o * (k / 2) + (i / 32) * 16 + (l & 15)];
                w4[at] = s4[o * blocks + i / 32] * (float)((l < 16 ? byte & 15 : byte >> 4) - 8);
            }
        split_matrix m8 = {q8, s8}, m4 = {q4, s4};
        // Scales apply per block, after the block's sum: two more roundings per term than the f32 bound.
        case_spec c8 = {"q8_0", run_q8_0, &m8, w8, n, k, 1, 0, k / 8.0 + 40};
        case_spec c4 = {"q4_0", run_q4_0, &m4, w4, n, k, 1, 0, k / 8.0 + 40};
        check_case(&c8, rows_set, 3);
        check_case(&c4, rows_set, 3);
        free(source);
        free(q8);
        free(q4);
        free(s8);
        free(s4);
        free(w8);
        free(w4);
    }
}

// MARK: - q8_0 and q4_0 with quantized activations (integer dot products)

static void test_integer_kernels(void) {
    const int ks[] = {896, 4864, 32, 96};
    for (int ki = 0; ki < 4; ki++) {
        int k = ks[ki], n = k > 2000 ? 9 : 37, blocks = k / 32;
        float *source = random_floats((size_t)n * k, 51 + k);
        int8_t *q8 = malloc((size_t)n * k);
        uint8_t *q4 = malloc((size_t)n * k / 2);
        float *s8 = malloc(sizeof(float) * n * blocks), *s4 = malloc(sizeof(float) * n * blocks);
        zoo_quantize_q8_0(source, n, k, q8, s8);
        zoo_quantize_q4_0(source, n, k, q4, s4);
        for (int rv = 0; rv < 3; rv++) {
            int rows = rows_set[rv];
            float *x = random_floats((size_t)rows * k, 61 + rows);
            int8_t *xq = malloc((size_t)rows * k);
            float *xd = malloc(sizeof(float) * rows * blocks);
            int32_t *xsum = malloc(sizeof(int32_t) * rows * (k / 4));
            zoo_quantize_activations(x, rows, k, xq, xd, xsum);
            for (int is_q4 = 0; is_q4 < 2; is_q4++) {
                const char *name = is_q4 ? "q4_0 x8" : "q8_0 x8";
                const float *scales = is_q4 ? s4 : s8;
                // float64 of the quantized values, and the sum of magnitudes bounding fp32's error.
                double *expected = malloc(sizeof(double) * rows * n), *magnitude = malloc(sizeof(double) * rows * n);
                for (int t = 0; t < rows; t++)
                    for (int o = 0; o < n; o++) {
                        double s = 0, m = 0;
                        for (int b = 0; b < blocks; b++) {
                            long dot = 0, size = 0;
                            for (int i = 0; i < 32; i++) {
                                int wq;
                                if (is_q4) {
                                    uint8_t byte = q4[(size_t)o * (k / 2) + b * 16 + (i & 15)];
                                    wq = (i < 16 ? byte & 15 : byte >> 4) - 8;
                                } else {
                                    wq = q8[(size_t)o * k + b * 32 + i];
                                }
                                int xv = xq[(size_t)t * k + b * 32 + i];
                                dot += (long)wq * xv;
                                size += labs((long)wq * xv);
                            }
                            double f = (double)scales[o * blocks + b] * xd[t * blocks + b];
                            s += f * dot;
                            m += fabs(f) * size;
                        }
                        expected[t * n + o] = s;
                        magnitude[t * n + o] = m;
                    }
                float *portable = NULL;
                for (int li = 0; li < level_count; li++) {
                    use_level(&levels[li]);
                    const char *isa = levels[li].name;
                    float *y = filled((size_t)rows * n, NAN);
#define X8(Y, R, XQ, XD, XS, B, E, ACC)                                                                        \
    do {                                                                                                       \
        if (is_q4)                                                                                             \
            zoo_linear_q4_0_x8(XQ, XD, XS, R, k, q4, s4, B, E, Y, n, ACC);                                     \
        else                                                                                                   \
            zoo_linear_q8_0_x8(XQ, XD, XS, R, k, q8, s8, B, E, Y, n, ACC);                                     \
    } while (0)
                    X8(y, rows, xq, xd, xsum, 0, n, 0);
                    // Products of ≤ 8 bits are exact; the float part rounds per block and per lane sum.
                    double scale = blocks + 24;
                    int within = 1;
                    for (size_t i = 0; i < (size_t)rows * n; i++)
                        if (!(fabs(y[i] - expected[i]) <= scale * unit * magnitude[i] + 1e-30)) within = 0;
                    check(within, "%s %s rows %d k %d: float64 reference", isa, name, rows, k);
                    float *one = malloc(sizeof(float) * n);
                    int alone_same = 1;
                    for (int t = 0; t < rows; t++) {
                        X8(one, 1, xq + (size_t)t * k, xd + (size_t)t * blocks, xsum + (size_t)t * (k / 4), 0, n, 0);
                        if (!same_bits(one, y + (size_t)t * n, n)) alone_same = 0;
                    }
                    check(alone_same, "%s %s rows %d k %d: a row alone equals its batched result", isa, name, rows,
                          k);
                    float *summed = random_floats((size_t)rows * n, 3), *initial = random_floats((size_t)rows * n, 3);
                    X8(summed, rows, xq, xd, xsum, n / 3, n, 1);
                    X8(summed, rows, xq, xd, xsum, 0, n / 3, 1);
                    int adds = 1;
                    for (size_t i = 0; i < (size_t)rows * n; i++) {
                        float want = initial[i] + y[i];
                        if (memcmp(&want, summed + i, 4)) adds = 0;
                    }
                    check(adds, "%s %s rows %d k %d: accumulate over a split range", isa, name, rows, k);
                    if (li == 0) {
                        portable = malloc(sizeof(float) * rows * n);
                        memcpy(portable, y, sizeof(float) * rows * n);
                        float *named = filled((size_t)rows * n, NAN);
                        if (is_q4)
                            zoo_linear_q4_0_x8_portable(xq, xd, xsum, rows, k, q4, s4, 0, n, named, n, 0);
                        else
                            zoo_linear_q8_0_x8_portable(xq, xd, xsum, rows, k, q8, s8, 0, n, named, n, 0);
                        check(same_bits(named, y, (size_t)rows * n), "%s %s: the generic level runs _portable",
                              isa, name);
                        free(named);
                    } else if (levels[li].limit == ZOO_ISA_NEON || levels[li].limit == ZOO_ISA_AVX2) {
                        // Integer sums exact, then the portable path's float order: bit for bit.
                        size_t at = first_difference(y, portable, (size_t)rows * n);
                        check(at == (size_t)rows * n, "%s %s rows %d k %d: equals the portable kernel (diff at %zu)",
                              isa, name, rows, k, at);
                    } else {
                        int close = 1;
                        for (size_t i = 0; i < (size_t)rows * n; i++)
                            if (!(fabs((double)y[i] - portable[i]) <= 2 * scale * unit * magnitude[i] + 1e-30))
                                close = 0;
                        check(close, "%s %s rows %d k %d: agrees with the portable kernel", isa, name, rows, k);
                    }
#undef X8
                    free(y);
                    free(one);
                    free(summed);
                    free(initial);
                }
                free(portable);
                free(expected);
                free(magnitude);
            }
            free(x);
            free(xq);
            free(xd);
            free(xsum);
        }
        free(source);
        free(q8);
        free(q4);
        free(s8);
        free(s4);
    }
}

// MARK: - Vector helpers

static void test_vectors(void) {
    const int ns[] = {1, 7, 8, 64, 67, 896, 1003};
    for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
        int n = ns[ni];
        float *a = random_floats(n, 91 + n), *b = random_floats(n, 92 + n);
        uint16_t *h = malloc(sizeof(uint16_t) * n), *h_portable = malloc(sizeof(uint16_t) * n);
        float *bh = malloc(sizeof(float) * n);
        double dot = 0, size = 0, dot_h = 0, size_h = 0;
        float dot_portable = 0, dot_h_portable = 0;
        for (int li = 0; li < level_count; li++) {
            use_level(&levels[li]);
            const char *isa = levels[li].name;
            // fp32 → fp16 rounds to nearest even on every path, so every path gives the same bits.
            zoo_narrow_f16(a, h, n);
            if (li == 0) {
                memcpy(h_portable, h, sizeof(uint16_t) * n);
                zoo_widen_f16(h, bh, n);
                for (int i = 0; i < n; i++) {
                    dot += (double)a[i] * b[i];
                    size += fabs((double)a[i] * b[i]);
                    dot_h += (double)b[i] * bh[i];
                    size_h += fabs((double)b[i] * bh[i]);
                }
                for (int i = 0; i < n; i++) {
                    double err = fabs((double)bh[i] - a[i]);
                    if (err > fabs(a[i]) * (1.0 / 2048) + 3e-8) {
                        check(0, "%s narrow_f16 rounding at %d", isa, i);
                        break;
                    }
                }
            } else {
                check(!memcmp(h, h_portable, sizeof(uint16_t) * n), "%s narrow_f16 n %d equals portable", isa, n);
            }
            double bound = (n / 8.0 + 8) * unit;
            float d = zoo_dot_f32(a, b, n), dh = zoo_dot_f16(b, h, n);
            check(fabs(d - dot) <= bound * size + 1e-30, "%s dot_f32 n %d: %.9g vs %.9g", isa, n, d, dot);
            check(fabs(dh - dot_h) <= bound * size_h + 1e-30, "%s dot_f16 n %d: %.9g vs %.9g", isa, n, dh, dot_h);
            if (li == 0) {
                dot_portable = d;
                dot_h_portable = dh;
            } else {
                check(fabs(d - dot_portable) <= 2 * bound * size + 1e-30, "%s dot_f32 n %d vs portable", isa, n);
                check(fabs(dh - dot_h_portable) <= 2 * bound * size_h + 1e-30, "%s dot_f16 n %d vs portable", isa, n);
            }
            // axpy: one rounding (fused) or two per element.
            float *y = random_floats(n, 93), *y2 = random_floats(n, 93);
            zoo_axpy_f32(0.37f, a, y, n);
            zoo_axpy_f16(-1.5f, h, y2, n);
            float *y0 = random_floats(n, 93);
            int ok = 1, ok_h = 1;
            for (int i = 0; i < n; i++) {
                double want = (double)y0[i] + 0.37 * a[i], want_h = (double)y0[i] - 1.5 * bh[i];
                if (fabs(y[i] - want) > 2 * unit * (fabs(y0[i]) + fabs(0.37 * a[i]))) ok = 0;
                if (fabs(y2[i] - want_h) > 2 * unit * (fabs(y0[i]) + fabs(1.5 * bh[i]))) ok_h = 0;
            }
            check(ok, "%s axpy_f32 n %d", isa, n);
            check(ok_h, "%s axpy_f16 n %d", isa, n);
            // SwiGLU against float64, on gates in [-1, 1) and in [-40, 40) (exp's range reduction).
            float *g = random_floats(n, 94), *g0 = random_floats(n, 94);
            if (ni % 2) for (int i = 0; i < n; i++) g[i] = g0[i] = g0[i] * 40;
            zoo_swiglu(g, b, n);
            int ok_s = 1;
            for (int i = 0; i < n; i++) {
                double gd = g0[i], want = gd / (1 + exp(-gd)) * b[i];
                if (fabs(g[i] - want) > 1e-6 * fmax(1, fabs(want))) ok_s = 0;
            }
            check(ok_s, "%s swiglu n %d", isa, n);
            free(y);
            free(y2);
            free(y0);
            free(g);
            free(g0);
        }
        free(a);
        free(b);
        free(h);
        free(h_portable);
        free(bh);
    }
}

// MARK: - Attention (one query group against fp32 and fp16 rows)

static void test_attention(void) {
    const int ds[] = {64, 128, 36}, visibles[] = {1, 5, 40};
    for (int di = 0; di < 3; di++)
        for (int vi = 0; vi < 3; vi++) {
            int d = ds[di], visible = visibles[vi], group = 3;
            size_t stride = (size_t)d + 4;
            float *q = random_floats((size_t)group * d, 101), *keys = random_floats(stride * visible, 102),
                  *values = random_floats(stride * visible, 103);
            uint16_t *hk = malloc(sizeof(uint16_t) * stride * visible), *hv = malloc(sizeof(uint16_t) * stride * visible);
            zoo_narrow_f16(keys, hk, (int)(stride * visible));
            zoo_narrow_f16(values, hv, (int)(stride * visible));
            float scale = 1.0f / sqrtf((float)d);
            for (int half = 0; half < 2; half++) {
                float *kw = malloc(sizeof(float) * stride * visible), *vw = malloc(sizeof(float) * stride * visible);
                if (half) {
                    zoo_widen_f16(hk, kw, (int)(stride * visible));
                    zoo_widen_f16(hv, vw, (int)(stride * visible));
                } else {
                    memcpy(kw, keys, sizeof(float) * stride * visible);
                    memcpy(vw, values, sizeof(float) * stride * visible);
                }
                double *expected = malloc(sizeof(double) * group * d), *p = malloc(sizeof(double) * visible);
                for (int g = 0; g < group; g++) {
                    double m = -INFINITY, sum = 0;
                    for (int j = 0; j < visible; j++) {
                        double s = 0;
                        for (int i = 0; i < d; i++) s += (double)q[g * d + i] * kw[j * stride + i];
                        p[j] = s * scale;
                        if (p[j] > m) m = p[j];
                    }
                    for (int j = 0; j < visible; j++) sum += (p[j] = exp(p[j] - m));
                    for (int i = 0; i < d; i++) {
                        double o = 0;
                        for (int j = 0; j < visible; j++) o += p[j] / sum * vw[j * stride + i];
                        expected[g * d + i] = o;
                    }
                }
                for (int li = 0; li < level_count; li++) {
                    use_level(&levels[li]);
                    float *out = filled((size_t)group * d, NAN), *scores = malloc(sizeof(float) * group * visible);
                    zoo_attend_group(q, group, d, half ? (const void *)hk : keys, half ? (const void *)hv : values,
                                     half, stride, visible, scale, scores, out);
                    int ok = 1;
                    for (int i = 0; i < group * d; i++)
                        if (!(fabs(out[i] - expected[i]) <= 2e-6)) ok = 0;
                    check(ok, "%s attend_group d %d visible %d %s", levels[li].name, d, visible, half ? "f16" : "f32");
                    free(out);
                    free(scores);
                }
                free(kw);
                free(vw);
                free(expected);
                free(p);
            }
            free(q);
            free(keys);
            free(values);
            free(hk);
            free(hv);
        }
}

int main(void) {
    find_levels();
    printf("levels:");
    for (int i = 0; i < level_count; i++) printf(" %s", levels[i].name);
    printf("; widest %s; dotprod %d; i8mm %d\n", zoo_cpu_widest_isa(), zoo_cpu_has(ZOO_CPU_DOTPROD),
           zoo_cpu_has(ZOO_CPU_I8MM));
    // A run meant for a path must reach it: a CPU without it fails the run rather than skip it.
    const char *expect_isa = getenv("ZOO_TEST_EXPECT_ISA"), *expect_dot = getenv("ZOO_TEST_EXPECT_DOTPROD");
    if (expect_isa && *expect_isa)
        check(!strcmp(levels[level_count - 1].name, expect_isa), "expected level %s, widest reached %s", expect_isa,
              levels[level_count - 1].name);
    if (expect_dot && *expect_dot)
        check(zoo_cpu_has(ZOO_CPU_DOTPROD) == atoi(expect_dot), "expected dotprod %s", expect_dot);
    test_float_kernels();
    test_block_formats();
    test_split_formats();
    test_integer_kernels();
    test_vectors();
    test_attention();
    printf("info: fp32-activation kernels gave the portable bits in %d of %d SIMD cases\n", simd_same_as_portable,
           simd_cases);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

// Probes the CPU once and answers every kernel's question about it: which instruction-set level to
// run (zoo_isa_index) and which extensions exist (zoo_cpu_has). The `ZOO_ISA` environment variable
// (generic, avx2, avx512, neon) caps the level for the whole process, so one machine can run every
// path it has; tests lower it further for a while with zoo_linear_set_isa_limit.
#include "zoo_kernels.h"

#include <stdlib.h>
#include <string.h>

#include "cpu_features.h"

#if ZOO_ARM64 && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#endif

typedef struct {
    int features;         // ZOO_CPU_* bits the CPU has, before the cap
    int widest;           // the widest level the CPU has
    int cap;              // the ZOO_ISA cap (the widest level when unset or not understood)
    const char *rejected; // a ZOO_ISA value that was not understood, or NULL
} cpu_probe;

static int probe_features(void) {
    int f = 0;
#if ZOO_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))
        f |= ZOO_CPU_AVX2;
    if ((f & ZOO_CPU_AVX2) && __builtin_cpu_supports("avx512f")) {
        f |= ZOO_CPU_AVX512;
        int bw_vl = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
        if (bw_vl && __builtin_cpu_supports("avx512vnni")) f |= ZOO_CPU_AVX512_VNNI;
        if (bw_vl && __builtin_cpu_supports("avx512bf16")) f |= ZOO_CPU_AVX512_BF16;
        if (__builtin_cpu_supports("avx512bitalg")) f |= ZOO_CPU_AVX512_BITALG;
    }
#elif ZOO_ARM64
    f |= ZOO_CPU_NEON;  // Advanced SIMD is mandatory on ARMv8-A
#if defined(__linux__)
    unsigned long hwcap = getauxval(AT_HWCAP), hwcap2 = getauxval(AT_HWCAP2);
    if (hwcap & HWCAP_ASIMDDP) f |= ZOO_CPU_DOTPROD;
    if (hwcap2 & HWCAP2_I8MM) f |= ZOO_CPU_I8MM;
#elif defined(__APPLE__)
    f |= ZOO_CPU_DOTPROD;  // every Apple Silicon core has dotprod (M2 and later also i8mm; not probed)
#endif
#endif
    return f;
}

static int widest_level(int features) {
    if (features & ZOO_CPU_AVX512) return ZOO_ISA_AVX512;
    if (features & ZOO_CPU_AVX2) return ZOO_ISA_AVX2;
    if (features & ZOO_CPU_NEON) return ZOO_ISA_NEON;
    return ZOO_ISA_GENERIC;
}

/// The level `name` asks for on this CPU: a set the CPU lacks means the widest it has, and a set of
/// the other architecture means the portable path. -1 when the name is not understood.
static int requested_level(const char *name, int widest) {
    if (strcmp(name, "generic") == 0) return ZOO_ISA_GENERIC;
    if (strcmp(name, "avx2") == 0) return widest == ZOO_ISA_NEON ? ZOO_ISA_GENERIC : ZOO_ISA_AVX2;
    if (strcmp(name, "avx512") == 0 || strcmp(name, "avx512f") == 0)
        return widest == ZOO_ISA_NEON ? ZOO_ISA_GENERIC : ZOO_ISA_AVX512;
    if (strcmp(name, "neon") == 0) return widest == ZOO_ISA_NEON ? ZOO_ISA_NEON : ZOO_ISA_GENERIC;
    return -1;
}

static cpu_probe probe;
static int probed;  // 0 no, 1 yes

static const cpu_probe *the_probe(void) {
    if (__atomic_load_n(&probed, __ATOMIC_ACQUIRE)) return &probe;
    // Every thread computes the same answer, so a race to store it is harmless.
    cpu_probe p = {probe_features(), ZOO_ISA_GENERIC, ZOO_ISA_GENERIC, NULL};
    p.widest = widest_level(p.features);
    p.cap = p.widest;
    const char *name = getenv("ZOO_ISA");
    if (name && *name) {
        int level = requested_level(name, p.widest);
        if (level < 0)
            p.rejected = name;
        else if (level < p.cap)
            p.cap = level;
    }
    probe = p;
    __atomic_store_n(&probed, 1, __ATOMIC_RELEASE);
    return &probe;
}

static int level_of(int feature) {
    if (feature & ZOO_CPU_AVX2) return ZOO_ISA_AVX2;
    if (feature & (ZOO_CPU_NEON | ZOO_CPU_DOTPROD | ZOO_CPU_I8MM)) return ZOO_ISA_NEON;
    return ZOO_ISA_AVX512;
}

static int test_limit = ZOO_ISA_NEON;  // no limit

int zoo_cpu_has(int feature) {
    const cpu_probe *p = the_probe();
    return (p->features & feature) == feature && level_of(feature) <= p->cap;
}

int zoo_isa_index(void) {
    const cpu_probe *p = the_probe();
    int level = p->cap;
    int limit = __atomic_load_n(&test_limit, __ATOMIC_RELAXED);
    // Levels compare only within one architecture: NEON's limit below it is the portable path.
    if (limit < level) level = level == ZOO_ISA_NEON ? ZOO_ISA_GENERIC : limit;
    return level;
}

int zoo_linear_set_isa_limit(int limit) {
    if (limit < ZOO_ISA_GENERIC) limit = ZOO_ISA_GENERIC;
    if (limit > ZOO_ISA_NEON) limit = ZOO_ISA_NEON;
    return __atomic_exchange_n(&test_limit, limit, __ATOMIC_RELAXED);
}

const char *zoo_linear_isa(void) {
    static const char *names[] = {"generic", "avx2", "avx512f", "neon"};
    return names[zoo_isa_index()];
}

const char *zoo_isa_rejected_request(void) { return the_probe()->rejected; }

const char *zoo_cpu_widest_isa(void) {
    static const char *names[] = {"generic", "avx2", "avx512f", "neon"};
    return names[the_probe()->widest];
}

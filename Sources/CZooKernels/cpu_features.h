// The one place that knows which CPU the kernels run on: the architecture macros, the feature bits
// probed once (cpu_features.c), and the instruction-set level every dispatch asks for.
#ifndef ZOO_CPU_FEATURES_H
#define ZOO_CPU_FEATURES_H

#if defined(__x86_64__)
#include <immintrin.h>
#define ZOO_X86 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define ZOO_ARM64 1
#endif

// Instruction-set levels, widest last within an architecture. x86: generic < avx2 < avx512;
// ARM64: generic < neon. Compare levels only inside that architecture's #if.
#define ZOO_ISA_GENERIC 0
#define ZOO_ISA_AVX2 1
#define ZOO_ISA_AVX512 2
#define ZOO_ISA_NEON 3

// Feature bits (zoo_cpu_has). Each counts only where the level it belongs to is allowed, so a
// ZOO_ISA cap hides AVX-512's extensions as well as AVX-512 itself.
#define ZOO_CPU_AVX2 (1 << 0)        // AVX2 with FMA and F16C
#define ZOO_CPU_AVX512 (1 << 1)      // AVX-512 F
#define ZOO_CPU_AVX512_VNNI (1 << 2) // with BW and VL
#define ZOO_CPU_AVX512_BF16 (1 << 3) // with BW and VL
#define ZOO_CPU_AVX512_BITALG (1 << 4)
#define ZOO_CPU_NEON (1 << 8)        // Advanced SIMD with fp16 conversions (every ARMv8-A)
#define ZOO_CPU_DOTPROD (1 << 9)     // SDOT/UDOT (ARMv8.2 dotprod)
#define ZOO_CPU_I8MM (1 << 10)       // SMMLA (ARMv8.6 i8mm)

/// The widest level the CPU has, lowered to the `ZOO_ISA` cap and to zoo_linear_set_isa_limit's.
int zoo_isa_index(void);

/// Whether the CPU has `feature` (ZOO_CPU_*) and the `ZOO_ISA` cap allows its level. The test limit
/// of zoo_linear_set_isa_limit is not applied here: callers that must follow it compare
/// zoo_isa_index() too.
int zoo_cpu_has(int feature);

#endif

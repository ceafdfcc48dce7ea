// What the kernels on rows interleaved by 16 share (linear_x16.c, linear_q4_k_x16.c).
#ifndef ZOO_X16_COMMON_H
#define ZOO_X16_COMMON_H

#include <stdint.h>
#include <string.h>
#include "cpu_features.h"
#if ZOO_X86

/// Four activation bytes (one VNNI operand's worth) broadcast to every 32-bit lane.
__attribute__((target("avx512f"))) static inline __m512i zoo_broadcast4(const int8_t *p) {
    int32_t word;
    memcpy(&word, p, 4);
    return _mm512_set1_epi32(word);
}
#endif

#endif

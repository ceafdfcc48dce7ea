// IEEE half-precision to fp32, exactly (subnormals, infinities and NaNs included), for the kernels
// that read fp16 weights or fp16 block scales without relying on F16C.
#ifndef ZOO_HALF_H
#define ZOO_HALF_H

#include <stdint.h>
#include <string.h>

// Always inlined: a call inside a SIMD loop would spill every vector register.
__attribute__((always_inline)) static inline float zoo_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1F, mant = h & 0x3FF, bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exp = 127 - 15 + 1;
            while (!(mant & 0x400)) { mant <<= 1; exp--; }
            bits = sign | (exp << 23) | ((mant & 0x3FF) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000 | (mant << 13);
    } else {
        bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// A little-endian fp16 stored at any byte address (GGUF blocks are packed, not aligned).
__attribute__((always_inline)) static inline float zoo_f16_at(const uint8_t *p) {
    return zoo_f16_to_f32((uint16_t)(p[0] | (uint16_t)p[1] << 8));
}

#endif

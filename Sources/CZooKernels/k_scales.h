// The 12 bytes of packed 6-bit scales and mins that q4_K and q5_K super-blocks share (one pair per
// sub-block of 32), shared by linear_q4_k.c and linear_q5_k.c.
#ifndef ZOO_K_SCALES_H
#define ZOO_K_SCALES_H

#include <stdint.h>
#include <string.h>

#include "cpu_features.h"

#include "half.h"

/// The eight (d·scale, dmin·min) pairs of a super-block whose fp16 d and dmin are its first four
/// bytes and whose packed scales follow, each product rounded to fp32 as gguf-py does.
static inline void zoo_k_factors(const uint8_t *block, float *scale, float *min) {
    float d = zoo_f16_at(block), dmin = zoo_f16_at(block + 2);
    const uint8_t *s = block + 4;
    for (int j = 0; j < 4; j++) {
        scale[j] = d * (float)(s[j] & 63);
        min[j] = dmin * (float)(s[j + 4] & 63);
        // Sub-blocks 4..7 keep their low four bits in bytes 8..11 and their top two in the spare
        // top bits of bytes 0..3 (scales) and 4..7 (mins).
        scale[j + 4] = d * (float)((s[j + 8] & 0x0F) | ((s[j] >> 6) << 4));
        min[j + 4] = dmin * (float)((s[j + 8] >> 4) | ((s[j + 4] >> 6) << 4));
    }
}

#if ZOO_X86
/// The eight 6-bit scales (bytes 0..7) and mins (bytes 8..15) of the 12 packed bytes at `s`, with
/// 32-bit word operations (x86 is little-endian; the portable path unpacks byte by byte).
static inline __m128i zoo_k_scales_and_mins(const uint8_t *s) {
    uint32_t u[3];
    memcpy(u, s, 12);
    const uint32_t six = 0x3F3F3F3F, four = 0x0F0F0F0F, two = 0x03030303;
    return _mm_setr_epi32((int)(u[0] & six),                                         // scales 0..3
                          (int)((u[2] & four) | (((u[0] >> 6) & two) << 4)),          // scales 4..7
                          (int)(u[1] & six),                                         // mins 0..3
                          (int)(((u[2] >> 4) & four) | (((u[1] >> 6) & two) << 4)));  // mins 4..7
}
#endif

#endif

// The instruction-set choice every kernel file shares (made in linear_f32.c).
#ifndef ZOO_DISPATCH_H
#define ZOO_DISPATCH_H

#define ZOO_ISA_GENERIC 0
#define ZOO_ISA_AVX2 1
#define ZOO_ISA_AVX512 2

/// The widest instruction set the CPU supports (AVX2 counts only with FMA), lowered to the limit
/// that zoo_linear_set_isa_limit set.
int zoo_isa_index(void);

#endif

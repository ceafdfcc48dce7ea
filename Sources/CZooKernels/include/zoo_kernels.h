#ifndef ZOO_KERNELS_H
#define ZOO_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// y[t*ldy + n] (+)= sum_k x[t*k_dim + k] * w[n*k_dim + k], for t in [0, rows), n in [n_begin, n_end).
///
/// Every output element is computed with the same sequence of operations whatever `rows` is, so
/// a token's result does not depend on how many tokens share the call (a decode step equals the
/// same row of a prefill, bit for bit). The widest instruction set the CPU supports is chosen
/// once, at the first call.
void zoo_linear_f32(const float *x, int rows, int k_dim, const float *w, int n_begin, int n_end,
                    float *y, int ldy, int accumulate);

/// The instruction set zoo_linear_f32 uses: "avx512f", "avx2" or "generic".
const char *zoo_linear_isa(void);

#ifdef __cplusplus
}
#endif

#endif

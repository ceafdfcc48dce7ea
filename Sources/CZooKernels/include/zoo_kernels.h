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

#include <stddef.h>
#include <stdint.h>

/// As zoo_linear_f32 with bf16 or f16 weights (widened on the fly; the fp32 path's arithmetic).
void zoo_linear_bf16(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end,
                     float *y, int ldy, int accumulate);
void zoo_linear_f16(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end,
                    float *y, int ldy, int accumulate);

/// The four-row layout of fp32/16-bit weights copied at load (`weights.mmap: false`): rows in groups
/// of four, and within a group the rows alternate every 16 columns ([group][k / 16][row of 4][16]),
/// so a decode step reads one contiguous stream for four rows and loads each activation chunk once
/// for all four. Needs rows % 4 == 0 and k_dim % 16 == 0. Products equal the row-major kernels'
/// bit for bit (same chunks, FMA order and horizontal sums).
void zoo_linear_f32_rows4(const float *x, int rows, int k_dim, const float *w, int n_begin, int n_end,
                          float *y, int ldy, int accumulate);
/// As zoo_linear_bf16 (is_bf16 = 1) or zoo_linear_f16 (0) on the four-row layout.
void zoo_linear_half_rows4(const float *x, int rows, int k_dim, const uint16_t *w, int n_begin, int n_end,
                           float *y, int ldy, int accumulate, int is_bf16);
/// Packs groups [group_begin, group_end) of a row-major matrix of `element_bytes`-byte values (4 or 2)
/// into the four-row layout at `destination` (the whole matrix's buffer).
void zoo_pack_rows4(const void *source, int k_dim, int element_bytes, int group_begin, int group_end,
                    void *destination);
/// Row `row` of a four-row-layout matrix back in row-major order (`k_dim` values).
void zoo_unpack_row_rows4(const void *packed, int k_dim, int element_bytes, int row, void *destination);

/// Widens 16-bit floats to fp32.
void zoo_widen_bf16(const uint16_t *source, float *destination, int count);
void zoo_widen_f16(const uint16_t *source, float *destination, int count);

/// Quantizes fp32 rows (k_dim a multiple of 32) to q8_0: int8 values and one fp16-rounded scale per
/// block of 32, as llama.cpp's quantize_row_q8_0 does.
void zoo_quantize_q8_0(const float *w, int rows, int k_dim, int8_t *q, float *scales);

/// As zoo_linear_f32 with q8_0 weights (values [rows][k_dim], scales [rows][k_dim / 32]).
void zoo_linear_q8_0(const float *x, int rows, int k_dim, const int8_t *q, const float *scales, int n_begin,
                     int n_end, float *y, int ldy, int accumulate);

/// Quantizes fp32 rows (k_dim a multiple of 32) to q4_0 as llama.cpp's quantize_row_q4_0_ref does:
/// packed nibbles [rows][k_dim / 2] and one fp16-rounded scale per block of 32.
void zoo_quantize_q4_0(const float *w, int rows, int k_dim, uint8_t *q, float *scales);

/// As zoo_linear_f32 with q4_0 weights.
void zoo_linear_q4_0(const float *x, int rows, int k_dim, const uint8_t *q, const float *scales, int n_begin,
                     int n_end, float *y, int ldy, int accumulate);

/// llama.cpp's k-quants, read in place from GGUF: each weight row is k_dim / 256 super-blocks.
/// q4_K: 144 bytes (fp16 d, fp16 dmin, 12 bytes of 6-bit scales and mins for eight sub-blocks of
/// 32, 128 bytes of nibbles), a value d·scale·q − dmin·min. q6_K: 210 bytes (ql[128] low nibbles,
/// qh[64] high 2-bit pairs, int8 scales[16] for sub-blocks of 16, fp16 d), a value d·scale·(q − 32).
///
/// Dequantizes `count` values (a multiple of 256) with gguf-py's arithmetic, bit for bit.
void zoo_dequantize_q4_k(const uint8_t *blocks, int count, float *out);
void zoo_dequantize_q6_k(const uint8_t *blocks, int count, float *out);

/// As zoo_linear_f32 with q4_K or q6_K weights (k_dim a multiple of 256), dequantized on the fly
/// with fp32 accumulation.
void zoo_linear_q4_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                     float *y, int ldy, int accumulate);
void zoo_linear_q6_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                     float *y, int ldy, int accumulate);

/// q5_K, read in place like q4_K: 176 bytes (fp16 d, fp16 dmin, q4_K's 12 bytes of scales and mins,
/// qh[32] holding the fifth bit of value l of sub-block s as bit s of qh[l], 128 bytes of nibbles
/// as q4_K's), a value d·scale·q − dmin·min. Dequantizes as gguf-py does, bit for bit; the product
/// is as zoo_linear_q4_k's.
void zoo_dequantize_q5_k(const uint8_t *blocks, int count, float *out);
void zoo_linear_q5_k(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                     float *y, int ldy, int accumulate);

/// llama.cpp's q5_0 and q5_1 blocks of 32, read in place (k_dim and count multiples of 32). q5_0:
/// 22 bytes (fp16 d, uint32 qh, qs[16]), a value d·(q − 16); q5_1: 24 bytes (fp16 d, fp16 m, qh,
/// qs[16]), a value d·q + m. Value l takes the low nibble of qs[l] (l < 16) or the high nibble of
/// qs[l − 16], and bit l of qh as its fifth bit. Dequantizes as gguf-py does, bit for bit; the
/// products are as zoo_linear_f32 on the dequantized weights, bit for bit.
void zoo_dequantize_q5_0(const uint8_t *blocks, int count, float *out);
/// q4_K rows unpacked into blocks of 32 (`q4_Kb32`, linear_q4_k_b32.c): per block, 16 bytes of nibbles
/// in q4_0's order, and per row and block the fp32 pair (d·scale, dmin·min) in `factors` — the same
/// weights, exactly, for an integer kernel where AVX-512 VNNI's interleaved one is not in use.
/// k_dim is a multiple of 256; nibbles is [rows][k_dim / 2], factors [rows][k_dim / 32][2].
void zoo_unpack_q4_k_b32(const uint8_t *blocks, int rows, int k_dim, uint8_t *nibbles, float *factors);
/// Row `row` of a q4_Kb32 matrix as fp32: s·q − m, gguf-py's dequantization, bit for bit.
void zoo_decode_row_q4_k_b32(const uint8_t *nibbles, const float *factors, int k_dim, int row, float *y);
/// y (+)= dequantized(xq) · q4_Kb32ᵀ with integer dot products (AVX2 maddubs, or portable C, the
/// same operations bit for bit); activations as zoo_quantize_activations makes them.
void zoo_linear_q4_k_b32_x8(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                            const uint8_t *nibbles, const float *factors, int n_begin, int n_end, float *y, int ldy,
                            int accumulate);
void zoo_linear_q4_k_b32_x8_portable(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                                     const uint8_t *nibbles, const float *factors, int n_begin, int n_end, float *y,
                                     int ldy, int accumulate);
/// q5_0 rows rewritten as q8_0 (int8 values q − 16, the fp16 d as a float scale per block): the same
/// values, exactly, for the integer (`x8`) kernels of CPUs without the interleaved VNNI path.
void zoo_widen_q5_0(const uint8_t *blocks, int rows, int k_dim, int8_t *values, float *scales);

/// Quantizes fp32 rows to q4_K blocks (k_dim a multiple of 256) or q5_0 blocks (k_dim a multiple
/// of 32) as llama.cpp's reference quantizers (quantize_row_q4_K_ref, quantize_row_q5_0_ref) do,
/// bit for bit: what llama.cpp's quantizer writes without an importance matrix.
void zoo_quantize_q4_k(const float *w, int rows, int k_dim, uint8_t *blocks);
void zoo_quantize_q5_0(const float *w, int rows, int k_dim, uint8_t *blocks);
void zoo_dequantize_q5_1(const uint8_t *blocks, int count, float *out);
/// llama.cpp's q4_1 blocks of 32, read in place (k_dim and count multiples of 32): 20 bytes (fp16 d,
/// fp16 m, qs[16]), value l the low nibble of qs[l] (l < 16) or the high nibble of qs[l − 16], q, as
/// d·q + m. Dequantizes as gguf-py does, bit for bit; the product is as zoo_linear_f32 on the
/// dequantized weights, bit for bit (linear_q4_1.c).
void zoo_dequantize_q4_1(const uint8_t *blocks, int count, float *out);
void zoo_linear_q4_1(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                     float *y, int ldy, int accumulate);
void zoo_linear_q5_0(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                     float *y, int ldy, int accumulate);
void zoo_linear_q5_1(const float *x, int rows, int k_dim, const uint8_t *blocks, int n_begin, int n_end,
                     float *y, int ldy, int accumulate);

/// The instruction set every kernel uses now: "avx512f", "avx2", "neon" or "generic" (the widest the
/// CPU has, lowered to the `ZOO_ISA` cap and to zoo_linear_set_isa_limit's).
const char *zoo_linear_isa(void);
/// The widest instruction set the CPU has, whatever the caps: "avx512f", "avx2", "neon" or "generic".
const char *zoo_cpu_widest_isa(void);
/// The value of `ZOO_ISA` when it named no instruction set (it is then ignored), else NULL.
const char *zoo_isa_rejected_request(void);


/// Quantizes activation rows for the integer kernels below, as llama.cpp quantizes a q8_0 row:
/// per block of 32, d = max|x| / 127 and xq = round-to-nearest-even(x / d). Also writes the sum of
/// every four consecutive xq bytes (`xsum4`, [rows][k_dim / 4]), which the kernels start from.
/// `k_dim` is a multiple of 32; xq is [rows][k_dim], xd [rows][k_dim / 32].
void zoo_quantize_activations(const float *x, int rows, int k_dim, int8_t *xq, float *xd, int32_t *xsum4);

/// 1 when the CPU has SIMD integer dot products the kernels below use (AVX-512 VNNI, or AVX2's
/// maddubs), else 0 (they then run portable C, slower than widening the weights to fp32).
int zoo_int8_dot_available(void);

/// y (+)= dequantized(xq) · dequantized(q8_0 weights)ᵀ with integer dot products per block; the
/// same tiling and row independence as zoo_linear_q8_0. `_portable` is the plain C version.
void zoo_linear_q8_0_x8(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                        const int8_t *q, const float *scales, int n_begin, int n_end, float *y, int ldy,
                        int accumulate);
void zoo_linear_q8_0_x8_portable(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                                 const int8_t *q, const float *scales, int n_begin, int n_end, float *y, int ldy,
                                 int accumulate);

/// As zoo_linear_q8_0_x8 with q4_0 weights.
void zoo_linear_q4_0_x8(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                        const uint8_t *q, const float *scales, int n_begin, int n_end, float *y, int ldy,
                        int accumulate);
void zoo_linear_q4_0_x8_portable(const int8_t *xq, const float *xd, const int32_t *xsum4, int rows, int k_dim,
                                 const uint8_t *q, const float *scales, int n_begin, int n_end, float *y, int ldy,
                                 int accumulate);


/// 1 when the CPU has AVX-512 VNNI, which the interleaved kernels below need to pay off.
int zoo_vnni_available(void);

/// As zoo_quantize_activations, with one sum of the 32 xq bytes per block (`bsum`, [rows][k_dim / 32])
/// instead of sums of four: what the interleaved kernels start from.
void zoo_quantize_activations_bsum(const float *x, int rows, int k_dim, int8_t *xq, float *xd, int32_t *bsum);

/// q8_0 (`kind` 0), q4_0 (1) or q5_0 (2) weights with their rows interleaved in groups of 16 for
/// AVX-512 VNNI (layout and arithmetic: linear_x16.c). Bytes of a `rows × k_dim` matrix (k_dim a
/// multiple of 32; rows padded to a multiple of 16).
size_t zoo_x16_bytes(int kind, int rows, int k_dim);
/// Packs row-major q8_0 values (`is_q4` 0; int8 [rows][k_dim]) or q4_0 nibbles (1) ([rows][k_dim / 2]) with their
/// scales ([rows][k_dim / 32], fp16 values as llama.cpp stores them) into groups [group_begin,
/// group_end) of `out`.
void zoo_pack_x16(int is_q4, const void *values, const float *scales, int rows, int k_dim, int group_begin,
                  int group_end, uint8_t *out);
/// As zoo_pack_x16, straight from GGUF's q8_0 (34-byte), q4_0 (18-byte) or q5_0 (22-byte) blocks,
/// row after row.
void zoo_pack_x16_gguf(int kind, const uint8_t *blocks, int rows, int k_dim, int group_begin, int group_end,
                       uint8_t *out);
/// q4_K with rows interleaved in groups of 16 for AVX-512 VNNI (layout and arithmetic:
/// linear_q4_k_x16.c): bytes of a `rows × k_dim` matrix (k_dim a multiple of 256), packing from GGUF
/// blocks, a row dequantized (as zoo_dequantize_q4_k), and the product with activations from
/// zoo_quantize_activations_bsum (n_begin a multiple of 16; `_portable` equals it bit for bit).
size_t zoo_q4_k_x16_bytes(int rows, int k_dim);
void zoo_pack_q4_k_x16(const uint8_t *blocks, int rows, int k_dim, int group_begin, int group_end, uint8_t *out);
void zoo_unpack_row_q4_k_x16(const uint8_t *packed, int k_dim, int row, float *out);
void zoo_linear_q4_k_x16(const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                         const uint8_t *packed, int n_begin, int n_end, float *y, int ldy, int accumulate);
void zoo_linear_q4_k_x16_portable(const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                                  const uint8_t *packed, int n_begin, int n_end, float *y, int ldy, int accumulate);
/// Row `row` of an interleaved matrix, dequantized to fp32.
void zoo_unpack_row_x16(int kind, const uint8_t *packed, int k_dim, int row, float *out);
/// y[t, n] (+)= the product of activations quantized by zoo_quantize_activations_bsum and interleaved
/// weights, for n in [n_begin, n_end) (n_begin a multiple of 16). Each element is computed the same
/// way whatever `rows` and the range are; `_portable` is the plain C version, equal bit for bit.
void zoo_linear_x16(int kind, const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                    const uint8_t *packed, int n_begin, int n_end, float *y, int ldy, int accumulate);
void zoo_linear_x16_portable(int kind, const int8_t *xq, const float *xd, const int32_t *bsum, int rows, int k_dim,
                             const uint8_t *packed, int n_begin, int n_end, float *y, int ldy, int accumulate);


/// 1 when the CPU has AVX-512 BF16 dot products (VDPBF16PS), which zoo_linear_bf16x16 needs to pay off.
int zoo_bf16_dot_available(void);
/// fp32 → bf16, rounding to nearest even (denormals to zero, as VCVTNEPS2BF16 does).
void zoo_round_bf16(const float *x, int n, uint16_t *out);
/// bf16 weights with rows interleaved in groups of 16 and column pairs kept together (layout and
/// arithmetic: linear_bf16x16.c). Bytes of a `rows × k_dim` matrix (k_dim even).
size_t zoo_bf16x16_bytes(int rows, int k_dim);
/// Packs row-major bf16 weights into groups [group_begin, group_end) of `out`.
void zoo_pack_bf16x16(const uint16_t *w, int rows, int k_dim, int group_begin, int group_end, uint16_t *out);
/// Row `row` of an interleaved bf16 matrix as fp32.
void zoo_unpack_row_bf16x16(const uint16_t *packed, int k_dim, int row, float *out);
/// y[t, n] (+)= bf16 activations `x` ([rows][k_dim], from zoo_round_bf16) times the interleaved bf16
/// weights, for n in [n_begin, n_end) (n_begin a multiple of 16); each element computed the same way
/// whatever `rows` and the range are. `_portable` is plain C with VDPBF16PS's arithmetic as Intel
/// specifies it (two roundings per pair).
void zoo_linear_bf16x16(const uint16_t *x, int rows, int k_dim, const uint16_t *packed, int n_begin, int n_end,
                        float *y, int ldy, int accumulate);
void zoo_linear_bf16x16_portable(const uint16_t *x, int rows, int k_dim, const uint16_t *packed, int n_begin,
                                 int n_end, float *y, int ldy, int accumulate);


#include <stddef.h>

/// A 64-byte-aligned buffer of at least `bytes`, owned by the calling thread and reused by its next
/// call with the same `slot` (so a warm decode loop allocates no buffers); NULL if memory ran out or
/// `slot` is not 0–3. Slots separate users that are live at the same time on one thread:
/// 0 a model's decode-step activations, 1 the integer kernels' activations, 2 attention scores,
/// 3 the integer kernels' per-call activation vectors.
void *zoo_thread_scratch(int slot, size_t bytes);


/// Memory for weights repacked at load: 2 MiB-aligned, with transparent huge pages requested; NULL
/// if memory ran out. Free with zoo_free_weights.
void *zoo_alloc_weights(size_t bytes);
void zoo_free_weights(void *p);

/// fp32 → IEEE fp16, rounding to nearest even (the KV cache's f16 rows).
void zoo_narrow_f16(const float *src, uint16_t *dst, int n);
/// sum a[i] * b[i] (SIMD lanes, then a fixed horizontal sum).
float zoo_dot_f32(const float *a, const float *b, int n);
/// y[i] += alpha * x[i].
void zoo_axpy_f32(float alpha, const float *x, float *y, int n);
/// sum a[i] * b[i] with fp16 `b`.
float zoo_dot_f16(const float *a, const uint16_t *b, int n);
/// y[i] += alpha * x[i] with fp16 `x`.
void zoo_axpy_f16(float alpha, const uint16_t *x, float *y, int n);
/// gate[i] = silu(gate[i]) · up[i], silu(g) = g / (1 + e^−g) (SwiGLU).
void zoo_swiglu(float *gate, const float *up, int n);
/// Causal attention of one query token for the `group` query heads that share one KV head (rows of
/// `d` floats at q + g·d, out likewise): scores q·k·scale for keys 0 ..< visible, softmax, then the
/// weighted sum of the values. Key and value row j lies at keys/values + j·stride elements, fp32,
/// or fp16 when `half` is 1. `scores` holds group × visible floats.
void zoo_attend_group(const float *q, int group, int d, const void *keys, const void *values, int half,
                      size_t stride, int visible, float scale, float *scores, float *out);
/// Caps the instruction set every kernel uses (0 generic, 1 avx2, 2 avx512f, 3 none; never above what
/// the CPU supports or `ZOO_ISA` allows; on ARM64 any cap below 3 means generic), so tests can compare
/// the SIMD paths with the portable one. Returns the old cap.
int zoo_linear_set_isa_limit(int limit);

#ifdef __cplusplus
}
#endif

#endif

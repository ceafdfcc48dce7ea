"""GGUF fixtures for the formats llama.cpp's Q4_K_M and Q5_K_M write for Qwen2.5-0.5B-shaped models.

    pip install -r scripts/requirements.txt     # gguf==0.19.0 among them
    pip install llama-cpp-python==0.3.36         # llama.cpp's own quantizer (builds llama.cpp)
    python scripts/make_q5_fixtures.py

Qwen2.5-0.5B's rows are 896 wide, not a multiple of 256, so llama.cpp cannot use k-quants for most
of its matrices and falls back (llama_tensor_get_type): Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0. Only
ffn_down (rows of the intermediate size, 4864 = 19 × 256) keeps its k-quant: Q4_K or Q6_K in Q4_K_M,
Q5_K or Q6_K in Q5_K_M (Q6_K in the layers llama.cpp's use_more_bits picks). With tied embeddings
(as Qwen2.5-0.5B has) token_embd is the output matrix and gets Q6_K → Q8_0; untied, token_embd
falls back to Q5_0 / Q5_1 and output.weight to Q8_0. The models here keep that pattern at a small
size: hidden 192 (not a multiple of 256), intermediate 256 (a multiple), two layers.

Writes Tests/Fixtures/gguf/:
- q5-blocks.gguf          tensors `q5_0`, `q5_1` (rows of 128) and `q5_K` (rows of 512): random valid
                          blocks plus edge cases (zero, negative, subnormal and largest fp16 factors,
                          all-zero and all-one bits), and as F32 `<name>.dequantized` =
                          gguf.quants.dequantize (gguf-py can dequantize Q5_K but not quantize it);
- llama-q4_k_m.gguf       a two-layer Qwen2 (hidden 192, 3 heads, 1 KV head, intermediate 256,
                          vocabulary 384 with zoo-tiny's tokenizer, tied embeddings) quantized by
                          llama.cpp (llama_model_quantize, LLAMA_FTYPE_MOSTLY_Q4_K_M) from F32;
- llama-q5_k_m.gguf       the same model with an untied output matrix, in Q5_K_M;
- llama-k_m.dequantized.json  for each quantized tensor of both models, the FNV-1a 64 digest of its
                          gguf.quants.dequantize output (fp32 little-endian, GGUF row order);
- q4_k-source.f32.gguf    F32 matrices for quantization at load: `normal.weight` [16, 512],
                          `mixed.weight` [16, 256] (a row each of zeros, a constant, all positive, all
                          negative, sparse, outliers, subnormal, few levels, tiny, large, ...),
                          `narrow.weight` [8, 96] and `odd.weight` [4, 40];
- q4_k-source.llama.gguf  the same quantized by llama.cpp with every tensor at its Q4_K_M default
                          type (`pure`, no importance matrix): Q4_K, Q4_K, Q5_0 (its fallback for
                          rows not a multiple of 256) and F16 (rows not a multiple of 32).
The script checks that llama.cpp wrote the tensor types above and fails loudly otherwise.
"""
import ctypes
import json
import sys
import tempfile
from pathlib import Path

import gguf
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_gguf_fixtures import FIX, add_tokenizer  # noqa: E402
from make_kquant_fixtures import fnv1a64, finish, set_half  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/gguf"
T = gguf.GGMLQuantizationType


def block_size(qtype) -> tuple[int, int]:
    return gguf.GGML_QUANT_SIZES[qtype]


def half_offsets(qtype) -> list[int]:
    """Byte offsets of each block's fp16 factors (d, then dmin or m)."""
    return {T.Q5_0: [0], T.Q5_1: [0, 2], T.Q5_K: [0, 2], T.Q4_1: [0, 2]}[qtype]


def random_blocks(rng, qtype, count: int) -> np.ndarray:
    values, size = block_size(qtype)
    blocks = rng.integers(0, 256, size=(count, size), dtype=np.uint8)
    for o in half_offsets(qtype):
        set_half(blocks, o, rng.uniform(-0.01, 0.01, size=count))
    return blocks


def edge_blocks(rng, qtype) -> np.ndarray:
    factors = [0.0, -0.75, 2.0 ** -24, 65504.0, -65504.0, 6.1e-5, 1.0, -2.0 ** -14]
    size = block_size(qtype)[1]
    patterned = np.zeros((4, size), dtype=np.uint8)
    patterned[1::2] = 0xFF
    blocks = np.concatenate([rng.integers(0, 256, size=(len(factors), size), dtype=np.uint8), patterned])
    offsets = half_offsets(qtype)
    set_half(blocks, offsets[0], factors + [0.5, 0.5, -1.0, -1.0])
    if len(offsets) > 1:
        set_half(blocks, offsets[1], list(reversed(factors)) + [-0.5, 0.5, 1.0, -1.0])
    for o in offsets:
        assert np.isfinite(blocks[:, o:o + 2].copy().view("<f2")).all()
    return blocks


def dequantized(rows: np.ndarray, qtype, columns: int) -> np.ndarray:
    values = gguf.quants.dequantize(rows, qtype)
    assert values.dtype == np.float32 and values.shape == (rows.shape[0], columns), values.shape
    return values


def write_blocks_fixture(rng):
    out = OUT / "q5-blocks.gguf"
    writer = gguf.GGUFWriter(str(out), "q5-test")
    for qtype, name, columns in [(T.Q5_0, "q5_0", 128), (T.Q5_1, "q5_1", 128), (T.Q5_K, "q5_K", 512)]:
        values, size = block_size(qtype)
        blocks = np.concatenate([random_blocks(rng, qtype, 12), edge_blocks(rng, qtype)])
        rows = blocks.reshape(-1, columns // values * size)
        writer.add_tensor(name, rows, raw_dtype=qtype)
        writer.add_tensor(name + ".dequantized", dequantized(rows, qtype, columns))
    finish(writer, out)


HIDDEN, HEADS, KV_HEADS, INTERMEDIATE, LAYERS, VOCAB = 192, 3, 1, 256, 2, 384


def write_f32_model(path: Path, rng, tied: bool, matrix_type=T.F32):
    """A random two-layer Qwen2 in F32, with zoo-tiny's tokenizer (llama.cpp's loader wants one); with
    `matrix_type` (Q4_1, say) its matrices are quantized by gguf.quants.quantize instead."""
    head_dim = HIDDEN // HEADS
    kv = KV_HEADS * head_dim
    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_name("llama-k-m-tiny")
    writer.add_context_length(64)
    writer.add_embedding_length(HIDDEN)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(INTERMEDIATE)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_freq_base(1000000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32 if matrix_type == T.F32 else gguf.LlamaFileType[f"MOSTLY_{matrix_type.name}"])
    add_tokenizer(writer, FIX / "zoo-tiny", VOCAB)

    def matrix(name, rows, columns, std=0.05):
        values = rng.normal(0, std, (rows, columns)).astype(np.float32)
        if matrix_type == T.F32:
            writer.add_tensor(name, values)
        else:
            writer.add_tensor(name, gguf.quants.quantize(values, matrix_type), raw_dtype=matrix_type)

    def vector(name, values):
        writer.add_tensor(name, values.astype(np.float32))

    matrix("token_embd.weight", VOCAB, HIDDEN, 0.1)
    for layer in range(LAYERS):
        p = f"blk.{layer}."
        vector(p + "attn_norm.weight", rng.uniform(0.8, 1.2, HIDDEN))
        matrix(p + "attn_q.weight", HIDDEN, HIDDEN)
        vector(p + "attn_q.bias", rng.normal(0, 0.02, HIDDEN))
        matrix(p + "attn_k.weight", kv, HIDDEN)
        vector(p + "attn_k.bias", rng.normal(0, 0.02, kv))
        matrix(p + "attn_v.weight", kv, HIDDEN)
        vector(p + "attn_v.bias", rng.normal(0, 0.02, kv))
        matrix(p + "attn_output.weight", HIDDEN, HIDDEN)
        vector(p + "ffn_norm.weight", rng.uniform(0.8, 1.2, HIDDEN))
        matrix(p + "ffn_gate.weight", INTERMEDIATE, HIDDEN)
        matrix(p + "ffn_up.weight", INTERMEDIATE, HIDDEN)
        matrix(p + "ffn_down.weight", HIDDEN, INTERMEDIATE)
    vector("output_norm.weight", rng.uniform(0.8, 1.2, HIDDEN))
    if not tied:
        matrix("output.weight", VOCAB, HIDDEN, 0.1)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def llama_quantize(source: Path, out: Path, ftype: int):
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = 1
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(out).encode(), ctypes.byref(params))
    assert status == 0, f"llama_model_quantize failed ({status})"
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes, llama.cpp ftype {ftype})")


def expected_types(small, ffn_down, embedding, output) -> dict:
    """The types llama.cpp's Q*_K_M rules give this model (use_more_bits picks layer 1 of 2)."""
    types = {"token_embd.weight": embedding}
    if output is not None:
        types["output.weight"] = output
    for layer in range(LAYERS):
        p = f"blk.{layer}."
        for name in ["attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"]:
            types[p + name + ".weight"] = small
        types[p + "attn_v.weight"] = small if layer == 0 else T.Q8_0
        types[p + "ffn_down.weight"] = ffn_down if layer == 0 else T.Q6_K
    return types


def check_and_digest(path: Path, expected: dict, digests: dict):
    reader = gguf.GGUFReader(str(path))
    for t in reader.tensors:
        if t.tensor_type == T.F32:
            assert t.name not in expected, f"{path.name}: {t.name} stayed F32"
            continue
        assert expected.get(t.name) == t.tensor_type, f"{path.name}: {t.name} is {t.tensor_type.name}, expected {expected.get(t.name)}"
        columns = int(t.shape[0])
        rows = np.asarray(t.data).reshape(int(t.shape[1]), -1)
        digests[f"{path.stem}:{t.name}"] = fnv1a64(dequantized(rows, t.tensor_type, columns).astype("<f4").tobytes())
    assert {t.name for t in reader.tensors if t.tensor_type != T.F32} == set(expected), path.name


def write_llama_fixtures(rng):
    import llama_cpp

    digests = {}
    with tempfile.TemporaryDirectory() as tmp:
        for tied, ftype, name, types in [
            (True, llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M, "llama-q4_k_m", expected_types(T.Q5_0, T.Q4_K, T.Q8_0, None)),
            (False, llama_cpp.LLAMA_FTYPE_MOSTLY_Q5_K_M, "llama-q5_k_m", expected_types(T.Q5_1, T.Q5_K, T.Q5_1, T.Q8_0)),
        ]:
            source = Path(tmp) / f"{name}.f32.gguf"
            write_f32_model(source, rng, tied)
            out = OUT / f"{name}.gguf"
            llama_quantize(source, out, ftype)
            check_and_digest(out, types, digests)
    digest_file = OUT / "llama-k_m.dequantized.json"
    digest_file.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
    print(f"wrote {digest_file.relative_to(ROOT)}")


def mixed_rows(rng, rows: int, columns: int) -> np.ndarray:
    """Rows of the shapes a quantizer's edge cases come from, one kind per row."""
    out = np.empty((rows, columns), dtype=np.float32)
    for r in range(rows):
        x = rng.normal(0, 0.02, columns)
        kind = r % 16
        if kind == 0: x[:] = 0
        elif kind == 1: x[:] = 0.0123
        elif kind == 2: x = np.abs(x)
        elif kind == 3: x = -np.abs(x)
        elif kind == 4: x[rng.random(columns) < 0.9] = 0
        elif kind == 5: x[rng.random(columns) < 0.02] *= 100
        elif kind == 6: x = rng.normal(0, 1e-41, columns)  # subnormal
        elif kind == 7: x = np.round(x * 200) / 200  # few levels
        elif kind == 8: x *= 1e-5
        elif kind == 9: x *= 1e4
        elif kind == 10: x[:32] = 0  # a zero sub-block
        elif kind == 11: x[::2] = 0.05
        elif kind == 12: x = rng.uniform(-1, 1, columns) ** 3
        elif kind == 13: x[:] = -0.5; x[7] = 0.5
        out[r] = x
    return out


def write_quantizer_fixture(rng):
    import llama_cpp

    source = OUT / "q4_k-source.f32.gguf"
    writer = gguf.GGUFWriter(str(source), "qwen2")
    # llama.cpp's quantizer wants the hyper-parameters of its architecture; the tensors are free.
    writer.add_name("q4_k-source")
    writer.add_context_length(64)
    writer.add_embedding_length(96)
    writer.add_block_count(1)
    writer.add_feed_forward_length(256)
    writer.add_head_count(3)
    writer.add_head_count_kv(1)
    writer.add_rope_freq_base(1000000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tensor("normal.weight", rng.normal(0, 0.02, (16, 512)).astype(np.float32))
    writer.add_tensor("mixed.weight", mixed_rows(rng, 16, 256))
    writer.add_tensor("narrow.weight", np.concatenate([mixed_rows(rng, 6, 96), rng.normal(0, 0.02, (2, 96))]).astype(np.float32))
    writer.add_tensor("odd.weight", rng.normal(0, 0.02, (4, 40)).astype(np.float32))
    finish(writer, source)

    out = OUT / "q4_k-source.llama.gguf"
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M
    params.pure = True
    params.nthread = 1
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(out).encode(), ctypes.byref(params))
    assert status == 0, f"llama_model_quantize failed ({status})"
    types = {t.name: t.tensor_type for t in gguf.GGUFReader(str(out)).tensors}
    assert types == {"normal.weight": T.Q4_K, "mixed.weight": T.Q4_K, "narrow.weight": T.Q5_0, "odd.weight": T.F16}, types
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261126)
    write_blocks_fixture(rng)
    write_llama_fixtures(rng)
    write_quantizer_fixture(rng)


if __name__ == "__main__":
    main()

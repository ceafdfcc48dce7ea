"""GGUF fixtures for llama.cpp's k-quants (Q4_K, Q6_K), with reference values from gguf-py.

    pip install -r scripts/requirements.txt   # gguf==0.19.0 among them
    python scripts/make_kquant_fixtures.py

gguf-py can dequantize but not quantize these formats, so the blocks are random bytes made valid
(their fp16 factors finite): every bit of the packed scales, mins and values is exercised.

Writes Tests/Fixtures/gguf/:
- kquant-blocks.gguf           tensors `q4_K` and `q6_K` (rows of 512, random blocks plus edge cases:
                               zero, negative, subnormal and largest finite fp16 factors, all-zero and
                               all-one bits) and, as F32, `<name>.dequantized` = gguf.quants.dequantize;
- kquant-tiny.gguf             a one-layer Qwen2 (hidden 256, 4 heads, 2 KV heads, intermediate 256,
                               vocabulary 64) with its matrices in Q4_K and Q6_K (attn_v, ffn_down and
                               output in Q6_K, as llama.cpp's Q4_K_M keeps them), norms and biases F32;
- kquant-tiny.dequantized.json the FNV-1a 64 digest of each quantized tensor's gguf.quants.dequantize
                               output (fp32 little-endian, GGUF row order), so a test can check that
                               the weights it compares against are gguf-py's.
"""
import json
from pathlib import Path

import gguf
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/gguf"
Q4_K, Q6_K = gguf.GGMLQuantizationType.Q4_K, gguf.GGMLQuantizationType.Q6_K
QK_K = 256


def block_bytes(qtype) -> int:
    return gguf.GGML_QUANT_SIZES[qtype][1]


def set_half(blocks: np.ndarray, offset: int, values: np.ndarray):
    """Writes fp16 `values` (one per block) at byte `offset` of each block, little-endian."""
    blocks[:, offset:offset + 2] = np.asarray(values, dtype="<f2").reshape(-1, 1).view(np.uint8)


def random_blocks(rng, qtype, count: int, scale: tuple[float, float], dmin: tuple[float, float] = (0, 0)) -> np.ndarray:
    """`count` blocks of random bytes whose fp16 d (and dmin) are drawn uniformly from the ranges."""
    blocks = rng.integers(0, 256, size=(count, block_bytes(qtype)), dtype=np.uint8)
    d = rng.uniform(*scale, size=count)
    if qtype == Q4_K:
        set_half(blocks, 0, d)
        set_half(blocks, 2, rng.uniform(*dmin, size=count))
    else:
        set_half(blocks, 208, d)
    return blocks


def edge_blocks(rng, qtype) -> np.ndarray:
    """Random blocks with extreme factors, then all-zero and all-one bits (factors ±0.5, ±1)."""
    factors = [0.0, -0.75, 2.0 ** -24, 65504.0, -65504.0, 6.1e-5, 1.0, -2.0 ** -14]
    patterned = np.zeros((4, block_bytes(qtype)), dtype=np.uint8)
    patterned[1::2] = 0xFF
    blocks = np.concatenate([rng.integers(0, 256, size=(len(factors), block_bytes(qtype)), dtype=np.uint8), patterned])
    d = factors + [0.5, 0.5, -1.0, -1.0]
    if qtype == Q4_K:
        set_half(blocks, 0, d)
        set_half(blocks, 2, list(reversed(factors)) + [-0.5, 0.5, 1.0, -1.0])
    else:
        set_half(blocks, 208, d)
    return blocks


def check_finite(blocks: np.ndarray, qtype):
    offsets = [0, 2] if qtype == Q4_K else [208]
    for o in offsets:
        assert np.isfinite(blocks[:, o:o + 2].copy().view("<f2")).all()


def dequantized(blocks: np.ndarray, qtype, columns: int) -> np.ndarray:
    rows = blocks.reshape(-1, columns // QK_K * block_bytes(qtype))
    values = gguf.quants.dequantize(rows, qtype)
    assert values.dtype == np.float32 and values.shape == (rows.shape[0], columns)
    return values


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"fnv1a64:{h:016x}"


def write_blocks_fixture(rng):
    out = OUT / "kquant-blocks.gguf"
    writer = gguf.GGUFWriter(str(out), "kquant-test")
    columns = 512
    for qtype, name, scale, dmin in [(Q4_K, "q4_K", (-0.01, 0.01), (-0.01, 0.01)), (Q6_K, "q6_K", (-0.01, 0.01), (0, 0))]:
        blocks = np.concatenate([random_blocks(rng, qtype, 12, scale, dmin), edge_blocks(rng, qtype)])
        check_finite(blocks, qtype)
        rows = blocks.reshape(-1, columns // QK_K * block_bytes(qtype))
        writer.add_tensor(name, rows, raw_dtype=qtype)
        writer.add_tensor(name + ".dequantized", dequantized(blocks, qtype, columns))
    finish(writer, out)


def write_model_fixture(rng):
    hidden, heads, kv_heads, intermediate, vocab = 256, 4, 2, 256, 64
    head_dim = hidden // heads
    out = OUT / "kquant-tiny.gguf"
    writer = gguf.GGUFWriter(str(out), "qwen2")
    writer.add_name("kquant-tiny")
    writer.add_context_length(64)
    writer.add_embedding_length(hidden)
    writer.add_block_count(1)
    writer.add_feed_forward_length(intermediate)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)

    digests = {}

    def matrix(name: str, rows: int, columns: int, qtype):
        # Weights of a few hundredths, as in a trained model: d·scale·q − dmin·min centred near zero.
        if qtype == Q4_K:
            blocks = random_blocks(rng, qtype, rows * columns // QK_K, (1e-4, 3e-4), (1.2e-3, 1.8e-3))
        else:
            blocks = random_blocks(rng, qtype, rows * columns // QK_K, (2e-5, 8e-5))
        check_finite(blocks, qtype)
        writer.add_tensor(name, blocks.reshape(rows, -1), raw_dtype=qtype)
        digests[name] = fnv1a64(dequantized(blocks, qtype, columns).astype("<f4").tobytes())

    def vector(name: str, values: np.ndarray):
        writer.add_tensor(name, values.astype(np.float32))

    kv = kv_heads * head_dim
    matrix("token_embd.weight", vocab, hidden, Q4_K)
    vector("blk.0.attn_norm.weight", rng.uniform(0.8, 1.2, hidden))
    matrix("blk.0.attn_q.weight", hidden, hidden, Q4_K)
    vector("blk.0.attn_q.bias", rng.normal(0, 0.02, hidden))
    matrix("blk.0.attn_k.weight", kv, hidden, Q4_K)
    vector("blk.0.attn_k.bias", rng.normal(0, 0.02, kv))
    matrix("blk.0.attn_v.weight", kv, hidden, Q6_K)
    vector("blk.0.attn_v.bias", rng.normal(0, 0.02, kv))
    matrix("blk.0.attn_output.weight", hidden, hidden, Q4_K)
    vector("blk.0.ffn_norm.weight", rng.uniform(0.8, 1.2, hidden))
    matrix("blk.0.ffn_gate.weight", intermediate, hidden, Q4_K)
    matrix("blk.0.ffn_up.weight", intermediate, hidden, Q4_K)
    matrix("blk.0.ffn_down.weight", hidden, intermediate, Q6_K)
    vector("output_norm.weight", rng.uniform(0.8, 1.2, hidden))
    matrix("output.weight", vocab, hidden, Q6_K)
    finish(writer, out)
    digest_file = OUT / "kquant-tiny.dequantized.json"
    digest_file.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
    print(f"wrote {digest_file.relative_to(ROOT)}")


def finish(writer, out: Path):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240611)
    write_blocks_fixture(rng)
    write_model_fixture(rng)


if __name__ == "__main__":
    main()

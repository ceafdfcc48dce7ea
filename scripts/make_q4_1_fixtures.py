"""A GGUF fixture for llama.cpp's q4_1 blocks (fp16 d, fp16 m, 16 bytes of nibbles; a value d·q + m),
which older conversions write (`convert_hf_to_gguf.py --outtype q4_1`, `llama-quantize Q4_1`).

    pip install -r scripts/requirements.txt     # gguf==0.19.0 and numpy among them
    python scripts/make_q4_1_fixtures.py

Writes Tests/Fixtures/gguf/:
- q4_1-blocks.gguf          tensor `q4_1` (6 rows of 128) of random valid blocks plus make_q5_fixtures.py's
                            edge cases (zero, negative, subnormal and largest fp16 factors, all-zero and
                            all-one nibbles), and as F32 `q4_1.dequantized` = gguf.quants.dequantize, the
                            reference the loader and the kernel library's dequantizer must equal bit for bit;
- q4_1-tiny.gguf            make_q5_fixtures.py's two-layer Qwen2 (hidden 192, untied output) with every
                            matrix, token_embd and output included, quantized to Q4_1 by gguf.quants.quantize;
- q4_1-tiny.dequantized.json  for each of its Q4_1 tensors, the FNV-1a 64 digest of gguf.quants.dequantize's
                            output (fp32 little-endian, GGUF row order).
"""
import json
import sys
from pathlib import Path

import gguf
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_kquant_fixtures import finish, fnv1a64  # noqa: E402
from make_q5_fixtures import OUT, block_size, dequantized, edge_blocks, random_blocks, write_f32_model  # noqa: E402

T = gguf.GGMLQuantizationType


def main():
    rng = np.random.default_rng(41)
    out = OUT / "q4_1-blocks.gguf"
    writer = gguf.GGUFWriter(str(out), "q4_1-test")
    columns = 128
    values, size = block_size(T.Q4_1)
    blocks = np.concatenate([random_blocks(rng, T.Q4_1, 12), edge_blocks(rng, T.Q4_1)])
    rows = blocks.reshape(-1, columns // values * size)
    writer.add_tensor("q4_1", rows, raw_dtype=T.Q4_1)
    writer.add_tensor("q4_1.dequantized", dequantized(rows, T.Q4_1, columns))
    finish(writer, out)

    model = OUT / "q4_1-tiny.gguf"
    write_f32_model(model, rng, tied=False, matrix_type=T.Q4_1)
    print(f"wrote {model.name} ({model.stat().st_size} bytes)")
    digests = {}
    for t in gguf.GGUFReader(str(model)).tensors:
        if t.tensor_type == T.F32:
            assert len(t.shape) == 1, f"{t.name} stayed F32"
            continue
        assert t.tensor_type == T.Q4_1, f"{t.name} is {t.tensor_type.name}"
        rows = np.asarray(t.data).reshape(int(t.shape[1]), -1)
        digests[f"q4_1-tiny:{t.name}"] = fnv1a64(dequantized(rows, T.Q4_1, int(t.shape[0])).astype("<f4").tobytes())
    digest_file = OUT / "q4_1-tiny.dequantized.json"
    digest_file.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(f"wrote {digest_file.name} ({len(digests)} digests)")


if __name__ == "__main__":
    main()

"""A GGUF fixture for llama.cpp's q4_1 blocks (fp16 d, fp16 m, 16 bytes of nibbles; a value d·q + m),
which older conversions write (`convert_hf_to_gguf.py --outtype q4_1`, `llama-quantize Q4_1`).

    pip install -r scripts/requirements.txt     # gguf==0.19.0 and numpy among them
    python scripts/make_q4_1_fixtures.py

Writes Tests/Fixtures/gguf/q4_1-blocks.gguf: tensor `q4_1` (6 rows of 128) of random valid blocks plus
make_q5_fixtures.py's edge cases (zero, negative, subnormal and largest fp16 factors, all-zero and
all-one nibbles), and as F32 `q4_1.dequantized` = gguf.quants.dequantize, the reference the loader and
the kernel library's dequantizer must equal bit for bit.
"""
import sys
from pathlib import Path

import gguf
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_kquant_fixtures import finish  # noqa: E402
from make_q5_fixtures import OUT, block_size, dequantized, edge_blocks, random_blocks  # noqa: E402

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


if __name__ == "__main__":
    main()

"""GGUF versions of committed safetensors fixtures, written with llama.cpp's `gguf` package.

    pip install -r scripts/requirements.txt   # gguf==0.19.0 among them
    python scripts/make_gguf_fixtures.py

Writes Tests/Fixtures/gguf/:
- gqa-f32-untied.f32.gguf     the qwen2/gqa-f32-untied weights, all F32;
- gqa-f32-untied.q8_0.gguf    the same with every 2-D matrix whose rows are a multiple of 32 wide in
                              Q8_0 (quantized by gguf.quants, as llama.cpp's converter does), 1-D in F32;
- gqa-f32-untied.q4_0.gguf    likewise in Q4_0;
- gqa-f16.f16.gguf            the qwen2/gqa-f16-untied-sharded weights, matrices F16 as stored;
- zoo-tiny.f32.gguf           the zoo-tiny checkpoint with its tokenizer in the GGUF metadata
                              (tokenizer.ggml.model "gpt2", pre "qwen2", tokens, token types, merges).
Tensor names and metadata keys follow llama.cpp's Qwen2 conversion (convert_hf_to_gguf.py / gguf
constants). A GGUF file is the same weights as its safetensors source, so QwenZoo must give the same
logits from both (bit for bit for F32/F16; for Q8_0, the same as quantizing the safetensors at load).
"""
import json
from pathlib import Path

import gguf
import numpy as np
from safetensors.numpy import load_file

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "Tests/Fixtures"
OUT = FIX / "gguf"

NAME_MAP = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight",
}
LAYER_MAP = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def gguf_name(hf: str) -> str:
    if hf in NAME_MAP:
        return NAME_MAP[hf]
    parts = hf.split(".")
    assert parts[0] == "model" and parts[1] == "layers", hf
    return f"blk.{parts[2]}.{LAYER_MAP['.'.join(parts[3:])]}"


def load_weights(folder: Path) -> dict:
    tensors = {}
    for f in sorted(folder.glob("*.safetensors")):
        tensors.update(load_file(str(f)))
    return tensors


FILE_TYPES = {"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16,
              "bf16": gguf.LlamaFileType.MOSTLY_BF16, "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
              "q4_0": gguf.LlamaFileType.MOSTLY_Q4_0}


def write(folder: Path, out: Path, matrix_type: str, tokenizer: bool = False, tokenizer_folder: Path | None = None):
    """Writes the checkpoint in `folder` as one GGUF file; 2-D matrices in `matrix_type` (f32, f16, bf16
    as rounded by gguf.quants, q8_0/q4_0 as described above), 1-D tensors in F32. With `tokenizer`, the
    tokenizer of `tokenizer_folder` (default `folder`) goes into the metadata. bench/compare imports this."""
    config = json.loads((folder / "config.json").read_text())
    writer = gguf.GGUFWriter(str(out), "qwen2")
    writer.add_name(folder.name)
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config["num_key_value_heads"])
    theta = config.get("rope_theta") or config["rope_parameters"]["rope_theta"]
    writer.add_rope_freq_base(float(theta))
    writer.add_layer_norm_rms_eps(float(config["rms_norm_eps"]))
    writer.add_file_type(FILE_TYPES[matrix_type])
    if tokenizer:
        add_tokenizer(writer, tokenizer_folder or folder, config["vocab_size"])
    for name, tensor in sorted(load_weights(folder).items()):
        data = tensor
        if data.dtype == np.float16 and (matrix_type != "f16" or data.ndim == 1):
            data = data.astype(np.float32)
        # The embedding stays F32 (it is read row by row), so the file equals quantizing the matrices at load.
        if data.ndim == 2 and matrix_type in ("q8_0", "q4_0") and data.shape[1] % 32 == 0 and name != "model.embed_tokens.weight":
            qtype = getattr(gguf.GGMLQuantizationType, matrix_type.upper())
            writer.add_tensor(gguf_name(name), gguf.quants.quantize(data.astype(np.float32), qtype), raw_dtype=qtype)
        elif data.ndim == 2 and matrix_type == "f16":
            writer.add_tensor(gguf_name(name), data.astype(np.float16))
        elif data.ndim == 2 and matrix_type == "bf16":
            bf16 = gguf.GGMLQuantizationType.BF16
            writer.add_tensor(gguf_name(name), gguf.quants.quantize(data.astype(np.float32), bf16), raw_dtype=bf16)
        else:
            writer.add_tensor(gguf_name(name), data.astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    shown = out.relative_to(ROOT) if out.resolve().is_relative_to(ROOT) else out
    print(f"wrote {shown} ({out.stat().st_size} bytes)")


def add_tokenizer(writer, folder: Path, vocab_size: int):
    """As convert_hf_to_gguf.py's Qwen2 path: byte-level tokens, merges, types; padded to vocab_size."""
    tok = json.loads((folder / "tokenizer.json").read_text())
    vocab = tok["model"]["vocab"]
    added = {t["id"]: t for t in tok["added_tokens"]}
    tokens, types = [], []
    reverse = {i: t for t, i in vocab.items()}
    for i in range(vocab_size):
        if i in added:
            tokens.append(added[i]["content"])
            types.append(gguf.TokenType.CONTROL if added[i]["special"] else gguf.TokenType.USER_DEFINED)
        elif i in reverse:
            tokens.append(reverse[i])
            types.append(gguf.TokenType.NORMAL)
        else:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok["model"]["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    cfg = json.loads((folder / "tokenizer_config.json").read_text())
    ids = {t["content"]: t["id"] for t in tok["added_tokens"]}
    writer.add_eos_token_id(ids["<|im_end|>"] if cfg.get("eos_token") == "<|im_end|>" else ids["<|endoftext|>"])
    writer.add_pad_token_id(ids["<|endoftext|>"])
    writer.add_bos_token_id(ids["<|endoftext|>"])
    writer.add_add_bos_token(False)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write(FIX / "qwen2/gqa-f32-untied", OUT / "gqa-f32-untied.f32.gguf", "f32")
    write(FIX / "qwen2/gqa-f32-untied", OUT / "gqa-f32-untied.q8_0.gguf", "q8_0")
    write(FIX / "qwen2/gqa-f32-untied", OUT / "gqa-f32-untied.q4_0.gguf", "q4_0")
    write(FIX / "qwen2/gqa-f16-untied-sharded", OUT / "gqa-f16.f16.gguf", "f16")
    write(FIX / "zoo-tiny", OUT / "zoo-tiny.f32.gguf", "f32", tokenizer=True)


if __name__ == "__main__":
    main()

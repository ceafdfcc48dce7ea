#!/usr/bin/env python3
"""Write a Qwen2.5-0.5B-shaped checkpoint with random weights (see perf-anchors.md §1).

    python bench/make_random_qwen.py [OUT_DIR] [--dtype float32|bfloat16] [--shape 0.5b|tiny]

torch.manual_seed(0); RMSNorm weights = 1.0; every other parameter (weights, q/k/v biases, the tied
embedding) ~ N(0, 0.02), drawn in model.named_parameters() order. bfloat16 output is the float32 weights
rounded to bf16. Deterministic: two runs give byte-identical model.safetensors. ~2 GB in float32.
"""
import argparse
import json
import os

import torch
from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

EOS = 151643
# "tiny" is for testing bench/compare's plumbing in seconds (its timings mean nothing): 2 layers, the full
# vocabulary so the real Qwen2 tokenizer fits, and like 0.5b a hidden size that is not a multiple of 256,
# so llama.cpp's quantizer makes the same per-tensor type choices (Q8_0 / Q5_0 fallbacks) as for 0.5b.
SHAPES = {
    "0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                 num_key_value_heads=2),
    "tiny": dict(hidden_size=128, intermediate_size=512, num_hidden_layers=2, num_attention_heads=2,
                 num_key_value_heads=1),
}


def build(dtype: torch.dtype, shape: str = "0.5b") -> Qwen2ForCausalLM:
    config = Qwen2Config(
        **SHAPES[shape], vocab_size=151936, max_position_embeddings=32768, rope_theta=1000000.0,
        rms_norm_eps=1e-6, tie_word_embeddings=True, bos_token_id=EOS, eos_token_id=EOS)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).to(torch.float32)
    with torch.no_grad():
        for name, param in model.named_parameters():  # tied lm_head is deduplicated here
            if name.endswith("norm.weight"):
                param.fill_(1.0)
            else:
                param.normal_(mean=0.0, std=0.02)
    model.eval()
    return model.to(dtype)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", nargs="?", default=None,
                    help="default $BENCH_MODELS (else bench/.models)/qwen2.5-0.5b-random-{f32,bf16}")
    ap.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    ap.add_argument("--shape", choices=sorted(SHAPES), default="0.5b")
    args = ap.parse_args()
    dtype = getattr(torch, args.dtype)
    models = os.environ.get("BENCH_MODELS") or os.path.join(os.path.dirname(os.path.abspath(__file__)), ".models")
    out = args.out_dir or os.path.join(models, f"qwen2.5-0.5b-random-{'f32' if args.dtype == 'float32' else 'bf16'}")
    os.makedirs(out, exist_ok=True)

    model = build(dtype, args.shape)
    model.save_pretrained(out, safe_serialization=True, max_shard_size="100GB")
    # transformers 5 writes rope_parameters/dtype only; older readers want the v4 top-level keys too.
    path = os.path.join(out, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg["rope_theta"] = 1000000.0
    cfg["torch_dtype"] = args.dtype
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    GenerationConfig(bos_token_id=EOS, eos_token_id=EOS, pad_token_id=EOS, do_sample=False).save_pretrained(out)
    n = sum(p.numel() for p in model.parameters())
    print(f"wrote {out} ({n:,} parameters, {args.dtype})")


if __name__ == "__main__":
    main()

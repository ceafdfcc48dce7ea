#!/usr/bin/env python3
"""Regenerate the reference fixtures under Tests/Fixtures (tooling only; nothing here runs in QwenZoo).

    python scripts/make_fixtures.py                 # everything
    python scripts/make_fixtures.py --only models   # Tests/Fixtures/qwen2/*
    python scripts/make_fixtures.py --only tokenizer

Needs the pinned packages of scripts/requirements.txt and, for the tokenizer part, the real vocabulary at
Tests/Fixtures/vocab/qwen.tiktoken (run scripts/fetch_vocab.sh first). Deterministic: fixed seeds, one torch thread,
eager attention; a second run gives byte-identical files.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures"
VOCAB_FILE = FIXTURES / "vocab" / "qwen.tiktoken"
VOCAB_SHA256 = "b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186"

QWEN_PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
)


# ---------------------------------------------------------------------------------------------------------------
# JSON helpers (stable, compact where it matters)
# ---------------------------------------------------------------------------------------------------------------

def f32(x) -> float:
    """Shortest decimal that round-trips the float32 value (as a Python float for json)."""
    import numpy as np

    return float(str(np.float32(x)))


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_json(path: Path, obj, indent=2) -> None:
    write_text(path, json.dumps(obj, indent=indent, ensure_ascii=False) + "\n")


def dumps_compact(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------------------------
# 3a. Tiny random Qwen2 checkpoints
# ---------------------------------------------------------------------------------------------------------------

MODEL_CASES = [
    # name, heads, kv heads, tied, saved dtype, config layout, rope theta, shard size, extra
    dict(name="mha-f32-tied", heads=4, kv=4, tied=True, dtype="float32", layout="new", theta=10000.0,
         layers=2, inter=128, vocab=320, eps=1e-6, shard=None, seed=101, eos="hit"),
    dict(name="gqa-f32-untied", heads=4, kv=2, tied=False, dtype="float32", layout="old", theta=1e6,
         layers=2, inter=128, vocab=300, eps=1e-6, shard=None, seed=202),
    dict(name="mqa-f32-sharded", heads=4, kv=1, tied=False, dtype="float32", layout="new", theta=500000.0,
         layers=3, inter=144, vocab=288, eps=1e-5, shard="180KB", seed=303),
    dict(name="gqa-bf16-tied", heads=4, kv=2, tied=True, dtype="bfloat16", layout="old", theta=1e6,
         layers=2, inter=160, vocab=320, eps=1e-6, shard=None, seed=404, eos_list=True),
    dict(name="gqa-f16-untied-sharded", heads=4, kv=2, tied=False, dtype="float16", layout="new", theta=10000.0,
         layers=2, inter=176, vocab=352, eps=1e-6, shard="100KB", seed=505),
    dict(name="headdim-explicit", heads=4, kv=2, tied=True, dtype="float32", layout="new", theta=1e6,
         layers=2, inter=128, vocab=320, eps=1e-6, shard=None, seed=606, head_dim=32),
    # The long-context setting Qwen2.5's model cards recommend (static YaRN), in the released config layout.
    dict(name="yarn-f32-untied", heads=4, kv=2, tied=False, dtype="float32", layout="old", theta=1e6,
         layers=2, inter=128, vocab=300, eps=1e-6, shard=None, seed=707,
         rope={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}),
]
HIDDEN = 64
MAX_POS = 256
MAX_NEW_TOKENS = 12
PROMPT_LENGTHS = [1, 7, 33]
MIN_MARGIN = 0.05
# The fp32 rounding noise of a reference case (max |fp32 logits - fp64 logits| in transformers) must stay well below
# the 1e-4 parity tolerance, or an exact fp32 engine could fail it through rounding alone; weight scales are chosen so.
FP32_NOISE_LIMIT = 2e-5
# Old (Qwen2.5 release) layout: SWA fields present but disabled. sliding_window is deliberately smaller than the
# longest prompt + generation, and max_window_layers = 1, so a loader that wrongly enables SWA gets other logits.
OLD_SLIDING_WINDOW = 16
OLD_MAX_WINDOW_LAYERS = 1


QK_STD, VO_STD, MLP_STD, EMB_STD = 0.2, 0.2, 0.15, 0.35


def init_weights(model, seed: int):
    """Norms N(1,0.1), q/k std 0.2, embedding/lm_head 0.35, q/k/v biases 0.2, v/o 0.2, MLP 0.15.

    Narrower than fixture-notes' q/k 0.35 and embedding 0.5: at those scales transformers' own fp32 logits differ from
    its fp64 logits by up to 8.5e-5, so an exact fp32 engine could miss the 1e-4 tolerance through rounding alone.
    These keep that noise under FP32_NOISE_LIMIT while a wrong RoPE base, a missing bias or a wrong GQA mapping
    still moves the logits by 6-15 units. v/o and MLP are wider than fixture-notes' 0.02-0.1: with 0.1/0.08 the
    tied models' greedy output
    is one token repeated 12 times (the residual stream stays close to the input embedding), which tests little.
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters(), key=lambda kv: kv[0]):
            if name.endswith("norm.weight"):
                mean, std = 1.0, 0.1
            elif name.endswith(("q_proj.weight", "k_proj.weight")):
                mean, std = 0.0, QK_STD
            elif name.endswith(("q_proj.bias", "k_proj.bias", "v_proj.bias")):
                mean, std = 0.0, 0.2
            elif name in ("model.embed_tokens.weight", "lm_head.weight"):
                mean, std = 0.0, EMB_STD
            elif name.endswith(("v_proj.weight", "o_proj.weight")):
                mean, std = 0.0, VO_STD
            elif name.endswith(("gate_proj.weight", "up_proj.weight", "down_proj.weight")):
                mean, std = 0.0, MLP_STD
            else:
                raise SystemExit(f"unexpected parameter {name}")
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float32) * std + mean)


def old_layout_config(new_cfg: dict, torch_dtype: str) -> dict:
    """Rewrite a transformers-5 config.json into the key set of the released Qwen2.5 checkpoints."""
    rp = new_cfg["rope_parameters"]
    assert rp.get("rope_type", "default") in ("default", "yarn")
    # Qwen2.5's model cards write YaRN as `rope_scaling: {type: yarn, factor, original_max_position_embeddings}`.
    scaling = None if rp.get("rope_type", "default") == "default" else {
        "type": rp["rope_type"], "factor": rp["factor"],
        "original_max_position_embeddings": rp["original_max_position_embeddings"]}
    out = {
        "architectures": ["Qwen2ForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": new_cfg["bos_token_id"],
        "eos_token_id": new_cfg["eos_token_id"],
        "hidden_act": "silu",
        "hidden_size": new_cfg["hidden_size"],
        "initializer_range": new_cfg["initializer_range"],
        "intermediate_size": new_cfg["intermediate_size"],
        "max_position_embeddings": new_cfg["max_position_embeddings"],
        "max_window_layers": OLD_MAX_WINDOW_LAYERS,
        "model_type": "qwen2",
        "num_attention_heads": new_cfg["num_attention_heads"],
        "num_hidden_layers": new_cfg["num_hidden_layers"],
        "num_key_value_heads": new_cfg["num_key_value_heads"],
        "rms_norm_eps": new_cfg["rms_norm_eps"],
        "rope_scaling": scaling,
        "rope_theta": rp["rope_theta"],
        "sliding_window": OLD_SLIDING_WINDOW,
        "tie_word_embeddings": new_cfg["tie_word_embeddings"],
        "torch_dtype": torch_dtype,
        "transformers_version": "4.43.1",
        "use_cache": True,
        "use_mrope": False,
        "use_sliding_window": False,
        "vocab_size": new_cfg["vocab_size"],
    }
    if "head_dim" in new_cfg:
        out["head_dim"] = new_cfg["head_dim"]
    return out


def full_logits(model, ids):
    import torch

    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]), use_cache=False)
    return out.logits[0].float()


def greedy_generate(model, ids, eos):
    import torch
    from transformers import GenerationConfig

    gc = GenerationConfig(do_sample=False, max_new_tokens=MAX_NEW_TOKENS, eos_token_id=eos,
                          pad_token_id=model.config.vocab_size - 1, bos_token_id=None,
                          output_scores=True, return_dict_in_generate=True)
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             generation_config=gc)
    gen = out.sequences[0, len(ids):].tolist()
    margins = []
    for s in out.scores:
        top = torch.topk(s[0].float(), 2).values
        margins.append(float(top[0] - top[1]))
    return gen, margins


def greedy_by_full_forward(model, ids, n, eos_set):
    seq = list(ids)
    gen = []
    for _ in range(n):
        t = int(full_logits(model, seq)[-1].argmax())
        gen.append(t)
        seq.append(t)
        if t in eos_set:
            break
    return gen


def sensitivity(model, ids, ref):
    """How far a plausible loader bug moves the logits (printed only; justifies the weight scales)."""
    import torch
    from transformers.models.qwen2 import modeling_qwen2 as mq

    res = {}
    rot = model.model.rotary_emb
    saved = rot.inv_freq.clone()
    d = saved.numel() * 2
    theta = model.config.rope_parameters["rope_theta"]
    wrong_theta = 10000.0 if theta != 10000.0 else 1e6
    rot.inv_freq.copy_(1.0 / (wrong_theta ** (torch.arange(0, d, 2, dtype=torch.float) / d)))
    res["rope_base"] = float((full_logits(model, ids) - ref).abs().max())
    rot.inv_freq.copy_(saved)

    biases = {n: p.detach().clone() for n, p in model.named_parameters() if n.endswith("_proj.bias")}
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n in biases:
                p.zero_()
    res["no_qkv_bias"] = float((full_logits(model, ids) - ref).abs().max())
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n in biases:
                p.copy_(biases[n])

    if model.config.num_key_value_heads not in (1, model.config.num_attention_heads):
        orig = mq.repeat_kv
        mq.repeat_kv = lambda x, n: x.repeat(1, n, 1, 1)  # tiled instead of interleaved
        try:
            res["gqa_tiled_mapping"] = float((full_logits(model, ids) - ref).abs().max())
        finally:
            mq.repeat_kv = orig
    return res


def make_model_case(case: dict, out_root: Path) -> dict:
    import torch
    from safetensors.torch import load_file
    from transformers import Qwen2Config, Qwen2ForCausalLM

    name = case["name"]
    out = out_root / name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    V = case["vocab"]
    bos, eos = V - 2, V - 1
    kw = {}
    if "head_dim" in case:
        kw["head_dim"] = case["head_dim"]
    cfg = Qwen2Config(
        vocab_size=V, hidden_size=HIDDEN, intermediate_size=case["inter"], num_hidden_layers=case["layers"],
        num_attention_heads=case["heads"], num_key_value_heads=case["kv"], max_position_embeddings=MAX_POS,
        rope_parameters={"rope_theta": case["theta"], "rope_type": "default", **case.get("rope", {})}, rms_norm_eps=case["eps"],
        tie_word_embeddings=case["tied"], bos_token_id=bos, eos_token_id=eos, attn_implementation="eager", **kw,
    )
    torch.manual_seed(case["seed"])
    model = Qwen2ForCausalLM(cfg).eval()
    init_weights(model, case["seed"])

    # Prompts (fixed per case), drawn so that no prompt contains bos/eos. Of up to 50 seeded candidates per length
    # take the first whose greedy continuation has top-2 logit margins >= MIN_MARGIN at every step (so an fp32
    # engine with ~1e-5 error cannot legitimately pick another token).
    rng = random.Random(case["seed"])
    prompts = []
    for n in PROMPT_LENGTHS:
        for _ in range(50):
            cand = [rng.randrange(0, V - 3) for _ in range(n)]
            _, margins = greedy_generate(model, cand, None)
            if min(margins) >= MIN_MARGIN:
                break
        else:
            raise SystemExit(f"{name}: no prompt of length {n} with margins >= {MIN_MARGIN}")
        prompts.append(cand)

    # Eos choice. "hit": an id that greedy decoding of the middle prompt produces at step 6 (so a test sees a
    # stop at EOS); otherwise vocab-1 (plus vocab-3 when eos_list, as Qwen2.5-Instruct has a list).
    if case.get("eos") == "hit":
        for pr in prompts[1:]:
            probe, _ = greedy_generate(model, pr, None)
            hits = [probe[k] for k in range(3, MAX_NEW_TOKENS - 2) if probe[k] not in probe[:k] and probe[k] != bos]
            if hits:
                eos = hits[0]
                break
        else:
            raise SystemExit(f"{name}: no suitable eos id to hit")
    eos_cfg = [eos, V - 3] if case.get("eos_list") else eos
    model.config.eos_token_id = eos_cfg
    model.generation_config.eos_token_id = eos_cfg

    save_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[case["dtype"]]
    model.to(save_dtype)
    save_kw = {"max_shard_size": case["shard"]} if case["shard"] else {}
    model.save_pretrained(out, **save_kw)

    # config.json: transformers 5 layout ("new"), or rewritten into the Qwen2.5 release layout ("old").
    cfg_json = json.loads((out / "config.json").read_text())
    cfg_json.pop("attn_implementation", None)
    cfg_json.pop("_attn_implementation", None)
    if case["layout"] == "old":
        cfg_json = old_layout_config(cfg_json, case["dtype"])
    else:
        assert "rope_parameters" in cfg_json and "dtype" in cfg_json and "rope_theta" not in cfg_json, cfg_json
    write_json(out / "config.json", cfg_json)
    write_json(out / "generation_config.json", {
        "bos_token_id": bos,
        "do_sample": False,
        "eos_token_id": eos_cfg,
        "pad_token_id": V - 1,
        "transformers_version": "5.23.0",
    })
    del model

    # Reference: reload the SAVED weights as float32 (never cast the live model; fixture-notes.md).
    ref_model = Qwen2ForCausalLM.from_pretrained(out, dtype=torch.float32, attn_implementation="eager").eval()
    rc = ref_model.config
    assert rc.rope_parameters["rope_theta"] == case["theta"], rc.rope_parameters
    assert rc.vocab_size == V and rc.tie_word_embeddings == case["tied"]
    assert all(t == "full_attention" for t in rc.layer_types), rc.layer_types
    hd = case.get("head_dim", HIDDEN // case["heads"])
    assert ref_model.model.layers[0].self_attn.head_dim == hd
    if "rope" in case:
        assert rc.rope_parameters.get("rope_type") == case["rope"]["rope_type"], rc.rope_parameters
        assert rc.rope_parameters.get("factor") == case["rope"]["factor"], rc.rope_parameters
    else:
        exp_inv = 1.0 / (case["theta"] ** (torch.arange(0, hd, 2, dtype=torch.float) / hd))
        assert torch.equal(ref_model.model.rotary_emb.inv_freq, exp_inv)
    # Every stored tensor must be what the model computes with (as fp32), and nothing must be missing.
    files = sorted(out.glob("*.safetensors"))
    stored = {}
    for f in files:
        stored.update(load_file(str(f)))
    params = dict(ref_model.named_parameters())
    for k, t in stored.items():
        assert t.dtype == save_dtype, (k, t.dtype)
        assert torch.equal(t.float(), params[k].detach()), k
    expect_keys = set(params) - ({"lm_head.weight"} if case["tied"] else set())
    assert set(stored) == expect_keys, set(stored) ^ expect_keys
    if case["shard"]:
        idx = json.loads((out / "model.safetensors.index.json").read_text())
        assert len(files) >= 2 and set(idx["weight_map"]) == set(stored)
        # Normalise the index (stable key order, total_size = sum of tensor bytes).
        idx_out = {"metadata": {"total_size": idx["metadata"]["total_size"]},
                   "weight_map": dict(sorted(idx["weight_map"].items()))}
        assert idx_out["metadata"]["total_size"] == sum(t.numel() * t.element_size() for t in stored.values())
        write_json(out / "model.safetensors.index.json", idx_out)
    else:
        assert [f.name for f in files] == ["model.safetensors"]

    # fp32 rounding noise: the same saved weights evaluated in float64.
    f64_model = Qwen2ForCausalLM.from_pretrained(out, dtype=torch.float64, attn_implementation="eager").eval()

    eos_set = set(eos_cfg if isinstance(eos_cfg, list) else [eos_cfg])
    ref_cases = []
    stats = {"max_abs_logit": 0.0}
    for ids in prompts:
        lg = full_logits(ref_model, ids)
        with torch.no_grad():
            lg64 = f64_model(input_ids=torch.tensor([ids]), use_cache=False).logits[0]
        noise = float((lg.double() - lg64).abs().max())
        stats["fp32_noise"] = max(stats.get("fp32_noise", 0.0), noise)
        if noise > FP32_NOISE_LIMIT:
            raise SystemExit(f"{name}: fp32 noise {noise:.2e} of a {len(ids)}-token prompt exceeds {FP32_NOISE_LIMIT}")
        stats["max_abs_logit"] = max(stats["max_abs_logit"], float(lg.abs().max()))
        gen, margins = greedy_generate(ref_model, ids, sorted(eos_set) if len(eos_set) > 1 else eos)
        stopped = bool(gen) and gen[-1] in eos_set and len(gen) < MAX_NEW_TOKENS
        # Cross-check the cached generate() against repeated full forwards.
        assert greedy_by_full_forward(ref_model, ids, MAX_NEW_TOKENS, eos_set) == gen, name
        entry = {"ids": ids, "logits": [[f32(v) for v in row] for row in lg.tolist()],
                 "fp32_noise": float(f"{noise:.3g}"),
                 "greedy": {"max_new_tokens": MAX_NEW_TOKENS, "ids": gen,
                            "min_top2_margin": round(min(margins), 4)}}
        if stopped or (gen and gen[-1] in eos_set):
            entry["greedy"]["stopped_at_eos"] = True
        ref_cases.append(entry)
    stats.update(sensitivity(ref_model, prompts[2], full_logits(ref_model, prompts[2])))

    # reference.json: one logits row per line (full float32 precision, shortest round-trip form).
    lines = ["{", f'  "model": {json.dumps(name)},', f'  "dtype_on_disk": {json.dumps(case["dtype"])},',
             '  "logits_from": "transformers 5.23.0 Qwen2ForCausalLM, weights reloaded from this folder as float32, '
             'eager attention, one forward pass without cache",', '  "cases": [']
    for ci, e in enumerate(ref_cases):
        lines.append("    {")
        lines.append(f'      "ids": {dumps_compact(e["ids"])},')
        lines.append(f'      "fp32_noise": {e["fp32_noise"]},')
        lines.append(f'      "greedy": {dumps_compact(e["greedy"])},')
        lines.append('      "logits": [')
        for ri, row in enumerate(e["logits"]):
            lines.append("        " + dumps_compact(row) + ("," if ri + 1 < len(e["logits"]) else ""))
        lines.append("      ]")
        lines.append("    }" + ("," if ci + 1 < len(ref_cases) else ""))
    lines += ["  ]", "}"]
    write_text(out / "reference.json", "\n".join(lines) + "\n")
    gens = [(len(e["ids"]), e["greedy"]["ids"], e["greedy"].get("stopped_at_eos", False)) for e in ref_cases]
    print(f"[models] {name}: files={[f.name for f in sorted(out.iterdir())]}")
    print(f"[models] {name}: max|logit|={stats.pop('max_abs_logit'):.2f}  bug sensitivity (max|dlogit|): "
          + ", ".join(f"{k}={v:.3g}" for k, v in stats.items()))
    print(f"[models] {name}: greedy (prompt len, ids, stopped_at_eos) = {gens}; "
          f"min top-2 margins = {[e['greedy']['min_top2_margin'] for e in ref_cases]}")
    return stats


def make_models():
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    out_root = FIXTURES / "qwen2"
    if out_root.exists():
        shutil.rmtree(out_root)
    for case in MODEL_CASES:
        make_model_case(case, out_root)
    write_text(out_root / "README.md", MODELS_README)


MODELS_README = """# Tiny random Qwen2 checkpoints

Generated by `scripts/make_fixtures.py` (transformers 5.23.0, torch 2.15.0; see `scripts/README.md`).
Every folder is a loadable Hugging Face checkpoint (`config.json`, `generation_config.json`, safetensors) plus
`reference.json`. Hidden size 64, max_position_embeddings 256, weights drawn with wide scales (RMSNorm gains
N(1, 0.1), q/k projections std 0.2, q/k/v biases std 0.2, embedding/LM head std 0.35, v/o 0.2, MLP 0.15)
so the logits are O(10) and a wrong RoPE base, missing bias or wrong GQA mapping moves them by whole units, while
transformers' own fp32 rounding noise stays below 2e-5 (each case's `fp32_noise` = max |fp32 − fp64 logits| there),
well inside the 1e-4 parity tolerance.

| case | heads/kv | head_dim | layers | vocab | tied | on disk | config layout | rope_theta | eps |
|---|---|---|---|---|---|---|---|---|---|
| mha-f32-tied | 4/4 | 16 | 2 | 320 | yes | f32, 1 file | new (`rope_parameters`, `dtype`) | 1e4 | 1e-6 |
| gqa-f32-untied | 4/2 | 16 | 2 | 300 | no | f32, 1 file | old (Qwen2.5: `rope_theta`, `torch_dtype`, SWA keys) | 1e6 | 1e-6 |
| mqa-f32-sharded | 4/1 | 16 | 3 | 288 | no | f32, sharded + index | new | 5e5 | 1e-5 |
| gqa-bf16-tied | 4/2 | 16 | 2 | 320 | yes | bf16 (norms too), 1 file | old; eos is a list | 1e6 | 1e-6 |
| gqa-f16-untied-sharded | 4/2 | 16 | 2 | 352 | no | f16, sharded + index | new | 1e4 | 1e-6 |
| headdim-explicit | 4/2 | **32** (≠ 64/4) | 2 | 320 | yes | f32, 1 file | new + `head_dim` | 1e6 | 1e-6 |
| yarn-f32-untied | 4/2 | 16 | 2 | 300 | no | f32, 1 file | old + `rope_scaling: {type: yarn, factor: 4, original_max_position_embeddings: 32768}` | 1e6 | 1e-6 |

Notes
- Tied checkpoints contain no `lm_head.weight`.
- Old-layout configs have `use_sliding_window: false` with `sliding_window: 16` and `max_window_layers: 1`:
  sliding-window attention must stay OFF (the longest prompt is 33 tokens, so enabling it changes the logits).
- `reference.json`: `cases[i].ids` is the prompt; `logits[t]` are the fp32 logits at position t from one full
  forward pass without cache (shortest round-trip float32 decimals); `greedy.ids` are the tokens
  `model.generate(do_sample=False, max_new_tokens=12)` returned (new tokens only, eos included when it stopped
  there; then `stopped_at_eos: true`); `greedy.min_top2_margin` is the smallest gap between the best and second
  logit over the generated steps (a tiny margin means an engine may legitimately differ there).
- bf16/f16 references were computed from the saved weights upcast to fp32 (the engine should do the same).
- `mha-f32-tied` uses an eos id that greedy decoding reaches, so one of its prompts stops early.
"""


# ---------------------------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["models", "tokenizer"], default=None)
    args = ap.parse_args()
    if args.only in (None, "models"):
        make_models()
    if args.only in (None, "tokenizer"):
        import make_tokenizer_fixtures as tokfix  # noqa: E402  (same folder)

        tokfix.make_tokenizer_fixtures()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()

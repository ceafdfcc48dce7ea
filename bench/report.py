#!/usr/bin/env python3
"""Turn the JSON files written by bench/run.sh into a Markdown table (stdout and --out FILE).

    python bench/report.py RESULTS_DIR --model DIR [--out bench/results/latest.md]

RESULTS_DIR holds membw-0.json ... membw-4.json (before the first model run and after each one),
zoo-native.json, zoo-openblas.json, torch-float32.json,
torch-bfloat16.json, tiktoken.json, zoo-tokenizer.json, env.json; a missing or unreadable file becomes a
"not run" row with the reason from NAME.err if present.
"""
import argparse
import json
import os
import struct


def load(d, name):
    try:
        with open(os.path.join(d, name + ".json")) as f:
            return json.loads(f.read().strip().splitlines()[-1]), None
    except Exception as e:  # noqa: BLE001
        err = ""
        try:
            with open(os.path.join(d, name + ".err")) as f:
                err = " ".join(f.read().strip().splitlines()[-2:])[:200]
        except OSError:
            pass
        return None, err or f"{type(e).__name__}"


def weight_bytes_f32(model_dir):
    """f32 bytes streamed per decoded token: every tensor once; the tied embedding counts once (as lm_head)."""
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    params = 0
    for k, v in header.items():
        if k == "__metadata__":
            continue
        c = 1
        for s in v["shape"]:
            c *= s
        params += c
    return params * 4, params


def fmt(v, spec=".1f"):
    return "–" if v is None else format(v, spec)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--model", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    d = args.results
    env, _ = load(d, "env")
    env = env or {}
    bytes_f32, params = weight_bytes_f32(args.model)

    # membw-0 precedes the first model run; membw-k follows the k-th (run order as in run.sh).
    bw = {k: load(d, f"membw-{k}")[0] for k in range(8)}
    torch32, t32err = load(d, "torch-float32")
    base_pp = torch32 and torch32.get("prefill_tokens_per_second")
    base_tg = torch32 and torch32.get("decode_tokens_per_second")

    L = []
    L.append(f"# QwenZoo benchmark — {env.get('date', '?')}\n")
    L.append(f"- CPU: {env.get('cpu', '?')}, {env.get('cpus', '?')} CPUs; zoo ISA `{env.get('isa', '?')}`")
    L.append(f"- QwenZoo: git `{env.get('git', '?')}`; {env.get('swift', '?')}")
    L.append(f"- Python {env.get('python', '?')}: torch {env.get('torch', '?')}, transformers "
             f"{env.get('transformers', '?')}, tiktoken {env.get('tiktoken', '?')}")
    L.append(f"- Model: Qwen2.5-0.5B-shaped random checkpoint, f32 safetensors ({params:,} params), "
             f"{env.get('threads', 2)} threads, pp{env.get('prompt_tokens', 512)} / tg{env.get('decode_tokens', 64)}, "
             f"median of {env.get('repeat', 3)}")
    if env.get("idle_notes"):
        L.append(f"- Idle check: {env['idle_notes']}")
    L.append("")
    L.append("## Model speed (tokens/s)\n")
    L.append("| engine | weights | prefill pp512 | decode tg64 | prefill ratio (/ torch fp32) | "
             "decode ratio (/ torch fp32) | read GB/s around the run | decode ceiling | decode % of ceiling | load s |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    rows = [("zoo-native", "QwenZoo, native matmul", "f32"),
            ("zoo-openblas", f"QwenZoo, openblas matmul{env.get('openblas_note', '')}", "f32"),
            ("torch-float32", "PyTorch (transformers)", "fp32"),
            ("torch-bfloat16", "PyTorch (transformers)", "bf16"),
            ("zoo-bf16", "QwenZoo, native, bf16 checkpoint read in place", "bf16"),
            ("zoo-q8_0", "QwenZoo, native, quantized at load", "q8_0"),
            ("zoo-q4_0", "QwenZoo, native, quantized at load", "q4_0")]
    for k, (name, label, wt) in enumerate(rows):
        r, err = load(d, name)
        if r is None:
            L.append(f"| {label} | {wt} | not run | | | | | | | {err} |")
            continue
        pp, tg = r.get("prefill_tokens_per_second"), r.get("decode_tokens_per_second")
        # Bytes read per decoded token: fp32 4, 16-bit 2, q8_0 34/32, q4_0 18/32 per weight.
        wbytes = bytes_f32 * {"f32": 1, "fp32": 1, "bf16": 0.5, "q8_0": 34 / 128, "q4_0": 18 / 128}[wt]
        around = [bw[i]["read_gb_per_second_best"] for i in (k, k + 1) if bw.get(i)]
        g = max(around) if around else None
        ceil = None if g is None else g * 1e9 / wbytes
        pct = None if ceil is None or tg is None else 100 * tg / ceil
        if name.startswith("zoo"):
            rp, rt = (fmt(ratio(v, b), ".2f") + "×" for v, b in ((pp, base_pp), (tg, base_tg)))
        elif name == "torch-float32":
            rp = rt = "1.00× (baseline)"
        else:
            rp, rt = (f"({fmt(ratio(v, b), '.2f')}×)" for v, b in ((pp, base_pp), (tg, base_tg)))
        bws = " / ".join(f"{x:.0f}" for x in around) or "–"
        L.append(f"| {label} | {wt} | {fmt(pp)} | {fmt(tg)} | {rp} | {rt} | {bws} | {fmt(ceil)} | {fmt(pct, '.0f')}{' %' if pct is not None else ''} | "
                 f"{fmt(r.get('load_seconds'), '.2f')} |")
    L.append("")
    L.append("## Read bandwidth, 2 threads (GB/s, best / median of 12 reps of a 1 GiB read-sum)\n")
    names = ["before the first run"] + [f"after {r[0]}" for r in rows]
    L.append("| " + " | ".join(names) + " |")
    L.append("|" + "---|" * len(names))
    L.append("| " + " | ".join(f"{b['read_gb_per_second_best']:.1f} / {b['read_gb_per_second_median']:.1f}" if b else "–"
                             for b in (bw.get(i) for i in range(len(names)))) + " |")
    L.append(f"\nDecode ceiling = bandwidth / weight bytes per decoded token. f32: {bytes_f32 / 1e6:.1f} MB = all 24 "
             f"layers + the tied 151936×896 embedding read in full as the LM head; bf16: half. Each row uses the "
             f"higher of the two readings taken just before and just after it, because this VM's 2-thread bandwidth "
             f"changes mode on its own within seconds (perf-anchors.md §3).")
    L.append("")
    L.append("## Tokenizer (encode, single thread, MB/s)\n")
    L.append("| engine | MB/s | tokens | bytes | ratio (/ tiktoken) |")
    L.append("|---|---|---|---|---|")
    tk, tkerr = load(d, "tiktoken")
    zt, zterr = load(d, "zoo-tokenizer")
    base = tk and tk.get("tokenizer_mb_per_second")
    if zt:
        mb = zt.get("tokenizer_mb_per_second")
        note = ""
        if tk and zt.get("tokens") != tk.get("tokens"):
            note = f" (token count differs from tiktoken: {zt.get('tokens')} vs {tk.get('tokens')})"
        L.append(f"| QwenZoo `zoo bench --tokenizer` | {fmt(mb, '.2f')} | {zt.get('tokens')} | {zt.get('bytes')} | "
                 f"{fmt(ratio(mb, base), '.2f')}×{note} |")
    else:
        L.append(f"| QwenZoo `zoo bench --tokenizer` | skipped: {zterr} | | | |")
    if tk:
        L.append(f"| tiktoken {tk.get('tiktoken')} `encode_ordinary` | {fmt(base, '.2f')} | {tk.get('tokens')} | "
                 f"{tk.get('bytes')} | 1.00× (baseline) |")
    else:
        L.append(f"| tiktoken | not run: {tkerr} | | | |")
    if env.get("corpus"):
        L.append(f"\nCorpus: {env['corpus']}")
    if t32err:
        L.append(f"\nNote: torch fp32 baseline missing ({t32err}); ratios unavailable.")
    sampling = os.path.join(d, "sampling.txt")
    if os.path.exists(sampling) and os.path.getsize(sampling) > 0:
        L.append("\n## Sampling cost per token (zoo sample-lab --bench, one thread, random 151,936-entry logits)\n")
        L.append("```")
        L.append(open(sampling).read().rstrip())
        L.append("```")
    text = "\n".join(L) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

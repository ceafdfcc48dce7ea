#!/usr/bin/env python3
"""transformers (PyTorch) prefill and decode speed on a checkpoint, shaped like `zoo bench`.

    python bench/torch_bench.py --model DIR [--prompt-tokens 512] [--decode-tokens 64] [--repeat 3]
                                [--threads 2] [--dtype float32|bfloat16] [--json]

prefill: one forward over --prompt-tokens random ids (fixed seed), logits for the last position only
         (model(ids, use_cache=True, logits_to_keep=1)), fresh cache each pass.
decode:  8-token prompt, then --decode-tokens greedy steps with a DynamicCache (argmax, one forward per
         token, no generate() overhead); the rate is decode-tokens / time of those steps.
Each phase: one untimed warm-up pass, then --repeat timed passes; medians are reported.
"""
import argparse
import json
import os
import statistics
import sys
import time


def peak_rss_mb():
    """VmHWM: this process's own peak resident set (ru_maxrss would also count the parent's at fork)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) / 1024 for l in f if l.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--decode-tokens", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))  # before importing torch
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, DynamicCache

    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    t0 = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype)
    model.eval()
    load_seconds = time.perf_counter() - t0

    vocab = min(model.config.vocab_size, 150_000)
    gen = torch.Generator().manual_seed(args.seed)
    ids = torch.randint(0, vocab, (1, max(args.prompt_tokens, 8)), generator=gen)

    def prefill() -> tuple:  # (tokens/s, time to first token = forward + argmax)
        x = ids[:, :args.prompt_tokens]
        start = time.perf_counter()
        out = model(x, use_cache=True, logits_to_keep=1)
        seconds = time.perf_counter() - start
        out.logits[:, -1, :].argmax(dim=-1)
        return args.prompt_tokens / seconds, time.perf_counter() - start

    def decode() -> float:
        cache = DynamicCache(config=model.config)
        out = model(ids[:, :8], past_key_values=cache, use_cache=True, logits_to_keep=1)
        start = time.perf_counter()
        for _ in range(args.decode_tokens):
            nxt = out.logits[:, -1, :].argmax(dim=-1, keepdim=True)
            out = model(nxt, past_key_values=cache, use_cache=True, logits_to_keep=1)
        return args.decode_tokens / (time.perf_counter() - start)

    # Phases run separately (all prefill passes, then all decode passes), each after its own warm-up, so
    # a decode pass does not start right after a 512-token forward freed its large activations.
    prefill_runs, decode_rates = [], []
    with torch.inference_mode():
        if args.prompt_tokens > 0:
            prefill()  # warm-up
            prefill_runs = [prefill() for _ in range(max(1, args.repeat))]
        if args.decode_tokens > 0:
            decode()  # warm-up
            decode_rates = [decode() for _ in range(max(1, args.repeat))]

    prefill_rates = [rate for rate, _ in prefill_runs]
    report = {
        "engine": "transformers", "model": args.model, "dtype": args.dtype, "threads": args.threads,
        "torch": torch.__version__, "transformers": transformers.__version__,
        "load_seconds": load_seconds, "prompt_tokens": args.prompt_tokens, "decode_tokens": args.decode_tokens,
        "prefill_tokens_per_second": statistics.median(prefill_rates) if prefill_rates else None,
        "decode_tokens_per_second": statistics.median(decode_rates) if decode_rates else None,
        "time_to_first_token_seconds": statistics.median(t for _, t in prefill_runs) if prefill_runs else None,
        "prefill_all": prefill_rates, "decode_all": decode_rates, "peak_rss_mb": peak_rss_mb(),
    }
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        fmt = lambda v: "-" if v is None else f"{v:.1f}"
        print(f"transformers {transformers.__version__} / torch {torch.__version__}, {args.dtype}, "
              f"{args.threads} threads, load {load_seconds:.2f} s\n"
              f"prefill {fmt(report['prefill_tokens_per_second'])} tokens/s ({args.prompt_tokens} tokens, "
              f"median of {args.repeat})\n"
              f"decode  {fmt(report['decode_tokens_per_second'])} tokens/s ({args.decode_tokens} tokens, "
              f"median of {args.repeat})")


if __name__ == "__main__":
    sys.exit(main())

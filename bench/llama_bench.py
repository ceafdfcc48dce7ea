#!/usr/bin/env python3
"""llama.cpp speed and quantization through llama-cpp-python's low-level API, shaped like `zoo bench`.

    python bench/llama_bench.py bench --model FILE.gguf [--prompt-tokens 512] [--decode-tokens 64]
                                      [--repeat 3] [--threads 2] [--no-mmap] [--json]
    python bench/llama_bench.py quantize IN.gguf OUT.gguf --type q8_0|q4_0|q4_K_M [--threads 2]

bench:    context n_ctx = prompt + decode + 64 (at least 640), n_batch = n_ubatch = max(prompt, 8),
          n_threads = n_threads_batch = --threads, everything else llama.cpp's defaults (flash attention
          "auto", mmap on). --no-mmap: the weights are read into allocated memory at load instead of mapped
          (load_mode LLAMA_LOAD_MODE_NONE, or use_mmap = false in older llama-cpp-python; = llama-cli --no-mmap).
          prefill: one llama_decode of --prompt-tokens random ids (numpy seed 1234, ids < 150000), logits
          for the last position only, empty KV cache each pass; time to first token adds the argmax.
          decode: 8-token prompt, then --decode-tokens single-token llama_decode calls, each on the argmax
          of the previous logits (greedy); the rate is decode-tokens / time of those calls.
          Each phase: one untimed warm-up pass, then --repeat timed passes (time.perf_counter); medians.
quantize: llama_model_quantize with llama_model_quantize_default_params() and the ftype, i.e. what
          `llama-quantize IN OUT Q4_K_M` does (no importance matrix).
llama.cpp's own log goes to stderr.
"""
import argparse
import ctypes
import json
import statistics
import sys
import time

FTYPES = {"q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0", "q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0", "q4_K_M": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
          "f16": "LLAMA_FTYPE_MOSTLY_F16", "bf16": "LLAMA_FTYPE_MOSTLY_BF16"}


def peak_rss_mb():
    """VmHWM: this process's own peak resident set (ru_maxrss would also count the parent's at fork)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) / 1024 for l in f if l.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return None


def quantize(args) -> int:
    import llama_cpp
    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, FTYPES[args.type])
    params.nthread = args.threads
    start = time.perf_counter()
    rc = llama_cpp.llama_model_quantize(args.input.encode(), args.output.encode(), ctypes.byref(params))
    if rc != 0:
        print(f"llama_model_quantize({args.input} -> {args.output}, {args.type}) returned {rc}", file=sys.stderr)
        return 1
    print(json.dumps({"output": args.output, "type": args.type, "seconds": time.perf_counter() - start}))
    return 0


def set_no_mmap(llama_cpp, mparams):
    """Load without mmap. llama-cpp-python ≥ 0.3.3x replaced `use_mmap` by `load_mode` (default AUTO, which is
    mmap on a CPU); its own Llama(use_mmap=False) sets LLAMA_LOAD_MODE_NONE."""
    if hasattr(mparams, "load_mode"):
        mparams.load_mode = llama_cpp.LLAMA_LOAD_MODE_NONE
    else:
        mparams.use_mmap = False


def load_mode_name(llama_cpp, mparams):
    if hasattr(mparams, "load_mode") and hasattr(llama_cpp, "llama_load_mode_name"):
        name = llama_cpp.llama_load_mode_name(mparams.load_mode)
        return name.decode() if name else str(mparams.load_mode)
    return "mmap" if getattr(mparams, "use_mmap", True) else "none"


def bench(args) -> int:
    import numpy as np
    import llama_cpp

    llama_cpp.llama_backend_init()
    t0 = time.perf_counter()
    mparams = llama_cpp.llama_model_default_params()
    if args.no_mmap:
        set_no_mmap(llama_cpp, mparams)
    model = llama_cpp.llama_model_load_from_file(args.model.encode(), mparams)
    if not model:
        print(f"llama.cpp could not load {args.model}", file=sys.stderr)
        return 1
    n_batch = max(args.prompt_tokens, 8)
    cparams = llama_cpp.llama_context_default_params()
    cparams.n_ctx = max(640, args.prompt_tokens + args.decode_tokens + 64)
    cparams.n_batch = n_batch
    cparams.n_ubatch = n_batch
    cparams.n_threads = args.threads
    cparams.n_threads_batch = args.threads
    ctx = llama_cpp.llama_init_from_model(model, cparams)
    if not ctx:
        print("llama.cpp could not create a context", file=sys.stderr)
        return 1
    load_seconds = time.perf_counter() - t0
    vocab = llama_cpp.llama_model_get_vocab(model)
    n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
    memory = llama_cpp.llama_get_memory(ctx)
    batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
    ids = np.random.default_rng(args.seed).integers(0, min(n_vocab, 150_000), size=n_batch).tolist()

    def submit(tokens, start_pos):
        batch.n_tokens = len(tokens)
        for i, t in enumerate(tokens):
            batch.token[i] = t
            batch.pos[i] = start_pos + i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = i == len(tokens) - 1
        rc = llama_cpp.llama_decode(ctx, batch)
        if rc != 0:
            raise RuntimeError(f"llama_decode returned {rc}")
        llama_cpp.llama_synchronize(ctx)

    def argmax_last():
        logits = llama_cpp.llama_get_logits_ith(ctx, -1)
        return int(np.ctypeslib.as_array(logits, shape=(n_vocab,)).argmax())

    def prefill():
        llama_cpp.llama_memory_clear(memory, True)
        start = time.perf_counter()
        submit(ids[:args.prompt_tokens], 0)
        seconds = time.perf_counter() - start
        argmax_last()
        return args.prompt_tokens / seconds, time.perf_counter() - start

    def decode():
        llama_cpp.llama_memory_clear(memory, True)
        submit(ids[:8], 0)
        start = time.perf_counter()
        for i in range(args.decode_tokens):
            submit([argmax_last()], 8 + i)
        return args.decode_tokens / (time.perf_counter() - start)

    prefill_runs, decode_rates = [], []
    if args.prompt_tokens > 0:
        prefill()  # warm-up
        prefill_runs = [prefill() for _ in range(max(1, args.repeat))]
    if args.decode_tokens > 0:
        decode()  # warm-up
        decode_rates = [decode() for _ in range(max(1, args.repeat))]
    prefill_rates = [r for r, _ in prefill_runs]

    desc = ctypes.create_string_buffer(256)
    llama_cpp.llama_model_desc(model, desc, len(desc))
    report = {
        "engine": "llama.cpp", "model": args.model, "threads": args.threads,
        "llama_cpp_python": llama_cpp.__version__,
        "system_info": llama_cpp.llama_print_system_info().decode(errors="replace").strip(),
        "model_desc": desc.value.decode(errors="replace"), "model_size_bytes": llama_cpp.llama_model_size(model),
        "n_params": llama_cpp.llama_model_n_params(model), "n_vocab": n_vocab,
        "flash_attn_type": cparams.flash_attn_type, "n_ctx": cparams.n_ctx, "n_batch": n_batch,
        "mmap": not args.no_mmap, "load_mode": load_mode_name(llama_cpp, mparams),
        "load_seconds": load_seconds, "prompt_tokens": args.prompt_tokens, "decode_tokens": args.decode_tokens,
        "prefill_tokens_per_second": statistics.median(prefill_rates) if prefill_rates else None,
        "decode_tokens_per_second": statistics.median(decode_rates) if decode_rates else None,
        "time_to_first_token_seconds": statistics.median(t for _, t in prefill_runs) if prefill_runs else None,
        "prefill_all": prefill_rates, "decode_all": decode_rates, "peak_rss_mb": peak_rss_mb(),
    }
    llama_cpp.llama_batch_free(batch)
    llama_cpp.llama_free(ctx)
    llama_cpp.llama_model_free(model)
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        fmt = lambda v: "-" if v is None else f"{v:.1f}"
        print(f"llama.cpp (llama-cpp-python {report['llama_cpp_python']}), {report['model_desc']}, "
              f"{args.threads} threads, load {load_seconds:.2f} s{' (no mmap)' if args.no_mmap else ''}\n"
              f"prefill {fmt(report['prefill_tokens_per_second'])} tokens/s ({args.prompt_tokens} tokens, "
              f"median of {args.repeat})\n"
              f"decode  {fmt(report['decode_tokens_per_second'])} tokens/s ({args.decode_tokens} tokens, "
              f"median of {args.repeat})")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--model", required=True)
    b.add_argument("--prompt-tokens", type=int, default=512)
    b.add_argument("--decode-tokens", type=int, default=64)
    b.add_argument("--repeat", type=int, default=3)
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--seed", type=int, default=1234)
    b.add_argument("--no-mmap", action="store_true", help="read the weights into memory at load instead of mapping them")
    b.add_argument("--json", action="store_true")
    q = sub.add_parser("quantize")
    q.add_argument("input")
    q.add_argument("output")
    q.add_argument("--type", choices=sorted(FTYPES), required=True)
    q.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    return bench(args) if args.command == "bench" else quantize(args)


if __name__ == "__main__":
    sys.exit(main())

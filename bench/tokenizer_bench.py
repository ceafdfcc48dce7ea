#!/usr/bin/env python3
"""tiktoken encoding speed with the Qwen vocabulary and pre-tokenizer regex, and a corpus generator.

    python bench/tokenizer_bench.py --vocab Tests/Fixtures/vocab/qwen.tiktoken --text FILE [--repeat 3] [--json]
    python bench/tokenizer_bench.py --make-corpus OUT [--corpus-mb 5]

Timing: encode_ordinary() of the whole file (no special-token handling, no NFC), single thread, one
untimed warm-up, median of --repeat. MB/s = UTF-8 bytes / 1e6 / seconds.
The corpus is deterministic for a given Python version: NFC text mixing English prose-like text (words drawn
with a fixed seed from the vocabulary of the stdlib's comments and docstrings), Python stdlib source (sorted
files), Chinese, other scripts (Japanese, Korean, Russian, Arabic, Greek, German, French), numbers, and emoji
(incl. ZWJ sequences and skin tones).
"""
import argparse
import base64
import hashlib
import json
import os
import random
import re
import statistics
import sys
import sysconfig
import time
import unicodedata

QWEN_PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"""
                r"""\s*[\r\n]+|\s+(?!\S)|\s+""")
SPECIALS = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}


def load_encoding(vocab_path):
    import tiktoken
    ranks = {}
    with open(vocab_path, "rb") as f:
        for line in f:
            if line.strip():
                token, rank = line.split()
                ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(name="qwen", pat_str=QWEN_PATTERN, mergeable_ranks=ranks, special_tokens=SPECIALS)


def bench(args):
    import tiktoken
    enc = load_encoding(args.vocab)
    with open(args.text, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")
    tokens = enc.encode_ordinary(text)  # warm-up
    secs = []
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        n = len(enc.encode_ordinary(text))
        secs.append(time.perf_counter() - t)
        assert n == len(tokens)
    s = statistics.median(secs)
    report = {"engine": "tiktoken", "tiktoken": tiktoken.__version__, "text": args.text, "bytes": len(data),
              "tokens": len(tokens), "seconds": s, "tokenizer_mb_per_second": len(data) / 1e6 / s,
              "mb_per_second_all": [len(data) / 1e6 / x for x in secs]}
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        print(f"tiktoken {tiktoken.__version__}: {report['tokenizer_mb_per_second']:.2f} MB/s "
              f"({len(data):,} bytes -> {len(tokens):,} tokens, median of {args.repeat})")


# ---------------------------------------------------------------- corpus
CHINESE = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你说年着动主经那开家行"
           "得方本多定心学发理然现所前要实工没加机体当使性其问而起路正外些做种回面把同数最新情想被表内再间系"
           "道长知无从进因思口相日物电点资意力样重化高民力文明语言模型计算数据训练推理性能内存带宽处理器速度")
OTHER = [
    "これは日本語の文章です。東京は日本の首都であり、多くの人々が住んでいます。",
    "ひらがなとカタカナ、そして漢字を混ぜて書きます。コンピューターの性能を測定する。",
    "한국어 문장입니다. 서울은 대한민국의 수도이며 많은 사람들이 살고 있습니다.",
    "Это предложение на русском языке. Москва — столица России, в ней живёт много людей.",
    "هذه جملة باللغة العربية. القاهرة هي عاصمة مصر ويعيش فيها كثير من الناس.",
    "Αυτή είναι μια πρόταση στα ελληνικά. Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.",
    "Größere Änderungen an der Straßenführung wurden über Nacht durchgeführt, sagte der Bürgermeister.",
    "L'été dernier, nous sommes allés à la plage ; c'était très agréable, n'est-ce pas ?",
    "Việt Nam có nhiều cảnh đẹp; tiếng Việt dùng dấu thanh điệu.",
    "हिन्दी भाषा में यह एक वाक्य है। दिल्ली भारत की राजधानी है।",
]
EMOJI = ["😀", "🚀", "👍🏽", "👨‍👩‍👧‍👦", "🇨🇳", "🇺🇸", "❤️", "🔥", "🤖", "🧠", "✅", "🎉", "🙏🏻", "🏳️‍🌈", "😂"]


def stdlib_files():
    root = sysconfig.get_paths()["stdlib"]
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "test", "__pycache__", "idlelib"))
        out += [os.path.join(d, f) for f in sorted(files) if f.endswith(".py")]
    return out


def make_corpus(path, mb):
    rng = random.Random(20261126)
    files = stdlib_files()
    # Vocabulary for prose: words from comments and docstrings of the stdlib, weighted by frequency.
    words = []
    for p in files[:400]:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                s = line.strip()
                if s.startswith("#") or (s and s[0].isalpha() and not s.endswith((":", ")", ","))):
                    words += re.findall(r"[A-Za-z]+(?:'[a-z]+)?", s)
    words = [w for w in words if len(w) < 16] or ["the"]
    code_iter = iter(files)

    def prose():
        out = []
        for _ in range(rng.randint(3, 8)):
            n = rng.randint(6, 24)
            sent = " ".join(rng.choice(words) for _ in range(n))
            sent = sent[0].upper() + sent[1:]
            if rng.random() < 0.3:
                sent += ", " + " ".join(rng.choice(words) for _ in range(rng.randint(3, 8)))
            out.append(sent + rng.choice([".", ".", ".", "?", "!"]))
        return " ".join(out) + "\n\n"

    def chinese():
        out = []
        for _ in range(rng.randint(2, 6)):
            s = "".join(rng.choice(CHINESE) for _ in range(rng.randint(8, 30)))
            if rng.random() < 0.3:
                s += str(rng.randint(1, 2030)) + "年"
            out.append(s + rng.choice(["。", "，", "！", "？", "；"]))
        return "".join(out) + "\n"

    def numbers():
        parts = []
        for _ in range(rng.randint(5, 15)):
            k = rng.randrange(6)
            parts.append([lambda: str(rng.randint(0, 10 ** rng.randint(1, 12))),
                          lambda: f"{rng.uniform(-1e4, 1e4):.{rng.randint(1, 6)}f}",
                          lambda: f"{rng.randint(1990, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                          lambda: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
                          lambda: f"+1 ({rng.randint(200, 999)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}",
                          lambda: f"{rng.randint(0, 100)}%"][k]())
        return " ".join(parts) + "\n"

    def emoji():
        return " ".join(rng.choice(words) + rng.choice(EMOJI) * rng.randint(1, 3) for _ in range(rng.randint(3, 10))) + "\n"

    def code():
        nonlocal code_iter
        try:
            p = next(code_iter)
        except StopIteration:
            code_iter = iter(files)
            p = next(code_iter)
        with open(p, encoding="utf-8", errors="replace") as f:
            src = f.read()
        return src[:rng.randint(2000, 12000)] + "\n"

    kinds = [(prose, 40), (code, 25), (chinese, 15), (lambda: rng.choice(OTHER) + "\n", 8), (numbers, 7), (emoji, 5)]
    target = int(mb * 1_000_000)
    # Fill each kind up to its byte share, interleaving blocks so the kinds are mixed throughout.
    budget = {f: target * w // 100 for f, w in kinds}
    have = {f: 0 for f, _ in kinds}
    chunks, total = [], 0
    while total < target:
        live = [f for f, _ in kinds if have[f] < budget[f]] or [kinds[0][0]]
        f = rng.choice(live)
        s = unicodedata.normalize("NFC", f())
        n = len(s.encode("utf-8"))
        have[f] += n
        total += n
        chunks.append(s)
    data = "".join(chunks).encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    print(f"wrote {path}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]} "
          f"(python {sys.version.split()[0]})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vocab", help="qwen.tiktoken (base64 token + rank per line)")
    ap.add_argument("--text", help="UTF-8 text file to encode")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--make-corpus", metavar="OUT", help="write the mixed benchmark corpus to OUT and exit")
    ap.add_argument("--corpus-mb", type=float, default=5.0)
    args = ap.parse_args()
    if args.make_corpus:
        return make_corpus(args.make_corpus, args.corpus_mb)
    if not (args.vocab and args.text):
        ap.error("--vocab and --text are required (or --make-corpus OUT)")
    bench(args)


if __name__ == "__main__":
    sys.exit(main())

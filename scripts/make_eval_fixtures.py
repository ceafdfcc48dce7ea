"""Reference numbers for the evaluation harness (zoo eval), computed with transformers.

    python scripts/make_eval_fixtures.py      # writes Tests/Fixtures/eval/perplexity.json

Perplexity of a short text under the bundled tiny checkpoint (Tests/Fixtures/zoo-tiny): the text is
tokenized by its tokenizer.json, split into windows of WINDOW tokens overlapping by one token (each token
but the first is predicted exactly once, as QwenZoo's PerplexityEvaluation does), and the mean negative
log-likelihood is taken in float64 from transformers' float32 logits.
"""
import json
import math
from pathlib import Path

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "Tests/Fixtures/zoo-tiny"
OUT = ROOT / "Tests/Fixtures/eval/perplexity.json"
WINDOW = 16
TEXT = ("def add(a, b):\n    return a + b\n\nThe quick brown fox jumps over the lazy dog. "
        "Hello, who are you? I am a tiny model with random weights.\n")


def main():
    torch.set_num_threads(1)
    ids = Tokenizer.from_file(str(MODEL / "tokenizer.json")).encode(TEXT).ids
    model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32, attn_implementation="eager").eval()
    total, count, start = 0.0, 0, 0
    while start < len(ids) - 1:
        chunk = ids[start:start + WINDOW]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([chunk]), use_cache=False).logits[0].double()
        logp = torch.log_softmax(logits, dim=-1)
        for t in range(len(chunk) - 1):
            total -= float(logp[t, chunk[t + 1]])
            count += 1
        start += WINDOW - 1
    mean = total / count
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"text": TEXT, "window": WINDOW, "ids": ids, "tokens": count,
                               "mean_nll": mean, "perplexity": math.exp(mean)}, indent=1) + "\n")
    print(f"{count} tokens, mean NLL {mean:.6f}, perplexity {math.exp(mean):.4f}")


if __name__ == "__main__":
    main()

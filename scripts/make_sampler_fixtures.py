#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/samplers/: reference outputs of HF transformers' logits processors.

Usage: python scripts/make_sampler_fixtures.py   (needs the pinned torch and transformers of
scripts/requirements.txt)

hf_processors.json holds a few random logit rows (float32, some -inf) with token histories, and
for every processor and parameter value the processed row as {"kept": [ids], "values": [logits]}
(ids whose output is -inf are left out). ZooSamplersTests check each of our stages against it
within 1e-6. rng.json holds the first outputs of SplitMix64-seeded xoshiro256**, computed here
independently of the Swift code.
"""
import json
import math
import os

import numpy as np
import torch
import transformers
from transformers.generation import logits_process as lp

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "samplers")


def f32(x):
    """A float32 as the shortest decimal that round-trips through float32 (9 digits)."""
    return float("%.9g" % x)


def make_inputs(rng):
    inputs = []
    # vocab 1000, peaked
    logits = (rng.standard_normal(1000) * 2.5).astype(np.float32)
    history = list(rng.integers(0, 1000, 30)) + [5, 6, 7, 5, 6]
    inputs.append(("v1000_peaked", logits, history))
    # vocab 1000, flatter, some -inf entries and negative/positive mix, history with repeats
    logits = (rng.standard_normal(1000) * 1.0 + 0.5).astype(np.float32)
    logits[rng.choice(1000, 50, replace=False)] = -np.inf
    history = [3, 9, 3, 9, 4, 3, 9] + list(rng.integers(0, 1000, 20)) + [3]
    inputs.append(("v1000_flat_masked", logits, history))
    # vocab 32
    logits = (rng.standard_normal(32) * 1.5).astype(np.float32)
    history = [1, 2, 3, 1, 2, 4, 1, 2]
    inputs.append(("v32", logits, history))
    return inputs


PROCESSORS = [
    ("temperature", [0.5, 0.7, 1.3], lambda v: lp.TemperatureLogitsWarper(float(v))),
    ("top_k", [1, 20, 5000], lambda v: lp.TopKLogitsWarper(int(v))),
    ("top_p", [0.5, 0.8, 0.95, 1.0], lambda v: lp.TopPLogitsWarper(float(v))),
    ("min_p", [0.05, 0.2, 0.0], lambda v: lp.MinPLogitsWarper(float(v))),
    ("typical_p", [0.5, 0.9], lambda v: lp.TypicalLogitsWarper(float(v))),
    ("epsilon_cutoff", [3e-4, 0.01, 0.2], lambda v: lp.EpsilonLogitsWarper(float(v))),
    ("eta_cutoff", [3e-4, 0.01], lambda v: lp.EtaLogitsWarper(float(v))),
    ("repetition_penalty", [1.05, 1.3, 0.8], lambda v: lp.RepetitionPenaltyLogitsProcessor(float(v))),
    ("no_repeat_ngram", [1, 2, 3], lambda v: lp.NoRepeatNGramLogitsProcessor(int(v))),
]


def xoshiro_reference():
    mask = (1 << 64) - 1

    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & mask

    out = []
    for seed in [0, 1, 42, 2**64 - 1]:
        x = seed
        state = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & mask
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
            state.append(z ^ (z >> 31))
        s = state
        values = []
        for _ in range(6):
            result = (rotl((s[1] * 5) & mask, 7) * 9) & mask
            t = (s[1] << 17) & mask
            s[2] ^= s[0]
            s[3] ^= s[1]
            s[1] ^= s[2]
            s[0] ^= s[3]
            s[2] ^= t
            s[3] = rotl(s[3], 45)
            values.append(result)
        out.append({
            "seed": str(seed),
            "next": [str(v) for v in values],
            "doubles": [(v >> 11) * 2.0**-53 for v in values],
        })
    return out


def main():
    rng = np.random.default_rng(20240607)
    inputs = make_inputs(rng)
    cases = []
    for stage, values, make in PROCESSORS:
        for value in values:
            for name, logits, history in inputs:
                if stage == "top_k" and value == 20 and len(logits) < 100:
                    continue
                proc = make(value)
                ids = torch.tensor([history], dtype=torch.long)
                scores = torch.from_numpy(logits.copy()).unsqueeze(0)
                out = proc(ids, scores)[0].numpy()
                kept = [i for i in range(len(out)) if not math.isinf(out[i]) or out[i] > 0]
                cases.append({
                    "stage": stage,
                    "value": value,
                    "input": name,
                    "kept": kept,
                    "values": [f32(out[i]) for i in kept],
                })
    doc = {
        "generator": "scripts/make_sampler_fixtures.py",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "inputs": [
            {"name": n, "logits": [None if math.isinf(x) else f32(x) for x in l], "history": [int(t) for t in h]}
            for n, l, h in inputs
        ],
        "cases": cases,
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "hf_processors.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(OUT, "rng.json"), "w") as f:
        json.dump({"algorithm": "SplitMix64 seeding + xoshiro256**", "streams": xoshiro_reference()}, f, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases; {os.path.getsize(os.path.join(OUT, 'hf_processors.json'))} bytes")


if __name__ == "__main__":
    main()

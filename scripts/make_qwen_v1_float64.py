#!/usr/bin/env python3
"""Float64 logits of the Qwen v1 fixtures, computed by Qwen's own modeling_qwen.py.

The fp32 logits in Tests/Fixtures/qwen-v1/*/reference.json came from modeling_qwen.py in fp32, so they
carry that run's rounding: an fp32 engine that rounds differently (FMA or not, another summation order)
can differ from them by more than either differs from the exact result. This script runs the same
reference code in float64 on the same weights and prompts and writes `reference64.json` beside each
`reference.json`, so the tests can judge every instruction-set path against the exact values.

It first reruns the reference in fp32 and checks it reproduces reference.json (within 2e-5), which shows
the modeling file given is the one the fixtures came from.

    python3 scripts/make_qwen_v1_float64.py --modeling-dir DIR

DIR holds a Qwen v1 release's modeling_qwen.py, configuration_qwen.py and qwen_generation_utils.py (the
later layout, with `intermediate_size` and `use_cache_quantization`). Needs torch, transformers 4.36.2
and einops (scripts/requirements-qwen-v1.txt); the fixtures are committed, so the tests need none of this.
"""
import argparse
import importlib
import json
import pathlib
import shutil
import sys
import tempfile

import torch
from safetensors.torch import load_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures" / "qwen-v1"


def load_reference_code(modeling_dir: pathlib.Path, scratch: pathlib.Path):
    package = scratch / "qwen_v1_reference"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ["modeling_qwen.py", "configuration_qwen.py", "qwen_generation_utils.py"]:
        shutil.copy(modeling_dir / name, package / name)
    sys.path.insert(0, str(scratch))
    return importlib.import_module("qwen_v1_reference.modeling_qwen"), importlib.import_module(
        "qwen_v1_reference.configuration_qwen")


def run_cases(model, cases, dtype):
    out = []
    with torch.no_grad():
        for case in cases:
            ids = torch.tensor([case["ids"]])
            full = model(input_ids=ids, use_cache=False).logits[0].to(dtype)
            result = model(input_ids=ids, use_cache=True)
            past, steps = result.past_key_values, []
            for token in case["decode_ids"]:
                result = model(input_ids=torch.tensor([[token]]), past_key_values=past, use_cache=True)
                past = result.past_key_values
                steps.append(result.logits[0, -1].to(dtype))
            out.append((full, steps))
    return out


def max_difference(computed, cases):
    worst = 0.0
    for (full, steps), case in zip(computed, cases):
        worst = max(worst, (full - torch.tensor(case["logits"], dtype=full.dtype)).abs().max().item())
        for step, expected in zip(steps, case["decode_logits"]):
            worst = max(worst, (step - torch.tensor(expected, dtype=step.dtype)).abs().max().item())
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modeling-dir", type=pathlib.Path, required=True)
    args = parser.parse_args()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as scratch:
        modeling, configuration = load_reference_code(args.modeling_dir.resolve(), pathlib.Path(scratch))
        for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
            config = configuration.QWenConfig.from_json_file(str(folder / "config.json"))
            config.use_flash_attn = False
            reference = json.loads((folder / "reference.json").read_text())
            weights = load_file(str(folder / "model.safetensors"))

            model = modeling.QWenLMHeadModel(config).eval()
            model.load_state_dict(weights, strict=True)
            fp32 = run_cases(model, reference["cases"], torch.float32)
            agreement = max_difference(fp32, reference["cases"])
            print(f"{folder.name}: fp32 rerun vs reference.json, max |difference| {agreement:.3g}")
            if agreement > 2e-5:
                sys.exit(f"{folder.name}: this modeling_qwen.py does not reproduce reference.json ({agreement:.3g})")

            model = model.double()
            exact = run_cases(model, reference["cases"], torch.float64)
            print(f"{folder.name}: float64 vs fp32 reference.json, max |difference| "
                  f"{max_difference(exact, reference['cases']):.3g}")
            cases = [{"ids": case["ids"], "decode_ids": case["decode_ids"],
                      "logits": full.tolist(), "decode_logits": [s.tolist() for s in steps]}
                     for (full, steps), case in zip(exact, reference["cases"])]
            text = json.dumps({"seq_length": reference["seq_length"], "dtype": "float64", "cases": cases},
                              separators=(",", ":"))
            (folder / "reference64.json").write_text(text + "\n")


if __name__ == "__main__":
    main()

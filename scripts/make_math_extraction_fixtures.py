"""Parity fixture for the `qwen2.5-math` protocol's answer extraction: QwenLM/Qwen2.5-Math
`evaluation/parser.py` `extract_answer(pred_str, "math")` (with its `strip_string`) on synthetic completions.

    pip install word2number==1.1 regex   # parser.py's own imports for these functions
    python scripts/make_math_extraction_fixtures.py --parser PATH/TO/Qwen2.5-Math/evaluation/parser.py
    # writes Tests/Fixtures/eval/qwen25-math-extraction.json

Nothing of parser.py is copied here: the script reads the file given by --parser and executes only the
definitions `extract_answer` needs (`_fix_fracs`, `_fix_a_slash_b`, `_fix_sqrt`, `convert_word_number`,
`unit_texts`, `strip_string`, `choice_answer_clean`, `extract_answer`), taken from it with `ast`, so the
parser's sympy/latex2sympy imports (used by `math_equal`, not by extraction) are not needed.
"""
import argparse
import ast
import json
import random
import re
from pathlib import Path

import regex
from word2number import w2n

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/eval/qwen25-math-extraction.json"
NEEDED = {"_fix_fracs", "_fix_a_slash_b", "_fix_sqrt", "convert_word_number", "unit_texts", "strip_string",
          "direct_answer_trigger_for_fewshot", "choice_answer_clean", "extract_answer"}


def load_parser(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    body = []
    for node in tree.body:
        names = set()
        if isinstance(node, ast.FunctionDef):
            names = {node.name}
        elif isinstance(node, ast.Assign):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):  # unit_texts.extend(...)
            func = node.value.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                names = {func.value.id}
        if names & NEEDED:
            body.append(node)
    namespace = {"re": re, "regex": regex, "w2n": w2n}
    exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"), namespace)
    missing = NEEDED - set(namespace)
    assert not missing, f"{path} lacks {missing}"
    return namespace["extract_answer"]


ANSWERS = ["42", "-7", "3.50", "1,234", "\\frac{1}{2}", "\\dfrac34", "1/2", "\\sqrt2", "\\left( 1, 2 \\right)",
           "x = 5", "\\text{ dollars}", "10\\%", "5 cm", "\\$18", "0.5", ".75", "\\infty", "(-\\infty,\\infty)",
           "\\begin{array}{cc} 1 & 2 \\end{array}", "two hundred", "\\{1,2\\}", "90^\\circ", "3\\pi", "\\mathbf{v}",
           "k = 12", "{7}", "2.000", "1.0e3", "\\text{(A)}", "y", "\\emptyset", "12 \\text{ apples}", "5j", "a and b"]
FRAMES = ["The answer is \\boxed{%s}.", "So $\\boxed{%s}$", "\\boxed %s$ done", "Final answer: %s", "The answer is %s",
          "the final answer is $%s$. I hope it is correct.", "答案是 %s\n\n更多", "We get %s and then 99.", "%s",
          "\\boxed{%s} and later \\boxed{%s}", "boxed", "no numbers here", "\\boxed{\\frac{%s}{2}", ":%s.\n", "\u043a\u0438 %s"]


def synthetic(rng):
    frame = rng.choice(FRAMES)
    count = frame.count("%s")
    text = frame % tuple(rng.choice(ANSWERS) for _ in range(count))
    prefix = rng.choice(["", "Step 1: 3 + 4 = 7.\n", "Let $x=2$. Then 2,000 + 1 = 2001.\n", "We have 1/3 and 0.5.\n"])
    return prefix + text + rng.choice(["", ".", "\n", " ", "/"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parser", type=Path, required=True, help="QwenLM/Qwen2.5-Math evaluation/parser.py")
    args = parser.parse_args()
    extract_answer = load_parser(args.parser)
    rng = random.Random(25)
    items = []
    while len(items) < 600:
        completion = synthetic(rng)
        items.append({"completion": completion, "extracted": extract_answer(completion, "math")})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"source": "QwenLM/Qwen2.5-Math evaluation/parser.py extract_answer(pred, 'math')",
                               "items": items}, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(items)} completions, "
          f"{sum(1 for i in items if i['extracted'])} with an answer")


if __name__ == "__main__":
    main()

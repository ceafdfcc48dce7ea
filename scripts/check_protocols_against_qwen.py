"""Runs the ORIGINAL functions of QwenLM/Qwen `eval/` on the inputs of Tests/Fixtures/eval/qwen-protocols.json and
counts how many of the fixture's recorded decisions (and prompts) they reproduce. The fixture comes from
scripts/make_protocol_fixtures.py, a re-statement; this checks that re-statement against the originals themselves.

    python3 scripts/check_protocols_against_qwen.py PATH/TO/QwenLM/Qwen/eval Tests/Fixtures/eval/qwen-protocols.json

The originals' functions are taken from the files with `ast` (their torch/transformers parts are left out) and run
here; nothing of them is copied into the repository. thefuzz's fallback is detected, not run. Tooling only.
"""
import ast, json, re, sys
EVAL = sys.argv[1]; FIX = json.load(open(sys.argv[2]))
class Fuzzy(Exception):
    pass
class _P:
    @staticmethod
    def extractOne(*a, **k): raise Fuzzy()
def load(fname, names):
    src = open(f"{EVAL}/{fname}").read(); tree = ast.parse(src)
    keep = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names: keep.append(node)
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            seg = ast.get_source_segment(src, node)
            if "torch" not in seg and "argparse" not in seg and "AutoTokenizer" not in seg: keep.append(node)
    import textwrap; ns = {"re": re, "process": _P, "np": None, "textwrap": textwrap, "math": __import__("math")}
    for node in keep:  # module-level constants that need the scripts' other imports are skipped
        try:
            exec(compile(ast.Module(body=[node], type_ignores=[]), fname, "exec"), ns)
        except NameError:
            if isinstance(node, ast.FunctionDef):
                raise
    return ns
def report(name, agree, total): print(f"{name}: {agree}/{total} agree with the original")
g = load("evaluate_gsm8k.py", {"extract_answer_hf", "extract_answer", "is_correct"})
a = sum(1 for c in FIX["gsm8k"] if str(g["extract_answer"](c["cut"])) == str(c["extracted"] if c["extracted"] is not None else "[invalid]") and bool(g["is_correct"](c["cut"], c["answer"])) == bool(c["correct"]))
report("qwen-gsm8k extract+verdict", a, len(FIX["gsm8k"]))
cg = load("evaluate_chat_gsm8k.py", {"extract_answer", "is_correct"})
a = sum(1 for c in FIX["chat_gsm8k"] if str(cg["extract_answer"](c["completion"])) == str(c["extracted"]) and bool(cg["is_correct"](c["completion"], c["answer"])) == bool(c["correct"]))
report("qwen-chat-gsm8k extract+verdict", a, len(FIX["chat_gsm8k"]))
ch = load("evaluate_chat_humaneval.py", {"extract_code"})
a = sum(1 for c in FIX["chat_humaneval"] if ch["extract_code"](c["text"], c["entry_point"]) == c["code"])
report("qwen-chat-humaneval extract_code", a, len(FIX["chat_humaneval"]))
for fname, key in [("evaluate_chat_mmlu.py", "chat_mmlu"), ("evaluate_chat_ceval.py", "chat_ceval")]:
    m = load(fname, {"process_before_extraction", "count_substr", "extract_choice", "extract_answer"})
    agree = fuzzy_ok = 0
    for c in FIX[key]:
        try:
            pred = m["extract_answer"](c["response"], c["row"]); fz = False
        except Fuzzy:
            pred, fz = None, True
        if fz == bool(c["fuzzy"]) and (fz or pred == c["pred"]): agree += 1
    report(f"{key} letter (fuzzy fallback detected as fuzzy)", agree, len(FIX[key]))
# Prompts: the originals' own prompt builders on the fixture rows.
g["fewshot_prompt"] = open(f"{EVAL}/gsm8k_prompt.txt").read()
g2 = load("evaluate_gsm8k.py", {"doc_to_text"}); g2["fewshot_prompt"] = g["fewshot_prompt"]
a = sum(1 for c in FIX["gsm8k_prompts"] if g2["doc_to_text"]({"question": c["question"]}) == c["prompt"])
report("qwen-gsm8k prompts", a, len(FIX["gsm8k_prompts"]))
for fname, key in [("evaluate_chat_mmlu.py", "chat_mmlu_prompts"), ("evaluate_chat_ceval.py", "chat_ceval_prompts")]:
    m = load(fname, {"format_example"})
    a = sum(1 for c in FIX[key] if m["format_example"](c["row"]) == c["prompt"])
    report(key, a, len(FIX[key]))
# The base scripts' output cuts (decode) with a stand-in tokenizer whose decode returns the completion text.
class _Tensor:
    def __init__(self, text): self.text = text
    def cpu(self): return self
    def numpy(self): return self
    def tolist(self): return [self.text]
class _Tok:
    class tokenizer:
        @staticmethod
        def decode(tokens): return "".join(tokens)
for fname, key, field in [("evaluate_gsm8k.py", "gsm8k", "completion"), ("evaluate_humaneval.py", "humaneval", "completion")]:
    m = load(fname, {"decode"})
    a = sum(1 for c in FIX[key] if m["decode"]([_Tensor(c[field])], _Tok, 0)[0] == c["cut"])
    report(f"{key} output cut", a, len(FIX[key]))
# 5-shot prompts: the few-shot header and examples, then the question without its answer.
class _Frame:
    def __init__(self, rows): self.rows, self.shape = rows, (len(rows), 6)
    @property
    def iloc(self):
        rows = self.rows
        class _I:
            def __getitem__(self, index): return rows[index[0]]
        return _I()
for fname, key in [("evaluate_mmlu.py", "mmlu_prompts"), ("evaluate_ceval.py", "ceval_prompts"), ("evaluate_cmmlu.py", "cmmlu_prompts")]:
    m = load(fname, {"format_example", "generate_few_shot_prompt"})
    agree = 0
    for c in FIX[key]:
        subject = c.get("subject", "computer_network")
        # CMMLU's CSV columns are capitalised ("Question", "Answer"); the fixture rows carry the lower-case names.
        cap = lambda r: {**r, "Question": r["question"], "Answer": r.get("answer", "")}
        dev, row = [cap(r) for r in c["dev"]], cap(c["row"])
        made = m["generate_few_shot_prompt"](len(dev), subject, _Frame(dev)) + m["format_example"](row, include_answer=False)
        agree += made == c["prompt"]
    report(key, agree, len(FIX[key]))

"""Parity fixtures for `zoo eval --protocol …`: the prompts and answer-extraction decisions of Qwen's published
evaluation scripts (QwenLM/Qwen `eval/`), on synthetic inputs.

    python scripts/make_protocol_fixtures.py --qwen-eval PATH/TO/QwenLM/Qwen/eval
    # writes Tests/Fixtures/eval/qwen-protocols.json

The functions below are a faithful re-statement of the scripts' own functions, line for line; each says which
file and function it restates. They need only the standard library (the scripts' torch/transformers parts load
models, which these fixtures do not need). With --qwen-eval the script first checks that every pattern and
literal restated here occurs verbatim in the original files, and reads `gsm8k_prompt.txt` from there (its sha256
is checked too), so a drift between this re-statement and the originals stops the run.

One part of the originals is not restated: when `extract_choice` of evaluate_chat_mmlu.py or
evaluate_chat_ceval.py finds no letter at all it falls back to `thefuzz.process.extractOne` (fuzzy string
matching). Such responses are recorded with `"pred": null, "fuzzy": true`, and QwenZoo reports them as unanswered.
"""
import argparse
import hashlib
import json
import random
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/eval/qwen-protocols.json"
GSM8K_PROMPT_SHA256 = "b067972c3ba476496af49bacfc2ade83e4bc72c47a52f7f0e70d7d9e8f573e0d"
INVALID_ANS = "[invalid]"  # evaluate_gsm8k.py, evaluate_chat_gsm8k.py
choices = ["A", "B", "C", "D"]  # evaluate_mmlu.py / evaluate_ceval.py / evaluate_cmmlu.py / evaluate_chat_mmlu.py

# ---------------------------------------------------------------------------------------------------------------
# evaluate_gsm8k.py (base models, 8-shot)
# ---------------------------------------------------------------------------------------------------------------
ANS_RE = re.compile(r"#### (\-?[0-9\.\,]+)")  # evaluate_gsm8k.py: ANS_RE


def gsm8k_doc_to_text(fewshot_prompt, doc):  # evaluate_gsm8k.py: doc_to_text
    return (
        fewshot_prompt
        + "\nQuestion: "
        + doc["question"]
        + "\nLet's think step by step\n"
    )


def gsm8k_decode_text(sent):  # evaluate_gsm8k.py: decode, after tokenizer.decode(tokens[raw_text_len:])
    sent = sent.split("<|endoftext|>")[0]
    sent = sent.split("\n\n\n")[0]
    sent = sent.split("\n\n")[0]
    sent = sent.split("Question:")[0]
    return sent


def gsm8k_extract_answer_hf(completion):  # evaluate_gsm8k.py: extract_answer_hf
    match = ANS_RE.search(completion)
    if match:
        match_str = match.group(1).strip()
        match_str = match_str.replace(",", "")
        return eval(match_str)
    else:
        return INVALID_ANS


def gsm8k_extract_answer(completion):  # evaluate_gsm8k.py: extract_answer
    try:
        last_number = re.findall(r"\d+", completion)[-1]
        return eval(last_number)
    except:  # noqa: E722 (as the original)
        return INVALID_ANS


def gsm8k_is_correct(completion, answer):  # evaluate_gsm8k.py: is_correct
    gold = gsm8k_extract_answer_hf(answer)
    assert gold != INVALID_ANS, "No ground truth answer found in the document."
    return gsm8k_extract_answer(completion) == gold


# ---------------------------------------------------------------------------------------------------------------
# evaluate_chat_gsm8k.py (chat models, zero-shot by default)
# ---------------------------------------------------------------------------------------------------------------
_PAT_LAST_DIGIT = r"([+-])?(?=([0-9]|\.[0-9]))(0|([1-9](\d{0,2}(,\d{3})*)|\d*))?(\.\d*)?(?=\D|$)"


def chat_gsm8k_extract_answer(s):  # evaluate_chat_gsm8k.py: extract_answer (its print dropped)
    _PAT = re.compile(_PAT_LAST_DIGIT)
    match = list(_PAT.finditer(s))
    if match:
        last_digit = match[-1].group().replace(",", "").replace("+", "").strip()
    else:
        last_digit = None
    return last_digit


def chat_gsm8k_is_correct(completion, answer):  # evaluate_chat_gsm8k.py: is_correct (its print dropped)
    gold = chat_gsm8k_extract_answer(answer)
    assert gold is not None, "No ground truth answer found in the document."

    def number_equal(answer, pred):
        if pred is None:
            return False
        try:
            import math
            return math.isclose(eval(answer), eval(pred), rel_tol=0, abs_tol=1e-4)
        except:  # noqa: E722
            return False

    return number_equal(gold, chat_gsm8k_extract_answer(completion))


# ---------------------------------------------------------------------------------------------------------------
# evaluate_humaneval.py (base models)
# ---------------------------------------------------------------------------------------------------------------
def humaneval_decode_text(sent):  # evaluate_humaneval.py: decode, after tokenizer.decode
    sent = sent.split("<|endoftext|>")[0]
    sent = sent.split("\n\n\n")[0]
    sent = sent.split("\n\n")[0]
    sent = sent.split("def ")[0]
    return sent


# ---------------------------------------------------------------------------------------------------------------
# evaluate_chat_humaneval.py (chat models)
# ---------------------------------------------------------------------------------------------------------------
def extract_code(text, entry_point):  # evaluate_chat_humaneval.py: extract_code
    code_block_pattern = re.compile(
        rf"```(?:[Pp]ython\n)?.*?def\s+{entry_point}.*?:\n(.*?)\n```", re.DOTALL
    )
    code_block = code_block_pattern.search(text)
    if code_block is None:
        code_block_pattern = re.compile(
            rf"def\s+{entry_point}.*?:\n(.*?)(?:\n(?!\n*(?:  |\t))|$)", re.DOTALL
        )
        code_block = code_block_pattern.search(text)
    if code_block is None:
        code_block_pattern = re.compile(
            r"def.*?:\n(.*?)(?:\n(?!\n*(?:  |\t))|$)", re.DOTALL
        )
        code_block = code_block_pattern.search(text)

    if code_block is not None:
        return code_block.group(1)

    return textwrap.indent(text, " " * 4)


def chat_humaneval_prompt(jobj):  # evaluate_chat_humaneval.py: __main__ loop, "use humanevalpack prompt"
    signature = re.search(
        rf"def\s+({jobj['entry_point']}.*?):\s*\n", jobj["prompt"]
    ).group(1)
    description = "\n".join(
        [
            line.strip()
            for line in re.search(
                rf"(?:\"\"\"|''')(.*?)(?:\"\"\"|''')", jobj["prompt"], re.DOTALL
            )
            .group(1)
            .split("\n")
        ]
    )
    prompt = (
        f"Write a Python function `{signature}` to solve the following problem:\n"
        f"{description}\n"
        f"{jobj['prompt']}"
    )
    return prompt


# ---------------------------------------------------------------------------------------------------------------
# evaluate_mmlu.py / evaluate_ceval.py / evaluate_cmmlu.py (base models, 5-shot, choice by the letters' logits)
# ---------------------------------------------------------------------------------------------------------------
def mmlu_format_example(line, include_answer=True):  # evaluate_mmlu.py: format_example
    example = "Question: " + line["question"]
    for choice in choices:
        example += f'\n{choice}. {line[f"{choice}"]}'

    if include_answer:
        example += "\nAnswer: " + line["answer"] + "\n\n"
    else:
        example += "\nAnswer:"
    return example


def mmlu_generate_few_shot_prompt(k, subject, dev_rows):  # evaluate_mmlu.py: generate_few_shot_prompt
    def format_subject(subject):
        l = subject.split("_")  # noqa: E741
        s = ""
        for entry in l:
            s += " " + entry
        return s.strip()

    prompt = "The following are multiple choice questions (with answers) about {}.\n\n".format(
        format_subject(subject)
    )
    if k == -1:
        k = len(dev_rows)
    for i in range(k):
        prompt += mmlu_format_example(dev_rows[i], include_answer=True)
    return prompt


def ceval_format_example(line, include_answer=True):  # evaluate_ceval.py: format_example
    example = "问题：" + line["question"]
    for choice in choices:
        example += f'\n{choice}. {line[f"{choice}"]}'

    if include_answer:
        example += "\n答案：" + line["answer"] + "\n\n"
    else:
        example += "\n答案："
    return example


def cmmlu_format_example(line, include_answer=True):  # evaluate_cmmlu.py: format_example
    example = "问题：" + line["Question"]
    for choice in choices:
        example += f'\n{choice}. {line[f"{choice}"]}'

    if include_answer:
        example += "\n答案：" + line["Answer"] + "\n\n"
    else:
        example += "\n答案："
    return example


def zh_generate_few_shot_prompt(k, dev_rows, format_example):  # evaluate_ceval.py / evaluate_cmmlu.py
    prompt = ""
    if k == -1:
        k = len(dev_rows)
    for i in range(k):
        prompt += format_example(dev_rows[i], include_answer=True)
    return prompt


# ---------------------------------------------------------------------------------------------------------------
# evaluate_chat_mmlu.py (chat models, zero-shot, the letter read from the reply)
# ---------------------------------------------------------------------------------------------------------------
def chat_mmlu_format_example(line):  # evaluate_chat_mmlu.py: format_example
    example = (
        "The following is a multiple-choice question. Please choose the most suitable one among A, B, C and D as the answer to this question.\n\n"
        + line["question"]
        + "\n"
    )
    for choice in choices:
        example += f'{choice}. {line[f"{choice}"]}\n'
    return example


def process_before_extraction(gen, choice_dict):  # evaluate_chat_mmlu.py: process_before_extraction
    for key, val in sorted(choice_dict.items(), key=lambda x: len(x[1]), reverse=True):
        pattern = re.compile(re.escape(val.rstrip(".")), re.IGNORECASE)
        gen = pattern.sub(key, gen)
    return gen


class NeedsFuzzy(Exception):
    pass


CHOICE_RE_1 = r"(?:(?:[Cc]hoose)|(?:(?:[Aa]nswer|[Cc]hoice)(?![^ABCD]{0,20}?(?:n't|not))[^ABCD]{0,10}?\b(?:|is|:|be))\b)[^ABCD]{0,20}?\b(A|B|C|D)\b"
CHOICE_RE_2 = r"\b(A|B|C|D)\b(?![^ABCD]{0,8}?(?:n't|not)[^ABCD]{0,5}?(?:correct|right))[^ABCD]{0,10}?\b(?:correct|right)\b"


def extract_choice(gen, choice_list):  # evaluate_chat_mmlu.py: extract_choice (the patterns: CHOICE_RE_1, _2)
    res = re.search(CHOICE_RE_1, gen)  # "answer is A | choice is A | choose A"
    if res is None:
        res = re.search(CHOICE_RE_2, gen)  # "A is correct | A is right"
    if res is None:
        res = re.search(r"^(A|B|C|D)(?:\.|,|:|$)", gen)
    if res is None:
        res = re.search(r"(?<![a-zA-Z])(A|B|C|D)(?![a-zA-Z=])", gen)
    if res is None:
        # return choices[choice_list.index(process.extractOne(gen, choice_list)[0])]  -- thefuzz, not restated
        raise NeedsFuzzy()
    return res.group(1)


def chat_mmlu_extract_answer(response, row):  # evaluate_chat_mmlu.py: extract_answer
    gen = process_before_extraction(response, {choice: row[choice] for choice in choices})
    pred = extract_choice(gen, [row[choice] for choice in choices])
    return pred


# ---------------------------------------------------------------------------------------------------------------
# evaluate_chat_ceval.py (chat models, zero-shot, the letter read from a Chinese reply)
# ---------------------------------------------------------------------------------------------------------------
def chat_ceval_format_example(line):  # evaluate_chat_ceval.py: format_example
    example = line["question"] + "\n\n"
    for choice in choices:
        example += f'{choice}. {line[f"{choice}"]}\n'
    return example


def ceval_process_before_extraction(gen, question, choice_dict):  # evaluate_chat_ceval.py: process_before_extraction
    question_split = question.rstrip("。").split("。")[-1].split("_")
    if len(question_split[0].strip()) > 4:
        gen = gen.replace(question_split[0], "答案是")
    if len(question_split[-1].strip()) > 4:
        gen = gen.replace(question_split[-1], "")
    for key, val in sorted(choice_dict.items(), key=lambda x: len(x[1]), reverse=True):
        gen = gen.replace(val.rstrip("。"), key)
    return gen


CEVAL_RE_1 = r"(?:(?:选|选择|选定)[：:]?\s*|(?:(?:答案|选项)(?![^ABCD]{0,10}?(?:不|非)[^ABCD]{0,10}?(?:是|选|为|：|:|】))[^ABCD]{0,10}?(?:是|选|为|：|:|】))[^ABCD]{0,10}?)(A|B|C|D)(?:选项)?(?:\)|。|\.|，|,|．|、|A|B|C|D|$|：|:|\)|）)"
CEVAL_RE_2 = r"(A|B|C|D)(?:选?项)?(?![^ABCD]{0,4}?(?:不|非)[^ABCD]{0,4}?(?:正确|对[的，。：]|符合))[^ABCD]{0,4}?(?:正确|对[的，。：]|符合)"
CEVAL_RE_3 = r"^[\(（]?(A|B|C|D)(?:。|\)|）|\.|，|,|．|：|:|$)"


def ceval_extract_choice(gen, prompt, choice_list):  # evaluate_chat_ceval.py: extract_choice (patterns CEVAL_RE_*)
    res = re.search(CEVAL_RE_1, gen)  # 答案是A | 选项是A | 应该选A选项
    if res is None:
        res = re.search(CEVAL_RE_2, gen)  # A选项正确 | A选项符合题意
    if res is None:
        res = re.search(CEVAL_RE_3, gen)  # 直接输出 A
    if res is None:
        res = re.search(r"(?<![a-zA-Z])(A|B|C|D)(?![a-zA-Z=])", gen)  # 获取第一个出现的字母
    if res is None:
        raise NeedsFuzzy()  # thefuzz, not restated
    return res.group(1)


def chat_ceval_extract_answer(response, row):  # evaluate_chat_ceval.py: extract_answer
    prompt = row["question"]
    gen = ceval_process_before_extraction(response, prompt, {choice: row[choice] for choice in choices})
    return ceval_extract_choice(gen, prompt, [row[choice] for choice in choices])


# ---------------------------------------------------------------------------------------------------------------
# Verbatim checks against the originals
# ---------------------------------------------------------------------------------------------------------------
VERBATIM = {
    "evaluate_gsm8k.py": [
        r'ANS_RE = re.compile(r"#### (\-?[0-9\.\,]+)")', 'sent = sent.split("Question:")[0]',
        'last_number = re.findall(r"\\d+", completion)[-1]', '+ "\\nQuestion: "', '+ "\\nLet\'s think step by step\\n"',
    ],
    "evaluate_chat_gsm8k.py": [
        _PAT_LAST_DIGIT, 'match[-1].group().replace(",", "").replace("+", "").strip()',
        "math.isclose(eval(answer), eval(pred), rel_tol=0, abs_tol=1e-4)",
    ],
    "evaluate_humaneval.py": ['sent = sent.split("def ")[0]'],
    "evaluate_chat_humaneval.py": [
        'rf"```(?:[Pp]ython\\n)?.*?def\\s+{entry_point}.*?:\\n(.*?)\\n```", re.DOTALL',
        'rf"def\\s+{entry_point}.*?:\\n(.*?)(?:\\n(?!\\n*(?:  |\\t))|$)", re.DOTALL',
        'r"def.*?:\\n(.*?)(?:\\n(?!\\n*(?:  |\\t))|$)", re.DOTALL', 'return textwrap.indent(text, " " * 4)',
        'rf"def\\s+({jobj[\'entry_point\']}.*?):\\s*\\n", jobj["prompt"]',
        'f"Write a Python function `{signature}` to solve the following problem:\\n"',
    ],
    "evaluate_mmlu.py": [
        'example = "Question: " + line["question"]', 'example += "\\nAnswer: " + line["answer"] + "\\n\\n"',
        '"The following are multiple choice questions (with answers) about {}.\\n\\n"',
        'tokenizer(" A")["input_ids"] + tokenizer(" B")["input_ids"]',
    ],
    "evaluate_ceval.py": ['example = "问题：" + line["question"]', 'example += "\\n答案：" + line["answer"] + "\\n\\n"',
                          'tokenizer("A")["input_ids"] + tokenizer("B")["input_ids"]'],
    "evaluate_cmmlu.py": ['example = "问题：" + line["Question"]', 'example += "\\n答案：" + line["Answer"] + "\\n\\n"'],
    "evaluate_chat_ceval.py": [
        'example = line["question"] + "\\n\\n"', 'question_split = question.rstrip("。").split("。")[-1].split("_")',
        'gen = gen.replace(question_split[0], "答案是")', 'gen = gen.replace(val.rstrip("。"), key)',
        'r"' + CEVAL_RE_1 + '"', 'r"' + CEVAL_RE_2 + '"', 'r"' + CEVAL_RE_3 + '"',
    ],
    "evaluate_chat_mmlu.py": [
        "Please choose the most suitable one among A, B, C and D as the answer to this question.\\n\\n",
        'pattern = re.compile(re.escape(val.rstrip(".")), re.IGNORECASE)',
        'r"' + CHOICE_RE_1 + '"', 'r"' + CHOICE_RE_2 + '"',
        r'r"^(A|B|C|D)(?:\.|,|:|$)"', r'r"(?<![a-zA-Z])(A|B|C|D)(?![a-zA-Z=])"',
    ],
}


def check_originals(eval_dir):
    for name, snippets in VERBATIM.items():
        source = (eval_dir / name).read_text(encoding="utf-8")
        for snippet in snippets:
            assert snippet in source, f"{name} no longer contains {snippet!r}"
    prompt = (eval_dir / "gsm8k_prompt.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(prompt.encode()).hexdigest() == GSM8K_PROMPT_SHA256, "gsm8k_prompt.txt changed"
    return prompt


# ---------------------------------------------------------------------------------------------------------------
# Synthetic inputs (seeded): awkward numbers, LaTeX, stop strings, several numbers, none
# ---------------------------------------------------------------------------------------------------------------
NUMBERS = ["0", "00", "7", "42", "-5", "+3", "1,234", "12,34", "1,234,567", "3.5", ".5", "5.", "-0.25", "007",
           "007.5", "1e3", "20,800", "١٢", "１２", "123456789012345678901234567890", "-1,000.50", "2/3", "50%", "$18"]
WORDS = ["The answer is ", "So she has ", " apples", " dollars", "\n", "\n\n", "\n\n\n", "Question: ", "<|endoftext|>",
         "#### ", "\\boxed{", "}", "\\frac{1}{2}", "<<2*3=6>>", " = ", " + ", "x^2", "答案是", "。", "$", " ", "Total: ",
         "step 2: ", "def ", "Let's think step by step\n"]


def synthetic_text(rng, pieces=8):
    out = []
    for _ in range(rng.randint(0, pieces)):
        out.append(rng.choice(NUMBERS) if rng.random() < 0.45 else rng.choice(WORDS))
    return "".join(out)


def gsm8k_gold(rng):
    value = rng.choice(["72", "-3", "1,000", "5.5", "0", "20800", "3.", "18", "1,234,567", "-0.5"])
    return f"Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nShe sold 48+24 = <<48+24=72>>72 clips.\n#### {value}", value


CODE_LINES = ["    return a + b", "    x = 1", "\treturn x", "", "  y = 2", "print(add(1, 2))", "def helper(z):",
              "    return z * 2", "```", "```python", "```Python", "Here is the code:", "# comment", "    pass"]


def synthetic_response_code(rng, entry):
    lines = []
    for _ in range(rng.randint(0, 9)):
        r = rng.random()
        if r < 0.15:
            lines.append(f"def {entry}(a, b):")
        elif r < 0.2:
            lines.append(f"def {entry}(a: int, b: int) -> int:")
        else:
            lines.append(rng.choice(CODE_LINES))
    return "\n".join(lines) + rng.choice(["", "\n", "\n\n"])


def synthetic_row(rng, zh=False):
    pool = (["北京", "上海", "3", "2.5", "以上都对", "既保证可靠，也保证按序交付", "A和B", "无"] if zh else
            ["Paris", "London", "4", "2.5", "None of the above", "All of the above.", "a cat", "B12 vitamin",
             "x = 3", "It's 42", "Mitochondria", "not sure"])
    row = {c: rng.choice(pool) + ("" if rng.random() < 0.7 else f" {rng.randint(0, 99)}") for c in choices}
    q = rng.choice(["Which of these is correct?", "What is 2 + 2?", "关于传输层的特性是____。", "Choose: x =\n  y?",
                    "The capital of France is"])
    return {"question": q, **row, "answer": rng.choice(choices)}


MMLU_RESPONSE_BITS = ["The answer is ", "answer: ", "I choose ", "Choice is ", "The correct answer is not ",
                      " is correct", " is right", "A", "B", "C", "D", "(B)", "A.", "C,", "D:", "Answer", "because ",
                      "a", "an apple", "It's", "Definitely", " ", "\n", "Option ", "B12", "Absolutely", "=D"]


def synthetic_response_choice(rng, row):
    out = []
    for _ in range(rng.randint(0, 7)):
        r = rng.random()
        if r < 0.15:
            out.append(row[rng.choice(choices)] if rng.random() < 0.5 else row[rng.choice(choices)].upper())
        elif r < 0.35:
            out.append(rng.choice(choices))
        else:
            out.append(rng.choice(MMLU_RESPONSE_BITS))
        out.append(rng.choice([" ", " ", "", "\n", ". "]))
    return "".join(out)


ZH_RESPONSE_BITS = ["答案是", "选项", "选", "选择：", "答案不是", "正确", "不正确", "符合题意", "对的", "因为", "所以",
                    "A", "B", "C", "D", "（B）", "(C)", "A。", "D，", "A选项正确", "答案：", "】", "为", "非", " ", "\n",
                    "关于传输层的特性是", "应该选", "AB", "Apple"]


def synthetic_response_zh(rng, row):
    out = []
    for _ in range(rng.randint(0, 7)):
        r = rng.random()
        if r < 0.15:
            out.append(row[rng.choice(choices)])
        elif r < 0.22:
            out.append(row["question"].rstrip("。").split("。")[-1].split("_")[0])
        else:
            out.append(rng.choice(ZH_RESPONSE_BITS))
        out.append(rng.choice(["", "", "，", "。", " "]))
    return "".join(out)


HUMANEVAL_PROMPTS = [
    ('from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n'
     '    """ Check if in given list of numbers, are any two numbers closer to each other than\n    given threshold.\n'
     '    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False\n    """\n', "has_close_elements"),
    ("def add(a, b):\n    '''Add two numbers.\n      Indented line.\n    '''\n", "add"),
    ('def fib(n: int):\n    """Return n-th Fibonacci number.\n    >>> fib(10)\n    55\n    """\n', "fib"),
    ('def 计数(s):\n    """数一数。\n    """\n', "计数"),
]


def chat_choice_items(rng, count, zh, respond, extract):
    """`count` synthetic rows and replies with the letter `extract` reads (None where it needs thefuzz)."""
    items = []
    while len(items) < count:
        row = synthetic_row(rng, zh=zh)
        response = respond(rng, row)
        try:
            pred, fuzzy = extract(response, row), False
        except NeedsFuzzy:
            pred, fuzzy = None, True
        items.append({"response": response, "row": row, "pred": pred, "fuzzy": fuzzy})
    return items


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qwen-eval", type=Path, required=True,
                        help="the eval/ folder of a QwenLM/Qwen checkout (its scripts are checked, its prompt read)")
    args = parser.parse_args()
    fewshot = check_originals(args.qwen_eval)
    rng = random.Random(20)
    n = 600
    fixture = {"source": "QwenLM/Qwen eval/ (restated in scripts/make_protocol_fixtures.py)"}

    questions = ["Janet has 3 apples. How many?", "Ein Zug fährt 60 km/h.", "小明有5个苹果。", "Tabs\tand  spaces  ",
                 "Question: nested?", ""]
    fixture["gsm8k_prompts"] = [{"question": q, "prompt": gsm8k_doc_to_text(fewshot, {"question": q})} for q in questions]

    items = []
    while len(items) < n:
        answer, value = gsm8k_gold(rng)
        raw = synthetic_text(rng, 10) + (rng.choice(["The answer is ", "\n", " "]) + value if rng.random() < 0.4 else "")
        cut = gsm8k_decode_text(raw)
        extracted = gsm8k_extract_answer(cut)
        items.append({"completion": raw, "answer": answer, "cut": cut,
                      "extracted": None if extracted == INVALID_ANS else str(extracted),
                      "correct": gsm8k_is_correct(cut, answer)})
    fixture["gsm8k"] = items

    items = []
    while len(items) < n:
        answer, value = gsm8k_gold(rng)
        raw = synthetic_text(rng, 10) + (rng.choice(["The answer is ", "\n", " "]) + value if rng.random() < 0.4 else "")
        items.append({"completion": raw, "answer": answer, "extracted": chat_gsm8k_extract_answer(raw),
                      "correct": chat_gsm8k_is_correct(raw, answer)})
    fixture["chat_gsm8k"] = items

    fixture["humaneval"] = []
    while len(fixture["humaneval"]) < n:
        raw = synthetic_response_code(rng, "add") + rng.choice(["", "<|endoftext|>junk", "\n\n\ndef more():"])
        fixture["humaneval"].append({"completion": raw, "cut": humaneval_decode_text(raw)})

    fixture["chat_humaneval_prompts"] = [
        {"prompt": p, "entry_point": e, "chat_prompt": chat_humaneval_prompt({"prompt": p, "entry_point": e})}
        for p, e in HUMANEVAL_PROMPTS]
    fixture["chat_humaneval"] = []
    while len(fixture["chat_humaneval"]) < n:
        entry = rng.choice(["add", "fib", "has_close_elements"])
        text = synthetic_response_code(rng, entry)
        fixture["chat_humaneval"].append({"text": text, "entry_point": entry, "code": extract_code(text, entry)})

    dev = [synthetic_row(rng) for _ in range(5)]
    zh_dev = [synthetic_row(rng, zh=True) for _ in range(5)]
    fixture["mmlu_prompts"], fixture["ceval_prompts"], fixture["cmmlu_prompts"] = [], [], []
    for subject in ["abstract_algebra", "high_school_us_history", "virology"]:
        row = synthetic_row(rng)
        fixture["mmlu_prompts"].append({
            "subject": subject, "dev": dev, "row": row,
            "prompt": mmlu_generate_few_shot_prompt(5, subject, dev) + mmlu_format_example(row, include_answer=False)})
    for _ in range(3):
        row = synthetic_row(rng, zh=True)
        fixture["ceval_prompts"].append({
            "dev": zh_dev, "row": row,
            "prompt": zh_generate_few_shot_prompt(5, zh_dev, ceval_format_example) + ceval_format_example(row, False)})
        cm = lambda r: {"Question": r["question"], **{c: r[c] for c in choices}, "Answer": r["answer"]}  # noqa: E731
        fixture["cmmlu_prompts"].append({
            "dev": zh_dev, "row": row,
            "prompt": zh_generate_few_shot_prompt(5, [cm(r) for r in zh_dev], cmmlu_format_example)
            + cmmlu_format_example(cm(row), False)})

    fixture["chat_mmlu_prompts"] = [{"row": r, "prompt": chat_mmlu_format_example(r)} for r in dev]
    # About a quarter of the replies need the fuzzy fallback; 500+ are decided by the regexes.
    fixture["chat_mmlu"] = chat_choice_items(rng, n + 200, False, synthetic_response_choice, chat_mmlu_extract_answer)

    fixture["chat_ceval_prompts"] = [{"row": r, "prompt": chat_ceval_format_example(r)} for r in zh_dev]
    fixture["chat_ceval"] = chat_choice_items(rng, n + 200, True, synthetic_response_zh, chat_ceval_extract_answer)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    counts = {k: len(v) for k, v in fixture.items() if isinstance(v, list)}
    print(f"wrote {OUT.relative_to(ROOT)}: {counts}")


if __name__ == "__main__":
    main()

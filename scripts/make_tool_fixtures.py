#!/usr/bin/env python3
"""Reference prompts for tool calling (QwenChat): Tests/Fixtures/variants/tools.json.

    python3 scripts/make_tool_fixtures.py

Tooling only. Needs transformers + jinja2 + tiktoken (scripts/requirements.txt), the real v1 vocabulary at
Tests/Fixtures/vocab/qwen.tiktoken (scripts/fetch_vocab.sh) and the Qwen2.5 HF tokenizer fixture at
Tests/Fixtures/tokenizer/qwen2-hf (scripts/make_fixtures.py --only tokenizer: vocab.json + merges.txt rebuilt from
qwen.tiktoken with the Qwen2.5 added tokens, including <tool_call> 151657 and </tool_call> 151658). Deterministic.

Where each reference comes from:
  * Qwen2.5 tool prompts: transformers' `apply_chat_template(messages, tools=tools, add_generation_prompt=True)` with
    the official Qwen2.5-Instruct template (QWEN25_CHAT_TEMPLATE of make_variant_fixtures.py, which Qwen2.5-Coder-
    Instruct shares) and with the Qwen2.5-Math-Instruct template (the same text with its own default system prompt,
    `Please reason step by step, and put your final answer within \\boxed{}.`, in both branches). Ids are those of
    `tokenize=True`, checked equal to encoding the rendered text.
  * Qwen v1 ReAct prompts: QwenLM/Qwen `openai_api.py` — TOOL_DESC, REACT_INSTRUCTION, `parse_messages`,
    `parse_response` and `text_complete_last_message`, restated line by line below — with `make_context` of
    `qwen_generation_utils.py` (make_variant_fixtures.v1_make_context) on tiktoken over qwen.tiktoken.
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import FIXTURES, write_text  # noqa: E402
from make_variant_fixtures import (  # noqa: E402
    QWEN25_CHAT_TEMPLATE, QWEN25_DEFAULT_SYSTEM, V1_DEFAULT_SYSTEM, V1Tokenizer, hf_tokenizer, v1_make_context)

OUT = FIXTURES / "variants" / "tools.json"

MATH_DEFAULT_SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}."
assert QWEN25_CHAT_TEMPLATE.count(QWEN25_DEFAULT_SYSTEM) == 2
QWEN25_MATH_CHAT_TEMPLATE = QWEN25_CHAT_TEMPLATE.replace(QWEN25_DEFAULT_SYSTEM, MATH_DEFAULT_SYSTEM.replace("\\", "\\\\"))

# ---------------------------------------------------------------------------------------------------------------
# Qwen2.5: conversations
# ---------------------------------------------------------------------------------------------------------------

WEATHER = {"type": "function", "function": {
    "name": "get_current_weather",
    "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["location"]}}}
CALCULATOR = {"type": "function", "function": {
    "name": "calculator",
    "description": "Evaluate an arithmetic expression",
    "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]}}}
SEARCH = {"type": "function", "function": {
    "name": "search_books",
    "description": "检索图书 — search the catalogue (\"quoted\" words are exact)",
    "parameters": {"type": "object", "properties": {
        "query": {"type": "string", "minLength": 1},
        "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        "score": {"type": "number", "minimum": 0.5, "maximum": 1e16},
        "tags": {"type": "array", "items": {"type": "string"}},
        "exact": {"type": "boolean"},
        "filter": {"type": ["object", "null"], "properties": {"year": {"type": "integer"}}}},
        "required": ["query"], "additionalProperties": False}}}
# A bare function object (no {"type": "function"} wrapper): the template prints whatever it is given.
BARE = {"name": "get_time", "description": "The current time", "parameters": {"type": "object", "properties": {}}}


def call(name, arguments, wrapped=True):
    if wrapped:
        return {"type": "function", "function": {"name": name, "arguments": arguments}}
    return {"name": name, "arguments": arguments}


def user(text):
    return {"role": "user", "content": text}


def assistant(text, calls=None):
    m = {"role": "assistant", "content": text}
    if calls is not None:
        m["tool_calls"] = calls
    return m


def tool(text):
    return {"role": "tool", "content": text}


def system(text):
    return {"role": "system", "content": text}


PARIS = call("get_current_weather", {"location": "Paris, France", "unit": "celsius"})
TOKYO = call("get_current_weather", {"location": "Tokyo", "unit": "fahrenheit"})

QWEN25_CASES = [
    # name, template ("instruct" | "coder" | "math"), tools, messages
    ("tools-default-system", "instruct", [WEATHER], [user("What's the weather like in Paris?")]),
    ("tools-custom-system", "instruct", [WEATHER, CALCULATOR],
     [system("You are a terse weather bot."), user("Weather in Tokyo? Also 2+2.")]),
    ("one-call-and-result", "instruct", [WEATHER],
     [user("What's the weather like in Paris?"), assistant("", [PARIS]),
      tool('{"temperature": 18, "condition": "cloudy"}')]),
    ("several-calls-merged-results", "instruct", [WEATHER],
     [user("Compare Paris and Tokyo."), assistant("", [PARIS, TOKYO]),
      tool('{"temperature": 18}'), tool('{"temperature": 75}')]),
    ("call-with-content", "instruct", [WEATHER, CALCULATOR],
     [user("How warm is Paris in Kelvin?"), assistant("Let me look that up first.", [PARIS]),
      tool("18 °C"), assistant("", [call("calculator", {"expression": "18 + 273.15"}, wrapped=False)]),
      tool("291.15")]),
    ("multi-round", "instruct", [WEATHER, CALCULATOR],
     [system("Answer with one sentence."), user("Weather in Paris?"), assistant("", [PARIS]), tool("sunny, 21"),
      assistant("It is sunny and 21 °C in Paris."), user("And what is 21 * 9 / 5 + 32?"),
      assistant("", [call("calculator", {"expression": "21 * 9 / 5 + 32"})]), tool("69.8")]),
    ("final-answer-then-question", "instruct", [WEATHER],
     [user("Paris?"), assistant("", [PARIS]), tool("rain"), assistant("It is raining in Paris."),
      user("Thanks! Any tips?")]),
    ("unwrapped-calls", "instruct", [CALCULATOR],
     [user("1/3?"), assistant("", [call("calculator", {"expression": "1/3"}, wrapped=False)]),
      tool("0.3333333333333333")]),
    ("argument-values", "instruct", [SEARCH],
     [user("Find books about 東京 with \"exact\" words"),
      assistant("", [call("search_books", {
          "query": "東京 \"night\"\tlife\nguide \\ 100%", "limit": 5, "score": 0.75, "tags": ["travel", "日本"],
          "exact": True, "filter": None, "big": 1e16, "tiny": 1e-05, "ratio": 2.0, "neg": -0.0, "ctl": "\u0001\u001f"})]),
      tool("[]")]),
    ("empty-arguments-bare-tool", "instruct", [BARE, WEATHER],
     [user("What time is it?"), assistant("", [call("get_time", {})]), tool("12:00")]),
    ("history-calls-without-tools", "instruct", [],
     [user("Paris?"), assistant("", [PARIS]), tool("rain"), user("So, umbrella?")]),
    ("later-system-message", "instruct", [CALCULATOR],
     [user("2+3?"), system("Use the calculator for every sum."), user("And 5+8?")]),
    ("three-results", "instruct", [WEATHER],
     [user("Paris, Tokyo, Lima?"),
      assistant("Checking three cities.", [PARIS, TOKYO, call("get_current_weather", {"location": "Lima"})]),
      tool("18"), tool("75"), tool("22")]),
    ("coder-default-system", "coder", [CALCULATOR],
     [user("Write Python that prints the sum of 17 and 25, and check it with the calculator.")]),
    ("coder-call-result", "coder", [CALCULATOR],
     [user("What is 17+25?"), assistant("", [call("calculator", {"expression": "17+25"})]), tool("42")]),
    ("math-default-system", "math", [CALCULATOR], [user("What is 12.5% of 640?")]),
    ("math-call-result", "math", [CALCULATOR],
     [user("Compute 3^7."), assistant("", [call("calculator", {"expression": "3**7"})]), tool("2187")]),
    ("math-custom-system", "math", [CALCULATOR], [system("You are a careful solver."), user("sqrt(2)?")]),
]

TEMPLATES = {"instruct": (QWEN25_CHAT_TEMPLATE, QWEN25_DEFAULT_SYSTEM), "coder": (QWEN25_CHAT_TEMPLATE, QWEN25_DEFAULT_SYSTEM),
             "math": (QWEN25_MATH_CHAT_TEMPLATE, MATH_DEFAULT_SYSTEM)}


def qwen25_fixture(tok):
    cases = []
    for name, kind, tools, messages in QWEN25_CASES:
        template, default_system = TEMPLATES[kind]
        kwargs = dict(chat_template=template, add_generation_prompt=True)
        if tools:
            kwargs["tools"] = copy.deepcopy(tools)
        text = tok.apply_chat_template(copy.deepcopy(messages), tokenize=False, **kwargs)
        ids = tok.apply_chat_template(copy.deepcopy(messages), tokenize=True, return_dict=False, **kwargs)
        assert ids == tok.encode(text, add_special_tokens=False), name
        assert all(s not in json.dumps(messages) for s in ("<|im_", "<tool_call>")), name  # no injection cases here
        cases.append({"name": name, "template": kind, "default_system": default_system, "tools": tools,
                      "messages": messages, "text": text, "ids": ids})
    assert len(cases) >= 15
    return cases


# ---------------------------------------------------------------------------------------------------------------
# Qwen v1 ReAct: openai_api.py restated
# ---------------------------------------------------------------------------------------------------------------

TOOL_DESC = (
    '{name_for_model}: Call this tool to interact with the {name_for_human} API.'
    ' What is the {name_for_human} API useful for? {description_for_model} Parameters: {parameters}'
)

REACT_INSTRUCTION = """Answer the following questions as best you can. You have access to the following APIs:

{tools_text}

Use the following format:

Question: the input question you must answer
Thought: you should always think about what to do
Action: the action to take, should be one of [{tools_name_text}]
Action Input: the input to the action
Observation: the result of the action
... (this Thought/Action/Action Input/Observation can be repeated zero or more times)
Thought: I now know the final answer
Final Answer: the final answer to the original input question

Begin!"""

_TEXT_COMPLETION_CMD = object()


class Msg:
    def __init__(self, role, content, function_call=None):
        self.role, self.content, self.function_call = role, content, function_call


def parse_messages(messages, functions):
    if all(m.role != 'user' for m in messages):
        raise ValueError('Invalid request: Expecting at least one user message.')
    messages = copy.deepcopy(messages)
    if messages[0].role == 'system':
        system = messages.pop(0).content.lstrip('\n').rstrip()
    else:
        system = 'You are a helpful assistant.'
    if functions:
        tools_text = []
        tools_name_text = []
        for func_info in functions:
            name = func_info.get('name', '')
            name_m = func_info.get('name_for_model', name)
            name_h = func_info.get('name_for_human', name)
            desc = func_info.get('description', '')
            desc_m = func_info.get('description_for_model', desc)
            tool = TOOL_DESC.format(
                name_for_model=name_m,
                name_for_human=name_h,
                description_for_model=desc_m,
                parameters=json.dumps(func_info['parameters'], ensure_ascii=False),
            )
            tools_text.append(tool)
            tools_name_text.append(name_m)
        tools_text = '\n\n'.join(tools_text)
        tools_name_text = ', '.join(tools_name_text)
        instruction = (REACT_INSTRUCTION.format(
            tools_text=tools_text,
            tools_name_text=tools_name_text,
        ).lstrip('\n').rstrip())
    else:
        instruction = ''
    messages_with_fncall = messages
    messages = []
    for m_idx, m in enumerate(messages_with_fncall):
        role, content, func_call = m.role, m.content, m.function_call
        content = content or ''
        content = content.lstrip('\n').rstrip()
        if role == 'function':
            if (len(messages) == 0) or (messages[-1].role != 'assistant'):
                raise ValueError('Invalid request: Expecting role assistant before role function.')
            messages[-1].content += f'\nObservation: {content}'
            if m_idx == len(messages_with_fncall) - 1:
                messages[-1].content += '\nThought:'
        elif role == 'assistant':
            if len(messages) == 0:
                raise ValueError('Invalid request: Expecting role user before role assistant.')
            if func_call is None:
                if functions:
                    content = f'Thought: I now know the final answer.\nFinal Answer: {content}'
            else:
                f_name, f_args = func_call['name'], func_call['arguments']
                if not content.startswith('Thought:'):
                    content = f'Thought: {content}'
                content = f'{content}\nAction: {f_name}\nAction Input: {f_args}'
            if messages[-1].role == 'user':
                messages.append(Msg('assistant', content.lstrip('\n').rstrip()))
            else:
                messages[-1].content += '\n' + content
        elif role == 'user':
            messages.append(Msg('user', content.lstrip('\n').rstrip()))
        else:
            raise ValueError(f'Invalid request: Incorrect role {role}.')
    query = _TEXT_COMPLETION_CMD
    if messages[-1].role == 'user':
        query = messages[-1].content
        messages = messages[:-1]
    if len(messages) % 2 != 0:
        raise ValueError('Invalid request')
    history = []
    for i in range(0, len(messages), 2):
        if messages[i].role == 'user' and messages[i + 1].role == 'assistant':
            usr_msg = messages[i].content.lstrip('\n').rstrip()
            bot_msg = messages[i + 1].content.lstrip('\n').rstrip()
            if instruction and (i == len(messages) - 2):
                usr_msg = f'{instruction}\n\nQuestion: {usr_msg}'
                instruction = ''
            history.append([usr_msg, bot_msg])
        else:
            raise ValueError('Invalid request: Expecting exactly one user (or function) role before every assistant role.')
    if instruction:
        assert query is not _TEXT_COMPLETION_CMD
        query = f'{instruction}\n\nQuestion: {query}'
    return query, history, system


def parse_response(response):
    func_name, func_args = '', ''
    i = response.find('\nAction:')
    j = response.find('\nAction Input:')
    k = response.find('\nObservation:')
    if 0 <= i < j:
        if k < j:
            response = response.rstrip() + '\nObservation:'
        k = response.find('\nObservation:')
        func_name = response[i + len('\nAction:'):j].strip()
        func_args = response[j + len('\nAction Input:'):k].strip()
    if func_name:
        response = response[:i]
        t = response.find('Thought: ')
        if t >= 0:
            response = response[t + len('Thought: '):]
        response = response.strip()
        return {"content": response, "function_call": {"name": func_name, "arguments": func_args}}
    z = response.rfind('\nFinal Answer: ')
    if z >= 0:
        response = response[z + len('\nFinal Answer: '):]
    return {"content": response, "function_call": None}


def text_completion_prompt(history, system):
    # text_complete_last_message: the prompt string (then tokenizer.encode(prompt), specials allowed).
    im_start = '<|im_start|>'
    im_end = '<|im_end|>'
    prompt = f'{im_start}system\n{system}{im_end}'
    for i, (query, response) in enumerate(history):
        query = query.lstrip('\n').rstrip()
        response = response.lstrip('\n').rstrip()
        prompt += f'\n{im_start}user\n{query}{im_end}'
        prompt += f'\n{im_start}assistant\n{response}{im_end}'
    prompt = prompt[:-len(im_end)]
    return prompt


V1_WEATHER = {"name": "get_current_weather", "description": "Get the current weather in a given location.",
              "parameters": {"type": "object", "properties": {"location": {"type": "string"},
                                                             "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                             "required": ["location"]}}
V1_IMAGE = {"name": "image_gen", "name_for_human": "文生图", "description": "ignored",
            "description_for_model": "文生图是一个AI绘画（图像生成）服务，输入文本描述，返回根据文本作画得到的图片的URL",
            "parameters": [{"name": "prompt", "description": "英文关键词，描述了希望图像具有什么内容", "required": True,
                            "schema": {"type": "string"}}]}


def fcall(name, args):
    return {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}


V1_CASES = [
    # name, functions, messages [(role, content, function_call)]
    ("question", [V1_WEATHER], [("user", "What's the weather like in Boston?", None)]),
    ("question-system-two-tools", [V1_WEATHER, V1_IMAGE],
     [("system", "\nYou are a helpful assistant with tools.  \n", None), ("user", "画一只猫\n", None)]),
    ("observation-continues", [V1_WEATHER],
     [("user", "What's the weather like in Boston?", None),
      ("assistant", "I should call the weather API.", fcall("get_current_weather", {"location": "Boston, MA"})),
      ("function", '{"temperature": "22", "unit": "celsius", "description": "Sunny"}', None)]),
    ("thought-prefix-kept", [V1_WEATHER],
     [("user", "Boston?", None),
      ("assistant", "Thought: I need the weather.", fcall("get_current_weather", {"location": "Boston", "unit": "celsius"})),
      ("function", "sunny", None)]),
    ("after-final-answer", [V1_WEATHER],
     [("user", "Boston?", None), ("assistant", "", fcall("get_current_weather", {"location": "Boston"})),
      ("function", "sunny", None), ("assistant", "It is sunny in Boston.", None), ("user", "And in 東京?", None)]),
    ("plain-history-with-tools", [V1_WEATHER],
     [("user", "Hi", None), ("assistant", "Hello! How can I help?", None), ("user", "Weather in Paris?", None)]),
]

V1_RESPONSES = [
    "Thought: I should look up the weather.\nAction: get_current_weather\nAction Input: {\"location\": \"Boston\"}\n",
    "Thought: need it\nAction: get_current_weather\nAction Input: {\"location\": \"Boston\"}\nObservation:",
    " I now know the final answer.\nFinal Answer: It is sunny, 22 °C.",
    "Thought: draw\nAction: image_gen\nAction Input: a cat, watercolor",
    "Just text, no format at all.",
    "Thought: x\nAction Input: {}\nAction: late",
    "Thought: a\nFinal Answer: first\nThought: b\nFinal Answer: second",
]


def v1_fixture(v1):
    cases = []
    for name, functions, raw in V1_CASES:
        messages = [Msg(r, c, f) for r, c, f in raw]
        query, history, system = parse_messages(messages, functions)
        case = {"name": name, "functions": functions,
                "messages": [{"role": r, "content": c, "function_call": f} for r, c, f in raw],
                "system": system, "history": history}
        if query is _TEXT_COMPLETION_CMD:
            prompt = text_completion_prompt(history, system)
            case.update(query=None, text=prompt, ids=v1.encode(prompt, allowed_special="all"))
        else:
            case.update(query=query, ids=v1_make_context(v1, query, [tuple(h) for h in history], system=system))
        cases.append(case)
    responses = [{"response": r, **parse_response(r)} for r in V1_RESPONSES]
    return {"tool_desc": TOOL_DESC, "react_instruction": REACT_INSTRUCTION, "stop_word": "Observation:",
            "default_system": V1_DEFAULT_SYSTEM, "cases": cases, "responses": responses}


def main():
    tok = hf_tokenizer()
    assert tok.convert_tokens_to_ids("<tool_call>") == 151657 and tok.convert_tokens_to_ids("</tool_call>") == 151658
    fixture = {"qwen25": qwen25_fixture(tok), "v1": v1_fixture(V1Tokenizer())}
    write_text(OUT, json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")
    print(f"{OUT.relative_to(FIXTURES.parent.parent)}: {len(fixture['qwen25'])} Qwen2.5 cases, "
          f"{len(fixture['v1']['cases'])} v1 cases, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()

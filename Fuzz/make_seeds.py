#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (Fuzz/Corpus/<target>/) from the repository's fixtures.

Tooling only (standard library). The committed corpora are these seeds after `scripts/fuzz.sh --merge`
has minimized them together with what the long runs found. Prompt-cache seeds come from the fuzz binary
itself (ZOO_FUZZ_MAKE_SEEDS), receipt seeds from `zoo generate --receipt`; scripts/fuzz.sh --seeds runs all three.
"""
import base64, json, os, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures")
OUT = os.path.join(ROOT, "Fuzz", "Corpus")


def put(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def read(*path, mode="rb"):
    with open(os.path.join(FIX, *path), mode) as f:
        return f.read()


def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + blob


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_value(v):
    if isinstance(v, bool):
        return struct.pack("<IB", 7, int(v))
    if isinstance(v, int):
        return struct.pack("<Ii", 5, v)
    if isinstance(v, float):
        return struct.pack("<If", 6, v)
    if isinstance(v, str):
        return struct.pack("<I", 8) + gguf_string(v)
    kind = 8 if isinstance(v[0], str) else 5
    items = b"".join(gguf_string(x) if kind == 8 else struct.pack("<i", x) for x in v)
    return struct.pack("<IIQ", 9, kind, len(v)) + items


def gguf(metadata, tensors):
    """tensors: (name, dims innermost first, ggml type, data)."""
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    for key, value in metadata.items():
        out += gguf_string(key) + gguf_value(value)
    offset, blob = 0, b""
    for name, dims, kind, data in tensors:
        out += gguf_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", kind, offset)
        pad = (-len(data)) % 32
        blob += data + b"\0" * pad
        offset += len(data) + pad
    out += b"\0" * ((-len(out)) % 32)
    return out + blob


def main():
    # safetensors: tiny files of each dtype, with metadata, and the head of a real fixture header.
    f32 = struct.pack("<4f", 1, 2, 3, 4)
    put("safetensors-header", "f32", safetensors([("a", "F32", [2, 2], f32)], {"format": "pt"}))
    put("safetensors-header", "f16-bf16", safetensors([("h", "F16", [2], b"\0<\0<"), ("b", "BF16", [1, 2], b"\x80?\x80?")]))
    put("safetensors-header", "scalar-empty", safetensors([("s", "F32", [], f32[:4]), ("e", "F32", [0, 3], b"")]))
    real = read("qwen2", "gqa-f32-untied", "model.safetensors")
    n = struct.unpack("<Q", real[:8])[0]
    header = json.loads(real[8:8 + n])
    small = {k: v for k, v in list(header.items())[:3]}
    put("safetensors-header", "fixture-header", struct.pack("<Q", len(json.dumps(small))) + json.dumps(small).encode())

    put("safetensors-index", "sharded", read("qwen2", "mqa-f32-sharded", "model.safetensors.index.json"))
    put("safetensors-index", "minimal", '{"metadata": {"total_size": 16}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}')

    # GGUF: a tiny qwen2 model with a tokenizer, and a small real fixture.
    tokens = ["a", "b", "ab", "Ġ", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "Ċ"]
    meta = {
        "general.architecture": "qwen2", "general.alignment": 32, "qwen2.embedding_length": 8,
        "qwen2.feed_forward_length": 16, "qwen2.block_count": 1, "qwen2.attention.head_count": 2,
        "qwen2.attention.head_count_kv": 1, "qwen2.context_length": 64,
        "qwen2.attention.layer_norm_rms_epsilon": 1e-6, "qwen2.rope.freq_base": 10000.0,
        "tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "qwen2", "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.token_type": [1, 1, 1, 1, 3, 3, 3, 1], "tokenizer.ggml.merges": ["a b"],
        "tokenizer.ggml.eos_token_id": 4, "tokenizer.ggml.bos_token_id": 4,
    }
    q8 = struct.pack("<e", 0.5) + bytes(range(32))
    put("gguf", "tiny-qwen2", gguf(meta, [("token_embd.weight", [8, 8], 0, b"\0" * 256), ("blk.0.ffn_up.weight", [32, 1], 8, q8)]))
    put("gguf", "fixture-q4_k-llama", read("gguf", "q4_k-source.llama.gguf"))

    for name, path in [("qwen2", ("qwen2", "gqa-f32-untied")), ("qwen2-yarn", ("qwen2", "yarn-f32-untied")),
                       ("v1", ("qwen-v1", "v1-plain")), ("v1-ntk-logn", ("qwen-v1", "v1-ntk-logn"))]:
        put("config", name, read(*path, "config.json"))

    tiktoken_lines = read("..", "Fixtures", "vocab", "qwen.tiktoken").split(b"\n")
    put("tiktoken", "qwen-head", b"\n".join(tiktoken_lines[:300]) + b"\n")
    put("tiktoken", "qwen-tail", b"\n".join(tiktoken_lines[-40:]))
    put("tokenizer-json", "small-bpe", read("tokenizer", "small-bpe", "tokenizer.json"))
    put("vocab-merges", "small-bpe", read("tokenizer", "small-bpe", "vocab.json") + b"\0"
        + read("tokenizer", "small-bpe", "merges.txt") + b"\0" + read("tokenizer", "qwen2-hf", "tokenizer_config.json"))
    put("vocab-merges", "no-config", read("tokenizer", "small-bpe", "vocab.json") + b"\0" + read("tokenizer", "small-bpe", "merges.txt"))

    corpus = json.loads(read("tokenizer", "corpus.json"))
    texts = sorted({case["text"] for case in corpus["cases"] if 0 < len(case["text"].encode()) <= 400})
    for i, text in enumerate(texts[::max(1, len(texts) // 24)][:24]):
        put("tokenizer-roundtrip", "corpus-%02d" % i, text)
    put("tokenizer-roundtrip", "combining", "e\u0301 A\u030a \uac00\u11a8 \u212b >\u0338 <|im_end|>")

    def zoo(*name):
        with open(os.path.join(ROOT, "zoo", *name)) as f:
            return f.read()
    chain = [zoo("qwen2.5-7b-instruct.yaml").replace("families/qwen2.5-instruct.yaml", "b.yaml"),
             zoo("families", "qwen2.5-instruct.yaml").replace("qwen2.yaml", "c.yaml"), zoo("families", "qwen2.yaml")]
    put("manifest", "three-layers", "\0".join(chain))
    put("manifest", "list-extends", "extends: [b.yaml, c.yaml]\nname: x\nseed: 3\nsampler:\n  - top_k: 5\n  - dry(multiplier=0.8): {}\n"
        "\0name: b\nstop: {strings: [\"\\n\"], ids: [1]}\n\0tokenizer: {kind: tiktoken, path: ${weights.path}/v}\n"
        "weights: {path: ${HOME:-/x}/m, mmap: false}\n")
    put("manifest", "cycle", "extends: b.yaml\nname: a\n\0extends: a.yaml\nvariant: {name: chat, format: qwen2.5}\n")
    put("manifest", "v1-chat", zoo("qwen-7b-chat.yaml").replace("families/qwen-v1-chat.yaml", "b.yaml") + "\0"
        + zoo("families", "qwen-v1-chat.yaml").replace("qwen-v1.yaml", "c.yaml") + "\0" + zoo("families", "qwen-v1.yaml"))

    for i, text in enumerate(["", "greedy", "temperature=0.7,top_k=20,top_p=0.8",
                              "repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7",
                              "dry(multiplier=0.8,base=1.75,allowed_length=2,sequence_breakers=[\"\\n\",\":\"])",
                              "min_p=0.05,typical_p=0.9,temperature=inf", "logit_bias(bias=(1=-inf,2=0.5)),top_k=1",
                              "mirostat(tau=5,eta=0.1),xtc(threshold=0.1,probability=0.5)"]):
        put("chain", "chain-%d" % i, text)

    # Constraint front ends: the validity test's GBNF grammars, schemas and regular expressions.
    grammars = os.path.join(FIX, "constrained", "grammars")
    for name in sorted(os.listdir(grammars)):
        put("grammar", name, read("constrained", "grammars", name))
    schemas = json.loads(read("constrained", "schemas.json", mode="r"))
    for name in sorted(schemas)[:12]:
        put("json-schema", name + ".json", json.dumps(schemas[name]))
    for i, pattern in enumerate([r"[A-Z]{2}-\d{3}", r"(\+\d{1,3} )?\(\d{3}\) \d{3}-\d{4}", "(yes|no|maybe)",
                                 r"[^\s]{1,6} [^\s]{1,6}", "(ab|cd)*x?", ".{1,10}", "(?:a|b)+?c", r"[\u00e0-\u00ff]{2,5}!"]):
        put("regex", "regex-%d" % i, pattern)
    tools = json.loads(read("variants", "tools.json", mode="r"))
    for case in tools["qwen25"][:6]:
        put("json", case["name"], json.dumps(case["tools"] + case["messages"], ensure_ascii=False))
        put("tool-calls", "messages-" + case["name"], json.dumps(case["messages"], ensure_ascii=False))
    put("json", "numbers", "[0, -0, 1.0, 1e16, 1e-7, -2.5E+3, 123456789012345678901234567890, \"\\ud83d\\ude00\\u0001\"]")
    replies = ["<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"1+1\"}}\n</tool_call>",
               "text <tool_call>\n{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"a\\\"}\"}\n</tool_call><tool_call>{\"name\"",
               "```json\n{\"name\": \"calculator\", \"arguments\": {}}\n```\n```\n[]\n```",
               "Thought: x\nAction: calculator\nAction Input: {\"expression\": \"2\"}\nObservation: 2\nThought: ok\nFinal Answer: 2"]
    for i, reply in enumerate(replies):
        put("tool-calls", "reply-%d" % i, reply)
    for case in tools["qwen25"][:3]:
        put("tool-calls", "tools-" + case["name"], json.dumps(case["tools"], ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())

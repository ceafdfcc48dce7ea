"""Tokenizer fixtures (called from make_fixtures.py): Tests/Fixtures/tokenizer/{corpus.json, qwen2-hf/, small-bpe/}."""
from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import sys
import sysconfig
import tempfile
import unicodedata
from pathlib import Path

from make_fixtures import FIXTURES, QWEN_PATTERN, VOCAB_FILE, VOCAB_SHA256, dumps_compact, write_json, write_text

OUT = FIXTURES / "tokenizer"

V1_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [f"<|extra_{i}|>" for i in range(205)]
N_RANKS = 151643
# Qwen2.5 added tokens, ids 151643..151664 (qwen-spec.md §3.3): (content, special)
QWEN25_ADDED = [
    ("<|endoftext|>", True), ("<|im_start|>", True), ("<|im_end|>", True),
    ("<|object_ref_start|>", True), ("<|object_ref_end|>", True), ("<|box_start|>", True), ("<|box_end|>", True),
    ("<|quad_start|>", True), ("<|quad_end|>", True), ("<|vision_start|>", True), ("<|vision_end|>", True),
    ("<|vision_pad|>", True), ("<|image_pad|>", True), ("<|video_pad|>", True),
    ("<tool_call>", False), ("</tool_call>", False), ("<|fim_prefix|>", False), ("<|fim_middle|>", False),
    ("<|fim_suffix|>", False), ("<|fim_pad|>", False), ("<|repo_name|>", False), ("<|file_sep|>", False),
]
SHARED_SPECIALS = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}

# Qwen2 ChatML template (Qwen1.5/Qwen2 style: default system prompt, "\n" after every <|im_end|>).
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


# ---------------------------------------------------------------------------------------------------------------
# tiktoken reference
# ---------------------------------------------------------------------------------------------------------------

def load_ranks() -> dict[bytes, int]:
    if not VOCAB_FILE.exists():
        raise SystemExit(f"{VOCAB_FILE} missing: run scripts/fetch_vocab.sh first")
    raw = VOCAB_FILE.read_bytes()
    if hashlib.sha256(raw).hexdigest() != VOCAB_SHA256:
        raise SystemExit(f"{VOCAB_FILE}: sha256 mismatch (expected {VOCAB_SHA256})")
    ranks = {}
    for line in raw.splitlines():
        if line:
            tok, r = line.split()
            ranks[base64.b64decode(tok)] = int(r)
    assert len(ranks) == N_RANKS and sorted(ranks.values()) == list(range(N_RANKS))
    return ranks


def tiktoken_encoding(ranks):
    import tiktoken

    return tiktoken.Encoding(
        name="qwen", pat_str=QWEN_PATTERN, mergeable_ranks=ranks,
        special_tokens={s: N_RANKS + i for i, s in enumerate(V1_SPECIALS)},
    )


# ---------------------------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------------------------

def _cases_static() -> list[tuple[str, str]]:
    c: list[tuple[str, str]] = []

    def add(prefix, items):
        for i, t in enumerate(items):
            c.append((f"{prefix}-{i:02d}", t))

    add("spec", [  # qwen-spec.md §3.5 vectors (ids asserted below)
        "Hello world", "Hello, world!", "Hello, world! 123", "你好，世界", "  def f(x):\n    return x**2\n", "12345",
        "3.14159", "What is the capital of France?", "I'm don't", "\t\tx", "a  b", "x\r\ny", "e\u0301", "🙂",
        "\n", "\n\n", "\n\n\n", "user", "assistant", "system", " A", " B", " C", " D", "Observation:",
        "\\boxed{18}", "Hello, world! How are you today?", 'print("<|endoftext|>")',
    ])
    add("en", [
        "The quick brown fox jumps over the lazy dog.",
        "It was the best of times, it was the worst of times.",
        "HELLO WORLD!!! Are you THERE???",
        "e-mail: someone@example.com, web: https://example.org/path?q=1&r=two#frag",
        "Mr. O'Neil paid $1,234.56 (incl. 7.5% tax) on 2024-03-15 at 10:30am.",
        "Well... I guess -- maybe -- it's fine; isn't it?",
        "A sentence with trailing spaces   ",
        "   Leading spaces then words",
        "Tabs\tbetween\twords\tand\t\tdouble\ttabs",
        "snake_case_identifier camelCaseIdentifier PascalCase SCREAMING_CASE kebab-case",
        "(parenthesised) [bracketed] {braced} <angled> \"quoted\" 'single'",
        "Semi;colon:colon,comma.period!bang?question",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "#hashtag @mention $variable %percent ^caret &ampersand *star",
        "Line one\nLine two\nLine three\n",
        "Paragraph one.\n\nParagraph two.\n\n\nParagraph three.",
        "Q: What is 2+2?\nA: 4.",
        "naïve café résumé coöperate façade jalapeño",
    ])
    add("zh", [
        "你好", "今天天气很好，我们去公园散步吧。", "人工智能是计算机科学的一个分支。",
        "中文，English，混合 mixed 文本 text。", "「引号」『书名号』《书名》〈尖括号〉",
        "一二三四五六七八九十百千万亿", "我爱北京天安门\n天安门上太阳升", "繁體中文：臺灣、香港、澳門。",
        "价格是￥１２３元（含税）。", "他说：“这是真的吗？”她回答：‘是的！’",
    ])
    add("ja", [
        "こんにちは世界", "カタカナとひらがなと漢字を混ぜた文章です。", "ｶﾀｶﾅ（半角）とカタカナ（全角）",
        "東京都渋谷区１－２－３", "私は学生です。よろしくお願いします！", "ラーメン🍜を食べたい",
        "「吾輩は猫である。名前はまだ無い。」", "ｱｲｳｴｵ ガギグゲゴ ぱぴぷぺぽ",
    ])
    add("ko", [
        "안녕하세요 세계", "한국어 문장은 띄어쓰기를 합니다.", "대한민국의 수도는 서울입니다.",
        "ㄱㄴㄷㄹ ㅏㅑㅓㅕ (compatibility jamo)", "Korean 한글 mixed 텍스트 123", "\u1100\u1161\u11a8 (conjoining jamo, NFC composes)",
    ])
    add("ar", [
        "مرحبا بالعالم", "اللغة العربية جميلة جداً.", "العدد ١٢٣٤٥ بالأرقام العربية الهندية",
        "كِتَابٌ مُفِيدٌ (with harakat)", "English then عربي then English",
    ])
    add("he", ["שלום עולם", "עברית נכתבת מימין לשמאל.", "בְּרֵאשִׁית בָּרָא (niqqud)", "Mixed עברית and English"])
    add("cyr", [
        "Привет, мир!", "Съешь же ещё этих мягких французских булок, да выпей чаю.", "ПРОПИСНЫЕ БУКВЫ И строчные",
        "Українська мова: ґ, є, і, ї.", "Српски: Ђорђе, Љубица, Њива, Џеп.", "Ёлка и ёжик",
    ])
    add("deva", ["नमस्ते दुनिया", "हिन्दी भाषा भारत में बोली जाती है।", "संस्कृतम् ॐ नमः शिवाय", "क्षत्रिय ज्ञान श्री"])
    add("th", ["สวัสดีชาวโลก", "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ", "กรุงเทพมหานคร อมรรัตนโกสินทร์", "๑๒๓๔๕ ตัวเลขไทย"])
    add("misc-script", [
        "Γειά σου Κόσμε, αβγδε ΑΒΓΔΕ", "Բարեւ աշխարհ", "გამარჯობა მსოფლიო", "ሰላም ልዑል", "ជំរាបសួរ ពិភពលោក",
        "Xin chào thế giới, tiếng Việt có dấu", "Zażółć gęślą jaźń", "Straße, groß, Fuß, ẞ", "İstanbul ıI iİ",
        "ᚠᚢᚦᚨᚱᚲ runes", "𓀀𓀁𓀂 hieroglyphs",
    ])
    add("emoji", [
        "😀😃😄😁", "👍 👍🏻 👍🏼 👍🏽 👍🏾 👍🏿", "👨‍👩‍👧‍👦 family", "👩‍❤️‍💋‍👨", "🏳️‍🌈 🏳️‍⚧️ 🏴‍☠️",
        "🇺🇸🇨🇳🇯🇵🇰🇷🇩🇪 flags", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 (tag sequence)", "1️⃣ 2️⃣ #️⃣ *️⃣ keycaps", "❤️ ❤ ♥️ (VS16)",
        "I ❤️ NY 🗽!", "🧑🏽‍💻 coding at 3am ☕☕☕", "🙂🙃🫠🫡 newer emoji", "emoji glued:text😀text😀", "🤷‍♀️🤷🏿‍♂️",
        "😀\n😃\n", "✅ Done ❌ Failed ⚠️ Warning",
    ])
    add("code", [
        "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
        "#include <stdio.h>\nint main(void) {\n\tprintf(\"%d\\n\", 42);\n\treturn 0;\n}\n",
        "fn main() {\n    let v: Vec<u32> = (0..10).map(|x| x * x).collect();\n    println!(\"{:?}\", v);\n}\n",
        "func greet(_ name: String) -> String {\n    return \"Hello, \\(name)!\"\n}\n",
        "const add = (a, b) => a + b;\nconsole.log(`sum=${add(1, 2)}`);\n",
        "SELECT id, name FROM users WHERE age >= 18 AND name LIKE '%son' ORDER BY id DESC;",
        "<!DOCTYPE html>\n<html><body><p class=\"x\">Hi &amp; bye</p></body></html>\n",
        "{\"key\": [1, 2.5, true, null], \"nested\": {\"a\": \"b\"}}",
        "#!/bin/bash\nfor f in *.txt; do\n  echo \"$f\" | tr 'a-z' 'A-Z' >> out.log 2>&1\ndone\n",
        "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n",
        "x = [i**2 for i in range(10) if i % 2 == 0]  # squares\n",
        "if (a != b && c <= d || !e) { x += 1; y -= 2; z *= 3; w /= 4; }",
        "    \n\tmixed indentation\n\t    more\n",
        "public static void main(String[] args) throws Exception {}",
        "matrix = [[1,2,3],[4,5,6]]\r\nprint(matrix[0][1])\r\n",
        "a:=1;b:=a<<2>>1;c:=a&^b|^c",
    ])
    add("ws", [
        " ", "  ", "   ", "    ", "        ", " " * 17, " " * 64, "\t", "\t\t", "\t\t\t\t", " \t \t ", "\t \t",
        "\n", "\r", "\r\n", "\r\n\r\n", "\n\r", "a\rb", "a\r\rb", "line\r", "\r\rx", "x \r\n y", "a\n\n\n\n\nb",
        "   \n", "  \n  \n", "\t\n", " \t\n\t ", "word   ", "word\t\t", "word   \n", "   word", "\t\tword",
        "a   b", "a \t b", "a\t\tb", " .", "  .", "   !x", "\t,", " \n", "  \nabc", "x  \n  y",
        "\u00a0nbsp\u00a0\u00a0two", "\u2003em space\u3000ideographic space", "\u2028line sep\u2029para sep",
        "\u0085next line", "\u000bvtab\u000cformfeed", "trailing\n", "trailing\n\n", "no trailing newline",
        " " * 5 + "\n" + " " * 5, "\t" * 3 + "\n", "a" + " " * 9 + "b" + "\t" * 4 + "c",
    ])
    add("num", [
        "0", "7", "42", "1234567890", "3.14159265358979323846", "-273.15", "1e-10", "6.022e23", "0x1F 0b1010 0o777",
        "1,000,000", "१२३ ١٢٣ ۱۲۳ ๑๒๓", "１２３ (fullwidth)", "½ ¾ ⅔ ² ³ ① ② Ⅻ", "99 bottles", "2024年3月15日",
        "a1b2c3", "v1.2.3-beta.4+build.5", "98765432109876543210987654321",
    ])
    contractions = []
    for suf in ["s", "t", "re", "ve", "m", "ll", "d"]:
        for variant in dict.fromkeys([suf, suf.upper(), suf.capitalize()]):
            contractions.append(f"it'{variant}")
    contractions += [
        "IT'S HE'LL WE'RE THEY'VE I'M SHE'D DON'T", "It'S He'Ll We'Re They'Ve I'M She'D Don'T",
        "it’s don’t we’re (curly apostrophes)", "'s 't 're 've 'm 'll 'd", "''s '''t", "rock'n'roll o'clock",
        "the cat's 'toy'", "'hello' \"world\"", "James' books", "l'homme d'état", "y'all'd've", "'S'LL'RE",
    ]
    add("contr", contractions)
    add("special", [
        "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|extra_0|>", "<|extra_204|>", "<|extra_205|>",
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        "text<|endoftext|>more text", "<|endoftext|><|endoftext|>", "a<|im_end|>b<|im_start|>c",
        "<|im_end", "im_end|>", "<|im_end|", "<|", "|>", "<||>", "< |im_end| >", "<|IM_END|>", "<|endoftext|>\n",
        " <|im_start|> ", "<tool_call>\n{\"name\": \"f\"}\n</tool_call>", "<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>",
        "<|repo_name|>r\n<|file_sep|>a.py\nx=1", "<|vision_start|><|image_pad|><|vision_end|>", "<|extra_0|>hello<|extra_1|>",
        "<|box_start|>(1,2)<|box_end|>", "<<|im_start|>>", "<|endoftext|>\u0338",
    ])
    add("uni", [
        "e\u0301 a\u0300 o\u0308 n\u0303", unicodedata.normalize("NFD", "Ça va? Élève, naïve, Ångström, Hàn Quốc"),
        "\u1e9b\u0323 (long s dot)", "A\u030a vs \u00c5 vs \u212b (Angstrom sign)", "\u0041\u0301\u0302\u0303\u0304 stacked",
        "zero\u200bwidth\u200bspace", "a\u200db (ZWJ)", "a\u200cb (ZWNJ)", "\ufeffBOM at start", "mid\ufeffBOM",
        "replacement \ufffd char", "private \ue000\uf8ff use", "nonchar \uffff \ufffe \ufdd0", "astral nonchar \U0010ffff",
        "\x00nul\x01soh\x07bel\x1besc\x7fdel", "\x80\x9f C1 controls", "CJK ext B: \U00020000\U0002a6d6\U00020bb7",
        "math: \U0001d400\U0001d401\U0001d41a \U0001d7ce\U0001d7cf", "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ！？", "\u202eRTL override\u202c",
        "\u200fRLM \u200eLRM \u061cALM", "ﬁ ﬂ ﬀ ligatures", "Ⓐⓑ ㈱ ㎞ ℡ ™", "Å (U+212B) and Ω (U+2126) are NFC-changed",
        "\U0001f600\u0301 emoji+combining", "\u0915\u094d\u200d\u0937 ZWJ in Devanagari", "\ud55c\uae00 vs \u1112\u1161\u11ab\u1100\u1173\u11af",
        "\u0958\u0959 (Devanagari composition exclusions)", "\u2126\u212a\u212b", "\u0344 \u0340 \u0341 (singletons)",
        ">\u0338 =\u0338 <\u0338 (NFC composes)", "\u3099\u309a combining kana marks alone", "\u0300 leading combining",
        "\U000e0041\U000e0042 tag chars", "\u2060word joiner\u2061\u2062\u2063", "\u180e Mongolian vowel separator",
    ])
    single = ["", "a", "Z", "0", " ", ".", "'", "\"", "\\", "é", "中", "😀", "\t", "\n", "\r", "\x00", "\u00a0",
              "\ufffd", "\U0010fffd", "ß", "ﬃ", "\u0301", "'s", "$", "<", "|", "_"]
    add("single", single)
    return c


FRAGMENTS = [
    "hello", "World", " ", "  ", "\t", "\n", "\r\n", "\r", "'s", "'LL", "’re", "123", "4", "3.14", "-", "...", "!!", "?",
    "你好", "世界", "こんにちは", "カタカナ", "안녕", "مرحبا", "שלום", "Привет", "नमस्ते", "สวัสดี", "😀", "👍🏽",
    "👨‍👩‍👧", "🇯🇵", "1️⃣", "e\u0301", "\u200b", "\u200d", "\ufeff", "\ufffd", "\uffff", "\U00020000", "\U0001d400",
    "ＡＢＣ", "\u202e", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|extra_7|>", "<|im_end", "def ", "():",
    "    return", "{", "}", "[", "]", "==", "->", "//", "/*", "*/", "#", "@", "$", "%", "^", "&&", "||", "\\n", "\"",
    "'", "`", "~", "é", "ñ", "ü", "Ω", "Å", "\x00", "\x1b", "\x7f", "\u00a0", "\u3000",
]


def _random_char(rng: random.Random) -> str:
    ranges = [(0x20, 0x7e), (0x00, 0x1f), (0xa0, 0x2ff), (0x300, 0x36f), (0x370, 0x52f), (0x590, 0x6ff), (0x900, 0x97f),
              (0xe00, 0xe7f), (0x1100, 0x11ff), (0x2000, 0x206f), (0x3000, 0x30ff), (0x4e00, 0x9fff), (0xac00, 0xd7a3),
              (0xe000, 0xf8ff), (0xfb00, 0xfb4f), (0xfe00, 0xfe0f), (0xff00, 0xffef), (0xfff0, 0xffff),
              (0x1f300, 0x1faff), (0x1d400, 0x1d7ff), (0x20000, 0x2a6df), (0xe0000, 0xe007f), (0x10fff0, 0x10ffff)]
    lo, hi = rng.choice(ranges)
    cp = rng.randint(lo, hi)
    assert not 0xd800 <= cp <= 0xdfff
    return chr(cp)


def _cases_random() -> list[tuple[str, str]]:
    rng = random.Random(20240601)
    out = []
    for i in range(80):
        parts = []
        for _ in range(rng.randint(1, 24)):
            r = rng.random()
            if r < 0.55:
                parts.append(rng.choice(FRAGMENTS))
            elif r < 0.85:
                parts.append(_random_char(rng))
            else:
                parts.append("".join(_random_char(rng) for _ in range(rng.randint(2, 6))))
        out.append((f"random-{i:02d}", "".join(parts)))
    # Pure random byte-ish ASCII (punctuation-heavy).
    for i in range(10):
        out.append((f"random-ascii-{i:02d}", "".join(chr(rng.randint(0x09, 0x7e)) for _ in range(rng.randint(5, 60)))))
    return out


STDLIB_CHUNKS = [("textwrap.py", 0, 2000), ("json/decoder.py", 1000, 3000), ("string.py", 0, 1500),
                 ("difflib.py", 5000, 5000), ("base64.py", 2000, 1200), ("html/entities.py", 3000, 2500)]


def _cases_stdlib() -> list[tuple[str, str]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    out = []
    for rel, start, length in STDLIB_CHUNKS:
        text = (stdlib / rel).read_text(encoding="utf-8")
        # Align to line starts so the chunk is readable.
        s = text.rfind("\n", 0, start) + 1 if start else 0
        chunk = text[s:s + length]
        out.append((f"stdlib-{rel.replace('/', '-')}", chunk))
    return out


def build_corpus_texts() -> list[tuple[str, str]]:
    cases = _cases_static() + _cases_random() + _cases_stdlib()
    names = [n for n, _ in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    for n, t in cases:
        t.encode("utf-8")  # no lone surrogates
    return cases


# ---------------------------------------------------------------------------------------------------------------
# HF files from qwen.tiktoken (perf-anchors.md §1)
# ---------------------------------------------------------------------------------------------------------------

def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def bpe_split(token: bytes, ranks: dict[bytes, int], max_rank: int) -> list[bytes]:
    parts = [bytes([b]) for b in token]
    while True:
        best, best_i = None, -1
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and r < max_rank and (best is None or r < best):
                best, best_i = r, i
        if best is None:
            return parts
        parts[best_i:best_i + 2] = [parts[best_i] + parts[best_i + 1]]


def build_vocab_merges(ranks):
    b2u = bytes_to_unicode()
    enc = lambda bs: "".join(b2u[b] for b in bs)  # noqa: E731
    by_rank = sorted(ranks.items(), key=lambda kv: kv[1])
    vocab = {enc(tok): r for tok, r in by_rank}
    assert len(vocab) == N_RANKS
    merges = []
    for tok, r in by_rank:
        if len(tok) == 1:
            continue
        parts = bpe_split(tok, ranks, r)
        if len(parts) != 2:
            raise SystemExit(f"token rank {r} {tok!r}: BPE with lower ranks gives {len(parts)} parts")
        merges.append((enc(parts[0]), enc(parts[1])))
    return vocab, merges


def build_qwen2_hf(ranks, out: Path):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import BPE

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    vocab, merges = build_vocab_merges(ranks)
    print(f"[tokenizer] vocab {len(vocab)} entries, merges {len(merges)}")
    write_text(out / "vocab.json", json.dumps(vocab, ensure_ascii=False, separators=(",", ":")))
    write_text(out / "merges.txt", "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))

    tok = Tokenizer(BPE(vocab=vocab, merges=merges, dropout=None, unk_token=None, continuing_subword_prefix="",
                        end_of_word_suffix="", fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    for i, (content, special) in enumerate(QWEN25_ADDED):
        at = AddedToken(content, single_word=False, lstrip=False, rstrip=False, normalized=False, special=special)
        if special:
            tok.add_special_tokens([at])
        else:
            tok.add_tokens([at])
        assert tok.token_to_id(content) == N_RANKS + i, content
    tok.save(str(out / "tokenizer.json"), pretty=False)

    decoder = {
        str(N_RANKS + i): {"content": content, "lstrip": False, "normalized": False, "rstrip": False,
                           "single_word": False, "special": special}
        for i, (content, special) in enumerate(QWEN25_ADDED)
    }
    write_json(out / "tokenizer_config.json", {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": decoder,
        "additional_special_tokens": [c for c, s in QWEN25_ADDED[1:] if s],
        "bos_token": None,
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": 32768,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    })


# ---------------------------------------------------------------------------------------------------------------
# small-bpe
# ---------------------------------------------------------------------------------------------------------------

SMALL_TRAIN_TEXT = """\
The quick brown fox jumps over the lazy dog. The five boxing wizards jump quickly.
Pack my box with five dozen liquor jugs. How vexingly quick daft zebras jump!
It's a truth universally acknowledged that tokenizers need tests; we'll write them, they're useful, I'd say.
def tokenize(text):
    for word in text.split():
        yield word.lower()

class Token:
    def __init__(self, id, text):
        self.id = id
        self.text = text

for i in range(10):
    print(i, i * i, "square")
Numbers: 0 1 2 3 4 5 6 7 8 9 10 100 1000 3.14 2.71828
Hello, world! Hello again, world. Goodbye, world?
Café naïve résumé — déjà vu. Straße.
你好世界，今天天气很好。中文文本用于测试。
こんにちは、世界。カタカナ。
Привет, мир! Как дела?
😀 😃 👍🏽 🇯🇵
The model reads the text, the tokenizer splits the text into tokens, and the tokens become ids.
In the beginning was the word, and the word was tokenized into many many pieces.
"""


SMALL_CASES = [
    "", "Hello, world!", "the the the", "The quick brown fox", "tokenizer tokenizers tokenize", "it's they're we'll I'd",
    "IT'S THEY'RE", "  leading spaces", "trailing spaces   ", "tabs\tand\nnewlines\r\n", "x\r\ny", "1234567890",
    "3.14159", "def f(x):\n    return x * x\n", "print(i, i * i)", "你好世界", "こんにちは", "Привет мир", "😀👍🏽🇯🇵",
    "e\u0301 (NFD é)", "Café naïve", "<|endoftext|>", "text<|endoftext|>more", "zzzz qqqq xxxx", "\u00a0\u3000",
    "words that never appeared: xylophone quartz", "aaaaaaaaaaaaaaaaaaaa", "   \n\n   \n", "ÿþ\x00\x01", "a  b   c    d",
]


def build_small_bpe(out: Path):
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors, trainers
    from tokenizers.models import BPE

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    tok = Tokenizer(BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(vocab_size=400, min_frequency=1, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"])
    tok.train_from_iterator(SMALL_TRAIN_TEXT.splitlines(keepends=True), trainer=trainer)
    tok.save(str(out / "tokenizer.json"), pretty=False)
    model_json = json.loads(tok.to_str())["model"]
    vocab = {k: v for k, v in sorted(model_json["vocab"].items(), key=lambda kv: kv[1])}
    merges = [m if isinstance(m, str) else f"{m[0]} {m[1]}" for m in model_json["merges"]]
    write_text(out / "vocab.json", json.dumps(vocab, ensure_ascii=False, separators=(",", ":")))
    write_text(out / "merges.txt", "#version: 0.2\n" + "".join(m + "\n" for m in merges))
    write_text(out / "training_text.txt", SMALL_TRAIN_TEXT)
    cases = [{"text": t, "ids": tok.encode(t, add_special_tokens=False).ids} for t in SMALL_CASES]
    # Cross-check: a BPE rebuilt from vocab.json + merges.txt only gives the same ids.
    tok2 = Tokenizer(BPE(vocab=vocab, merges=[tuple(m.split(" ")) for m in merges], unk_token=None))
    tok2.normalizer, tok2.pre_tokenizer = tok.normalizer, tok.pre_tokenizer
    tok2.add_special_tokens(["<|endoftext|>"])
    bad = sum(tok2.encode(c["text"], add_special_tokens=False).ids != c["ids"] for c in cases)
    lines = ",\n".join("  " + dumps_compact(c) for c in cases)
    write_text(out / "cases.json", "[\n" + lines + "\n]\n")
    print(f"[tokenizer] small-bpe: vocab {len(vocab)}, merges {len(merges)}, {len(cases)} cases, "
          f"vocab.json+merges.txt rebuild mismatches: {bad}")
    if bad:
        raise SystemExit("small-bpe: rebuilt tokenizer disagrees")


# ---------------------------------------------------------------------------------------------------------------

# Cases where ids_hf legitimately differs from tiktoken-with-the-3-shared-specials (explained in the corpus "note").
KNOWN_HF_DIFFERENCES = {
    "<|endoftext|>\u0338": "HF matches added tokens in the raw text before NFC, so it sees <|endoftext|> and then a lone "
                           "U+0338; NFC of the whole text first composes '>'+U+0338 into U+226F, which hides the special "
                           "from tiktoken.",
}

SPEC_VECTORS = {
    "Hello world": [9707, 1879], "Hello, world!": [9707, 11, 1879, 0],
    "Hello, world! 123": [9707, 11, 1879, 0, 220, 16, 17, 18], "你好，世界": [108386, 3837, 99489],
    "  def f(x):\n    return x**2\n": [220, 707, 282, 2075, 982, 262, 470, 856, 334, 17, 198],
    "12345": [16, 17, 18, 19, 20], "3.14159": [18, 13, 16, 19, 16, 20, 24],
    "What is the capital of France?": [3838, 374, 279, 6722, 315, 9625, 30], "I'm don't": [40, 2776, 1513, 944],
    "\t\tx": [197, 10225], "a  b": [64, 220, 293], "x\r\ny": [87, 319, 88], "e\u0301": [963], "🙂": [145080],
    "\n": [198], "\n\n": [271], "\n\n\n": [1406], "user": [872], "assistant": [77091], "system": [8948],
    " A": [362], " B": [425], " C": [356], " D": [422], "Observation:": [37763, 367, 25],
    "\\boxed{18}": [59, 79075, 90, 16, 23, 92],
    "Hello, world! How are you today?": [9707, 11, 1879, 0, 2585, 525, 498, 3351, 30],
}


def make_tokenizer_fixtures():
    from transformers import AutoTokenizer, Qwen2Tokenizer
    import transformers

    transformers.utils.logging.set_verbosity_error()
    ranks = load_ranks()
    enc = tiktoken_encoding(ranks)
    assert enc.encode('print("<|endoftext|>")', allowed_special=set(), disallowed_special=()) == \
        [1350, 9639, 91, 8691, 723, 427, 91, 82598]
    assert enc.encode('print("<|endoftext|>")', allowed_special="all") == [1350, 445, 151643, 899]
    chat = "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|endoftext|>"
    assert enc.encode(chat, allowed_special="all") == [151644, 8948, 198, 2610, 525, 264, 10950, 17847, 151645, 198,
                                                       151644, 872, 198, 6023, 151645, 198, 151643]  # perf-anchors §1

    hf_dir = OUT / "qwen2-hf"
    build_qwen2_hf(ranks, hf_dir)
    hf = AutoTokenizer.from_pretrained(str(hf_dir))
    print(f"[tokenizer] AutoTokenizer loaded {type(hf).__name__}, len {len(hf)}")
    # Second HF view: Qwen2Tokenizer from vocab.json + merges.txt + tokenizer_config.json only.
    with tempfile.TemporaryDirectory() as td:
        for f in ("vocab.json", "merges.txt", "tokenizer_config.json"):
            shutil.copy(hf_dir / f, Path(td) / f)
        hf_slow = Qwen2Tokenizer.from_pretrained(td)
    qwen25_only = [c for c, _ in QWEN25_ADDED if c not in SHARED_SPECIALS]
    all_special_strings = set(V1_SPECIALS) | {c for c, _ in QWEN25_ADDED}

    cases = []
    plain_mismatch = special_mismatch = special_compared = plain_compared = slow_mismatch = decode_mismatch = 0
    for name, text in build_corpus_texts():
        nfc = unicodedata.normalize("NFC", text)
        ids = enc.encode(nfc, allowed_special=set(), disallowed_special=())
        ids_special = enc.encode(nfc, allowed_special="all")
        ids_hf = hf.encode(text, add_special_tokens=False)
        if text in SPEC_VECTORS:
            assert ids == SPEC_VECTORS[text], (text, ids)
        has_special = any(s in text or s in nfc for s in all_special_strings)
        if not has_special:
            plain_compared += 1
            assert ids == ids_special
            if ids_hf != ids:
                plain_mismatch += 1
                print(f"  MISMATCH plain {name!r}: tiktoken {ids} hf {ids_hf}")
            if hf_slow.encode(text, add_special_tokens=False) != ids:
                slow_mismatch += 1
            if enc.decode_bytes(ids) != nfc.encode("utf-8") or hf.decode(ids_hf) != nfc:
                decode_mismatch += 1
                print(f"  DECODE MISMATCH {name!r}")
        elif not any(s in text for s in qwen25_only):
            special_compared += 1
            shared = enc.encode(nfc, allowed_special=SHARED_SPECIALS, disallowed_special=())
            if ids_hf != shared and text in KNOWN_HF_DIFFERENCES:
                print(f"  expected difference {name!r}: tiktoken(3 shared specials) {shared} hf {ids_hf}")
            elif ids_hf != shared:
                special_mismatch += 1
                print(f"  MISMATCH special {name!r}: tiktoken(3 shared specials) {shared} hf {ids_hf}")
        case = {"name": name, "text": text, "ids": ids, "ids_special": ids_special, "ids_hf": ids_hf}
        if nfc != text:
            case["nfc_changed"] = True
        if text in KNOWN_HF_DIFFERENCES:
            case["note"] = KNOWN_HF_DIFFERENCES[text]
        cases.append(case)
    print(f"[tokenizer] corpus: {len(cases)} cases ({sum('nfc_changed' in c for c in cases)} changed by NFC)")
    print(f"[tokenizer] HF (tokenizer.json) vs tiktoken, plain text: {plain_mismatch} mismatches of {plain_compared}")
    print(f"[tokenizer] HF Qwen2Tokenizer (vocab.json+merges.txt only) vs tiktoken, plain text: "
          f"{slow_mismatch} mismatches of {plain_compared}")
    print(f"[tokenizer] decode round trip (tiktoken bytes and HF decode == NFC text): {decode_mismatch} mismatches")
    print(f"[tokenizer] HF vs tiktoken with the 3 shared specials, special-string cases: "
          f"{special_mismatch} unexpected mismatches of {special_compared} "
          f"(+{len(KNOWN_HF_DIFFERENCES)} expected, see 'note')")
    if plain_mismatch or slow_mismatch or decode_mismatch or special_mismatch:
        raise SystemExit("HF tokenizer disagrees with tiktoken on plain text")
    if len(cases) < 250:
        raise SystemExit(f"corpus has only {len(cases)} cases")

    desc = ("Qwen tokenizer reference. text: the raw string. ids: tiktoken (qwen.tiktoken ranks, Qwen pattern) of "
            "NFC(text) with no special tokens recognised (special strings are BPE'd as text). ids_special: same but "
            "all 208 Qwen v1 specials recognised (<|endoftext|>=151643, <|im_start|>=151644, <|im_end|>=151645, "
            "<|extra_0..204|>=151646..151850). ids_hf: transformers Qwen2Tokenizer from qwen2-hf/tokenizer.json on the "
            "raw text (it applies NFC and splits out its 22 Qwen2.5 added tokens, ids 151643..151664; <|extra_N|> "
            "are plain text there). nfc_changed: NFC altered the text. Generated by scripts/make_fixtures.py; "
            f"stdlib chunks come from CPython {sys.version.split()[0]}.")
    body = ",\n".join("  " + dumps_compact(c) for c in cases)
    write_text(OUT / "corpus.json", "{\"description\": " + json.dumps(desc) + ",\n\"cases\": [\n" + body + "\n]}\n")
    build_small_bpe(OUT / "small-bpe")

"""The Qwen-pattern byte-level BPE pipeline shared by the tokenizer-training scripts (tooling only).

Qwen2's `tokenizer.json` pipeline: NFC -> Split(Qwen regex, isolated) -> ByteLevel(no prefix space, no regex) -> BPE,
ByteLevel post-processor and decoder. `train_qwen_bpe` trains such a BPE with HF `tokenizers`; `add_qwen25_tokens`
appends Qwen2.5's 22 added tokens right after the BPE ids, in Qwen2.5's order and with its `special` flags.
Used by make_zoo_fixture.py (Tests/Fixtures/zoo-tiny) and train_nano.py (zoo/models/nano-*).
"""
from __future__ import annotations

from collections.abc import Iterable

from make_fixtures import QWEN_PATTERN
from make_tokenizer_fixtures import QWEN25_ADDED


def qwen_bpe_pipeline(tok):
    """Set the Qwen2 normalizer, pre-tokenizer, post-processor and decoder on `tok`; returns it."""
    from tokenizers import Regex, decoders, normalizers, pre_tokenizers, processors

    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    return tok


def train_qwen_bpe(texts: Iterable[str], vocab_size: int, min_frequency: int):
    """A BPE of exactly `vocab_size` tokens (the 256-byte alphabet, then merges) trained on `texts`, no added tokens."""
    from tokenizers import Tokenizer, pre_tokenizers, trainers
    from tokenizers.models import BPE

    tok = qwen_bpe_pipeline(Tokenizer(BPE(unk_token=None, fuse_unk=False, byte_fallback=False)))
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(texts, trainer=trainer)
    assert tok.get_vocab_size() == vocab_size, tok.get_vocab_size()
    return tok


def add_qwen25_tokens(tok, first_id: int):
    """Append Qwen2.5's 22 added tokens at first_id, first_id + 1, ... (special ones as special tokens)."""
    from tokenizers import AddedToken

    for i, (content, special) in enumerate(QWEN25_ADDED):
        at = AddedToken(content, single_word=False, lstrip=False, rstrip=False, normalized=False, special=special)
        (tok.add_special_tokens if special else tok.add_tokens)([at])
        assert tok.token_to_id(content) == first_id + i, content
    return tok

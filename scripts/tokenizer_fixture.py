#!/usr/bin/python3
"""Writes a SentencePiece-style Unigram tokenizer.json shaped like SigLIP's (NFKC,
Metaspace '▁' pre-tokenizer, Unigram pieces with log-probabilities, '</s>' appended,
'<pad>'=0 '</s>'=1 '<unk>'=2), tricky strings to tokenize, and open_clip's
canonicalisation of each string computed with Python itself, for TokenizerReferenceTest.
Reference ids come from an independent implementation of the same tokenizer.json,
Hugging Face's tokenizers.js (scripts/tokenizer-reference/reference.mjs).

    python3 scripts/tokenizer_fixture.py OUT_DIR
"""
import html
import json
import math
import os
import string
import sys

WORDS = ("a an the of in on with and photo picture image red blue green yellow leather handbag gold buckle shoe "
         "dress car cat dog house street night day old new small large vintage modern ecole deja vu don t "
         "stop running jumped quick brown fox over lazy").split()
STRINGS = [
    "",
    " ",
    "red leather handbag with gold buckle",
    "Red Leather HANDBAG, with a Gold Buckle!",
    "École déjà-vu",
    "日本の写真",
    "emoji 😀 test 🐱‍👤",
    "multiple   spaces\tand\nnewlines",
    "punctuation!!! ??? ... ;-) [brackets] {braces}",
    "don't stop_running",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ",
    "numbers 12345 3.14 1,000,000",
    "a" * 300,
    " ".join(["the quick brown fox jumped over the lazy dog"] * 20),
    "\u00a0non-breaking\u2009thin\u200bzero-width",
    # where Python's whitespace (str.split, str.strip) and Java's differ: the information
    # separators are white space to Python only; zero-width and BOM to neither
    "file\x1cgroup\x1drecord\x1eunit\x1fend",
    "\x1c\x1f edges \x1e",
    "next\x85line\u2028line\u2029para",
    "ogham\u1680space\u202fnarrow\u205fmath\u3000ideographic\u2007figure",
    "\u180emongolian\u200bzero\ufeffbom\x00nul\x7fdel",
    "\x0bvertical\x0cform\rreturn",
    # lower-casing rules both languages must share: dotted I, final sigma, title-case digraphs
    "İSTANBUL ΟΔΟΣ ǅungla ẞtraße",
    "under_score__double snake_case_name",
]


def pieces():
    chars = sorted(set(string.ascii_lowercase + string.digits + string.punctuation + "éàçü日本の写真"))
    vocab = [["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["\u2581", -2.0]]
    seen = {p for p, _ in vocab}
    def add(p, score):
        if p not in seen:
            seen.add(p)
            vocab.append([p, score])
    for i, w in enumerate(WORDS):
        add("\u2581" + w, -3.0 - 0.01 * i)
        for cut in range(2, len(w)):
            add(w[:cut], -8.0 - 0.1 * cut)
            add(w[cut:], -8.5 - 0.1 * cut)
    for c in chars:
        add(c, -10.0)
        add("\u2581" + c, -10.5)
    return vocab


def tokenizer():
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in enumerate(["<pad>", "</s>", "<unk>"])],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}},
                                    {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 2, "vocab": pieces(), "byte_fallback": False},
    }


def canonicalize(text):  # open_clip's _clean_canonicalize (basic_clean without ftfy, which is not reproduced)
    text = html.unescape(html.unescape(text)).strip()
    text = text.replace("_", " ").translate(str.maketrans("", "", string.punctuation)).lower()
    return " ".join(text.split()).strip()


def lower(text):  # open_clip's _clean_lower: basic_clean (without ftfy), whitespace_clean, then lower
    return " ".join(html.unescape(html.unescape(text)).strip().split()).strip().lower()


def main(out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer(), f, ensure_ascii=False)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 64, "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}, f)
    with open(os.path.join(out, "strings.json"), "w", encoding="utf-8") as f:
        json.dump({"context_length": 64, "pad_id": 0, "strings": STRINGS,
                   "canonicalized": [canonicalize(s) for s in STRINGS], "lowered": [lower(s) for s in STRINGS]}, f, ensure_ascii=False)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tokenizer_fixture.py OUT_DIR")
    main(sys.argv[1])

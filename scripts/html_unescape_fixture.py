#!/usr/bin/env python3
"""HTML references that open_clip's basic_clean unescapes (Python's html.unescape, twice), with
what Python makes of them, for HtmlUnescapeTest: usage: html_unescape_fixture.py OUT_DIR.

basic_clean also runs ftfy.fix_text first; Loupe does not (ftfy is not reproduced), so these
strings hold no mojibake for it to repair.
"""
import html
import json
import os
import string
import sys

STRINGS = [
    "fish &amp; chips",
    "&amp;amp;",                       # twice: & after both passes
    "&amp;amp;amp;",                   # twice leaves one &amp;
    "it&#x27;s", "it&#X27;s", "it&#39;s", "it&#39s",
    "a&nbsp;b", "a&nbspb", "&NBSP;",
    "&lt", "&ltb", "&lt;b&gt;bold&lt;/b&gt;", "&amp;lt;b&amp;gt;",
    "&notin; &notit; &not", "&copy2024", "&AMP &Amp; &amp",
    "&frac12;&frac12x", "&ThinSpace;&NegativeMediumSpace;&acE;",
    "&#0; &#1; &#13; &#127; &#128; &#129; &#150; &#159;",
    "&#x110000; &#xD800; &#xdfff; &#xFFFE; &#x1FFFF; &#xFDD0; &#x10FFFF;",
    "&#99999999999; &#x00000041; &#00065; &#x; &#; &# ;",
    "&&amp; &; & ; &;amp; a & b",
    "&unknown; &zwnj&zwj; &emsp13;",
    "&" + "a" * 40 + ";",
    "&😀; &amp😀 &lt😀",
    "  &nbsp; padded &#32; ",
    "&#x5F;snake&#95;case &lowbar;",
    "Caf&eacute; cr&egrave;me br&ucirc;l&eacute;e",
    "&#x1F600; &#128512;",
]


def basic_clean(text):  # open_clip's, without ftfy
    return html.unescape(html.unescape(text)).strip()


def canonicalize(text):  # open_clip's _clean_canonicalize
    text = basic_clean(text).replace("_", " ").translate(str.maketrans("", "", string.punctuation)).lower()
    return " ".join(text.split()).strip()


def lower(text):  # open_clip's _clean_lower
    return " ".join(basic_clean(text).split()).strip().lower()


def main(out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"strings": STRINGS, "unescaped": [html.unescape(s) for s in STRINGS],
                   "canonicalized": [canonicalize(s) for s in STRINGS], "lowered": [lower(s) for s in STRINGS]}, f, ensure_ascii=True)


if __name__ == "__main__":
    main(sys.argv[1])

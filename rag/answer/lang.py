"""Question language: Chinese when it holds CJK characters (mixed counts as Chinese), else English.

>>> detect_lang("How much did GDP grow?"), detect_lang("2024年GDP目标?"), detect_lang("What is 市级 spending?")
('en', 'zh', 'en')
>>> detect_lang("？"), detect_lang("?")  # no words at all: full-width punctuation is Chinese typing
('zh', 'en')
"""

from __future__ import annotations

from rag.lexicon import is_cjk


def detect_lang(text: str) -> str:
    """'zh' if the text is Chinese or mixed with substantial Chinese; 'en' for English that only quotes
    a Chinese term or two (e.g. "What is 市级 spending?")."""
    cjk = sum(1 for c in text if is_cjk(c))
    latin_words = sum(1 for w in text.split() if any("a" <= ch.lower() <= "z" for ch in w))
    if cjk == 0:
        if latin_words == 0 and any("\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef" for c in text):
            return "zh"
        return "en"
    return "zh" if cjk >= 2 * latin_words else "en"

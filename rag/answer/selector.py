"""A fitted answer selector: which candidate sentence answers the question, and how likely it is to.

The offline answerer proposes candidate sentences from the retrieved passages (with their hand-built
evidence: concept coverage, figure and year cues). This module turns a candidate into general features —
question-term coverage in the sentence and its context (all of it, and, in a flat article, what the question
asks beyond the topic its document's title names), character overlap, the asked answer type (number,
date, person, place, organisation) against what the sentence offers outside the question's own words, year
agreement, passage rank and retrieval score, whether the passage sits under headings, the refusal checks'
verdicts — and scores it with two small logistic models fitted on question sets of several corpora
(``eval/fit_selector.py``; weights in ``rag/data/selector.json``, plain JSON):

- ``rank``: the probability that a candidate sentence holds the answer (orders the candidates);
- ``answer``: the probability that the best candidate answers the question at all (refuse below the
  calibrated ``min_confidence``, chosen on validation data holding near-miss unanswerable questions).

>>> q = question_type("1896年奥运会在哪座城市举行？"), question_type("Who wrote the novel?")
>>> q
('place', 'person')
>>> sorted(k for k, v in sentence_types("1896年在雅典举行了第一届现代奥运会。", "").items() if v)
['date', 'number', 'place']
>>> [sentence_types(s, "")["number"] for s in ("5月28日，华盛顿的部队伏击了法军。", "五月二十八日伏击了法军。",
...                                            "On May 28 the troops attacked.", "战役中有10人阵亡。", "30日内答复。",
...                                            "第5号令公布。", "地铁12号线开通。")]
[False, False, False, True, True, True, True]
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from rag.answer.lang import detect_lang
from rag.lexicon import anaphoric
from rag.types import spread_of

WEIGHTS = Path(__file__).resolve().parents[1] / "data" / "selector.json"
MAX_CANDIDATES = 30  # candidates (by the rule score) the selector ranks

# what a question asks for, by its question words (linguistic, not of any corpus); first match wins
_QTYPES_ZH = [
    ("date", re.compile(r"哪[一几]?年|何年|何时|什么时候|(?<!哪)几月|哪[一几]?天|哪几?个月|年份|日期|哪个朝代|什么朝代|哪一?世纪|多少年前|始于何|哪个时期|什么时期|哪个年代")),
    ("person", re.compile(r"谁|何人|哪[一几]?位|哪[一几]?个人|什么人|哪些人|哪[一几]?个国王")),
    ("place", re.compile(r"哪里|何处|哪儿|在哪|哪[一几]?个?国家|哪[一几]?个?城市|哪座|什么地方|何地|哪个省|哪个地区|哪国|哪个洲|位于")),
    ("org", re.compile(r"哪几?家|哪[一几]?个公司|哪几?所|什么机构|哪个组织|哪个机构|哪个部门|哪支|哪个队")),
    ("number", re.compile(r"多少|(?<!哪)几(?!乎)[个项家条座所人次年名岁种位件部本倍米里天届]?|多大|多高|多长|多远|多重|多久|多深|多宽|比例|百分之|占比|比重|增长|下降|增速|规模")),
]
_QTYPES_EN = [
    ("date", re.compile(r"\b(when|what (year|date|century|decade|month|day|time|period|era)|which (year|century|decade|month|period|era|dynasty)|how long ago)\b(?!-)", re.I)),
    ("person", re.compile(r"\b(who|whom|whose)\b(?!-)", re.I)),
    ("place", re.compile(r"\b(where|which (country|city|town|region|province|state|place|continent|island|river)|what (country|city|town|region|province|state|place|continent|island|river))\b(?!-)", re.I)),
    ("org", re.compile(r"\b(which|what) (company|organi[sz]ation|institution|university|team|agency|party|firm|club)\b(?!-)", re.I)),
    ("number", re.compile(r"\bhow (many|much|long|tall|high|far|old|big|large|wide|deep|heavy|fast)\b|\bwhat (percentage|share|proportion|number|amount|rate|size|population|length|height|area)\b|\bby how much\b"
                r"|\(\s*in\s+(?:[亿万千元%]|(?:percent|yuan|dollars?|billions?|millions?|thousands?|km|kilomet\w*"
                r"|met(?:er|re)s?|tons?|tonnes?|hectares?)\b)", re.I)),
]
QTYPES = ("number", "date", "person", "place", "org")

_DIGIT = re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个项家条座所人次名岁种位件部本倍米里天届年月日]")
_DATE = re.compile(r"\d{1,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|世纪|年代|公元|[一二三四五六七八九十]+世纪|朝")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# the parts of a date (1896年, 5月28日, 五月二十八日, 28号, 19世纪, 80年代, May 28): a figure, but no answer to
# "how many" (30日内, 5日游, 10日元 and 第5号 are counts, amounts and ordinals)
_CN_DIGITS = "一二三四五六七八九十"
_DATE_PARTS = re.compile(
    r"\d{3,4}\s*年(?!代)|\d+\s*(?:世纪|年代)"
    r"|(?:\d{1,2}|[" + _CN_DIGITS + r"]{1,3})\s*月(?:\s*(?:\d{1,2}|[" + _CN_DIGITS + r"]{1,3})\s*[日号](?![内游元]))?"
    r"|(?<!第)(?<!\d)(?:\d{1,2}|[" + _CN_DIGITS + r"]{1,3})\s*[日号](?![内游元线])"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b")
_POS = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "org"}


def question_type(question: str) -> str:
    """The kind of answer a question asks for: number, date, person, place, org, or other."""
    english = detect_lang(question) == "en"
    # an English question may quote its Chinese term: then the Chinese question words are tried too
    for kind, pat in (_QTYPES_EN + _QTYPES_ZH) if english else _QTYPES_ZH:
        if pat.search(question):
            return kind
    return "other"


@lru_cache(maxsize=1)
def _posseg():
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


@lru_cache(maxsize=8192)
def _pos_kinds(text: str) -> frozenset[str]:
    """Kinds of names jieba's part-of-speech tagger finds in ``text`` (person, place, org)."""
    if not text.strip():
        return frozenset()
    return frozenset(_POS[p.flag] for p in _posseg().cut(text) if p.flag in _POS and len(p.word) >= 2)


def sentence_types(sentence: str, question: str) -> dict[str, bool]:
    """What the part of ``sentence`` that the question does not already say offers: a figure, a date,
    a person's, place's or organisation's name (jieba part-of-speech tags)."""
    rest = _residue(sentence, question)
    kinds = _pos_kinds(rest)
    no_date = _DATE_PARTS.sub("", rest)
    return {"number": bool(_DIGIT.search(no_date)), "date": bool(_DATE.search(rest)),
            "person": "person" in kinds, "place": "place" in kinds, "org": "org" in kinds}


def _residue(sentence: str, question: str) -> str:
    """``sentence`` without the characters runs (2+ chars) it shares with ``question``."""
    out = sentence
    for n in range(min(len(question), 8), 1, -1):
        for i in range(len(question) - n + 1):
            piece = question[i:i + n]
            if _CJK.search(piece) and piece in out:
                out = out.replace(piece, " ")
    return out


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if _CJK.match(c) or c.isalnum()]
    return {chars[i] + chars[i + 1] for i in range(len(chars) - 1)}


@dataclass
class CandidateView:
    """What the selector needs of one candidate sentence (built by the offline answerer)."""

    sentence: str
    context: str  # section path and passage lead
    rank: int  # 1-based passage number
    retrieval: float  # retrieval score of its passage, divided by the best passage's
    rule_score: float  # the answerer's hand-built evidence score
    coverage: float  # IDF-weighted share of the question's concepts in sentence or context
    sent_coverage: float  # the same, in the sentence alone
    years_agree: bool  # the question names a year and the sentence (or its paragraph) does too
    years_clash: bool  # the question names a year, the sentence only others
    proximity: float  # matched question terms close together (1.0) or spread over the sentence (-> 0)
    is_title: bool  # the sentence is its document's title line
    neighbour_coverage: float = 0.0  # the better sent_coverage of the sentences before and after it
    position: float = 0.0  # where in its passage (0: first sentence, 1: last)
    dense: float | None = None  # cosine of question and sentence embeddings (None: no sentence vectors)
    dense_gap: float | None = None  # dense minus the best dense of all candidates (0 for the closest)
    local_coverage: float = 0.0  # sent_coverage with concepts weighted by their rarity among the passages' sentences
    window_coverage: float = 0.0  # the same over the sentence and the one before it
    anaphoric: bool = False  # the sentence opens by pointing back (他, 该, 因此, …: rag.lexicon.anaphoric)
    top_missing: float = 0.0  # the largest passage-local weight share of a concept the sentence (with the one
    # before it and its section path) lacks: the asked attribute nowhere near it
    absent_share: float = 0.0  # IDF share of the question's concepts that no retrieved passage has
    sectioned: bool = False  # its passage sits under two or more levels of headings (a report, a law), not in a
    # flat article
    asked_coverage: float = 0.0  # sent_coverage of the question's concepts that its document's title and section
    # path don't name (what is asked about the topic, not the topic)
    asked_window: float = 0.0  # the same over the sentence and the one before it
    months_agree: bool = False  # the sentence names every year-and-month date (1984年6月, June 1984) the question does


RANK_FEATURES = ("bias", "rule_score", "coverage", "sent_coverage", "bigram_q", "novelty", "type_match",
                 "type_miss", "years_agree", "years_clash", "inv_rank", "retrieval", "log_len", "proximity",
                 "is_title", "qt_other", "neighbour_coverage", "position", "lcs_q", "char_cov", "unit_match",
                 "cov_x_type", "dense", "dense_gap", "dense_top", "local_cov", "window_cov", "anaphoric",
                 "window_x_anaphoric", "top_missing", "absent_share", "finer_miss", "sent_cov_x_sectioned", "asked_cov", "asked_window",
                 "months_agree")
ANSWER_FEATURES = ("bias", "p_best", "margin", "rule_score", "coverage", "sent_coverage", "bigram_q", "type_match",
                   "type_miss", "years_clash", "retrieval", "lang_en", "unmapped_share", "reason_exact",
                   "reason_rate", "reason_other_kind", "reason_other_head", "reason_unmapped", "dense", "dense_max",
                   "local_cov", "window_cov", "top_missing", "absent_share", "finer_miss")
# the topic model's features (:func:`topic_row`): is the question about these documents at all? Each feature
# also times "the question is English" (an English question reaches the Chinese text through the bridge and
# sits farther from it in the embedding, so each language has its own weights)
TOPIC_BASE = ("bias", "corpus_absent", "unmapped_share", "absent_share", "dense_max", "coverage_max",
              "sent_coverage_max", "bigram_max", "char_cov_max", "lcs_max", "spread_10", "spread_mean", "spread_last")
# (unmapped_share is 0 for a Chinese question: it needs no English copy)
TOPIC_FEATURES = TOPIC_BASE + tuple("en_" + n for n in TOPIC_BASE if n != "unmapped_share")


def rank_features(question: str, qtype: str, c: CandidateView) -> list[float]:
    qb = _bigrams(question)
    sb = _bigrams(c.sentence)
    bigram_q = len(qb & sb) / len(qb) if qb else 0.0
    chars = [ch for ch in c.sentence if _CJK.match(ch)]
    qchars = set(question)
    novelty = sum(1 for ch in chars if ch not in qchars) / len(chars) if chars else 0.0
    types = sentence_types(c.sentence, question) if qtype != "other" else {}
    match = float(bool(types.get(qtype)))
    qc = {ch for ch in question if _CJK.match(ch)} - _QUESTION_CHARS
    char_cov = len(qc & set(c.sentence)) / len(qc) if qc else 0.0
    unit = _asked_unit(question)
    unit_match = float(bool(unit) and bool(re.search(r"\d\s*" + re.escape(unit), c.sentence)))
    return [1.0, c.rule_score, c.coverage, c.sent_coverage, bigram_q, novelty, match,
            float(qtype != "other") - match, float(c.years_agree), float(c.years_clash), 1.0 / c.rank,
            c.retrieval, math.log1p(len(c.sentence)) / 5, c.proximity, float(c.is_title), float(qtype == "other"),
            c.neighbour_coverage, c.position, _lcs(question, c.sentence) / 8, char_cov, unit_match,
            c.sent_coverage * match, c.dense, c.dense_gap,
            None if c.dense_gap is None else float(c.dense_gap >= 0.0), c.local_coverage, c.window_coverage,
            float(c.anaphoric), c.window_coverage * float(c.anaphoric), c.top_missing, c.absent_share,
            float(_finer_missing(question, c.sentence)), c.sent_coverage * float(c.sectioned),
            c.asked_coverage * float(not c.sectioned), c.asked_window * float(not c.sectioned), float(c.months_agree)]


_FINER_ZH = re.compile(r"几月|哪个月|哪一?天|几号|几日|哪日|具体日期|什么日子")
_FINER_EN = re.compile(r"\b(what|which) (day|month|date)\b|\bon what date\b", re.I)
_MONTH_DAY = re.compile(r"\d{1,2}\s*月|[一二三四五六七八九十]+月|\d{1,2}\s*[日号]|[一二三四五六七八九十]+[日号]|[初廿]\S?日"
                        r"|\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
                        r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b|\b\d{1,2}(?:st|nd|rd|th)\b"
                        r"|\b\d{1,2}/\d{1,2}\b|\b\d{4}-\d{2}\b")


def _finer_missing(question: str, sentence: str) -> bool:
    """The question asks for a month or a day and the sentence gives none (only a year or a period)."""
    asks = _FINER_EN.search(question) if detect_lang(question) == "en" else _FINER_ZH.search(question)
    return bool(asks) and not _MONTH_DAY.search(sentence)


# characters of question words: no evidence that a sentence is about the question
_QUESTION_CHARS = frozenset("的了是在有和与及或为什么哪谁几多少何吗呢怎样如时候年月日个")


_YEAR_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
# a capitalised month name or its abbreviation (Jan., Sept.), an optional day, a year: "June 1984", "May 3, 1990"
_YEAR_MONTH_EN = re.compile(r"\b(" + "|".join(_MONTHS_EN) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)"
                            r"\s+(?:\d{1,2},?\s+)?(\d{4})\b")


def year_months(text: str) -> set[tuple[str, int]]:
    """The year-and-month dates ``text`` names, as (year, month).

    >>> sorted(year_months("1984年6月至1985年01月任副部长，1984年13月"))
    [('1984', 6), ('1985', 1)]
    >>> sorted(year_months("In June 1984, on May 3, 1990 and Sept. 2001; the Mars 2020 rover; Mayor 2010"))
    [('1984', 6), ('1990', 5), ('2001', 9)]
    """
    out = {(y, int(m)) for y, m in _YEAR_MONTH.findall(text) if 1 <= int(m) <= 12}
    out |= {(y, next(i for i, name in enumerate(_MONTHS_EN, 1) if name.startswith(m.rstrip(".")[:3])))
            for m, y in _YEAR_MONTH_EN.findall(text)}
    return out


def _asked_unit(question: str) -> str:
    """The measure word a Chinese question asks in (多少分 -> 分, 几年 -> 年), else ''."""
    m = re.search(r"(?:多少|(?<!哪)几(?!乎))([\u4e00-\u9fff])", question)
    return m.group(1) if m and m.group(1) not in "个次" else ""


def _lcs(a: str, b: str) -> int:
    """Length of the longest common substring of ``a`` and ``b`` (capped at 8)."""
    best = 0
    for n in range(1, min(8, len(a)) + 1):
        if any(a[i:i + n] in b for i in range(len(a) - n + 1)):
            best = n
        else:
            break
    return best


def answer_row(rank_row: Sequence[float | None], p_best: float, p_second: float, lang: str, unmapped_share: float,
               reasons: Sequence[str]) -> list[float | None]:
    """The answer model's features: the best candidate's rank features and probability, its margin over
    the second, and the kinds of the refusal checks that object to it (:func:`reasons_of`)."""
    r = dict(zip(RANK_FEATURES, rank_row))
    dense_max = None if r["dense"] is None else r["dense"] - r["dense_gap"]
    return [1.0, p_best, p_best - p_second, r["rule_score"], r["coverage"], r["sent_coverage"], r["bigram_q"],
            r["type_match"], r["type_miss"], r["years_clash"], r["retrieval"], float(lang == "en"),
            unmapped_share, float("exact" in reasons), float("rate" in reasons), float("other-kind" in reasons),
            float("other-head" in reasons), float("unmapped" in reasons), r["dense"], dense_max, r["local_cov"],
            r["window_cov"], r["top_missing"], r["absent_share"], r["finer_miss"]]


def topic_row(rank_rows: Sequence[Sequence[float | None]], lang: str, unmapped_share: float,
              corpus_absent: float, spread: Sequence[float] | None = None) -> list[float | None]:
    """The topic model's features of a question: how much of it the whole corpus never mentions
    (:func:`rag.answer.refusal.absent_share`), how much an English question's words reach no Chinese term,
    how much no retrieved passage has, the best any candidate sentence does (embedding similarity,
    coverage, shared bigrams and characters, longest common run), and how far the closest chunk stands out of
    the dense ranking (``spread``: :func:`rag.retrieve.dense_spread`; None: missing); then each again for an
    English question.

    >>> row = dict(zip(TOPIC_FEATURES, topic_row([[0.0] * len(RANK_FEATURES)], "en", 0.5, 0.2, (0.1, 0.2, 0.3))))
    >>> len(row) == len(TOPIC_FEATURES), row["unmapped_share"], row["en_bias"], row["en_corpus_absent"], row["en_spread_last"]
    (True, 0.5, 1.0, 0.2, 0.3)
    >>> row = dict(zip(TOPIC_FEATURES, topic_row([[0.0] * len(RANK_FEATURES)], "zh", 0.0, 0.2)))
    >>> row["en_corpus_absent"], row["spread_10"], row["en_spread_10"]
    (0.0, None, 0.0)
    """
    cols = {n: i for i, n in enumerate(RANK_FEATURES)}

    def best(name: str) -> float | None:
        known = [r[cols[name]] for r in rank_rows if r[cols[name]] is not None]
        return max(known) if known else None

    absent = rank_rows[0][cols["absent_share"]] if rank_rows else 1.0
    if spread is not None and len(spread) != 3:
        raise ValueError(f"a dense spread has 3 values, not {len(spread)}")
    spreads = list(spread) if spread is not None else [None, None, None]
    base = [1.0, corpus_absent, unmapped_share, absent, best("dense"), best("coverage"), best("sent_coverage"),
            best("bigram_q"), best("char_cov"), best("lcs_q")] + spreads
    en = lang == "en"
    # a Chinese question's English copies are 0; an English question's missing value (no sentence vectors)
    # stays missing (read as the training mean)
    return base + [(v if en else 0.0) for n, v in zip(TOPIC_BASE, base) if n != "unmapped_share"]


def views(a, cands: Sequence, hits: Sequence, dense: Sequence[float | None] | None = None) -> list[CandidateView]:
    """:class:`CandidateView` of the offline answerer's candidates (``a``: the question's analysis;
    ``dense``: each candidate's question/sentence similarity, :mod:`rag.sentences`)."""
    known = [d for d in (dense or ()) if d is not None]
    dense_best = max(known) if known else None
    from rag.chunk import split_sentences

    top = max((h.score for h in hits), default=0.0) or 1.0
    total = a.total_idf
    qyears = set(a.years)
    qmonths = year_months(a.question)

    def sent_cov(text: str) -> float:
        return sum(con.idf for con in a.concepts if any(f in text for f in con.forms)) / total if a.concepts else 0.0

    passages: dict[str, list[str]] = {}
    for c in cands:
        cid = c.hit.chunk.chunk_id
        if cid not in passages:
            passages[cid] = [c.hit.chunk.text[i:j].strip() for i, j in split_sentences(c.hit.chunk.text)]
    # passage-local weights: a question concept found in most sentences of these passages is their topic
    # (every sentence of a biography is about its person, explicitly or not), one found in few picks the
    # answering sentence out (its birth year, its founder): each concept weighs its IDF times its rarity among
    # the sentences
    every = [x for sents in passages.values() for x in sents]
    local = [con.idf * math.log((len(every) + 1) / (sum(1 for x in every if any(f in x for f in con.forms)) + 0.5))
             for con in a.concepts]
    local_total = sum(local) or 1.0

    # concepts no retrieved passage has (a near miss about another entity, or an attribute never stated)
    everything = " ".join(h.chunk.text + " " + " ".join(h.chunk.section) for h in hits)
    absent = sum(con.idf for con in a.concepts if not any(f in everything for f in con.forms))
    absent_share = absent / total if a.concepts and total else 0.0

    def top_missing(text: str) -> float:
        return max((w for con, w in zip(a.concepts, local) if not any(f in text for f in con.forms)),
                   default=0.0) / local_total

    def local_cov(text: str) -> float:
        return sum(w for con, w in zip(a.concepts, local) if any(f in text for f in con.forms)) / local_total

    def asked_cov(text: str, topic: str) -> float:
        """sent_cov of the concepts ``topic`` doesn't name; of them all when it names every one (青湖公园是什么？
        asked of the article 青湖公园)."""
        asked = [con for con in a.concepts if not any(f in topic for f in con.forms)]
        weight = sum(con.idf for con in asked)
        if not weight:
            return sent_cov(text)
        return sum(con.idf for con in asked if any(f in text for f in con.forms)) / weight

    def topic_of(title: str, section: Sequence[str]) -> str:
        """A passage's topic: its section path, and its document's title when that reads as one (a plain text
        file's title is its first line, which may be a sentence)."""
        heading = len(title) <= 40 and not re.search(r"[。，；！？,;!?]", title)
        return (title if heading else "") + " " + " ".join(section)

    out = []
    for c in cands:
        sent = c.sentence
        cid = c.hit.chunk.chunk_id
        sents = passages[cid]
        k = next((i for i, x in enumerate(sents) if sent in x or x in sent), -1)
        before = sents[k - 1] if k > 0 else ""  # the sentence before it in its passage
        neighbour = max((sent_cov(sents[j]) for j in (k - 1, k + 1) if k >= 0 and 0 <= j < len(sents)), default=0.0)
        got = 0.0
        places: list[tuple[int, int]] = []
        for con in a.concepts:
            pos = [(sent.find(f), len(f)) for f in con.forms if f in sent]
            if pos:
                got += con.idf
                places.append(min(pos))
        if len(places) >= 2:
            span = max(p + n for p, n in places) - min(p for p, _ in places)
            proximity = min(1.0, sum(n for _, n in places) / span) if span > 0 else 1.0
        else:
            proximity = float(len(places))
        title = (c.hit.chunk.doc_title or "").strip()
        topic = topic_of(title, c.hit.chunk.section)
        out.append(CandidateView(
            sentence=sent, context=" ".join(c.hit.chunk.section), rank=c.n, retrieval=c.hit.score / top,
            rule_score=c.score, coverage=c.coverage, sent_coverage=got / total if a.concepts else 0.0,
            years_agree=bool(qyears & set(c.years)), years_clash=bool(qyears and c.years and not qyears & set(c.years)),
            proximity=proximity, is_title=bool(title) and sent.strip().rstrip("。") == title.rstrip("。"),
            neighbour_coverage=neighbour, position=k / max(1, len(sents) - 1) if k >= 0 else 0.5,
            local_coverage=local_cov(sent), window_coverage=local_cov(before + sent), anaphoric=anaphoric(sent),
            absent_share=absent_share, top_missing=top_missing(before + sent + " ".join(c.hit.chunk.section)),
            sectioned=len(c.hit.chunk.section) >= 2,
            asked_coverage=asked_cov(sent, topic), asked_window=asked_cov(before + sent, topic),
            months_agree=bool(qmonths) and qmonths <= year_months(sent)))
        d = dense[len(out) - 1] if dense else None
        if d is not None and dense_best is not None:
            out[-1].dense, out[-1].dense_gap = d, d - dense_best
    return out


def reasons_of(a, c, in_corpus) -> list:
    """The :class:`rag.answer.refusal.Reason` of every refusal check that objects to candidate ``c``;
    ``in_corpus(term)`` tells whether the documents use a term."""
    from rag.answer import refusal

    chunk = c.hit.chunk
    found = [refusal.unmapped(a), refusal.exact_missing(a, chunk.text + " ".join(chunk.section)),
             refusal.rate_without_percent(a, c.sentence), refusal.other_kind(a, c.sentence, in_corpus),
             refusal.other_head(a, c.sentence)]
    return [r for r in found if r is not None]


# refusal checks whose objection refuses whatever the answer model says: each names what the documents
# give instead of what was asked (a quoted term absent, no percentage for a rate, a sibling term, the
# modifier bound to another figure); weak and unmapped are left to the answer model
VETOES = frozenset({"exact", "rate", "other-kind", "other-head"})
KIND_LOOKAHEAD = 2  # how many sentences after the best one may name the compound it names another kind of


def named_kind(sentences: list[str], reasons: list) -> int:
    """Where the best sentence (``sentences[0]``, its refusal ``reasons``) is vetoed because it names another kind
    of the question's compound (other-kind: 民间金属 for 黑色金属), the position of the first of the next sentences
    that names the compound itself verbatim (its own refusal checks then apply); else 0 (keep the best). The fit
    takes the same step (eval/fit_selector.py).

    >>> from types import SimpleNamespace as NS
    >>> named_kind(["民间金属乐队兴起。", "毒液是黑色金属的源头。"], [NS(kind="other-kind", term="黑色金属")])
    1
    >>> named_kind(["民间金属乐队兴起。", "重金属很响。"], [NS(kind="other-kind", term="黑色金属")])
    0
    """
    term = next((r.term for r in reasons if r.kind == "other-kind"), "")
    if not term:
        return 0
    return next((i for i, s in enumerate(sentences[1:], 1) if term in s), 0)


def softmax(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    m = max(scores)
    e = [math.exp(s - m) for s in scores]
    t = sum(e)
    return [x / t for x in e]


class Logistic:
    """``sigmoid(w . ((x - mean) / scale))`` with weights from JSON (no pickle)."""

    def __init__(self, names: Sequence[str], weights: Sequence[float], mean: Sequence[float], scale: Sequence[float]):
        self.names = tuple(names)
        self.w = [float(v) for v in weights]
        self.mean = [float(v) for v in mean]
        self.scale = [float(v) or 1.0 for v in scale]

    def score(self, x: Sequence[float | None]) -> float:
        """The linear score ``w . z`` (a rank model compares these across candidates: softmax); a missing
        feature (None: no sentence vectors) counts as its training mean (z = 0)."""
        return sum(w * ((v - m) / s) for w, v, m, s in zip(self.w, x, self.mean, self.scale) if v is not None)

    def prob(self, x: Sequence[float]) -> float:
        z = self.score(x)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_dict(self) -> dict:
        return {"features": list(self.names), "weights": self.w, "mean": self.mean, "scale": self.scale}

    @classmethod
    def from_dict(cls, d: dict, names: Sequence[str]) -> "Logistic":
        if list(d.get("features", [])) != list(names):
            raise ValueError(f"selector weights are for features {d.get('features')}, not {list(names)}: refit "
                             "them (python eval/fit_selector.py)")
        return cls(names, d["weights"], d["mean"], d["scale"])


@dataclass
class Selector:
    rank: Logistic
    answer: Logistic
    min_confidence: float  # refuse when the answer probability is below this (chosen on validation data)
    meta: dict
    topic: Logistic | None = None  # is the question about these documents at all (off-topic questions)
    min_topic: dict = field(default_factory=dict)  # per question language ("zh", "en"): refuse as off-topic when
    # the topic probability is below it (chosen on validation)
    spread_fill: dict = field(default_factory=dict)  # per question language: the dense spread a search without
    # one stands for (fewer than 50 chunks, keyword-only or filtered search): the training questions' mean

    def topic_floor(self, lang: str) -> float:
        """The topic threshold of a question language (0: no floor fitted for it, refuse nothing)."""
        return float(self.min_topic.get(lang, 0.0))

    def spread(self, hits: Sequence, lang: str) -> tuple[float, ...] | None:
        """The dense spread :meth:`rag.retrieve.Retriever.search` gave ``hits`` (the topic model's evidence),
        else the fitted stand-in for a question of ``lang`` (read as the training mean of every question,
        a missing English value would be a third of a typical one: the English copies are 0 for Chinese
        questions), else None."""
        got = spread_of(hits)
        if got is None and self.spread_fill.get(lang):
            got = tuple(float(v) for v in self.spread_fill[lang])
        return got

    @staticmethod
    @lru_cache(maxsize=4)
    def default(path: str = str(WEIGHTS)) -> "Selector | None":
        """The bundled selector, loaded once per process."""
        return Selector.load(path)

    @classmethod
    def load(cls, path: str | Path = WEIGHTS) -> "Selector | None":
        """The fitted selector, or None when no weights file exists (the hand-set rules then decide)."""
        path = Path(path)
        if not path.is_file():
            return None
        d = json.loads(path.read_text(encoding="utf-8"))
        topic = Logistic.from_dict(d["topic"], TOPIC_FEATURES) if d.get("topic") else None
        return cls(Logistic.from_dict(d["rank"], RANK_FEATURES), Logistic.from_dict(d["answer"], ANSWER_FEATURES),
                   float(d["min_confidence"]), d.get("meta", {}), topic,
                   {k: float(v) for k, v in d.get("min_topic", {}).items()},
                   {k: [float(x) for x in v] for k, v in d.get("spread_fill", {}).items()})

    def save(self, path: str | Path = WEIGHTS) -> None:
        d = {"rank": self.rank.to_dict(), "answer": self.answer.to_dict(), "min_confidence": self.min_confidence,
             "meta": self.meta}
        if self.topic is not None:
            d["topic"], d["min_topic"], d["spread_fill"] = self.topic.to_dict(), self.min_topic, self.spread_fill
        Path(path).write_text(json.dumps(d, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

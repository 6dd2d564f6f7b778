"""The offline answerer: picks the sentences of the retrieved passages that answer the question.

Each sentence is scored by how much of the question's concepts (IDF-weighted; English concepts reach
Chinese text through the bridge) it covers, with its passage's section path as context; by whether it
carries a figure when the question asks for one; and by year (2023 vs 2024) agreement and, when the domain
profile (:mod:`rag.profile`) has scope pairs, scope agreement (gov-report: 全市 vs 市级). With the fitted
selector (:mod:`rag.answer.selector`, the default) those scores are one feature among others: the selector
orders the candidates and gives the probability that the best one answers, refused below
``min_confidence``; without it the hand-set score and thresholds decide. The best 1-3 sentences (a quantity
answer trimmed to the clauses that hold the figures) make the answer, each followed by its citation ``[n]``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace

from rag.answer.analysis import Analysis, analyse
from rag.answer.corpus import CorpusStats
from rag.answer.citations import verify
from rag.answer.compose import compose_en, compose_zh
from rag.answer import refusal
from rag.answer.prompts import join_sentences, part_refusal_text, refusal_with_reason
from rag.answer.refusal import Reason
from rag.answer.selector import (KIND_LOOKAHEAD, MAX_CANDIDATES, VETOES, Selector, answer_row, named_kind, question_type,
                                 rank_features, reasons_of, softmax, topic_row, views)
from rag.answer.types import Answer, Citation
from rag.chunk import split_sentences
from rag.profile import Profile, index_profile
from rag.lexicon import YEAR_WORD, anaphoric, asks_description, asks_reason, cataphoric, gives_cause, years_in
from rag.types import Hit

# a comma or colon between digits (22,392; 10:30) is part of a number, never a clause boundary
_NUM_SEP = r"(?<=\d)[,:](?=\d)"
_CLAUSE = re.compile(rf"(?:[^，；、：:,;]|{_NUM_SEP})+[，；、：:,;]?")
_SEGMENT = re.compile(rf"(?:[^，；：:,;]|{_NUM_SEP})+[，；：:,;]?")  # like _CLAUSE, but a 、 list stays in one segment
_COLON = ("：", ":")
_FIGURE = re.compile(r"\d")
_YEAR = YEAR_WORD  # a year is no figure to answer with
_TITLE_MARKS = re.compile(r"^[#\s*《“\"]+|[\s*》”\"。.!！?？:：]+$")
CONTEXT_WEIGHT = 0.6  # a concept found only in the section path / passage lead counts this much
ATTACH_BONUS = 0.15  # quantity questions: a figure right after a question term
SCOPE_MATCH, SCOPE_MISMATCH = 0.15, 0.2  # a sentence of the scope the question names / of the other one
UNSCOPED_OTHER = 0.05  # no scope asked: a sentence of the side the profile does not prefer loses this much
ALSO_QUOTE = 0.15  # the default of --also-quote (rag.config.Config.also_quote)


@dataclass
class Candidate:
    n: int  # passage number (1-based)
    hit: Hit
    sentence: str
    score: float
    coverage: float
    covered: frozenset[int]  # indices of the concepts this sentence covers (itself or its context)
    years: frozenset[str]
    scope: str | None
    p: float | None = None  # the fitted selector's probability that this sentence is the one that answers


class OfflineAnswerer:
    """Extractive answers with verified citations; no model, no network."""

    name = "offline"

    def __init__(self, corpus: CorpusStats, threshold: float = 0.5, embedder=None,
                 min_sim: dict[str, float] | None = None, min_coverage: float = 0.2, profile: Profile | None = None, selector: Selector | None = None,
                 min_confidence: float | None = None, sentences=None, also_quote: float = ALSO_QUOTE):
        if not isinstance(corpus, CorpusStats):
            raise TypeError("OfflineAnswerer takes CorpusStats (CorpusStats.of(store)), not "
                            f"{type(corpus).__name__}")
        self.corpus = corpus
        # question/sentence similarity for the fitted selector (a rag.sentences.SentenceVectors; None: the
        # selector reads that feature as missing)
        self.sentences = sentences
        # the fitted selector ranks the candidates and decides whether the best one answers (None: the
        # hand-set rules below do); refuse below min_confidence (None or negative: the calibrated value)
        self.selector = selector
        self.min_confidence = (selector.min_confidence if selector is not None and (min_confidence is None
                               or min_confidence < 0) else min_confidence)
        # the domain profile: given, else the one the index was built with
        self.profile = profile or index_profile(corpus.manifest)
        self.threshold = threshold
        self.min_coverage = min_coverage
        self.embedder = embedder  # optional: dense question/sentence agreement as a refusal check
        self.min_sim = min_sim or {}
        # the fitted selector's probabilities are calibrated (eval/fit_selector.py reports it): the answer
        # also quotes the second-best sentence when the chance that it, not the best, holds the answer is at
        # least this; 1.0 quotes one sentence
        self.also_quote = also_quote

    # -- scoring ---------------------------------------------------------------------------
    def analyse(self, question: str) -> Analysis:
        return analyse(question, self.corpus.idf, self.corpus.bridge, self.corpus.current_year, self.profile)

    def candidates(self, a: Analysis, hits: list[Hit]) -> list[Candidate]:
        out: list[Candidate] = []
        for n, hit in enumerate(hits, 1):
            c = hit.chunk
            context = " ".join(c.section)
            heading = _heading_years(c.section)
            title = _bare(c.doc_title)
            for line in c.text.split("\n"):
                prev: frozenset[str] = frozenset()  # years of the paragraph's previous sentence
                for s0, s1 in split_sentences(line):
                    sent = line[s0:s1].strip()
                    # a sentence without a year speaks of its paragraph's ("2023年，…支出1899亿元。其中，…"),
                    # else of its section heading's
                    prev = _own_years(sent) or prev
                    # the document's bare title line (an article's "长江") names the topic, answers nothing
                    if len(sent) >= 4 and not (title and _bare(sent) == title):
                        out.append(self._score(a, n, hit, sent, context, prev or heading))
        if a.exact:
            # a term the question quotes or names in brackets is a hard constraint: only passages that have
            # it answer (when none has, the best candidate's passage lacks it and the answer is refused)
            ok = {id(h) for h in hits if refusal.exact_missing(a, h.chunk.text + " ".join(h.chunk.section)) is None}
            out = [c for c in out if id(c.hit) in ok] or out
        out.sort(key=lambda x: -x.score)
        return out

    def _score(self, a: Analysis, n: int, hit: Hit, sent: str, context: str, years: frozenset[str]) -> Candidate:
        got = 0.0
        covered = set()
        for i, con in enumerate(a.concepts):
            if any(f in sent for f in con.forms):
                got += con.idf
                covered.add(i)
            elif any(f in context for f in con.forms):
                got += CONTEXT_WEIGHT * con.idf
                covered.add(i)
            else:
                got += 0.5 * con.idf * max(_bigram_overlap(f, sent) for f in con.forms)
        coverage = got / a.total_idf if a.concepts else 0.0
        score = coverage
        body = sent
        for con in a.concepts:  # digits inside the question's own terms (5G, 33618) are no answer
            for f in con.forms:
                body = re.sub(re.escape(f), "", body, flags=re.I)
        has_figure = bool(_FIGURE.search(_YEAR.sub("", body)))
        if a.quantity:
            score += 0.15 if has_figure else -0.25
            if a.unit and has_figure:
                score += 0.1 if _has_unit(body, a.unit) else -0.05
            if has_figure and _figure_follows(sent, a):
                score += ATTACH_BONUS
        for num in a.numbers:
            if num in sent:
                score += 0.1
        if a.years:
            if set(a.years) & years:
                score += 0.1
            elif years:
                score -= 0.1
        scope = None
        asked = self.profile.scope_pair(a.scope)
        if asked is not None:
            scope = asked.side(sent) or asked.side(context)
            if scope:
                score += SCOPE_MATCH if scope == a.scope else -SCOPE_MISMATCH
        else:
            for pair in self.profile.scopes:
                side = pair.side(sent) or pair.side(context)
                scope = scope or side
                if side is not None and side == pair.other:
                    # gov-report: "Chongqing's revenue" means the whole city (全市) unless it says 市级
                    score -= UNSCOPED_OTHER
        score += 0.04 / n  # retrieval order as a tie-breaker
        return Candidate(n, hit, sent, score, coverage, frozenset(covered), years, scope)

    def in_corpus(self, term: str) -> bool:
        return self.corpus.in_corpus(term)

    def ranked(self, a: Analysis, hits: list[Hit]) -> tuple[list[Candidate], Reason | None, float | None]:
        """The candidates, best first; why the best one does not answer (None: it does); and, with the fitted
        selector, the probability that it does."""
        cands = self.candidates(a, hits)
        # the documents are not about it: without a fitted topic model, most of the question occurring in no
        # document refuses (a quoted term has its own, more precise check); with one, that share is one of
        # its features, and what the documents never mention is the reason shown when it refuses
        missing = refusal.never_mentioned(a, self.in_corpus)
        absent = refusal.absent_share(a, missing)
        topic = self.selector.topic if self.selector is not None else None
        if topic is None and not a.exact and absent >= refusal.ABSENT_SHARE:
            return cands, refusal.absent_reason(missing), None
        if self.selector is None or not cands:
            return cands, self.why_not(a, cands[0] if cands else None), None
        top = cands[:MAX_CANDIDATES]
        qtype = question_type(a.question)
        dense = self.sentences.similarities(a.question, [c.sentence for c in top]) if self.sentences else None
        feats = [rank_features(a.question, qtype, v) for v in views(a, top, hits, dense)]
        ps = softmax([self.selector.rank.score(f) for f in feats])
        order = sorted(range(len(top)), key=lambda i: -ps[i])
        best = order[0]
        reasons = reasons_of(a, top[best], self.in_corpus)
        # the best sentence names another kind of the asked compound (民间金属 for 黑色金属) while one of the next
        # two names the compound itself and nothing vetoes it: that one speaks of what was asked
        swap = named_kind([top[i].sentence for i in order[:1 + KIND_LOOKAHEAD]], reasons)
        if swap:
            order.insert(0, order.pop(swap))
            best = order[0]
            reasons = reasons_of(a, top[best], self.in_corpus)
        unmapped = len(a.unmapped) / a.content_words if a.content_words else 0.0
        x = answer_row(feats[best], ps[best], ps[order[1]] if len(order) > 1 else 0.0, a.lang, unmapped,
                       [r.kind for r in reasons])
        p = self.selector.answer.prob(x)
        ranked = [replace(top[i], p=ps[i]) for i in order] + cands[MAX_CANDIDATES:]
        if topic is not None:
            p_topic = topic.prob(topic_row(feats, a.lang, unmapped, absent, self.selector.spread(hits, a.lang)))
            if p_topic < self.selector.topic_floor(a.lang):
                # not about these documents: what it names that they never mention, else the English words
                # with no Chinese counterpart, else too little of it
                return (ranked, refusal.absent_reason(missing) or refusal.unmapped(a, 1.0) or Reason("weak"),
                        min(p, p_topic))
        veto = next((r for r in reasons if r.kind in VETOES), None)
        if veto is not None:
            return ranked, veto, p
        if p < self.min_confidence:
            return ranked, next(iter(reasons), None) or Reason("weak"), p
        return ranked, None, p

    # -- selection ---------------------------------------------------------------------------
    def why_not(self, a: Analysis, best: Candidate | None) -> Reason | None:
        """Why the best candidate does not answer the question (None: it does)."""
        if best is None or best.score < self.threshold:
            return Reason("weak")
        c = best.hit.chunk
        reason = (refusal.weak(best.coverage, self.min_coverage)
                  or refusal.unmapped(a)
                  or refusal.exact_missing(a, c.text + " ".join(c.section))
                  or refusal.rate_without_percent(a, best.sentence)
                  or refusal.other_kind(a, best.sentence, self.in_corpus)
                  or refusal.other_head(a, best.sentence, self.profile))
        # the dense check is for near-misses whose words partly match; when every concept of the
        # question is in the sentence or its section path it only adds noise (a list of figures scores low)
        if reason is None and self.embedder is not None and a.lang in self.min_sim and best.coverage < 0.999:
            sim = float(self.embedder.embed_query(a.question) @ self.embedder.embed_passages([best.sentence])[0])
            if sim < self.min_sim[a.lang]:
                reason = Reason("meaning")  # the words match but the meaning does not (入境游客 vs 过夜游客)
        return reason

    def _select(self, a: Analysis, cands: list[Candidate]) -> list[Candidate]:
        best = cands[0]
        chosen = [best]
        # multi-part questions: one sentence per asked year / scope when the best one covers only one
        facets: list[tuple[str, str]] = []
        if len(a.years) > 1:
            facets += [("year", y) for y in a.years]
        if a.scope is None:
            for pair in self.profile.scopes:
                if len(pair.mentioned(a.question)) == 2:  # both sides asked: one sentence each
                    facets += [("scope", pair.wide), ("scope", pair.narrow)]
        for kind, val in facets:
            if any(_matches(c, kind, val) for c in chosen):
                continue
            for c in cands[1:]:
                if _matches(c, kind, val) and c.score >= self.threshold - 0.2 and c not in chosen:
                    chosen.append(c)
                    break
        # concepts the chosen sentences don't cover yet ("X and Y" questions)
        covered = set().union(*(c.covered for c in chosen))
        for c in cands[1:]:
            if len(chosen) >= 3:
                break
            gain = sum(a.concepts[i].idf for i in c.covered - covered) / a.total_idf
            if c not in chosen and gain >= 0.15 and c.score >= self.threshold - 0.1:
                chosen.append(c)
                covered |= c.covered
        # the second-best sentence by the fitted selector, when it is probable enough to be the answer
        if len(cands) > 1 and cands[1].p is not None and cands[1].p >= self.also_quote and len(chosen) < 3 \
                and all(c.sentence != cands[1].sentence for c in chosen) \
                and not VETOES & {r.kind for r in reasons_of(a, cands[1], self.in_corpus)}:
            chosen.append(cands[1])  # (never a sentence a refusal check objects to: a sibling figure)
        return chosen[:3]

    def _answer_parts(self, question: str, a: Analysis, hits: list[Hit], lang: str) -> tuple[list[Candidate], list[str]]:
        """The parts of a refused multi-part question that can be answered (one sentence each), and a
        note for each part that can't ("关于“城镇居民人均可支配收入是多少”：……")."""
        chosen: list[Candidate] = []
        notes: list[str] = []
        for part, ap in self._parts(question, a):
            cands = self.candidates(ap, hits)
            why = self.why_not(ap, cands[0] if cands else None)
            if why is None:
                if all(cands[0].sentence != c.sentence for c in chosen):
                    chosen.append(cands[0])
            else:
                notes.append(part_refusal_text(lang, part, refusal_with_reason(lang, why.kind, why.term, why.detail)))
        return chosen, (notes if chosen else [])

    def _parts(self, question: str, a: Analysis) -> list[tuple[str, Analysis]]:
        """Each part of a multi-part question with its own analysis; a part without a year takes the
        previous part's (or the question's). Empty for a one-part question."""
        parts = question_parts(question)
        if len(parts) < 2:
            return []
        out = []
        years: list[str] = a.years
        for part in parts:
            ap = self.analyse(part)
            ap.years = years = ap.years or years
            out.append((part, ap))
        return out

    def _more_for_parts(self, question: str, a: Analysis, hits: list[Hit], chosen: list[Candidate]) -> list[Candidate]:
        """Multi-part questions ("…余额是多少？其中一般债务和专项债务各是多少？"): each part is scored on
        its own (a part without a year takes the previous part's) and its best sentence is added when it
        brings a figure the answer doesn't have yet."""
        have = "".join(c.sentence for c in chosen)
        extra: list[Candidate] = []
        for _, ap in self._parts(question, a):
            if sum(con.idf for con in ap.concepts) < PART_MIN_IDF:
                continue  # "增长了多少？": nothing of its own to look for; the first part's sentence answers it
            for c in self.candidates(ap, hits)[:3]:
                if c.score < self.threshold or c.coverage < 0.5:
                    break
                if c.sentence in have:
                    break  # the part is already answered by a chosen sentence
                if self.why_not(ap, c) is not None:
                    break  # its best sentence is a near miss (隐性债务 asked, 收入总量 found)
                if set(_figures(trim(c.sentence, ap))) - set(_figures(have)):
                    extra.append(c)
                    have += c.sentence
                    break
        return extra[:MAX_PARTS]

    # -- answering ---------------------------------------------------------------------------
    def answer(self, question: str, hits: list[Hit], lang: str | None = None) -> Answer:
        t0 = time.perf_counter()
        a = self.analyse(question)
        lang = lang or a.lang
        cands, reason, confidence = self.ranked(a, hits)
        notes: list[str] = []
        if reason is None:
            chosen = self._select(a, cands)
            chosen += self._more_for_parts(question, a, hits, chosen)
        else:
            # a multi-part question may still be answered in part: each part on its own, the refused
            # parts named with their reasons
            chosen, notes = self._answer_parts(question, a, hits, lang)
        if not chosen:
            text = refusal_with_reason(lang, reason.kind, reason.term, reason.detail)
            return Answer(question, lang, text, True, [], list(hits), backend=self.name,
                          timings={"answer_ms": (time.perf_counter() - t0) * 1000}, confidence=confidence,
                          refusal_reason={"kind": reason.kind, "term": reason.term, "detail": reason.detail,
                                          # the near miss, so the reader can see it in its passage
                                          "chunk_id": cands[0].hit.chunk.chunk_id if cands else "",
                                          "sentence": cands[0].sentence if cands else ""})
        chosen = _with_sequels(_with_antecedents(chosen, hits))
        why = asks_reason(question)
        if reason is None and (why or (question_type(question) == "other" and asks_description(question))):
            chosen = _with_run(chosen, why)
        chosen.sort(key=lambda c: (c.n, c.hit.chunk.text.find(c.sentence)))
        parts = [(c.n, trim(c.sentence, a) if a.quantity else c.sentence.rstrip("。；;"), c.hit) for c in chosen]
        text = compose_zh(parts) if lang == "zh" else compose_en(parts, a, self.profile)
        if notes:
            text = join_sentences(lang, [text, *notes])
        text, cited, unsupported = verify(text, [h.chunk.text for h in hits])
        citations = []
        for n in cited:
            sents = [c.sentence for c in chosen if c.n == n]  # chosen is in passage order
            citations.append(Citation.from_hit(n, hits[n - 1], sentences=sents))
        return Answer(question, lang, text, False, citations, list(hits), unsupported, backend=self.name,
                      timings={"answer_ms": (time.perf_counter() - t0) * 1000}, confidence=confidence)


# a sentence that points back (rag.lexicon.anaphoric) is quoted with the sentence before it


def antecedent(line: str, sentence: str) -> str | None:
    """The sentence before ``sentence`` in its paragraph ``line`` when ``sentence`` opens with an anaphoric
    word (:func:`rag.lexicon.anaphoric`), else None. The two are returned as one quote, as they stand in the text.

    >>> antecedent("周衡是清代园艺家。他的《园林志》流传很广。", "他的《园林志》流传很广。")
    '周衡是清代园艺家。他的《园林志》流传很广。'
    >>> antecedent("周衡是清代园艺家。此外，他还行医。", "此外，他还行医。") is None
    True
    """
    return _pair(line, sentence, after=False) if anaphoric(sentence) else None


def _pair(line: str, sentence: str, after: bool) -> str | None:
    """``sentence`` joined with the sentence after (``after``) or before it in ``line``, as they stand."""
    spans = split_sentences(line)
    for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
        if (line[a0:a1] if after else line[b0:b1]).strip() == sentence:
            return line[a0:b1].strip()
    return None


def _not_repeated(out: list[Candidate]) -> list[Candidate]:
    """``out`` without a sentence quoted inside another one's pair."""
    return [c for c in out if not any(c is not o and c.sentence in o.sentence for o in out)]


def _with_antecedents(chosen: list[Candidate], hits: list[Hit]) -> list[Candidate]:
    """``chosen`` with each anaphoric sentence quoted together with the sentence before it (once). When the
    sentence opens its passage, another retrieved passage of the same document that holds both (passages
    overlap) is quoted and cited instead."""
    out: list[Candidate] = []
    for c in chosen:
        mine = c.hit.chunk
        same_doc = [(n, h) for n, h in enumerate(hits, 1) if h is not c.hit and h.chunk.doc_id == mine.doc_id
                    and h.chunk.char_start < mine.char_start < h.chunk.char_end]  # a passage overlapping its start
        for n, h in [(c.n, c.hit), *same_doc]:
            both = next((antecedent(line, c.sentence) for line in h.chunk.text.split("\n") if c.sentence in line), None)
            if both:
                if not any(both in o.sentence or o.sentence in both for o in out):
                    c = replace(c, sentence=both, n=n, hit=h)
                break
        out.append(c)
    return _not_repeated(out)


def sequel(line: str, sentence: str) -> str | None:
    """``sentence`` with the sentence after it in its paragraph ``line`` when ``sentence`` announces what
    follows (:func:`rag.lexicon.cataphoric`), else None.

    >>> sequel("浮龙具有数个独有特征。它们的鳍状肢狭窄、尾鳍大。浮龙的眼睛也相当大。", "浮龙具有数个独有特征。")
    '浮龙具有数个独有特征。它们的鳍状肢狭窄、尾鳍大。'
    >>> sequel("浮龙是沧龙类。它们的鳍状肢狭窄。", "浮龙是沧龙类。") is None
    True
    """
    return _pair(line, sentence, after=True) if cataphoric(sentence) else None


def _with_sequels(chosen: list[Candidate]) -> list[Candidate]:
    """``chosen`` with each sentence that announces items quoted together with the sentence after it."""
    out: list[Candidate] = []
    for c in chosen:
        both = next((sequel(line, c.sentence) for line in c.hit.chunk.text.split("\n") if c.sentence in line), None)
        if both and not any(both in o.sentence or o.sentence in both for o in out):
            c = replace(c, sentence=both)
        out.append(c)
    return _not_repeated(out)


# the longest quote a description runs to: a paragraph of a passage (train splits: CMRC .868 -> .899 / .902 / .907
# at 120 / 200 / 300 characters, 500 the same as 300; XQuAD zh .873 -> .880 from 200 on)
RUN_CHARS = 300


# a line that continues a list: "一是…", "（二）…", "3. …", "- …"
_LIST_ITEM = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）.、．]|[一二三四五六七八九十]是|第[一二三四五六七八九十\d]+[，、,：:]"
                        r"|[-•·*●▪]\s)")


def _units(text: str) -> list[tuple[int, int, int]]:
    """(start, end, line number) of every sentence of ``text``, its lines split apart."""
    out, off = [], 0
    for k, line in enumerate(text.split("\n")):
        out += [(off + a, off + b, k) for a, b in split_sentences(line)]
        off += len(line) + 1
    return out


def run_of(text: str, sentence: str, back: bool, limit: int = RUN_CHARS) -> str:
    r"""``sentence`` with the sentences after it in its paragraph of ``text`` (``back``: first those before it)
    for as long as the quote stays within ``limit`` characters: the answer to a question asking for a
    description, a list or a reason, which a paragraph often gives over several sentences. A paragraph that
    announces a list (…如下：) runs on into the list's lines.

    >>> run_of("浮龙是沧龙类。它的鳍状肢狭窄。眼睛也相当大。\n浮龙生活在海中。", "它的鳍状肢狭窄。", back=False)
    '它的鳍状肢狭窄。眼睛也相当大。'
    >>> run_of("阎行攻击韩遂，但失败。韩遂听从，投靠羌人。", "韩遂听从，投靠羌人。", back=True)
    '阎行攻击韩遂，但失败。韩遂听从，投靠羌人。'
    >>> run_of("其特点如下：\n一是鳍大。\n二是眼大。\n浮龙生活在海中。", "其特点如下：", back=False)
    '其特点如下：\n一是鳍大。\n二是眼大。'
    >>> run_of("甲。乙。", "甲。", back=False, limit=3)
    '甲。'
    """
    units = _units(text)
    # where the sentence stands: at the start of one of the text's sentences (a sentence may also end another)
    starts = [a + len(text[a:b]) - len(text[a:b].lstrip()) for a, b, _ in units]
    at = next((a for a in starts if text.startswith(sentence, a)), text.find(sentence))
    if at < 0:
        return sentence
    start, end = at, at + len(sentence)
    line = next((k for a, b, k in units if a <= at < b), None)
    if back:
        for a, _, k in reversed([u for u in units if u[1] <= start]):
            if k != line or end - a > limit:
                break
            start = a
    last = next((k for a, b, k in reversed(units) if a < end), line)
    for a, b, k in (u for u in units if u[0] >= end):
        if k != last and not (text[:end].rstrip().endswith(("：", ":")) or _LIST_ITEM.match(text[a:b])):
            break  # a new paragraph, and no list item
        if b - start > limit:
            break
        end, last = b, k
    return text[start:end].strip()


def _with_run(chosen: list[Candidate], reason: bool) -> list[Candidate]:
    """``chosen`` with its best sentence quoted with the rest of its run (:func:`run_of`); for a question asking
    why, with the sentences before it first when it gives no cause itself (it states the effect asked about).
    Another chosen sentence the run takes in, wholly or in part, is left out."""
    if not chosen:
        return chosen
    best = chosen[0]
    run = run_of(best.hit.chunk.text, best.sentence, reason and not gives_cause(best.sentence))
    if run == best.sentence:
        return chosen

    def overlaps(c: Candidate) -> bool:
        pieces = (c.sentence[a:b].strip() for a, b in split_sentences(c.sentence))
        return c.hit is best.hit and any(p and p in run for p in pieces)

    return _not_repeated([replace(best, sentence=run), *(c for c in chosen[1:] if not overlaps(c))])


MAX_PARTS = 2  # sentences a multi-part question may add to the answer
PART_MIN_IDF = 3.0  # a part must name something specific to be looked up on its own


def question_parts(question: str) -> list[str]:
    """The sub-questions of a question: split at question marks, and in English also before a second
    question word ("…, and how much did it grow").

    >>> question_parts("2024年全市计划发行多少政府债券？其中新增债券多少？")
    ['2024年全市计划发行多少政府债券', '其中新增债券多少']
    >>> question_parts("How many trains ran in 2023, and how much did that grow?")
    ['How many trains ran in 2023', 'how much did that grow']
    """
    pieces = re.split(r"[？?]|,?\s+and\s+(?=(?:how|what|which|by how)\b)", question)
    return [p.strip() for p in pieces if len(p.strip()) >= 4]


def _figures(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", _YEAR.sub("", text))


def trim(sentence: str, a: Analysis) -> str:
    """The part of ``sentence`` that answers: for a quantity question the comma-separated segments that
    both name a question concept and hold a figure (from the first to the last of them); otherwise, or
    when no segment does, the clauses from the first that names a concept or holds a figure to the last
    one that does. Short sentences are kept whole; a year is no figure.

    A comma between digits (22,392) is part of the number; a clause that ends with a colon keeps the
    list that follows it ("主要产品包括：A、B、C").

    >>> from rag.answer.analysis import Analysis, Concept
    >>> a = Analysis("2023年地区生产总值是多少？", "zh", [Concept(("地区生产总值",), 1.0)], quantity=True)
    >>> trim("2023年，面对严峻复杂的国际环境和艰巨繁重的改革发展稳定任务，全市上下坚持高质量发展不动摇，"
    ...      "全年地区生产总值迈上3万亿元新台阶、达到30145.79亿元、增长6.1%，主要经济指标符合预期。", a)
    '全年地区生产总值迈上3万亿元新台阶、达到30145.79亿元、增长6.1%'
    """
    s = sentence.rstrip("。；;")
    if len(s) <= 60:
        return s

    def named(text: str) -> bool:
        return any(f in text for con in a.concepts for f in con.forms)

    def figure(text: str) -> bool:
        return bool(_FIGURE.search(_YEAR.sub("", text)))

    if a.quantity:
        segments = _SEGMENT.findall(s)
        key = [named(seg) and figure(seg) for seg in segments]
        if any(key):
            first, last = key.index(True), len(key) - 1 - key[::-1].index(True)
            out = "".join(segments[first:_through_list(segments, last) + 1]).rstrip("，；、：:,; ")
            if len(out) >= 6:
                return out
    clauses = _CLAUSE.findall(s)
    key = [named(cl) or figure(cl) for cl in clauses]
    if not any(key):
        return s
    first = key.index(True)
    last = len(key) - 1 - key[::-1].index(True)
    out = "".join(clauses[first:_through_list(clauses, last) + 1]).rstrip("，；、：:,; ")
    return out if len(out) >= 6 else s


def _through_list(pieces: list[str], last: int) -> int:
    """The index of the last piece to keep when ``pieces[last]`` ends with a colon: the list it introduces
    ("主要产品包括：" + "A、B、C"), up to the next semicolon or the end of the sentence."""
    if not pieces[last].endswith(_COLON):
        return last
    end = last + 1
    while end < len(pieces) - 1 and not pieces[end].endswith(("；", ";")):
        end += 1
    return min(end, len(pieces) - 1)


_UNITS = {
    "percent": re.compile(r"\d(?:\.\d+)?\s*%|百分点"),
    "money": re.compile(r"\d(?:\.\d+)?\s*(?:万亿|亿|万)?元"),
    "count": re.compile(r"\d(?:\.\d+)?\s*万?(?:个|家|项|人|条|座|所|名|户|件|辆|套|公里|亩|吨|天|次|张|项)"),
}


def _figure_follows(sent: str, a: Analysis) -> bool:
    """A figure comes right after one of the question's terms ("地区生产总值迈上3万亿元"), not only
    after other words ("每亿元地区生产总值生产安全事故死亡人数0.019": that figure is a death rate)."""
    for con in a.concepts:
        for f in con.forms:
            start = sent.find(f)
            while start >= 0:
                if _ATTACHED.match(sent, start + len(f)):
                    return True
                start = sent.find(f, start + 1)
    return False


_ATTACHED = re.compile(r"[^，；。,;\d]{0,6}\d")


def _has_unit(text: str, unit: str) -> bool:
    return bool(_UNITS[unit].search(text))


def _own_years(sentence: str) -> frozenset[str]:
    """The years a sentence dates (2023年, 公元前221年, 19世纪)."""
    return frozenset(years_in(sentence, dated_only=True))


def _heading_years(section: list[str]) -> frozenset[str]:
    """The years of the nearest section heading that names one (the document title, which often names
    two, is left out)."""
    for heading in reversed(section[1:]):
        found = years_in(heading)
        if found:
            return frozenset(found)
    return frozenset()


def _bare(text: str) -> str:
    """A title or sentence without markup, quotes and end punctuation (to compare a line with a title)."""
    return _TITLE_MARKS.sub("", text or "").strip()


def _bigram_overlap(term: str, text: str) -> float:
    grams = [term[i:i + 2] for i in range(len(term) - 1)]
    if not grams:
        return 0.0
    return sum(1 for g in grams if g in text) / len(grams)


def _matches(c: Candidate, kind: str, val: str) -> bool:
    return val in c.years if kind == "year" else c.scope == val

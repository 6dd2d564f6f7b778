"""The question-answering pipeline shared by the CLI, the evaluation runner and the web UI:
rewrite a follow-up -> retrieve (hybrid; an LLM, when configured, adds a Chinese search query for
English questions) -> answer (offline extractive, or an LLM) -> verified citations.

>>> from rag.config import Config, ConfigError
>>> a = Assistant(Config())                                                  # doctest: +SKIP
>>> a.ask("2024年全市一般公共预算收入预计是多少？").answer                    # doctest: +SKIP
'——全市一般公共预算收入预计2587亿元，增长6%[1]。'

Every shell (CLI, web UI, HTTP API) bounds a question with :func:`check_question` first:

>>> check_question("  多少？ ", 2000)
'多少？'
>>> try:
...     check_question("x" * 2500, 2000)
... except QuestionError as exc:
...     print(exc)
question too long: 2500 characters (limit 2000); shorten it
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Iterator, Sequence

from rag.answer.corpus import CorpusStats
from rag.answer.extractive import OfflineAnswerer
from rag.answer.lang import detect_lang
from rag.answer.rewrite import rewrite as rule_rewrite
from rag.answer.types import Answer
from rag.config import Config, ConfigError
from rag.retrieve import Retriever, rrf_fuse
from rag.types import SPREAD, Hit, spread_of

History = Sequence[tuple[str, str]]


class QuestionError(ValueError):
    """An empty or too long question (one line). ``kind`` is "empty" or "too_long"; ``length`` and
    ``limit`` let a shell word the message in its own language."""

    def __init__(self, message: str, kind: str, length: int, limit: int):
        super().__init__(message)
        self.kind, self.length, self.limit = kind, length, limit


def check_question(question: str, max_chars: int) -> str:
    """The stripped ``question``, or :class:`QuestionError` if it is empty or longer than ``max_chars``
    characters (a long question would hold the shared embedder and tokenizer for everyone)."""
    q = (question or "").strip()
    if not q:
        raise QuestionError("empty question: type a question", "empty", 0, max_chars)
    if len(q) > max_chars:
        raise QuestionError(f"question too long: {len(q)} characters (limit {max_chars}); shorten it",
                            "too_long", len(q), max_chars)
    return q


class Assistant:
    """Loads the index, embedder and answerer once; then ``ask``/``stream`` per question."""

    def __init__(self, cfg: Config, retriever: Retriever | None = None):
        self.cfg = cfg
        self.retriever = retriever or Retriever.open(cfg)
        self.profile = self.retriever.profile  # the domain profile of the index (or the one cfg names)
        self.offline = OfflineAnswerer(CorpusStats.of(self.retriever.store), cfg.refusal_threshold,
                                       self.retriever.embedder, {"zh": cfg.refusal_sim_zh, "en": cfg.refusal_sim_en},
                                       cfg.refusal_min_coverage, self.profile, _selector(cfg), cfg.min_confidence,
                                       _sentence_vectors(cfg, self.retriever.embedder), cfg.also_quote)
        self.llm = None
        if cfg.llm != "offline":
            from rag.answer.llm import make_llm

            self.llm = make_llm(cfg)

    @property
    def name(self) -> str:
        return self.llm.name if self.llm else self.offline.name

    # -- stages ----------------------------------------------------------------------------
    def standalone(self, question: str, history: History = ()) -> str:
        if not history:
            return question.strip()
        if self.llm is not None:
            return self.llm.rewrite(question, list(history))
        return rule_rewrite(question, list(history), self.profile)

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        k = k or self.cfg.answer_passages
        hits = self.retriever.search(question, k=k)
        if self.llm is not None and detect_lang(question) == "en":
            zh = self.llm.translate_query(question)
            if zh:
                # merge the LLM's Chinese query with the offline bridge's results (rank fusion)
                extra = self.retriever.search(zh, k=k)
                by_id = {}
                for h in (*hits, *extra):
                    by_id.setdefault(h.chunk.chunk_id, h)
                scores = rrf_fuse([[h.chunk.chunk_id for h in ranking] for ranking in (hits, extra)], self.cfg.rrf_k)
                spread = spread_of(hits)
                hits = [by_id[i] for i in sorted(scores, key=lambda i: -scores[i])[:k]]
                for h in hits:  # the question's own dense spread (the topic model's evidence), not the translation's
                    h.extras.pop(SPREAD, None)
                    if spread is not None:
                        h.extras[SPREAD] = spread
        return hits

    # -- answering -------------------------------------------------------------------------
    def answer(self, question: str, hits: list[Hit]) -> Answer:
        """Answer from given passages (used by the evaluation runner)."""
        if self.llm is None:
            return self.offline.answer(question, hits)
        return self._llm_or_fallback(question, hits, stream=False)

    def ask(self, question: str, history: History = ()) -> Answer:
        """The final :class:`Answer`; :class:`QuestionError` for an empty or too long question."""
        final = None
        for event in self.stream(question, history):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def stream(self, question: str, history: History = ()) -> Iterator[str | Answer]:
        """Yield answer text deltas as they come, then the final :class:`Answer`. Raises
        :class:`QuestionError` (before anything is yielded) for an empty or too long question."""
        check_question(question, self.cfg.max_question_chars)
        return self._stream(question, history)

    def _stream(self, question: str, history: History) -> Iterator[str | Answer]:
        t0 = time.perf_counter()
        standalone = self.standalone(question, history)
        t1 = time.perf_counter()
        hits = self.retrieve(standalone)
        t2 = time.perf_counter()
        if self.llm is None:
            ans = self.offline.answer(standalone, hits, detect_lang(question))
            for piece in _pieces(ans.answer):
                yield piece
        else:
            ans = None
            for event in self._llm_or_fallback(standalone, hits, stream=True, lang=detect_lang(question)):
                if isinstance(event, Answer):
                    ans = event
                else:
                    yield event
            assert ans is not None
        ans.question = question
        ans.standalone_question = standalone
        ans.timings.update(rewrite_ms=(t1 - t0) * 1000, retrieve_ms=(t2 - t1) * 1000,
                           total_ms=(time.perf_counter() - t0) * 1000)
        yield ans

    def _llm_or_fallback(self, question: str, hits: list[Hit], stream: bool, lang: str | None = None):
        from rag.answer.llm import LLMError

        lang = lang or detect_lang(question)
        try:
            if not stream:
                return self.llm.answer(question, hits, lang)
            return self._stream_llm(question, hits, lang)
        except LLMError:
            if not self.cfg.llm_fallback:
                raise
            return self.offline.answer(question, hits, lang) if not stream else iter([self.offline.answer(question, hits, lang)])

    def _stream_llm(self, question: str, hits: list[Hit], lang: str):
        from rag.answer.llm import LLMError

        started = False
        try:
            for event in self.llm.stream(question, hits, lang):
                started = True
                yield event
        except LLMError:
            if not self.cfg.llm_fallback or started:
                raise
            ans = self.offline.answer(question, hits, lang)
            ans.backend = f"offline (fallback from {self.llm.name})"
            yield from _pieces(ans.answer)
            yield ans


def _pieces(text: str) -> list[str]:
    """Split offline answer text into sentence-sized deltas for streaming displays."""
    out, cur = [], ""
    for ch in text:
        cur += ch
        if ch in "。；.!?！？" and len(cur) > 1:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def _selector(cfg: Config):
    """The fitted answer selector when the config asks for it (and its weights ship), else None (rules)."""
    if cfg.answer_selector == "rules":
        return None
    if cfg.answer_selector != "fitted":
        raise ConfigError(f"answer_selector must be 'fitted' or 'rules', not {cfg.answer_selector!r}")
    from rag.answer.selector import Selector

    return Selector.default()


def _sentence_vectors(cfg: Config, embedder):
    """Sentence vectors for the fitted selector, read from the index folder's vector cache (filled when the
    index is built); one per cache and embedder per process, shared by every Assistant (the web UI and the
    API make one per request)."""
    if cfg.answer_selector != "fitted" or embedder is None:
        return None
    from rag.indexer import cache_path

    return _shared_sentence_vectors(str(cache_path(cfg)), embedder)


@lru_cache(maxsize=16)
def _shared_sentence_vectors(path: str, embedder):
    from rag.embed import VectorCache
    from rag.sentences import SentenceVectors

    try:
        cache = VectorCache(path)
    except Exception:  # noqa: BLE001 - a read-only or broken cache folder: vectors are recomputed, kept in memory
        cache = None
    return SentenceVectors(embedder, cache)

"""Run a question set against an index (and optionally an answerer) and aggregate the metrics.

Every per-question record carries what is needed to recompute its metrics: the retrieved chunk ids
and texts, the ids of the chunks holding each gold quote, the answer and the cited passages.

A multi-set run reports one headline row per set (and per language when a set has several):

>>> recs = [{"lang": "zh", "answerable": True, "metrics": {"hit@5": 1.0}},
...         {"lang": "en", "answerable": True, "metrics": {"hit@5": 0.0}},
...         {"lang": "en", "answerable": False, "metrics": {}}]
>>> rows = headline_rows(recs)
>>> sorted(rows), rows["all"]["hit@5"], rows["en"]["n_unanswerable"], rows["all"]["facts_correct"]
(['all', 'en', 'zh'], 0.5, 1, None)
"""

from __future__ import annotations

import sys
import time
import weakref
from typing import Any, Callable, Protocol, Sequence

from rag.evaluation import metrics as M
from rag.evaluation.dataset import Question
from rag.retrieve import Retriever

RETRIEVE_K = 10


class Answerer(Protocol):
    name: str

    def answer(self, question: str, hits: list) -> Any:
        """An :class:`rag.answer.types.Answer` (or a dict with ``answer``, ``refused`` and
        ``citations`` as a list of {n, chunk_id, text})."""


_DOCS_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _documents(store) -> list[tuple[list[str], list[str]]]:
    """Per document, (chunk ids, chunk texts) in document order (computed once per opened index)."""
    if store not in _DOCS_CACHE:
        by_doc: dict[str, list] = {}
        for c in sorted(store.chunks, key=lambda c: (c.doc_id, c.char_start)):
            by_doc.setdefault(c.doc_id, []).append(c)
        _DOCS_CACHE[store] = [([c.chunk_id for c in cs], [c.text for c in cs]) for cs in by_doc.values()]
    return _DOCS_CACHE[store]


def gold_holders(retriever: Retriever, q: Question) -> list[list[str]]:
    """Per gold quote, the ids of the chunks that hold it (document order; a quote straddling two
    adjacent chunks of the same document is held by both)."""
    docs = _documents(retriever.store)
    out: list[list[str]] = []
    for quote in q.quotes:
        whole: list[str] = []
        straddle: list[str] = []
        for ids, texts in docs:
            idx = M.quote_holders(texts, quote)
            if any(M.norm(quote) in M.norm(texts[i]) for i in idx):
                whole += [ids[i] for i in idx]
            else:
                straddle += [ids[i] for i in idx]
        out.append(whole or straddle)
    return out


def evaluate_question(q: Question, retriever: Retriever, mode: str = "hybrid",
                      answerer: Answerer | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    hits = retriever.search(q.question, k=RETRIEVE_K, mode=mode)
    retrieve_ms = (time.perf_counter() - t0) * 1000
    holders = gold_holders(retriever, q) if q.quotes else []
    ids = [h.chunk.chunk_id for h in hits]
    rank = M.first_full_hit(ids, holders) if holders else None
    rec: dict[str, Any] = {
        "id": q.id, "lang": q.lang, "type": q.type, "report": q.report, "question": q.question,
        "answer_facts": q.answer_facts, "gold_quote": q.quotes, "answerable": q.answerable,
        "gold_chunks": holders,
        "retrieved": [{"chunk_id": h.chunk.chunk_id, "score": round(h.score, 6), "section": h.chunk.section,
                       "lines": [h.chunk.line_start, h.chunk.line_end], "text": h.chunk.text} for h in hits],
        "rank": rank,
        "retrieve_ms": round(retrieve_ms, 2),
        "metrics": M.retrieval_scores(rank) if holders else {},
    }
    if answerer is not None:
        t1 = time.perf_counter()
        out = answerer.answer(q.question, hits[: retriever.cfg.answer_passages])
        if hasattr(out, "to_dict"):
            out = out.to_dict()
        rec["answer_ms"] = round((time.perf_counter() - t1) * 1000, 2)
        rec["unsupported"] = out.get("unsupported", [])
        rec["answer"] = out.get("answer", "")
        rec["refused"] = bool(out.get("refused"))
        reason = out.get("refusal_reason") or {}
        rec["refusal_reason"] = reason.get("kind", "") if rec["refused"] else ""
        rec["citations"] = [{"n": c.get("n"), "chunk_id": c.get("chunk_id"), "text": c.get("text", "")}
                            for c in out.get("citations", [])]
        m = rec["metrics"]
        if q.answerable:
            m.update(M.answer_scores(rec["answer"] if not rec["refused"] else "", q.answer_facts))
            m.update(M.citation_scores([c["text"] for c in rec["citations"]], q.quotes, q.answer_facts))
            m["false_refusal"] = float(rec["refused"])
        else:
            m["refusal_correct"] = float(rec["refused"])
    return rec


def run(questions: Sequence[Question], retriever: Retriever, mode: str = "hybrid",
        answerer: Answerer | None = None, progress: bool = True,
        on_record: Callable[[dict], None] | None = None, name: str = "") -> list[dict[str, Any]]:
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(questions), desc=f"evaluating {name + ' ' if name else ''}({mode})", unit="q", file=sys.stderr, dynamic_ncols=True)
    out = []
    for q in questions:
        rec = evaluate_question(q, retriever, mode, answerer)
        out.append(rec)
        if on_record:
            on_record(rec)
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    return out


def aggregate(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Means of every metric (over the questions that have it), counts, and latency percentiles."""
    names: list[str] = []
    for r in records:
        for k in r["metrics"]:
            if k not in names:
                names.append(k)
    out: dict[str, Any] = {"n": len(records)}
    for k in names:
        vals = [r["metrics"][k] for r in records if k in r["metrics"]]
        out[k] = round(M.mean(vals), 4)
        out[f"n_{k}"] = len(vals)
    for key in ("retrieve_ms", "answer_ms"):
        vals = [r[key] for r in records if key in r]
        if vals:
            out[f"{key}_p50"] = round(M.percentile(vals, 50), 2)
            out[f"{key}_p95"] = round(M.percentile(vals, 95), 2)
    return out


HEADLINE = ("hit@5", "facts_correct", "citation_correct", "false_refusal", "refusal_correct", "answer_ms_p50")


def headline(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One row of a multi-set summary: answerable/unanswerable counts and the headline metrics (None when
    no question has the metric, e.g. answer metrics in a retrieval-only run)."""
    agg = aggregate(records)
    row: dict[str, Any] = {"n_answerable": sum(bool(r["answerable"]) for r in records),
                           "n_unanswerable": sum(not r["answerable"] for r in records)}
    for k in HEADLINE:
        row[k] = agg.get(k)
        if f"n_{k}" in agg:
            row[f"n_{k}"] = agg[f"n_{k}"]
    return row


def headline_rows(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``{"all": row}``, plus one row per language when the set has questions in more than one."""
    rows = {"all": headline(records)}
    langs = sorted({r["lang"] for r in records if r["lang"]})
    if len(langs) > 1:
        for lang in langs:
            rows[lang] = headline([r for r in records if r["lang"] == lang])
    return rows


def summarise(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, Any] = {"overall": aggregate(records)}
    for field in ("lang", "type"):
        for val in sorted({r[field] for r in records if r[field]}):
            groups[f"{field}={val}"] = aggregate([r for r in records if r[field] == val])
    return groups

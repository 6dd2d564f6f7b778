"""HTML for the web UI: answers with clickable citation markers, source lists, the passage panel.

Every citation marker is ``<a class="cite" href="#cite-ID" data-chunk="ID">[n]</a>``; a small script
(:data:`rag.ui.assets.HEAD`) turns a click into a passage look-up by chunk id.

>>> link(2, "ab12")
'<a class="cite" href="#cite-ab12" data-chunk="ab12">[2]</a>'
>>> highlight("甲。乙丙。丁。", "乙丙。")
'甲。<mark>乙丙。</mark>丁。'
>>> print(md_esc("**x**_[a](b)<i>.txt"))
\\*\\*x\\*\\*\\_\\[a\\]\\(b\\)&lt;i&gt;\\.txt
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rag.ui.i18n import answer_text as atext, t

CITE_RE = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]")


def esc(s: str) -> str:
    return html.escape(s or "", quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def md_esc(s: str) -> str:
    """``s`` as literal text inside Markdown (a status line): HTML escaped, Markdown punctuation
    backslash-escaped, line breaks flattened."""
    flat = " ".join(str(s or "").split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def link(n: int, chunk_id: str, title: str = "") -> str:
    tip = f' title="{esc(title)}"' if title else ""
    return f'<a class="cite" href="#cite-{esc(chunk_id)}" data-chunk="{esc(chunk_id)}"{tip}>[{n}]</a>'


def link_markers(text: str, by_n: dict[int, dict]) -> str:
    """Escape ``text`` and turn each ``[n]`` (or ``[n, m]``) whose n is cited into citation links."""

    def sub(m: re.Match) -> str:
        nums = [int(x) for x in re.split(r"\s*[,，、]\s*", m.group(1))]
        if not all(n in by_n for n in nums):
            return m.group(0)
        return "".join(link(n, by_n[n]["chunk_id"], _tip(by_n[n])) for n in nums)

    return CITE_RE.sub(sub, esc(text))


def _tip(c: dict) -> str:
    sec = c.get("section") or []
    return " › ".join([c.get("doc_title", "")] + list(sec[-1:]))


def where(c: dict, lang: str) -> str:
    a_, b_ = c.get("line_start") or 0, c.get("line_end") or 0
    parts = []
    if a_:
        parts.append(atext("lines", lang, a=a_, b=b_) if b_ and b_ != a_ else atext("line", lang, a=a_))
    if c.get("page"):
        parts.append(atext("page", lang, p=c["page"]))
    return " · ".join(parts)


def citation_record(cit: Any, hit: Any = None) -> dict:
    """A JSON-friendly citation (kept in the session's chunk_id -> citation map)."""
    d = asdict(cit)
    if hit is not None:
        d.update(score=round(float(hit.score), 4), dense_rank=hit.dense_rank, bm25_rank=hit.bm25_rank,
                 sentence_rank=hit.extras.get("sentence_rank"))
    return d


def answer_records(ans: Any) -> list[dict]:
    """Citations of an answer, or (for a refusal) the closest passages, as records."""
    from rag.answer.types import Citation

    if ans.refused or not ans.citations:
        # a refusal that names its near miss highlights it in its passage
        near = getattr(ans, "refusal_reason", None) or {}
        numbered = list(enumerate(ans.passages, 1))
        # the passage of the near miss first (wherever retrieval ranked it), then the best others: three in all
        first = [(n, h) for n, h in numbered if near.get("chunk_id") and h.chunk.chunk_id == near.get("chunk_id")][:1]
        shown = first + [(n, h) for n, h in numbered if not first or n != first[0][0]][:3 - len(first)]
        return [citation_record(Citation.from_hit(
                    n, h, near.get("sentence", "") if near.get("chunk_id") == h.chunk.chunk_id else ""), h)
                for n, h in shown]
    out = []
    for c in ans.citations:
        hit = ans.passages[c.n - 1] if 0 < c.n <= len(ans.passages) else None
        out.append(citation_record(c, hit))
    return out


def answer_html(ans: Any, show_scores: bool = False, lang_ui: str = "zh") -> tuple[str, list[dict]]:
    """The final chat message for ``ans`` and its citation records."""
    lang = ans.lang if ans.lang in ("zh", "en") else "zh"
    records = answer_records(ans)
    by_n = {r["n"]: r for r in records} if not ans.refused else {}
    body = link_markers(ans.answer, by_n).replace("\n", "<br>")
    out = [f'<div class="rag-answer">{body}</div>']
    if ans.standalone_question and ans.standalone_question.strip() != (ans.question or "").strip():
        out.append(f'<div class="rag-understood">{esc(t("understood", lang, q=ans.standalone_question))}</div>')
    if ans.unsupported:
        out.append(f'<div class="rag-warn">{esc(atext("unsupported", lang))}{esc(" | ".join(ans.unsupported))}</div>')
    if records:
        head = atext("closest" if ans.refused else "sources", lang)
        items = []
        for r in records:
            sec = " › ".join(r.get("section") or [])
            meta = " · ".join(x for x in (sec, where(r, lang)) if x)
            score = ""
            if show_scores and r.get("score") is not None:
                ranks = []
                if r.get("dense_rank"):
                    ranks.append(f"dense #{r['dense_rank']}")
                if r.get("bm25_rank"):
                    ranks.append(f"BM25 #{r['bm25_rank']}")
                if r.get("sentence_rank"):
                    ranks.append(f"sentence #{r['sentence_rank']}")
                score = (f' <span class="rag-score">{esc(atext("score", lang))} {r["score"]:.4f}'
                         + (f" ({', '.join(ranks)})" if ranks else "") + "</span>")
            quotes = r.get("sentences") or ([r["sentence"]] if r.get("sentence") else [])
            quote_html = "".join(f'<div class="rag-quote">“{esc(q)}”</div>' for q in quotes)
            items.append(f'<li>{link(r["n"], r["chunk_id"], _tip(r))} <b>{esc(r.get("doc_title", ""))}</b>'
                         f'{score}<div class="rag-meta">{esc(meta)}</div>{quote_html}</li>')
        out.append(f'<div class="rag-sources"><div class="rag-sources-title">{esc(head)}</div>'
                   f'<ul>{"".join(items)}</ul></div>')
    return "".join(out), records


def streaming_html(text: str) -> str:
    return f'<div class="rag-answer">{esc(text).replace(chr(10), "<br>")}</div>'


def highlight(text: str, sentence: str | list[str]) -> str:
    """Escape ``text`` and wrap the supporting sentence(s) in ``<mark>`` (whitespace-insensitive).

    >>> highlight("甲。乙<丙。丁。", ["乙<丙。", "丁。"])
    '甲。<mark>乙&lt;丙。</mark><mark>丁。</mark>'
    """
    wanted = [s.strip() for s in ([sentence] if isinstance(sentence, str) else sentence or []) if s and s.strip()]
    spans = sorted(sp for sp in (_span(text, s) for s in wanted) if sp)
    out, pos = [], 0
    for i, j in spans:
        if i < pos:  # overlapping: keep the first
            continue
        out += [esc(text[pos:i]), f"<mark>{esc(text[i:j])}</mark>"]
        pos = j
    out.append(esc(text[pos:]))
    return "".join(out)


def _span(text: str, sentence: str) -> tuple[int, int] | None:
    i = text.find(sentence)
    if i >= 0:
        return i, i + len(sentence)
    # match ignoring whitespace (passages keep line breaks that sentences may have lost)
    keep = [k for k, ch in enumerate(text) if not ch.isspace()]
    squashed = "".join(text[k] for k in keep)
    target = re.sub(r"\s+", "", sentence)
    pos = squashed.find(target)
    if pos < 0:
        target = target.rstrip("。；;.!?！？，,")
        pos = squashed.find(target) if target else -1
    if pos < 0:
        return None
    return keep[pos], keep[pos + len(target) - 1] + 1


def passage_html(rec: dict | None, lang: str, missing: bool = False) -> str:
    """The side panel: document, section path, lines/page, passage with the sentence highlighted."""
    if rec is None:
        key = "passage_missing" if missing else "passage_empty"
        return f'<div class="rag-passage rag-passage-empty">{esc(t(key, lang))}</div>'
    sec = rec.get("section") or []
    crumbs = "".join(f'<span class="rag-crumb">{esc(s)}</span>' for s in sec)
    text = highlight(rec.get("text", ""), rec.get("sentences") or rec.get("sentence", "")).replace("\n", "<br>")
    n = f'<span class="rag-n">[{rec["n"]}]</span> ' if rec.get("n") else ""
    score = f' · {esc(atext("score", lang))} {rec["score"]:.4f}' if rec.get("score") is not None else ""
    # the path relative to the index's sources (set by the UI); never the server path
    path = rec.get("doc_ref") or Path(rec.get("doc_path") or "").name
    return (f'<div class="rag-passage" data-chunk="{esc(rec.get("chunk_id", ""))}">'
            f'<div class="rag-doc">{n}{esc(rec.get("doc_title", ""))}</div>'
            f'<div class="rag-path">{esc(path)}</div>'
            f'<div class="rag-section">{crumbs}</div>'
            f'<div class="rag-where">{esc(where(rec, lang))}{score}</div>'
            f'<div class="rag-text">{text}</div></div>')


def shown_chunk_id(panel: str) -> str:
    """The chunk id of the passage a :func:`passage_html` shows ('' for the empty or missing panel).

    >>> shown_chunk_id(passage_html({"chunk_id": "a&b", "text": "x"}, "en")), shown_chunk_id(passage_html(None, "en"))
    ('a&b', '')
    """
    m = re.search(r'data-chunk="([^"]+)"', panel or "")
    return html.unescape(m.group(1)) if m else ""


def is_empty_passage(panel: str) -> bool:
    """Whether ``panel`` is the panel's hint or its passage-not-found message (no passage on show)."""
    return "rag-passage-empty" in (panel or "")


def chunk_record(chunk: Any) -> dict:
    return {"n": 0, "chunk_id": chunk.chunk_id, "doc_title": chunk.doc_title, "doc_path": chunk.doc_path,
            "section": list(chunk.section), "text": chunk.text, "sentence": "", "line_start": chunk.line_start,
            "line_end": chunk.line_end, "page": chunk.page_start}


def docs_html(docs: list[dict], lang: str, index: str) -> str:
    if not docs:
        return f'<div class="rag-docs rag-docs-empty">{esc(t("no_docs", lang, index=index))}</div>'
    rows = "".join(
        f'<tr><td>{esc(d["title"])}</td><td title="{esc(d["ref"])}">{esc(d["name"])}</td>'
        f'<td class="num">{d["chunks"]}</td><td>{esc(t("uploaded" if d["uploaded"] else "local", lang))}</td></tr>'
        for d in docs)
    head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("col_title", "col_file", "col_chunks", "col_source"))
    return f'<table class="rag-docs"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'

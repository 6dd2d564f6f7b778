"""Reports: console table, ``report.md``, ``report.png`` (matplotlib, CJK font when available), deltas, and
the one-row-per-set table of a multi-set run (``summary.md``).

>>> row = {"n_answerable": 2, "n_unanswerable": 1, "hit@5": 0.5, "facts_correct": None, "answer_ms_p50": 61.94}
>>> for line in render_text(suite_table({"a": {"rows": {"all": row}, "langs": ["zh"]}})).splitlines():
...     print(line.rstrip())
set  lang  answerable  unanswerable  hit@5  facts  citation  false refusal  refusal correct  answer p50 ms
---  ----  ----------  ------------  -----  -----  --------  -------------  ---------------  -------------
a    zh    2           1             0.500  -      -         -              -                61.9
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

RETRIEVAL_COLS = ["hit@1", "hit@3", "hit@5", "hit@10", "mrr@10"]
ANSWER_COLS = ["facts_correct", "fact_recall", "citation_correct", "citation_precision", "refusal_correct", "false_refusal"]
LATENCY_COLS = ["retrieve_ms_p50", "retrieve_ms_p95", "answer_ms_p50", "answer_ms_p95"]


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if v <= 1.0 else f"{v:.1f}"
    return str(v)


def table(groups: dict[str, dict], cols: Sequence[str]) -> list[list[str]]:
    cols = [c for c in cols if any(c in g for g in groups.values())]
    rows = [["group", "n", *cols]]
    for name, g in groups.items():
        # n: the questions the metrics apply to (e.g. retrieval metrics skip unanswerable ones)
        n = max((g.get(f"n_{c}", 0) for c in cols), default=0) or g.get("n", "")
        rows.append([name, str(n), *[_fmt(g.get(c)) for c in cols]])
    return rows


def render_text(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def render_md(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def console_summary(groups: dict[str, dict]) -> str:
    parts = [render_text(table(groups, RETRIEVAL_COLS))]
    if any(c in groups["overall"] for c in ANSWER_COLS):
        parts.append(render_text(table(groups, ANSWER_COLS)))
    parts.append(render_text(table({"overall": groups["overall"]}, LATENCY_COLS)))
    return "\n\n".join(parts)


SUITE_COLS = [("hit@5", "hit@5"), ("facts_correct", "facts"), ("citation_correct", "citation"),
              ("false_refusal", "false refusal"), ("refusal_correct", "refusal correct")]


def suite_table(sets: dict[str, dict]) -> list[list[str]]:
    """Rows of the multi-set table: per set its overall row, then a row per language when it has several.
    ``sets[name]`` holds ``rows`` (from :func:`rag.evaluation.runner.headline_rows`) and ``langs``."""
    out = [["set", "lang", "answerable", "unanswerable", *[label for _, label in SUITE_COLS], "answer p50 ms"]]
    for name, s in sets.items():
        for key, row in s["rows"].items():
            lang = "+".join(s.get("langs") or []) or "-" if key == "all" else key
            p50 = row.get("answer_ms_p50")
            out.append([name, lang, str(row["n_answerable"]), str(row["n_unanswerable"]),
                        *[_fmt(row.get(k)) for k, _ in SUITE_COLS], "-" if p50 is None else f"{p50:.1f}"])
    return out


def suite_markdown(combined: dict[str, Any]) -> str:
    """``summary.md`` of a multi-set run: how it ran, the table, and where each set's report is."""
    split = combined.get("split")
    lines = ["# Evaluation summary", "",
             f"- retrieval mode: `{combined['mode']}`; answer backend: `{combined['backend']}`; "
             f"git commit: `{combined.get('git_commit')}`" + (f"; split: `{split}`" if split else ""),
             "- answerable / unanswerable: question counts; hit@5 over answerable questions with a gold quote; "
             "false refusal: answerable questions refused; refusal correct: unanswerable questions refused", "",
             render_md(suite_table(combined["sets"])), "", "## Sets", ""]
    for name, s in combined["sets"].items():
        where = f"corpus `{s['corpus']}`" if s.get("corpus") else "the configured index"
        part = f", split `{s['split']}` by {s['split_by']} ({s['n']} of {s['n_in_file']})" if s.get("split") else ""
        lines.append(f"- [{name}]({name}/report.md): `{s['questions_file']}` on {where} (index `{s['index']}`){part}")
    return "\n".join(lines) + "\n"


def markdown_report(summary: dict[str, Any], records: Sequence[dict], worst: int = 8) -> str:
    groups = summary["groups"]
    lines = [f"# Evaluation report: {summary['questions_file']}", "",
             f"- index: `{summary['index']}` ({summary['manifest'].get('n_chunks')} chunks, "
             f"embedder `{summary['manifest']['embedder']['name']}`)",
             f"- retrieval mode: `{summary['mode']}`; answer backend: `{summary['backend']}`",
             f"- git commit: `{summary.get('git_commit')}`; questions: {groups['overall']['n']}", "",
             "A quote is hit when a retrieved chunk contains it (whitespace removed; a quote straddling two adjacent "
             "chunks counts when either is retrieved); a question with several quotes is a hit only when all are.", "",
             "## Retrieval", "", render_md(table(groups, RETRIEVAL_COLS)), ""]
    if any(c in groups["overall"] for c in ANSWER_COLS):
        lines += ["## Answers, citations, refusals", "", render_md(table(groups, ANSWER_COLS)), ""]
    lines += ["## Latency (ms)", "", render_md(table({"overall": groups["overall"]}, LATENCY_COLS)), "",
              "![chart](report.png)", ""]
    misses = [r for r in records if r.get("gold_chunks")]
    misses.sort(key=lambda r: (r["rank"] or 99, r["id"]), reverse=True)
    misses = [r for r in misses if (r["rank"] or 99) > 1][:worst]
    if misses:
        lines += ["## Worst retrieval misses", ""]
        for r in misses:
            lines += [f"### {r['id']} ({r['lang']}, {r['type']}): rank {r['rank'] or 'not in top 10'}", "",
                      f"**Q:** {r['question']}", "", "**Gold:** " + " / ".join(f"`{q}`" for q in r["gold_quote"]), ""]
            if r.get("answer") is not None and "answer" in r:
                lines += [f"**Answer{' (refused)' if r.get('refused') else ''}:** {r['answer']}", ""]
            for n, h in enumerate(r["retrieved"][:3], 1):
                text = h["text"].replace("\n", " ")
                lines.append(f"{n}. ({h['score']:.4f}) {' > '.join(h['section'][-2:])}: {text[:160]}…")
            lines.append("")
    lines += _answer_misses(records, worst)
    return "\n".join(lines)


def _answer_misses(records: Sequence[dict], worst: int) -> list[str]:
    """Refusals (right and wrong, with the answerer's reason) and wrong answers, for diagnosis."""
    answered = [r for r in records if "answer" in r and r.get("answer") is not None]
    refused = [r for r in answered if r.get("refused")]
    wrong = [r for r in answered if not r.get("refused") and r.get("metrics", {}).get("facts_correct") == 0]
    lines: list[str] = []
    if refused:
        lines += ["## Refusals", "", "| id | lang | type | verdict | reason | question |", "|---|---|---|---|---|---|"]
        for r in sorted(refused, key=lambda r: (r["type"] != "unanswerable", r["id"])):
            verdict = "refused (right)" if r["type"] == "unanswerable" else "**false refusal**"
            q = r["question"].replace("|", "\\|")
            lines.append(f"| {r['id']} | {r['lang']} | {r['type']} | {verdict} | {r.get('refusal_reason') or '-'} | {q} |")
        lines.append("")
    missed = [r for r in answered if r["type"] == "unanswerable" and not r.get("refused")]
    if wrong or missed:
        lines += ["## Wrong answers", ""]
        for r in (missed + wrong)[:2 * worst]:
            want = "a refusal" if r["type"] == "unanswerable" else " / ".join(f"`{f}`" for f in r.get("answer_facts", []))
            lines += [f"- **{r['id']}** ({r['lang']}, {r['type']}) {r['question']}  ", f"  expected {want}; got: {r['answer'][:200]}"]
        lines.append("")
    return lines


def _cjk_font() -> str | None:
    """Register a CJK font (Debian's fonts-noto-cjk, or WenQuanYi) with matplotlib; return its name."""
    import logging

    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    for f in sorted(font_manager.findSystemFonts()):
        if "NotoSansCJK" in f or "NotoSerifCJK" in f or "wqy" in f.lower():
            try:
                font_manager.fontManager.addfont(f)
                return font_manager.FontProperties(fname=f).get_name()
            except (OSError, RuntimeError, ValueError):
                continue
    return None


def chart(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = summary["groups"]
    font = _cjk_font()
    if font is not None:
        plt.rcParams["font.family"] = ["DejaVu Sans", font]
    ks = [1, 3, 5, 10]
    has_answers = "facts_correct" in groups["overall"]
    fig, axes = plt.subplots(1, 2 if has_answers else 1, figsize=(12 if has_answers else 6.5, 4.5), squeeze=False)
    ax = axes[0][0]
    for name, style in (("overall", "k--"), ("lang=zh", "o-"), ("lang=en", "s-")):
        g = groups.get(name)
        if g and f"hit@1" in g:
            ax.plot(ks, [g[f"hit@{k}"] for k in ks], style, label=f"{name.replace('lang=', '')} (n={g['n_hit@1']})")
    ax.set_xticks(ks)
    ax.set_xlabel("k (passages retrieved)")
    ax.set_ylabel("hit@k")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right")
    else:  # no answerable question with a gold quote (e.g. an all-unanswerable set): nothing to plot
        ax.text(0.5, 0.5, "no questions with gold quotes", ha="center", va="center", transform=ax.transAxes,
                color="0.4")
    ax.set_title(f"Retrieval hit@k ({summary['mode']})")
    if has_answers:
        ax = axes[0][1]
        types = [k.split("=", 1)[1] for k in groups if k.startswith("type=")]
        metrics = [("facts_correct", "facts correct"), ("citation_correct", "citation correct"),
                   ("refusal_correct", "refusal correct")]
        width = 0.8 / len(metrics)
        for n, (m, label) in enumerate(metrics):
            vals = [groups[f"type={t}"].get(m, float("nan")) for t in types]
            bars = ax.bar([i + n * width for i in range(len(types))], vals, width, label=label)
            for b, v in zip(bars, vals):
                if v == v:  # not NaN
                    ax.annotate(f"{v:.2f}", (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom",
                                fontsize=7, xytext=(0, 2), textcoords="offset points")
        ax.set_xticks([i + width for i in range(len(types))])
        ax.set_xticklabels([f"{t}\n(n={groups[f'type={t}']['n']})" for t in types])
        ax.set_ylim(0, 1.18)
        ax.set_title("Answer metrics by question type")
        ax.legend(loc="upper center", ncol=3, fontsize=8, frameon=False)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"{Path(summary['questions_file']).name} on index '{summary['index']}'")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare(new: dict[str, Any], old: dict[str, Any]) -> str:
    """Per group and metric: old -> new (delta)."""
    lines = []
    for group, g in new["groups"].items():
        og = old.get("groups", {}).get(group, {})
        for k, v in g.items():
            if k.startswith("n") or not isinstance(v, (int, float)) or k not in og:
                continue
            d = v - og[k]
            if abs(d) > 1e-9:
                lines.append(f"{group:16s} {k:20s} {_fmt(og[k])} -> {_fmt(v)} ({d:+.3f})")
    return "\n".join(lines) or "no differences"

"""What the panels share: the per-browser-session state, the index a request names, and the document
table and choices that both the Documents tab and the index selector redraw.

Nothing here builds a component except :meth:`Session.create` (four ``gr.State`` values).

>>> from rag.config import Config
>>> index_arg("  reports ", Config()), index_arg(None, Config(index_name="default"))
('reports', 'default')
>>> len(index_arg("x" * 500, Config()))
100
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from rag.config import Config
from rag.ui import render
from rag.ui.engine import Engine
from rag.ui.i18n import t


@dataclass
class Session:
    """Per-browser-session state (``gr.State``), shared by the chat, passage and language handlers."""

    ui_lang: gr.State  # "zh" or "en": the interface language
    messages: gr.State  # chat messages as shown
    pairs: gr.State  # (standalone question, answer text) for follow-ups
    cites: gr.State  # chunk_id -> citation record, for the passage panel

    @classmethod
    def create(cls, lang: str) -> "Session":
        return cls(ui_lang=gr.State(lang), messages=gr.State([]), pairs=gr.State([]), cites=gr.State({}))


def index_arg(index, cfg: Config) -> str:
    """The index name a request gives, else the configured one (a valid name has at most 64
    characters: a longer one stays invalid, but is not echoed back whole)."""
    return str(index or cfg.index_name).strip()[:100]


def docs_table(engine: Engine, index: str, lang: str) -> str:
    """The Documents tab's table of ``index`` as HTML; an error as one escaped line."""
    try:
        return render.docs_html(engine.documents(index), lang, index)
    except Exception as exc:
        return render.esc(t("error", lang, msg=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))


def doc_choices(engine: Engine, index: str) -> list[tuple[str, str]]:
    """(label, value) of each document for the delete dropdown; the value is the path relative to the
    index's sources (the engine maps it back to the server path)."""
    try:
        return [(f"{d['title']} ({d['ref']})", d["ref"]) for d in engine.documents(index)]
    except Exception:
        return []


def index_choices(engine: Engine, current: str) -> list[str]:
    """The index selector's choices: the indexes on disk, plus ``current`` if it is not built yet."""
    names = engine.indexes()
    return names if current in names or not current else names + [current]

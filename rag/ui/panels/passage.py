"""The sources panel: the cited passage a click on ``[n]`` opens, beside the chat.

A click on a citation marker anywhere (answer text, source list) runs a browser script
(:data:`rag.ui.assets.HEAD`) that writes the marker's chunk id into a hidden textbox and presses a
hidden button (:class:`CiteLink`); the button's event, public as ``/passage``, redraws the panel with
:func:`passage_for`. The passage comes from this session's answers (with its supporting sentence
highlighted), else from the current index; its document is shown by its path relative to the index's
sources, never its server path.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from rag.config import Config
from rag.ui import render
from rag.ui.assets import CITE_JS
from rag.ui.engine import Engine
from rag.ui.i18n import t
from rag.ui.panels.common import Session, index_arg
from rag.ui.panels.settings import SettingsPanel

MAX_CHUNK_ID = 200  # characters of a requested chunk id that are looked at


@dataclass
class PassagePanel:
    title: gr.Markdown
    panel: gr.HTML

    @classmethod
    def build(cls, lang: str) -> "PassagePanel":
        """Lay the panel out (inside the current column): a title and the empty-panel hint."""
        title = gr.Markdown(f"**{t('passage', lang)}**")
        panel = gr.HTML(render.passage_html(None, lang), elem_id="rag-panel")
        return cls(title, panel)

    def labelled(self) -> list[gr.components.Component]:
        """The components :meth:`relabel` updates, in its order."""
        return [self.title, self.panel]

    def relabel(self, lang: str, redrawn) -> list:
        """Updates for a language switch; ``redrawn`` is the panel's new content (see
        :func:`redraw_in`)."""
        return [f"**{t('passage', lang)}**", redrawn]


@dataclass
class CiteLink:
    """The hidden plumbing of citation clicks: in the DOM, invisible (see :data:`rag.ui.assets.CSS`)."""

    box: gr.Textbox
    button: gr.Button

    @classmethod
    def build(cls) -> "CiteLink":
        return cls(gr.Textbox(elem_id="rag-cite-box", show_label=False, container=False),
                   gr.Button("cite", elem_id="rag-cite-btn"))


def passage_for(engine: Engine, cfg: Config, chunk_id, cmap, index, show_scores, lang_ui) -> str:
    """The panel's HTML for ``chunk_id``: from this session's citation map ``cmap`` (its supporting
    sentence highlighted), else looked up in ``index``; scores only when ``show_scores``."""
    chunk_id = (chunk_id or "").strip()[:MAX_CHUNK_ID]
    index = index_arg(index, cfg)
    rec = (cmap or {}).get(chunk_id)
    if rec is None and chunk_id:
        chunk = engine.chunk(chunk_id, index)
        rec = render.chunk_record(chunk) if chunk is not None else None
    if rec is not None:
        # the document's path relative to the index's sources, never its server path
        rec = {k: v for k, v in rec.items() if show_scores or k != "score"}
        rec["doc_ref"] = engine.doc_ref(rec.get("doc_path", ""), index)
    return render.passage_html(rec, lang_ui or "zh", missing=bool(chunk_id))


def redraw_in(engine: Engine, cfg: Config, lang_ui, index, cmap, panel_html, show_scores):
    """The panel in another interface language: the passage on show redrawn (its labels: lines, page,
    score), the empty hint translated, anything else left as it is."""
    shown = render.shown_chunk_id(panel_html or "")
    if shown:
        return passage_for(engine, cfg, shown, cmap, index, show_scores, lang_ui)
    if render.is_empty_passage(panel_html or ""):
        return render.passage_html(None, lang_ui)
    return gr.update()


def wire_passage(engine: Engine, session: Session, passage: PassagePanel, cite: CiteLink,
                 settings: SettingsPanel) -> None:
    """A citation click (or a ``/passage`` API call) shows that passage in the panel."""
    cfg = engine.cfg

    def show_passage(chunk_id, cmap, index, show_scores, lang_ui):
        return passage_for(engine, cfg, chunk_id, cmap, index, show_scores, lang_ui)

    cite.button.click(show_passage, [cite.box, session.cites, settings.index, settings.scores, session.ui_lang],
                      [passage.panel], api_name="passage", js=CITE_JS, concurrency_limit=None,
                      show_progress="hidden")

"""The Gradio app: a thin shell over :class:`rag.assistant.Assistant` and :class:`rag.ui.engine.Engine`.

``build_app(engine)`` lays out the panels of :mod:`rag.ui.panels` (header, chat, cited passage,
settings, documents) and wires them; ``serve(cfg, ...)`` builds the default index if needed, warms the
pipeline up (:func:`prepare`) and launches it with :func:`launch_kwargs`. Public API endpoints (for
``gradio_client``): ``/ask`` (streams the chat), ``/new_chat``, ``/passage`` (a cited passage by chunk
id), ``/upload``, ``/delete_doc``, ``/documents``, ``/ui_language``.

Bounds: a question longer than ``cfg.max_question_chars`` is refused with a one-line message in the
interface language (:func:`rag.assistant.check_question`); uploaded files leave Gradio's temp folder
once handled (:func:`remove_temp_uploads`); documents are shown and deleted by their path relative to
the index's sources; logins are throttled (:class:`LoginThrottle`, :mod:`rag.ui.login`).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag.config import Config  # noqa: E402
from rag.ui.assets import CSS, HEAD  # noqa: E402
from rag.ui.engine import Engine  # noqa: E402
from rag.ui.i18n import t  # noqa: E402
from rag.ui.login import LoginThrottle, parse_auth  # noqa: E402,F401  (part of this module's API)
from rag.ui.panels.chat import CHAT_CONCURRENCY, ChatPanel, examples_for, wire_chat  # noqa: E402
from rag.ui.panels.common import Session, index_arg  # noqa: E402
from rag.ui.panels.documents import DocumentsPanel, remove_temp_uploads, wire_documents  # noqa: E402,F401
from rag.ui.panels.header import Header  # noqa: E402
from rag.ui.panels.passage import CiteLink, PassagePanel, redraw_in, wire_passage  # noqa: E402
from rag.ui.panels.settings import SettingsPanel  # noqa: E402

__all__ = ["CHAT_CONCURRENCY", "LoginThrottle", "build_app", "launch_kwargs", "parse_auth", "prepare",
           "remove_temp_uploads", "serve"]


def build_app(engine: Engine, lang: str = "zh") -> gr.Blocks:
    """The web UI over ``engine``'s indexes, its labels in ``lang`` ("zh" or "en") until switched."""
    # delete_cache: a backstop for uploads chosen but never sent to the index (handled ones are removed
    # at once): files this app put in Gradio's temp folder more than a day ago go, checked hourly
    with gr.Blocks(title="rag-zh", analytics_enabled=False, fill_width=True,
                   delete_cache=(3600, 86400)) as demo:
        session = Session.create(lang)
        header = Header.build(lang)
        with gr.Tabs():
            with gr.Tab(t("tab_chat", lang), id="chat") as tab_chat:
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chat = ChatPanel.build(engine.cfg, lang, examples_for(engine))
                    with gr.Column(scale=2):
                        passage = PassagePanel.build(lang)
                        settings = SettingsPanel.build(engine, lang)
                cite = CiteLink.build()
            with gr.Tab(t("tab_docs", lang), id="docs") as tab_docs:
                docs = DocumentsPanel.build(engine, settings.index.value, lang)

        wire_chat(engine, session, chat, settings, passage)
        wire_passage(engine, session, passage, cite, settings)
        wire_documents(demo, engine, session, docs, settings)
        wire_language(engine, session, header, (tab_chat, tab_docs), chat, passage, settings, docs)
    return demo


def wire_language(engine: Engine, session: Session, header: Header, tabs: tuple[gr.Tab, gr.Tab], chat: ChatPanel,
                  passage: PassagePanel, settings: SettingsPanel, docs: DocumentsPanel) -> None:
    """The language switch (``/ui_language``) relabels every panel; the passage on show and the
    document table are redrawn in the new language."""
    cfg = engine.cfg

    def switch(lang_ui, index, cmap, panel_html, show_scores):
        redrawn = redraw_in(engine, cfg, lang_ui, index, cmap, panel_html, show_scores)
        return ([lang_ui] + header.relabel(lang_ui)
                + [gr.update(label=t("tab_chat", lang_ui)), gr.update(label=t("tab_docs", lang_ui))]
                + chat.relabel(lang_ui) + passage.relabel(lang_ui, redrawn) + settings.relabel(lang_ui)
                + docs.relabel(engine, lang_ui, index_arg(index, cfg)))

    outputs = ([session.ui_lang] + header.labelled() + list(tabs) + chat.labelled() + passage.labelled()
               + settings.labelled() + docs.labelled())
    header.lang_radio.change(switch, [header.lang_radio, settings.index, session.cites, passage.panel,
                                      settings.scores], outputs, api_name="ui_language", queue=False)


def launch_kwargs(cfg: Config) -> dict:
    """Arguments for ``demo.launch`` shared by ``serve`` and the tests."""
    theme = gr.themes.Soft(
        font=["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"],
        font_mono=["Noto Sans Mono CJK SC", "ui-monospace", "monospace"])
    return dict(theme=theme, css=CSS, head=HEAD, ssr_mode=False, footer_links=["api"],
                max_file_size=f"{int(cfg.max_file_mb * 1024 * 1024) + 1}b")


def _warm_gradio() -> None:
    """Gradio switches matplotlib's backend around every event; importing matplotlib then costs the
    first question ~0.3 s. Do it now, as Gradio does."""
    try:
        import matplotlib

        backend = matplotlib.get_backend()
        matplotlib.use("agg")
        matplotlib.use(backend)
    except Exception:  # matplotlib missing or odd: only the first event is slower
        pass


def prepare(cfg: Config, progress: bool = True) -> Engine:
    """Build the default index on first start (progress on stderr), open and warm the pipeline."""
    from rag.embed import get_embedder
    from rag.indexer import ensure_default_index

    get_embedder(cfg.embedder, cfg.threads)
    ensure_default_index(cfg, progress=progress)
    _warm_gradio()
    engine = Engine(cfg)
    if engine.exists(cfg.index_name):
        t0 = time.perf_counter()
        engine.warm()
        if progress:
            print(f"index '{cfg.index_name}' ready ({time.perf_counter() - t0:.1f} s warm-up)", file=sys.stderr)
    return engine


def serve(cfg: Config, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None,
          lang: str = "zh", block: bool = True):
    """Launch the web UI alone, with Gradio's own server (``rag serve`` runs :func:`rag.api.server.serve`,
    which mounts this UI beside the HTTP API). Returns the Blocks (after it stops when ``block``)."""
    auth_list = parse_auth(auth if auth is not None else os.environ.get("RAG_AUTH"))
    engine = prepare(cfg)
    demo = build_app(engine, lang=lang)
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    demo.launch(server_name=host, server_port=port, auth=LoginThrottle(auth_list).check if auth_list else None,
                prevent_thread_lock=not block, show_error=True, **launch_kwargs(cfg))
    return demo

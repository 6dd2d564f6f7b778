"""The Documents tab: upload files (indexed incrementally), list the indexed documents, delete one.

Uploads and deletions are index writes: one at a time (``concurrency_id="write"``), while questions
keep being answered from the previous snapshot (:class:`rag.ui.engine.Engine`). Gradio's temp copies
of handled uploads are removed at once (:func:`remove_temp_uploads`). Documents are listed and
deleted by their path relative to the index's sources, never their server path; the status line is
Markdown, so file names and reasons in it are escaped. Public API: ``/upload``, ``/delete_doc``,
``/documents``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from rag.ui import render
from rag.ui.engine import Engine, EngineError
from rag.ui.i18n import t
from rag.ui.panels.common import Session, doc_choices, docs_table, index_arg, index_choices
from rag.ui.panels.settings import SettingsPanel


@dataclass
class DocumentsPanel:
    limit: gr.Markdown
    files: gr.File
    upload: gr.Button
    status: gr.Markdown
    title: gr.Markdown
    table: gr.HTML
    delete_pick: gr.Dropdown
    delete: gr.Button
    refresh: gr.Button

    @classmethod
    def build(cls, engine: Engine, index: str, lang: str) -> "DocumentsPanel":
        """Lay the tab's content out (inside the current tab), listing the documents of ``index``."""
        limit = gr.Markdown(t("limit", lang, mb=engine.cfg.max_file_mb))
        with gr.Row(equal_height=False):
            with gr.Column(scale=2):
                files = gr.File(label=t("upload", lang), file_count="multiple", elem_id="rag-files")
                upload = gr.Button(t("upload_btn", lang), variant="primary", elem_id="rag-upload")
                status = gr.Markdown("", elem_id="rag-status", min_height=80, container=True, latex_delimiters=[])
            with gr.Column(scale=3):
                title = gr.Markdown(f"**{t('docs_list', lang)}**")
                table = gr.HTML(docs_table(engine, index, lang), elem_id="rag-docs")
                with gr.Row():
                    delete_pick = gr.Dropdown(doc_choices(engine, index), value=None, label=t("delete_pick", lang),
                                              scale=4, elem_id="rag-delete-pick")
                    delete = gr.Button(t("delete_btn", lang), variant="stop", scale=1, min_width=100,
                                       elem_id="rag-delete")
                refresh = gr.Button(t("refresh", lang), size="sm")
        return cls(limit, files, upload, status, title, table, delete_pick, delete, refresh)

    def labelled(self) -> list[gr.components.Component]:
        """The components :meth:`relabel` updates, in its order."""
        return [self.limit, self.files, self.upload, self.title, self.table, self.delete_pick, self.delete,
                self.refresh]

    def relabel(self, engine: Engine, lang: str, index: str) -> list:
        """Updates for a language switch (the table of ``index`` redrawn in ``lang``)."""
        return [t("limit", lang, mb=engine.cfg.max_file_mb),
                gr.update(label=t("upload", lang)), gr.update(value=t("upload_btn", lang)),
                f"**{t('docs_list', lang)}**", docs_table(engine, index, lang),
                gr.update(label=t("delete_pick", lang)), gr.update(value=t("delete_btn", lang)),
                gr.update(value=t("refresh", lang))]


def upload_status(res, lang: str) -> str:
    """The status line (Markdown) of an upload: what was indexed, the index summary, what was rejected
    and why; names and reasons escaped (a file name is not markup)."""
    lines = []
    if res.added:
        lines.append(t("added", lang, names=", ".join(render.md_esc(n) for n in res.added)))
        lines += [f"`{ln.replace('`', '')}`" for ln in res.summary_lines]
    lines += [t("rejected", lang, name=render.md_esc(r.name), reason=render.md_esc(r.reason)) for r in res.rejected]
    return "\n\n".join(lines)


def remove_temp_uploads(paths: list[str]) -> None:
    """Delete Gradio's temp copies of handled uploads (and their per-file folders once empty); only
    files inside Gradio's upload folder are touched."""
    try:
        root = Path(gr.utils.get_upload_folder()).resolve()
    except Exception:
        return
    for p in paths:
        try:
            f = Path(p).resolve()
            f.relative_to(root)
        except (ValueError, OSError, TypeError):
            continue
        if f == root or not f.is_file():
            continue
        try:
            f.unlink()
            if f.parent != root:
                f.parent.rmdir()  # only if empty: gradio keeps one folder per uploaded content
        except OSError:
            pass


def wire_documents(demo: gr.Blocks, engine: Engine, session: Session, docs: DocumentsPanel,
                   settings: SettingsPanel) -> None:
    """Upload, delete and refresh; the table, the delete choices and the index choices are redrawn when
    the page opens (another user may have uploaded since) and when the index selector changes."""
    cfg = engine.cfg

    def upload(file_list, index, lang_ui, progress=gr.Progress(track_tqdm=True)):
        index = index_arg(index, cfg)
        paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (file_list or [])]
        if not paths:
            return t("no_files", lang_ui), gr.update(), gr.update(), gr.update()
        progress(0.0, desc="…")
        try:
            res = engine.add_files(index, [(Path(p).name, p) for p in paths],
                                   progress=lambda x, d: progress(x, desc=d))
        except EngineError as exc:
            return t("error", lang_ui, msg=render.md_esc(str(exc))), None, gr.update(), gr.update()
        finally:  # accepted files were copied into the uploads folder, rejected ones are not kept
            remove_temp_uploads(paths)
        return (upload_status(res, lang_ui), None, docs_table(engine, index, lang_ui),
                gr.update(choices=doc_choices(engine, index), value=None))

    docs.upload.click(upload, [docs.files, settings.index, session.ui_lang],
                      [docs.status, docs.files, docs.table, docs.delete_pick], api_name="upload",
                      concurrency_id="write", concurrency_limit=1, show_progress="full",
                      show_progress_on=[docs.status])

    def delete(ref, index, lang_ui):
        """Delete the document shown as ``ref`` (its path relative to the index's sources)."""
        index = index_arg(index, cfg)
        if not ref:
            return t("pick_doc", lang_ui), gr.update(), gr.update()
        try:
            name = engine.delete(index, ref)
        except EngineError as exc:
            return t("error", lang_ui, msg=render.md_esc(str(exc))), gr.update(), gr.update()
        return (t("deleted", lang_ui, name=render.md_esc(name)), docs_table(engine, index, lang_ui),
                gr.update(choices=doc_choices(engine, index), value=None))

    docs.delete.click(delete, [docs.delete_pick, settings.index, session.ui_lang],
                      [docs.status, docs.table, docs.delete_pick], api_name="delete_doc", concurrency_id="write",
                      concurrency_limit=1)

    def documents(index, lang_ui):
        index = index_arg(index, cfg)
        return (docs_table(engine, index, lang_ui), gr.update(choices=doc_choices(engine, index), value=None),
                gr.update(choices=index_choices(engine, index)))

    inputs, outputs = [settings.index, session.ui_lang], [docs.table, docs.delete_pick, settings.index]
    demo.load(documents, inputs, outputs, api_visibility="private", concurrency_limit=None)
    docs.refresh.click(documents, inputs, outputs, api_name="documents", api_visibility="public",
                       concurrency_limit=None)
    settings.index.change(documents, inputs, outputs, api_name=None, api_visibility="private",
                          concurrency_limit=None)

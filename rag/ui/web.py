"""The Gradio app: a thin shell over :class:`rag.assistant.Assistant` and :class:`rag.ui.engine.Engine`.

``build_app(engine)`` returns the Blocks; ``serve(cfg, ...)`` builds the default index if needed, warms
the pipeline up and launches it. Public API endpoints (for ``gradio_client``): ``/ask`` (streams the
chat), ``/passage`` (a cited passage by chunk id), ``/upload``, ``/delete_doc``, ``/documents``.

Bounds: a question longer than ``cfg.max_question_chars`` is refused with a one-line message in the
interface language (:func:`rag.assistant.check_question`); uploaded files leave Gradio's temp folder
once handled; documents are shown and deleted by their path relative to the index's sources; logins
are throttled (:class:`LoginThrottle`).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import re

import os
import sys
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag.answer.types import Answer  # noqa: E402
from rag.assistant import QuestionError, check_question  # noqa: E402
from rag.config import Config  # noqa: E402
from rag.ui import render  # noqa: E402
from rag.ui.assets import CITE_JS, CSS, HEAD  # noqa: E402
from rag.ui.engine import Engine, EngineError  # noqa: E402
from rag.ui.i18n import t  # noqa: E402

EXAMPLES = ["2024年全市一般公共预算收入预计是多少？", "2023年重庆天然气产量是多少？",
            "What is the 2024 target for the surveyed urban unemployment rate?",
            "How many high-tech enterprises did Chongqing have at the end of 2023?"]
CHAT_CONCURRENCY = 16  # questions answered at once (reads); index writes are one at a time
OFFLINE = "offline"
PREVIEW_CHARS = 200  # of a refused long question, echoed in the chat


def _backends(cfg: Config) -> list[str]:
    return [OFFLINE] + ([cfg.llm] if cfg.llm != OFFLINE else [])


def build_app(engine: Engine, lang: str = "zh") -> gr.Blocks:
    cfg = engine.cfg
    backends = _backends(cfg)
    indexes = engine.indexes()
    if cfg.index_name not in indexes:  # not built yet: uploads create it
        indexes.insert(0, cfg.index_name)

    # delete_cache: a backstop for uploads chosen but never sent to the index (handled ones are removed
    # at once): files this app put in Gradio's temp folder more than a day ago go, checked hourly
    with gr.Blocks(title="rag-zh", analytics_enabled=False, fill_width=True,
                   delete_cache=(3600, 86400)) as demo:
        ui_lang = gr.State(lang)
        messages = gr.State([])  # chat messages as shown
        pairs = gr.State([])  # (standalone question, answer text) for follow-ups
        cites = gr.State({})  # chunk_id -> citation record, for the passage panel

        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                title = gr.Markdown(t("title", lang))
                subtitle = gr.Markdown(t("subtitle", lang), elem_classes=["rag-subtitle"])
            lang_radio = gr.Radio([("中文", "zh"), ("English", "en")], value=lang, label=t("ui_lang", lang),
                                  scale=1, min_width=180, elem_id="rag-lang")

        with gr.Tabs():
            with gr.Tab(t("tab_chat", lang), id="chat") as tab_chat:
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label=t("chatbot", lang), show_label=False, height="64vh",
                                             min_height=420, elem_id="rag-chat", buttons=["copy"],
                                             feedback_options=None,
                                             examples=[{"text": q} for q in EXAMPLES], render_markdown=True)
                        with gr.Row():
                            question = gr.Textbox(label=t("question", lang), placeholder=t("placeholder", lang),
                                                  scale=6, lines=1, max_lines=4, autofocus=True,
                                                  max_length=cfg.max_question_chars, elem_id="rag-question")
                            send = gr.Button(t("send", lang), variant="primary", scale=1, min_width=80,
                                             elem_id="rag-send")
                        clear = gr.Button(t("clear", lang), size="sm", elem_id="rag-clear")
                    with gr.Column(scale=2):
                        panel_title = gr.Markdown(f"**{t('passage', lang)}**")
                        panel = gr.HTML(render.passage_html(None, lang), elem_id="rag-panel")
                        with gr.Accordion(t("settings", lang), open=True) as settings:
                            index_dd = gr.Dropdown(indexes, value=cfg.index_name, label=t("index", lang),
                                                   allow_custom_value=True, elem_id="rag-index")
                            topk = gr.Slider(1, 10, value=cfg.answer_passages, step=1, label=t("topk", lang),
                                             elem_id="rag-topk")
                            backend = gr.Radio(backends, value=cfg.llm if cfg.llm in backends else OFFLINE,
                                               label=t("backend", lang), elem_id="rag-backend",
                                               info=t("backend_info" if len(backends) > 1 else
                                                      "backend_info_none", lang))
                            scores = gr.Checkbox(False, label=t("scores", lang), elem_id="rag-scores")
                # hidden plumbing for citation clicks (in the DOM, invisible: see assets.CSS)
                cite_box = gr.Textbox(elem_id="rag-cite-box", show_label=False, container=False)
                cite_btn = gr.Button("cite", elem_id="rag-cite-btn")

            with gr.Tab(t("tab_docs", lang), id="docs") as tab_docs:
                limit = gr.Markdown(t("limit", lang, mb=cfg.max_file_mb))
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2):
                        files = gr.File(label=t("upload", lang), file_count="multiple", elem_id="rag-files")
                        upload_btn = gr.Button(t("upload_btn", lang), variant="primary", elem_id="rag-upload")
                        status = gr.Markdown("", elem_id="rag-status", min_height=80, container=True,
                                             latex_delimiters=[])
                    with gr.Column(scale=3):
                        docs_title = gr.Markdown(f"**{t('docs_list', lang)}**")
                        docs_table = gr.HTML(_docs(engine, index_dd.value, lang), elem_id="rag-docs")
                        with gr.Row():
                            delete_dd = gr.Dropdown(_doc_choices(engine, index_dd.value), value=None,
                                                    label=t("delete_pick", lang), scale=4,
                                                    elem_id="rag-delete-pick")
                            delete_btn = gr.Button(t("delete_btn", lang), variant="stop", scale=1, min_width=100,
                                                   elem_id="rag-delete")
                        refresh = gr.Button(t("refresh", lang), size="sm")

        # -- chat ------------------------------------------------------------------------------
        def respond(message, msgs, hist, cmap, index, k, llm, show_scores, lang_ui):
            """Stream one answer: the question appears at once, then text deltas, then the final
            message with citation links and sources."""
            msgs, hist, cmap = list(msgs or []), list(hist or []), dict(cmap or {})
            try:
                message = check_question(message if isinstance(message, str) else "", cfg.max_question_chars)
            except QuestionError as exc:
                if exc.kind == "empty":
                    yield msgs, gr.update(), msgs, hist, cmap
                    return
                # one line in the interface language; the question is not echoed whole (nor kept)
                text = str(message).strip()
                preview = text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else "")
                note = t("q_too_long", lang_ui, n=exc.length, limit=exc.limit)
                msgs = msgs + [{"role": "user", "content": preview},
                               {"role": "assistant", "content": render.esc(f"⚠ {note}")}]
                yield msgs, gr.update(), msgs, hist, cmap
                return
            msgs = msgs + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
            yield msgs, "", msgs, hist, cmap
            index = _index_arg(index, cfg)
            try:
                if not engine.exists(index):
                    raise EngineError(t("empty_index", lang_ui, index=index))
                assistant = engine.assistant(index, k=k, llm=llm)
                text, ans = "", None
                for event in assistant.stream(message, [tuple(p) for p in hist]):
                    if isinstance(event, Answer):
                        ans = event
                    else:
                        text += event
                        msgs[-1] = {"role": "assistant", "content": render.streaming_html(text)}
                        yield msgs, gr.update(), msgs, hist, cmap
            except Exception as exc:  # one line in the chat, never a traceback
                msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                msgs[-1] = {"role": "assistant", "content": render.esc(t("error", lang_ui, msg=msg))}
                yield msgs, gr.update(), msgs, hist, cmap
                return
            body, records = render.answer_html(ans, bool(show_scores), lang_ui)
            for r in records:
                cmap[r["chunk_id"]] = r
            hist.append((ans.standalone_question or message, ans.answer))
            msgs[-1] = {"role": "assistant", "content": body}
            yield msgs, gr.update(), msgs, hist, cmap

        chat_inputs = [question, messages, pairs, cites, index_dd, topk, backend, scores, ui_lang]
        chat_outputs = [chatbot, question, messages, pairs, cites]
        question.submit(respond, chat_inputs, chat_outputs, api_name="ask", concurrency_limit=CHAT_CONCURRENCY,
                        concurrency_id="chat", show_progress="hidden")
        send.click(respond, chat_inputs, chat_outputs, api_visibility="private", concurrency_id="chat",
                   concurrency_limit=CHAT_CONCURRENCY, show_progress="hidden")

        def pick_example(evt: gr.SelectData):
            v = evt.value
            return v.get("text", "") if isinstance(v, dict) else str(v or "")

        chatbot.example_select(pick_example, None, question, api_visibility="private", queue=False).then(
            respond, chat_inputs, chat_outputs, api_visibility="private", concurrency_id="chat",
            concurrency_limit=CHAT_CONCURRENCY, show_progress="hidden")

        def new_chat(lang_ui):
            return [], [], [], {}, render.passage_html(None, lang_ui)

        clear.click(new_chat, [ui_lang], [chatbot, messages, pairs, cites, panel], api_name="new_chat", queue=False)
        chatbot.clear(new_chat, [ui_lang], [chatbot, messages, pairs, cites, panel], api_visibility="private",
                      queue=False)

        # -- passage panel ---------------------------------------------------------------------
        def show_passage(chunk_id, cmap, index, show_scores, lang_ui):
            """The passage of a citation: from this session's answers (with the supporting sentence
            highlighted), else looked up in the current index."""
            chunk_id = (chunk_id or "").strip()[:200]
            index = _index_arg(index, cfg)
            rec = (cmap or {}).get(chunk_id)
            if rec is None and chunk_id:
                chunk = engine.chunk(chunk_id, index)
                rec = render.chunk_record(chunk) if chunk is not None else None
            if rec is not None:
                # the document's path relative to the index's sources, never its server path
                rec = {k: v for k, v in rec.items() if show_scores or k != "score"}
                rec["doc_ref"] = engine.doc_ref(rec.get("doc_path", ""), index)
            return render.passage_html(rec, lang_ui or "zh", missing=bool(chunk_id))

        cite_btn.click(show_passage, [cite_box, cites, index_dd, scores, ui_lang], [panel], api_name="passage",
                       js=CITE_JS, concurrency_limit=None, show_progress="hidden")

        # -- documents ---------------------------------------------------------------------------
        def upload(file_list, index, lang_ui, progress=gr.Progress(track_tqdm=True)):
            index = _index_arg(index, cfg)
            paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (file_list or [])]
            if not paths:
                return t("no_files", lang_ui), gr.update(), gr.update(), gr.update()
            progress(0.0, desc="…")
            try:
                res = engine.add_files(index, [(Path(p).name, p) for p in paths],
                                       progress=lambda x, d: progress(x, desc=d))
            except EngineError as exc:
                return (t("error", lang_ui, msg=render.md_esc(str(exc))), None, gr.update(),
                        gr.update())
            finally:  # accepted files were copied into the uploads folder, rejected ones are not kept
                remove_temp_uploads(paths)
            # the status is Markdown: file names and reasons are escaped (a name is not markup)
            lines = []
            if res.added:
                lines.append(t("added", lang_ui, names=", ".join(render.md_esc(n) for n in res.added)))
                lines += [f"`{ln.replace('`', '')}`" for ln in res.summary_lines]
            lines += [t("rejected", lang_ui, name=render.md_esc(r.name), reason=render.md_esc(r.reason))
                      for r in res.rejected]
            return ("\n\n".join(lines), None, _docs(engine, index, lang_ui),
                    gr.update(choices=_doc_choices(engine, index), value=None))

        upload_btn.click(upload, [files, index_dd, ui_lang], [status, files, docs_table, delete_dd],
                         api_name="upload", concurrency_id="write", concurrency_limit=1,
                         show_progress="full", show_progress_on=[status])

        def delete(ref, index, lang_ui):
            """Delete the document shown as ``ref`` (its path relative to the index's sources)."""
            index = _index_arg(index, cfg)
            if not ref:
                return t("pick_doc", lang_ui), gr.update(), gr.update()
            try:
                name = engine.delete(index, ref)
            except EngineError as exc:
                return t("error", lang_ui, msg=render.md_esc(str(exc))), gr.update(), gr.update()
            return (t("deleted", lang_ui, name=render.md_esc(name)), _docs(engine, index, lang_ui),
                    gr.update(choices=_doc_choices(engine, index), value=None))

        delete_btn.click(delete, [delete_dd, index_dd, ui_lang], [status, docs_table, delete_dd],
                         api_name="delete_doc", concurrency_id="write", concurrency_limit=1)

        def documents(index, lang_ui):
            index = _index_arg(index, cfg)
            return (_docs(engine, index, lang_ui), gr.update(choices=_doc_choices(engine, index), value=None),
                    gr.update(choices=_index_choices(engine, index)))

        # a page opened after another user's upload shows the current documents and indexes
        demo.load(documents, [index_dd, ui_lang], [docs_table, delete_dd, index_dd], api_visibility="private",
                  concurrency_limit=None)
        for trigger in (refresh.click, index_dd.change):
            trigger(documents, [index_dd, ui_lang], [docs_table, delete_dd, index_dd],
                    api_name="documents" if trigger == refresh.click else None,
                    api_visibility="public" if trigger == refresh.click else "private",
                    concurrency_limit=None)

        # -- interface language ------------------------------------------------------------------
        def switch(lang_ui, index, cmap, panel_html, show_scores):
            n = len(backends)
            # the passage on show is redrawn in the new language (its labels: lines, page, score)
            shown = re.search(r'data-chunk="([^"]+)"', panel_html or "")
            if shown:
                new_panel = show_passage(html.unescape(shown.group(1)), cmap, index, show_scores, lang_ui)
            elif "rag-passage-empty" in (panel_html or ""):
                new_panel = render.passage_html(None, lang_ui)
            else:
                new_panel = gr.update()
            return [
                lang_ui,
                t("title", lang_ui), t("subtitle", lang_ui),
                gr.update(label=t("ui_lang", lang_ui)),
                gr.update(label=t("tab_chat", lang_ui)), gr.update(label=t("tab_docs", lang_ui)),
                gr.update(label=t("chatbot", lang_ui)),
                gr.update(label=t("question", lang_ui), placeholder=t("placeholder", lang_ui)),
                gr.update(value=t("send", lang_ui)), gr.update(value=t("clear", lang_ui)),
                f"**{t('passage', lang_ui)}**",
                new_panel,
                gr.update(label=t("settings", lang_ui)),
                gr.update(label=t("index", lang_ui)), gr.update(label=t("topk", lang_ui)),
                gr.update(label=t("backend", lang_ui),
                          info=t("backend_info" if n > 1 else "backend_info_none", lang_ui)),
                gr.update(label=t("scores", lang_ui)),
                t("limit", lang_ui, mb=cfg.max_file_mb),
                gr.update(label=t("upload", lang_ui)), gr.update(value=t("upload_btn", lang_ui)),
                f"**{t('docs_list', lang_ui)}**", _docs(engine, _index_arg(index, cfg), lang_ui),
                gr.update(label=t("delete_pick", lang_ui)), gr.update(value=t("delete_btn", lang_ui)),
                gr.update(value=t("refresh", lang_ui)),
            ]

        lang_radio.change(switch, [lang_radio, index_dd, cites, panel, scores],
                          [ui_lang, title, subtitle, lang_radio, tab_chat, tab_docs, chatbot, question, send, clear,
                           panel_title, panel, settings, index_dd, topk, backend, scores, limit, files, upload_btn,
                           docs_title, docs_table, delete_dd, delete_btn, refresh],
                          api_name="ui_language", queue=False)
    return demo


def _index_arg(index, cfg: Config) -> str:
    """The index name a request gives (a valid name has at most 64 characters: a longer one stays
    invalid, but is not echoed back whole)."""
    return str(index or cfg.index_name).strip()[:100]


def _docs(engine: Engine, index: str, lang: str) -> str:
    try:
        return render.docs_html(engine.documents(index), lang, index)
    except Exception as exc:
        return render.esc(t("error", lang, msg=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))


def _doc_choices(engine: Engine, index: str) -> list[tuple[str, str]]:
    """(label, value) of each document for the delete dropdown; the value is the path relative to the
    index's sources (the engine maps it back to the server path)."""
    try:
        return [(f"{d['title']} ({d['ref']})", d["ref"]) for d in engine.documents(index)]
    except Exception:
        return []


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


def _index_choices(engine: Engine, current: str) -> list[str]:
    names = engine.indexes()
    return names if current in names or not current else names + [current]


def launch_kwargs(cfg: Config) -> dict:
    """Arguments for ``demo.launch`` shared by ``serve`` and the tests."""
    theme = gr.themes.Soft(
        font=["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"],
        font_mono=["Noto Sans Mono CJK SC", "ui-monospace", "monospace"])
    return dict(theme=theme, css=CSS, head=HEAD, ssr_mode=False, footer_links=["api"],
                max_file_size=f"{int(cfg.max_file_mb * 1024 * 1024) + 1}b")


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """``user:password`` (several separated by commas) -> Gradio's auth list."""
    if not value:
        return None
    out = []
    for item in value.split(","):
        user, sep, pw = item.strip().partition(":")
        if not sep or not user or not pw:
            raise ValueError("--auth must look like user:password")
        out.append((user, pw))
    return out


class LoginThrottle:
    """Gradio's ``auth`` callable (pass :meth:`check`): checks ``user:password`` pairs and throttles
    failed logins.

    Gradio 6 calls ``auth(username, password)`` and nothing else (its ``/login`` route does not pass
    the request), so the client's address is not known here: failures are counted per user name, and
    over all names together. After ``free`` failures in a row for a name, attempts for that name are
    spaced ``base * 2**k`` seconds apart (k grows with every failure, attempts still waiting included;
    at most ``max_delay``); after ``global_free`` failures within ``window`` seconds over all names,
    every attempt is spaced ``global_interval`` seconds from the previous one. An attempt that would
    wait longer than ``max_wait`` seconds is refused at once, its password unchecked (HTTP 400 "too
    many failed logins"). A successful login clears its name's failures; a name's failures are
    forgotten ``forget`` seconds after the last one. The price of not knowing the client: someone
    guessing a name's password also delays (while the attack lasts, refuses) that user's own logins.

    >>> th = LoginThrottle([("alice", "pw")], clock=lambda: 0.0)
    >>> asyncio.run(th.check("alice", "pw")), asyncio.run(th.check("alice", "nope"))
    (True, False)
    """

    def __init__(self, accounts: list[tuple[str, str]], free: int = 3, base: float = 1.0, max_delay: float = 30.0,
                 max_wait: float = 30.0, global_free: int = 20, global_interval: float = 1.0, window: float = 60.0,
                 forget: float = 900.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], object] = asyncio.sleep):
        self._accounts = {u: p for u, p in accounts}
        self.free, self.base, self.max_delay, self.max_wait = free, base, max_delay, max_wait
        self.global_free, self.global_interval, self.window, self.forget = global_free, global_interval, window, forget
        self._clock, self._sleep = clock, sleep
        self._users: dict[str, list[float]] = {}  # name -> [failures, pending, next slot, last failure]
        self._global = [0, 0.0, 0.0]  # [failures in the window, window start, next slot]
        self.refused = 0  # attempts refused without a check (tests and logs)

    def _user(self, name: str, now: float) -> list[float]:
        st = self._users.get(name)
        if st is None or (st[1] == 0 and now - st[3] > self.forget):
            st = self._users[name] = [0, 0, 0.0, now]
            if len(self._users) > 4096:  # many names tried: forget the oldest
                self._users.pop(next(iter(self._users)))
        return st

    async def check(self, username: str, password: str) -> bool:
        """The callable for ``launch(auth=...)``: a coroutine function, so Gradio awaits it and a
        throttled attempt waits without blocking the server."""
        name = str(username or "")[:256]
        now = self._clock()
        st, g = self._user(name, now), self._global
        if now - g[1] > self.window:
            g[0], g[1] = 0, now
        user_throttled = st[0] + st[1] >= self.free
        global_throttled = g[0] >= self.global_free
        start = now
        if user_throttled:
            start = max(start, st[2])
        if global_throttled:
            start = max(start, g[2])
        if start - now > self.max_wait:
            self.refused += 1
            from fastapi import HTTPException

            # 400 like a wrong password (Gradio's login page shows its "incorrect credentials" only for
            # 400); the detail tells an API client why
            raise HTTPException(status_code=400, detail=f"too many failed logins: try again in "
                                                        f"{int(start - now - self.max_wait) + 1} s")
        if user_throttled:
            st[2] = start + min(self.base * 2 ** (st[0] + st[1] - self.free), self.max_delay)
        if global_throttled:
            g[2] = start + self.global_interval
        st[1] += 1
        try:
            if start > now:  # no await otherwise: the check and its count happen in one step
                await self._sleep(start - now)
            pw = self._accounts.get(name)
            ok = pw is not None and hmac.compare_digest(str(password or "").encode(), pw.encode())
        finally:
            st[1] -= 1
        if ok:
            st[0], st[2] = 0, 0.0
        else:
            st[0] += 1
            st[3] = self._clock()
            if self._clock() - g[1] > self.window:
                g[0], g[1] = 0, self._clock()
            g[0] += 1
        return ok


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
    """Launch the web UI. Returns the Blocks (after it stops when ``block``)."""
    auth_list = parse_auth(auth if auth is not None else os.environ.get("RAG_AUTH"))
    engine = prepare(cfg)
    demo = build_app(engine, lang=lang)
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    demo.launch(server_name=host, server_port=port, auth=LoginThrottle(auth_list).check if auth_list else None,
                prevent_thread_lock=not block, show_error=True, **launch_kwargs(cfg))
    return demo

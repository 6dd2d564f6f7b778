"""The chat panel: the conversation, the question box, send and new-chat buttons, example questions.

Asking streams one answer (:func:`reply`): the question appears at once, then the answer text as it is
generated, then the final message with citation links and its sources. A question over
``cfg.max_question_chars`` gets one line in the interface language, not an answer (its text is echoed
only as a short preview, and not kept). Public API: ``/ask`` (streams the chat), ``/new_chat``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import gradio as gr

from rag.answer.types import Answer
from rag.assistant import QuestionError, check_question
from rag.config import Config
from rag.ui import render
from rag.config import SAMPLE_CORPUS
from rag.ui.engine import Engine, EngineError
from rag.ui.i18n import t
from rag.ui.panels.common import Session, index_arg
from rag.ui.panels.passage import PassagePanel
from rag.ui.panels.settings import SettingsPanel


def examples_for(engine: Engine) -> list[str]:
    """Example questions for the chat: those of the bundled sample corpus (a file beside it, one per line)
    when the index the UI opens on holds nothing but the sample, else none."""
    try:
        sources = engine.retriever().store.manifest.get("sources") or [] if engine.exists(engine.cfg.index_name) else []
    except Exception:  # noqa: BLE001 - no examples rather than no UI
        return []
    sample = {str(SAMPLE_CORPUS), str(SAMPLE_CORPUS.resolve())}
    if not sources or not all(str(s) in sample for s in sources):
        return []
    path = SAMPLE_CORPUS.with_suffix(".examples.txt")
    try:
        return [q.strip() for q in path.read_text(encoding="utf-8").splitlines() if q.strip()]
    except OSError:
        return []

CHAT_CONCURRENCY = 16  # questions answered at once (reads); index writes are one at a time
PREVIEW_CHARS = 200  # of a refused long question, echoed in the chat


@dataclass
class ChatPanel:
    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    clear: gr.Button

    @classmethod
    def build(cls, cfg: Config, lang: str, examples: list[str] | None = None) -> "ChatPanel":
        """Lay the panel out (inside the current column); the question box carries the length limit."""
        chatbot = gr.Chatbot(label=t("chatbot", lang), show_label=False, height="64vh", min_height=420,
                             elem_id="rag-chat", buttons=["copy"], feedback_options=None,
                             examples=[{"text": q} for q in examples or []] or None, render_markdown=True)
        with gr.Row():
            question = gr.Textbox(label=t("question", lang), placeholder=t("placeholder", lang), scale=6, lines=1,
                                  max_lines=4, autofocus=True, max_length=cfg.max_question_chars,
                                  elem_id="rag-question")
            send = gr.Button(t("send", lang), variant="primary", scale=1, min_width=80, elem_id="rag-send")
        clear = gr.Button(t("clear", lang), size="sm", elem_id="rag-clear")
        return cls(chatbot, question, send, clear)

    def labelled(self) -> list[gr.components.Component]:
        """The components :meth:`relabel` updates, in its order."""
        return [self.chatbot, self.question, self.send, self.clear]

    def relabel(self, lang: str) -> list:
        return [gr.update(label=t("chatbot", lang)),
                gr.update(label=t("question", lang), placeholder=t("placeholder", lang)),
                gr.update(value=t("send", lang)), gr.update(value=t("clear", lang))]


def reply(engine: Engine, message, msgs, hist, cmap, index, k, llm, show_scores, lang_ui) -> Iterator[tuple]:
    """Stream one answer as (chat, question box, messages, history pairs, citation map) updates."""
    cfg = engine.cfg
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
    index = index_arg(index, cfg)
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


def wire_chat(engine: Engine, session: Session, chat: ChatPanel, settings: SettingsPanel,
              passage: PassagePanel) -> None:
    """Enter, the send button and an example question ask (Enter is the public ``/ask``); the
    new-chat button and the chat's own clear button start over (``/new_chat``)."""

    def respond(message, msgs, hist, cmap, index, k, llm, show_scores, lang_ui):
        yield from reply(engine, message, msgs, hist, cmap, index, k, llm, show_scores, lang_ui)

    inputs = [chat.question, session.messages, session.pairs, session.cites, settings.index, settings.topk,
              settings.backend, settings.scores, session.ui_lang]
    outputs = [chat.chatbot, chat.question, session.messages, session.pairs, session.cites]
    chat.question.submit(respond, inputs, outputs, api_name="ask", concurrency_limit=CHAT_CONCURRENCY,
                         concurrency_id="chat", show_progress="hidden")
    chat.send.click(respond, inputs, outputs, api_visibility="private", concurrency_id="chat",
                    concurrency_limit=CHAT_CONCURRENCY, show_progress="hidden")

    def pick_example(evt: gr.SelectData):
        v = evt.value
        return v.get("text", "") if isinstance(v, dict) else str(v or "")

    chat.chatbot.example_select(pick_example, None, chat.question, api_visibility="private", queue=False).then(
        respond, inputs, outputs, api_visibility="private", concurrency_id="chat",
        concurrency_limit=CHAT_CONCURRENCY, show_progress="hidden")

    def new_chat(lang_ui):
        return [], [], [], {}, render.passage_html(None, lang_ui)

    cleared = [chat.chatbot, session.messages, session.pairs, session.cites, passage.panel]
    chat.clear.click(new_chat, [session.ui_lang], cleared, api_name="new_chat", queue=False)
    chat.chatbot.clear(new_chat, [session.ui_lang], cleared, api_visibility="private", queue=False)

"""Generative answers from an LLM (OpenAI-compatible server, Ollama, or an in-process GGUF model):
:func:`make_llm` gives the :class:`LLMAnswerer` that ``cfg.llm`` configures.

The answerer puts the pieces together; each lives in its own module:

==============================  ===================================================================
:mod:`rag.answer.prompts`       the templates and the messages: passages fenced as untrusted data
:mod:`rag.answer.llm_backends`  which backend the config chooses; its LangChain chat models
:mod:`rag.answer.llm_output`    output clean-up, the streaming filter, citation checks -> Answer
:mod:`rag.answer.llm_errors`    :class:`LLMError` and the one-line wording of client failures
==============================  ===================================================================

LangChain is imported lazily, so ``import rag.answer.llm`` stays light. The answerer streams the answer
text as the model writes it (minus think blocks and the refusal marker), then the verified
:class:`rag.answer.types.Answer`; without passages it refuses without asking the model. It also serves
the assistant's two short auxiliary requests: a Chinese search query for an English question
(:meth:`LLMAnswerer.translate_query`) and a follow-up rewritten as a standalone question
(:meth:`LLMAnswerer.rewrite`); both fall back quietly when the model fails.
"""

from __future__ import annotations

import time
from typing import Any, Iterator

from rag.answer.lang import detect_lang
from rag.answer.llm_backends import BACKENDS, ChatModels, choose_backend
from rag.answer.llm_errors import LLMError, describe_error
from rag.answer.llm_output import VisibleText, build_answer, first_line
from rag.answer.prompts import (NO_ANSWER, answer_lang, answer_messages, escape_data, format_passages,
                                history_text, rewrite_messages, translate_messages)
from rag.answer.types import Answer
from rag.config import Config
from rag.types import Hit

# the names other modules use, importable from here as before the split
__all__ = ["AUX_MAX_TOKENS", "BACKENDS", "NO_ANSWER", "LLMAnswerer", "LLMError", "answer_messages", "build_answer",
           "describe_error", "escape_data", "format_passages", "make_llm"]

AUX_MAX_TOKENS = 96  # query translation / follow-up rewriting


class LLMAnswerer:
    """Answers from passages with an LLM backend ("openai", "ollama" or "llamacpp")."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        chosen = choose_backend(cfg)  # LLMError for a bad configuration
        self.backend, self.model, self.base_url, self.name = chosen.kind, chosen.model, chosen.base_url, chosen.name
        self.models = ChatModels(chosen, cfg)
        self.last_raw = ""  # raw model output of the last stream() (for debugging)

    @property
    def where(self) -> str:
        return self.models.backend.where

    def __repr__(self) -> str:
        return f"LLMAnswerer({self.name} @ {self.where})"

    def chat_model(self, max_tokens: int | None = None) -> Any:
        """The LangChain chat model answering with at most ``max_tokens`` tokens."""
        return self.models.get(max_tokens)

    def complete(self, pairs: list[tuple[str, str]], max_tokens: int | None = None) -> str:
        """The whole reply to (role, content) messages."""
        return "".join(self.models.stream(pairs, max_tokens))

    # -- answering

    def stream(self, question: str, passages: list[Hit], lang: str | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text deltas as they stream, then the final :class:`Answer`."""
        lang = answer_lang(lang or detect_lang(question))
        passages = list(passages)[:self.cfg.answer_passages] if self.cfg.answer_passages > 0 else list(passages)
        self.last_raw = ""
        if not passages:  # nothing to answer from: refuse without asking the model
            yield build_answer(question, lang, "", passages, self.name, {"first_token_ms": 0.0, "answer_ms": 0.0})
            return
        visible = VisibleText()
        t0 = time.perf_counter()
        first: float | None = None
        for delta in self.models.stream(answer_messages(question, passages, lang)):
            if first is None:
                first = time.perf_counter()
            shown = visible.feed(delta)
            self.last_raw = visible.raw
            if shown:
                yield shown
        end = time.perf_counter()
        timings = {"first_token_ms": ((first or end) - t0) * 1000, "answer_ms": (end - t0) * 1000}
        yield build_answer(question, lang, visible.raw, passages, self.name, timings)

    def answer(self, question: str, passages: list[Hit], lang: str | None = None) -> Answer:
        result = None
        for item in self.stream(question, passages, lang):
            if isinstance(item, Answer):
                result = item
        assert result is not None
        return result

    def translate_query(self, question: str) -> str | None:
        """A short Chinese search query for an English question; None when it fails or makes no sense."""
        if detect_lang(question) == "zh":
            return None
        try:
            out = self.complete(translate_messages(question), AUX_MAX_TOKENS)
        except LLMError:
            return None
        line = first_line(out)
        if not line or not any("\u4e00" <= ch <= "\u9fff" for ch in line):
            return None
        return line[:80]

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str:
        """The follow-up ``question`` as a standalone question, given (question, answer) turns."""
        if not history or not question.strip():
            return question
        conversation = history_text(history)
        try:
            out = self.complete(rewrite_messages(question, conversation), AUX_MAX_TOKENS)
        except LLMError:
            return question
        line = first_line(out)
        if not line or len(line) > 3 * len(question) + 120 or detect_lang(line) != detect_lang(question):
            return question
        return line


def make_llm(cfg: Config) -> LLMAnswerer:
    """The LLM answerer configured by ``cfg.llm`` (raises :class:`LLMError` on a bad configuration)."""
    return LLMAnswerer(cfg)

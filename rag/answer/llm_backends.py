"""The LLM backends: which one the configuration chooses (:func:`choose_backend`: an OpenAI-compatible
server, Ollama, or a GGUF model run in this process by llama.cpp), and their LangChain chat models
(:class:`ChatModels`), whose failures come out as one-line :class:`rag.answer.llm_errors.LLMError`.

LangChain and the client packages are imported only when a chat model is first needed, so importing
this module stays light.

>>> Backend("llamacpp", "/models/qwen2.5-3b.gguf").name, Backend("ollama", "qwen2.5:3b", OLLAMA_DEFAULT_URL).where
('llamacpp:qwen2.5-3b.gguf', 'http://localhost:11434')
>>> from rag.config import Config
>>> choose_backend(Config(llm="gpt5"))
Traceback (most recent call last):
...
rag.answer.llm_errors.LLMError: unknown LLM backend 'gpt5' (choose offline, openai, ollama or llamacpp)
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from rag.answer.llm_errors import LLMError, describe_error
from rag.config import Config

BACKENDS = ("openai", "ollama", "llamacpp")
OLLAMA_DEFAULT_URL = "http://localhost:11434"
LLAMACPP_N_CTX = 4096
PACKAGES = {  # backend -> (module to find, pip requirement)
    "openai": ("langchain_openai", "langchain-openai"),
    "ollama": ("langchain_ollama", "langchain-ollama"),
    "llamacpp": ("llama_cpp", "llama-cpp-python"),
}


@dataclass(frozen=True)
class Backend:
    """A checked backend choice: ``kind`` (one of :data:`BACKENDS`), the model (a GGUF path for
    llamacpp) and the server URL (none for llamacpp)."""

    kind: str
    model: str
    base_url: str = ""

    @property
    def name(self) -> str:
        """How answers name the backend: ``openai:MODEL``, ``ollama:MODEL``, ``llamacpp:FILE.gguf``."""
        return f"{self.kind}:{Path(self.model).name if self.kind == 'llamacpp' else self.model}"

    @property
    def where(self) -> str:
        """The server URL (the GGUF path for llamacpp), for error messages."""
        return self.model if self.kind == "llamacpp" else self.base_url


def choose_backend(cfg: Config) -> Backend:
    """The backend ``cfg.llm`` names, checked: its package is installed, its model and server are
    given (the GGUF file exists); anything missing is an :class:`LLMError` saying what to set."""
    kind = (cfg.llm or "").strip().lower()
    if kind not in BACKENDS:
        raise LLMError(f"unknown LLM backend {cfg.llm!r} (choose offline, openai, ollama or llamacpp)")
    module, requirement = PACKAGES[kind]
    if importlib.util.find_spec(module) is None:
        raise LLMError(f"the {kind} backend needs the {requirement} package: pip install {requirement}")
    model = (cfg.llm_model or "").strip()
    base_url = (cfg.llm_base_url or "").strip().rstrip("/")
    if kind == "openai":
        if not base_url:
            raise LLMError("the openai backend needs a server URL: set RAG_LLM_BASE_URL "
                           "(e.g. http://127.0.0.1:8080/v1 or https://api.openai.com/v1)")
        if not model:
            raise LLMError("the openai backend needs a model name: set RAG_LLM_MODEL")
    elif kind == "ollama":
        base_url = base_url or OLLAMA_DEFAULT_URL
        if not model:
            raise LLMError("the ollama backend needs a model name: set RAG_LLM_MODEL (e.g. qwen2.5:3b)")
    else:
        if not model:
            raise LLMError("the llamacpp backend needs a GGUF file: set RAG_LLM_MODEL to its path")
        path = Path(model).expanduser()
        if not path.is_file():
            raise LLMError(f"GGUF model file not found: {path}")
        model = str(path)
    return Backend(kind, model, base_url)


class ChatModels:
    """The LangChain chat models of one backend, one per token limit, created on first use (the GGUF
    model of llamacpp is loaded once and shared). Every failure is an :class:`LLMError`."""

    def __init__(self, backend: Backend, cfg: Config):
        self.backend = backend
        self.cfg = cfg
        self.llama: Any = None  # the in-process llama_cpp.Llama (llamacpp), once loaded
        self._models: dict[int, Any] = {}

    def get(self, max_tokens: int | None = None) -> Any:
        """The chat model answering with at most ``max_tokens`` tokens (default ``cfg.llm_max_tokens``)."""
        n = max(1, int(max_tokens or self.cfg.llm_max_tokens))
        if n not in self._models:
            try:
                self._models[n] = self._build(n)
            except LLMError:
                raise
            except ImportError as exc:
                _, requirement = PACKAGES[self.backend.kind]
                raise LLMError(f"the {self.backend.kind} backend needs {requirement} ({exc}): "
                               f"pip install {requirement}") from exc
            except Exception as exc:
                raise self.error(exc) from exc
        return self._models[n]

    def stream(self, pairs: list[tuple[str, str]], max_tokens: int | None = None) -> Iterator[str]:
        """The reply to (role, content) messages, as text deltas."""
        chat = self.get(max_tokens)
        try:
            for chunk in chat.stream(to_messages(pairs)):
                text = content_text(chunk.content)
                if text:
                    yield text
        except LLMError:
            raise
        except Exception as exc:
            raise self.error(exc) from exc

    def error(self, exc: BaseException) -> LLMError:
        """``exc`` of a chat-model client as one line naming this backend and its server."""
        b = self.backend
        return LLMError(describe_error(exc, b.kind, b.where, b.model, self.cfg.llm_timeout))

    def _build(self, max_tokens: int) -> Any:
        cfg, b = self.cfg, self.backend
        if b.kind == "openai":
            from langchain_openai import ChatOpenAI

            # langchain-openai sends max_tokens as "max_completion_tokens", which llama.cpp's and older
            # OpenAI-compatible servers ignore; send the classic field as well so every server honours it
            return ChatOpenAI(model=b.model, base_url=b.base_url, api_key=cfg.llm_api_key or "not-needed",
                              temperature=cfg.llm_temperature, max_tokens=max_tokens,
                              extra_body={"max_tokens": max_tokens}, timeout=cfg.llm_timeout, max_retries=0,
                              streaming=True)
        if b.kind == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(model=b.model, base_url=b.base_url, num_predict=max_tokens,
                              temperature=cfg.llm_temperature, client_kwargs={"timeout": cfg.llm_timeout})
        if self.llama is None:
            import llama_cpp

            try:
                self.llama = llama_cpp.Llama(model_path=b.model, n_ctx=LLAMACPP_N_CTX,
                                             n_threads=max(1, int(cfg.threads)), verbose=False)
            except (ValueError, RuntimeError, OSError) as exc:
                raise LLMError(f"llamacpp: cannot load GGUF model {b.model}: {exc}") from None
        return llamacpp_chat_class()(llama=self.llama, max_tokens=max_tokens, temperature=cfg.llm_temperature)


def to_messages(pairs: list[tuple[str, str]]) -> list[Any]:
    """(role, content) pairs as LangChain messages (a "system" role, else the user's)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(c) if role == "system" else HumanMessage(c) for role, c in pairs]


def content_text(content: Any) -> str:
    """The text of a LangChain message's content (a string, or a list of text parts).

    >>> content_text("ab"), content_text(["a", {"type": "text", "text": "b"}, {"type": "image"}])
    ('ab', 'ab')
    """
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content
                       if isinstance(p, str) or (isinstance(p, dict) and p.get("type", "text") == "text"))
    return ""


@lru_cache(maxsize=1)
def llamacpp_chat_class() -> type:
    """A minimal LangChain chat model over an in-process ``llama_cpp.Llama`` (no langchain-community)."""
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    roles = {"system": "system", "human": "user", "ai": "assistant"}

    class ChatLlamaCppInProcess(BaseChatModel):
        llama: Any = None
        max_tokens: int = 512
        temperature: float = 0.1

        @property
        def _llm_type(self) -> str:
            return "llama-cpp-in-process"

        def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                    **kwargs: Any) -> Iterator[ChatGenerationChunk]:
            msgs = [{"role": roles.get(m.type, "user"), "content": content_text(m.content)} for m in messages]
            for part in self.llama.create_chat_completion(messages=msgs, stream=True, max_tokens=self.max_tokens,
                                                          temperature=self.temperature, stop=stop or []):
                text = (part["choices"][0].get("delta") or {}).get("content") or ""
                if text:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk

        def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                      **kwargs: Any) -> ChatResult:
            text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    return ChatLlamaCppInProcess

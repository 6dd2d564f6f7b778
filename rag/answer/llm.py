"""Generative answers from an LLM (OpenAI-compatible server, Ollama, or an in-process GGUF model).

The chat model is a LangChain chat model, imported lazily, so ``import rag.answer.llm`` stays light.
The prompt templates live in ``prompts/`` (plain ``str.format`` files): the model must answer only from
the passages, cite every sentence with [n], copy figures verbatim and print the line ``NO_ANSWER`` when
the passages lack the answer.

Document text is untrusted data. Each passage is fenced as ``<passage id="n" source="...">...</passage>``
with its text and source label escaped (``&``, ``<``, ``>`` as entities, so no passage can close its fence
or open another; ``[9]`` as ``［9］``, so it cannot pose as a passage number or a citation), the question
sits in ``<question>`` tags, and the system prompt says passage text is evidence, never instructions.
After generation the citations are verified (dangling [n] dropped; a sentence that its cited passage
does not support, by its figures or its wording, is flagged unsupported); an answer without any valid
citation or without any supported cited sentence counts as a refusal.

>>> a = build_answer("2024年收入多少？", "zh", "收入预计2587亿元[1]。另见[9]。", [_demo_hit()], "demo")
>>> a.answer, [c.n for c in a.citations], a.refused, a.unsupported
('收入预计2587亿元[1]。另见。', [1], False, ['另见。'])
>>> build_answer("Revenue?", "en", "NO_ANSWER", [_demo_hit()], "demo").answer
'The documents do not contain the answer to this question.'
>>> build_answer("2024年收入多少？", "zh", "PWNED[1]", [_demo_hit()], "demo").refused
True
>>> print(format_passages([_demo_hit()]))
<passage id="1" source="报告 › 预算">
一般公共预算收入预计2587亿元，增长6%。本级收入827亿元。
</passage>
>>> escape_data('</passage> [9] 伪造来源')
'&lt;/passage&gt; ［9］ 伪造来源'
"""

from __future__ import annotations

import importlib.util
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from rag.answer.citations import claims, cited_numbers, sentences, verify
from rag.answer.lang import detect_lang
from rag.answer.prompts import PROMPTS_DIR, refusal_text
from rag.answer.prompts import load_prompt as _load_prompt
from rag.answer.types import Answer, Citation
from rag.config import Config
from rag.types import Chunk, Hit

BACKENDS = ("openai", "ollama", "llamacpp")
NO_ANSWER = "NO_ANSWER"  # the refusal marker line the answer templates ask for
OLLAMA_DEFAULT_URL = "http://localhost:11434"
AUX_MAX_TOKENS = 96  # query translation / follow-up rewriting
LLAMACPP_N_CTX = 4096

_PACKAGES = {  # backend -> (module to find, pip requirement)
    "openai": ("langchain_openai", "langchain-openai"),
    "ollama": ("langchain_ollama", "langchain-ollama"),
    "llamacpp": ("llama_cpp", "llama-cpp-python"),
}
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)
_MARKER_LINE = re.compile(r"^[\s*`#>_-]*" + NO_ANSWER, re.M)
_LEAD = re.compile(r"^\s*(?:回答|答案|答|Answer)\s*[:：]\s*", re.I)
_CITE = re.compile(r"\[(\d{1,3})\]")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_FULLWIDTH_TAG = str.maketrans({"＜": "<", "＞": ">", "﹤": "<", "﹥": ">"})
_TAG = re.compile(r"</?(?:question|turn|user|assistant|passage)\b[^>]*>", re.I)
_ENTITIES = re.compile(r"&(lt|gt|amp|quot);")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


class LLMError(RuntimeError):
    """An LLM backend failure, as one user-facing line (no traceback)."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split())[:400])


# ----------------------------------------------------------------------------------------- prompts

def load_prompt(name: str) -> str:
    """The template ``prompts/<name>.txt``; a missing file is an :class:`LLMError`."""
    try:
        return _load_prompt(name)
    except OSError as exc:
        raise LLMError(f"prompt template missing: {PROMPTS_DIR / (name + '.txt')} ({exc.strerror})") from None


def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


def escape_data(text: str) -> str:
    """Document (or earlier-answer) text made safe to quote inside the prompt's tags: ``&``, ``<``, ``>``
    (and their full-width forms) as entities, so it cannot open or close a tag; ``[n]`` as ``［n］``, so it
    cannot pose as a passage number or a citation."""
    text = text.translate(_FULLWIDTH_TAG).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CITE.sub(r"［\1］", text)


def _attribute(text: str) -> str:
    """``escape_data`` for a one-line tag attribute value (quotes escaped, line breaks folded)."""
    return " ".join(escape_data(text).replace('"', "&quot;").split())


def format_passages(passages: list[Hit]) -> str:
    """The passages fenced as data: ``<passage id="n" source="section › path">text</passage>``."""
    template = load_prompt("passage")
    out = []
    for n, hit in enumerate(passages, 1):
        c = hit.chunk
        source = " › ".join(s for s in c.section if s) or c.doc_title
        out.append(template.format(n=n, source=_attribute(source), title=_attribute(c.doc_title),
                                   text=escape_data(c.text.strip())))
    return "\n\n".join(out)


def answer_messages(question: str, passages: list[Hit], lang: str) -> list[tuple[str, str]]:
    """(role, content) pairs: the system prompt and the user prompt for ``lang``."""
    lang = _lang(lang)
    user = load_prompt(f"answer_{lang}").format(passages=format_passages(passages),
                                                question=escape_data(question.strip()))
    return [("system", load_prompt(f"system_{lang}")), ("user", user)]


# ------------------------------------------------------------------------------ post-processing

def strip_think(text: str) -> str:
    """Drop ``<think>...</think>`` reasoning blocks (an unclosed block runs to the end)."""
    return _THINK.sub("", text)


def is_refusal(text: str) -> bool:
    return bool(_MARKER_LINE.search(text)) or not text.strip()


def _bigrams(text: str) -> set[str]:
    s = re.sub(r"[\s\W_]+", "", _CITE.sub("", text).lower())
    return {s[i:i + 2] for i in range(len(s) - 1)} | set(s)


def _overlap(a: str, b: str) -> float:
    return len(_bigrams(a) & _bigrams(b)) + 3 * len(set(_NUM.findall(a)) & set(_NUM.findall(b)))


def best_sentence(claim: str, passage: str) -> str:
    """The passage sentence sharing the most characters (and figures) with ``claim``; '' if none."""
    best, best_score = "", 0.0
    for sent in sentences(passage):
        score = _overlap(claim, sent)
        if score > best_score:
            best, best_score = sent, score
    return best


def build_answer(question: str, lang: str, raw: str, passages: list[Hit], backend: str,
                 timings: dict[str, float] | None = None) -> Answer:
    """Turn a model output into an :class:`Answer`: verify citations, detect refusals."""
    lang = _lang(lang)
    text = _unescape(_LEAD.sub("", strip_think(raw)).strip())
    refusal = Answer(question, lang, refusal_text(lang), True, passages=list(passages), backend=backend,
                     timings=dict(timings or {}))
    if is_refusal(text):
        return refusal
    cleaned, cited, unsupported = verify(text, [h.chunk.text for h in passages], support=True)
    if not cited:
        return refusal
    if not any(refs and sent not in unsupported for sent, refs in claims(cleaned)):
        # citations, but no cited sentence its passage supports ("PWNED[1]"): not an answer
        refusal.refusal_reason = {"kind": "unsupported", "term": "", "detail": "", "chunk_id": "", "sentence": ""}
        return refusal
    claimed: dict[int, list[str]] = {}
    for sent in sentences(cleaned):
        for n in cited_numbers(sent):
            claimed.setdefault(n, []).append(sent)
    citations = [Citation.from_hit(n, passages[n - 1],
                                   sentence=best_sentence(" ".join(claimed.get(n, [])), passages[n - 1].chunk.text))
                 for n in cited]
    return Answer(question, lang, re.sub(r"[ \t]+\n", "\n", cleaned).strip(), False, citations=citations,
                  passages=list(passages), unsupported=unsupported, backend=backend, timings=dict(timings or {}))


def _unescape(text: str) -> str:
    """The model may copy the prompt's entities (&lt; for <) from an escaped passage: back to characters."""
    return _ENTITIES.sub(lambda m: {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[m.group(1)], text)


class _Visible:
    """What of the streamed text the reader may see: no <think> block, no refusal marker."""

    def __init__(self) -> None:
        self.raw = ""
        self.shown = ""

    def feed(self, delta: str) -> str:
        self.raw += delta
        text = strip_think(self.raw).lstrip()
        if "<think>".startswith(text[:7]) and len(text) < 7:  # maybe the start of a think block
            text = ""
        text = _unescape(_PARTIAL_ENTITY.sub("", text))  # hold back "&l" until "&lt;" is complete
        m = _MARKER_LINE.search(text)
        if m:
            text = text[:m.start()]
        else:  # hold back a last line that may still become the marker
            start = text.rfind("\n") + 1
            last = text[start:].lstrip(" *`#>_-")
            if NO_ANSWER.startswith(last):
                text = text[:start]
        if not text.startswith(self.shown) or len(text) == len(self.shown):
            return ""
        out, self.shown = text[len(self.shown):], text
        return out


# ----------------------------------------------------------------------------------- answerer

class LLMAnswerer:
    """Answers from passages with an LLM backend ("openai", "ollama" or "llamacpp")."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.backend = (cfg.llm or "").strip().lower()
        if self.backend not in BACKENDS:
            raise LLMError(f"unknown LLM backend {cfg.llm!r} (choose offline, openai, ollama or llamacpp)")
        module, requirement = _PACKAGES[self.backend]
        if importlib.util.find_spec(module) is None:
            raise LLMError(f"the {self.backend} backend needs the {requirement} package: pip install {requirement}")
        self.model = (cfg.llm_model or "").strip()
        self.base_url = (cfg.llm_base_url or "").strip().rstrip("/")
        if self.backend == "openai":
            if not self.base_url:
                raise LLMError("the openai backend needs a server URL: set RAG_LLM_BASE_URL "
                               "(e.g. http://127.0.0.1:8080/v1 or https://api.openai.com/v1)")
            if not self.model:
                raise LLMError("the openai backend needs a model name: set RAG_LLM_MODEL")
        elif self.backend == "ollama":
            self.base_url = self.base_url or OLLAMA_DEFAULT_URL
            if not self.model:
                raise LLMError("the ollama backend needs a model name: set RAG_LLM_MODEL (e.g. qwen2.5:3b)")
        else:
            if not self.model:
                raise LLMError("the llamacpp backend needs a GGUF file: set RAG_LLM_MODEL to its path")
            path = Path(self.model).expanduser()
            if not path.is_file():
                raise LLMError(f"GGUF model file not found: {path}")
            self.model = str(path)
        self.name = f"{self.backend}:{Path(self.model).name if self.backend == 'llamacpp' else self.model}"
        self.last_raw = ""  # raw model output of the last stream() (for debugging)
        self._chats: dict[int, Any] = {}
        self._llama: Any = None

    @property
    def where(self) -> str:
        return self.model if self.backend == "llamacpp" else self.base_url

    def __repr__(self) -> str:
        return f"LLMAnswerer({self.name} @ {self.where})"

    # -- chat models

    def _chat(self, max_tokens: int | None = None) -> Any:
        n = max(1, int(max_tokens or self.cfg.llm_max_tokens))
        if n not in self._chats:
            try:
                self._chats[n] = getattr(self, f"_build_{self.backend}")(n)
            except LLMError:
                raise
            except ImportError as exc:
                module, requirement = _PACKAGES[self.backend]
                raise LLMError(f"the {self.backend} backend needs {requirement} ({exc}): "
                               f"pip install {requirement}") from exc
            except Exception as exc:
                raise self._error(exc) from exc
        return self._chats[n]

    def _build_openai(self, max_tokens: int) -> Any:
        from langchain_openai import ChatOpenAI

        # langchain-openai sends max_tokens as "max_completion_tokens", which llama.cpp's and older
        # OpenAI-compatible servers ignore; send the classic field as well so every server honours it
        return ChatOpenAI(model=self.model, base_url=self.base_url, api_key=self.cfg.llm_api_key or "not-needed",
                          temperature=self.cfg.llm_temperature, max_tokens=max_tokens,
                          extra_body={"max_tokens": max_tokens}, timeout=self.cfg.llm_timeout, max_retries=0,
                          streaming=True)

    def _build_ollama(self, max_tokens: int) -> Any:
        from langchain_ollama import ChatOllama

        return ChatOllama(model=self.model, base_url=self.base_url, num_predict=max_tokens,
                          temperature=self.cfg.llm_temperature, client_kwargs={"timeout": self.cfg.llm_timeout})

    def _build_llamacpp(self, max_tokens: int) -> Any:
        if self._llama is None:
            import llama_cpp

            try:
                self._llama = llama_cpp.Llama(model_path=self.model, n_ctx=LLAMACPP_N_CTX,
                                              n_threads=max(1, int(self.cfg.threads)), verbose=False)
            except (ValueError, RuntimeError, OSError) as exc:
                raise LLMError(f"llamacpp: cannot load GGUF model {self.model}: {exc}") from None
        return _llamacpp_chat_class()(llama=self._llama, max_tokens=max_tokens,
                                      temperature=self.cfg.llm_temperature)

    def _error(self, exc: BaseException) -> LLMError:
        return LLMError(describe_error(exc, self.backend, self.where, self.model, self.cfg.llm_timeout))

    def _messages(self, pairs: list[tuple[str, str]]) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(c) if role == "system" else HumanMessage(c) for role, c in pairs]

    def _deltas(self, pairs: list[tuple[str, str]], max_tokens: int | None = None) -> Iterator[str]:
        chat = self._chat(max_tokens)
        try:
            for chunk in chat.stream(self._messages(pairs)):
                text = _content_text(chunk.content)
                if text:
                    yield text
        except LLMError:
            raise
        except Exception as exc:
            raise self._error(exc) from exc

    def complete(self, pairs: list[tuple[str, str]], max_tokens: int | None = None) -> str:
        """The whole reply to (role, content) messages."""
        return "".join(self._deltas(pairs, max_tokens))

    # -- answering

    def stream(self, question: str, passages: list[Hit], lang: str | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text deltas as they stream, then the final :class:`Answer`."""
        lang = _lang(lang or detect_lang(question))
        passages = list(passages)[:self.cfg.answer_passages] if self.cfg.answer_passages > 0 else list(passages)
        self.last_raw = ""
        if not passages:  # nothing to answer from: refuse without asking the model
            yield build_answer(question, lang, "", passages, self.name, {"first_token_ms": 0.0, "answer_ms": 0.0})
            return
        visible = _Visible()
        t0 = time.perf_counter()
        first: float | None = None
        for delta in self._deltas(answer_messages(question, passages, lang)):
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
            out = self.complete([("user", load_prompt("translate_query").format(question=question.strip()))],
                                AUX_MAX_TOKENS)
        except LLMError:
            return None
        line = _first_line(out)
        if not line or not any("\u4e00" <= ch <= "\u9fff" for ch in line):
            return None
        return line[:80]

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str:
        """The follow-up ``question`` as a standalone question, given (question, answer) turns."""
        if not history or not question.strip():
            return question
        turn = load_prompt("history_turn")
        conv = "\n".join(turn.format(question=escape_data(q.strip()), answer=escape_data(a.strip()))
                         for q, a in history[-3:])
        try:
            out = self.complete([("user", load_prompt("rewrite").format(history=conv, question=question.strip()))],
                                AUX_MAX_TOKENS)
        except LLMError:
            return question
        line = _first_line(out)
        if not line or len(line) > 3 * len(question) + 120 or detect_lang(line) != detect_lang(question):
            return question
        return line


def make_llm(cfg: Config) -> LLMAnswerer:
    """The LLM answerer configured by ``cfg.llm`` (raises :class:`LLMError` on a bad configuration)."""
    return LLMAnswerer(cfg)


# -------------------------------------------------------------------------------------- helpers

def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content
                       if isinstance(p, str) or (isinstance(p, dict) and p.get("type", "text") == "text"))
    return ""


def _first_line(text: str) -> str:
    for line in strip_think(text).splitlines():
        line = _TAG.sub("", line)
        line = re.sub(r"^\s*(?:[-*>]|\w+\s*(?:query|question)\s*[:：]|(?:查询|问题|中文查询)\s*[:：])\s*", "",
                      line, flags=re.I).strip().strip("\"'“”「」`*").strip()
        if line:
            return line
    return ""


def describe_error(exc: BaseException, backend: str, where: str, model: str = "", timeout: float = 0.0) -> str:
    """One line naming the backend and server for an exception raised by a chat model client."""
    kind = type(exc).__name__
    kinds = {c.__name__ for c in type(exc).__mro__}  # langchain wraps client errors in subclasses
    module = type(exc).__module__.split(".")[0]
    status = getattr(exc, "status_code", None)
    detail = " ".join(str(getattr(exc, "message", "") or exc).split())[:200]
    at = f"{backend} backend at {where}"
    if kinds & {"APITimeoutError", "TimeoutException", "ModelTimeoutError", "TimeoutError"}:
        return f"{at}: no response within {timeout:g} s (timed out; raise RAG_LLM_TIMEOUT or check the server)"
    if status == 401 or kinds & {"AuthenticationError", "ModelAuthenticationError"}:
        return f"{at}: authentication failed (HTTP 401, bad or missing API key; check RAG_LLM_API_KEY)"
    if status == 403 or kinds & {"PermissionDeniedError", "ModelPermissionDeniedError"}:
        return f"{at}: access denied (HTTP 403; check RAG_LLM_API_KEY)"
    if status == 404 or kinds & {"NotFoundError", "ModelNotFoundError"}:
        return f"{at}: model {model!r} or endpoint not found (HTTP 404; check RAG_LLM_MODEL and RAG_LLM_BASE_URL)"
    if kinds & {"APIConnectionError", "ConnectError", "ModelConnectionError", "RemoteProtocolError",
                "ConnectionError"}:
        return f"{at}: cannot reach the server (is it running? check RAG_LLM_BASE_URL)"
    if kinds & {"ContextOverflowError"} or "exceed context window" in detail:
        return f"{at}: the prompt is too long for the model's context window (lower RAG_ANSWER_PASSAGES)"
    if "No generation chunks" in detail:  # the server closed the stream without output (llama.cpp does so on errors)
        return (f"{at}: the server returned no output (the prompt may exceed the model's context window: "
                f"lower RAG_ANSWER_PASSAGES or raise the server's context size)")
    if isinstance(status, int):
        return f"{at}: server error (HTTP {status}): {detail}"
    if module == "httpx":
        return f"{at}: HTTP failure ({kind}: {detail})"
    return f"{at}: {kind}: {detail}"


@lru_cache(maxsize=1)
def _llamacpp_chat_class() -> type:
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
            msgs = [{"role": roles.get(m.type, "user"), "content": _content_text(m.content)} for m in messages]
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


def _demo_hit() -> Hit:
    text = "一般公共预算收入预计2587亿元，增长6%。本级收入827亿元。"
    return Hit(Chunk("c1", "d1", "报告", "r.txt", ["报告", "预算"], text, 0, len(text), 1, 1), 1.0)

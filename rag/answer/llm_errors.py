"""LLM failures as one user-facing line: :class:`LLMError`, and :func:`describe_error`, which words an
exception of a chat-model client (openai, httpx, ollama, llama.cpp, as LangChain wraps them) by what
the user can do about it, naming the backend and its server.

>>> describe_error(TimeoutError("read timed out"), "openai", "http://127.0.0.1:8080/v1", timeout=5)
'openai backend at http://127.0.0.1:8080/v1: no response within 5 s (timed out; raise RAG_LLM_TIMEOUT or check the server)'
>>> str(LLMError("two\\nlines"))
'two lines'
"""

from __future__ import annotations


class LLMError(RuntimeError):
    """An LLM backend failure, as one user-facing line (no traceback; at most 400 characters)."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split())[:400])


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

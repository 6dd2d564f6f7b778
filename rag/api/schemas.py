"""Request and response models of the HTTP API (pydantic; they make the OpenAPI docs at ``/docs``).

Unknown fields of an OpenAI request (``top_p``, ``n``, ``user``...) are accepted and ignored, so any
OpenAI client works:

>>> req = ChatRequest(model="default", messages=[{"role": "user", "content": "多少？"}], top_p=0.9)
>>> req.messages[-1].text(), req.stream
('多少？', False)
>>> ChatMessage(role="user", content=[{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]).text()
'ab'
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_MESSAGES = 200
MAX_K = 50


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The message's text (text parts joined; other parts are refused by the API)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text or "" for p in self.content if p.type == "text")

    def has_non_text(self) -> bool:
        return isinstance(self.content, list) and any(p.type != "text" for p in self.content)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatRequest(BaseModel):
    """OpenAI's chat request. ``model``: an index name (``GET /v1/models``), optionally ``index:backend``
    (``offline`` or the configured LLM backend); empty: the default index and backend."""

    model_config = ConfigDict(extra="allow")
    model: str | None = Field(None, max_length=200, examples=["default"])
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0, description="passed to an openai/ollama backend")
    max_tokens: int | None = Field(None, ge=1, le=8192, description="passed to an openai/ollama backend")
    max_completion_tokens: int | None = Field(None, ge=1, le=8192, description="same as max_tokens")
    k: int | None = Field(None, ge=1, le=20, description="passages given to the answerer (default 5)")


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(..., examples=["2024年一般公共预算收入预计是多少？"])
    k: int | None = Field(None, ge=1, le=MAX_K, description="number of passages (default 5)")
    index: str | None = Field(None, max_length=200, description="index name (default: the server's)")
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    doc: str | None = Field(None, max_length=500, description="only this document (id, title or part of its path)")
    section: str | None = Field(None, max_length=500, description="only sections whose path contains this text")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., examples=["What is the 2024 target for the surveyed urban unemployment rate?"])
    index: str | None = Field(None, max_length=200)
    k: int | None = Field(None, ge=1, le=20, description="passages given to the answerer (default 5)")
    backend: str | None = Field(None, max_length=40, description="offline or the configured LLM backend")
    history: list[tuple[str, str]] = Field(default_factory=list, max_length=50,
                                           description="earlier (question, answer) turns, oldest first")


class CitationOut(BaseModel):
    """A cited passage: ``doc_path`` is the document's path relative to the indexed folders."""

    model_config = ConfigDict(extra="allow")
    n: int
    chunk_id: str
    doc_title: str
    doc_path: str
    section: list[str]
    line_start: int
    line_end: int
    page: int | None = None
    sentence: str = ""
    sentences: list[str] = []
    text: str = ""


class RagExtra(BaseModel):
    """The extra field ``rag`` of a chat completion (OpenAI clients ignore it)."""

    model_config = ConfigDict(extra="allow")
    index: str
    backend: str
    lang: str
    refused: bool
    refusal_reason: dict[str, Any] | None = None
    confidence: float | None = None
    standalone_question: str
    unsupported: list[str] = []
    citations: list[CitationOut] = []
    answer: str = Field("", description="the checked answer (streams: differs from the streamed text only "
                                        "when the citation check changed it)")


class ErrorBody(BaseModel):
    message: str
    type: str
    code: str | None = None
    param: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody

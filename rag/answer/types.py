"""Answer records shared by every answer backend, the CLI and the UI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rag.types import Hit


@dataclass
class Citation:
    """Passage ``n`` (1-based, as shown to the reader) and the sentence of the answer it supports."""

    n: int
    chunk_id: str
    doc_title: str
    doc_path: str
    section: list[str]
    text: str  # the whole cited passage
    sentence: str = ""  # the passage sentence that supports the answer (highlighted in the UI)
    line_start: int = 0
    line_end: int = 0
    page: int | None = None
    # every passage sentence the answer rests on, in passage order (``sentence`` is the first of them)
    sentences: list[str] = field(default_factory=list)

    @classmethod
    def from_hit(cls, n: int, hit: Hit, sentence: str = "", sentences: list[str] | None = None) -> "Citation":
        c = hit.chunk
        sentences = list(sentences or ([sentence] if sentence else []))
        return cls(n, c.chunk_id, c.doc_title, c.doc_path, list(c.section), c.text, sentence or next(iter(sentences), ""),
                   c.line_start, c.line_end, c.page_start, sentences)


@dataclass
class Answer:
    question: str
    lang: str  # "zh" or "en": the language of the answer
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Hit] = field(default_factory=list)  # what was shown to the answerer, numbered from 1
    unsupported: list[str] = field(default_factory=list)  # answer sentences whose numbers the cited passages lack
    backend: str = "offline"
    standalone_question: str = ""  # the follow-up rewritten with the conversation (== question otherwise)
    timings: dict[str, float] = field(default_factory=dict)
    # offline refusals: {"kind", "term", "detail", "chunk_id", "sentence"} (the best near miss)
    refusal_reason: dict[str, str] | None = None
    # offline answers with the fitted selector: the probability that the best sentence answers the question
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question or self.question,
            "lang": self.lang,
            "answer": self.answer,
            "refused": self.refused,
            "refusal_reason": self.refusal_reason,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "unsupported": self.unsupported,
            "citations": [asdict(c) for c in self.citations],
            "retrieved": [{"n": n, **h.to_dict()} for n, h in enumerate(self.passages, 1)],
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
            "backend": self.backend,
        }

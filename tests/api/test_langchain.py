"""The LangChain retriever over an index in LCEL chains: the expected passage for a Chinese and an
English question, with its citation metadata; and the embedder as LangChain ``Embeddings``."""

from __future__ import annotations

import pytest

from tests.api.helpers import EN_QUESTION, FIGURE, INDEX, SECTION, ZH_QUESTION

pytest.importorskip("langchain_core")

from langchain_core.documents import Document  # noqa: E402
from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402
from langchain_core.output_parsers import StrOutputParser  # noqa: E402
from langchain_core.prompts import ChatPromptTemplate  # noqa: E402
from langchain_core.runnables import RunnableLambda, RunnablePassthrough  # noqa: E402

from rag.integrations.langchain import RagRetriever, embeddings  # noqa: E402


@pytest.fixture(scope="module")
def retriever(api_cfg):
    return RagRetriever.from_index(INDEX, index_dir=api_cfg.index_dir, k=3)


@pytest.mark.parametrize("question", [ZH_QUESTION, EN_QUESTION])
def test_lcel_chain_returns_the_passage(retriever, question):
    chain = retriever | RunnableLambda(lambda docs: docs[0])
    doc = chain.invoke(question)
    assert isinstance(doc, Document) and FIGURE in doc.page_content
    m = doc.metadata
    assert m["section"][-1] == SECTION and m["section_path"].endswith(" > " + SECTION)
    assert m["doc_title"] == "青柳市2024年水务工作报告" and m["doc_path"].endswith("qingliu-water.txt")
    assert m["line_start"] == 7 and m["rank"] == 1 and m["score"] > 0 and doc.id == m["chunk_id"]


def test_rag_chain_with_prompt_and_model(retriever):
    """The usual RAG chain: retrieved passages formatted into a prompt, a chat model, a parser."""
    seen = {}

    def fmt(docs):
        seen["context"] = "\n\n".join(f"[{d.metadata['rank']}] {d.page_content}" for d in docs)
        return seen["context"]

    prompt = ChatPromptTemplate.from_messages([("system", "Answer from the passages:\n{context}"),
                                               ("user", "{question}")])
    model = FakeListChatModel(responses=["98% [1]"])
    chain = {"context": retriever | RunnableLambda(fmt), "question": RunnablePassthrough()} | prompt | model | \
        StrOutputParser()
    assert chain.invoke(EN_QUESTION) == "98% [1]"
    assert seen["context"].startswith("[1] ") and FIGURE in seen["context"].split("\n\n")[0]
    # batch, filters and modes
    out = retriever.batch([ZH_QUESTION, EN_QUESTION])
    assert all(FIGURE in docs[0].page_content for docs in out)
    only = RagRetriever(retriever=retriever.retriever, k=5, section="节水", mode="bm25").invoke("水价")
    assert only and all(any("节水" in s for s in d.metadata["section"]) for d in only)


def test_embeddings_are_langchain_embeddings():
    from langchain_core.embeddings import Embeddings

    emb = embeddings()
    assert isinstance(emb, Embeddings)
    q, docs = emb.embed_query("污水处理率"), emb.embed_documents(["污水处理率达到98%", "新建水库2座"])
    assert len(q) == len(docs[0]) == 384
    sims = [sum(a * b for a, b in zip(q, d)) for d in docs]
    assert sims[0] > sims[1]

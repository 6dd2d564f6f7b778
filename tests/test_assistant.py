"""The pipeline the CLI and UI share: streaming, follow-ups, JSON shape."""

from __future__ import annotations

import pytest

from rag.answer.types import Answer
from rag.assistant import Assistant


@pytest.fixture(scope="module")
def assistant(retriever):
    return Assistant(retriever.cfg, retriever)


def test_stream_yields_text_then_the_answer(assistant):
    events = list(assistant.stream("2023年重庆天然气产量是多少？"))
    assert isinstance(events[-1], Answer)
    text = "".join(e for e in events[:-1])
    assert text == events[-1].answer and "168亿立方米" in text
    assert {"retrieve_ms", "total_ms", "answer_ms"} <= set(events[-1].timings)


def test_follow_up_uses_the_conversation(assistant):
    first = assistant.ask("2023年全市一般公共预算收入是多少？")
    assert "2441亿元" in first.answer
    second = assistant.ask("那市级呢？", [(first.standalone_question, first.answer)])
    assert second.standalone_question.startswith("2023年市级一般公共预算收入")
    assert "827亿元" in second.answer


def test_json_shape(assistant):
    d = assistant.ask("How many invention patents per 10,000 people did Chongqing have in 2023?").to_dict()
    assert {"question", "lang", "answer", "refused", "citations", "retrieved", "timings", "backend",
            "unsupported"} <= set(d)
    assert d["lang"] == "en" and d["backend"] == "offline"
    assert "19.75" in d["answer"]
    c = d["citations"][0]
    assert {"n", "chunk_id", "doc_title", "section", "text", "sentence", "line_start", "line_end"} <= set(c)
    assert c["sentence"] in c["text"]

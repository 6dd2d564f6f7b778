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


@pytest.fixture(scope="module")
def small_assistant(tmp_path_factory):
    """An Assistant over a one-document index (inline text)."""
    from rag.config import Config
    from rag.indexer import build_index

    root = tmp_path_factory.mktemp("small-assistant")
    doc = root / "water.txt"
    doc.write_text("青湖区水务年报\n\n一、供水\n青湖区2024年新建水厂3座，日供水能力达到45万吨。\n", encoding="utf-8")
    cfg = Config(index_dir=root / "indexes", index_name="small", max_question_chars=300)
    build_index([doc], cfg, progress=False)
    return Assistant(cfg)


def test_questions_are_bounded(small_assistant):
    """Empty and too long questions are refused with a one-line message naming the length and the
    limit, before any retrieval; every shell calls the same check (issue 9, item 5)."""
    from rag.assistant import QuestionError, check_question

    assert check_question("  水厂多少座？\n", 300) == "水厂多少座？"
    for bad, kind in (("", "empty"), ("   \n", "empty"), ("水" * 301, "too_long"), ("水" * 1_000_000, "too_long")):
        with pytest.raises(QuestionError) as exc:
            check_question(bad, 300)
        assert exc.value.kind == kind and "\n" not in str(exc.value)
    with pytest.raises(QuestionError, match=r"1000000 characters \(limit 300\)"):
        small_assistant.ask("水" * 1_000_000)
    with pytest.raises(QuestionError, match="301 characters"):
        small_assistant.stream("水" * 301)  # raised at once, not on the first next()
    with pytest.raises(QuestionError):
        small_assistant.ask(" ")
    q = "青湖区2024年新建水厂多少座？"
    ans = small_assistant.ask(" " * 50 + q + "水" * (300 - len(q)))  # exactly at the limit: answered
    assert "3座" in ans.answer

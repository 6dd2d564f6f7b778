"""The pipeline the CLI and UI share: streaming, follow-ups, JSON shape (a small index of invented reports)."""

from __future__ import annotations

import pytest

from rag.answer.types import Answer
from rag.assistant import Assistant

# invented reports of an invented city (江岚市) and district (青湖区): every sentence and figure is made up
BUDGET = """关于江岚市2023年财政收支情况的报告

一、2023年一般公共预算收支

1. 全市收支

全市一般公共预算收入428亿元，增长7.3%。其中，税收收入302亿元，非税收入126亿元。

2. 市级收支

市级一般公共预算收入157亿元，增长9.6%。其中，税收收入98亿元。
"""
WORK = """江岚市人民政府工作报告

一、2023年主要工作

全市天然气产量12.4亿立方米，增长6.9%。全年城镇新增就业4.9万人，城镇调查失业率5.1%。截至2023年底，全市累计建成口袋公园58个。
"""
WATER = "青湖区水务年报\n\n一、供水\n青湖区2024年新建水厂3座，日供水能力达到45万吨。\n"
# gov-report (全市 / 市级 scopes, glossary) with the invented city as the home place
PROFILE = 'extends = "gov-report"\nhome_words = ["江岚", "江岚市", "jianglan", "jianglan\'s"]\n'


@pytest.fixture(scope="module")
def small_assistant(tmp_path_factory):
    """An Assistant (default settings: the fitted selector) over an index of three short invented documents."""
    from rag.config import Config
    from rag.indexer import build_index

    root = tmp_path_factory.mktemp("small-assistant")
    docs = root / "docs"
    docs.mkdir()
    for name, text in (("budget.txt", BUDGET), ("work.txt", WORK), ("water.txt", WATER)):
        (docs / name).write_text(text, encoding="utf-8")
    (root / "jianglan.toml").write_text(PROFILE, encoding="utf-8")
    cfg = Config(index_dir=root / "indexes", index_name="small", max_question_chars=300,
                 profile=str(root / "jianglan.toml"))
    build_index([docs], cfg, progress=False)
    return Assistant(cfg)


def test_stream_yields_text_then_the_answer(small_assistant):
    events = list(small_assistant.stream("2023年江岚市天然气产量是多少？"))
    assert isinstance(events[-1], Answer)
    text = "".join(e for e in events[:-1])
    assert text == events[-1].answer and "12.4亿立方米" in text
    assert len(events) >= 2 and all(isinstance(e, str) for e in events[:-1])
    assert {"retrieve_ms", "total_ms", "answer_ms"} <= set(events[-1].timings)


def test_follow_up_uses_the_conversation(small_assistant):
    first = small_assistant.ask("全市2023年一般公共预算收入是多少？")
    assert "428亿元" in first.answer
    second = small_assistant.ask("那市级呢？", [(first.standalone_question, first.answer)])
    assert second.standalone_question.startswith("市级2023年一般公共预算收入")
    assert "157亿元" in second.answer and "428亿元" not in second.answer


def test_json_shape(small_assistant):
    d = small_assistant.ask("How many new urban jobs did Jianglan add in 2023?").to_dict()
    assert {"question", "lang", "answer", "refused", "citations", "retrieved", "timings", "backend",
            "unsupported"} <= set(d)
    assert d["lang"] == "en" and d["backend"] == "offline"
    assert "4.9万人" in d["answer"]
    c = d["citations"][0]
    assert {"n", "chunk_id", "doc_title", "section", "text", "sentence", "line_start", "line_end"} <= set(c)
    assert c["sentence"] in c["text"]


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


def test_an_english_questions_merged_search_keeps_its_own_dense_spread(small_assistant, monkeypatch):
    """With an LLM, an English question is searched again in its Chinese translation and the two merged; the
    topic model's evidence (the dense spread) stays the question's own on every merged hit."""
    from types import SimpleNamespace

    from rag.types import Hit

    chunks = list(small_assistant.retriever.store.chunks)[:3]
    assert len(chunks) == 3
    own = [Hit(chunks[0], 1.0, extras={"dense_spread": (0.1, 0.2, 0.3)}),
           Hit(chunks[1], 0.5, extras={"dense_spread": (0.1, 0.2, 0.3)})]
    translated = [Hit(chunks[2], 1.0, extras={"dense_spread": (0.9, 0.9, 0.9)})]
    searches = iter([own, translated])
    monkeypatch.setattr(small_assistant.retriever, "search", lambda q, k=None: next(searches))
    monkeypatch.setattr(small_assistant, "llm", SimpleNamespace(translate_query=lambda q: "中文问题"))
    hits = small_assistant.retrieve("How much was spent?", k=3)
    assert {h.chunk.chunk_id for h in hits} == {c.chunk_id for c in chunks}
    assert all(h.extras["dense_spread"] == (0.1, 0.2, 0.3) for h in hits)
    # the question's own search had none (too few passages): the translation's is dropped too
    searches = iter([[Hit(chunks[0], 1.0)], [Hit(chunks[2], 1.0, extras={"dense_spread": (0.9, 0.9, 0.9)})]])
    monkeypatch.setattr(small_assistant.retriever, "search", lambda q, k=None: next(searches))
    assert all("dense_spread" not in h.extras for h in small_assistant.retrieve("How much was spent?", k=3))

"""The fitted answer selector: weights as JSON, answer-type cues, and the offline answerer ranking and refusing
with it (small inline texts, no index)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from pathlib import Path

import pytest

from rag.answer.corpus import CorpusStats
from rag.answer.extractive import OfflineAnswerer
from rag.answer.selector import (ANSWER_FEATURES, RANK_FEATURES, TOPIC_FEATURES, WEIGHTS, Logistic, Selector,
                                 question_type, sentence_types)
from rag.profile import load_profile
from rag.types import Chunk, Hit


def hit(text: str, title: str = "青湖公园", cid: str = "c1", score: float = 1.0) -> Hit:
    return Hit(Chunk(cid, "d1", title, f"{title}.md", [title], text, 0, len(text), 1, 1), score)


def answerer(hits, selector, min_confidence=None, **kw) -> OfflineAnswerer:
    store = SimpleNamespace(chunks=[h.chunk for h in hits], bridge={}, manifest={})
    return OfflineAnswerer(CorpusStats.of(store), 0.5, profile=load_profile("general"), selector=selector,
                           min_confidence=min_confidence, **kw)


def test_question_types_in_both_languages():
    assert question_type("青湖公园建于哪一年？") == "date"
    assert question_type("When was the park built?") == "date"
    assert question_type("这部小说的作者是谁？") == "person"
    assert question_type("How many lakes are there?") == "number"
    assert question_type("公园位于哪个城市？") == "place"
    assert question_type("公园有什么特色？") == "other"
    # 哪几 asks which ones (a list), not how many; 哪几年 asks for years
    assert question_type("公园有几座湖？") == "number"
    assert question_type("公园有哪几座湖？") == "other"
    assert question_type("他在哪几年担任园长？") == "date"
    assert question_type("哪几位园长来自外地？") == "person" and question_type("湖水流经哪几个国家？") == "place"
    assert question_type("园长几乎每天做什么？") == "other"  # 几乎 (almost) asks no number


def test_english_question_types_read_whole_words_and_units():
    # "city-wide" is no "which city"; a unit the answer is asked in makes it a number
    assert question_type("What city-wide budget revenue does the plan forecast (in 亿元, as reported)?") == "number"
    assert question_type("What country-level policy applies?") == "other"
    assert question_type("What was the lake's area (in hectares)?") == "number"
    assert question_type("What was the lake's length (in kilometres)?") == "number"
    assert question_type("Which city hosted the games (in Tonga)?") == "place"  # a name, not "tons"
    assert question_type("What did the fair show (in Tonga)?") == "other"
    assert question_type("Which city hosted the games?") == "place"


def test_sentence_types_look_only_at_what_the_question_does_not_say():
    # the question's own year is no answer to "when"
    assert not sentence_types("青湖公园建于1986年", "青湖公园1986年建成后面积多大？")["date"]
    assert sentence_types("青湖公园建于1986年", "青湖公园建于哪一年？")["date"]


def test_bundled_weights_load_and_match_the_features():
    sel = Selector.default()
    assert sel is not None and WEIGHTS.is_file()
    assert sel.rank.names == RANK_FEATURES and sel.answer.names == ANSWER_FEATURES
    assert 0.0 <= sel.min_confidence < 1.0
    assert sel.topic is not None and sel.topic.names == TOPIC_FEATURES
    assert set(sel.min_topic) == {"zh", "en"} and all(0.0 <= t < 1.0 for t in sel.min_topic.values())
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert data["meta"]["script"] == "eval/fit_selector.py"


def test_weights_round_trip_as_json_and_refuse_a_stale_feature_list(tmp_path):
    sel = Selector.default()
    path = tmp_path / "sel.json"
    sel.save(path)
    again = Selector.load(path)
    x = [0.5] * len(RANK_FEATURES)
    assert again.rank.score(x) == pytest.approx(sel.rank.score(x))
    t = [0.5] * len(TOPIC_FEATURES)
    assert again.topic.prob(t) == pytest.approx(sel.topic.prob(t)) and again.min_topic == sel.min_topic
    assert Selector.load(tmp_path / "missing.json") is None
    data = json.loads(path.read_text(encoding="utf-8"))
    data["rank"]["features"] = data["rank"]["features"][:-1]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="refit"):
        Selector.load(path)


def test_the_selector_picks_the_sentence_with_the_asked_kind_of_answer():
    hits = [hit("青湖公园位于城市东部，是市民休闲的好去处。青湖公园建于1986年，由园林局设计。"
                "公园面积为120公顷，湖面占一半。")]
    a = answerer(hits, Selector.default(), min_confidence=0.0)
    ans = a.answer("青湖公园建于哪一年？", hits)
    assert not ans.refused and "1986" in ans.answer, ans.answer
    assert ans.confidence is not None and 0.0 < ans.confidence <= 1.0
    ans = a.answer("青湖公园的面积有多大？", hits)
    assert not ans.refused and "120公顷" in ans.answer, ans.answer


def test_min_confidence_moves_the_refusal():
    hits = [hit("青湖公园建于1986年，由园林局设计。")]
    q = "青湖公园建于哪一年？"
    assert answerer(hits, Selector.default(), min_confidence=0.0).answer(q, hits).refused is False
    refused = answerer(hits, Selector.default(), min_confidence=0.9999).answer(q, hits)
    assert refused.refused and refused.confidence < 0.9999 and refused.refusal_reason["kind"]


def test_a_constant_model_shows_the_threshold_is_the_decision():
    # a hand-made selector whose answer model always says 0.3: refused at 0.5, answered at 0.2
    zero = Logistic(RANK_FEATURES, [0.0] * len(RANK_FEATURES), [0.0] * len(RANK_FEATURES), [1.0] * len(RANK_FEATURES))
    w = [0.0] * len(ANSWER_FEATURES)
    w[0] = -0.8473  # sigmoid(-0.8473) = 0.3
    answer = Logistic(ANSWER_FEATURES, w, [0.0] * len(ANSWER_FEATURES), [1.0] * len(ANSWER_FEATURES))
    sel = Selector(zero, answer, 0.5, {})
    hits = [hit("青湖公园建于1986年，由园林局设计。")]
    q = "青湖公园建于哪一年？"
    assert answerer(hits, sel).answer(q, hits).refused
    assert not answerer(hits, sel, min_confidence=0.2).answer(q, hits).refused


def test_the_second_sentence_is_quoted_when_it_is_probable_enough():
    # a rank model with no preference: each of the two sentences is the answer with probability 0.5
    zero = Logistic(RANK_FEATURES, [0.0] * len(RANK_FEATURES), [0.0] * len(RANK_FEATURES), [1.0] * len(RANK_FEATURES))
    sel = Selector(zero, Selector.default().answer, 0.0, {})
    hits = [hit("青湖公园建于1986年，由园林局设计。湖心岛上的茶室建于1992年，供游人休息。")]
    q = "青湖公园建于哪一年？"
    both = answerer(hits, sel, also_quote=0.4).answer(q, hits)
    assert "1986" in both.answer and "1992" in both.answer, both.answer
    one = answerer(hits, sel, also_quote=0.6).answer(q, hits)
    assert not one.refused and one.answer.count("建于") == 1, one.answer


def test_the_fitting_script_runs_and_its_fitters_learn(tmp_path):
    """eval/fit_selector.py (the one command that refits the bundled weights) imports, answers --help, and its
    two fitters separate an obvious signal."""
    import importlib.util
    import subprocess
    import sys

    import numpy as np

    script = Path(__file__).resolve().parents[2] / "eval" / "fit_selector.py"
    out = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "--rebuild-features" in out.stdout
    spec = importlib.util.spec_from_file_location("fit_selector", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 1))
    X = np.hstack([np.ones((200, 1)), x])
    w, mean, scale = mod.fit_logistic(X, (x[:, 0] > 0).astype(float))
    assert w[1] > 1.0
    groups = [np.hstack([np.ones((5, 1)), rng.normal(size=(5, 1))]) for _ in range(40)]
    labels = [(g[:, 1] == g[:, 1].max()).astype(float) for g in groups]
    w, _, _ = mod.fit_listwise(groups, labels)
    assert w[1] > 1.0
    # a sign prior bounds the weight (here against the signal: it stays at 0)
    w, _, _ = mod.fit_listwise(groups, labels, signs=[0, -1], weights=[1.0] * len(groups))
    assert w[1] <= 0.0


def test_near_miss_features_of_a_candidate():
    from rag.answer.selector import _finer_missing, views

    assert _finer_missing("青湖公园是几月开放的？", "青湖公园于1986年开放。")
    assert not _finer_missing("青湖公园是几月开放的？", "青湖公园于1986年5月开放。")
    assert not _finer_missing("青湖公园是哪一年开放的？", "青湖公园于1986年开放。")
    # a concept no retrieved passage has (票价) counts in absent_share; the topic (青湖公园, in every sentence)
    # weighs less in local coverage than the attribute asked (面积)
    hits = [hit("青湖公园位于城东。青湖公园于1986年开放。青湖公园面积为120公顷。")]
    a = answerer(hits, Selector.default())
    an = a.analyse("青湖公园的面积和票价是多少？")
    cands = a.candidates(an, hits)
    vs = {v.sentence: v for v in views(an, cands, hits)}
    area, place = vs["青湖公园面积为120公顷。"], vs["青湖公园位于城东。"]
    assert area.absent_share > 0 and area.absent_share == place.absent_share
    assert area.local_coverage > place.local_coverage
    an = a.analyse("青湖公园的面积是多少？")  # the asked attribute is what the other sentences miss
    vs = {v.sentence: v for v in views(an, a.candidates(an, hits), hits)}
    assert vs["青湖公园面积为120公顷。"].top_missing < vs["青湖公园于1986年开放。"].top_missing


def test_sentence_coverage_counts_apart_for_passages_under_headings():
    """Under two or more levels of headings (a report, a law) a sentence states its own attribute, so its own
    coverage of the question is a feature of its own; a flat article's passage gives it 0."""
    from rag.answer.selector import rank_features, views

    text = "青湖公园门票收入预计1200万元。青湖公园维护支出安排800万元。"
    flat = hit(text)
    deep = Hit(Chunk("c2", "d1", "年度计划", "年度计划.md", ["年度计划", "二、明年安排"], text, 0, len(text), 1, 1), 1.0)
    a = answerer([flat], Selector.default())
    an = a.analyse("青湖公园门票收入预计多少？")
    i = RANK_FEATURES.index("sent_cov_x_sectioned")
    for h, sectioned in ((flat, False), (deep, True)):
        vs = views(an, a.candidates(an, [h]), [h])
        income = next(v for v in vs if "收入" in v.sentence)
        assert income.sectioned is sectioned
        row = rank_features(an.question, "number", income)
        assert row[i] == (income.sent_coverage if sectioned else 0.0) and (row[i] > 0) is sectioned


def test_asked_coverage_leaves_out_what_the_title_names():
    """The question's concepts its document's title or section path names are the topic, which nearly every
    sentence of the article is about (often by a pronoun); the rest is what is asked about it."""
    from rag.answer.selector import rank_features, views

    h = hit("青湖公园位于城东，是城区最大的公园。它的设计者是园林学家林启明。")
    a = answerer([h], Selector.default())
    an = a.analyse("青湖公园的设计者是谁？")
    vs = {v.sentence: v for v in views(an, a.candidates(an, [h]), [h])}
    lead, designer = vs["青湖公园位于城东，是城区最大的公园。"], vs["它的设计者是园林学家林启明。"]
    assert lead.sent_coverage > 0 and lead.asked_coverage == 0.0  # only the topic
    assert designer.asked_coverage == 1.0  # all that is asked, without naming the park
    assert designer.asked_window == 1.0
    # a rank feature of flat articles only: under two levels of headings the headings scope every sentence
    i = RANK_FEATURES.index("asked_cov")
    assert rank_features(an.question, "person", designer)[i] == 1.0
    designer.sectioned = True
    assert rank_features(an.question, "person", designer)[i] == 0.0
    # a question that names only the topic: all of it is asked (the article's sentences don't score 0)
    an2 = a.analyse("青湖公园是什么？")
    v2 = {v.sentence: v for v in views(an2, a.candidates(an2, [h]), [h])}["青湖公园位于城东，是城区最大的公园。"]
    assert v2.asked_coverage == v2.sent_coverage > 0
    # a title that reads as a sentence (a plain text file's first line) is no topic
    lead = hit(h.chunk.text, title="青湖公园位于城东，是城区最大的公园。")
    lead.chunk.section = []
    v3 = {v.sentence: v for v in views(an, a.candidates(an, [lead]), [lead])}["它的设计者是园林学家林启明。"]
    assert 0.0 < v3.asked_coverage < 1.0  # the park is asked about too, and this sentence doesn't name it
    # under a title that doesn't name the park, the park is asked about too
    other = hit(h.chunk.text, title="城东风光")
    vs = {v.sentence: v for v in views(an, a.candidates(an, [other]), [other])}
    assert 0.0 < vs["青湖公园位于城东，是城区最大的公园。"].asked_coverage < 1.0


def _topic_selector(p_topic: float, floors: dict) -> Selector:
    """The bundled rank and answer models with a hand-made topic model that always says ``p_topic``."""
    import math

    w = [0.0] * len(TOPIC_FEATURES)
    w[0] = math.log(p_topic / (1 - p_topic))
    topic = Logistic(TOPIC_FEATURES, w, [0.0] * len(TOPIC_FEATURES), [1.0] * len(TOPIC_FEATURES))
    base = Selector.default()
    return Selector(base.rank, base.answer, 0.0, {}, topic, floors)


def test_the_topic_model_refuses_per_language_whatever_the_answer_threshold():
    hits = [hit("青湖公园建于1986年，由园林局设计。")]
    # the topic probability 0.3 is under the Chinese floor and over the English one
    sel = _topic_selector(0.3, {"zh": 0.5, "en": 0.1})
    zh = answerer(hits, sel, min_confidence=0.0).answer("青湖公园建于哪一年？", hits)
    assert zh.refused and zh.refusal_reason["kind"], zh.answer
    assert not answerer(hits, sel, min_confidence=0.0).answer("When was the park built?", hits).refused
    # a floor under the probability answers; a language with no floor is not refused as off-topic
    assert not answerer(hits, _topic_selector(0.3, {"zh": 0.2}), min_confidence=0.0).answer("青湖公园建于哪一年？", hits).refused
    assert not answerer(hits, _topic_selector(0.3, {"zh": 0.5}), min_confidence=0.0).answer("When was the park built?", hits).refused
    # the confidence of a topic refusal is no higher than the topic probability
    assert zh.confidence is not None and zh.confidence <= 0.3 + 1e-9


def test_an_off_topic_question_says_what_the_documents_never_mention():
    # the fitted topic model refuses a question about what a small text never mentions, and the reason shown
    # names the words no document has (the corpus-absence share is one of its features, not a rule of its own)
    hits = [hit("青湖公园建于1986年，由园林局设计。公园面积为120公顷，湖面占一半。")]
    a = answerer(hits, Selector.default(), min_confidence=0.0)
    ans = a.answer("火星探测器的着陆时间是哪一天？", hits)
    assert ans.refused and ans.refusal_reason["kind"] == "absent" and "火星" in ans.answer, ans.answer
    assert not a.answer("青湖公园的面积有多大？", hits).refused


def test_a_selector_without_a_topic_model_keeps_the_absence_gate():
    # weights fitted before the topic model (or a custom file without one): most of the question in no
    # document still refuses, whatever the answer model says
    base = Selector.default()
    old = Selector(base.rank, base.answer, 0.0, {})
    hits = [hit("青湖公园建于1986年，面积120公顷。")]
    ans = answerer(hits, old, min_confidence=0.0).answer("火星探测器的着陆时间是哪一天？", hits)
    assert ans.refused and ans.refusal_reason["kind"] == "absent", ans.answer
    assert not answerer(hits, old, min_confidence=0.0).answer("青湖公园建于哪一年？", hits).refused


def test_a_language_without_a_fitted_floor_is_not_refused_as_off_topic():
    sel = _topic_selector(0.3, {"zh": 0.5})
    assert sel.topic_floor("en") == 0.0 and sel.topic_floor("zh") == 0.5


def test_the_topic_model_reads_the_searchs_dense_spread_else_the_fitted_stand_in(monkeypatch):
    """The hits' dense spread (how the closest chunk stands out of the dense ranking) reaches the topic model;
    without one (a tiny corpus, keyword-only search) the language's fitted stand-in does, not the training mean
    of all rows (for an English question a third of a typical value)."""
    import rag.answer.extractive as extractive

    seen = []
    real = extractive.topic_row

    def spy(*args):
        seen.append(args[4])
        return real(*args)

    monkeypatch.setattr(extractive, "topic_row", spy)
    base = Selector.default()
    assert set(base.spread_fill) == {"zh", "en"} and all(len(v) == 3 for v in base.spread_fill.values())
    h = hit("青湖公园建于1986年，由园林局设计。")
    h.extras["dense_spread"] = (0.1, 0.2, 0.3)
    bare = hit("青湖公园建于1986年，由园林局设计。")
    a = answerer([h], base, min_confidence=0.0)
    a.answer("青湖公园建于哪一年？", [h])
    a.answer("青湖公园建于哪一年？", [bare])
    a.answer("When was the park built?", [bare])
    assert seen == [(0.1, 0.2, 0.3), tuple(base.spread_fill["zh"]), tuple(base.spread_fill["en"])]
    assert Selector(base.rank, base.answer, 0.0, {}, base.topic, {}).spread([bare], "en") is None


def test_selector_weights_keep_the_spread_stand_in(tmp_path):
    base = Selector.default()
    base.save(tmp_path / "s.json")
    again = Selector.load(tmp_path / "s.json")
    assert again.spread_fill == base.spread_fill and again.min_topic == base.min_topic

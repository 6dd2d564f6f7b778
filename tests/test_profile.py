"""Domain profiles: loading, extending, errors, and the profile an index is built and read with."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.answer.analysis import analyse
from rag.answer.corpus import CorpusStats
from rag.answer.extractive import OfflineAnswerer
from rag.answer.rewrite import rewrite
from rag.config import Config
from rag.profile import ProfileError, bundled_profiles, index_profile, load_profile
from rag.types import Chunk, Hit


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_profiles():
    assert {"general", "gov-report"} <= set(bundled_profiles())
    g = load_profile("general")
    assert g.name == "general" and not g.scopes and not g.glossary() and not g.question_words and not g.home_words
    gov = load_profile("gov-report")
    assert [(s.wide, s.narrow, s.prefer) for s in gov.scopes] == [("全市", "市级", "wide")]
    assert {"政府", "报告", "预算", "草案", "我市"} <= gov.question_words
    assert {"重庆", "重庆市", "chongqing"} <= gov.home_words
    assert gov.report_label("关于2023年预算执行情况和2024年预算草案的报告") == "budget report"
    assert ("general public budget revenue", "一般公共预算收入") in gov.glossary()
    assert load_profile("gov-report") is gov  # cached
    assert len(gov.sha256) == 64 and gov.record() == {"name": "gov-report", "sha256": gov.sha256}


def test_a_user_profile_extends_a_bundled_one(tmp_path):
    write(tmp_path / "extra.tsv", "# mine\nwater plant\t水厂,自来水厂\n")
    p = load_profile(write(tmp_path / "water.toml", """
extends = "gov-report"
description = "Qinghu district water reports"
home_words = ["青湖区", "qinghu"]
question_words = ["水务"]
glossary = ["extra.tsv"]
report_kinds = { "年报" = "annual report" }
[glossary_entries]
"sewage treatment rate" = ["污水处理率"]
"pipe network" = "管网,管道"
[[scopes]]
wide = "全区"
narrow = "区级"
wide_en = ["district-wide"]
narrow_en = ["district-level"]
"""))
    assert p.name == str((tmp_path / "water.toml").resolve())
    assert {"重庆", "青湖区", "qinghu"} <= p.home_words and {"预算", "水务"} <= p.question_words
    gloss = p.glossary()
    assert ("water plant", "自来水厂") in gloss and ("pipe network", "管道") in gloss
    assert ("sewage treatment rate", "污水处理率") in gloss and ("budget", "预算") in gloss  # the parent's too
    assert [(s.wide, s.prefer) for s in p.scopes] == [("全市", "wide"), ("全区", "")]
    assert p.report_label("青湖区水务年报") == "annual report" and p.report_label("2024年预算") == "budget report"
    # a changed file is a changed profile
    before = p.sha256
    write(tmp_path / "extra.tsv", "water plant\t水厂\n")
    assert load_profile(tmp_path / "water.toml").sha256 != before


@pytest.mark.parametrize("text, message", [
    ('question_wordz = ["x"]', "unknown key 'question_wordz'"),
    ('question_words = "政府"', "question_words: expected a list of non-empty strings"),
    ('extends = "no-such-profile"', "unknown profile 'no-such-profile'"),
    ('glossary = ["missing.tsv"]', "glossary: file not found: missing.tsv"),
    ('[[scopes]]\nwide = "全市"', "each scope needs 'narrow'"),
    ('[[scopes]]\nwide = "全市"\nnarrow = "市级"\nprefer = "both"', "prefer: expected"),
    ('[[scopes]]\nwide = "全市"\nnarrow = "市级"\ncolour = "red"', "unknown key 'colour'"),
    ("report_kinds = [\"预算\"]", "report_kinds: expected a table"),
    ("this is not toml", "invalid TOML"),
    ('[synonyms]\n"老板" = 3', "synonyms: '老板': expected a Chinese term or a list of them"),
    ('[synonyms]\n"老板" = []', "synonyms: '老板': expected a Chinese term or a list of them"),
    ('synonyms = ["老板"]', "synonyms: expected a table"),
])
def test_bad_profiles_are_one_line_errors(tmp_path, text, message):
    path = write(tmp_path / "bad.toml", text + "\n")
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_unknown_names_and_loops(tmp_path):
    with pytest.raises(ProfileError, match="unknown profile 'gov'.*general, gov-report"):
        load_profile("gov")
    with pytest.raises(ProfileError, match="profile file not found"):
        load_profile(tmp_path / "nope.toml")
    write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ProfileError, match="loops"):
        load_profile(tmp_path / "a.toml")


def test_config_and_cli_take_a_profile(tmp_path):
    from rag.cli import build_parser, load_config

    assert Config().profile == ""  # the index's own; general for a new index
    assert Config.load(env={"RAG_PROFILE": "gov-report"}).profile == "gov-report"
    for cmd in (["ask", "q"], ["search", "q"], ["chat"], ["index", "x"], ["eval", "s.jsonl"], ["serve"]):
        args = build_parser().parse_args(cmd + ["--profile", "gov-report"])
        assert load_config(args).profile == "gov-report"


def test_which_profile_an_index_is_read_with(tmp_path):
    from rag.config import SAMPLE_CORPUS

    recorded = {"profile": {"name": "gov-report", "sha256": "x"}, "sources": ["/docs"]}
    assert index_profile(recorded).name == "gov-report"
    assert index_profile(recorded, "general").name == "general"  # given explicitly: wins
    assert index_profile({"sources": ["/docs"]}).name == "general"
    assert index_profile({"sources": [str(SAMPLE_CORPUS)]}).name == "gov-report"  # the bundled sample
    with pytest.raises(ProfileError, match="built with profile"):
        index_profile({"profile": {"name": str(tmp_path / "gone.toml")}})


def test_a_profiles_scope_pairs_drive_the_answerer(tmp_path):
    """Scope logic is generic: a province's 全省/省级 pair works like gov-report's 全市/市级."""
    prov = load_profile(write(tmp_path / "prov.toml", """
[[scopes]]
wide = "全省"
narrow = "省级"
wide_en = ["province-wide"]
narrow_en = ["provincial-level", "provincial"]
prefer = "wide"
"""))
    text = "全省一般公共预算收入3500亿元，增长5%。省级一般公共预算收入900亿元，增长3%。"
    h = Hit(Chunk("c", "d", "某省预算报告", "p.txt", ["某省预算报告"], text, 0, len(text), 1, 1), 1.0)
    store = SimpleNamespace(chunks=[h.chunk], bridge={"general public budget revenu": ["一般公共预算收入"]}, manifest={})
    ans = OfflineAnswerer(CorpusStats.of(store), 0.5, profile=prov)
    assert "3500亿元" in ans.answer("一般公共预算收入是多少？", [h]).answer  # unscoped: the preferred side
    assert "900亿元" in ans.answer("省级一般公共预算收入是多少？", [h]).answer
    en = ans.answer("What was provincial-level general public budget revenue?", [h])
    assert "900亿元" in en.answer and "3500" not in en.answer
    assert analyse("不是全省，省级收入是多少？", lambda s: 1.0, {}, profile=prov).scope == "省级"
    assert rewrite("那省级呢？", [("全省一般公共预算收入是多少？", "...")], prov).startswith("省级一般公共预算收入")
    assert rewrite("and provincial?", [("What was province-wide revenue?", "...")], prov).startswith(
        "What was provincial-level revenue?")
    # the general profile knows no scopes: the same questions are plain word matches
    assert analyse("省级一般公共预算收入是多少？", lambda s: 1.0, {}).scope is None
    assert rewrite("那省级呢？", [("全省一般公共预算收入是多少？", "...")]) == "全省一般公共预算收入是多少？ 省级"


SMALL_DOC = "青湖区水务年报\n\n一、供水\n青湖区2024年新建水厂3座，日供水能力达到45万吨。\n"


def test_an_index_records_its_profile_and_is_read_with_it(tmp_path):
    """The manifest records {name, sha256}; the keyword bridge holds the profile's glossary; a later
    search uses the recorded profile unless one is given; incremental runs keep it."""
    from rag.indexer import build_index
    from rag.retrieve import Retriever
    from rag.store import Store

    doc = write(tmp_path / "water.txt", SMALL_DOC)
    prof = write(tmp_path / "water.toml", 'home_words = ["青湖区", "qinghu"]\n[glossary_entries]\n'
                                          '"drinking water works" = "水厂"\n')
    cfg = Config(index_dir=tmp_path / "indexes", index_name="w", profile=str(prof))
    build_index([doc], cfg, progress=False)
    manifest = Store.read_manifest(cfg.index_path)
    p = load_profile(prof)
    assert manifest["profile"] == {"name": str(prof.resolve()), "sha256": p.sha256}
    r = Retriever.open(cfg.replace(profile=""))  # no profile given: the recorded one
    assert r.profile is p
    assert "水厂" in r.store.bridge["drink water work"]
    q = r.prepare("How many drinking water works did Qinghu build?")
    assert "水厂" in q.tokens and "qinghu" not in q.gloss_tokens  # a home word names nothing
    assert Retriever.open(cfg.replace(profile="general")).profile.name == "general"  # given: wins
    # an incremental run without --profile keeps the index's profile
    build_index([write(tmp_path / "more.txt", "二、排水\n新建管网120公里。\n")], cfg.replace(profile=""), progress=False)
    assert Store.read_manifest(cfg.index_path)["profile"]["name"] == str(prof.resolve())
    # an edited profile: the next run re-keys the index (new checksum, new glossary), nothing else changed
    write(prof, prof.read_text(encoding="utf-8") + '"sewage pipe network" = "管网"\n')
    summary = build_index([], cfg.replace(profile=""), progress=False)
    assert not summary.up_to_date and summary.embedded == 0
    assert Store.read_manifest(cfg.index_path)["profile"]["sha256"] == load_profile(prof).sha256
    assert Retriever.open(cfg).store.bridge["sewag pipe network"] == ["管网"]
    # a new index built without a profile is general, and its bridge has no curated glossary
    g = Config(index_dir=tmp_path / "indexes", index_name="g")
    build_index([doc], g, progress=False)
    assert Store.read_manifest(g.index_path)["profile"]["name"] == "general"
    assert "drink water work" not in Retriever.open(g).store.bridge


def test_synonyms_let_a_questions_everyday_word_reach_the_documents_term(tmp_path):
    """A profile's ``synonyms``: the keyword search looks for the documents' term too, the answerer counts
    either as the concept, an extending profile adds to its parent's; the bundled ``law`` profile has them."""
    from rag.indexer import build_index
    from rag.retrieve import Retriever

    law = load_profile("law")
    assert ("老板", ("用人单位", "雇主")) in law.synonyms and ("employer", "用人单位") in law.glossary()
    mine = load_profile(write(tmp_path / "mine.toml", 'extends = "law"\n[synonyms]\n"老板" = "东家"\n"物业" = "物业服务人"\n'))
    assert dict(mine.synonyms)["老板"] == ("用人单位", "雇主", "东家") and dict(mine.synonyms)["物业"] == ("物业服务人",)
    doc = write(tmp_path / "law.txt", "劳动法\n\n第一章 工资\n第五条 用人单位应当按月足额支付劳动报酬。\n\n"
                                      "第二章 休假\n第九条 劳动者享受带薪年休假。\n\n第三章 安全\n第十二条 生产设备应当定期检修。\n")
    plain = Config(index_dir=tmp_path / "idx", index_name="plain")
    build_index([doc], plain, progress=False)
    q = "老板多久发一次工资？"
    assert "用人单位" not in Retriever.open(plain).prepare(q).tokens
    r = Retriever.open(plain.replace(profile="law"))
    assert "用人单位" in r.prepare(q).tokens and "劳动报酬" in r.prepare(q).tokens
    a = analyse(q, lambda s: 1.0, {}, profile=law)
    assert ("老板", "用人单位", "雇主") in [c.forms for c in a.concepts]
    assert any("按月足额支付" in h.chunk.text for h in r.search(q, k=2))


def test_a_not_a_questions_and_what_to_do_name_nothing():
    """能不能, 要不要, 有没有, 可不可以 ask yes or no, 怎么办 what to do: none of them is a concept the passages
    should hold (a statute never says 怎么办)."""
    forms = [c.forms for c in analyse("公司能不能扣我押金？有没有时间限制？欠薪怎么办？", lambda s: 1.0, {}).concepts]
    assert forms == [("公司",), ("押金",), ("时间",), ("限制",), ("欠薪",)]
    assert [c.forms for c in analyse("可不可以不签合同？", lambda s: 1.0, {}).concepts] == [("签合同",)]


def test_synonyms_match_words_not_pieces_of_words():
    """走人 in 行人走人行道 cuts 人行道, 过期 in 超过期限 cuts 期限: no synonym, in the keyword search or the analysis;
    a Latin key is a whole word (app, not the app of "appeal")."""
    from rag.retrieve import Retriever

    law = load_profile("law")
    assert law.synonyms_in("行人走人行道有什么规定？") == []
    assert [w for w, _, _ in law.synonyms_in("劳动仲裁超过期限了还能申请吗？")] == ["仲裁"]  # no 过期
    assert law.synonyms_in("Can I appeal the decision?") == [] and law.synonyms_in("The APP took my data")[0][0] == "app"
    a = analyse("Can I appeal the decision of the arbitration?", lambda s: 1.0, {}, profile=law)
    assert not any("个人信息处理者" in c.forms for c in a.concepts)
    r = Retriever.__new__(Retriever)  # prepare() reads only the profile, the config and the bridge
    r.profile, r.cfg = law, Config()
    r.store = SimpleNamespace(bridge={})
    assert "劳动合同" not in r.prepare("行人走人行道有什么规定？").tokens
    assert "用人单位" in r.prepare("老板不发工资").tokens


def test_a_not_a_is_no_piece_of_a_word():
    forms = [c.forms for c in analyse("公司单方面变更合同不同意怎么办？", lambda s: 1.0, {}).concepts]
    assert ("合同",) in forms and ("同意",) in forms
    assert [(c.forms, c.span) for c in analyse("能不能不能", lambda s: 1.0, {}).concepts] == [(("不能",), ("zh", 3, 5))]

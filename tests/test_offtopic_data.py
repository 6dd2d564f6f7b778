"""The off-topic question sets (eval/offtopic/, written by eval/make_offtopic.py) are up to date and keep each
source question's split, so no question is fitted on as answerable in one split and reported as off-topic in
another."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from rag.evaluation.dataset import parse_record, split_of

ROOT = Path(__file__).resolve().parents[1]


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_off_topic_questions_keep_their_source_split():
    spec = importlib.util.spec_from_file_location("make_offtopic", ROOT / "eval" / "make_offtopic.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not all(f.exists() for files, _, _ in mod.SOURCES.values() for f in files):
        pytest.skip("the public question sets (../shared/ext) are not beside the project")
    source_split = {}
    for files, by, _ in mod.SOURCES.values():
        for f in files:
            for rec in _load(f):
                if str(rec.get("question", "")).strip():
                    source_split[rec["id"]] = split_of(parse_record(rec), by)
    for target in mod.TARGETS:
        recs = _load(mod.OUT / f"{target}.jsonl")
        assert recs == mod.records(target), f"eval/offtopic/{target}.jsonl is stale: run eval/make_offtopic.py"
        for rec in recs:
            assert not rec["answer_facts"] and split_of(parse_record(rec)) == source_split[rec["id"]], rec["id"]

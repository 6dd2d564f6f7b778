"""Settings: each declared once (group, help, flag), flags generated from the declaration, TOML in flat
[rag] keys or [rag.<group>] tables, precedence defaults < TOML < env < flags."""

from __future__ import annotations

import argparse

import pytest

from rag.cli import build_parser, load_config
from rag.config import GROUPS, Config, ConfigError, add_flags, settings


def test_every_setting_is_declared_with_a_stage_and_help():
    names = [f.name for f in settings()]
    assert len(names) == len(set(names)) and len(names) > 30
    for f in settings():
        assert f.metadata["group"] in GROUPS and len(f.metadata["help"]) > 10, f.name
    assert {f.metadata["group"] for f in settings()} == set(GROUPS)


def test_generated_flags_carry_type_choices_default_and_env():
    p = argparse.ArgumentParser()
    add_flags(p, "max_file_mb", "fusion", "bridge")
    a = p.parse_args(["--max-file-mb", "2.5", "--fusion", "zscore", "--bridge"])
    assert (a.max_file_mb, a.fusion, a.bridge) == (2.5, "zscore", True)
    with pytest.raises(SystemExit):
        p.parse_args(["--fusion", "max"])
    text = p.format_help()
    assert "default: 50.0" in text and "RAG_MAX_FILE_MB" in text


def test_flags_reach_the_config_and_beat_env_and_toml(tmp_path, monkeypatch):
    toml = tmp_path / "s.toml"
    toml.write_text('[rag.retrieval]\ntop_k = 7\nrrf_k = 20\n[rag]\nthreads = 1\n', encoding="utf-8")
    monkeypatch.setenv("RAG_RRF_K", "30")
    args = build_parser().parse_args(["search", "q", "--config", str(toml), "-k", "3", "--threads", "2"])
    cfg = load_config(args)
    assert (cfg.top_k, cfg.rrf_k, cfg.threads) == (3, 30, 2)
    args = build_parser().parse_args(["ask", "q", "--config", str(toml), "--selector", "rules", "--fallback"])
    cfg = load_config(args)
    assert (cfg.top_k, cfg.answer_selector, cfg.llm_fallback) == (7, "rules", True)


def test_unknown_settings_are_one_line_errors(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text("[rag.retrieval]\ntop_kk = 7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting: top_kk"):
        Config.load(toml_path=toml, env={})

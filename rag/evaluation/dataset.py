"""Question sets in the ``eval/dev.jsonl`` schema; malformed lines are reported with their line number.

>>> qs, errs = parse_lines(['{"id": "q1", "lang": "zh", "question": "多少？", "answer_facts": ["1个"], "gold_quote": "有1个"}', "{oops"])
>>> qs[0].quotes, errs[0].line
(['有1个'], 2)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


@dataclass
class Question:
    id: str
    lang: str
    question: str
    answer_facts: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    report: str = ""
    type: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.quotes) or bool(self.answer_facts)


@dataclass
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def _strings(value, name: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v]
    raise ValueError(f"'{name}' must be a string or a list of strings")


def parse_record(obj) -> Question:
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    for key in ("id", "question"):
        if not isinstance(obj.get(key), (str, int)) or not str(obj.get(key)).strip():
            raise ValueError(f"missing or empty '{key}'")
    lang = obj.get("lang", "")
    if lang not in ("zh", "en", ""):
        raise ValueError(f"'lang' must be 'zh' or 'en', got {lang!r}")
    return Question(
        id=str(obj["id"]),
        lang=lang or "",
        question=str(obj["question"]).strip(),
        answer_facts=_strings(obj.get("answer_facts"), "answer_facts"),
        quotes=_strings(obj.get("gold_quote"), "gold_quote"),
        report=str(obj.get("report", "") or ""),
        type=str(obj.get("type", "") or "") or ("unanswerable" if not obj.get("gold_quote") else ""),
    )


def parse_lines(lines: Iterable[str]) -> tuple[list[Question], list[LineError]]:
    questions: list[Question] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = parse_record(json.loads(line))
            if q.id in seen:
                raise ValueError(f"duplicate id {q.id!r}")
            seen.add(q.id)
            questions.append(q)
        except json.JSONDecodeError as exc:
            errors.append(LineError(no, f"invalid JSON ({exc.msg})"))
        except ValueError as exc:
            errors.append(LineError(no, str(exc)))
    return questions, errors


class QuestionFileError(ValueError):
    """A question file that can't be read: missing, a folder, not UTF-8 (one line naming the file)."""


def load_questions(path: str | Path) -> tuple[list[Question], list[LineError]]:
    """Parse a JSONL question file; raises :class:`QuestionFileError` when it can't be read at all."""
    path = Path(path)
    if path.is_dir():
        raise QuestionFileError(f"{path} is a folder, not a question file (give a .jsonl file)")
    if not path.is_file():
        raise QuestionFileError(f"question file not found: {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QuestionFileError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise QuestionFileError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                                "save it as UTF-8") from None
    return parse_lines(text.splitlines())

"""The package's shape: imports go one way (no cycle, counting imports inside functions), no module imports
another's ``_private`` names, and no word of the bundled sample corpus is in the package's code (knowledge
of a kind of document is data: rag/profiles/*.toml)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

RAG = Path(__file__).resolve().parents[1] / "rag"
# the sample gazette's place names and its scope pair (the pair is data of the gov-report profile)
CORPUS_WORDS = re.compile(r"重庆|chongqing|渝东|渝西|两江新区|成渝|全市|市级", re.I)


def modules() -> dict[str, Path]:
    out = {}
    for f in RAG.rglob("*.py"):
        name = ".".join(f.relative_to(RAG.parent).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = f
    return out


def import_graph(mods: dict[str, Path]) -> tuple[dict[str, set[str]], list[str]]:
    """module -> the package modules it imports (anywhere in it); and every ``_private`` name imported
    from another module."""
    edges: dict[str, set[str]] = {m: set() for m in mods}
    private: list[str] = []
    for m, f in mods.items():
        pkg = m if f.name == "__init__.py" else m.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            targets: list[tuple[str, str | None]] = []
            if isinstance(node, ast.Import):
                targets = [(a.name, None) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append((sub, None) if sub in mods else (base, a.name))
            for target, name in targets:
                while target and target not in mods and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in mods and target != m:
                    edges[m].add(target)
                    if name and name.startswith("_") and not name.startswith("__"):
                        private.append(f"{m} imports {target}.{name}")
    return edges, private


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (a package importing its own submodules,
    ``rag`` -> ``rag.x``, is no layering cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comp.sort()
            if len(comp) > 1 and not all(a == comp[0] or a.startswith(comp[0] + ".") for a in comp):
                found.append(comp)

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_and_no_private_import():
    edges, private = import_graph(modules())
    assert len(edges) > 40
    assert cycles(edges) == []
    assert private == []


def test_the_checks_catch_a_cycle_and_a_private_import():
    edges = {"rag.a": {"rag.b"}, "rag.b": {"rag.c"}, "rag.c": {"rag.a"}, "rag": {"rag.a"}, "rag.d": set()}
    assert cycles(edges) == [["rag.a", "rag.b", "rag.c"]]
    assert cycles({"rag": {"rag.x"}, "rag.x": {"rag"}}) == []  # a package and its own submodule


def test_layers_go_one_way():
    """Lower stages never import the shells or the pipeline above them."""
    edges, _ = import_graph(modules())
    shells = ("rag.cli", "rag.commands", "rag.ui", "rag.api", "rag.evaluation", "rag.integrations")
    lower = ("rag.types", "rag.config", "rag.errors", "rag.lexicon", "rag.load", "rag.repair", "rag.chunk",
             "rag.embed", "rag.store", "rag.backends", "rag.indexer", "rag.retrieve", "rag.answer",
             "rag.assistant", "rag.sentences", "rag.bridge", "rag.tokenize", "rag.profile", "rag.headings")
    wrong = [f"{m} -> {t}" for m, ts in edges.items() if m.startswith(lower) for t in ts if t.startswith(shells)]
    assert wrong == []
    base = ("rag.types", "rag.config", "rag.errors")
    assert [f"{m} -> {t}" for m in base for t in edges[m] if not t.startswith(base)] == []


def corpus_words_in_code() -> list[str]:
    hits = []
    for f in sorted(RAG.rglob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        docs = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    docs.add(id(first.value))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                hits += [f"{f.relative_to(RAG.parent)}:{node.lineno}: {m.group(0)}"
                         for m in CORPUS_WORDS.finditer(node.value)]
    return hits


def test_no_word_of_the_sample_corpus_in_code():
    """Docstrings may show the sample in examples; code may not depend on it."""
    assert corpus_words_in_code() == []

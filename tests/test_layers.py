"""macros/ is split by layer: model, rules, outputs, adapters. A layer imports only from layers before
it, and only the adapters know the site generator, so a move to another generator is one adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

LAYERS = ["model", "rules", "outputs", "adapters"]
GENERATORS = ("mkdocs", "properdocs", "material", "zensical")


def imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; name the layer (from macros.<layer>.<module>)"
            names.append(node.module or "")
    return names


MODULES = sorted((ROOT / "macros").glob("*/*.py"))


def test_every_module_is_in_a_layer():
    assert {path.parent.name for path in MODULES} == set(LAYERS)
    assert sorted(path.name for path in (ROOT / "macros").glob("*.py")) == ["__init__.py", "__main__.py"]


def test_the_command_entry_only_hands_over_to_the_command_line():
    assert set(imports(ROOT / "macros" / "__main__.py")) == {"sys", "macros.adapters.cli"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_layer_imports_only_from_the_layers_before_it(path):
    layer = LAYERS.index(path.parent.name)
    for name in imports(path):
        parts = name.split(".")
        if parts[0] == "macros" and len(parts) > 1:
            assert LAYERS.index(parts[1]) <= layer, f"{path.relative_to(ROOT)} imports {name}"
        if parts[0] in GENERATORS:
            assert path.parent.name == "adapters", f"{path.relative_to(ROOT)} imports {name}"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def import_graph() -> dict[str, set[str]]:
    """Which portal modules each portal module imports (anywhere in it, inside functions too)."""
    known = {module_name(path) for path in MODULES}
    graph = {}
    for path in MODULES:
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[module_name(path)] = {name for name in found if name in known} - {module_name(path)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every module that can reach itself again, with the way round."""
    found = []
    for start in sorted(graph):
        way, seen = {start: [start]}, [start]
        while seen:
            module = seen.pop()
            for name in sorted(graph[module]):
                if name == start:
                    found.append(way[module] + [start])
                    seen = []
                    break
                if name not in way:
                    way[name] = way[module] + [name]
                    seen.append(name)
    return found


def test_no_module_imports_itself_round_a_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"], ["b", "c", "a", "b"], ["c", "a", "b", "c"]]


def test_the_build_pipeline_knows_nothing_of_the_site_generator():
    names = imports(ROOT / "macros" / "adapters" / "pipeline.py")
    assert not [name for name in names if name.split(".")[0] in GENERATORS]

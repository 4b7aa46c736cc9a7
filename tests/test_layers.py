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

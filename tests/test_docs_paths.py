"""The README and the site's guide name files that exist, and the guide lists every fact a report may cite."""

from __future__ import annotations

import re

import pytest

from macros.model import facts
from tests.support import ROOT

DOCS = ["README.md", "docs/guide.md"]
ROOTED = ("data", "macros", "docs", "overrides", "bench", "tests", ".ci", ".githooks")
GENERATED = ("site/", "site-local/", "pagefind/", ".git/", ".cache/", ".bench-venvs/", ".venv/", "dist/", "requirements/wheels/", "tests/browser/node_modules/")
SKIPPED_DIRS = {".git", ".venv", "site", "__pycache__", ".pytest_cache", ".cache"}


def project_paths() -> set[str]:
    paths = set()
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if not SKIPPED_DIRS & set(relative.parts):
            paths.add(relative.as_posix() + ("/" if path.is_dir() else ""))
    return paths


def mentions(text: str) -> list[str]:
    """Every file or folder named in `code` spans: a word with a slash or a file extension.

    Placeholders (<id>), addresses and what a build or git creates (site/, .git/) are left out.
    """
    found = []
    for span in re.findall(r"`([^`\n]+)`", text):
        for word in span.split():
            word = re.sub(r"^(\.\./)+", "", word.strip("（），。；："))
            if "<" in word or "*" in word or "://" in word or word.startswith(GENERATED) or "=" in word:
                continue
            if "/" in word or re.fullmatch(r"[\w.-]+\.(?:yml|yaml|py|md|html|css|js|json|txt)", word):
                found.append(word)
    return found


def new_file_names(text: str) -> set[str]:
    """Ids a text gives to a file it tells the reader to create (make new ID=...)."""
    return {f"{name}.yml" for name in re.findall(r"ID=([\w-]+)", text)}


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_a_document_names_exists(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    paths = project_paths()
    new = new_file_names(text)
    missing = []
    for token in mentions(text):
        if token.split("/")[0] in ROOTED or token.startswith(".pre-commit"):
            exists = (ROOT / token).exists()
        else:
            exists = token in new or any(path == token or path.endswith("/" + token.rstrip("/")) or path.endswith("/" + token) for path in paths)
        if not exists:
            missing.append(token)
    assert not missing, f"{doc} names files that do not exist: {missing}"


def test_the_check_catches_a_file_that_does_not_exist():
    text = "复制 `data/meetings/2022-township-party-committee.yml`，或 `2022-township-party-committee.yml`，见 `docs/nothing.md` 和 GB/T 9704"
    tokens = mentions(text)
    assert tokens == ["data/meetings/2022-township-party-committee.yml", "2022-township-party-committee.yml", "docs/nothing.md"]
    assert not any((ROOT / token).exists() for token in tokens)
    assert not any(path.endswith("/2022-township-party-committee.yml") for path in project_paths())


def test_the_guide_lists_every_fact_a_report_may_cite():
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    assert [name for name in facts.CATALOGUE if f"`{name}`" not in guide] == []

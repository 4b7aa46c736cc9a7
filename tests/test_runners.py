"""How the portal is run: the runner chosen in one place, ProperDocs building the very same site as
MkDocs, and `make serve` on a busy port."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import zipfile
from pathlib import Path

import pytest

from macros.adapters import cli, runner
from tests.support import START_METHOD, copy_project

GENERATOR = re.compile(rb'<meta name="generator" content="([^"]*)">')


def build_with(name: str, project: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        runner.build_command(project / "mkdocs.yml", site, runner=name),
        cwd=project, capture_output=True, text=True, env=runner.environment({"PATH": "/usr/bin:/bin", "PORTAL_TODAY": "2023-01-03", **START_METHOD}),
    )


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site by path; the generator's name is blanked and a Word copy is read
    member by member (a .docx is a zip, whose headers carry the time it was written)."""
    files = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        content = path.read_bytes()
        if path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(content)) as docx:
                content = b"".join(name.encode() + docx.read(name) for name in sorted(docx.namelist()))
        elif path.suffix == ".html":
            content = GENERATOR.sub(b"", content)
        files[path.relative_to(site).as_posix()] = content
    return files


@pytest.mark.skipif(not runner.installed("properdocs"), reason="ProperDocs is not installed (pip install -r requirements/build.txt)")
def test_properdocs_builds_the_same_site_as_mkdocs(tmp_path):
    project = copy_project(tmp_path / "project")
    sites = {}
    for name in ("mkdocs", "properdocs"):
        result = build_with(name, project, tmp_path / name)
        assert result.returncode == 0, result.stderr
        home = (tmp_path / name / "index.html").read_bytes()
        assert name.encode() in GENERATOR.search(home).group(1).lower(), f"the {name} build was not made by {name}"
        sites[name] = site_files(tmp_path / name)
    assert sites["mkdocs"].keys() == sites["properdocs"].keys()
    different = [path for path in sites["mkdocs"] if sites["mkdocs"][path] != sites["properdocs"][path]]
    assert different == []
    assert any(path.endswith("report/index.html") for path in sites["mkdocs"])


def test_runner_is_chosen_by_portal_runner(monkeypatch):
    monkeypatch.delenv("PORTAL_RUNNER", raising=False)
    assert runner.command("build")[1:] == ["-m", "mkdocs", "build"]
    monkeypatch.setenv("PORTAL_RUNNER", "properdocs")
    assert runner.command("build")[1:] == ["-m", "properdocs", "build"]


def test_unknown_runner_is_one_chinese_line(monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_RUNNER", "zensical")
    assert cli.main(["build"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "不认识的生成程序“zensical”。RUNNER 只能是 mkdocs 或 properdocs，例如：make build RUNNER=properdocs"


def test_a_busy_port_is_one_chinese_line_naming_the_option(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.serve(port) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"端口 {port} 已被占用" in err and f"make serve PORT={port + 1}" in err


def test_a_busy_port_names_the_option_as_the_command_was_typed(capsys, monkeypatch):
    # Without make (Windows' portal.cmd, or python -m macros) the hint cannot say PORT=.
    monkeypatch.setattr(cli, "_HOW", cli._HOW)  # main sets it: put it back after the test
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)], prog="python -m macros") == 2
    err = capsys.readouterr().err
    assert f"端口 {port} 已被占用" in err and f"python -m macros serve --port {port + 1}" in err
    assert "make" not in err

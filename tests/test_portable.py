"""The portal on a system that is not Linux: ``python -m macros <command>`` without make, with no
``fcntl``, no ``fork`` and no links, as on Windows; and the Windows paths of locking and publishing.

There is no Windows machine here. What Windows lacks is taken away from Linux instead: a
``sitecustomize`` loaded first by every Python process of a test run makes ``import fcntl`` fail,
``os.fork`` and the ``fork``/``forkserver`` start methods unavailable (``spawn`` is the default, as on
Windows) and ``os.symlink`` refuse, as it does for a Windows user who is not an administrator.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from macros.adapters import cli, publishing
from tests.support import ROOT, copy_project

SIMULATED_WINDOWS = '''
"""What Windows lacks, taken away from this Linux Python (tests/test_portable.py)."""
import os
import sys

sys.modules["fcntl"] = None


def _no_fork(*args, **kwargs):
    raise OSError("os.fork is not available on this system")


def _no_symlink(*args, **kwargs):
    raise OSError(1314, "A required privilege is not held by the client")


os.fork = _no_fork
os.symlink = _no_symlink
import multiprocessing
import multiprocessing.context

for _method in ("fork", "forkserver"):
    multiprocessing.context._concrete_contexts.pop(_method, None)
multiprocessing.set_start_method("spawn", force=True)
multiprocessing.context.DefaultContext.get_all_start_methods = lambda self: ["spawn"]
multiprocessing.get_all_start_methods = lambda: ["spawn"]
'''

ENV = {"NO_MKDOCS_2_WARNING": "true", "PATH": "/usr/bin:/bin", "PORTAL_TODAY": "2023-01-03", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture
def windows_like(tmp_path):
    """A copy of the project and the environment that runs its Python as if on Windows."""
    blockers = tmp_path / "simulated-windows"
    blockers.mkdir()
    (blockers / "sitecustomize.py").write_text(SIMULATED_WINDOWS, encoding="utf-8")
    project = copy_project(tmp_path / "project")
    return project, dict(ENV, PYTHONPATH=str(blockers))


def portal(project: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "macros", *args], cwd=project, env=env,
                          capture_output=True, text=True, encoding="utf-8")


def test_the_simulation_takes_away_what_windows_lacks(windows_like):
    project, env = windows_like
    probe = """
import multiprocessing, os
try:
    import fcntl
    print("fcntl imported")
except ImportError:
    print("no fcntl")
try:
    multiprocessing.get_context("fork")
    print("fork context")
except ValueError:
    print("no fork context")
print(multiprocessing.get_start_method(), *multiprocessing.get_all_start_methods())
try:
    os.symlink("a", "b")
except OSError:
    print("no links")
"""
    result = subprocess.run([sys.executable, "-c", probe], cwd=project, env=env, capture_output=True, text=True)
    assert result.stdout.split("\n")[:4] == ["no fcntl", "no fork context", "spawn spawn", "no links"], result.stderr


def test_check_new_status_and_clean_text_run_without_make_fcntl_or_fork(windows_like):
    project, env = windows_like
    checked = portal(project, env, "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("数据检查通过：")

    created = portal(project, env, "new", "2024-town-office")
    assert created.returncode == 0, created.stderr
    assert (project / "data" / "meetings" / "2024-town-office.yml").is_file()
    assert "year: 2024" in (project / "data" / "meetings" / "2024-town-office.yml").read_text(encoding="utf-8")
    refused = portal(project, env, "new", "Bad Id")
    assert refused.returncode == 2 and "例如：python -m macros new 2023-county-gov-office" in refused.stderr

    meeting = project / "data" / "meetings" / "2021-county-gov-office.yml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("name:", "name:\u200b", 1), encoding="utf-8")
    assert portal(project, env, "check").returncode == 1
    cleaned = portal(project, env, "clean-text")
    assert cleaned.returncode == 0, cleaned.stderr
    assert "2021-county-gov-office.yml：删去 1 个看不见的字符" in cleaned.stdout
    assert cleaned.stdout.endswith("请再运行 python -m macros check。\n")
    (project / "data" / "meetings" / "2024-town-office.yml").unlink()
    assert portal(project, env, "check").returncode == 0

    status = portal(project, env, "status", "2021-county-gov-office")
    assert status.returncode == 0, status.stderr
    assert "（2021-county-gov-office）" in status.stdout and "各环节：" in status.stdout
    unknown = portal(project, env, "status", "no-such-meeting")
    assert unknown.returncode == 2 and "没有编号为“no-such-meeting”的会议" in unknown.stderr


def test_build_local_runs_with_spawn_and_publishes_a_folder(windows_like):
    project, env = windows_like
    built = portal(project, env, "build-local")
    assert built.returncode == 0, built.stderr
    site = project / "site-local"
    assert site.is_dir() and not site.is_symlink()
    assert (site / "index.html").is_file()
    assert list(site.rglob("*.docx")), "no Word copies: the worker did not run"
    assert (site / "pagefind" / "shards.json").is_file()
    assert not (project / ".site-local.lock-owner").exists()
    rebuilt = portal(project, env, "build-local")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert {p.name for p in project.iterdir() if "site" in p.name} == {"site-local"}


# The Windows paths, run here in this process.

KILLED_FOLDER_SWAP = """
import os, sys
from pathlib import Path
from macros.adapters import cli, publishing
publishing.LINKS = False
def killed(fresh, site):
    os._exit(9)
publishing._move_in = killed
cli.build(Path(sys.argv[1]))
"""


@pytest.fixture
def folders(tmp_path, monkeypatch) -> Path:
    """A copy of the project published as on Windows: by swapping folders."""
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(publishing, "LINKS", False)
    return copy_project(tmp_path / "project")


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def beside(project: Path) -> set[str]:
    return {p.name for p in project.iterdir() if "site" in p.name and not p.name.startswith(".site.lock")}


def test_a_folder_published_site_is_replaced_whole_and_nothing_is_left_beside_it(folders, monkeypatch):
    assert cli.build(folders) == 0
    site = folders / "site"
    assert site.is_dir() and not site.is_symlink()
    first = snapshot(site)
    monkeypatch.setenv("PORTAL_TODAY", "2021-11-01")
    assert cli.build(folders) == 0
    assert site.is_dir() and not site.is_symlink()
    assert snapshot(site) != first
    assert beside(folders) == {"site"}


def test_a_build_killed_between_the_two_renames_is_repaired_by_the_next(folders, monkeypatch):
    assert cli.build(folders) == 0
    old = snapshot(folders / "site")
    killed = subprocess.run([sys.executable, "-c", KILLED_FOLDER_SWAP, str(folders)], cwd=ROOT,
                            env=dict(ENV, PORTAL_TODAY="2021-11-01"), capture_output=True, text=True)
    assert killed.returncode == 9, killed.stderr
    assert not (folders / "site").exists()
    assert snapshot(folders / ".site.previous") == old
    # The next build, even a failing one, first puts the previous site back.
    (folders / "data" / "meetings" / "2021-county-gov-office.yml").write_text("id: [broken\n", encoding="utf-8")
    assert cli.build(folders) != 0
    assert snapshot(folders / "site") == old
    assert beside(folders) == {"site"}


def test_a_folder_held_open_keeps_the_old_site_and_says_why(folders, monkeypatch, capsys):
    assert cli.build(folders) == 0
    old = snapshot(folders / "site")
    real_rename = Path.rename

    def in_use(self, target):
        if self.name == "site":
            raise PermissionError(32, "The process cannot access the file because it is being used by another process")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", in_use)
    monkeypatch.setattr(publishing, "RETRY_SECONDS", 0)
    monkeypatch.setenv("PORTAL_TODAY", "2021-11-01")
    with pytest.raises(publishing.PublishError, match="无法替换 site/"):
        cli.build(folders)
    assert snapshot(folders / "site") == old
    build = cli.build
    monkeypatch.setattr(cli, "build", lambda: build(folders))
    capsys.readouterr()
    assert cli.main(["build"]) == 1
    assert "原来的 site/ 保持不变" in capsys.readouterr().err
    assert snapshot(folders / "site") == old


def test_without_fcntl_or_msvcrt_the_lock_is_an_owner_file(tmp_path, monkeypatch, capfd):
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", None)
    site = tmp_path / "site"
    owner = tmp_path / ".site.lock-owner"
    with publishing.lock(site):
        assert owner.read_text(encoding="ascii") == str(os.getpid())
        waiting = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.modules['fcntl'] = None\n"
             "from pathlib import Path; from macros.adapters import publishing\n"
             "with publishing.lock(Path(sys.argv[1])): print('taken', flush=True)", str(site)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert waiting.stderr.readline() == publishing.WAITING + "\n"
    out, _ = waiting.communicate()
    assert waiting.returncode == 0 and out == "taken\n"
    assert not owner.exists()


def test_an_owner_file_left_by_a_process_that_ended_is_taken_over(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", None)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    owner = tmp_path / ".site.lock-owner"
    owner.write_text(ended.stdout.strip(), encoding="ascii")
    with publishing.lock(tmp_path / "site"):
        assert owner.read_text(encoding="ascii") == str(os.getpid())


class _FakeMsvcrt:
    """msvcrt.locking as Windows answers it: LK_NBLCK refused while another handle holds the byte."""

    LK_UNLCK, LK_NBLCK = 0, 2

    def __init__(self, refusals: int):
        self.refusals, self.calls = refusals, []

    def locking(self, fd, mode, nbytes):
        self.calls.append((mode, nbytes))
        if mode == self.LK_NBLCK and self.refusals:
            self.refusals -= 1
            raise PermissionError(13, "Permission denied")


def test_the_windows_lock_waits_until_the_byte_is_free_and_unlocks_it(tmp_path, monkeypatch, capsys):
    fake = _FakeMsvcrt(refusals=2)
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(publishing.time, "sleep", lambda seconds: None)
    with publishing.lock(tmp_path / "site"):
        assert fake.calls == [(fake.LK_NBLCK, 1)] * 3
    assert fake.calls[-1] == (fake.LK_UNLCK, 1)
    assert capsys.readouterr().err == publishing.WAITING + "\n"


def test_portal_cmd_runs_the_same_commands_and_its_labels_exist():
    """portal.cmd cannot run here: its CRLF lines, its jumps and the commands it names are checked instead."""
    raw = (ROOT / "portal.cmd").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n"), "a batch file needs CRLF line ends"
    text = raw.decode("utf-8")
    labels = set(re.findall(r"^:(\w+)", text, re.M))
    assert set(re.findall(r"goto (\w+)", text)) <= labels
    assert '"%VENV_PYTHON%" -m macros %*' in text
    assert "--no-index --find-links requirements\\wheels" in text
    documented = set(re.search(r"portal (check \|.*)", text).group(1).replace("|", " ").split()) - {"<id>", "[<id>]"}
    shown = subprocess.run([sys.executable, "-m", "macros", "--help"], cwd=ROOT, capture_output=True, text=True).stdout
    commands = set(re.search(r"\{([a-z,-]+)\}", shown).group(1).split(","))
    assert documented and documented <= commands, documented - commands


def test_serve_builds_and_serves_the_portal_without_fcntl_fork_or_links(windows_like):
    import socket
    import time
    import urllib.request

    project, env = windows_like
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "macros", "serve", "--port", str(port)], cwd=project, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        said = server.stdout.readline() + server.stdout.readline()
        assert f"预览地址：http://127.0.0.1:{port}/" in said, said + server.stderr.read() if server.poll() is not None else said
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the preview did not answer"
                time.sleep(0.2)
        assert "民主生活会准备工作门户" in page
        assert (project / "site").is_dir() and not (project / "site").is_symlink()
    finally:
        server.terminate()
        server.wait(timeout=30)

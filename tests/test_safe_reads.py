"""Reading the data folder safely: only plain files, never a link, the size known before a byte is read.

A pipe, a socket, a device, a link (to ``/dev/zero`` or out of the project) or a file of a gigabyte
in ``data/`` is named in a Chinese message by ``make check``, which neither hangs nor fills the
memory; an unreadable file, or one removed between the listing and the read, is a message too.
``make check`` runs in a process of its own here, so that a read that blocks fails the test (by its
timeout, a guard against a hang, not a measure of speed) rather than stopping the suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from macros.model import datafile, environment, yamlfile
from macros.model.errors import DataError, DataErrors
from macros.model.meeting import load_data, with_quotes
from tests.support import ROOT

MEETING = "2021-county-gov-office.yml"
CHECK = """
import re, sys
from pathlib import Path
from macros.adapters import cli
code = cli.check(Path(sys.argv[1]))
# The process's own peak (VmHWM; getrusage's ru_maxrss would keep the forking test process's across exec).
status = Path("/proc/self/status").read_text(encoding="ascii")
peak = re.search(r"VmHWM:\\s*(\\d+) kB", status).group(1)
print(f"peak memory {peak} KB", file=sys.stderr)
sys.exit(code)
"""
HANG_GUARD = 300
"""Seconds after which a check is taken to hang (it takes about one)."""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    for name in ("PORTAL_TODAY", "PORTAL_PAGES_PER_SHARD", "PORTAL_SITE_URL"):
        monkeypatch.delenv(name, raising=False)
    shutil.copytree(ROOT / "data", tmp_path / "project" / "data")
    return tmp_path / "project"


def run_check(project: Path) -> tuple[int, str, int]:
    """``make check`` on ``project``: its exit code, what it printed, its peak memory in KB."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", CHECK, str(project)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=HANG_GUARD)
    output = done.stdout + done.stderr
    peak = int(output.rsplit("peak memory ", 1)[1].split()[0])
    return done.returncode, output, peak


def refused(project: Path, name: str, problem: str) -> tuple[str, int]:
    """The check's output and peak memory, once it is known to name ``name`` with ``problem``."""
    code, output, peak = run_check(project)
    assert code == 1, output
    assert "Traceback" not in output
    assert f"{name}: {problem}" in output, output
    return output, peak


SPECIAL = "不是普通文件（是一个{}），不会被读取。请删去它，只在这里放会议文件本身。"


def test_a_pipe_among_the_meetings_is_named_and_not_waited_on(project):
    os.mkfifo(project / "data" / "meetings" / "pipe.yml")
    refused(project, "data/meetings/pipe.yml", SPECIAL.format("管道"))


def test_a_pipe_for_the_settings_is_named_and_not_waited_on(project):
    (project / "data" / "portal.yml").unlink()
    os.mkfifo(project / "data" / "portal.yml")
    refused(project, "data/portal.yml", SPECIAL.format("管道"))


def test_a_socket_among_the_meetings_is_named(project):
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(project / "data" / "meetings" / "s.yml"))
        refused(project, "data/meetings/s.yml", SPECIAL.format("套接字"))


def test_a_device_among_the_meetings_is_named(project):
    try:
        os.mknod(project / "data" / "meetings" / "zero.yml", 0o600 | 0o020000, os.makedev(1, 5))
    except (PermissionError, AttributeError):
        pytest.skip("making a device file needs root (CAP_MKNOD) on Linux")
    refused(project, "data/meetings/zero.yml", SPECIAL.format("设备文件"))


@pytest.mark.parametrize("folder", ["meetings", "settings"])
def test_a_link_to_a_device_is_named_and_not_followed(project, folder):
    path = project / "data" / ("meetings/zero.yml" if folder == "meetings" else "portal.yml")
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/zero")
    _, peak = refused(project, path.relative_to(project).as_posix(), "是一个链接（指向 /dev/zero），不会被读取。")
    assert peak < 200_000, "the check read from /dev/zero"


def test_a_link_out_of_the_project_is_named_and_not_followed(project, tmp_path):
    outside = tmp_path / "elsewhere.yml"
    outside.write_text((project / "data" / "meetings" / MEETING).read_text(encoding="utf-8").replace("2021-county-gov-office", "x"), encoding="utf-8")
    (project / "data" / "meetings" / "x.yml").symlink_to(outside)
    output, _ = refused(project, "data/meetings/x.yml", f"是一个链接（指向 {outside}），不会被读取。请把文件本身放在这里，不要用链接或快捷方式。")
    assert "第 " not in output, "a line of the linked file was quoted"


def test_a_file_of_a_gigabyte_is_refused_without_being_read(project):
    huge = project / "data" / "meetings" / "huge.yml"
    with huge.open("wb") as handle:
        handle.truncate(1 << 30)  # sparse: takes no disk space, reads as a gigabyte of zero bytes
    _, peak = refused(project, "data/meetings/huge.yml", "文件过大（1048576 KB，最多 256 KB）。")
    assert peak < 200_000, f"the check took {peak} KB: the file was read"


def test_a_file_swapped_for_a_pipe_or_a_link_after_it_was_looked_at_is_still_refused(tmp_path, monkeypatch):
    """What is opened is checked again: a swap between the look (lstat) and the open is caught."""
    pipe, link = tmp_path / "pipe.yml", tmp_path / "link.yml"
    os.mkfifo(pipe)
    link.symlink_to("/dev/zero")
    monkeypatch.setattr(datafile, "not_a_plain_file", lambda path: "")
    with pytest.raises(datafile.UnreadableFile) as caught:
        datafile.read_bytes(pipe)
    assert caught.value.problem == SPECIAL.format("管道")
    with pytest.raises(datafile.UnreadableFile) as caught:
        datafile.read_bytes(link)
    assert caught.value.problem.startswith("是一个链接（指向 /dev/zero）")


class CountingReads:
    """Counts the bytes read through every file ``datafile`` opens."""

    def __init__(self, monkeypatch):
        self.read = 0
        real = os.fdopen

        def fdopen(*args, **kwargs):
            handle = real(*args, **kwargs)
            counter = self

            class Counted:
                def read(self, size=-1):
                    data = handle.read(size)
                    counter.read += len(data)
                    return data

                def fileno(self):
                    return handle.fileno()

                def __enter__(self):
                    return self

                def __exit__(self, *exc_info):
                    handle.close()

            return Counted()

        monkeypatch.setattr(os, "fdopen", fdopen)


def test_a_quoted_line_is_read_no_further_than_its_line(tmp_path, monkeypatch):
    path = tmp_path / "a.yml"
    path.write_bytes(b"id: a\nyear: 20x1\n" + b"# " + b"x" * (5 << 20) + b"\n")
    reads = CountingReads(monkeypatch)
    quoted = with_quotes([DataError("a.yml", 2, "year", "y")], tmp_path)
    assert quoted[0].quote == "year: 20x1"
    assert reads.read <= 64 * 1024, f"{reads.read} bytes read to quote line 2"


def test_an_error_about_a_whole_file_reads_nothing_of_it(tmp_path, monkeypatch):
    (tmp_path / "huge.yml").write_bytes(b"x" * (1 << 20))
    (tmp_path / "zero.yml").symlink_to("/dev/zero")
    reads = CountingReads(monkeypatch)
    quoted = with_quotes([DataError("huge.yml", 0, "", "too large"), DataError("zero.yml", 1, "", "a link")], tmp_path)
    assert [error.quote for error in quoted] == ["", ""]
    assert reads.read == 0


def test_a_file_larger_than_the_limit_is_not_read_even_if_it_grew_after_its_size_was_taken(tmp_path, monkeypatch):
    path = tmp_path / "t.yml"
    path.write_bytes(b"x" * 100)
    monkeypatch.setattr(yamlfile, "MAX_FILE_BYTES", 50)
    real_fstat = os.fstat
    # The size seen is the one before the file grew.
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))
    with pytest.raises(yamlfile.YamlFileError) as caught:
        yamlfile.load(path, "t.yml")
    assert "文件过大" in str(caught.value)


def unreadable(monkeypatch, *paths: Path) -> None:
    """Opening these files fails as without read permission (the tests run as root, whom chmod 000 does not stop)."""
    real_open = os.open

    def refuse(file, *args, **kwargs):
        if Path(file) in paths:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)


def test_an_unreadable_meeting_file_is_named_with_what_to_do(project, monkeypatch, capsys):
    from macros.adapters import cli

    unreadable(monkeypatch, project / "data" / "meetings" / MEETING)
    assert cli.check(project) == 1
    err = capsys.readouterr().err
    assert f"data/meetings/{MEETING}: 没有读取这个文件的权限。请让生成网站的用户可以读取它（如 chmod a+r 加文件名），或重新复制这个文件。" in err
    assert "Traceback" not in err


def test_the_build_cache_hashes_a_file_as_the_loader_reads_it(project, monkeypatch):
    from macros.adapters import buildcache

    hashes = buildcache.meeting_hashes(project)
    assert hashes and all(len(digest) == 64 for digest in hashes.values())
    unreadable(monkeypatch, project / "data" / "meetings" / MEETING)
    assert buildcache.meeting_hashes(project) is None  # a cold build, which names the file


def test_the_build_cache_reads_the_other_data_files_as_the_loader_does(project, tmp_path, monkeypatch):
    # A year file or the portal's settings: never through a link, never read whole into memory.
    from macros.adapters import buildcache

    def settings_part() -> str:
        return buildcache.key_parts(project, environment={})["settings"]

    year = project / "data" / "years" / "2024.yml"
    before = settings_part()
    text = year.read_text(encoding="utf-8")
    stat = year.stat()
    year.write_text(text.replace("2024", "2034", 1), encoding="utf-8")  # same size, same time
    os.utime(year, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert settings_part() != before
    year.write_text(text, encoding="utf-8")
    assert settings_part() == before

    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} read whole"))
    outside = tmp_path / "outside.yml"
    outside.write_text("a: 1\n", encoding="utf-8")
    link = project / "data" / "years" / "2030.yml"
    link.symlink_to(outside)
    through_link = settings_part()
    outside.write_text("b: 2\n", encoding="utf-8")
    assert settings_part() == through_link, "the link was followed"
    link.unlink()
    with (project / "data" / "years" / "2031.yml").open("wb") as handle:
        handle.truncate(1 << 20)  # beyond a meeting file's limit: still hashed, a chunk at a time
    assert settings_part() != before


def test_a_file_removed_between_the_listing_and_the_read_is_named(project, monkeypatch):
    """As an editor saving by rename does; the moment is made by a hook, not a race."""
    from macros.model import meeting

    listed = meeting.meeting_files

    def listed_then_removed(folder, root):
        paths, errors = listed(folder, root)
        (folder / MEETING).unlink()
        return paths, errors

    monkeypatch.setattr(meeting, "meeting_files", listed_then_removed)
    with pytest.raises(DataErrors) as caught:
        load_data(project)
    assert caught.value.report().startswith(
        f"data/meetings/{MEETING}: 文件在读取时不见了（可能正被编辑器保存、改名或移走）。请确认文件还在，然后重新运行。\n"
    )


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PORTAL_TODAY", "2023-13-01", "环境变量 PORTAL_TODAY: “2023-13-01”不是日期。请写成“年-月-日”，如 PORTAL_TODAY=2023-01-03；不设置时按生成当天的日期。"),
    ("PORTAL_TODAY", "2023/1/3", "环境变量 PORTAL_TODAY: “2023/1/3”不是日期。"),
    ("PORTAL_PAGES_PER_SHARD", "-250", "环境变量 PORTAL_PAGES_PER_SHARD: “-250”不是正整数。搜索索引每一片的页数请写成一个正整数，如 PORTAL_PAGES_PER_SHARD=250；不设置时用默认值。"),
    ("PORTAL_PAGES_PER_SHARD", "两百", "环境变量 PORTAL_PAGES_PER_SHARD: “两百”不是正整数。"),
    ("PORTAL_PAGES_PER_SHARD", "0", "环境变量 PORTAL_PAGES_PER_SHARD: “0”不是正整数。"),
    ("PORTAL_SITE_URL", "intranet/portal/", "环境变量 PORTAL_SITE_URL: “intranet/portal/”不是完整的网址。请写成以 http:// 或 https:// 开头的网址"),
])
def test_a_setting_written_wrongly_is_named_with_its_form(project, monkeypatch, capsys, name, value, message):
    from macros.adapters import cli

    monkeypatch.setenv(name, value)
    assert cli.check(project) == 1
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert "Traceback" not in err


def test_settings_written_rightly_pass(project, monkeypatch):
    for name, value in (("PORTAL_TODAY", "2023-01-03"), ("PORTAL_PAGES_PER_SHARD", "250"),
                        ("PORTAL_SITE_URL", "http://10.1.2.3:8080/portal/")):
        monkeypatch.setenv(name, value)
    load_data(project)
    assert environment.build_date().isoformat() == "2023-01-03"
    assert environment.count("PORTAL_PAGES_PER_SHARD", 100) == 250

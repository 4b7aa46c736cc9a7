"""A build that cannot finish says why in Chinese, with no traceback, and leaves the published site whole.

Each test publishes a site first, then breaks one thing and builds again: an unreadable meeting
file, a file removed while MkDocs loads the data (a hook in the build makes the moment), a setting
written wrongly, a template mistake in a hand-written page, the lock file replaced by a folder, a
full disk (a small tmpfs, mounted in a mount namespace of the build's own).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from macros.adapters import cli
from tests.support import ROOT, copy_project

ENV = {"NO_MKDOCS_2_WARNING": "true", "PATH": "/usr/bin:/bin", "PORTAL_TODAY": "2023-01-03", "PYTHONDONTWRITEBYTECODE": "1"}
BUILD = "import sys; from pathlib import Path; from macros.adapters import cli; sys.exit(cli.build(Path(sys.argv[1]), *(Path(a) for a in sys.argv[2:])))"
MEETING = "2021-county-gov-office.yml"
KEPT = "生成失败，site/ 保持原样未被改动。"


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def published(tmp_path, monkeypatch) -> tuple[Path, dict[str, bytes]]:
    """A project with a published site, and that site's files."""
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    for name in ("PORTAL_PAGES_PER_SHARD", "PORTAL_CACHE", "PORTAL_SITE_URL"):
        monkeypatch.delenv(name, raising=False)
    project = copy_project(tmp_path / "project")
    assert cli.build(project) == 0
    return project, snapshot(project / "site")


def build_process(project: Path, *args: str, prefix: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-c", BUILD, str(project), *args], cwd=ROOT,
                          env=dict(ENV, **env), capture_output=True, text=True)


def failed_with(done: subprocess.CompletedProcess, *messages: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    for message in messages:
        assert message in output, output
    assert output.rstrip().endswith(KEPT), output


def test_an_unreadable_meeting_file_stops_the_build_with_its_name(published):
    """Run without the capabilities that let root read any file, so that chmod 000 stops the read."""
    project, before = published
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to drop root's right to read every file")
    drop = ("setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search")
    probe = subprocess.run([*drop, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot drop capabilities here: {probe.stderr.decode(errors='replace').strip()}")
    path = project / "data" / "meetings" / MEETING
    path.chmod(0)
    try:
        if os.access(path, os.R_OK) and os.geteuid() != 0:
            pytest.skip("this user can read a file of mode 000")
        done = build_process(project, prefix=drop)
    finally:
        path.chmod(0o644)
    failed_with(done, f"data/meetings/{MEETING}: 没有读取这个文件的权限。请让生成网站的用户可以读取它")
    assert snapshot(project / "site") == before


VANISH_HOOK = '''
"""Test hook: the meeting file named in PORTAL_TEST_VANISH is removed right after the folder is listed."""
import os
from pathlib import Path

from macros.model import meeting

_listed = meeting.meeting_files


def _listed_then_removed(folder, root):
    paths, errors = _listed(folder, root)
    (Path(folder) / os.environ["PORTAL_TEST_VANISH"]).unlink(missing_ok=True)
    return paths, errors


meeting.meeting_files = _listed_then_removed
'''


def test_a_meeting_file_removed_while_the_build_loads_the_data_is_named(published):
    project, before = published
    (project / "vanish_hook.py").write_text(VANISH_HOOK, encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - macros/adapters/mkdocs_hooks.py\n" in text
    config.write_text(text.replace("  - macros/adapters/mkdocs_hooks.py\n", "  - macros/adapters/mkdocs_hooks.py\n  - vanish_hook.py\n"), encoding="utf-8")
    done = build_process(project, PORTAL_TEST_VANISH=MEETING)
    failed_with(done, f"data/meetings/{MEETING}: 文件在读取时不见了（可能正被编辑器保存、改名或移走）。请确认文件还在，然后重新运行。")
    assert snapshot(project / "site") == before


@pytest.mark.parametrize(("name", "value"), [("PORTAL_TODAY", "2023-02-30"), ("PORTAL_PAGES_PER_SHARD", "abc"), ("PORTAL_PAGES_PER_SHARD", "-1"), ("PORTAL_SITE_URL", "portal")])
def test_a_setting_written_wrongly_stops_the_build_with_its_name(published, name, value):
    project, before = published
    done = build_process(project, **{name: value})
    failed_with(done, f"环境变量 {name}: “{value}”不是")
    assert snapshot(project / "site") == before


def test_a_template_mistake_in_a_page_stops_the_build_with_its_file_and_line(published):
    project, before = published
    guide = project / "docs" / "guide.md"
    lines = guide.read_text(encoding="utf-8").split("\n")
    lines.insert(4, "本页另见 {{ meeting_indx() }} 的说明。")
    guide.write_text("\n".join(lines), encoding="utf-8")
    done = build_process(project)
    failed_with(
        done,
        "docs/guide.md:5: 页面模板中的“meeting_indx”没有定义（页面中可用的宏是 meeting_index()）。",
        "    第 5 行写的是：本页另见 {{ meeting_indx() }} 的说明。",
    )
    assert "Error reading page" not in done.stderr
    assert snapshot(project / "site") == before


def test_a_template_syntax_error_is_placed_on_its_line_of_the_file_front_matter_included():
    import jinja2

    from macros.adapters.mkdocs_env import template_error

    source = "---\ntitle: 说明\n---\n\n# 说明\n\n文字 {{ meeting_index( }}\n"
    markdown = source.split("---\n", 2)[2]
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        jinja2.Environment().from_string(markdown)
    error = template_error(caught.value, markdown, "x.md", None)
    assert (error.file, error.line) == ("docs/x.md", 4)  # without the source file, lines of the page as given
    assert error.quote == "文字 {{ meeting_index( }}"
    assert error.message.startswith("页面模板的写法有误")


def test_a_lock_file_replaced_by_a_folder_stops_the_build_with_what_to_do(published):
    project, before = published
    lock = project / ".site.lock"
    lock.unlink()
    lock.mkdir()
    done = build_process(project, PORTAL_TODAY="2023-01-04")
    failed_with(done, "无法开始生成：.site.lock 应是一个文件（生成时用它保证同一时间只有一次生成），现在是一个文件夹。请删去这个文件夹（如 rm -r .site.lock）后重新生成。")
    assert snapshot(project / "site") == before


FULL_DISK = """
set -e
mount -t tmpfs -o size="$2" portal-test "$1"
cp -a "$3"/. "$1"/
shift 3
exec "$@"
"""


def test_a_full_disk_stops_the_build_with_a_message_and_the_site_kept(published, tmp_path):
    """The site lives on a tmpfs with room for the published site and half another: the new one
    cannot be written whole. The mount is made in a mount namespace of the build's own (unshare)."""
    project, before = published
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("mounting a small tmpfs needs root and unshare (util-linux)")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=1m portal-test {tmp_path}"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {probe.stderr.decode(errors='replace').strip()}")
    old = tmp_path / "old"
    old.mkdir()
    version = os.readlink(project / "site")
    shutil.copytree(project / version, old / version)
    os.symlink(version, old / "site")
    size = sum(len(data) for data in before.values())
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        "import sys, subprocess, pathlib;"
        "from macros.adapters import cli;"
        "code = cli.build(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]) / 'site');"
        "print('KEPT' if (pathlib.Path(sys.argv[2]) / 'site' / 'index.html').read_bytes() == pathlib.Path(sys.argv[3]).read_bytes() else 'CHANGED');"
        "sys.exit(code)"
    )
    index = tmp_path / "published-index.html"
    index.write_bytes(before["index.html"])
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", FULL_DISK, "full-disk", str(disk), str(int(size * 1.5)), str(old),
         sys.executable, "-c", script, str(project), str(disk), str(index)],
        cwd=ROOT, env=dict(ENV, PORTAL_TODAY="2023-01-04"), capture_output=True, text=True,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    assert "磁盘空间不足，网站没有生成完。请清理网站所在的磁盘（删去不用的文件）后重新生成。" in output, output
    assert "生成失败，site/ 保持原样未被改动。" in output
    assert done.stdout.strip().endswith("KEPT"), output

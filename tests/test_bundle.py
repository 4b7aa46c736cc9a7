"""The offline bundle: ``make bundle``, carried to a machine with no package index, installs and builds there;
and its wheels cover Windows x64 and Linux aarch64 as well as Linux x86_64, for every supported Python.

These tests download the wheels of every platform once (about 230 MB) into ``.cache/wheelhouse/``,
which later runs reuse; they are marked ``bundle`` (``pytest -m "not bundle"`` leaves them out
locally). CI runs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from macros.adapters.bundle import PYTHONS, WHEELS
from tests.support import ROOT

pytestmark = pytest.mark.bundle

DEBIAN_PYTHON = "/usr/bin/python3"
UNREACHABLE = "http://127.0.0.1:9/simple/"


def offline_env(home: Path) -> dict[str, str]:
    """No pip configuration of this machine (its extra indexes and find-links), every index unreachable."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": UNREACHABLE,
        "PIP_NO_INDEX": "1",
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "2",
        "PORTAL_TODAY": "2023-01-03",
    }


def without_network() -> list[str]:
    """``unshare -n`` (a new network namespace with no interface but loopback down) where it works."""
    unshare = shutil.which("unshare")
    if unshare and os.geteuid() == 0 and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    made = subprocess.run(["make", "--no-print-directory", "bundle", f"DIST={dist}", f"VENV={sys.prefix}"],
                          cwd=ROOT, capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    archives = list(dist.glob("portal-offline-*.zip"))
    assert len(archives) == 1, archives
    assert "已生成离线包" in made.stdout
    return archives[0]


@pytest.fixture(scope="module")
def unpacked(archive, tmp_path_factory) -> Path:
    """The archive unpacked elsewhere, as on the target machine (unzip keeps the files' modes)."""
    target = tmp_path_factory.mktemp("unpacked")
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-q", str(archive), "-d", str(target)], check=True)
    else:
        zipfile.ZipFile(archive).extractall(target)
    return target / "portal"


def test_the_bundle_holds_the_project_and_nothing_generated(archive, unpacked):
    names = zipfile.ZipFile(archive).namelist()
    assert all(name.startswith("portal/") for name in names)
    top = {name.split("/")[1] for name in names}
    assert {"Makefile", "README.md", "portal.cmd", "macros", "data", "docs", "overrides", "requirements", "mkdocs.yml"} <= top
    assert not top & {".venv", ".cache", "site", "site-local", "dist", ".git"}, top
    assert not [name for name in names if "__pycache__" in name]
    assert (unpacked / "data" / "meetings" / "2021-county-gov-office.yml").read_bytes() == \
        (ROOT / "data" / "meetings" / "2021-county-gov-office.yml").read_bytes()
    assert os.access(unpacked / ".githooks" / "pre-commit", os.X_OK)


def test_dist_is_not_committed():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ("dist/portal-offline-x.zip", f"{WHEELS}/x.whl"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path


def test_make_build_in_the_unpacked_bundle_installs_with_no_network(unpacked, tmp_path):
    if not Path(DEBIAN_PYTHON).exists() or subprocess.run([DEBIAN_PYTHON, "-c", "import ensurepip, venv"]).returncode:
        pytest.fail(f"{DEBIAN_PYTHON} with its venv module is needed (apt-get install python3 python3-venv; .ci/run does it)")
    env = offline_env(tmp_path)
    built = subprocess.run([*without_network(), "make", "--no-print-directory", "build", f"PYTHON={DEBIAN_PYTHON}"],
                           cwd=unpacked, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    lines = built.stdout.splitlines()
    assert lines[0].startswith("正在安装生成和预览所需的软件包") and f"从离线包 {WHEELS}/ 安装" in lines[0], lines
    assert lines[-1].startswith("已生成到 site/"), lines
    # pip's own lines are not shown; they are kept in the log, which names the bundle's wheels.
    assert "Successfully installed" not in built.stdout + built.stderr
    log = (unpacked / ".venv" / "install.log").read_text(encoding="utf-8")
    assert f"{WHEELS}/mkdocs-1.6.1-py3-none-any.whl" in log
    assert (unpacked / "site" / "index.html").is_file()
    assert (unpacked / "site" / "pagefind" / "shards.json").is_file()
    version = subprocess.run([str(unpacked / ".venv" / "bin" / "python"), "-c", "import sys; print(sys.base_prefix)"],
                             capture_output=True, text=True)
    assert version.stdout.strip() == "/usr"


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", ["win_amd64", "manylinux2014_aarch64", "manylinux2014_x86_64"])
def test_the_bundle_alone_resolves_every_build_package(unpacked, tmp_path, platform, python):
    """pip resolves requirements/build.txt, dependencies included, for the platform from the bundle's wheels only."""
    resolved = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--only-binary=:all:",
         "--platform", platform, "--python-version", python, "--implementation", "cp",
         "--no-index", "--find-links", str(unpacked / WHEELS),
         "-r", str(unpacked / "requirements" / "build.txt"), "--target", str(tmp_path / "target")],
        env=offline_env(tmp_path), capture_output=True, text=True)
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    assert "Would install" in resolved.stdout
    would = resolved.stdout.split("Would install", 1)[1].split()
    pinned = [line for line in (unpacked / "requirements" / "build.txt").read_text(encoding="utf-8").splitlines() if "==" in line]
    assert len(would) == len(pinned), (would, pinned)


def test_a_failed_install_shows_pips_output_once_and_keeps_it(tmp_path):
    """A bundle missing a wheel: the one Chinese line, then pip's own output and where it is kept."""
    project = tmp_path / "portal"
    (project / "requirements" / "wheels").mkdir(parents=True)
    shutil.copy2(ROOT / "Makefile", project / "Makefile")
    shutil.copy2(ROOT / "requirements" / "build.txt", project / "requirements" / "build.txt")
    (project / "requirements" / "wheels" / "only-0.1-py3-none-any.whl").write_bytes(b"")
    failed = subprocess.run(["make", "--no-print-directory", "check", f"PYTHON={sys.executable}"], cwd=project,
                            env=offline_env(tmp_path), capture_output=True, text=True)
    assert failed.returncode != 0
    assert failed.stdout.startswith(f"正在安装生成和预览所需的软件包（约 84 MB，从离线包 {WHEELS}/ 安装")
    log = (project / ".venv" / "install.log").read_text(encoding="utf-8")
    assert "No matching distribution found" in log
    assert log in failed.stderr
    assert "安装失败。上面是安装程序的原始输出，也保存在 .venv/install.log" in failed.stderr
    assert not (project / ".venv" / ".installed-build").exists()


def test_a_pure_python_pin_published_only_as_source_is_built_into_a_wheel_once(tmp_path, monkeypatch, capsys):
    import tarfile

    from macros.adapters import bundle

    source = tmp_path / "portal_probe-0.1"
    source.mkdir()
    (source / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
                                           '[project]\nname = "portal-probe"\nversion = "0.1"\n', encoding="utf-8")
    (source / "portal_probe.py").write_text("ANSWER = 42\n", encoding="utf-8")
    (tmp_path / "index").mkdir()
    with tarfile.open(tmp_path / "index" / "portal_probe-0.1.tar.gz", "w:gz") as sdist:
        sdist.add(source, arcname=source.name)
    requirements = tmp_path / "build.txt"
    requirements.write_text("portal-probe==0.1\n", encoding="utf-8")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "index"))
    wheelhouse = tmp_path / "wheelhouse"
    bundle.download(ROOT, wheelhouse, ("win_amd64", "manylinux2014_aarch64"), ("3.12",), requirements=requirements)
    assert [p.name for p in wheelhouse.iterdir()] == ["portal_probe-0.1-py3-none-any.whl"]
    assert capsys.readouterr().out.count("只有源码包") == 1
    assert [p.name for p in bundle.wheels_of(wheelhouse, bundle.pins(requirements))] == ["portal_probe-0.1-py3-none-any.whl"]

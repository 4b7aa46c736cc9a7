"""``make bundle``: one archive to carry the portal to a machine with no package index (an intranet).

The archive ``dist/portal-offline-<date>-<commit>.zip`` holds the project (the files git tracks, as
they are in the working copy) in a folder ``portal/``, and in ``portal/requirements/wheels/`` a wheel
of every package ``requirements/build.txt`` pins, for each platform and Python version asked for
(default: Linux x86_64, Linux aarch64 and Windows x64; Python 3.11, 3.12 and 3.13). Only wheels:
nothing is compiled on the target machine. Where the bundle is unpacked, ``make serve`` and
``make build`` install from those wheels with no network (``--no-index``), and so does ``portal
setup`` on Windows.

Wheels are downloaded once into a wheelhouse (``.cache/wheelhouse/`` unless told otherwise) and
taken from there by later bundles; only the wheels of the current pins go into the archive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLATFORMS = ("manylinux2014_x86_64", "manylinux2014_aarch64", "win_amd64")
"""pip's platform tags: Linux x86_64 and aarch64 (glibc 2.17 or later: 统信 UOS, 麒麟 Kylin, Debian), Windows x64."""
PYTHONS = ("3.11", "3.12", "3.13")
"""The Python versions the README supports."""
WHEELS = "requirements/wheels"
"""Where the wheels lie in an unpacked bundle (the Makefile and portal.cmd look there)."""
FOLDER = "portal"
GENERATED = {".git", ".venv", ".cache", "site", "site-local", "dist", "build", "__pycache__", ".pytest_cache", ".bench-venvs"}


def pins(requirements: Path) -> dict[str, str]:
    """Each pinned package of a lock file (``name==version``), by its normalized name."""
    found = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            found[normalized(name)] = version.split(";", 1)[0].strip()
    return found


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def project_files(root: Path) -> list[str]:
    """The project's files: those git tracks, or (outside a git repository, e.g. in an unpacked bundle)
    every file but what a build, a test or an install made."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root, capture_output=True)
    if listed.returncode == 0 and listed.stdout:
        names = [name for name in listed.stdout.decode("utf-8").split("\0") if name]
    else:
        names = [path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()]
    return sorted(name for name in names if not GENERATED & set(name.split("/")[:-1]) and (root / name).is_file()
                  and not name.startswith(f"{WHEELS}/") and not re.match(r"(site|site-local)\.", name.split("/")[0]))


def download(root: Path, wheelhouse: Path, platforms=PLATFORMS, pythons=PYTHONS, requirements: Path | None = None) -> None:
    """Every pinned wheel for each platform and Python into ``wheelhouse`` (pip skips those already there).

    A pin published only as source is built into a wheel once (``pip wheel``), if it is pure Python
    (a ``py3-none-any`` wheel serves every platform); otherwise, or if a pin has no wheel for a
    platform, this fails with pip's own message."""
    requirements = requirements or root / "requirements" / "build.txt"
    wheelhouse.mkdir(parents=True, exist_ok=True)
    built: set[str] = set()
    for platform in platforms:
        for python in pythons:
            while True:
                command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
                           "--only-binary=:all:", "--no-deps", "--implementation", "cp",
                           "--platform", platform, "--python-version", python, "--find-links", str(wheelhouse),
                           "-r", str(requirements), "-d", str(wheelhouse)]
                result = subprocess.run(command, capture_output=True, text=True)
                if result.returncode == 0:
                    break
                missing = re.search(r"No matching distribution found for (\S+==\S+)", result.stderr)
                if missing and missing.group(1) not in built and _build_pure_wheel(missing.group(1), wheelhouse):
                    built.add(missing.group(1))
                    continue
                sys.stderr.write(result.stdout + result.stderr)
                raise SystemExit(f"没有下载到 {platform}、Python {python} 的全部软件包（见上面 pip 的输出）。")


def _build_pure_wheel(pin: str, wheelhouse: Path) -> bool:
    """Build ``pin`` from its source into a wheel in ``wheelhouse``; True if the wheel is pure Python."""
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--quiet",
                                 "--no-deps", "--no-binary=:all:", pin, "-w", scratch], capture_output=True, text=True)
        made = list(Path(scratch).glob("*.whl"))
        if result.returncode != 0 or len(made) != 1 or not made[0].name.endswith("-none-any.whl"):
            return False
        shutil.move(str(made[0]), wheelhouse / made[0].name)
    print(f"{pin} 只有源码包，已生成通用的安装文件 {made[0].name}。", flush=True)
    return True


def wheels_of(wheelhouse: Path, wanted: dict[str, str]) -> list[Path]:
    """The wheels in ``wheelhouse`` of exactly the pinned versions (older pins' wheels stay out)."""
    chosen = []
    for path in sorted(wheelhouse.glob("*.whl")):
        name, version = path.name.split("-")[:2]
        if wanted.get(normalized(name)) == version:
            chosen.append(path)
    missing = sorted(set(wanted) - {normalized(path.name.split("-")[0]) for path in chosen})
    if missing:
        raise SystemExit(f"离线包缺少这些软件包的安装文件：{'、'.join(missing)}。")
    return chosen


def archive_name(root: Path) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    suffix = f"-{commit.stdout.strip()}" if commit.returncode == 0 and commit.stdout.strip() else ""
    return f"portal-offline-{dt.date.today():%Y%m%d}{suffix}.zip"


def write(root: Path, out: Path, wheels: list[Path]) -> Path:
    """The archive: the project under ``portal/``, the wheels under ``portal/requirements/wheels/``.

    File modes are kept (unzip restores them: the git hook stays executable); wheels, already
    compressed, are stored as they are."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / archive_name(root)
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in project_files(root):
            _add(archive, root / name, f"{FOLDER}/{name}", zipfile.ZIP_DEFLATED)
        for wheel in wheels:
            _add(archive, wheel, f"{FOLDER}/{WHEELS}/{wheel.name}", zipfile.ZIP_STORED)
    os.replace(partial, target)
    return target


def _add(archive: zipfile.ZipFile, path: Path, name: str, compression: int) -> None:
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = compression
    with open(path, "rb") as source, archive.open(info, "w") as sink:
        while chunk := source.read(1 << 20):
            sink.write(chunk)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bundle", description=__doc__)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the archive is written")
    parser.add_argument("--wheelhouse", type=Path, default=ROOT / ".cache" / "wheelhouse", help="downloaded wheels, kept for the next bundle")
    parser.add_argument("--platforms", default=" ".join(PLATFORMS), help="pip platform tags, separated by spaces")
    parser.add_argument("--pythons", default=" ".join(PYTHONS), help="Python versions, separated by spaces")
    args = parser.parse_args(argv)
    platforms, pythons = args.platforms.split(), args.pythons.split()
    print(f"正在准备离线包：下载 {len(platforms)} 种系统、{len(pythons)} 个 Python 版本所需的软件包"
          f"（第一次约 230 MB，需要几分钟；已下载过的不再下载）……", flush=True)
    download(ROOT, args.wheelhouse, platforms, pythons)
    wheels = wheels_of(args.wheelhouse, pins(ROOT / "requirements" / "build.txt"))
    target = write(ROOT, args.dist, wheels)
    size = target.stat().st_size / 2**20
    shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
    print(f"已生成离线包 {shown}（{size:.0f} MB，{len(wheels)} 个软件包文件）。拷到内网机器上解压后，按 README 的“离线安装”一节安装。")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The build cache: rebuild only what an edit changed, and publish what a cold build would.

Two caches live in ``.cache/portal/`` (git-ignored, deletable at any time):

* **Validated meetings**, one pickle per meeting file, keyed by the file's bytes, its name
  and the loader's code: a file that did not change is not parsed and validated again.
* **The last published site**: ``state.json`` records what the site in ``site/`` was built
  from (the global key, each meeting file's hash) and each published file's size and time.

A warm build is allowed only when the global key (templates, overrides, hand-written pages,
settings, the portal's code, every installed package's version, the build date) is unchanged,
the same meeting files exist, and ``site/`` is still exactly what was published. Then only the
changed meetings' pages and the home page are rendered (MkDocs with the other meetings' pages
registered but excluded, so links resolve as in a full build), every other file is hard-linked
from ``site/``, and only the search shards holding changed pages are indexed again. A meeting's
pages depend on nothing but its own file and the global key; the home page lists every meeting
and is always rendered again. On any doubt the caller builds cold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

CACHE_DIR = Path(".cache") / "portal"
RENDER_ONLY = "PORTAL_RENDER_ONLY"
"""Environment variable of a warm build's MkDocs run: the meeting ids whose pages are rendered."""
LISTING_PAGES = ("index.html",)
LISTING_PREFIXES = ("years/",)
"""The pages that list meetings: rendered again by every warm build (all others depend on one meeting)."""
MAX_WARM_CHANGES = 50
"""More changed meetings than this and a cold build is about as fast (and simpler)."""
_ENV_INPUTS = ("PORTAL_TODAY", "PORTAL_PAGES_PER_SHARD", "SOURCE_DATE_EPOCH", "PORTAL_RUNNER")
_SOURCE_DIRS = ("docs", "overrides", "macros")
_SOURCE_FILES = ("mkdocs.yml", "requirements.txt")


def enabled() -> bool:
    """PORTAL_CACHE=off turns every cache off (the benchmark's cold builds, debugging)."""
    return os.environ.get("PORTAL_CACHE", "on") != "off"


def cache_dir(root: Path) -> Path:
    return root / CACHE_DIR


def render_only() -> set[str] | None:
    """The meeting ids a warm build's MkDocs run renders (None: a full build)."""
    value = os.environ.get(RENDER_ONLY)
    if value is None:
        return None
    return {part for part in value.split(",") if part}


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def _tree_files(folder: Path) -> list[Path]:
    return sorted(
        path for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def code_key() -> str:
    """What validated meetings depend on besides their file: the portal's code and Python's version."""
    parts = [sys.version.encode(), metadata.version("PyYAML").encode()]
    macros = Path(__file__).resolve().parent
    for path in _tree_files(macros):
        if path.suffix == ".py":
            parts += [path.relative_to(macros).as_posix().encode(), path.read_bytes()]
    return _digest(*parts)


def global_key(root: Path, for_files: bool = False) -> str:
    """Everything every page depends on: any change means a cold build."""
    from .portal import build_date

    # The portal's date (checklists, deadlines) and the UTC date MkDocs writes into sitemap.xml.
    utc_today = dt.datetime.now(dt.timezone.utc).date()
    parts: list[bytes] = [sys.version.encode(), build_date().isoformat().encode(), utc_today.isoformat().encode()]
    parts += [f"{name}={os.environ.get(name, '')}".encode() for name in _ENV_INPUTS]
    parts.append(f"for_files={for_files}".encode())
    versions = sorted({f"{dist.metadata['Name']}=={dist.version}".lower() for dist in metadata.distributions()})
    parts.append("\n".join(versions).encode())
    files = [root / name for name in _SOURCE_FILES]
    for name in _SOURCE_DIRS:
        files += _tree_files(root / name) if (root / name).is_dir() else []
    data = root / "data"
    if data.is_dir():
        files += [path for path in _tree_files(data) if "meetings" not in path.relative_to(data).parts[:1]]
    for path in files:
        parts.append(path.relative_to(root).as_posix().encode())
        parts.append(path.read_bytes() if path.is_file() else b"\0absent")
    return _digest(*parts)


class ModelCache:
    """Validated meetings, one pickle a file, keyed by the file's name and bytes and the loader's code."""

    def __init__(self, root: Path):
        self.folder = cache_dir(root) / "models"
        self.code = code_key().encode()
        self.used: set[str] = set()

    def _path(self, name: str, data: bytes) -> Path:
        path = self.folder / f"{_digest(self.code, name.encode(), data)}.pickle"
        self.used.add(path.name)
        return path

    def lookup(self, name: str, data: bytes):
        try:
            with self._path(name, data).open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # absent, half-written or from another version: validate again
            return None

    def store(self, name: str, data: bytes, record) -> None:
        path = self._path(name, data)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def prune(self) -> None:
        """Remove the pickles of file versions not used by this load (call after loading every file)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in self.used:
                path.unlink(missing_ok=True)


def meeting_hashes(root: Path) -> dict[str, str] | None:
    """Each meeting file's hash, by its path under the root; None when the folder has a problem
    (a cold build reports it)."""
    from .meeting import meeting_files

    paths, errors = meeting_files(root / "data" / "meetings", root)
    if errors:
        return None
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def site_manifest(site: Path) -> dict[str, list[int]]:
    """Every file of a site: its size and modification time (a changed file changes one of them)."""
    manifest = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            stat = path.stat()
            manifest[path.relative_to(site).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return manifest


@dataclass
class Plan:
    """One build's view of the cache: what the inputs are now and what the published site was built from."""

    root: Path
    site: Path
    for_files: bool = False
    key: str = ""
    hashes: dict[str, str] = field(default_factory=dict)
    state: dict | None = None
    reason: str = ""
    extra_files: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def state_path(self) -> Path:
        return cache_dir(self.root) / f"state-{self.site.name}.json"

    @classmethod
    def prepare(cls, root: Path, site: Path, for_files: bool = False) -> "Plan":
        """``for_files``: the site is built with links to .html files (make build-local)."""
        plan = cls(root, site, for_files)
        if not enabled():
            plan.reason = "已关闭生成缓存"
            return plan
        plan.key = global_key(root, for_files)
        plan.hashes = meeting_hashes(root)
        try:
            plan.state = json.loads(plan.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            plan.state = None
        return plan

    def changed_ids(self) -> list[str] | None:
        """The ids of changed meeting files, or None when only a cold build will do (``reason`` says why)."""
        state = self.state
        if not enabled():
            return None
        if not state or state.get("site") != str(self.site.absolute()):
            self.reason = "没有上次生成的记录"
            return None
        if state.get("key") != self.key:
            self.reason = "模板、页面、设置、程序、软件包或生成日期有改动"
            return None
        old = state.get("meetings", {})
        if self.hashes is None:
            self.reason = "会议文件夹中有问题"
            return None
        if set(old) != set(self.hashes):
            self.reason = "增加或删除了会议文件"
            return None
        changed = [Path(name).stem for name, digest in self.hashes.items() if old[name] != digest]
        if len(changed) > MAX_WARM_CHANGES:
            self.reason = f"有 {len(changed)} 个会议文件改动"
            return None
        if not self.site.is_dir():
            self.reason = "还没有已生成的网站"
            return None
        # Files added since (``make pdf`` writes site/pdf/) are left out, as a cold build leaves them out.
        published = site_manifest(self.site)
        if any(published.get(name) != value for name, value in state.get("files", {}).items()):
            self.reason = "site/ 中的文件在生成后被改动过"
            return None
        self.extra_files = len(published) - len(state.get("files", {}))
        return changed

    def up_to_date(self) -> bool:
        """Nothing changed since the last publish and site/ holds exactly what it published: no build needed."""
        return self.changed_ids() == [] and self.extra_files == 0

    def warm_build(self, fresh: Path, env: dict) -> bool:
        """Build ``fresh`` from ``site/`` and the changed meetings; False (fresh removed) when it cannot."""
        changed = self.changed_ids()
        if changed is None:
            return False
        try:
            done = self._warm(fresh, changed, env)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, a cold build is still right
            self.reason = f"增量生成出错（{type(exc).__name__}: {exc}）"
            done = False
        if not done:
            shutil.rmtree(fresh, ignore_errors=True)
        return done

    def _lap(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = now - self._last
        self._last = now

    def _warm(self, fresh: Path, changed: list[str], env: dict) -> bool:
        from . import runner, search

        self._last = time.perf_counter()

        files: dict[str, list[int]] = self.state["files"]
        # The changed meetings' pages and Word files, and the pages that list meetings (home, years).
        replaced_prefixes = tuple(f"meetings/{meeting_id}/" for meeting_id in changed) + LISTING_PREFIXES
        scratch = cache_dir(self.root) / "scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            if changed:
                command = runner.build_command(self.root / "mkdocs.yml", scratch, for_files=self.for_files)
                result = subprocess.run(command, cwd=self.root, env=dict(env, **{RENDER_ONLY: ",".join(changed)}),
                                        capture_output=True, text=True)
                if result.returncode != 0:
                    self.reason = "增量生成失败"
                    return False
                self._lap("render changed meetings and listing pages")
                rendered = set(site_manifest(scratch))
                wanted = {name for name in files if name.startswith(replaced_prefixes)} | set(LISTING_PAGES)
                if not wanted <= rendered or any(
                    name.startswith(replaced_prefixes) and name not in wanted for name in rendered
                ):
                    self.reason = "改动会议的页面文件与上次不同"
                    return False
            else:
                wanted = set()
            # Pagefind gives the same index for the same pages: only shards with a page that changed are indexed.
            differing = {name for name in wanted if (scratch / name).read_bytes() != (self.site / name).read_bytes()}
            shards = self._shards_to_index(files, differing)
            if shards is None:
                return False
            skipped = tuple(f"pagefind/{number}/" for number in shards)
            for name in files:
                if name in differing or name.startswith(skipped):
                    continue
                target = fresh / name
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(self.site / name, target)
                except OSError:
                    shutil.copy2(self.site / name, target)
            for name in differing:
                target = fresh / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(scratch / name, target)
            self._lap(f"link {len(files) - len(differing)} unchanged files")
            if shards:
                pages = search_pages(fresh)
                groups = search._shards(fresh, pages, self._pages_per_shard())
                for number in shards:
                    search._index_shard(fresh, groups[number], fresh / "pagefind" / str(number))
                self._lap(f"index search shards {sorted(shards)}")
            return True
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    @staticmethod
    def _pages_per_shard() -> int:
        from . import search

        return int(os.environ.get("PORTAL_PAGES_PER_SHARD", 0)) or search.PAGES_PER_SHARD

    def _shards_to_index(self, files: dict, wanted: set[str]) -> set[int] | None:
        """The numbers of the search shards holding a re-rendered page (empty: nothing to index)."""
        from . import search

        if "pagefind/shards.json" not in files:
            return set()  # built without search: nothing to index
        if not wanted:
            return set()
        if not hasattr(search, "index_site"):
            # The index is now written from each page's content during the MkDocs run, not from the
            # published files: re-indexing some shards needs the other pages' records (not cached yet).
            self.reason = "搜索索引需要整体重建"
            return None
        pages = sorted(self.site / name for name in files if name.endswith(".html") and _is_search_page(name))
        groups = search._shards(self.site, pages, self._pages_per_shard())
        manifest = json.loads((self.site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
        if len(manifest.get("shards", [])) != len(groups):
            self.reason = "搜索索引的分片与上次不同"
            return None
        wanted_paths = {self.site / name for name in wanted if name.endswith(".html")}
        return {number for number, group in enumerate(groups) if wanted_paths & set(group)}

    def record(self) -> None:
        """Remember what the just published site was built from (only if the inputs did not move meanwhile)."""
        if not enabled():
            return
        try:
            if self.hashes is None or global_key(self.root, self.for_files) != self.key or meeting_hashes(self.root) != self.hashes:
                self.state_path.unlink(missing_ok=True)
                return
            state = {
                "site": str(self.site.absolute()),
                "key": self.key,
                "meetings": self.hashes,
                "files": site_manifest(self.site),
                "recorded": dt.datetime.now().isoformat(timespec="seconds"),
            }
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.state_path.with_suffix(".tmp")
            temporary.write_text(json.dumps(state), encoding="utf-8")
            os.replace(temporary, self.state_path)
        except OSError:
            self.state_path.unlink(missing_ok=True)

    def forget(self) -> None:
        """The published site is about to change outside the cache's knowledge."""
        if enabled():
            self.state_path.unlink(missing_ok=True)


def _is_search_page(name: str) -> bool:
    """Whether Pagefind indexes this page (the same choice as ``search.index_site``)."""
    path = Path(name)
    return "pagefind" not in path.parts and path.name != "404.html"


def search_pages(site: Path) -> list[Path]:
    """The pages Pagefind indexes, in the order the cold build shards them."""
    return sorted(
        path for path in site.rglob("*.html")
        if _is_search_page(path.relative_to(site).as_posix())
    )

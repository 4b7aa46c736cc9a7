"""The build cache: rebuild only what an edit changed, and publish what a cold build would.

It lives in ``.cache/portal/`` (git-ignored, deletable at any time):

* **Validated meetings** (``models/``), one pickle per meeting file, keyed by the file's bytes,
  its name and the loader's code: a file that did not change is not parsed and validated again.
* **Search shards** (``search/``): the files Pagefind wrote for one shard, keyed by that shard's
  records (each page's terms, metadata and place), Pagefind's version and the search code. A shard
  whose records did not change gets the bytes Pagefind wrote for them, without running Pagefind.
* **The last published site**: ``state-<site>.json`` records what the site in ``site/`` was built
  from (the global key, each meeting file's hash) and each published file's size and time;
  ``published-<site>/`` what its MkDocs run left for the next one: each page's search record,
  which meeting each meeting's pages cite (the group's previous one) and which it rendered.

A warm build is allowed only when the global key (templates, overrides, hand-written pages,
settings, the portal's code, every installed package's version, the build date) is unchanged,
the same meeting files exist, and ``site/`` is still exactly what was published. Then MkDocs
renders only the changed meetings, the meetings whose previous one changed or is another now,
and the pages listing meetings (the other meetings' pages registered but excluded, so links
resolve as in a full build); the search index is written from the fresh records of those pages
and the recorded ones of the rest, through the shard cache; every other file is hard-linked from
``site/``. On any doubt the caller builds cold.
"""

from __future__ import annotations

import contextlib
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


@dataclass
class Request:
    """What the planner (``Plan``) asks of one MkDocs run: where the run leaves its records and, for a
    warm build, the changed meetings and the published site's records. Written by the planner to
    ``requests/`` in the cache, named after the folder the run builds into, and read by the run's hook
    (``request_for``): no environment variable carries it."""

    records_out: str | None = None
    """The folder the run leaves its records in."""
    render_only: list[str] | None = None
    """A warm build: the ids of the changed meeting files (None: a full build)."""
    records_in: str | None = None
    """A warm build: the records of the published site's run."""
    published_site: str | None = None
    """A warm build: the published site (its unchanged search files are linked)."""


def _request_path(root: Path, site: Path) -> Path:
    return cache_dir(root) / "requests" / f"{hashlib.sha256(str(Path(site).resolve()).encode()).hexdigest()[:24]}.json"


@contextlib.contextmanager
def asking(root: Path, site: Path, request: Request):
    """While the block runs, the MkDocs run building into ``site`` finds ``request`` (``request_for``)."""
    path = _request_path(root, site)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(request.__dict__), encoding="utf-8")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def request_for(root: Path, site: Path) -> Request | None:
    """What the planner asked of the run building into ``site`` (None: a run nobody planned, e.g. mkdocs serve)."""
    try:
        return Request(**json.loads(_request_path(root, site).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


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
    macros = Path(__file__).resolve().parents[1]
    for path in _tree_files(macros):
        if path.suffix == ".py":
            parts += [path.relative_to(macros).as_posix().encode(), path.read_bytes()]
    return _digest(*parts)


KEY_PARTS = {
    "templates": "模板",
    "pages": "手写页面或主题",
    "settings": "设置",
    "code": "程序",
    "packages": "软件包",
    "date": "生成日期",
}
"""The parts of the global key, and how the build names a part that changed (the reason of a cold build)."""


def key_parts(root: Path, for_files: bool = False) -> dict[str, str]:
    """Everything every page depends on, in named parts: any change means a cold build."""
    from macros.outputs.portal import build_date

    def files_digest(files: list[Path]) -> str:
        parts = []
        for path in files:
            parts.append(path.relative_to(root).as_posix().encode())
            parts.append(path.read_bytes() if path.is_file() else b"\0absent")
        return _digest(*parts)

    def tree(name: str) -> list[Path]:
        return _tree_files(root / name) if (root / name).is_dir() else []

    macros = tree("macros")
    templates = [path for path in macros if path.suffix != ".py"]
    data = root / "data"
    settings = [root / name for name in _SOURCE_FILES]
    if data.is_dir():
        settings += [path for path in _tree_files(data) if "meetings" not in path.relative_to(data).parts[:1]]
    environment = [f"{name}={os.environ.get(name, '')}".encode() for name in _ENV_INPUTS]
    versions = sorted({f"{dist.metadata['Name']}=={dist.version}".lower() for dist in metadata.distributions()})
    # The portal's date (checklists, deadlines) and the UTC date MkDocs writes into sitemap.xml.
    utc_today = dt.datetime.now(dt.timezone.utc).date()
    return {
        "templates": files_digest(templates),
        "pages": files_digest(tree("docs") + tree("overrides")),
        "settings": _digest(files_digest(settings).encode(), f"for_files={for_files}".encode(), *environment),
        "code": _digest(sys.version.encode(), files_digest([path for path in macros if path.suffix == ".py"]).encode()),
        "packages": _digest("\n".join(versions).encode()),
        "date": _digest(build_date().isoformat().encode(), utc_today.isoformat().encode()),
    }


def global_key(root: Path, for_files: bool = False) -> str:
    """Everything every page depends on, as one digest."""
    parts = key_parts(root, for_files)
    return _digest(*(f"{name}={parts[name]}".encode() for name in KEY_PARTS))


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


# What a cached MkDocs run reads and leaves (called by the build's pipeline).

def previous_links(meetings) -> dict[str, str | None]:
    """Each meeting's group's previous meeting (its pages cite that one's rectification list)."""
    from macros.model.rectification import previous_meeting

    links = {}
    for meeting in meetings:
        previous = previous_meeting(meeting)
        links[meeting.id] = previous.id if previous is not None else None
    return links


def meetings_to_render(meetings, request: Request | None) -> set[str] | None:
    """The meetings a warm build's MkDocs run renders (None: every meeting, a cold build): the changed
    ones, those whose previous meeting changed, and those whose previous meeting is another one now."""
    if request is None or request.render_only is None:
        return None
    changed = set(request.render_only)
    old = json.loads((Path(request.records_in) / "links.json").read_text(encoding="utf-8"))
    links = previous_links(meetings)
    return {
        meeting_id for meeting_id, previous in links.items()
        if meeting_id in changed or previous in changed or meeting_id not in old or old[meeting_id] != previous
    }


def years_to_render(meetings, rendered: set[str] | None, request: Request | None) -> set[int] | None:
    """The year pages a warm build's MkDocs run renders (None: all of them): the years of the meetings
    it renders. A year page lists that year's meetings only; if a meeting's year changed, every one."""
    if rendered is None:
        return None
    try:
        old = json.loads((Path(request.records_in) / "years.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None
    if any(old.get(meeting.id) != meeting.year for meeting in meetings):
        return None
    return {meeting.year for meeting in meetings if meeting.id in rendered}


def record_links(meetings, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "links.json").write_text(json.dumps(previous_links(meetings), sort_keys=True), encoding="utf-8")
    years = {meeting.id: meeting.year for meeting in meetings}
    (folder / "years.json").write_text(json.dumps(years, sort_keys=True), encoding="utf-8")


def complete_search(index, rendered: set[str] | None, request: Request | None) -> None:
    """A warm run's search index: add the recorded pages it did not render (not of a rendered meeting)."""
    if rendered is None:
        return
    folder = Path(request.records_in)
    with (folder / "search.pickle").open("rb") as handle:
        recorded = pickle.load(handle)
    for src_uri, page in recorded:
        parts = src_uri.split("/")
        if parts[0] == "meetings" and len(parts) == 3 and parts[1] in rendered:
            continue
        if page.url not in index.pages:
            index.restore(src_uri, page)


def record_search(index, rendered: set[str] | None, years: set[int] | None, folder: Path) -> None:
    """Leave this run's search records, and the meetings and year pages it rendered, for the next warm build."""
    folder.mkdir(parents=True, exist_ok=True)
    records = [(index.sources[page.url], page) for page in index.ordered()]
    (folder / "search.pickle").write_bytes(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    (folder / "rendered.json").write_text(json.dumps(None if rendered is None else sorted(rendered)), encoding="utf-8")
    (folder / "rendered-years.json").write_text(json.dumps(None if years is None else sorted(years)), encoding="utf-8")


class CachedShardWriter:
    """The search index's parts from earlier work where their inputs did not change.

    A shard is keyed by its records (each page's terms, metadata and place), Pagefind's version
    and the search code. Pagefind's command line writes the same bytes for the same records (the
    reason the portal uses it), so a shard whose records did not change is hard-linked from the
    published site (a warm build) or copied from the cache, not indexed again; its character
    pairs (the shard's summary) are kept beside it. A page whose text did not change keeps its
    text file, hard-linked from the published site."""

    def __init__(self, root: Path, request: Request | None = None, fresh=None):
        from macros.outputs import search

        self.fresh = fresh or search.ShardWriter()
        self.folder = cache_dir(root) / "search"
        self.pairs_folder = cache_dir(root) / "pairs"
        self.code = _digest(metadata.version("pagefind").encode(), Path(search.__file__).read_bytes()).encode()
        self.used: list[str] = []
        self.indexed = 0
        """How many shards Pagefind indexed (the others were linked or copied)."""
        self._keys: dict[int, tuple[list, str]] = {}
        # A warm build's run: the published site's index, and what each of its parts was made from.
        self.published: Path | None = None
        self.published_shards: dict[str, Path] = {}
        self.published_texts: list[str] = []
        self.records_out = Path(request.records_out) if request is not None and request.records_out else None
        site = request.published_site if request is not None else None
        records = Path(request.records_in) if request is not None and request.records_in else None
        if site and records is not None:
            try:
                keys = json.loads((records / "shards.json").read_text(encoding="utf-8"))
                with (records / "search.pickle").open("rb") as handle:
                    self.published_texts = [page.text for _, page in pickle.load(handle)]
            except (OSError, ValueError, pickle.PickleError):
                return
            self.published = Path(site) / "pagefind"
            self.published_shards = {key: self.published / str(number) for number, key in enumerate(keys)}

    def key(self, pages) -> str:
        known = self._keys.get(id(pages))
        if known is not None and known[0] is pages:
            return known[1]
        from macros.outputs.search import shard_key

        key = _digest(self.code, shard_key(pages).encode())
        self._keys[id(pages)] = (pages, key)
        return key

    def index(self, pages, output: Path) -> None:
        key = self.key(pages)
        self.used.append(key)
        self._record_use()
        for source, copy in ((self.published_shards.get(key), os.link), (self.folder / key, shutil.copy2)):
            if source is not None and source.is_dir():
                try:
                    shutil.copytree(source, output, copy_function=copy, dirs_exist_ok=True)
                    return
                except OSError:
                    shutil.rmtree(output, ignore_errors=True)
        self.fresh.index(pages, output)
        self.indexed += 1
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f"{key}.{os.getpid()}.tmp"
            shutil.rmtree(temporary, ignore_errors=True)
            shutil.copytree(output, temporary)
            os.replace(temporary, self.folder / key)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def pairs(self, pages) -> set[str]:
        path = self.pairs_folder / f"{self.key(pages)}.json"
        try:
            return set(json.loads(path.read_text(encoding="ascii")))
        except (OSError, ValueError):
            pass
        pairs = self.fresh.pairs(pages)
        try:
            self.pairs_folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(sorted(pairs)), encoding="ascii")
            os.replace(temporary, path)
        except OSError:
            pass
        return pairs

    def text(self, number: int, page, path: Path) -> None:
        if self.published is not None and number < len(self.published_texts) and self.published_texts[number] == page.text:
            try:
                os.link(self.published / "text" / path.name, path)
                return
            except OSError:
                pass
        self.fresh.text(number, page, path)

    @property
    def shards(self) -> int:
        return len(self.used)

    def _record_use(self) -> None:
        folder = self.records_out
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "shards.json").write_text(json.dumps(self.used), encoding="utf-8")


def prune_shards(root: Path) -> None:
    """Remove the cached shards no published site's records name (and half-written ones)."""
    folder = cache_dir(root) / "search"
    if not folder.is_dir():
        return
    kept: set[str] = set()
    for published in cache_dir(root).glob("published-*"):
        try:
            kept.update(json.loads((published / "shards.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            pass
    for entry in folder.iterdir():
        if entry.name not in kept:
            shutil.rmtree(entry, ignore_errors=True)
    pairs = cache_dir(root) / "pairs"
    if pairs.is_dir():
        for entry in pairs.iterdir():
            if entry.name.removesuffix(".json") not in kept:
                entry.unlink(missing_ok=True)


def meeting_hashes(root: Path) -> dict[str, str] | None:
    """Each meeting file's hash, by its path under the root; None when the folder has a problem
    (a cold build reports it)."""
    from macros.model.meeting import meeting_files

    paths, errors = meeting_files(root / "data" / "meetings", root)
    if errors:
        return None
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def site_manifest(site: Path) -> dict[str, list[int]]:
    """Every file of a site: its size and modification time (a changed file changes one of them)."""
    manifest: dict[str, list[int]] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():  # as os.walk: a link to a folder is not followed
                        walk(entry.path, f"{prefix}{entry.name}/")
                else:
                    stat = entry.stat()
                    manifest[prefix + entry.name] = [stat.st_size, stat.st_mtime_ns]

    walk(str(site), "")
    return manifest


@dataclass
class Plan:
    """One build's view of the cache: what the inputs are now and what the published site was built from."""

    root: Path
    site: Path
    for_files: bool = False
    key: str = ""
    parts: dict[str, str] = field(default_factory=dict)
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
        plan._last = time.perf_counter()
        if not enabled():
            plan.reason = "已关闭生成缓存"
            return plan
        plan.parts = key_parts(root, for_files)
        plan.key = _digest(*(f"{name}={plan.parts[name]}".encode() for name in KEY_PARTS))
        plan.hashes = meeting_hashes(root)
        try:
            plan.state = json.loads(plan.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            plan.state = None
        return plan

    def changed_ids(self) -> list[str] | None:
        """The ids of changed meeting files, or None when only a cold build will do (``reason`` says why)."""
        if not hasattr(self, "_changed"):
            self._changed = self._changed_ids()
        return self._changed

    def _changed_ids(self) -> list[str] | None:
        state = self.state
        if not enabled():
            return None
        if not state or state.get("site") != str(self.site.absolute()):
            self.reason = "没有上次生成的记录"
            return None
        if state.get("key") != self.key:
            old_parts = state.get("parts", {})
            changed_parts = [KEY_PARTS[name] for name in KEY_PARTS if old_parts.get(name) != self.parts.get(name)]
            self.reason = "、".join(changed_parts or ["模板、程序或设置"]) + "有改动"
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

    def lap(self, step: str) -> None:
        """Note how long ``step`` took (since the last step); PORTAL_BUILD_TIMES prints them."""
        now = time.perf_counter()
        self.timings[step] = now - self._last
        self._last = now

    @property
    def published(self) -> Path:
        """What the published site's MkDocs run left for the next warm build."""
        return cache_dir(self.root) / f"published-{self.site.name}"

    @property
    def run_folder(self) -> Path:
        """Where this build's MkDocs run leaves its records (``published`` once it is published)."""
        return cache_dir(self.root) / f"run-{self.site.name}"

    def asking(self, site: Path, **warm):
        """While the block runs, the MkDocs run building into ``site`` leaves its records in
        ``run_folder`` (and, with ``warm``'s fields, renders only what changed)."""
        if not enabled():
            return contextlib.nullcontext()
        shutil.rmtree(self.run_folder, ignore_errors=True)
        return asking(self.root, site, Request(records_out=str(self.run_folder), **warm))

    def _warm(self, fresh: Path, changed: list[str], env: dict) -> bool:
        from macros.adapters import runner

        files: dict[str, list[int]] = self.state["files"]
        if "pagefind/shards.json" not in files or not all(
            (self.published / name).is_file() for name in ("links.json", "years.json", "search.pickle", "shards.json")
        ):
            self.reason = "没有上次生成的记录"
            return False
        if not changed:
            # Only files added to site/ since (make pdf's) differ: the published files are the build.
            self._link(files, fresh, ())
            shutil.rmtree(self.run_folder, ignore_errors=True)
            shutil.copytree(self.published, self.run_folder)
            self.lap(f"link {len(files)} unchanged files")
            return True
        scratch = cache_dir(self.root) / "scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            command = runner.build_command(self.root / "mkdocs.yml", scratch, for_files=self.for_files)
            warm = dict(render_only=changed, records_in=str(self.published), published_site=str(self.site.resolve()))
            with self.asking(scratch, **warm):
                result = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                self.reason = "增量生成失败"
                return False
            if os.environ.get("PORTAL_BUILD_TIMES"):
                # The MkDocs run's own figures (its total, the search index's share).
                for line in result.stderr.splitlines():
                    if line.startswith("  ") or "Documentation built in" in line:
                        print("  " + line.strip(), file=sys.stderr)
            self.lap("render changed meetings and listing pages")
            rendered_ids = json.loads((self.run_folder / "rendered.json").read_text(encoding="utf-8"))
            rendered_years = json.loads((self.run_folder / "rendered-years.json").read_text(encoding="utf-8"))
            # The rendered meetings' pages and Word files, the pages listing meetings (home, the rendered
            # years: ``years/2021/index.html``, or ``years/2021.html`` for make build-local), the index.
            years = LISTING_PREFIXES if rendered_years is None else tuple(
                f"{prefix}{year}{end}" for prefix in LISTING_PREFIXES for year in rendered_years for end in ("/", ".")
            )
            replaced = tuple(f"meetings/{meeting_id}/" for meeting_id in rendered_ids) + years + ("pagefind/",)
            made = set(site_manifest(scratch))
            wanted = {name for name in files if name.startswith(replaced)} | set(LISTING_PAGES)
            fresh_names = {name for name in made if name.startswith(replaced)} | set(LISTING_PAGES)
            # Pagefind names its files by their content: the index is taken whole from the run.
            if {name for name in wanted ^ fresh_names if not name.startswith("pagefind/")} or "pagefind/shards.json" not in made:
                self.reason = "改动会议的页面文件与上次不同"
                return False
            self._link(files, fresh, replaced)
            for name in fresh_names:
                target = fresh / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(scratch / name, target)
            self.lap(f"link {len(files) - len(fresh_names)} unchanged files, {len(rendered_ids)} meetings rendered")
            return True
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _link(self, files: dict, fresh: Path, replaced: tuple) -> None:
        """Hard-link the published files into ``fresh``, except the ones under ``replaced`` and the listing pages."""
        for name in files:
            if name.startswith(replaced) or (replaced and name in LISTING_PAGES):
                continue
            target = fresh / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.site / name, target)
            except OSError:
                shutil.copy2(self.site / name, target)

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
                "parts": self.parts,
                "meetings": self.hashes,
                "files": site_manifest(self.site),
                "recorded": dt.datetime.now().isoformat(timespec="seconds"),
            }
            if not self.run_folder.is_dir():
                return
            shutil.rmtree(self.published, ignore_errors=True)
            os.replace(self.run_folder, self.published)
            prune_shards(self.root)
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
            shutil.rmtree(self.published, ignore_errors=True)

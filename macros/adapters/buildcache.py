"""The build cache: rebuild only what an edit changed, and publish what a cold build would.

It lives in ``.cache/portal/`` (git-ignored, deletable at any time):

* **Validated meetings** (``models/``), one pickle per meeting file, keyed by the file's bytes,
  its name and the loader's code: a file that did not change is not parsed and validated again.
* **Search shards** (``search/``): the files Pagefind wrote for one shard, keyed by that shard's
  records (each page's terms, metadata and place), Pagefind's version and the search code. A shard
  whose records did not change gets the bytes Pagefind wrote for them, without running Pagefind.
* **The last published site**: ``state-<site>.json`` records what the site in ``site/`` was built
  from (the global key, each meeting file's hash) and each published file's content hash;
  ``published-<site>/`` what its MkDocs run left for the next one: each page's search record,
  which meeting each meeting's pages cite (the group's previous one) and which it rendered.

Nothing is reused on trust: every artefact is written with the content hash of its bytes (a folder
with the hash of each of its files) and checked against it before use; one that fails is made again,
and the build says so (``damaged``). The published site is checked file by file against the hashes
recorded when it was published.

A warm build is allowed only when the global key (templates, overrides, hand-written pages,
settings and every environment variable the build reads — the configuration's ``!ENV`` ones, found
by reading it, and the portal's options, found where they are read —, the portal's code, every
installed package's version, the build date) is unchanged,
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
MKDOCS_READS = ("SOURCE_DATE_EPOCH",)
"""What MkDocs itself reads from the environment besides its configuration's ``!ENV`` tags (the dates
it writes). The configuration's variables and the portal's own options are found where they are read."""
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
    today: str | None = None
    """The build's date (ISO), fixed once when the build began: every page uses it."""


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


class Damaged(ValueError):
    """A cached artefact whose bytes are not the ones written (a disk error, a killed copy, a bad restore)."""


_SEAL = b"portal-sha256:"
SEALED_FOLDER = ".portal-sealed"
"""The file in a cached folder listing each of its files' hash (never copied into a site)."""


def seal(data: bytes) -> bytes:
    """``data`` with its content hash written before it: ``unseal`` gives it back only if unchanged."""
    return _SEAL + hashlib.sha256(data).hexdigest().encode() + b"\n" + data


def unseal(raw: bytes) -> bytes:
    head, newline, data = raw.partition(b"\n")
    if not newline or head != _SEAL + hashlib.sha256(data).hexdigest().encode():
        raise Damaged("content hash mismatch")
    return data


def write_sealed(path: Path, data: bytes) -> None:
    """Write ``data`` sealed with its hash, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(seal(data))
    os.replace(temporary, path)


def read_sealed(path: Path) -> bytes:
    """The data ``write_sealed`` wrote; raises Damaged if any byte changed, OSError if it is unreadable."""
    return unseal(path.read_bytes())


def read_json(path: Path):
    return json.loads(read_sealed(path).decode("utf-8"))


def write_json(path: Path, value) -> None:
    write_sealed(path, json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def _folder_hashes(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): file_hash(path)
        for path in sorted(folder.rglob("*")) if path.is_file() and path.name != SEALED_FOLDER
    }


def seal_folder(folder: Path) -> None:
    """Write the hash of every file of ``folder`` into it (``verified_folder`` checks them)."""
    write_json(folder / SEALED_FOLDER, _folder_hashes(folder))


def verified_folder(folder: Path) -> bool:
    """Whether ``folder`` holds exactly the files, with exactly the bytes, ``seal_folder`` recorded."""
    try:
        return read_json(folder / SEALED_FOLDER) == _folder_hashes(folder)
    except (OSError, ValueError):
        return False


def file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def damaged(what: str) -> None:
    """Say that a cached artefact failed its check and is made again (the build goes on, without it)."""
    print(f"注意：生成缓存中的{what}已损坏，这次不用它，重新生成。", file=sys.stderr, flush=True)


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


def _data_files(folder: Path) -> list[Path]:
    """Every entry of ``folder``'s tree that is not a folder (links and special files too: the key
    holds a marker for each, as the loader refuses them), without following links to folders."""
    found = []
    for parent, folders, files in os.walk(folder):
        found += [Path(parent, name) for name in files]
        found += [Path(parent, name) for name in folders if os.path.islink(os.path.join(parent, name))]
    return sorted(found)


def _contents(path: Path) -> bytes:
    """A key input's bytes; a file that cannot be read is a marker (the cold build then reports it)."""
    try:
        return path.read_bytes() if path.is_file() else b"\0absent"
    except OSError as exc:
        return f"\0unreadable {exc.errno}".encode()


def _data_contents(path: Path) -> bytes:
    """A file of ``data/`` other than a meeting file (the portal's settings, a year's notice), read as
    the loader reads data: a plain file only, never through a link, in chunks whatever its size; a file
    that cannot be read so is a marker (the cold build then reports it)."""
    from macros.model import datafile

    try:
        return datafile.stream_digest(path).encode()
    except datafile.UnreadableFile as exc:
        return f"\0unreadable {exc}".encode()


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


def config_variables(config: Path) -> list[str]:
    """The environment variables a MkDocs configuration reads through ``!ENV`` (its ``INHERIT``ed
    files' too), found by reading it as MkDocs does: the cache's key holds their values."""
    import yaml

    names: list[str] = []

    class Loader(yaml.SafeLoader):
        pass

    def environment_tag(loader, node):
        if isinstance(node, yaml.ScalarNode):
            names.append(loader.construct_scalar(node))
        elif isinstance(node, yaml.SequenceNode):
            # [A, B, default]: the first variable set gives the value, else the last item (MkDocs' rule).
            variables = node.value[:-1] if len(node.value) > 1 else node.value
            names.extend(loader.construct_scalar(child) for child in variables if isinstance(child, yaml.ScalarNode))

    Loader.add_constructor("!ENV", environment_tag)
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    try:
        loaded = yaml.load(config.read_text(encoding="utf-8"), Loader)
    except (OSError, ValueError, yaml.YAMLError):  # MkDocs itself says what is wrong with it
        return sorted(set(names))
    inherited = loaded.get("INHERIT") if isinstance(loaded, dict) else None
    if isinstance(inherited, str):
        names += config_variables(config.parent / inherited)
    return sorted(set(names))


def environment_read(root: Path, options: dict[str, str], env=os.environ) -> dict[str, str]:
    """Every environment variable a build reads, with its value: the configuration's ``!ENV``
    variables, MkDocs' own and the portal's options (``options``: as the pipeline read them)."""
    names = [*config_variables(root / "mkdocs.yml"), *MKDOCS_READS]
    return {**{name: env.get(name, "") for name in names}, **options}


def key_parts(root: Path, for_files: bool = False, environment: dict[str, str] | None = None,
              today: dt.date | None = None) -> dict[str, str]:
    """Everything every page depends on, in named parts: any change means a cold build.
    ``environment``: the variables the build reads (``environment_read``); ``today``: its date."""
    from macros.outputs.portal import build_date

    if environment is None:
        environment = environment_read(root, {})
    def files_digest(files: list[Path], read=_contents) -> str:
        parts = []
        for path in files:
            parts.append(path.relative_to(root).as_posix().encode())
            parts.append(read(path))
        return _digest(*parts)

    def tree(name: str) -> list[Path]:
        return _tree_files(root / name) if (root / name).is_dir() else []

    macros = tree("macros")
    templates = [path for path in macros if path.suffix != ".py"]
    data = root / "data"
    settings = [root / name for name in _SOURCE_FILES]
    data_files = []
    if data.is_dir():
        data_files = [path for path in _data_files(data) if "meetings" not in path.relative_to(data).parts[:1]]
    variables = [f"{name}={value}".encode() for name, value in sorted(environment.items())]
    versions = sorted({f"{dist.metadata['Name']}=={dist.version}".lower() for dist in metadata.distributions()})
    # The portal's date (checklists, deadlines) and the UTC date MkDocs writes into sitemap.xml.
    utc_today = dt.datetime.now(dt.timezone.utc).date()
    return {
        "templates": files_digest(templates),
        "pages": files_digest(tree("docs") + tree("overrides")),
        "settings": _digest(files_digest(settings).encode(), files_digest(data_files, _data_contents).encode(),
                            f"for_files={for_files}".encode(), *variables),
        "code": _digest(sys.version.encode(), files_digest([path for path in macros if path.suffix == ".py"]).encode()),
        "packages": _digest("\n".join(versions).encode()),
        "date": _digest((today or build_date()).isoformat().encode(), utc_today.isoformat().encode()),
    }


def global_key(root: Path, for_files: bool = False, environment: dict[str, str] | None = None,
               today: dt.date | None = None) -> str:
    """Everything every page depends on, as one digest."""
    parts = key_parts(root, for_files, environment, today)
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
        path = self._path(name, data)
        try:
            raw = path.read_bytes()
        except OSError:  # absent: validate
            return None
        try:
            return pickle.loads(unseal(raw))
        except Exception:  # damaged, or from another version: validate again
            damaged(f"会议文件 {name} 的校验结果")
            return None

    def store(self, name: str, data: bytes, record) -> None:
        path = self._path(name, data)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(seal(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)))
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
    old = read_json(Path(request.records_in) / "links.json")
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
        old = read_json(Path(request.records_in) / "years.json")
    except (OSError, ValueError, TypeError):
        return None
    if any(old.get(meeting.id) != meeting.year for meeting in meetings):
        return None
    return {meeting.year for meeting in meetings if meeting.id in rendered}


def record_links(meetings, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "links.json", previous_links(meetings))
    write_json(folder / "years.json", {meeting.id: meeting.year for meeting in meetings})


def complete_search(index, rendered: set[str] | None, request: Request | None) -> None:
    """A warm run's search index: add the recorded pages it did not render (not of a rendered meeting)."""
    if rendered is None:
        return
    folder = Path(request.records_in)
    recorded = pickle.loads(read_sealed(folder / "search.pickle"))
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
    write_sealed(folder / "search.pickle", pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    write_json(folder / "rendered.json", None if rendered is None else sorted(rendered))
    write_json(folder / "rendered-years.json", None if years is None else sorted(years))


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
                keys = read_json(records / "shards.json")
                self.published_texts = [page.text for _, page in pickle.loads(read_sealed(records / "search.pickle"))]
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
        # The published site's shard (its files checked against their recorded hashes before this
        # build began), else the cache's, checked against the hashes written with it.
        cached = self.folder / key
        if cached.is_dir() and not verified_folder(cached):
            damaged("搜索索引分片")
            shutil.rmtree(cached, ignore_errors=True)
        for source, copy in ((self.published_shards.get(key), os.link), (cached, shutil.copy2)):
            if source is not None and source.is_dir():
                try:
                    shutil.copytree(source, output, copy_function=copy, dirs_exist_ok=True,
                                    ignore=shutil.ignore_patterns(SEALED_FOLDER))
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
            seal_folder(temporary)
            os.replace(temporary, self.folder / key)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def pairs(self, pages) -> set[str]:
        path = self.pairs_folder / f"{self.key(pages)}.json"
        try:
            return set(read_json(path))
        except OSError:
            pass
        except ValueError:
            damaged("搜索索引分片摘要")
        pairs = self.fresh.pairs(pages)
        try:
            write_json(path, sorted(pairs))
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
            write_json(folder / "shards.json", self.used)


def prune_shards(root: Path) -> None:
    """Remove the cached shards no published site's records name (and half-written ones)."""
    folder = cache_dir(root) / "search"
    if not folder.is_dir():
        return
    kept: set[str] = set()
    for published in cache_dir(root).glob("published-*"):
        try:
            kept.update(read_json(published / "shards.json"))
        except (OSError, ValueError):
            pass
    for entry in folder.iterdir():
        if entry.name not in kept:
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
    pairs = cache_dir(root) / "pairs"
    if pairs.is_dir():
        for entry in pairs.iterdir():
            if entry.name.removesuffix(".json") not in kept:
                entry.unlink(missing_ok=True)


def meeting_hashes(root: Path) -> dict[str, str] | None:
    """Each meeting file's hash, by its path under the root; None when the folder has a problem
    (a cold build reports it)."""
    from macros.model import datafile
    from macros.model.meeting import meeting_files

    paths, errors = meeting_files(root / "data" / "meetings", root)
    if errors:
        return None
    try:
        # Read as the loader reads: a file unreadable, vanished or not plain is the cold build's to report.
        return {path.relative_to(root).as_posix(): datafile.digest(path) for path in paths}
    except (datafile.UnreadableFile, OSError):
        return None


def site_files(site: Path) -> dict[str, os.stat_result]:
    """Every file of a site, by its path in the site (links to folders are not followed, as os.walk)."""
    found: dict[str, os.stat_result] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():
                        walk(entry.path, f"{prefix}{entry.name}/")
                else:
                    found[prefix + entry.name] = entry.stat()

    walk(str(site), "")
    return found


def site_hashes(site: Path, files: dict[str, os.stat_result], known: dict | None = None) -> dict[str, str]:
    """The content hash of each of ``files`` (``site_files``). ``known``: hashes by file identity
    (device, inode, size, time), reused for the same file and filled in (a warm build's new site is
    mostly hard links to the files just checked)."""
    import concurrent.futures

    known = {} if known is None else known
    hashes: dict[str, str] = {}
    missing = []
    for name, stat in files.items():
        identity = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if identity in known:
            hashes[name] = known[identity]
        else:
            missing.append((name, identity))

    def hash_all(part: list[tuple[str, tuple]]) -> list[str]:
        return [file_hash(site / name) for name, _ in part]

    # One thread a core, each with its share of the files: hashing releases the interpreter's lock, and
    # a task a file cost more in handing over than the hashing of a small file.
    threads = max(1, min(4, os.cpu_count() or 1))
    parts = [missing[start::threads] for start in range(threads)]
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for part, digests in zip(parts, pool.map(hash_all, parts)):
            for (name, identity), digest in zip(part, digests):
                hashes[name] = known[identity] = digest
    return hashes


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
    environment: dict[str, str] = field(default_factory=dict)
    """Every environment variable the build reads, with its value (``environment_read``)."""
    today: dt.date | None = None
    """The build's date, fixed once here and handed to the MkDocs run."""
    known: dict = field(default_factory=dict)
    """Content hashes of the published site's files, by file identity (see ``site_hashes``)."""

    @property
    def state_path(self) -> Path:
        return cache_dir(self.root) / f"state-{self.site.name}.json"

    @classmethod
    def prepare(cls, root: Path, site: Path, for_files: bool = False, *, environment: dict[str, str],
                today: dt.date | None = None) -> "Plan":
        """``for_files``: the site is built with links to .html files (make build-local); ``environment``:
        the variables the build reads; ``today``: the build's date. The inputs are hashed now, once: the
        build publishes only if they are the same when it ends (``inputs_moved``)."""
        from macros.outputs.portal import build_date

        plan = cls(root, site, for_files, environment=dict(environment))
        plan._last = time.perf_counter()
        plan.today = today or build_date()
        plan.parts = key_parts(root, for_files, plan.environment, plan.today)
        plan.key = _digest(*(f"{name}={plan.parts[name]}".encode() for name in KEY_PARTS))
        plan.hashes = meeting_hashes(root)
        if not enabled():
            plan.reason = "已关闭生成缓存"
            return plan
        try:
            plan.state = read_json(plan.state_path)
        except OSError:
            plan.state = None
        except ValueError:
            plan.state = None
            plan.reason = "上次生成的记录已损坏"
        return plan

    def inputs_moved(self) -> bool:
        """Whether any input (a meeting file, a template, a setting, the date…) differs from when the
        build began: what was built then matches no single version of the data, and is not published."""
        return meeting_hashes(self.root) != self.hashes or global_key(
            self.root, self.for_files, self.environment, self.today) != self.key

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
            self.reason = self.reason or "没有上次生成的记录"
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
        # Every published file is checked by its content. Files added since (``make pdf`` writes
        # site/pdf/) are left out, as a cold build leaves them out.
        recorded: dict[str, str] = state.get("files", {})
        present = site_files(self.site)
        if not set(recorded) <= set(present):
            self.reason = "site/ 中的文件在生成后被改动过"
            return None
        hashes = site_hashes(self.site, {name: present[name] for name in recorded}, self.known)
        if hashes != recorded:
            self.reason = "site/ 中的文件在生成后被改动过"
            return None
        self.extra_files = len(present) - len(recorded)
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
        """While the block runs, the MkDocs run building into ``site`` uses this build's date and
        leaves its records in ``run_folder`` (and, with ``warm``'s fields, renders only what changed)."""
        if not enabled():
            return asking(self.root, site, Request(today=self.today.isoformat()))
        shutil.rmtree(self.run_folder, ignore_errors=True)
        return asking(self.root, site, Request(records_out=str(self.run_folder), today=self.today.isoformat(), **warm))

    def _warm(self, fresh: Path, changed: list[str], env: dict) -> bool:
        from macros.adapters import runner

        files: dict[str, str] = self.state["files"]
        if "pagefind/shards.json" not in files or not all(
            (self.published / name).is_file() for name in ("links.json", "years.json", "search.pickle", "shards.json")
        ):
            self.reason = "没有上次生成的记录"
            return False
        try:
            for name in ("links.json", "years.json", "search.pickle", "shards.json", "rendered.json", "rendered-years.json"):
                read_sealed(self.published / name)
        except (OSError, ValueError):
            self.reason = "上次生成的记录已损坏"
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
            for line in result.stderr.splitlines():
                if line.startswith("注意："):  # what the run says to people (a damaged cache entry)
                    print(line, file=sys.stderr)
            if result.returncode != 0:
                self.reason = "增量生成失败"
                return False
            if os.environ.get("PORTAL_BUILD_TIMES"):
                # The MkDocs run's own figures (its total, the search index's share).
                for line in result.stderr.splitlines():
                    if line.startswith("  ") or "Documentation built in" in line:
                        print("  " + line.strip(), file=sys.stderr)
            self.lap("render changed meetings and listing pages")
            rendered_ids = read_json(self.run_folder / "rendered.json")
            rendered_years = read_json(self.run_folder / "rendered-years.json")
            # The rendered meetings' pages and Word files, the pages listing meetings (home, the rendered
            # years: ``years/2021/index.html``, or ``years/2021.html`` for make build-local), the index.
            years = LISTING_PREFIXES if rendered_years is None else tuple(
                f"{prefix}{year}{end}" for prefix in LISTING_PREFIXES for year in rendered_years for end in ("/", ".")
            )
            replaced = tuple(f"meetings/{meeting_id}/" for meeting_id in rendered_ids) + years + ("pagefind/",)
            made = set(site_files(scratch))
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
        """Remember what the just published site was built from, and each of its files' content hash."""
        if not enabled():
            return
        try:
            # What was published is what the inputs were when the build began (the caller checked
            # that they had not moved before publishing): a later edit is a change for the next build.
            if self.hashes is None:
                self.state_path.unlink(missing_ok=True)
                return
            state = {
                "site": str(self.site.absolute()),
                "key": self.key,
                "parts": self.parts,
                "meetings": self.hashes,
                "files": site_hashes(self.site, site_files(self.site), self.known),
                "recorded": dt.datetime.now().isoformat(timespec="seconds"),
            }
            if not self.run_folder.is_dir():
                return
            shutil.rmtree(self.published, ignore_errors=True)
            os.replace(self.run_folder, self.published)
            prune_shards(self.root)
            write_json(self.state_path, state)
        except OSError:
            self.state_path.unlink(missing_ok=True)

    def forget(self) -> None:
        """The published site is about to change outside the cache's knowledge."""
        if enabled():
            self.state_path.unlink(missing_ok=True)
            shutil.rmtree(self.published, ignore_errors=True)

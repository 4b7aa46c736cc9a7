"""One build at a time, and a published site that is never half written: the lock and the publishing
step of ``make build``, with a path for each system.

Every build is made in a new version folder ``site.<stamp>/`` beside ``site`` and published only
when it is complete:

* **Linux and other POSIX systems**: ``site`` is a link to the version folder, repointed by renaming a
  new link over it. The rename is atomic: a web server or a reader sees either the whole old site or
  the whole new one, at every instant.
* **Windows**, where making a link needs an administrator (and any system that refuses to make one):
  ``site`` is a folder. The old one is renamed
  aside (``.site.previous``) and the new version renamed to ``site``: two renames, so for the moment
  between them (microseconds, or until a file that another program holds open in the old folder is
  released) ``site`` does not exist and a web server answers 404. A build killed between the two is
  repaired by the next one, which first puts the previous site back.

The lock is the system's own where there is one (``flock`` on POSIX, ``msvcrt.locking`` on Windows):
it is released when the process ends, however it ends. Elsewhere it is a file created exclusively,
holding the builder's process id; a lock whose process has ended is taken over. Platform modules are
imported only on the path that uses them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sys
import time
from pathlib import Path

LINKS = os.name != "nt"
"""Publish by repointing a link (POSIX); False: by swapping folders (Windows, where links need an administrator)."""

WAITING = "另一次生成正在进行，等它完成后再开始……"
RETRY_SECONDS = 10.0
"""How long a rename refused because a file is in use (Windows) is tried again before giving up."""


class PublishError(Exception):
    """The new version could not be put in place; the previous site is kept (a user error, in Chinese)."""


@contextlib.contextmanager
def lock(site: Path):
    """Hold the lock of ``site`` while building and publishing; a second build waits for the first and says so."""
    path = site.with_name(f".{site.name}.lock")
    try:
        import fcntl
    except ImportError:
        fcntl = None
    if fcntl is not None:
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                _say_waiting()
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        return
    try:
        import msvcrt
    except ImportError:
        msvcrt = None
    if msvcrt is not None:
        with open(path, "a") as handle:
            _wait_for(lambda: _msvcrt_try(msvcrt, handle))
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    owner = site.with_name(f".{site.name}.lock-owner")
    _wait_for(lambda: _owner_file_try(owner))
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            owner.unlink()


def _say_waiting() -> None:
    print(WAITING, file=sys.stderr, flush=True)


def _wait_for(take) -> None:
    if take():
        return
    _say_waiting()
    while not take():
        time.sleep(0.5)


def _msvcrt_try(msvcrt, handle) -> bool:
    """Lock the lock file's first byte (Windows); False while another process holds it."""
    handle.seek(0)
    try:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _owner_file_try(owner: Path) -> bool:
    """Create ``owner`` exclusively with this process's id; take it over from a process that has ended."""
    try:
        descriptor = os.open(owner, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        if _owner_alive(owner):
            return False
        with contextlib.suppress(FileNotFoundError):
            owner.unlink()
        return _owner_file_try(owner)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(str(os.getpid()))
    return True


def _owner_alive(owner: Path) -> bool:
    try:
        text = owner.read_text(encoding="ascii").strip()
        age = time.time() - owner.stat().st_mtime
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    if not text.isdigit():
        # Created but not yet written by its owner, or left so by a crash a minute ago.
        return age < 60
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def new_version(site: Path) -> Path:
    """A free name for the next version folder, ``site.<stamp>``."""
    while True:
        fresh = site.with_name(f"{site.name}.{dt.datetime.now():%Y%m%d-%H%M%S-%f}")
        if not os.path.lexists(fresh):
            return fresh


def is_version(path: Path, site: Path) -> bool:
    return re.fullmatch(re.escape(site.name) + r"\.\d{8}-\d{6}-\d{6}", path.name) is not None


def publish(site: Path, fresh: Path) -> None:
    """Put the complete version ``fresh`` in place as ``site`` (see the module's note for each system)."""
    if not (LINKS and _publish_link(site, fresh)):
        _publish_folder(site, fresh)


def _publish_link(site: Path, fresh: Path) -> bool:
    """Point ``site`` at ``fresh`` in one rename of a new link over the old one; False if no link can be made."""
    link = fresh.with_name(f".{fresh.name}.link")
    try:
        os.symlink(fresh.name, link)
    except (OSError, NotImplementedError):
        return False
    if site.is_dir() and not site.is_symlink():
        # site/ is still a folder (from before versioned publishing, or from Windows): exchange it with the link.
        _exchange(link, site)
        shutil.rmtree(link)
        return True
    _swap(link, site)
    return True


def _swap(link: Path, site: Path) -> None:
    os.replace(link, site)


def _exchange(first: Path, second: Path) -> None:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); elsewhere in two renames."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        exchange = getattr(libc, "renameat2", None)
        at_cwd, rename_exchange = -100, 2
        if exchange and exchange(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange) == 0:
            return
    aside = second.with_name(f".{second.name}.previous")
    second.rename(aside)
    first.rename(second)
    aside.rename(first)


def _publish_folder(site: Path, fresh: Path) -> None:
    """Rename the published folder aside and ``fresh`` into its place; the previous folder is removed after."""
    previous = site.with_name(f".{site.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if site.is_symlink():
        site.unlink()
    elif site.exists():
        _rename(site, previous, site)
    try:
        _move_in(fresh, site)
    except PublishError:
        if previous.exists():
            previous.rename(site)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _move_in(fresh: Path, site: Path) -> None:
    _rename(fresh, site, site)


def _rename(source: Path, target: Path, site: Path) -> None:
    """Rename, trying again for a while when the system refuses because a file is in use (Windows)."""
    deadline = time.monotonic() + RETRY_SECONDS
    while True:
        try:
            source.rename(target)
            return
        except PermissionError:
            if time.monotonic() > deadline:
                raise PublishError(
                    f"新网站已生成，但无法替换 {site.name}/：其中有文件正被其他程序打开（如资源管理器窗口、网站服务器或杀毒软件）。"
                    f"原来的 {site.name}/ 保持不变。请关闭这些程序后再生成一次。"
                ) from None
            time.sleep(0.5)


def remove_leftovers(site: Path) -> None:
    """Remove what a killed build left beside ``site``: unpublished versions, temporary links, search staging.

    Runs under the lock, so nothing it removes belongs to a running build; the published version is
    kept. A site whose publishing was cut short (``.site.previous`` from the folder swap, or ``site.old``
    from the former two-rename publishing, without ``site``) is published again first.
    """
    if not os.path.lexists(site):
        for aside in (site.with_name(f".{site.name}.previous"), site.with_name(f"{site.name}.old")):
            if (aside / "index.html").is_file() and not aside.is_symlink():
                publish(site, aside.rename(new_version(site)))
                break
    current = site.resolve() if site.is_symlink() else None
    for entry in site.parent.iterdir():
        name = entry.name
        if entry.is_symlink() and name.startswith(f".{site.name}.") and name.endswith(".link"):
            entry.unlink()
        elif entry.is_dir() and not entry.is_symlink() and name.startswith(f".{site.name}.") and ".pagefind-" in name:
            shutil.rmtree(entry)
        elif entry.is_dir() and not entry.is_symlink() and entry.resolve() != current:
            if is_version(entry, site) or name in (f"{site.name}.new", f"{site.name}.old", f".{site.name}.previous"):
                shutil.rmtree(entry)

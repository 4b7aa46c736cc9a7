"""Reading a data file safely: a plain file only, never a link, never more than a limit.

Every read of ``data/`` goes through here (loading, ``make check``, the build cache's hashing, the
line an error quotes, ``make clean-text``): a pipe there would hang the build, a device or a link to
one (``/dev/zero``) would fill the memory, a link could publish a file from anywhere, and a file of a
gigabyte would be read whole just to be told it is too large. So the entry is looked at without
following it (``lstat``), opened without following a link and without waiting on a pipe
(``O_NOFOLLOW``, ``O_NONBLOCK`` where the system has them), and what was opened is checked again
(``fstat``: a file swapped between the look and the open is caught) before a byte is read; the size
limit is checked then, and the read stops at the limit even if the file grows meanwhile.

A file that cannot be read (no permission, removed or renamed away between the listing and the
read, a disk error) raises ``UnreadableFile`` with what to do, in Chinese, never an ``OSError``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 256 * 1024
"""The largest data file read: a meeting file is a few KB."""
_CHUNK = 64 * 1024


class UnreadableFile(Exception):
    """A data file that is not read; ``problem`` says why and what to do, for a DataError of the file."""

    def __init__(self, problem: str):
        self.problem = problem
        super().__init__(problem)


def not_a_plain_file(path: Path) -> str:
    """Why ``path`` (not followed if a link) is not read as a data file, or "" when it is a plain file."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return _VANISHED
    except OSError as exc:
        return _cannot_read(exc)
    return _kind_problem(path, status.st_mode)


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the plain file ``path``; UnreadableFile if it is anything else, larger than
    ``limit`` bytes, or cannot be read. Nothing is read before the size is known to be within the limit."""
    with _opened(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise UnreadableFile(too_large(size, limit))
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise UnreadableFile(_cannot_read(exc)) from None
    if len(data) > limit:
        raise UnreadableFile(too_large(len(data), limit))
    return data


def digest(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The SHA-256 of ``path``'s bytes, read as ``read_bytes`` reads them (the build cache's key of a file)."""
    return hashlib.sha256(read_bytes(path, limit)).hexdigest()


def stream_digest(path: Path) -> str:
    """The SHA-256 of the plain file ``path`` of any size, read a chunk at a time (a file under ``data/``
    that is not a meeting file, for the build cache's key); UnreadableFile as ``read_bytes``."""
    with _opened(path) as handle:
        try:
            return hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as exc:
            raise UnreadableFile(_cannot_read(exc)) from None


def leading_lines(path: Path, count: int, limit: int = MAX_FILE_BYTES) -> list[bytes]:
    """The first ``count`` lines of ``path`` (fewer if it has fewer), each without its line feed; [] when
    the file is not a plain file or cannot be read. Reads by chunks of 64 KB up to the one that ends
    line ``count``, and never more than ``limit`` bytes: for quoting a line in an error, which must not
    fail itself."""
    try:
        with _opened(path) as handle:
            read = bytearray()
            while read.count(b"\n") < count and len(read) < limit:
                chunk = handle.read(min(_CHUNK, limit - len(read)))
                if not chunk:
                    break
                read += chunk
    except (UnreadableFile, OSError):
        return []
    return bytes(read).split(b"\n")[:count]


def too_large(size: int, limit: int) -> str:
    return f"文件过大（{-(-size // 1024)} KB，最多 {limit // 1024} KB）。一次会议的文件不会这么大，请检查是否粘贴了多余的内容。"


@contextlib.contextmanager
def _opened(path: Path):
    """The file object of the plain file ``path``, opened safely (see the module's docstring)."""
    problem = not_a_plain_file(path)
    if problem:
        raise UnreadableFile(problem)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableFile(_VANISHED) from None
    except OSError as exc:
        # ELOOP: the file was replaced by a link after it was looked at.
        status = _lstat_or_none(path)
        problem = _kind_problem(path, status.st_mode) if status is not None else _VANISHED
        raise UnreadableFile(problem or _cannot_read(exc)) from None
    try:
        problem = _kind_problem(path, os.fstat(descriptor).st_mode)
        if problem:
            raise UnreadableFile(problem)
        handle = os.fdopen(descriptor, "rb")  # buffered: read(n) returns n bytes unless the file ends first
    except BaseException:
        os.close(descriptor)
        raise
    with handle:
        yield handle


def _lstat_or_none(path: Path):
    try:
        return os.lstat(path)
    except OSError:
        return None


_VANISHED = "文件在读取时不见了（可能正被编辑器保存、改名或移走）。请确认文件还在，然后重新运行。"


def _kind_problem(path: Path, mode: int) -> str:
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "别处"
        return f"是一个链接（指向 {target}），不会被读取。请把文件本身放在这里，不要用链接或快捷方式。"
    if stat.S_ISDIR(mode):
        return "是一个文件夹，不是文件。请把它移出 data/ 或改用别的名称。"
    kind = "管道" if stat.S_ISFIFO(mode) else "设备文件" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "套接字" if stat.S_ISSOCK(mode) else "特殊文件"
    return f"不是普通文件（是一个{kind}），不会被读取。请删去它，只在这里放会议文件本身。"


def _cannot_read(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "没有读取这个文件的权限。请让生成网站的用户可以读取它（如 chmod a+r 加文件名），或重新复制这个文件。"
    if isinstance(exc, FileNotFoundError):
        return _VANISHED
    return f"无法读取这个文件（错误代码 {exc.errno}）。请检查文件的读取权限，或重新复制这个文件。"

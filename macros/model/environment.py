"""The build's settings given as environment variables, read and checked in one place.

``PORTAL_TODAY`` (the date the portal is built as of), ``PORTAL_PAGES_PER_SHARD`` (pages per search
shard) and ``PORTAL_SITE_URL`` (the published address) are documented settings (README); a value
written wrongly is a user's mistake, reported like a data error (the variable, what it says, the form
it takes) by ``make check`` and before a build starts, never a traceback from deep in the build.
Each reader takes the environment as an argument (the process's when not given).
"""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from collections.abc import Mapping

from macros.model.errors import DataError

_DATE_FORM = "请写成“年-月-日”，如 PORTAL_TODAY=2023-01-03；不设置时按生成当天的日期"
_COUNTS = {
    "PORTAL_PAGES_PER_SHARD": "搜索索引每一片的页数",
}


class SettingError(ValueError):
    """An environment setting written wrongly; carries its DataError."""

    def __init__(self, error: DataError):
        self.error = error
        super().__init__(str(error))


def _where(name: str) -> str:
    return f"环境变量 {name}"


def build_date(environ: Mapping[str, str] | None = None) -> dt.date:
    """Today, or PORTAL_TODAY (YYYY-MM-DD) so that a build can be reproduced; SettingError if it is not a date."""
    environ = os.environ if environ is None else environ
    fixed = environ.get("PORTAL_TODAY", "").strip()
    if not fixed:
        return dt.date.today()
    try:
        if len(fixed) != 10:
            raise ValueError(fixed)
        return dt.date.fromisoformat(fixed)
    except ValueError:
        raise SettingError(DataError(_where("PORTAL_TODAY"), 0, "", f"“{fixed}”不是日期。{_DATE_FORM}。")) from None


def count(name: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    """The positive whole number set in ``name`` (``default`` when unset); SettingError otherwise."""
    environ = os.environ if environ is None else environ
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit() and int(value) > 0):
        what = _COUNTS.get(name, "")
        raise SettingError(
            DataError(_where(name), 0, "", f"“{value}”不是正整数。{what}请写成一个正整数，如 {name}=250；不设置时用默认值。")
        )
    return int(value)


def site_url(environ: Mapping[str, str] | None = None) -> str:
    """PORTAL_SITE_URL, the published address (``mkdocs.yml`` reads it): "" when unset; SettingError
    unless it is a whole web address (MkDocs would stop with an English message)."""
    environ = os.environ if environ is None else environ
    value = environ.get("PORTAL_SITE_URL", "")
    if not value:
        return value
    parts = urllib.parse.urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or value != value.strip():
        raise SettingError(
            DataError(_where("PORTAL_SITE_URL"), 0, "", f"“{value}”不是完整的网址。请写成以 http:// 或 https:// 开头的网址，如 PORTAL_SITE_URL=http://intranet/portal/；网站放在服务器根目录时不用设置。")
        )
    return value


def problems(environ: Mapping[str, str] | None = None) -> list[DataError]:
    """Every environment setting written wrongly (empty when all are right or unset)."""
    found = []
    checks = [
        lambda: build_date(environ),
        *(lambda name=name: count(name, 1, environ) for name in _COUNTS),
        lambda: site_url(environ),
    ]
    for check in checks:
        try:
            check()
        except SettingError as exc:
            found.append(exc.error)
    return found

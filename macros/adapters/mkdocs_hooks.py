"""MkDocs hook: the only place where MkDocs meets the portal, and wiring only.

Each hook hands MkDocs' objects to the build's pipeline (``macros/adapters/pipeline.py``, where the
stages are named and run) and takes the results back: the loaded meetings, the generated pages, each
converted page, the end of the build. A failed stage stops the build with its Chinese message.
"""

from __future__ import annotations

import functools
import hashlib
import html as html_lib
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File, InclusionLevel  # noqa: E402

from macros.adapters import buildcache  # noqa: E402
from macros.adapters.pipeline import Build, BuildFailed, Options, failure  # noqa: E402
from macros.model.errors import DataErrors  # noqa: E402
from macros.outputs.error_page import write_error_site  # noqa: E402

_SERVE = "build"
"""The command MkDocs runs (``on_startup``): under ``serve``, data errors are shown in the browser."""
_ROUTINE = ("mkdocs.plugins.mkdocs_macros", "mkdocs.commands.build")


def _build(config) -> Build:
    """This build's pipeline (in ``extra``, so that the macros module finds the portal too)."""
    return config["extra"]["portal_build"]


def _stopping(hook):
    """A failed stage stops the build with its message; the workers are ended."""
    @functools.wraps(hook)
    def run(*args, **kwargs):
        try:
            return hook(*args, **kwargs)
        except (BuildFailed, OSError) as exc:
            config = kwargs.get("config") or next(arg for arg in args if hasattr(arg, "site_dir"))
            if "portal_build" in config["extra"]:
                _build(config).stop()
            raise Abort(str(failure("生成", exc))) from None
    return run


def on_startup(command, dirty):
    # MkDocs calls this once per run, before any config: the one fact kept across its builds.
    globals()["_SERVE"] = command
    # Office staff read the terminal: the macros plugin's and MkDocs' routine English notes on each
    # build say nothing to them (warnings and errors still show; the command line says what was built).
    for name in _ROUTINE:
        logging.getLogger(name).setLevel(logging.WARNING)


@event_priority(100)
@_stopping
def on_config(config):
    if not config.use_directory_urls:
        # The folder copy (make build-local) is opened from a folder, where no server shows a 404 page
        # and one opened by itself would find neither its styles nor its links: it has none.
        config.theme.static_templates.discard("404.html")
    root = Path(config.config_file_path).resolve().parent
    site = Path(config.site_dir)
    options = Options.read(root, site, serving=_SERVE == "serve", home_meetings=config["extra"].get("portal_home_meetings"))
    if options.times:
        for name in _ROUTINE:
            logging.getLogger(name).setLevel(logging.NOTSET)
    request = buildcache.request_for(root, site)
    try:
        config["extra"]["portal_build"] = Build.load(options, request)
    except DataErrors as exc:
        if not options.serving:
            raise Abort("\n" + exc.report()) from None
        config["extra"]["portal_build"] = _show_errors(config, options, exc)
    return config


def _show_errors(config, options: Options, errors: DataErrors) -> Build:
    """Under serve, a data error becomes the page the browser shows (a stopped build would leave it
    waiting): the site is built from a folder of error pages, with docs/ still watched for changes."""
    print(errors.report(), file=sys.stderr)
    folder = Path(tempfile.gettempdir()) / f"portal-errors-{hashlib.sha1(str(options.root).encode()).hexdigest()[:10]}"
    meetings = sorted(p.stem for p in (options.root / "data" / "meetings").glob("*.yml"))
    write_error_site(Path(config["docs_dir"]), folder, errors, meetings)
    config["extra"]["portal_docs_dir"] = config["docs_dir"]
    config["docs_dir"] = str(folder)
    config["nav"] = [{"首页": "index.md"}]
    return Build.empty(options)


def on_serve(server, config, builder):
    """If the first build showed errors, watch docs/ rather than the folder of error pages."""
    docs = config["extra"].get("portal_docs_dir")
    if docs:
        server.unwatch(config["docs_dir"])
        server.watch(docs)
    return server


def on_files(files, config):
    for made in _build(config).files():
        inclusion = InclusionLevel.EXCLUDED if made.excluded else InclusionLevel.UNDEFINED
        files.append(File.generated(config, made.src_uri, content=made.content, inclusion=inclusion))
    return files


@_stopping
def on_page_content(html, page, config, files):
    title = html_lib.unescape(page.meta.get("title") or page.title or config["site_name"])
    return _build(config).page_converted(page.file.src_uri, page.url, title, html)


@_stopping
def on_env(env, config, files):
    _build(config).pages_converted()
    return env


@_stopping
def on_post_build(config):
    _build(config).finish()


def on_page_context(context, page, config, nav):
    """On a meeting's pages the menu lists that meeting's pages, the current one marked (the site-wide
    menu stays 首页 and 使用说明). The theme prints menu titles as HTML: the meeting's name is escaped."""
    from mkdocs.structure.nav import Link, Navigation, Section

    def url_of(src_uri: str) -> str:
        return File(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls).url

    found = _build(config).menu(page.file.src_uri, url_of)
    if found is None:
        return context
    title, entries = found
    links = [Link(label, url) for label, url, _ in entries]
    section = Section(html_lib.escape(title), links)
    for link, (_, _, current) in zip(links, entries):
        link.active, link.parent = current, section
    section.active = True
    context["nav"] = Navigation([*nav.items, section], nav.pages)
    return context

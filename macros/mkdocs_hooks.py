"""MkDocs hook: load the meeting data and add one page per meeting and page kind.

Thin on purpose: all the work is in ``macros.portal``. A data error stops the
build with the list of errors and no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from macros.errors import DataErrors  # noqa: E402
from macros.portal import Portal  # noqa: E402



def portal_for(config) -> Portal:
    """The portal loaded for this build (kept in ``extra`` so the macros module sees it too)."""
    return config["extra"]["portal"]


@event_priority(100)
def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    try:
        portal = Portal.load(root)
    except DataErrors as exc:
        raise Abort("\n" + exc.report()) from None
    config["extra"]["portal"] = portal
    return config


def on_files(files, config):
    for src_uri, markdown in portal_for(config).pages().items():
        files.append(File.generated(config, src_uri, content=markdown))
    return files

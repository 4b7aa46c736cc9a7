"""The 签到表 of a group of twelve, or of fifteen, with an observer and two supervisors, prints on one A4 page."""

from __future__ import annotations

import os

import pytest

from pypdf import PdfReader

from macros.adapters import cli
from macros.outputs.pdf import print_with
from tests.support import copy_project

MEETING = "2022-county-development-reform-bureau"
EXTRA = ["周建华", "吴志刚", "郑晓燕", "冯国庆", "褚红霞", "卫东升", "蒋文静", "沈海波"]
"""Members added to the sample's seven."""


@pytest.mark.parametrize("size", [12, 15])
def test_a_groups_sign_in_sheet_prints_on_one_page(chromium, tmp_path, size):
    added = EXTRA[: size - 7]
    project = copy_project(tmp_path / "project")
    path = project / "data" / "meetings" / f"{MEETING}.yml"
    text = path.read_text(encoding="utf-8")
    members = [line for name in added for line in (f"    - name: {name}", "      post: 副局长", "      role: 党组成员")]
    lines = text.split("\n")
    group = lines.index("group:")
    # The group's member list is its last field: the new members go just before the next top-level field.
    after = next(i for i in range(group + 1, len(lines)) if lines[i] and not lines[i].startswith((" ", "#")))
    while not lines[after - 1].strip():
        after -= 1
    lines[after:after] = members
    text = "\n".join(lines).replace(
        "  place: 局三楼会议室\n",
        "  place: 局三楼会议室\n  supervisors:\n    - {name: 周新民, post: 县委第三督导组组长}\n    - {name: 钱立, post: 县委第三督导组成员}\n"
        "  observers:\n    - {name: 孙丽, post: 县纪委监委派驻第五纪检监察组组长}\n", 1)
    path.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    saved = dict(os.environ)
    os.environ.update(PORTAL_TODAY="2023-01-03", PORTAL_SEARCH="off", PORTAL_CACHE="off")
    try:
        assert cli.build(project, site) == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    page = (site / "meetings" / MEETING / "sign-in" / "index.html").read_text(encoding="utf-8")
    assert page.count(">出席<") == size and page.count(">督导<") == 2 and page.count(">列席<") == 1
    out = tmp_path / "pdf"
    print_with(chromium, site, out, kinds=("sign-in",))
    reader = PdfReader(out / f"{MEETING}-sign-in.pdf")
    # The sign-in sheet on the first page, the minutes' cover on the second: nothing of the sheet spills over.
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert added[-1] in first and "孙丽" in first and "钱立" in first
    assert "会议记录" in second and "出席" not in second and "签名" not in second

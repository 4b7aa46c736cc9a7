"""Files generated from the schema stay in sync with it, and every real data file validates."""

import re

import pytest

from macros.adapters import cli
from macros.model.errors import DataErrors
from macros.model.meeting import load_meetings
from tests.support import DATA, ROOT, load


def test_committed_json_schema_is_generated_from_the_schema():
    committed = (ROOT / "data" / "schema" / "meeting.schema.json").read_text(encoding="utf-8")
    assert committed == cli.json_schema_text(), "run `make schema` and commit data/schema/meeting.schema.json"


def test_every_sample_file_points_editors_at_the_schema():
    for path in DATA.glob("*.yml"):
        assert path.read_text(encoding="utf-8").splitlines()[0] == cli.SCHEMA_MODELINE, path.name


def test_every_file_under_data_validates():
    assert len(load_meetings(DATA, ROOT)) == len(list(DATA.glob("*.yml")))


def test_scaffold_has_every_field_and_validates_once_required_values_are_filled(tmp_path):
    folder = tmp_path / "data" / "meetings"
    folder.mkdir(parents=True)
    assert cli.new("2030-new-group", root=tmp_path, year=2030) == 0
    path = folder / "2030-new-group.yml"
    text = path.read_text(encoding="utf-8")
    schema = cli.json_schema_text()
    for field in re.findall(r'^\s{4,}"(\w+)": \{$', schema, re.M):
        if field not in {"properties", "items", "fact", "last", "sep", "item", "numerals", "point"}:
            assert re.search(rf"^\s*(- )?{field}:", text, re.M), field
    assert all("#" in line for line in text.splitlines() if line.strip())
    with pytest.raises(DataErrors) as caught:
        load_meetings(folder, tmp_path)
    assert "group.name: 必填字段没有填写" in str(caught.value)
    filled = "\n".join(fill_required_leaves(text.splitlines()))
    path.write_text(filled, encoding="utf-8")
    meeting = load(folder, tmp_path)["2030-new-group"]
    assert meeting.group.members[0].name == "测试"
    assert meeting.study.sessions == [] and meeting.inspection is None


def test_new_refuses_to_overwrite(tmp_path):
    (tmp_path / "data" / "meetings").mkdir(parents=True)
    assert cli.new("x", root=tmp_path) == 0
    assert cli.new("x", root=tmp_path) == 2
    assert cli.new("Bad Id", root=tmp_path) == 2


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" -"))


def fill_required_leaves(lines: list[str]) -> list[str]:
    """Give a value to every empty required field whose enclosing groups are all required too."""
    out = []
    stack: list[tuple[int, bool]] = []
    for index, line in enumerate(lines):
        match = re.match(r"^(\s*(?:- )?(\w+):)(  # .*)$", line)
        if not match:
            out.append(line)
            continue
        depth = indent_of(line)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        required = "（必填）" in match.group(3)
        is_leaf = index + 1 == len(lines) or indent_of(lines[index + 1]) <= depth
        if is_leaf and required and all(flag for _, flag in stack):
            value = "study" if match.group(2) == "step" else "测试"
            line = f"{match.group(1)} {value}{match.group(3)}"
        stack.append((depth, required))
        out.append(line)
    return out


def test_new_takes_the_year_from_an_id_that_starts_with_one(tmp_path):
    import datetime as dt

    folder = tmp_path / "data" / "meetings"
    folder.mkdir(parents=True)
    assert cli.new("2024-county-gov-office", root=tmp_path) == 0
    assert cli.new("county-audit-bureau", root=tmp_path) == 0
    assert cli.new("12345-group", root=tmp_path) == 0

    def year_line(name: str) -> str:
        return next(line for line in (folder / f"{name}.yml").read_text(encoding="utf-8").splitlines() if line.startswith("year:"))

    assert year_line("2024-county-gov-office").startswith("year: 2024 ")
    assert year_line("county-audit-bureau").startswith(f"year: {dt.date.today().year} ")
    assert year_line("12345-group").startswith(f"year: {dt.date.today().year} ")

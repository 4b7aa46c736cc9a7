"""Inputs of every hostile kind end in a Chinese data error, never a traceback; outputs are reproducible.

The golden cases (tests/golden/errors/) pin one message per kind; these tests try many more inputs of
the same kinds, made from a real meeting file, and check the limits that guard the parser.
"""

from __future__ import annotations

import os
import random
import re
import time
from pathlib import Path

import pytest

from macros.adapters import cli
from macros.outputs import docx_export
from macros.model import yamlfile
from macros.model.errors import DataErrors
from macros.model.meeting import convert, load_data
from tests.support import DATA, copy_project, load, renderer

SAMPLE = (DATA / "2021-county-gov-office.yml").read_text(encoding="utf-8")
NAME = "data/meetings/2021-county-gov-office.yml"
HOSTILE = [":", ": ", "- ", "[", "]", "{", "}", '"', "'", "&a ", "*a", "!", "!!python/name:os.system ", "|", ">",
           "%", "@", "`", "#", "---\n", "...\n", "\t", "\x0c", "\x7f", "\x01", "\u202e", "\u200b", "\u3000", "\u2028",
           "\\", "\n", "\n  ", "\n-", "? ", ",", "9" * 5000, "\ufeff", "<<: *a\n"]


def read(text: str) -> list[str]:
    """The errors a file gives (empty when it is valid); any other exception fails the test."""
    try:
        _, errors = convert(yamlfile.parse(text, NAME), NAME)
    except yamlfile.YamlFileError as exc:
        errors = [exc.error]
    return [str(error) for error in errors]


def mutations(count: int, seed: int = 13):
    chance = random.Random(seed)
    lines = SAMPLE.split("\n")
    for _ in range(count):
        kind = chance.randrange(4)
        if kind == 0:
            at = chance.randrange(len(SAMPLE))
            yield SAMPLE[:at] + chance.choice(HOSTILE) + SAMPLE[at:]
        elif kind == 1:
            at = chance.randrange(len(SAMPLE) - 5)
            yield SAMPLE[:at] + SAMPLE[at + chance.randrange(1, 5):]
        elif kind == 2:
            index = chance.randrange(len(lines))
            changed = list(lines)
            changed[index] = " " * chance.choice([1, 3, 7]) + changed[index]
            yield "\n".join(changed)
        else:
            index = chance.randrange(len(lines))
            yield "\n".join(lines[:index] + [lines[index]] * chance.randrange(2, 4) + lines[index + 1:])


def test_hundreds_of_broken_copies_of_a_real_file_give_data_errors_only():
    broken = 0
    for text in mutations(400):
        errors = read(text)
        broken += bool(errors)
        for error in errors:
            assert error.startswith(NAME)
            assert not re.search(r"[A-Za-z]{4,} [A-Za-z]{3,}", error.split(": ", 1)[1]), error
    assert broken > 200


@pytest.mark.parametrize("text", [
    "a:\n" + "".join("  " * i + f"  k{i}:\n" for i in range(1000)),
    "a: " + "[" * 100_000,
    "a: " + "{a: " * 50_000,
    "a:\n" + "- " * 10_000 + "x\n",
])
def test_deep_nesting_is_refused_before_the_parser(text):
    with pytest.raises(yamlfile.YamlFileError) as caught:
        yamlfile.parse(text, NAME)
    assert "嵌套过深" in str(caught.value)


def test_aliases_of_a_long_value_are_refused_before_the_value_is_read_again():
    text = 'a: &x "' + "很长的文字\x0c" * 30_000 + '"\nb: [' + ", ".join(["*x"] * 4000) + "]\n"
    with pytest.raises(yamlfile.YamlFileError) as caught:
        yamlfile.parse(text, NAME)
    assert f"文件展开后超过 {yamlfile.MAX_EXPANDED_CHARS} 字" in str(caught.value)


def test_the_nesting_limit_leaves_room_for_real_files(monkeypatch):
    monkeypatch.setattr(yamlfile, "MAX_DEPTH", yamlfile.MAX_DEPTH // 2)
    for path in DATA.glob("*.yml"):
        yamlfile.parse(path.read_text(encoding="utf-8"), path.name)


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "t.yml"
    path.write_text("# " + "很" * (yamlfile.MAX_FILE_BYTES // 3) + "\nid: t\n", encoding="utf-8")
    with pytest.raises(yamlfile.YamlFileError) as caught:
        yamlfile.load(path, "data/meetings/t.yml")
    assert str(caught.value).startswith("data/meetings/t.yml: 文件过大（257 KB，最多 256 KB）")


def test_a_file_that_cannot_be_read_is_a_data_error(tmp_path, monkeypatch):
    path = tmp_path / "t.yml"
    path.write_text("id: t\n", encoding="utf-8")

    real_open = os.open

    def refuse(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(yamlfile.YamlFileError) as caught:
        yamlfile.load(path, "data/meetings/t.yml")
    assert str(caught.value) == "data/meetings/t.yml: 没有读取这个文件的权限。请让生成网站的用户可以读取它（如 chmod a+r 加文件名），或重新复制这个文件。"


@pytest.mark.parametrize("blank", ['""', '"  "', "　　", "' \u3000 '"])
def test_a_value_blank_but_for_spaces_counts_as_missing(blank):
    text = SAMPLE.replace("short_name: 党组班子", f"short_name: {blank}", 1)
    assert "必填字段没有填写" in "\n".join(read(text))


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_are_refused_in_names(char):
    name = re.search(r"- name: (\S+)", SAMPLE).group(1)
    errors = read(SAMPLE.replace(f"- name: {name}", f"- name: {name[0]}{char}{name[1:]}", 1))
    assert len(errors) == 1 and "group.members[0].name: 有一个看不见的" in errors[0], errors


@pytest.mark.parametrize("escape", ["\\x01", "\\x7f", "\\x0c", "\\e", "\\0", "\\x85", "\\u2028"])
def test_control_characters_written_as_escapes_are_refused_with_their_field(escape):
    errors = read(SAMPLE.replace("short_name: 党组班子", f'short_name: "党组{escape}班子"', 1))
    assert len(errors) == 1 and "group.short_name: 有一个看不见的" in errors[0], errors


@pytest.mark.parametrize("where, expected", [
    ("# 备注\x0c\n", "data/meetings/2021-county-gov-office.yml:1: 第 5 个字符处有一个看不见的换页符"),
    ("year\x7f: 2021\n", "data/meetings/2021-county-gov-office.yml:1: 第 5 个字符处有一个看不见的删除符"),
    ("kind: 专题\x0c民主生活会\n", "data/meetings/2021-county-gov-office.yml:1: kind: 有一个看不见的换页符"),
    ("kind: 专题\n  民主\u2028生活会\n", "data/meetings/2021-county-gov-office.yml:2: kind: 有一个看不见的行分隔符"),
    ("kind: 专题民主生活会\n\x0c\n", "data/meetings/2021-county-gov-office.yml:2: 第 1 个字符处有一个看不见的换页符"),
])
def test_control_characters_are_reported_with_their_line_and_field_when_in_a_value(where, expected):
    text = SAMPLE.split("\n", 1)
    errors = read(where + text[1].replace("kind: 专题民主生活会\n", ""))
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_check_reads_the_settings_as_the_build_does(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    (project / "data" / "portal.yml").write_text("lead_days:\n  study: 一个月\n", encoding="utf-8")
    assert cli.check(project) == 1
    assert "data/portal.yml:2: lead_days.study:" in capsys.readouterr().err
    with pytest.raises(DataErrors):
        load_data(project)


def test_same_report_gives_the_same_word_bytes(monkeypatch):
    markdown = renderer().page("report", load()["2021-county-gov-office"])
    first = docx_export.report_docx(markdown)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda *args: time.gmtime(later))
    docx_export._template.cache_clear()
    docx_export._template_parts.cache_clear()
    assert docx_export.report_docx(markdown) == first

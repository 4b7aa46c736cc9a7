"""Read a YAML file strictly into a tree that remembers line numbers.

Every scalar stays text here: YAML 1.1 guessing (14:30 → 870, yes → True,
2021-12-20 → date) is left out, and the schema types each value by the field
it fills. Duplicate keys, tags, an alias bomb, a byte-order mark and encodings
other than UTF-8 are handled here, where the file's bytes are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import DataError

MAX_NODES = 50_000
_PLAIN_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class Scalar:
    text: str
    line: int
    is_null: bool = False


@dataclass
class Mapping:
    line: int
    items: dict[str, "Node"] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Sequence:
    line: int
    items: list["Node"] = field(default_factory=list)


Node = Scalar | Mapping | Sequence


class YamlFileError(Exception):
    """The file cannot be read as YAML at all; carries one DataError."""

    def __init__(self, error: DataError):
        self.error = error
        super().__init__(str(error))


class _ComposeOnly(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe loader whose plain scalars all resolve to text (no YAML 1.1 guessing).

    LibYAML's parser when PyYAML has it (as its wheels do): the pure-Python one is ~20× slower.
    """


_ComposeOnly.yaml_implicit_resolvers = {}

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


def decode(raw: bytes, name: str) -> str:
    """UTF-8 with or without BOM; anything else is an error that says how to fix it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "文件不是 UTF-8 编码"
        if _looks_like_gbk(raw):
            hint = "文件看起来是 GBK（GB2312）编码，不是 UTF-8"
        raise YamlFileError(
            DataError(name, line, "", f"{hint}。请在编辑器中选择“另存为 UTF-8”后重新提交。")
        ) from None


def _looks_like_gbk(raw: bytes) -> bool:
    try:
        text = raw.decode("gbk")
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def load(path: Path, name: str | None = None) -> Node:
    """Read one YAML file; raise YamlFileError naming file and line when it cannot be read."""
    name = name or str(path)
    text = decode(path.read_bytes(), name)
    return parse(text, name)


def parse(text: str, name: str) -> Node:
    if "\t" in text:
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise YamlFileError(
                    DataError(name, number, "", "行首用了制表符（Tab）缩进。YAML 只能用空格缩进，请把 Tab 换成空格。")
                )
    try:
        root = yaml.compose(text, Loader=_ComposeOnly)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or str(exc)
        raise YamlFileError(
            DataError(name, line, "", f"YAML 格式错误（{problem}）。请检查这一行的缩进、冒号和引号。")
        ) from None
    if root is None:
        raise YamlFileError(DataError(name, 1, "", "文件是空的。请从 data/meetings/ 中复制一个会议文件再修改。"))
    counter = [0]
    return _convert(root, name, counter)


def _convert(node: yaml.Node, name: str, counter: list[int]) -> Node:
    counter[0] += 1
    line = node.start_mark.line + 1
    if counter[0] > MAX_NODES:
        raise YamlFileError(
            DataError(name, line, "", f"文件展开后超过 {MAX_NODES} 个值（可能是锚点 & 和别名 * 嵌套引用）。请不要用别名重复引用。")
        )
    if node.tag not in _STANDARD_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
        raise YamlFileError(DataError(name, line, "", f"不允许使用 YAML 标签 {tag}。请删去以 ! 开头的标记。"))
    if isinstance(node, yaml.ScalarNode):
        is_null = not node.style and node.value in _PLAIN_NULLS  # plain style: None in PyYAML, "" in LibYAML
        return Scalar(node.value, line, is_null)
    if isinstance(node, yaml.SequenceNode):
        return Sequence(line, [_convert(item, name, counter) for item in node.value])
    mapping = Mapping(line)
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlFileError(DataError(name, key_node.start_mark.line + 1, "", "字段名必须是简单的文字。"))
        key = key_node.value
        key_line = key_node.start_mark.line + 1
        if key == "<<":
            raise YamlFileError(DataError(name, key_line, "", "不支持合并键 <<。请把字段直接写出来。"))
        if key in mapping.items:
            raise YamlFileError(
                DataError(
                    name,
                    key_line,
                    key,
                    f"字段重复（第 {mapping.key_lines[key]} 行已经有这个字段）。请删去其中一个。",
                )
            )
        mapping.key_lines[key] = key_line
        mapping.items[key] = _convert(value_node, name, counter)
    return mapping

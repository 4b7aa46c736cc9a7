"""Read a YAML file strictly into a tree that remembers line numbers.

Every scalar stays text here: YAML 1.1 guessing (14:30 → 870, yes → True,
2021-12-20 → date) is left out, and the schema types each value by the field
it fills. Duplicate keys, tags, an alias bomb, a byte-order mark and encodings
other than UTF-8 are handled here, where the file's bytes are known, and so are
the limits checked before the parser runs (file size, nesting depth) and
control characters. Parser errors are explained in Chinese by kind of mistake.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from macros.model.errors import DataError

MAX_NODES = 50_000
MAX_DEPTH = 40
MAX_FILE_BYTES = 256 * 1024
MAX_EXPANDED_CHARS = 1_000_000
_PLAIN_NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass(slots=True)
class Scalar:
    text: str
    line: int
    is_null: bool = False


@dataclass(slots=True)
class Mapping:
    line: int
    items: dict[str, "Node"] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
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
    With no implicit and no path resolvers, a node's tag depends on its kind alone: the composer's
    calls for every node (resolve, descend_resolver, ascend_resolver) are answered without the
    general resolver's lookups.
    """

    def resolve(self, kind, value, implicit):
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


_ComposeOnly.yaml_implicit_resolvers = {}
_DEFAULT_TAGS = {
    yaml.ScalarNode: yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
    yaml.SequenceNode: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
}

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
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlFileError(
                DataError(name, 0, "", f"文件过大（{-(-size // 1024)} KB，最多 {MAX_FILE_BYTES // 1024} KB）。一次会议的文件不会这么大，请检查是否粘贴了多余的内容。")
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlFileError(DataError(name, 0, "", f"无法读取这个文件（错误代码 {exc.errno}）。请检查文件的读取权限，或重新复制这个文件。")) from None
    return parse(decode(raw, name), name)


def parse(text: str, name: str) -> Node:
    """Compose ``text`` into a tree; every cheap check that guards the parser runs first.

    A control character is carried through the parser as a private-use stand-in and put back in the
    value that holds it, so that the schema reports it with its field; one anywhere else (a key, a
    comment) is reported here, with its line.
    """
    odd = _STAND_INS.search(text) if _beyond_bmp(text) else None
    if odd:
        raise _character_error(text, name, odd.start(), "有一个私用区字符，无法显示和打印。请删去它，或重新输入这段文字。")
    shifted = FORBIDDEN_CHARACTERS.search(text) is not None
    text = FORBIDDEN_CHARACTERS.sub(lambda found: chr(_SHIFT + ord(found.group())), text) if shifted else text
    if "\t" in text:
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise YamlFileError(
                    DataError(name, number, "", "行首用了制表符（Tab）缩进。YAML 只能用空格缩进，请把 Tab 换成空格。")
                )
    _check_depth(text, name)
    try:
        root = yaml.compose(text, Loader=_ComposeOnly)
    except yaml.MarkedYAMLError as exc:
        line, advice = syntax_advice(exc, text)
        # An invisible character on the lines the parser stumbled on is the likelier cause: name it.
        lines = {line} | {mark.line + 1 for mark in (exc.problem_mark, exc.context_mark) if mark}
        reading = _Reading(name, text)
        for found in _STAND_INS.finditer(text):
            if reading.line_at(found.start()) in lines:
                raise _character_error(text, name, found.start(), character_problem(chr(ord(found.group()) - _SHIFT))) from None
        raise YamlFileError(DataError(name, line, "", f"YAML 格式错误：{advice}")) from None
    except yaml.YAMLError:
        raise YamlFileError(DataError(name, 0, "", f"YAML 格式错误：{_GENERAL_ADVICE}")) from None
    if root is None:
        raise YamlFileError(DataError(name, 1, "", "文件是空的。请从 data/meetings/ 中复制一个会议文件再修改。"))
    reading = _Reading(name, text, shifted=shifted)
    tree = _convert(root, reading)
    left = shifted and next((found for found in _STAND_INS.finditer(text) if found.start() not in reading.restored), None)
    if left:
        raise _character_error(text, name, left.start(), character_problem(chr(ord(left.group()) - _SHIFT)))
    return tree


@dataclass
class _Reading:
    name: str
    text: str
    count: int = 0
    chars: int = 0
    restored: set[int] = field(default_factory=set)
    newlines: list[int] | None = None
    shifted: bool = True
    """Whether control characters of the file were replaced by stand-ins before parsing."""

    def line_at(self, index: int) -> int:
        if self.newlines is None:
            self.newlines = [found.start() for found in re.finditer("\n", self.text)]
        return bisect.bisect_left(self.newlines, index) + 1


_INVISIBLE_NAMES = {
    "\x00": "空字符", "\x08": "退格符", "\x0b": "垂直制表符", "\x0c": "换页符", "\x1b": "转义符", "\x7f": "删除符",
    "\x85": "换行控制符", "\u2028": "行分隔符", "\u2029": "段分隔符",
}
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
"""Control characters (tab, line feed and carriage return aside) and the separators YAML would take
for line breaks: never typed, they come from text pasted out of a PDF or a web page."""


def character_problem(char: str) -> str:
    """What to say about a forbidden character."""
    kind = _INVISIBLE_NAMES.get(char, "控制字符")
    return f"有一个看不见的{kind}（U+{ord(char):04X}），通常是从 PDF、Word 或网页复制文字时带进来的。请删去它（在编辑器中打开“显示不可见字符”可以看到），或重新输入这段文字。"


_SHIFT = 0xF0000
_RESTORE = {_SHIFT + code: code for code in [*range(0xA0), 0x2028, 0x2029, 0xFFFE, 0xFFFF]}
_STAND_INS = re.compile("[\U000F0000-\U000F009F\U000F2028\U000F2029\U000FFFFE\U000FFFFF]")


def _beyond_bmp(text: str) -> bool:
    """Whether ``text`` has a character above U+FFFF (each stand-in is one): a far cheaper test than a
    search, since UTF-16 gives such a character two code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


def _character_error(text: str, name: str, at: int, problem: str) -> YamlFileError:
    line = _Reading(name, text).line_at(at)
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return YamlFileError(DataError(name, line, "", f"第 {column} 个字符处{problem}"))


_BRACKETS = re.compile(r"[\[\]{}]")
_ENTRY_MARKS = re.compile(r"(?:[-?](?: +|$))+")


def _check_depth(text: str, name: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before the parser sees it (LibYAML recurses and can crash).

    A cheap upper bound per line: two levels for each enclosing indentation (a list may sit at its
    key's indentation), one for each ``- `` opening the line, and the open brackets.
    """
    if _depth_bound(text) <= MAX_DEPTH:
        return
    indents: list[int] = []
    brackets = 0
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip(" ")
        deepest = brackets
        for bracket in _BRACKETS.finditer(line):
            brackets = brackets + 1 if bracket.group() in "[{" else max(0, brackets - 1)
            deepest = max(deepest, brackets)
        if not stripped.strip() or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        entries = _ENTRY_MARKS.match(stripped)
        depth = 2 * len(indents) + (entries.group().count("-") + entries.group().count("?") if entries else 0) + deepest
        if depth > MAX_DEPTH:
            raise YamlFileError(
                DataError(name, number, "", f"嵌套过深（超过 {MAX_DEPTH} 层）。会议文件的字段只有几层，请检查这一行的缩进是否过多、括号 [ ] {{ }} 是否配对。")
            )


_LINE_INDENT = re.compile(r"^ *(?=[^ \n])", re.M)
_LINE_ENTRIES = re.compile(r"^ *((?:[-?](?: +|$))+)", re.M)


def _depth_bound(text: str) -> int:
    """An upper bound of every line's depth in ``_check_depth``, found without going line by line.

    The indentation stack holds distinct indentations only; a line's entry marks and open brackets are
    at most the most of any line and the deepest nesting in the file.
    """
    indents = len(set(_LINE_INDENT.findall(text)))
    entries = max((found.count("-") + found.count("?") for found in _LINE_ENTRIES.findall(text)), default=0)
    deepest = brackets = 0
    for bracket in _BRACKETS.findall(text):
        if bracket in "[{":
            brackets += 1
            if brackets > deepest:
                deepest = brackets
        elif brackets:
            brackets -= 1
    return 2 * indents + entries + deepest


_GENERAL_ADVICE = "请检查这一行和上一行：缩进是否与同一级对齐（只用空格），字段是否写成“名称: 值”（冒号后有空格），引号是否成对。"
_COLON_ADVICE = "这一行的冒号“: ”被当作了新字段的开始。正文中的冒号请改用中文冒号“：”，或把整段文字用引号括起来；如果这里确实是字段，请检查它的缩进是否与同一级对齐。"


_FULL_WIDTH_COLON = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_]*\s*：")
_FULL_WIDTH_COMMA = re.compile(r"[\[{][^\]}]*，")


_FIRST_KEY_ADVICE = ("这一行列表项的第一个字段名后面用了中文冒号“：”，YAML 把这一行和下一行连成了一段文字。"
                     "字段名后要用英文冒号“:”再加一个空格：“{fixed}”。")
_LIST_ITEM_INDENT = re.compile(r"^(\s*)-\s+")


def _first_key_with_full_width_colon(source: list[str], at: int) -> int:
    """The line of a list item whose first key has a full-width colon (“- name：吴秀兰”), when the
    parser stumbled on a later line of the same item: YAML read that key and value as the start of a
    text running on into the item's next field. 0 when the lines above are not such an item."""
    for number in range(at - 1, 0, -1):
        line = source[number - 1] if number <= len(source) else ""
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _LIST_ITEM_INDENT.match(line)
        if item and _FULL_WIDTH_COLON.match(line):
            below = source[at - 1] if 0 < at <= len(source) else ""
            deeper = len(below) - len(below.lstrip(" ")) > len(item.group(1))
            return number if deeper else 0
        if item or ":" in line:
            return 0
    return 0


def syntax_advice(exc: yaml.MarkedYAMLError, text: str = "") -> tuple[int, str]:
    """The line and the Chinese advice for a parser error, by the kind of mistake."""
    problem, context = exc.problem or "", exc.context or ""
    at_problem = exc.problem_mark.line + 1 if exc.problem_mark else 0
    at_context = exc.context_mark.line + 1 if exc.context_mark else at_problem
    # Chinese punctuation typed where YAML needs its own: say so, on the line that has it.
    source = text.splitlines()
    for at in dict.fromkeys((at_context, at_problem)):
        line = source[at - 1] if 0 < at <= len(source) else ""
        if _FULL_WIDTH_COLON.match(line):
            return at, "这一行字段名后面用了中文冒号“：”。字段名后要用英文冒号“:”再加一个空格，如“people: 126”；正文里的冒号不受影响。"
        if _FULL_WIDTH_COMMA.search(line) and ("flow" in context or "flow" in problem):
            return at, "这一行花括号 { } 或方括号 [ ] 里的各项之间用了中文逗号“，”。各项之间要用英文逗号“,”隔开，如 {member: 周伟, with: 李红梅}；正文里的逗号请用引号括起来。"
    if "document" in problem or "document" in context:
        return at_problem, "文件中出现了第二个文档：一个会议文件只能有一个文档。请删去这一行的“---”或“...”；如果是把两个文件粘在了一起，请拆成两个文件。"
    if "directive" in context:
        return at_problem, "以“%”开头的行是 YAML 指令，会议文件中不用。请删去这一行；正文以“%”开头时，请把整段文字用引号括起来。"
    if "quoted scalar" in context and "end of stream" in problem:
        return at_context, "这一行的引号一直到文件末尾都没有结束。请补上结尾的引号，或去掉开头的引号。"
    if "escape" in problem:
        return at_problem, "双引号中的反斜杠“\\”被当作转义符。请改用单引号把文字括起来，或把“\\”写成两个。"
    if "mapping values are not allowed" in problem:
        first_key = _first_key_with_full_width_colon(source, at_problem)
        if first_key:
            fixed = re.sub(r"\s*：\s*", ": ", source[first_key - 1].strip(), count=1)
            return first_key, _FIRST_KEY_ADVICE.format(fixed=fixed)
        return at_problem, _COLON_ADVICE
    if "block sequence entries are not allowed" in problem:
        return at_problem, "列表项“- ”不能和字段名写在同一行。请在字段名后换行，把每一项另起一行并缩进，以“- ”开头。"
    if "could not find expected ':'" in problem:
        return at_context, "这一行缺少冒号：字段应写成“名称: 值”（冒号后有一个空格）。如果这是上一行文字的延续，请把它接到上一行，或把整段文字用引号括起来。"
    if "flow sequence" in context or "flow mapping" in context:
        return at_context, "这一行的方括号 [ ] 或花括号 { } 没有配对，或各项之间缺少逗号。请补全括号；正文中要用方括号时，请把整段文字用引号括起来。"
    if "cannot start any token" in problem:
        return at_problem, "这一行的值以特殊符号开头（如 @ ` 等）。请把整段文字用引号括起来。"
    if "alias" in context or "anchor" in context or "alias" in problem:
        return at_problem, "以“*”或“&”开头的值会被当作 YAML 的别名或锚点。请把整段文字用引号括起来，如 \"*重要*\"。"
    if "block scalar" in context:
        return at_context, "“|”或“>”之后只能换行写正文。请把正文移到下一行并缩进，或把整段文字用引号括起来。"
    if "expected key" in problem or "expected '-'" in problem or "block end" in problem:
        return at_problem, "这一行的缩进与同一级的字段或列表项没有对齐，或者引号结束后还有文字。请让同一级的各行左端对齐（只用空格）。"
    return at_problem, _GENERAL_ADVICE


def _convert(node: yaml.Node, reading: _Reading) -> Node:
    name = reading.name
    reading.count += 1
    line = node.start_mark.line + 1
    if reading.count > MAX_NODES:
        raise YamlFileError(
            DataError(name, line, "", f"文件展开后超过 {MAX_NODES} 个值（可能是锚点 & 和别名 * 嵌套引用）。请不要用别名重复引用。")
        )
    if node.tag not in _STANDARD_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
        raise YamlFileError(DataError(name, line, "", f"不允许使用 YAML 标签 {tag}。请删去以 ! 开头的标记。"))
    kind = type(node)
    if kind is yaml.ScalarNode:
        value = node.value
        reading.chars += len(value)
        if reading.chars > MAX_EXPANDED_CHARS:
            raise YamlFileError(
                DataError(name, line, "", f"文件展开后超过 {MAX_EXPANDED_CHARS} 字（可能是锚点 & 和别名 * 重复引用了长段文字）。请不要用别名重复引用。")
            )
        # A value blank but for spaces (ASCII or full-width) counts as not filled, quoted or not.
        style = node.style
        is_null = (not style and value in _PLAIN_NULLS) or not value.strip(" \t\r\n\u3000")
        # A stand-in is in a value only if the file had one put in, or an escape ("\U000F0001") wrote it.
        if (reading.shifted or style == '"') and _STAND_INS.search(value):
            value = value.translate(_RESTORE)
            first = _STAND_INS.search(reading.text, node.start_mark.index, node.end_mark.index)
            if first and first.start() not in reading.restored:
                line = reading.line_at(first.start())
                reading.restored.update(found.start() for found in _STAND_INS.finditer(reading.text, first.start(), node.end_mark.index))
        return Scalar(value, line, is_null)
    if kind is yaml.SequenceNode:
        return Sequence(line, [_convert(item, reading) for item in node.value])
    mapping = Mapping(line)
    items, key_lines = mapping.items, mapping.key_lines
    for key_node, value_node in node.value:
        if type(key_node) is not yaml.ScalarNode:
            raise YamlFileError(DataError(name, key_node.start_mark.line + 1, "", "字段名必须是简单的文字。"))
        key = key_node.value
        key_line = key_node.start_mark.line + 1
        if key == "<<":
            raise YamlFileError(DataError(name, key_line, "", "不支持合并键 <<。请把字段直接写出来。"))
        if key in items:
            raise YamlFileError(
                DataError(
                    name,
                    key_line,
                    key,
                    f"字段重复（第 {key_lines[key]} 行已经有这个字段）。请删去其中一个。",
                )
            )
        key_lines[key] = key_line
        items[key] = _convert(value_node, reading)
    return mapping

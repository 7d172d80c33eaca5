"""Load YAML written by someone else without crashing, hanging or exploding.

`yaml.safe_load` is safe from code execution, not from its input: `title: 1`
followed by 5,000 zeros raises ValueError (Python's int digit limit), 60 KB of
`[` raises RecursionError, an unknown date such as 2023-02-30 raises ValueError,
and an alias bomb (`&a1 [*a0, *a0, ...]`, nine levels) is a few hundred bytes
that any code walking the result expands to billions of items. `load_yaml`
refuses each of these with one typed error that says where.
"""

from __future__ import annotations

import reprlib
from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from index.errors import BriefError
from index.safe_files import FileRefused, read_regular

# Deeper than this is no config nor metadata; it keeps composing and constructing far
# from Python's recursion limit (a few frames per level).
MAX_DEPTH = 64
# Nodes that aliases may add on top of those written out: enough for a few merge
# keys (`<<: *defaults`), far below an alias bomb.
ALIAS_BUDGET = 1000


class YamlRefused(BriefError):
    """A YAML file was not loaded; `reason`, and `line`/`column` (1-based) when known, say why."""

    def __init__(
        self, path: Path, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{path.name}: {reason}{where}")
        self.path = path
        self.reason = reason
        self.line = line
        self.column = column

    @property
    def detail(self) -> str:
        """`line 2, column 1: what is wrong`, or only what is wrong when the place is unknown."""
        if self.line is None:
            return self.reason
        return f"line {self.line}, column {self.column}: {self.reason}"


class _Refusal(Exception):
    """Raised inside the loader; load_yaml turns it into YamlRefused with the path."""

    def __init__(self, reason: str, mark: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.mark = mark


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts nesting depth and the nodes aliases add, and wraps value errors."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliased = 0
        self._weight: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases expanded

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose as SafeLoader does, refusing deep nesting and costly aliases."""
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            weight = self._weight.get(id(node))
            if weight is None:  # the alias is inside the node it names
                raise _Refusal("an alias refers to a node that contains it", event.start_mark)
            self._aliased += weight
            if self._aliased > ALIAS_BUDGET:
                raise _Refusal(f"aliases expand to over {ALIAS_BUDGET} values", event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refusal(f"it nests deeper than {MAX_DEPTH} levels", event.start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        weight = 1
        for child in _children(node):
            weight += self._weight[id(child)]
        self._weight[id(node)] = weight
        return node

    def construct_object(self, node: Node, deep: bool = False) -> object:
        """Construct as SafeLoader does; a value Python cannot hold becomes a refusal there."""
        try:
            return super().construct_object(node, deep)
        except (_Refusal, yaml.YAMLError):
            raise
        except Exception as exc:  # any constructor failure is the input's: !!int "" -> IndexError
            why = f"a value cannot be read ({type(exc).__name__})"
            raise _Refusal(why, node.start_mark) from exc


def _children(node: Node | None) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of character `position` of `text`."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def load_yaml(path: Path, *, max_bytes: int) -> object:
    """The one YAML document in `path` (a regular file of at most `max_bytes`); else YamlRefused."""
    try:
        raw = read_regular(path, max_bytes)
    except FileRefused as exc:
        raise YamlRefused(path, exc.reason) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)  # in bytes
        raise YamlRefused(path, "it is not UTF-8 text", line, column) from exc
    try:
        return _load(text)
    except _Refusal as exc:
        raise YamlRefused(path, exc.reason, *_mark(exc.mark)) from exc
    except yaml.MarkedYAMLError as exc:
        reason = exc.problem or exc.context or "it is not valid YAML"
        raise YamlRefused(path, reason, *_mark(exc.problem_mark or exc.context_mark)) from exc
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        raise YamlRefused(path, "it holds a character YAML does not allow", line, column) from exc
    except Exception as exc:  # whatever else the input provokes is a refusal, never a crash
        raise YamlRefused(path, f"it cannot be read as YAML ({type(exc).__name__})") from exc


def _load(text: str) -> object:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _mark(mark: object) -> tuple[int | None, int | None]:
    line, column = getattr(mark, "line", None), getattr(mark, "column", None)
    if not isinstance(line, int) or not isinstance(column, int):
        return None, None
    return line + 1, column + 1


class _BoundedRepr(reprlib.Repr):
    """reprlib with small limits, and huge ints summarised (repr() of one raises ValueError)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = self.maxother = self.maxlong = limit
        self.maxdict = self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = 6

    def repr_int(self, x: int, level: int) -> str:
        """A short int as repr() writes it; a long one as its number of digits."""
        if x.bit_length() > 128:
            return f"<int of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return repr(x)


def echo(value: object, limit: int = 80) -> str:
    """A repr of `value` of at most `limit` characters, for error messages that quote input.

    Never expands a large or deep structure (aliased YAML can be either), never fails.
    """
    try:
        text = _BoundedRepr(limit).repr(value)
    except Exception:  # a repr that raises must not hide the error being reported
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "\u2026"

"""YAML loading under a budget, remembering the source line of every value (for `file:line`).

Every YAML document the project reads (a scenario upload, `export --file`, `validate`, the
knowledge base) goes through `read_text` and `load_with_lines`, which refuse a document that is
too large before parsing it, and one whose aliases, values or nesting exceed its `YamlLimits`
while it is composed, before any Python object is built: an alias bomb of a few hundred bytes
costs microseconds, not gigabytes.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from geodata.wording import short

try:
    from yaml.cyaml import CParser
except ImportError:  # a PyYAML built without libyaml
    CParser = None

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlLimits:
    """How much work one document may cause; `what` names it in messages ("a scenario file")."""

    what: str
    max_bytes: int
    max_aliases: int
    max_values: int  # scalars, lists and mappings, an alias counting as all it repeats
    max_depth: int


class YamlError(ValueError):
    """A YAML file or document that cannot be used; carries the 1-based line of the fault."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def read_text(path: Path, limits: YamlLimits) -> str:
    """A YAML file's text, reading at most one byte more than the limit; raises YamlError."""
    try:
        with path.open("rb") as file:
            raw = file.read(limits.max_bytes + 1)
    except OSError as error:
        raise YamlError(f"cannot read the file: {error.strerror or error}") from None
    if len(raw) > limits.max_bytes:
        raise YamlError(
            f"the file is larger than the {_size(limits.max_bytes)} {limits.what} may have"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlError("the file is not UTF-8 text", line) from None


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB"
    return f"{count / 1000:g} KB" if count >= 1000 else f"{count} bytes"


class _PythonEvents(Reader, Scanner, Parser):
    """PyYAML's own reader, scanner and parser: the events libyaml gives, some 10x slower."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


class _BudgetComposer(Composer):
    """Composes nodes from parser events, and stops as soon as the document exceeds its limits.

    `expanded` counts the values the document stands for so far, each alias as the whole value
    it repeats: what constructing and validating it would visit. It grows node by node, so a
    bomb stops a few values past the limit, whatever its final size.
    """

    def __init__(self, limits: YamlLimits) -> None:
        Composer.__init__(self)
        self.limits = limits
        self.aliases = 0
        self.depth = 0
        self.composed = 0
        self.expanded = 0
        self.sizes: dict[int, int] = {}  # id of each complete node -> values it stands for

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        line = self.peek_event().start_mark.line + 1
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self.aliases += 1
            if self.aliases > self.limits.max_aliases:
                raise YamlError(
                    f"more than {self.limits.max_aliases:,} aliases (*name); "
                    f"{self.limits.what} may have at most {self.limits.max_aliases:,}",
                    line,
                )
            if id(node) not in self.sizes:
                raise YamlError("an alias (*name) refers to a value that contains it", line)
            self._count(self.sizes[id(node)], line)
            return node
        self.composed += 1
        self._count(1, line)
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise YamlError(
                f"values are nested more than {self.limits.max_depth} levels deep", line
            )
        node = super().compose_node(parent, index)
        self.depth -= 1
        self.sizes[id(node)] = 1 + sum(self.sizes[id(child)] for child in _children(node))
        return node

    def _count(self, values: int, line: int) -> None:
        self.expanded += values
        if self.expanded <= self.limits.max_values:
            return
        most = f"{self.limits.what} may have at most {self.limits.max_values:,}"
        if self.composed > self.limits.max_values:
            raise YamlError(f"more than {self.limits.max_values:,} values; {most}", line)
        raise YamlError(
            f"aliases (*name) expand to more than {self.limits.max_values:,} values; {most}", line
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


_NO_TIMESTAMPS = {  # dates stay text, so the models check them (and a bad one gets its line)
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


def loader_class(events: type) -> type:
    """A safe loader (SafeConstructor: plain values only) that reads `events` under a budget."""

    class Loader(_BudgetComposer, events, SafeConstructor, Resolver):
        yaml_implicit_resolvers = _NO_TIMESTAMPS

        def __init__(self, text: str, limits: YamlLimits) -> None:
            events.__init__(self, text)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            _BudgetComposer.__init__(self, limits)

    return Loader


# libyaml's parser when PyYAML has it (its wheels do); the composing stays here, in Python
_Loader = loader_class(CParser if CParser is not None else _PythonEvents)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that escapes the line-break characters YAML would fold (NEL, LS, PS)."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump(data: Any) -> str:
    """Human-editable YAML (Unicode kept as is, key order kept) that reads back identically."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def load_with_lines(text: str, limits: YamlLimits) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document safely within `limits`; return the data and a map from value
    path to 1-based line. Raises YamlError with a one-line message."""
    if (
        len(text) > limits.max_bytes
        or len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes
    ):
        raise YamlError(
            f"the text is larger than the {_size(limits.max_bytes)} {limits.what} may have"
        )
    loader = None
    try:
        loader = _Loader(text, limits)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as error:
        where = text.find(chr(error.character)) if isinstance(error.character, int) else -1
        raise YamlError(
            f"the text holds a character YAML does not allow ({error.reason})",
            text.count("\n", 0, where) + 1 if where >= 0 else 1,
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise YamlError(_syntax_message(error, limits), line) from None
    except UnicodeError:  # libyaml reads UTF-8: a lone surrogate cannot be encoded
        raise YamlError("the text holds a lone surrogate, which is not a character") from None
    except RecursionError:
        raise YamlError("values are nested too deeply") from None
    except YamlError:
        raise
    except ValueError:  # int() refuses more digits than sys.get_int_max_str_digits()
        digits = sys.get_int_max_str_digits()
        raise YamlError(f"a number has more than {digits:,} digits") from None
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _record_lines(node, (), lines, set())
    return data, lines


_TAG = re.compile(r"could not determine a constructor for the tag '(?P<tag>.*)'", re.DOTALL)


def _syntax_message(error: yaml.YAMLError, limits: YamlLimits) -> str:
    """PyYAML's problem in one short line; an unknown tag said in plain words."""
    problem = str(getattr(error, "problem", None) or error)
    tag = _TAG.search(problem)
    if tag:
        shown = tag["tag"].replace("tag:yaml.org,2002:", "!!")
        return (
            f"the tag {short(shown)!r} is not allowed: "
            f"{limits.what} holds only text, numbers, true/false, lists and mappings"
        )
    if "nesting depth" in problem:  # libyaml's own limit (1000), beyond ours
        return f"values are nested more than {limits.max_depth} levels deep"
    context = getattr(error, "context", None)
    if context and problem.startswith("but "):  # "expected a single document …, but found …"
        problem = f"{context}, {problem}"
    return f"YAML syntax error: {short(' '.join(problem.split()), 120)}"


def _record_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int], seen: set[int]) -> None:
    """Each node once: an alias is its anchor's node (a cycle, or 9**n paths in an alias bomb)."""
    lines[path] = node.start_mark.line + 1
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _record_lines(value_node, (*path, str(key_node.value)), lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines, seen)


def line_of(lines: dict[Path_, int], path: Path_) -> int:
    """The line of the deepest recorded ancestor of `path` (1 when nothing is known)."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1

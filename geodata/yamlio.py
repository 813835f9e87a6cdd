"""YAML loading that remembers the source line of every value (for `file:line` messages)."""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class YamlSyntaxError(ValueError):
    """A YAML document that does not parse; carries the 1-based line of the fault."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so the models check them (and bad ones get a line)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.SafeDumper):
    """SafeDumper that escapes the line-break characters YAML would fold (NEL, LS, PS)."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump(data: Any) -> str:
    """Human-editable YAML (Unicode kept as is, key order kept) that reads back identically."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document safely; return the data and a map from value path to 1-based line."""
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise YamlSyntaxError(f"YAML syntax error: {problem}", line) from None
    except RecursionError:
        raise YamlSyntaxError("YAML syntax error: nested too deeply", 1) from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise YamlSyntaxError(f"YAML syntax error: {error}", 1) from None
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _record_lines(node, (), lines, set())
    return data, lines


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

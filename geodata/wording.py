"""Plain words about bad input: a value shown by its type and a short prefix (never formatted
whole, which for an aliased structure can take gigabytes), and pydantic's errors retold without
its jargon, class names or links."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic_core import ErrorDetails

SHOWN_CHARACTERS = 40
_LONGEST_WORD_TO_MATCH = 100  # difflib is quadratic in the word: longer ones get no suggestion


def short(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """`text`, cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[:limit] + "…"


def describe(value: Any) -> str:
    """A value as a message shows it: text quoted (cut short), anything else by kind and size."""
    if isinstance(value, str):
        return repr(short(value))
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if -(10**15) < value < 10**15 else "a very long number"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return f"a list of {_count(len(value), 'item')}"
    if isinstance(value, dict):
        return f"a mapping of {_count(len(value), 'key')}"
    if isinstance(value, set | frozenset):
        return f"a set of {_count(len(value), 'item')}"
    if isinstance(value, bytes | bytearray):
        return f"{_count(len(value), 'byte')} of binary data"
    return "a value of an unsupported kind"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    if len(word) > _LONGEST_WORD_TO_MATCH:
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def one_of(choices: Iterable[Any]) -> str:
    """'a, b or c'."""
    shown = [str(choice) for choice in choices]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def explain(error: ErrorDetails) -> str:
    """One pydantic error in plain words, without its location (the caller names the field)."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    got = describe(value)
    if kind == "value_error":  # our own validators' words
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing: this field is required"
    if kind == "literal_error":
        return f"{got} is not allowed here; use {ctx.get('expected', 'one of the listed values')}"
    if kind in ("string_type", "string_unicode"):
        return f"expected text, not {got}"
    if kind == "string_too_long":
        return f"at most {_count(ctx['max_length'], 'character')}, not {len(value):,}"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"too short: {got}"
    if kind == "string_pattern_mismatch":
        return f"{got} has characters that are not allowed here"
    if kind in ("tuple_type", "list_type", "set_type", "iterable_type"):
        return f"expected a list, not {got}"
    if kind == "too_long":
        return f"at most {_count(ctx['max_length'], 'item')}, not {ctx['actual_length']:,}"
    if kind == "too_short":
        return f"at least {_count(ctx['min_length'], 'item')}, not {ctx['actual_length']:,}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, not {got}"
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return f"expected a whole number, not {got}"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"expected a number, not {got}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}
        limit = next((f"{bound[k]} {v}" for k, v in ctx.items() if k in bound), "in range")
        return f"{got} is out of range: it must be {limit}"
    if kind.startswith(("date_", "datetime_")):
        return f"{got} is not a real date; use YYYY-MM-DD"
    if kind in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return f"expected a mapping of fields, not {got}"
    if kind == "recursion_loop":
        return "a value refers to itself"
    return f"{got} is not valid here"

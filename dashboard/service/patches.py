"""Small updates of what the browser already has: the difference between two figures, the
restyle of a figure's countries trace when layers are toggled, and a store's changed keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from dashboard.figures import CountryStyle
from dashboard.service.models import KEEP, Edits

PATCH_ENTRY_BYTES = 80  # a Patch operation's JSON around the value it assigns


def figure_edits(before: dict[str, Any], after: dict[str, Any]) -> Edits | None:
    """The edits turning figure `before` into `after` (both as JSON data); None if their traces
    differ in number or type."""
    old_data, new_data = before.get("data", []), after.get("data", [])
    if len(old_data) != len(new_data) or any(
        a.get("type") != b.get("type") for a, b in zip(old_data, new_data, strict=True)
    ):
        return None
    edits = Edits()
    for index, (old, new) in enumerate(zip(old_data, new_data, strict=True)):
        _dict_edits(edits, ["data", index], old, new, depth=0)
    _dict_edits(edits, ["layout"], before.get("layout", {}), after.get("layout", {}), depth=-1)
    return edits


def _dict_edits(
    edits: Edits, at: list[str | int], old: dict[str, Any], new: dict[str, Any], depth: int
) -> None:
    """Set the keys that changed; go one level down into changed dicts (two for the layout)."""
    for key in [*old, *(key for key in new if key not in old)]:  # the same order everywhere
        if key not in new:
            edits.delete([*at, key])
        elif old.get(key) != new[key]:
            if depth < 1 and isinstance(old.get(key), dict) and isinstance(new[key], dict):
                _dict_edits(edits, [*at, key], old[key], new[key], depth + 1)
            else:
                edits.assign([*at, key], new[key])


def restyle_edits(
    edits: Edits, trace_index: int, before: CountryStyle, after: CountryStyle
) -> bool:
    """Add to `edits` what of the countries trace (at `trace_index`) changes from style `before`
    to `after`: an array as its changed entries when that is shorter (as the hover text always
    is). Whether anything did."""
    changed = False
    for (path, old), (_, new) in zip(before.properties(), after.properties(), strict=True):
        if old == new:
            continue
        changed = True
        at = ["data", trace_index, *path]
        entries = (
            [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            if isinstance(new, list) and isinstance(old, list) and len(old) == len(new)
            else None
        )
        if entries is not None and _entries_size(new, entries) < len(orjson.dumps(new)):
            for i in entries:
                edits.assign([*at, i], new[i])
        else:
            edits.assign(at, new)
    return changed


def _entries_size(values: Sequence[Any], entries: list[int]) -> int:
    """About how many bytes of Patch operations set `values` at `entries` one by one."""
    return sum(len(orjson.dumps(values[i])) + PATCH_ENTRY_BYTES for i in entries)


def store_update(old: Any, new: dict[str, Any]) -> Any:
    """A store's new value as little as possible: KEEP when it equals `old`, the edits of the
    keys that changed when both have the same keys (a layer toggle: `layers` only), else `new`."""
    if not isinstance(old, dict) or old.keys() != new.keys():
        return new
    changed = [key for key in new if old[key] != new[key]]
    if not changed:
        return KEEP
    edits = Edits()
    for key in changed:
        edits.assign([key], new[key])
    return edits

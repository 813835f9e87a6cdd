"""Small updates of what the browser already has: the difference between two figures, the
restyle of a figure's countries trace when layers are toggled, and a store's changed keys."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import orjson

from dashboard.figures import CountryStyle
from dashboard.service.models import KEEP, Edits

PATCH_ENTRY_BYTES = 80  # a Patch operation's JSON around the value it assigns


def figure_edits(before: dict[str, Any], after: dict[str, Any]) -> Edits:
    """The edits turning figure `before` into `after` (both as JSON data).

    Traces are matched by type and uid (see `kept_traces`): the traces of `before` that are not
    kept are deleted, the others of `after` inserted whole, and each kept one gets the edits of
    what changed in it (a view that shows fewer items, or more, sends only those)."""
    old_data, new_data = before.get("data", []), after.get("data", [])
    kept = kept_traces(old_data, new_data)
    kept_old, kept_new = {i for i, _ in kept}, {j for _, j in kept}
    edits = Edits()
    # the page applies them in order: deletions last first, then insertions first first (each
    # lands before the traces that come after it), then the edits of the traces kept
    for index in reversed(range(len(old_data))):
        if index not in kept_old:
            edits.delete(["data", index])
    for index, trace in enumerate(new_data):
        if index not in kept_new:
            edits.insert(["data"], index, trace)
    for i, j in kept:
        _value_edits(edits, ["data", j], old_data[i], new_data[j])
    _value_edits(edits, ["layout"], before.get("layout", {}), after.get("layout", {}))
    return edits


def kept_traces(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """The traces of figure data `old` to keep as traces of `new` (pairs of their indices), in
    the order both draw them: of those of the same type and uid (the atlas's figures give every
    trace a stable uid, unique in its figure), the ones whose JSON is the largest in all, so the
    least is sent again whole. (A trace without a uid is sent again.)"""
    where = {
        (trace.get("type"), trace["uid"]): i for i, trace in enumerate(old) if trace.get("uid")
    }
    pairs = [
        (where[key], j)
        for j, key in enumerate((trace.get("type"), trace.get("uid")) for trace in new)
        if key in where
    ]
    # the heaviest chain of pairs increasing in both indices (pairs is ordered by the new one)
    weights = [len(orjson.dumps(new[j])) for _, j in pairs]
    best, previous = list(weights), [-1] * len(pairs)
    for b, (i, _) in enumerate(pairs):
        for a in range(b):
            if pairs[a][0] < i and best[a] + weights[b] > best[b]:
                best[b], previous[b] = best[a] + weights[b], a
    chain, at = [], max(range(len(pairs)), key=best.__getitem__, default=-1)
    while at >= 0:
        chain.append(pairs[at])
        at = previous[at]
    return chain[::-1]


def trace_edits(edits: Edits, index: int, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Add the edits turning the figure's trace at `index`, `old`, into `new`."""
    _value_edits(edits, ["data", index], old, new)


def _value_edits(edits: Edits, at: list[str | int], old: Any, new: Any) -> None:
    """Add the edits turning `old` (the value at `at`) into `new`: the smaller of assigning `new`
    whole and editing what changed in it (the keys of a dict; the runs of a list that changed,
    see `_list_edits`), in each value along the way."""
    if old == new and type(old) is type(new):
        return
    parts = Edits()
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(key for key in new if key not in old)]:  # the same order everywhere
            if key not in new:
                parts.delete([*at, key])
            elif key not in old:
                parts.assign([*at, key], new[key])
            else:
                _value_edits(parts, [*at, key], old[key], new[key])
    elif isinstance(old, list) and isinstance(new, list):
        _list_edits(parts, at, old, new)
    else:
        edits.assign(at, new)
        return
    whole = Edits()
    whole.assign(at, new)
    chosen = parts if _size(parts) < _size(whole) else whole
    edits.operations.extend(chosen.operations)


def _list_edits(edits: Edits, at: list[str | int], old: list[Any], new: list[Any]) -> None:
    """Add the edits turning list `old` into `new`, run by run of what changed (the last first,
    so the places of those before it hold): a run of as many items edited item by item, any
    other deleted and the new items inserted."""
    matcher = difflib.SequenceMatcher(a=_keys(old), b=_keys(new), autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                _value_edits(edits, [*at, i1 + k], old[i1 + k], new[j1 + k])
            continue
        for index in reversed(range(i1, i2)):
            edits.delete([*at, index])
        for k, index in enumerate(range(j1, j2)):
            edits.insert(at, i1 + k, new[index])


def _keys(values: list[Any]) -> list[Any]:
    """What compares the items of a list as their JSON does (1, 1.0 and true differ)."""
    return [
        orjson.dumps(v) if isinstance(v, dict | list) else (type(v).__name__, v) for v in values
    ]


def _size(edits: Edits) -> int:
    """About the bytes of the edits' JSON (to choose between two ways of making a change)."""
    return len(orjson.dumps(edits.operations))


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

"""What the view service hands the page, as plain data: the callbacks turn it into Dash's types
(components, Patch, no_update) in dashboard.components and dashboard.callbacks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.details import Role


class Unchanged(Exception):
    """Nothing on the page changes (a callback answers with no update at all)."""


class _Keep:
    """The type of KEEP."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # this output stays as the page has it


@dataclass
class Edits:
    """Changes to a JSON value on the page (a figure, a store), as Dash's Patch operations:
    Assign a value at a location, Delete the key (or list item) at one, or Insert an item into a
    list. The page applies them in order."""

    operations: list[dict[str, Any]] = field(default_factory=list)

    def assign(self, location: Sequence[str | int], value: Any) -> None:
        self.operations.append(
            {"operation": "Assign", "location": list(location), "params": {"value": value}}
        )

    def delete(self, location: Sequence[str | int]) -> None:
        self.operations.append({"operation": "Delete", "location": list(location), "params": {}})

    def insert(self, location: Sequence[str | int], index: int, value: Any) -> None:
        """Insert `value` at `index` of the list at `location`."""
        self.operations.append(
            {
                "operation": "Insert",
                "location": list(location),
                "params": {"index": index, "value": value},
            }
        )

    def size(self) -> int:
        """The size of their JSON as Dash sends a Patch of them."""
        marker = "__dash_patch_update"
        return len(json.dumps({marker: marker, "operations": self.operations}))

    def __bool__(self) -> bool:
        return bool(self.operations)


@dataclass(frozen=True)
class Message:
    """A notice or a status line: a title, its items, and its tone (ok, warn, bad or error)."""

    title: str
    items: tuple[str, ...] = ()
    tone: str = "warn"


@dataclass(frozen=True)
class Hint:
    """A line of text in a panel, drawn as a paragraph of class `css`."""

    text: str
    css: str | None = "hint"


@dataclass(frozen=True)
class ItemDetails:
    """The details panel of an item: its name and id, a line that counts its roles, and every
    role it has in the article (with its citations)."""

    title: str
    item_id: str
    count_line: str
    roles: tuple[Role, ...]
    lang: str
    zoom: bool = False  # offer to zoom the map to it (a focusable item the map is not on)


@dataclass(frozen=True)
class Suggestions:
    """The suggestions of a text input (its <datalist>'s options), in order."""

    values: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class TableBody:
    """The rows of the table under the map (every layer's), in the view's language. One object
    per table (the service keeps the last few), so its components can be kept with it."""

    rows: tuple[Mapping[str, Any], ...]
    lang: str


@dataclass(frozen=True)
class Difference:
    """What one of two compared views shows and the other does not, as two tables."""

    only_a: tuple[Mapping[str, Any], ...]
    only_b: tuple[Mapping[str, Any], ...]
    heading_a: str
    heading_b: str
    caption_a: str
    caption_b: str
    empty: str
    lang: str

"""Scenario: the one object that describes a view, with its YAML and URL-query forms."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geodata.article import SEEDS_DIR
from geodata.certainty import STATE_MARK
from geodata.knowledge import (
    BASES,
    DIRECTIONS,
    MODALITY_LEVELS,
    Basis,
    Direction,
    Modality,
    ModalityLevel,
    modality_level,
)
from geodata.wording import describe, did_you_mean, explain, one_of
from geodata.yamlio import YamlError, YamlLimits, dump, line_of, load_with_lines, read_text

SCENARIOS_DIR = SEEDS_DIR / "scenarios"
SCENARIO_VERSION = 1
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# a scenario file is a few hundred bytes of some 30 values; these bound the work a hostile one causes
SCENARIO_LIMITS = YamlLimits(
    "a scenario file", max_bytes=200_000, max_aliases=100, max_values=5_000, max_depth=16
)
MAX_LIST_ITEMS = 100  # layers, groupings, directions or domains in one view
# a sentence id: P<paragraph>.<n> or fn<footnote>.<n> (geodata.sentences)
SENTENCE_PATTERN = r"^(P[1-9][0-9]?|fn[1-9][0-9]?)\.[1-9][0-9]?$"
MAX_QUERY_CHARS = 8_000  # the longest view (100 grouping ids of 64 characters) fits
MAX_PROBLEMS = 20  # a scenario file's problems shown (one for each field), the rest counted
MAX_NOTICES = 10  # a URL's notices shown, the rest counted
_SHOWN_PER_KIND = 3  # unknown parameters, or unknown items of one list, named one by one

LayerId = Literal[
    "value_community", "authoritarian", "support_flows", "threats", "ukraine", "events", "proposals"
]
LAYERS: tuple[LayerId, ...] = get_args(LayerId)
DomainId = Literal["cyber", "space", "cognitive"]
DOMAINS: tuple[DomainId, ...] = get_args(DomainId)
Projection = Literal["robinson", "orthographic", "polar"]
PROJECTIONS: tuple[Projection, ...] = get_args(Projection)
Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
# what the map frames: what the view draws (with a margin), or the whole world
Extent = Literal["content", "world"]
EXTENTS: tuple[Extent, ...] = get_args(Extent)
# a magnified inset of Europe on maps where Europe is drawn small and crowded, or none
InsetKind = Literal["europe", "none"]
INSETS: tuple[InsetKind, ...] = get_args(InsetKind)
# the layer whose drawings each belong to a threat direction: each direction's are a part of it,
# shown while the layer is and the direction ticked (its layer key, `direction_key`)
DIRECTED_LAYER: LayerId = "threats"


def direction_key(direction: Direction) -> str:
    """The layer key of what the directed layer draws for one direction ("threats-east")."""
    return f"{DIRECTED_LAYER}-{direction}"


DIRECTION_KEYS: tuple[str, ...] = tuple(direction_key(d) for d in DIRECTIONS)


def shown_keys(layers: Iterable[str], directions: Iterable[Direction]) -> tuple[str, ...]:
    """The layer keys a view of `layers` and `directions` shows: its layers, and the directed
    layer's part for each direction while that layer is shown. A map draws every layer and
    direction and hides what is not shown, so a toggle of either only flips what is shown."""
    layers = tuple(layers)
    if DIRECTED_LAYER not in layers:
        return layers
    return (*layers, *(direction_key(d) for d in directions))


def key_layer(key: str) -> str:
    """The layer of a layer key (itself for a layer id), also of one limited to some certainty
    states (geodata.certainty.state_key)."""
    return key.split(STATE_MARK, 1)[0].split("-", 1)[0]


def _canonical(values: Any, order: tuple[str, ...]) -> Any:
    """Deduplicate and sort a list by a fixed order, so equal selections compare equal."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v]
    if isinstance(values, list | tuple):
        unknown = [v for v in values if v not in order]
        if unknown:
            return tuple(values)  # let the Literal check name the bad value
        return tuple(v for v in order if v in values)
    return values


class Scenario(BaseModel):
    """A complete, validated description of one map view."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    version: Literal[1] = SCENARIO_VERSION
    id: str | None = Field(None, pattern=r"^[a-z0-9_\-]+$", max_length=64)
    title_ja: str = Field("", max_length=200)
    title_en: str = Field("", max_length=200)
    description_ja: str = Field("", max_length=1000)
    description_en: str = Field("", max_length=1000)
    groupings: tuple[Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=64)], ...] = Field(
        (), description="grouping ids shown; empty means all", max_length=MAX_LIST_ITEMS
    )
    layers: tuple[LayerId, ...] = Field(LAYERS, max_length=MAX_LIST_ITEMS)
    directions: tuple[Direction, ...] = Field(DIRECTIONS, max_length=MAX_LIST_ITEMS)
    domains: tuple[DomainId, ...] = Field(DOMAINS, max_length=MAX_LIST_ITEMS)
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    basis: Basis = Field("external", description="the highest basis shown")
    modality: ModalityLevel = Field("projected", description="the least certain modality shown")
    proposals: bool = True
    projection: Projection = "robinson"
    extent: Extent = "content"
    inset: InsetKind = "europe"
    lang: Lang = "ja"
    focus: str | None = Field(None, pattern=r"^[A-Za-z0-9_]+$", max_length=64)
    sentence: str | None = Field(
        None,
        pattern=SENTENCE_PATTERN,
        max_length=16,
        description="the sentence of the article whose items the view emphasises (P6.2, fn15.1)",
    )

    @field_validator("layers", mode="before")
    @classmethod
    def _order_layers(cls, value: Any) -> Any:
        return _canonical(value, LAYERS)

    @field_validator("directions", mode="before")
    @classmethod
    def _order_directions(cls, value: Any) -> Any:
        return _canonical(value, DIRECTIONS)

    @field_validator("domains", mode="before")
    @classmethod
    def _order_domains(cls, value: Any) -> Any:
        return _canonical(value, DOMAINS)

    @field_validator("groupings", mode="before")
    @classmethod
    def _order_groupings(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(sorted(set(value)))
        return value  # let the type check name the bad item

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _iso_day(cls, value: Any) -> Any:
        if value is None or isinstance(value, date):
            return value
        if not (isinstance(value, str) and _ISO_DAY.match(value)):
            raise ValueError("use an ISO date, YYYY-MM-DD")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> Scenario:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"'from' ({self.date_from}) is after 'to' ({self.date_to})")
        return self

    def title(self) -> str:
        """The title in the view's language (falling back to the other language)."""
        return (
            (self.title_ja or self.title_en)
            if self.lang == "ja"
            else (self.title_en or self.title_ja)
        )

    def description(self) -> str:
        """The one-line description in the view's language."""
        if self.lang == "ja":
            return self.description_ja or self.description_en
        return self.description_en or self.description_ja

    def shown_keys(self) -> tuple[str, ...]:
        """The layer keys the view shows (see `shown_keys`)."""
        return shown_keys(self.layers, self.directions)

    def with_every_layer(self) -> Scenario:
        """The view with every layer and threat direction: what its map draws (hiding the
        layer keys it does not show, `shown_keys`)."""
        return self.model_copy(update={"layers": LAYERS, "directions": DIRECTIONS})

    def with_every_certainty(self) -> Scenario:
        """The view with the widest certainty filters: every basis and modality (a map draws
        every certainty its view's selection at them has, and hides what the view's filters
        leave out: geodata.certainty)."""
        return self.model_copy(update={"basis": BASES[-1], "modality": MODALITY_LEVELS[-1]})

    def certainty(self) -> tuple[Basis, ModalityLevel]:
        """The view's two certainty filters."""
        return self.basis, self.modality

    def shows_basis(self, basis: Basis) -> bool:
        """Whether items of this basis pass the view's basis filter."""
        return BASES.index(basis) <= BASES.index(self.basis)

    def shows_modality(self, modality: Modality) -> bool:
        """Whether items of this modality pass the view's modality filter (recommendations
        pass with projections)."""
        return modality_level(modality) <= MODALITY_LEVELS.index(self.modality)

    # --- YAML -------------------------------------------------------------------------------

    def to_yaml(self) -> str:
        """The scenario file text (versioned, human-editable)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["layers"] = list(self.layers)
        return dump(data)

    @classmethod
    def from_yaml(cls, text: str, *, preset_id: str | None = None) -> Scenario:
        """Parse a scenario file within SCENARIO_LIMITS; raise ScenarioError with line-numbered
        problems in plain words."""
        try:
            data, lines = load_with_lines(text, SCENARIO_LIMITS)
        except YamlError as error:
            raise ScenarioError([(error.line, str(error))]) from None
        if not isinstance(data, dict):
            raise ScenarioError([(1, "a scenario file must be a YAML mapping of fields")])
        if preset_id is not None:
            if data.get("id", preset_id) != preset_id:
                raise ScenarioError(
                    [(line_of(lines, ("id",)), f"id must be the file name {preset_id!r}")]
                )
            data = {**data, "id": preset_id}
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise ScenarioError(
                [(line_of(lines, _error_path(e)), explain_error(e)) for e in error.errors()]
            ) from None

    @classmethod
    def from_file(cls, path: Path, *, preset_id: str | None = None) -> Scenario:
        """Read and parse a scenario file (at most SCENARIO_LIMITS.max_bytes are read)."""
        try:
            text = read_text(path, SCENARIO_LIMITS)
        except YamlError as error:
            raise ScenarioError([(error.line, str(error))]) from None
        return cls.from_yaml(text, preset_id=preset_id)

    # --- URL query ------------------------------------------------------------------------

    def to_query(self) -> str:
        """The dashboard URL query string that reproduces this view."""
        params: list[tuple[str, str]] = []
        if self.id:
            params.append(("scenario", self.id))
        params += [
            ("layers", ",".join(self.layers)),
            ("groupings", ",".join(self.groupings)),
            ("directions", ",".join(self.directions)),
            ("domains", ",".join(self.domains)),
            ("basis", self.basis),
            ("modality", self.modality),
            ("proposals", "1" if self.proposals else "0"),
        ]
        params += [
            ("from", self.date_from.isoformat() if self.date_from else ""),
            ("to", self.date_to.isoformat() if self.date_to else ""),
            ("projection", self.projection),
            ("extent", self.extent),
            ("inset", self.inset),
            ("lang", self.lang),
            ("focus", self.focus or ""),
        ]
        if self.sentence:
            params.append(("sentence", self.sentence))
        return urlencode(params, safe=",")

    @classmethod
    def from_query(
        cls, query: str, presets: dict[str, Scenario] | None = None
    ) -> tuple[Scenario, list[str]]:
        """Parse a query string (or whole URL); drop each bad value with a notice, never raise.
        The dashboard page's own parameters (PAGE_KEYS) are no part of the view: left alone.

        The work is bounded: a query over MAX_QUERY_CHARS is ignored whole, a list over
        MAX_LIST_ITEMS is ignored, and at most MAX_NOTICES notices come back.
        """
        if len(query) > MAX_QUERY_CHARS:
            return cls(), [
                f"ignored the whole query: it is {len(query):,} characters long; "
                f"a view's query has at most {MAX_QUERY_CHARS:,}"
            ]
        if "?" in query or "://" in query:
            try:
                query = urlsplit(query).query
            except ValueError:  # e.g. an unclosed [ of an IPv6 address
                return cls(), ["ignored the whole address: it is not a URL"]
        params: dict[str, str] = {}
        unknown_keys: list[str] = []
        for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
            if key in QUERY_KEYS:
                params[key] = value
            elif key not in PAGE_KEYS:
                unknown_keys.append(key)
        notices: dict[str, list[str]] = {key: [] for key in _NOTICE_ORDER}
        base = cls()
        preset_id = params.pop("scenario", None)
        if preset_id is not None:
            if presets and preset_id in presets:
                base = presets[preset_id]
            else:
                known = tuple(presets or ())
                notices["scenario"].append(
                    f"ignored unknown scenario {describe(preset_id)}{did_you_mean(preset_id, known)}"
                )
        fields = base.model_dump(by_alias=True)
        updates: dict[str, Any] = {}
        for key, raw in params.items():
            if key in _LIST_KEYS and raw.count(",") >= MAX_LIST_ITEMS:
                notices[key].append(
                    f"ignored {key}: it lists {raw.count(',') + 1:,} items; "
                    f"a list may have at most {MAX_LIST_ITEMS}"
                )
                continue
            if key in _LIST_CHOICES:
                kept = _drop_unknown_items(key, raw, notices[key])
                if kept is None:
                    continue
                raw = kept
            try:
                value = _QUERY_PARSERS[key](raw)
                cls.model_validate({**fields, **_NO_DATE_RANGE, key: value})
            except (ValueError, ValidationError) as error:
                notices[key].append(f"ignored {key}={describe(raw)}: {_first_error(error)}")
                continue
            updates[key] = value
        notices["unknown"] = _unknown_parameters(unknown_keys)
        try:
            return cls.model_validate({**fields, **updates}), _at_most(notices)
        except ValidationError as error:  # only the date range can conflict across parameters
            notices["from"].append(f"ignored from/to: {_first_error(error)}")
            updates = {k: v for k, v in updates.items() if k not in ("from", "to")}
            return cls.model_validate({**fields, **updates}), _at_most(notices)


class ScenarioError(ValueError):
    """A scenario file that does not validate: a list of (line, message), at most MAX_PROBLEMS
    of them and then one that counts the rest."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        if len(problems) > MAX_PROBLEMS:
            rest = len(problems) - (MAX_PROBLEMS - 1)
            last_line = problems[MAX_PROBLEMS - 1][0]
            problems = [*problems[: MAX_PROBLEMS - 1], (last_line, f"and {rest:,} more problems")]
        super().__init__("; ".join(f"line {line}: {message}" for line, message in problems))
        self.problems = problems


def _parse_bool(raw: str) -> bool:
    if raw in ("1", "true"):
        return True
    if raw in ("0", "false"):
        return False
    raise ValueError("use 0 or 1")


def _parse_optional(raw: str) -> str | None:
    return raw or None


_QUERY_PARSERS = {
    "layers": str,
    "groupings": str,
    "directions": str,
    "domains": str,
    "basis": str,
    "modality": str,
    "proposals": _parse_bool,
    "from": _parse_optional,
    "to": _parse_optional,
    "projection": str,
    "extent": str,
    "inset": str,
    "lang": str,
    "focus": _parse_optional,
    "sentence": _parse_optional,
}
QUERY_KEYS: tuple[str, ...] = ("scenario", *_QUERY_PARSERS)
# the dashboard page's own parameters, beside the view's: `read=1`, the reading panel open (it
# changes no picture, so it is no part of a Scenario; dashboard.service.views reads it)
PAGE_KEYS: tuple[str, ...] = ("read",)
_LIST_KEYS = ("layers", "groupings", "directions", "domains")
_LIST_CHOICES: dict[str, tuple[str, ...]] = {
    "layers": LAYERS,
    "directions": DIRECTIONS,
    "domains": DOMAINS,
}
# notices come in this order, so the cap can only cut the long tails (list items, unknown keys)
_NOTICE_ORDER = (
    "scenario",
    *(key for key in _QUERY_PARSERS if key not in _LIST_KEYS),
    *_LIST_KEYS,
    "unknown",
)
# the words for a field's allowed values: "'xyz' is not a layer; use …"
_NOUNS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "version": ("scenario file version", (SCENARIO_VERSION,)),
    "layers": ("layer", LAYERS),
    "directions": ("direction", DIRECTIONS),
    "domains": ("domain", DOMAINS),
    "basis": ("basis", BASES),
    "modality": ("modality", MODALITY_LEVELS),
    "projection": ("projection", PROJECTIONS),
    "extent": ("map extent", EXTENTS),
    "inset": ("inset", INSETS),
    "lang": ("language", LANGS),
}
_PATTERN_HINTS = {
    "id": "an id is lower-case letters, digits, '_' and '-'",
    "groupings": "a grouping id is lower-case letters, digits and '_'",
    "focus": "a focus is an id of letters, digits and '_', such as JPN or nato",
    "sentence": "a sentence id is P<paragraph>.<n> or fn<footnote>.<n>, such as P6.2",
}


# cleared while one parameter is checked on its own; the range is checked once all are applied
_NO_DATE_RANGE = {"from": None, "to": None}


def _drop_unknown_items(key: str, raw: str, notices: list[str]) -> str | None:
    """Keep the known items of a comma list; note the first unknown ones and count the rest.
    None when it names items and none is known (only commas: the empty list, like a blank)."""
    choices = _LIST_CHOICES[key]
    noun = _NOUNS[key][0]
    items = [v for v in raw.split(",") if v]
    kept = [item for item in items if item in choices]
    unknown = [item for item in items if item not in choices]
    for item in unknown[:_SHOWN_PER_KIND]:
        suggestion = did_you_mean(item, choices) or f"; use {one_of(choices)}"
        notices.append(f"ignored {key} item {describe(item)}: not a {noun}{suggestion}")
    if len(unknown) > _SHOWN_PER_KIND:
        rest = len(unknown) - _SHOWN_PER_KIND
        notices.append(f"ignored {rest:,} more {key} items that are not {noun}s")
    if items and not kept:
        return None
    return ",".join(kept)


def _unknown_parameters(keys: list[str]) -> list[str]:
    notices = [
        f"ignored unknown parameter {describe(key)}{did_you_mean(key, QUERY_KEYS)}"
        for key in keys[:_SHOWN_PER_KIND]
    ]
    if len(keys) > _SHOWN_PER_KIND:
        notices.append(
            f"ignored {len(keys) - _SHOWN_PER_KIND:,} more unknown parameters; "
            f"parameters are {one_of(QUERY_KEYS)}"
        )
    return notices


def _at_most(notices: dict[str, list[str]]) -> list[str]:
    """The notices in _NOTICE_ORDER; past MAX_NOTICES, one line counts the rest."""
    ordered = [notice for key in _NOTICE_ORDER for notice in notices[key]]
    if len(ordered) <= MAX_NOTICES:
        return ordered
    rest = len(ordered) - (MAX_NOTICES - 1)
    return [*ordered[: MAX_NOTICES - 1], f"and {rest:,} more problems in the address"]


def _error_path(error: Any) -> tuple[str | int, ...]:
    """The YAML path of a pydantic error; a cross-field error points at the field it names."""
    if error["loc"]:
        return tuple(error["loc"])
    named = [key for key in ("from", "to") if f"'{key}'" in error["msg"]]
    return (named[-1],) if named else ()


def explain_error(error: Any) -> str:
    """One pydantic error about a Scenario in plain words, led by the field it is about
    ("layers: 'xyz' is not a layer; use …")."""
    field = str(error["loc"][0]) if error["loc"] else ""
    where = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
    if error["type"] == "extra_forbidden":
        message = f"unknown field{did_you_mean(field, FIELD_NAMES)}"
    elif error["type"] == "literal_error" and field in _NOUNS:
        noun, choices = _NOUNS[field]
        message = f"{describe(error['input'])} is not a {noun}; use {one_of(choices)}"
    elif error["type"] == "string_pattern_mismatch" and field in _PATTERN_HINTS:
        message = f"{describe(error['input'])} is not allowed: {_PATTERN_HINTS[field]}"
    else:
        message = explain(error)
    return f"{where}: {message}" if where else message


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return explain_error(error.errors()[0]).split(": ", 1)[-1]
    return str(error)


FIELD_NAMES: tuple[str, ...] = tuple(
    (info.alias or name) for name, info in Scenario.model_fields.items()
)


READING_ORDER = "reading-order.txt"


def load_presets(directory: Path = SCENARIOS_DIR) -> dict[str, Scenario]:
    """The bundled scenario presets, keyed by file name without extension, in reading order
    (the ids listed in the folder's reading-order.txt, then the others by file name)."""
    if not directory.is_dir():  # never an app without its presets
        raise FileNotFoundError(errno.ENOENT, "no scenario presets folder", str(directory))
    paths = {path.stem: path for path in sorted(directory.glob("*.yaml"))}
    order = directory / READING_ORDER
    listed = order.read_text(encoding="utf-8").split("\n") if order.is_file() else []
    ids = [line.strip() for line in listed if line.strip() and not line.startswith("#")]
    ordered = [i for i in dict.fromkeys(ids) if i in paths] + sorted(set(paths) - set(ids))
    return {i: Scenario.from_file(paths[i], preset_id=i) for i in ordered}

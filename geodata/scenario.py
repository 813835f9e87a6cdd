"""Scenario: the one object that describes a view, with its YAML and URL-query forms."""

from __future__ import annotations

import difflib
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geodata.article import SEEDS_DIR
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
from geodata.yamlio import YamlSyntaxError, dump, line_of, load_with_lines

SCENARIOS_DIR = SEEDS_DIR / "scenarios"
SCENARIO_VERSION = 1
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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
        (), description="grouping ids shown; empty means all"
    )
    layers: tuple[LayerId, ...] = LAYERS
    directions: tuple[Direction, ...] = DIRECTIONS
    domains: tuple[DomainId, ...] = DOMAINS
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    basis: Basis = Field("external", description="the highest basis shown")
    modality: ModalityLevel = Field("projected", description="the least certain modality shown")
    proposals: bool = True
    projection: Projection = "robinson"
    lang: Lang = "ja"
    focus: str | None = Field(None, pattern=r"^[A-Za-z0-9_]+$", max_length=64)

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
        """Parse a scenario file; raise ScenarioError with line-numbered problems."""
        try:
            data, lines = load_with_lines(text)
        except YamlSyntaxError as error:
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
                [(line_of(lines, _error_path(e)), _explain(e)) for e in error.errors()]
            ) from None

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
            ("lang", self.lang),
            ("focus", self.focus or ""),
        ]
        return urlencode(params, safe=",")

    @classmethod
    def from_query(
        cls, query: str, presets: dict[str, Scenario] | None = None
    ) -> tuple[Scenario, list[str]]:
        """Parse a query string (or whole URL); drop each bad value with a notice, never raise."""
        if "?" in query or "://" in query:
            query = urlsplit(query).query
        notices: list[str] = []
        pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
        params: dict[str, str] = {}
        for key, value in pairs:
            if key not in QUERY_KEYS:
                suggestion = _did_you_mean(key, QUERY_KEYS)
                notices.append(f"ignored unknown parameter {_short(key)!r}{suggestion}")
            else:
                params[key] = value
        base = cls()
        preset_id = params.pop("scenario", None)
        if preset_id is not None:
            if presets and preset_id in presets:
                base = presets[preset_id]
            else:
                known = tuple(presets or ())
                notices.append(
                    f"ignored unknown scenario {_short(preset_id)!r}{_did_you_mean(preset_id, known)}"
                )
        fields = base.model_dump(by_alias=True)
        updates: dict[str, Any] = {}
        for key, raw in params.items():
            if key in _LIST_CHOICES:
                kept = _drop_unknown_items(key, raw, _LIST_CHOICES[key], notices)
                if kept is None:
                    continue
                raw = kept
            try:
                value = _QUERY_PARSERS[key](raw)
                cls.model_validate({**fields, **_NO_DATE_RANGE, key: value})
            except (ValueError, ValidationError) as error:
                notices.append(f"ignored {key}={_short(raw)!r}: {_first_error(error)}")
                continue
            updates[key] = value
        try:
            return cls.model_validate({**fields, **updates}), notices
        except ValidationError as error:  # only the date range can conflict across parameters
            notices.append(f"ignored from/to: {_first_error(error)}")
            updates = {k: v for k, v in updates.items() if k not in ("from", "to")}
            return cls.model_validate({**fields, **updates}), notices


class ScenarioError(ValueError):
    """A scenario file that does not validate: a list of (line, message)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
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
    "lang": str,
    "focus": _parse_optional,
}
QUERY_KEYS: tuple[str, ...] = ("scenario", *_QUERY_PARSERS)
_LIST_CHOICES: dict[str, tuple[str, ...]] = {
    "layers": LAYERS,
    "directions": DIRECTIONS,
    "domains": DOMAINS,
}


# cleared while one parameter is checked on its own; the range is checked once all are applied
_NO_DATE_RANGE = {"from": None, "to": None}


def _drop_unknown_items(
    key: str, raw: str, choices: tuple[str, ...], notices: list[str]
) -> str | None:
    """Keep the known items of a comma list, noting each unknown one; None when none is known."""
    kept = []
    for item in (v for v in raw.split(",") if v):
        if item in choices:
            kept.append(item)
        else:
            notices.append(f"ignored {key} item {_short(item)!r}{_did_you_mean(item, choices)}")
    if raw and not kept:
        return None
    return ",".join(kept)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _error_path(error: Any) -> tuple[str | int, ...]:
    """The YAML path of a pydantic error; a cross-field error points at the field it names."""
    if error["loc"]:
        return tuple(error["loc"])
    named = [key for key in ("from", "to") if f"'{key}'" in error["msg"]]
    return (named[-1],) if named else ()


def _explain(error: Any) -> str:
    """A one-line reading of a pydantic error, with the allowed values where there are some."""
    where = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown field{_did_you_mean(str(error['loc'][-1]), list(FIELD_NAMES))}"
    elif error["type"] == "literal_error":
        message = (
            f"unknown value {_short(str(error['input']))!r}; {message[0].lower()}{message[1:]}"
        )
    return f"{where}: {message}" if where else message


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return _explain(error.errors()[0]).split(": ", 1)[-1]
    return str(error)


FIELD_NAMES: tuple[str, ...] = tuple(
    (info.alias or name) for name, info in Scenario.model_fields.items()
)


def load_presets(directory: Path = SCENARIOS_DIR) -> dict[str, Scenario]:
    """The bundled scenario presets, keyed by file name without extension, in file-name order."""
    return {
        path.stem: Scenario.from_yaml(path.read_text(encoding="utf-8"), preset_id=path.stem)
        for path in sorted(directory.glob("*.yaml"))
    }

"""The knowledge base: typed, cited records read from the hand-written YAML in seeds/knowledge/."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from geodata.article import SEEDS_DIR

KNOWLEDGE_DIR = SEEDS_DIR / "knowledge"

Basis = Literal["stated", "inferred", "external"]
BASES: tuple[Basis, ...] = ("stated", "inferred", "external")
Status = Literal["existing", "proposed"]
Direction = Literal["east", "north", "south", "west"]
DIRECTIONS: tuple[Direction, ...] = ("east", "north", "south", "west")
Camp = Literal["value", "authoritarian"]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def basis_rank(basis: Basis) -> int:
    """0 for stated, 1 for inferred, 2 for external: the order the basis filter uses."""
    return BASES.index(basis)


def _normalise_partial_date(value: Any) -> Any:
    """Accept 2015, "2024-07", "2024-07-09" or a date; reject anything else or a bad calendar day."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("a date must be ISO text: YYYY, YYYY-MM or YYYY-MM-DD")
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError(f"malformed date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        raise ValueError(f"malformed date {value!r}: month {month} does not exist")
    if day and not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        raise ValueError(f"malformed date {value!r}: day {day} does not exist")
    return value


PartialDate = Annotated[str, BeforeValidator(_normalise_partial_date)]


def date_bounds(value: str) -> tuple[date, date]:
    """The first and last day a partial ISO date covers ("2015" → 2015-01-01 … 2015-12-31)."""
    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return date(year, 1, 1), date(year, 12, 31)
    month = parts[1]
    if len(parts) == 2:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, month, parts[2]), date(year, month, parts[2])


class Model(BaseModel):
    """Strict, immutable base for every knowledge record."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Model):
    """Where the article supports an item: a paragraph, footnotes, a verbatim quote and a gloss."""

    paragraph: int | None = Field(None, description="body paragraph number, P1…P12")
    footnotes: tuple[int, ...] = ()
    quote_ja: str = Field(min_length=1)
    gloss_en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _has_a_place(self) -> Citation:
        if self.paragraph is None and not self.footnotes:
            raise ValueError("a citation needs a paragraph or at least one footnote")
        return self


class Cited(Model):
    """A record with its basis, the reason for a non-stated basis, and its citations."""

    basis: Basis
    reason: str | None = None
    citations: tuple[Citation, ...] = Field(min_length=1)


class Actor(Cited):
    """A state the article names or implies, keyed by ISO alpha-3."""

    id: str
    name_ja: str
    name_en: str
    article_form_ja: str | None = Field(
        None, description="the abbreviation the article uses, e.g. 米"
    )


class Membership(Cited):
    """One state's membership of one grouping."""

    iso3: str
    role_en: str | None = None
    role_ja: str | None = None


class Inclusion(Cited):
    """A grouping that takes in every member of another grouping."""

    grouping: str


class Grouping(Cited):
    """An alliance, framework, partnership or bloc, existing or proposed."""

    id: str
    name_ja: str
    name_en: str
    camp: Camp
    status: Status = "existing"
    description_en: str | None = None
    anchor: tuple[float, float] | None = Field(None, description="lon, lat of its seat or symbol")
    members: tuple[Membership, ...] = ()
    includes: tuple[Inclusion, ...] = ()


class RegionExtent(Model):
    """How a region's polygon is derived: a lon/lat box (optionally minus land) or countries."""

    box: tuple[float, float, float, float] | None = None
    minus_land: bool = False
    minus_boxes: tuple[tuple[float, float, float, float], ...] = ()
    countries: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _has_a_shape(self) -> RegionExtent:
        if self.box is None and not self.countries:
            raise ValueError("a region extent needs a box or a list of countries")
        return self


class Region(Cited):
    """A named sea or area; its extent is derived geometry, its basis says how far the article defines it."""

    id: str
    name_ja: str
    name_en: str
    kind: Literal["sea", "area"]
    extent: RegionExtent
    anchor: tuple[float, float] | None = None


class ThreatDirection(Cited):
    """One of NATO's 360° directions: an arrow from an origin towards the alliance."""

    id: str
    direction: Direction
    name_ja: str
    name_en: str
    origin: str = Field(description="an actor, region or grouping id the arrow starts from")
    target: str = Field(description="an actor, region or grouping id the arrow points at")
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


class Attribution(Cited):
    """Who the article links to a threat domain."""

    actor: str


class Domain(Cited):
    """A threat domain with no geography (cyber, space, cognitive)."""

    id: str
    name_ja: str
    name_en: str
    attributions: tuple[Attribution, ...] = ()


class Relation(Cited):
    """A link between two actors, groupings or regions: support, partnership, exercise, proposal…"""

    id: str
    source: str
    target: str
    kind: str
    directed: bool = True
    date: PartialDate | None = None
    status: Status = "existing"
    label_ja: str
    label_en: str


class Place(Model):
    """Where an event happened, with how the article supports the location."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    name_ja: str
    name_en: str
    basis: Basis
    reason: str | None = None


class Event(Cited):
    """A dated event the article names."""

    id: str
    date: PartialDate
    name_ja: str
    name_en: str
    actors: tuple[str, ...] = ()
    place: Place


class Source(Model):
    """One cited work inside a footnote."""

    author: str | None = None
    title: str
    publisher: str | None = None
    date: PartialDate | None = None


class Footnote(Model):
    """An article footnote: its sources and, when it comments, the comment."""

    number: int
    sources: tuple[Source, ...] = ()
    note_ja: str | None = None


class Knowledge(Model):
    """The whole knowledge base."""

    actors: tuple[Actor, ...]
    groupings: tuple[Grouping, ...]
    regions: tuple[Region, ...]
    threats: tuple[ThreatDirection, ...]
    domains: tuple[Domain, ...]
    relations: tuple[Relation, ...]
    events: tuple[Event, ...]
    footnotes: tuple[Footnote, ...]


# file name → (top-level key, record model) for each knowledge file
KNOWLEDGE_FILES: dict[str, tuple[str, type[Model]]] = {
    "actors.yaml": ("actors", Actor),
    "groupings.yaml": ("groupings", Grouping),
    "regions.yaml": ("regions", Region),
    "threats.yaml": ("threats", ThreatDirection),
    "domains.yaml": ("domains", Domain),
    "relations.yaml": ("relations", Relation),
    "events.yaml": ("events", Event),
    "footnotes.yaml": ("footnotes", Footnote),
}

"""The knowledge base: typed, cited records read from the hand-written YAML in seeds/knowledge/."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
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
# how strongly the article says what a citation quotes, most certain first
Modality = Literal["asserted", "assessed", "projected", "recommended"]
MODALITIES: tuple[Modality, ...] = ("asserted", "assessed", "projected", "recommended")
# the levels of the modality filter: the least certain shown (recommendations go with projections)
ModalityLevel = Literal["asserted", "assessed", "projected"]
MODALITY_LEVELS: tuple[ModalityLevel, ...] = ("asserted", "assessed", "projected")
# how a relation is drawn: an arc between its ends, a mark at its source, or only listed
Placement = Literal["arc", "at_source", "listed"]
TopicKind = Literal[
    "theme",
    "institution",
    "driver",
    "framing",
    "definition",
    "value",
    "trend",
    "assessment",
    "technology",
    "initiative",
]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def basis_rank(basis: Basis) -> int:
    """0 for stated, 1 for inferred, 2 for external: the order the basis filter uses."""
    return BASES.index(basis)


def modality_level(modality: Modality) -> int:
    """0 asserted, 1 assessed, 2 projected or recommended: the order the modality filter uses."""
    return min(MODALITIES.index(modality), len(MODALITY_LEVELS) - 1)


def most_certain(modalities: Iterable[Modality]) -> Modality:
    """The most certain of several modalities (a record's is its most certain citation's)."""
    return min(modalities, key=MODALITIES.index)


def least_certain(*modalities: Modality) -> Modality:
    """The least certain of several modalities (a membership through another grouping)."""
    return max(modalities, key=MODALITIES.index)


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
    """Where the article supports an item: a paragraph, footnotes, a verbatim quote and a gloss,
    and how strongly the article says it: `modality`, with the words it hedges by (`hedge_ja`,
    verbatim in the quote's sentence) when it does not simply assert it."""

    paragraph: int | None = Field(None, description="body paragraph number, P1…P12")
    footnotes: tuple[int, ...] = ()
    quote_ja: str = Field(min_length=1)
    gloss_en: str = Field(min_length=1)
    modality: Modality = "asserted"
    hedge_ja: str | None = Field(None, min_length=1)

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

    @property
    def modality(self) -> Modality:
        """How strongly the article says it: its most certain citation's modality."""
        return most_certain(c.modality for c in self.citations)


class Dated(Model):
    """A record with an optional (partial) ISO date and how the article supports that date:
    stated (the article gives it), inferred (read from the article: a relative date such as
    "just before the summit", a year from context, a cited work's date) or external."""

    date: PartialDate | None = None
    date_basis: Basis = "stated"
    date_reason: str | None = None


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
    formal_name_ja: str | None = Field(
        None,
        description="its own Japanese full name where the article writes only the short one "
        "(NATO → 北大西洋条約機構): a name, not a statement of the article",
    )
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


class Relation(Cited, Dated):
    """A link between two actors, groupings, regions or topics: support, partnership, exercise,
    proposal…; `placement` says how a map may draw it (an arc, a mark at its source, or only
    listed when an arc would mislead)."""

    id: str
    source: str
    target: str
    kind: str
    directed: bool = True
    placement: Placement = "arc"
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


class Event(Cited, Dated):
    """A dated event the article names."""

    id: str
    date: PartialDate
    name_ja: str
    name_en: str
    actors: tuple[str, ...] = ()
    place: Place


class Topic(Cited, Dated):
    """Something the article discusses that is neither a place nor a link: a theme of the
    summit, an institution, a driver, a framing, a value, a trend, a technology, an initiative.
    `about` names the records it concerns (where a map may place it); with none, it is listed."""

    id: str
    name_ja: str
    name_en: str
    kind: TopicKind
    layer: str = Field(description="the map layer that lists it (a Scenario layer id)")
    about: tuple[str, ...] = ()
    status: Status = "existing"


class SentenceNote(Model):
    """One sentence of the article (see geodata.sentences): its text, its English gloss and,
    when no record's citation quotes it, the reason it maps to nothing."""

    id: str = Field(pattern=r"^(P\d+|fn\d+)\.\d+$")
    text_ja: str = Field(min_length=1)
    gloss_en: str = Field(min_length=1)
    reason: str | None = None


class HeadingNote(Model):
    """A line of the article that is neither a paragraph nor a footnote (a heading, the figure's
    caption or source line, the note after the date), verbatim, with its English gloss."""

    text_ja: str = Field(min_length=1)
    gloss_en: str = Field(min_length=1)


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
    reason: str | None = Field(None, description="why no record cites it, if none does")


class Knowledge(Model):
    """The whole knowledge base."""

    actors: tuple[Actor, ...]
    groupings: tuple[Grouping, ...]
    regions: tuple[Region, ...]
    threats: tuple[ThreatDirection, ...]
    domains: tuple[Domain, ...]
    relations: tuple[Relation, ...]
    events: tuple[Event, ...]
    topics: tuple[Topic, ...]
    footnotes: tuple[Footnote, ...]
    sentences: tuple[SentenceNote, ...]
    headings: tuple[HeadingNote, ...]


# file name → (top-level key, record model) for each knowledge file
KNOWLEDGE_FILES: dict[str, tuple[str, type[Model]]] = {
    "actors.yaml": ("actors", Actor),
    "groupings.yaml": ("groupings", Grouping),
    "regions.yaml": ("regions", Region),
    "threats.yaml": ("threats", ThreatDirection),
    "domains.yaml": ("domains", Domain),
    "relations.yaml": ("relations", Relation),
    "events.yaml": ("events", Event),
    "topics.yaml": ("topics", Topic),
    "footnotes.yaml": ("footnotes", Footnote),
    "sentences.yaml": ("sentences", SentenceNote),
    "headings.yaml": ("headings", HeadingNote),
}

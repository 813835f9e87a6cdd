"""Reading and checking the knowledge base and scenario files: the checks behind `validate`."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from pydantic import ValidationError

from geodata.article import Article, load_article
from geodata.countries import load_countries
from geodata.knowledge import (
    KNOWLEDGE_DIR,
    KNOWLEDGE_FILES,
    Citation,
    Knowledge,
)
from geodata.records import cited_records
from geodata.scenario import LAYERS, SCENARIO_LIMITS, SCENARIOS_DIR, Scenario, ScenarioError
from geodata.sentence_checks import sentence_problems
from geodata.sentences import unknown_sentence
from geodata.wording import describe, explain
from geodata.yamlio import Path_, YamlError, YamlLimits, line_of, load_with_lines, read_text

# the bundled files are 3-15 KB of at most 1,300 values and 75 aliases, nested 9 deep
KNOWLEDGE_LIMITS = YamlLimits(
    "a knowledge file", max_bytes=1_000_000, max_aliases=5_000, max_values=200_000, max_depth=32
)


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, printed as `file:line: message`."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeError(ValueError):
    """The knowledge base does not validate."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class _Source:
    """Where each knowledge file's records came from, for line numbers."""

    files: dict[str, Path] = field(default_factory=dict)
    lines: dict[str, dict[Path_, int]] = field(default_factory=dict)

    def problem(self, key: str, path: Path_, message: str) -> Problem:
        return Problem(self.files[key], line_of(self.lines[key], (key, *path)), message)


def read_knowledge(
    directory: Path = KNOWLEDGE_DIR,
) -> tuple[Knowledge | None, list[Problem], _Source]:
    """Parse every knowledge file; return the model (None on shape errors) and the problems."""
    problems: list[Problem] = []
    source = _Source()
    records: dict[str, list[Any]] = {}
    for file_name, (key, model) in KNOWLEDGE_FILES.items():
        path = directory / file_name
        source.files[key] = path
        source.lines[key] = {}
        if not path.exists():
            problems.append(Problem(path, 1, f"missing knowledge file {file_name}"))
            continue
        try:
            data, lines = load_with_lines(read_text(path, KNOWLEDGE_LIMITS), KNOWLEDGE_LIMITS)
        except YamlError as error:
            problems.append(Problem(path, error.line, str(error)))
            continue
        source.lines[key] = lines
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            problems.append(Problem(path, 1, f"expected a top-level list '{key}:'"))
            continue
        for extra in data.keys() - {key}:
            if not str(extra).startswith("x-"):
                problems.append(
                    source.problem(
                        key,
                        (),
                        f"unknown top-level key {describe(extra)} (only '{key}' "
                        "and 'x-…' anchors are allowed)",
                    )
                )
        records[key] = []
        for index, raw in enumerate(data[key]):
            try:
                records[key].append(model.model_validate(raw))
            except ValidationError as error:
                problems.extend(
                    source.problem(key, (index, *e["loc"]), _describe(e)) for e in error.errors()
                )
    if problems:
        return None, problems, source
    return Knowledge(**records), problems, source


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
    message = explain(error)
    if error["type"] == "extra_forbidden":
        message = "unknown field (check the spelling against the other records)"
    return f"{where}: {message}" if where else message


def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    """The validated knowledge base; raises KnowledgeError listing every problem."""
    knowledge, problems, source = read_knowledge(directory)
    if knowledge is not None:
        problems = check_knowledge(knowledge, source)
    if problems:
        raise KnowledgeError(sorted(problems))
    assert knowledge is not None
    return knowledge


def check_knowledge(
    knowledge: Knowledge, source: _Source, article: Article | None = None
) -> list[Problem]:
    """Cross-record checks: ids, references, ISO codes, geometry, citations, basis reasons."""
    article = article or load_article()
    checker = _Checker(knowledge, source, article)
    return list(checker.run())


class _Checker:
    def __init__(self, knowledge: Knowledge, source: _Source, article: Article) -> None:
        self.kb = knowledge
        self.source = source
        self.article = article
        countries = load_countries()
        self.drawn = {
            row.iso3
            for row in countries.itertuples()
            if row.geometry is not None and not row.geometry.is_empty
        }
        self.country_names = dict(zip(countries.iso3, countries.name_en, strict=True))
        self.actor_ids = {a.id for a in knowledge.actors}
        self.grouping_ids = {g.id for g in knowledge.groupings}
        self.region_ids = {r.id for r in knowledge.regions}
        self.topic_ids = {t.id for t in knowledge.topics}
        # the places a map can anchor: relation ends and threat origins
        self.refs = self.actor_ids | self.grouping_ids | self.region_ids
        # what a topic may be about: any record with an id
        self.record_ids = (
            self.refs
            | self.topic_ids
            | {
                record.id
                for kind in ("threats", "domains", "relations", "events")
                for record in getattr(knowledge, kind)
            }
        )

    def run(self) -> Iterator[Problem]:
        yield from self._duplicates()
        yield from self._citations_and_basis()
        yield from self._codes()
        yield from self._references()
        yield from self._topics()
        yield from self._footnotes()
        yield from sentence_problems(self.kb, self.article, self.source.problem)

    # --- ids -----------------------------------------------------------------------------

    def _duplicates(self) -> Iterator[Problem]:
        kinds = (
            "actors",
            "groupings",
            "regions",
            "threats",
            "domains",
            "relations",
            "events",
            "topics",
        )
        first_seen: dict[str, str] = {}
        for kind in kinds:
            for index, record in enumerate(getattr(self.kb, kind)):
                if record.id in first_seen:
                    yield self.source.problem(
                        kind,
                        (index, "id"),
                        f"duplicate id {record.id!r} (already used in {first_seen[record.id]}); ids must be unique",
                    )
                else:
                    first_seen[record.id] = kind
        for gi, grouping in enumerate(self.kb.groupings):
            counts = Counter(m.iso3 for m in grouping.members)
            for mi, member in enumerate(grouping.members):
                if counts[member.iso3] > 1:
                    counts[member.iso3] = 0
                    yield self.source.problem(
                        "groupings",
                        (gi, "members", mi, "iso3"),
                        f"{member.iso3} is listed twice in {grouping.id!r}; keep one membership",
                    )
        numbers = Counter(f.number for f in self.kb.footnotes)
        for index, footnote in enumerate(self.kb.footnotes):
            if numbers[footnote.number] > 1:
                numbers[footnote.number] = 0
                yield self.source.problem(
                    "footnotes", (index, "number"), f"duplicate footnote number {footnote.number}"
                )

    # --- citations and basis ----------------------------------------------------------------

    def _citations_and_basis(self) -> Iterator[Problem]:
        for item in cited_records(self.kb):
            kind, path, record = item.file_key, item.path, item.record
            if record.basis != "stated" and not (record.reason or "").strip():
                yield self.source.problem(
                    kind,
                    (*path, "basis"),
                    f"basis {record.basis!r} needs a one-line 'reason' saying why it is not stated",
                )
            for ci, citation in enumerate(record.citations):
                yield from self._citation(kind, (*path, "citations", ci), citation)
        for ei, event in enumerate(self.kb.events):
            if event.place.basis != "stated" and not (event.place.reason or "").strip():
                yield self.source.problem(
                    "events",
                    (ei, "place", "basis"),
                    f"place basis {event.place.basis!r} needs a 'reason' saying where the place comes from",
                )
        for kind in ("relations", "events", "topics"):
            for index, record in enumerate(getattr(self.kb, kind)):
                yield from self._date_basis(kind, (index,), record)

    def _date_basis(self, kind: str, path: Path_, record: Any) -> Iterator[Problem]:
        if record.date is None and (record.date_basis != "stated" or record.date_reason):
            yield self.source.problem(
                kind, (*path, "date_basis"), "date_basis and date_reason need a date"
            )
        elif record.date_basis != "stated" and not (record.date_reason or "").strip():
            yield self.source.problem(
                kind,
                (*path, "date_basis"),
                f"date_basis {record.date_basis!r} needs a 'date_reason' saying where the date "
                "comes from (a relative date, a year from context, a cited work's date…)",
            )

    def _citation(self, kind: str, path: Path_, citation: Citation) -> Iterator[Problem]:
        paragraphs = len(self.article.paragraphs)
        if citation.paragraph is not None and not 1 <= citation.paragraph <= paragraphs:
            yield self.source.problem(
                kind,
                (*path, "paragraph"),
                f"paragraph {citation.paragraph} does not exist: the article has P1…P{paragraphs}",
            )
            return
        for number in citation.footnotes:
            if number not in self.article.footnotes:
                yield self.source.problem(
                    kind,
                    (*path, "footnotes"),
                    f"footnote {number} does not exist: the article has footnotes 1…{max(self.article.footnotes)}",
                )
                return
        if not self.article.quote_found(citation.quote_ja, citation.paragraph, citation.footnotes):
            yield self.source.problem(kind, (*path, "quote_ja"), self._quote_hint(citation))

    def _quote_hint(self, citation: Citation) -> str:
        quote = citation.quote_ja
        cited = f"P{citation.paragraph}" if citation.paragraph else "the cited footnotes"
        for number, text in enumerate(self.article.paragraphs, 1):
            if quote in text:
                return f"quote_ja is not in {cited} but is in P{number}: cite paragraph {number}"
        for number, text in self.article.footnotes.items():
            if quote in text:
                return f"quote_ja is not in {cited} but is in footnote {number}: cite footnotes: [{number}]"
        return (
            f"quote_ja is not found verbatim in the article ({_short(quote)!r}); "
            "copy the span exactly, including punctuation and footnote marks"
        )

    # --- ISO codes and geometry -------------------------------------------------------------

    def _iso_fields(self) -> Iterator[tuple[str, Path_, str, bool]]:
        """(kind, path, code, must be a declared actor) for every ISO code in the knowledge base."""
        for index, actor in enumerate(self.kb.actors):
            yield "actors", (index, "id"), actor.id, False
        for gi, grouping in enumerate(self.kb.groupings):
            for mi, member in enumerate(grouping.members):
                yield "groupings", (gi, "members", mi, "iso3"), member.iso3, True
        for ri, region in enumerate(self.kb.regions):
            for ci, code in enumerate(region.extent.countries):
                yield "regions", (ri, "extent", "countries", ci), code, False
        for di, domain in enumerate(self.kb.domains):
            for ai, attribution in enumerate(domain.attributions):
                yield "domains", (di, "attributions", ai, "actor"), attribution.actor, True
        for ti, threat in enumerate(self.kb.threats):
            for si, code in enumerate(threat.sources):
                yield "threats", (ti, "sources", si), code, True

    def _codes(self) -> Iterator[Problem]:
        for kind, path, code, must_be_actor in self._iso_fields():
            message = self._code_problem(code, must_be_actor)
            if message:
                yield self.source.problem(kind, path, message)

    def _code_problem(self, code: str, must_be_actor: bool) -> str | None:
        if code in self.drawn:
            if must_be_actor and code not in self.actor_ids:
                return (
                    f"{code} ({self.country_names[code]}) is not in actors.yaml; add it there first"
                )
            return None
        if code in self.country_names or pycountry.countries.get(alpha_3=code):
            return f"{code} is a real country code but has no geometry in the countries layer; it cannot be drawn"
        return f"unknown ISO alpha-3 code {code!r}{self._suggest_code(code)}"

    def _suggest_code(self, code: str) -> str:
        by_name = {name.upper(): iso for iso, name in self.country_names.items()}
        close = difflib.get_close_matches(code, sorted(self.drawn), n=1, cutoff=0.6)
        close_name = difflib.get_close_matches(code.upper(), list(by_name), n=1, cutoff=0.6)
        guess = close[0] if close else by_name[close_name[0]] if close_name else None
        return f" — did you mean {guess} ({self.country_names[guess]})?" if guess else ""

    # --- references between records ------------------------------------------------------

    def _references(self) -> Iterator[Problem]:
        for ti, threat in enumerate(self.kb.threats):
            for name in ("origin", "target"):
                yield from self._ref("threats", (ti, name), getattr(threat, name))
            for ri, region in enumerate(threat.regions):
                if region not in self.region_ids:
                    yield self.source.problem(
                        "threats",
                        (ti, "regions", ri),
                        f"unknown region {region!r}{_did_you_mean(region, self.region_ids)}",
                    )
        for index, relation in enumerate(self.kb.relations):
            for end in ("source", "target"):
                if getattr(relation, end) not in self.topic_ids:
                    yield from self._ref("relations", (index, end), getattr(relation, end))
            yield from self._placement(index, relation)
            if relation.source == relation.target:
                yield self.source.problem(
                    "relations", (index, "target"), "a relation needs two different ends"
                )
        for index, event in enumerate(self.kb.events):
            for ai, actor in enumerate(event.actors):
                yield from self._ref("events", (index, "actors", ai), actor)
        for gi, grouping in enumerate(self.kb.groupings):
            for ii, inclusion in enumerate(grouping.includes):
                if inclusion.grouping not in self.grouping_ids:
                    yield self.source.problem(
                        "groupings",
                        (gi, "includes", ii, "grouping"),
                        f"unknown grouping {inclusion.grouping!r}{_did_you_mean(inclusion.grouping, self.grouping_ids)}",
                    )
                elif inclusion.grouping == grouping.id:
                    yield self.source.problem(
                        "groupings", (gi, "includes", ii), "a grouping cannot include itself"
                    )

    def _placement(self, index: int, relation: Any) -> Iterator[Problem]:
        """An arc joins two places; a mark at the source needs a place there; a topic end (a
        value, a trend) has no place, so such a relation is marked at its source or listed."""
        topic_ends = [e for e in ("source", "target") if getattr(relation, e) in self.topic_ids]
        if relation.placement == "arc" and topic_ends:
            yield self.source.problem(
                "relations",
                (index, "placement"),
                f"{getattr(relation, topic_ends[0])!r} is a topic, which has no place to draw an "
                "arc to: use placement: at_source (a mark at the source) or listed",
            )
        elif relation.placement == "at_source" and "source" in topic_ends:
            yield self.source.problem(
                "relations",
                (index, "placement"),
                "placement at_source needs a source with a place (an actor, grouping or region)",
            )

    def _topics(self) -> Iterator[Problem]:
        for index, topic in enumerate(self.kb.topics):
            if topic.layer not in LAYERS:
                yield self.source.problem(
                    "topics",
                    (index, "layer"),
                    f"unknown layer {topic.layer!r}{_did_you_mean(topic.layer, LAYERS)}; "
                    f"use one of {', '.join(LAYERS)}",
                )
            for ai, ref in enumerate(topic.about):
                if ref == topic.id:
                    yield self.source.problem(
                        "topics", (index, "about", ai), "a topic cannot be about itself"
                    )
                elif ref not in self.record_ids:
                    yield from self._ref("topics", (index, "about", ai), ref, self.record_ids)

    def _ref(
        self, kind: str, path: Path_, ref: str, known: set[str] | None = None
    ) -> Iterator[Problem]:
        known = self.refs if known is None else known
        if ref in known:
            return
        if len(ref) == 3 and ref.isupper():
            message = self._code_problem(ref, must_be_actor=True)
            if message:
                yield self.source.problem(kind, path, message)
            return
        what = (
            "an actor's ISO code or a grouping or region id"
            if known is self.refs
            else "the id of an actor, grouping, region, threat, domain, relation, event or topic"
        )
        yield self.source.problem(
            kind, path, f"unknown reference {ref!r}: use {what}{_did_you_mean(ref, known)}"
        )

    # --- footnotes --------------------------------------------------------------------------

    def _footnotes(self) -> Iterator[Problem]:
        listed = {f.number for f in self.kb.footnotes}
        for index, footnote in enumerate(self.kb.footnotes):
            text = self.article.footnotes.get(footnote.number)
            if text is None:
                yield self.source.problem(
                    "footnotes", (index, "number"), f"the article has no footnote {footnote.number}"
                )
                continue
            for si, work in enumerate(footnote.sources):
                if work.title not in text:
                    yield self.source.problem(
                        "footnotes",
                        (index, "sources", si, "title"),
                        f"title {_short(work.title)!r} is not in footnote {footnote.number}'s text",
                    )
            if footnote.note_ja and footnote.note_ja not in text:
                yield self.source.problem(
                    "footnotes",
                    (index, "note_ja"),
                    f"note_ja is not verbatim in footnote {footnote.number}",
                )
        for number in sorted(set(self.article.footnotes) - listed):
            yield Problem(
                self.source.files["footnotes"], 1, f"footnote {number} of the article is not listed"
            )


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" — did you mean {close[0]!r}?" if close else ""


# --- scenario files -----------------------------------------------------------------------------


def check_scenario_ids(scenario: Scenario, knowledge: Knowledge) -> list[str]:
    """Messages for the unknown ids a (shape-valid) scenario names: groupings, focus and
    sentence."""
    return [message for _, _, message in unknown_scenario_ids(scenario, knowledge)]


def unknown_scenario_ids(scenario: Scenario, knowledge: Knowledge) -> list[tuple[str, str, str]]:
    """Unknown ids a (shape-valid) scenario names, as (field, the bad id, message)."""
    grouping_ids = {g.id for g in knowledge.groupings}
    problems = [
        ("groupings", g, f"unknown grouping {g!r}{_did_you_mean(g, grouping_ids)}")
        for g in scenario.groupings
        if g not in grouping_ids
    ]
    if scenario.focus is not None:
        focusable = focus_ids(knowledge)
        if scenario.focus not in focusable:
            message = f"unknown focus {scenario.focus!r}{_did_you_mean(scenario.focus, focusable)}"
            problems.append(("focus", scenario.focus, message))
    if scenario.sentence is not None:
        sentence_ids = [note.id for note in knowledge.sentences]
        if scenario.sentence not in sentence_ids:
            message = unknown_sentence(scenario.sentence, sentence_ids)
            problems.append(("sentence", scenario.sentence, message))
    return problems


def focus_ids(knowledge: Knowledge) -> set[str]:
    """Every id a view can focus on: actors, groupings, regions, threats, relations, events."""
    return {
        record.id
        for kind in ("actors", "groupings", "regions", "threats", "relations", "events")
        for record in getattr(knowledge, kind)
    }


def validate_scenario_file(
    path: Path, knowledge: Knowledge, *, preset: bool = False
) -> list[Problem]:
    """Problems in one scenario file (shape, then ids against the knowledge base)."""
    try:
        text = read_text(path, SCENARIO_LIMITS)
    except YamlError as error:
        return [Problem(path, error.line, str(error))]
    try:
        scenario = Scenario.from_yaml(text, preset_id=path.stem if preset else None)
    except ScenarioError as error:
        return [Problem(path, line, message) for line, message in error.problems]
    data, lines = load_with_lines(text, SCENARIO_LIMITS)
    return [
        Problem(path, line_of(lines, _id_path(data, field_name, bad)), message)
        for field_name, bad, message in unknown_scenario_ids(scenario, knowledge)
    ]


def _id_path(data: dict[str, Any], field_name: str, bad: str) -> tuple[str | int, ...]:
    """The YAML path of a bad id: the list item that holds it, or the field."""
    value = data.get(field_name)
    if isinstance(value, list) and bad in value:
        return (field_name, value.index(bad))
    return (field_name,)


def validate_paths(paths: list[Path]) -> list[Problem]:
    """Validate knowledge directories and scenario files; with no paths, the bundled ones."""
    if not paths:
        paths = [KNOWLEDGE_DIR, *sorted(SCENARIOS_DIR.glob("*.yaml"))]
    problems: list[Problem] = []
    knowledge: Knowledge | None = None
    for path in paths:
        knowledge_dir = _knowledge_dir_of(path)
        if knowledge_dir is not None:
            found, shape_problems, source = read_knowledge(knowledge_dir)
            problems += shape_problems or check_knowledge(found, source)
        elif path.is_dir():
            for child in sorted(path.glob("*.yaml")):
                problems += _scenario_problems(child, knowledge := knowledge or _bundled_or_none())
        elif not path.exists():
            problems.append(Problem(path, 1, "no such file or directory"))
        else:
            problems += _scenario_problems(path, knowledge := knowledge or _bundled_or_none())
    return sorted(set(problems))


def _scenario_problems(path: Path, knowledge: Knowledge | None) -> list[Problem]:
    if knowledge is None:
        return [Problem(path, 1, "cannot check ids: the bundled knowledge base does not validate")]
    return validate_scenario_file(
        path, knowledge, preset=path.resolve().parent == SCENARIOS_DIR.resolve()
    )


def _knowledge_dir_of(path: Path) -> Path | None:
    """The knowledge directory a path points at (the directory itself or one of its files)."""
    directory = path if path.is_dir() else path.parent
    names = set(KNOWLEDGE_FILES)
    if path.is_dir() and (path / "actors.yaml").exists():
        return path
    if path.is_file() and path.name in names and (directory / "actors.yaml").exists():
        return directory
    return None


def _bundled_or_none() -> Knowledge | None:
    try:
        return load_knowledge()
    except KnowledgeError:
        return None


__all__ = [
    "KnowledgeError",
    "Problem",
    "check_knowledge",
    "check_scenario_ids",
    "load_knowledge",
    "read_knowledge",
    "validate_paths",
    "validate_scenario_file",
]

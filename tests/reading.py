"""Shared by the tests of the reading panel and the map's emphasis: what a sentence puts on the
map, worked out here from the plain YAML of the knowledge base and the coverage data (which
records each sentence supports), not through dashboard.figures.emphasis; and what a figure, as
the browser or the export has it, shows emphasised."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import yaml
from drawing import drawn
from locations import KNOWLEDGE_DIR

from geodata.coverage import coverage_json, sentence_coverage
from geodata.sentences import bundled_sentences
from geodata.validate import load_knowledge


@cache
def _yaml(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((KNOWLEDGE_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return data[name]


@cache
def coverage() -> dict[str, dict[str, Any]]:
    """`alliance-atlas coverage --format json`, by sentence id."""
    rows = coverage_json(sentence_coverage(load_knowledge(), bundled_sentences()))
    return {row["id"]: row for row in rows}


def _by_id(name: str) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in _yaml(name)}


def members(grouping: str, seen: tuple[str, ...] = ()) -> list[str]:
    """Every state of a grouping: its own members and those of the groupings it includes."""
    record = _by_id("groupings")[grouping]
    states = [m["iso3"] for m in record.get("members", [])]
    for inclusion in record.get("includes", []):
        if inclusion["grouping"] not in seen:
            states += members(inclusion["grouping"], (*seen, grouping))
    return list(dict.fromkeys(states))


def _kind(record_id: str) -> str:
    for name in ("actors", "groupings", "regions", "threats", "domains", "relations", "events"):
        if record_id in _by_id(name):
            return name
    return "topics" if record_id in _by_id("topics") else ""


def _stands_for(record_id: str, depth: int = 0) -> set[str]:
    """What stands for a record another names (a topic's subject, a relation's source)."""
    kind = _kind(record_id)
    if kind == "domains":
        return {f"{record_id}:{a['actor']}" for a in _by_id("domains")[record_id]["attributions"]}
    if kind == "relations":
        return _relation(_by_id("relations")[record_id])
    if kind == "topics":
        return _topic_places(record_id, depth + 1)
    return {record_id} if kind else set()


def _topic_places(topic: str, depth: int = 0) -> set[str]:
    """What stands for a topic: the records it is about, skipping the topics among them unless
    it is about topics only."""
    about = _about(topic)
    places = [a for a in about if _kind(a) != "topics"] or about
    return set().union(*(_stands_for(a, depth) for a in places)) if depth < 6 else set()


def _about(topic: str) -> list[str]:
    return _by_id("topics")[topic].get("about", [])


def _relation(relation: dict[str, Any]) -> set[str]:
    placement = relation.get("placement", "arc")
    if placement == "arc":
        return {relation["id"]}
    return _stands_for(relation["source"]) if placement == "at_source" else set()


def items_of_record(record_id: str) -> set[str]:
    """The map items a record cited in a sentence puts on the map."""
    if "/" in record_id:
        parent, child = record_id.split("/")
        if parent in _by_id("domains"):
            return {f"{parent}:{child}"}
        return {parent, child}  # a membership (state and grouping) or an inclusion (two groupings)
    kind = _kind(record_id)
    if kind == "groupings":
        return {record_id, *members(record_id)}
    if kind == "topics":
        return _topic_places(record_id)
    return _stands_for(record_id)


def expected_items(sentence_id: str) -> set[str]:
    """Every map item the records a sentence supports put on the map."""
    return set().union(*(items_of_record(r) for r in coverage()[sentence_id]["records"]))


# --- what a figure shows emphasised -------------------------------------------------------------


def _elements(trace: dict[str, Any]) -> list[list[str]]:
    meta = trace.get("meta") or {}
    if "items" in meta:
        return meta["items"]
    if "parts" in meta:
        return [[p] for p in meta["parts"]]
    return [[i] for i in meta.get("ids") or []]


def _parts(trace: dict[str, Any]) -> list[tuple[tuple[float, float], ...]]:
    parts: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(trace.get("lon") or [], trace.get("lat") or [], strict=True):
        if x is None:
            parts.append([])
        else:
            parts[-1].append((x, y))
    return [tuple(p) for p in parts] if trace.get("lon") else []


def emphasis_state(figure: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(the items the figure draws at full strength, those it draws faded), among its shown
    traces: a point or country by `selectedpoints`; a part of a trace of lines when the trace is
    faded and an overlay (`meta.kind` "emphasis") draws the same coordinates again. A mark that
    stands for several items (the label of the events at one place) counts for none of them."""
    overlays = {
        part
        for trace in figure["data"]
        if (trace.get("meta") or {}).get("kind") == "emphasis" and drawn(trace)
        for part in _parts(trace)
    }
    strong: set[str] = set()
    faded: set[str] = set()
    for trace in figure["data"]:
        meta = trace.get("meta") or {}
        if (
            "ids" not in meta
            or meta.get("kind") in ("emphasis", "key", "legend")
            or not drawn(trace)
        ):
            continue
        elements = _elements(trace)
        if trace.get("mode") == "lines":
            base = meta.get("opacity", 1.0)
            if abs(trace.get("opacity", 1.0) - base * 0.2) > 1e-6:
                strong.update(i for e in elements if len(e) == 1 for i in e)  # not faded
                continue
            for items, part in zip(elements, _parts(trace), strict=True):
                if len(items) == 1:
                    (strong if part in overlays else faded).update(items)
            continue
        chosen = trace.get("selectedpoints")
        for index, items in enumerate(elements):
            if len(items) == 1:
                (strong if chosen is None or index in chosen else faded).update(items)
    return strong, faded


def drawn_items(figure: dict[str, Any]) -> set[str]:
    """Every item the figure's shown traces draw."""
    return {
        item
        for trace in figure["data"]
        if drawn(trace)
        and (trace.get("meta") or {}).get("kind") not in ("emphasis", "key", "legend")
        for element in _elements(trace)
        for item in element
    }


def sentences_of(paragraphs: Iterable[str]) -> list[str]:
    """The ids of every sentence of these paragraphs (P5, P6, …), in article order."""
    wanted = set(paragraphs)
    return [sid for sid in coverage() if sid.split(".")[0] in wanted]

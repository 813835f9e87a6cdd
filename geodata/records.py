"""Every cited record of the knowledge base with its id, kind and place in its file.

Top-level records keep their own id ("nato", "chn_rus_dual_use"); the parts cited on their own
are "parent/child": a membership "nato/DEU", a grouping's inclusion of another "like_minded/nato",
a domain's attribution "cyber/CHN".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from geodata.knowledge import Cited, Knowledge
from geodata.yamlio import Path_

# knowledge file key → the kind of its top-level records
TOP_LEVEL: dict[str, str] = {
    "actors": "actor",
    "groupings": "grouping",
    "regions": "region",
    "threats": "threat",
    "domains": "domain",
    "relations": "relation",
    "events": "event",
    "topics": "topic",
}


@dataclass(frozen=True)
class CitedRecord:
    """One cited record: its id, its kind, the file key and path of its YAML node."""

    id: str
    kind: str
    file_key: str
    path: Path_
    record: Cited


def cited_records(knowledge: Knowledge) -> Iterator[CitedRecord]:
    """Every cited record, top-level ones first in file order, then the parts cited on their own."""
    for key, kind in TOP_LEVEL.items():
        for index, record in enumerate(getattr(knowledge, key)):
            yield CitedRecord(record.id, kind, key, (index,), record)
    for gi, grouping in enumerate(knowledge.groupings):
        for mi, member in enumerate(grouping.members):
            path = (gi, "members", mi)
            yield CitedRecord(
                f"{grouping.id}/{member.iso3}", "membership", "groupings", path, member
            )
        for ii, inclusion in enumerate(grouping.includes):
            path = (gi, "includes", ii)
            yield CitedRecord(
                f"{grouping.id}/{inclusion.grouping}", "inclusion", "groupings", path, inclusion
            )
    for di, domain in enumerate(knowledge.domains):
        for ai, attribution in enumerate(domain.attributions):
            path = (di, "attributions", ai)
            yield CitedRecord(
                f"{domain.id}/{attribution.actor}", "attribution", "domains", path, attribution
            )

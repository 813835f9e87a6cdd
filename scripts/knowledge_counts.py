"""How much of the article the knowledge base accounts for, and how certain it says it is.

    .venv/bin/python scripts/knowledge_counts.py               # this checkout's knowledge base
    .venv/bin/python scripts/knowledge_counts.py --rev main    # another revision's (git)
    .venv/bin/python scripts/knowledge_counts.py --compare main

Prints the sentences mapped / explained / neither, and the cited records (top-level records and
the memberships, inclusions and attributions cited on their own) by basis and by modality, the
citations by modality and the dated records by date basis. `--compare REV` lists every record
whose basis, modality or date basis differs from REV's, and the records added or removed.
A revision from before sentences, topics or modality counts its missing files as empty and its
citations as asserted (the default).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from geodata.coverage import sentence_coverage
from geodata.knowledge import BASES, KNOWLEDGE_DIR, KNOWLEDGE_FILES, MODALITIES, Knowledge
from geodata.records import CitedRecord, cited_records
from geodata.sentences import bundled_sentences
from geodata.validate import read_knowledge

REPO = Path(__file__).resolve().parents[1]
EMPTY = {
    "topics.yaml": "topics: []\n",
    "sentences.yaml": "sentences: []\n",
    "headings.yaml": "headings: []\n",
}


def knowledge_at(rev: str | None) -> Knowledge:
    """The knowledge base of this checkout, or of a git revision."""
    if rev is None:
        return _read(KNOWLEDGE_DIR)
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        for name in KNOWLEDGE_FILES:
            shown = subprocess.run(
                ["git", "show", f"{rev}:seeds/knowledge/{name}"],
                cwd=REPO,
                capture_output=True,
                text=True,
            )
            text = shown.stdout if shown.returncode == 0 else EMPTY.get(name)
            if text is None:
                sys.exit(f"knowledge_counts: {rev} has no seeds/knowledge/{name}")
            (directory / name).write_text(text, encoding="utf-8")
        return _read(directory)


def _read(directory: Path) -> Knowledge:
    knowledge, problems, _ = read_knowledge(directory)
    if knowledge is None:
        sys.exit("\n".join(str(p) for p in problems))
    return knowledge


def date_basis(item: CitedRecord) -> str | None:
    return getattr(item.record, "date_basis", None) if getattr(item.record, "date", None) else None


def report(knowledge: Knowledge) -> str:
    rows = sentence_coverage(knowledge, bundled_sentences())
    statuses = Counter(row.status for row in rows)
    records = list(cited_records(knowledge))
    top = [r for r in records if "/" not in r.id]
    parts = [r for r in records if "/" in r.id]
    citations = Counter(c.modality for r in records for c in r.record.citations)
    dates = Counter(d for r in records if (d := date_basis(r)))
    lines = [
        f"sentences: {len(rows)}  mapped {statuses['mapped']}  explained "
        f"{statuses['explained']}  neither {statuses['neither']}",
        "",
        f"{'':34}{'total':>7}" + "".join(f"{b:>10}" for b in BASES),
    ]
    for label, group in (
        ("records", top),
        ("memberships, inclusions, attrib.", parts),
    ):
        counts = Counter(r.record.basis for r in group)
        lines.append(f"{label:34}{len(group):>7}" + "".join(f"{counts[b]:>10}" for b in BASES))
    lines.append(
        f"{'dated records: date basis':34}{sum(dates.values()):>7}"
        + "".join(f"{dates[b]:>10}" for b in BASES)
    )
    lines += ["", f"{'':34}{'total':>7}" + "".join(f"{m:>12}" for m in MODALITIES)]
    for label, group in (("records", top), ("memberships, inclusions, attrib.", parts)):
        counts = Counter(r.record.modality for r in group)
        lines.append(f"{label:34}{len(group):>7}" + "".join(f"{counts[m]:>12}" for m in MODALITIES))
    lines.append(
        f"{'citations':34}{sum(citations.values()):>7}"
        + "".join(f"{citations[m]:>12}" for m in MODALITIES)
    )
    return "\n".join(lines)


def compare(before: Knowledge, after: Knowledge) -> str:
    """Every record whose basis, modality or date basis changed (records with the same change
    and the same why on one line), and the records added or removed."""
    old = {r.id: r for r in cited_records(before)}
    new = {r.id: r for r in cited_records(after)}
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for record_id, item in new.items():
        if record_id not in old:
            continue
        was = old[record_id]
        for name, get, why in (
            ("basis", lambda r: r.record.basis, lambda r: r.record.reason),
            ("modality", lambda r: r.record.modality, _hedges),
            ("date basis", date_basis, lambda r: getattr(r.record, "date_reason", None)),
        ):
            if get(was) != get(item):
                change = f"{name} {get(was)} → {get(item)}"
                grouped.setdefault((item.kind, change, why(item) or ""), []).append(record_id)
    lines = [
        f"{', '.join(ids)} ({kind}{'s' if len(ids) > 1 else ''}): {change}"
        + (f"  — {why}" if why else "")
        for (kind, change, why), ids in grouped.items()
    ]
    added = [f"{i} ({new[i].kind}, {new[i].record.modality})" for i in new if i not in old]
    removed = [i for i in old if i not in new]
    lines += ["", f"added ({len(added)}): " + ", ".join(added)]
    lines.append(f"removed ({len(removed)}): " + (", ".join(removed) or "none"))
    return "\n".join(lines)


def _hedges(item: CitedRecord) -> str:
    """The article's words behind a record's modality (its most certain citations' hedges)."""
    hedges = [
        c.hedge_ja
        for c in item.record.citations
        if c.modality == item.record.modality and c.hedge_ja
    ]
    return "hedged by " + ", ".join(dict.fromkeys(hedges)) if hedges else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", help="count a git revision's knowledge base instead")
    parser.add_argument("--compare", metavar="REV", help="list what changed since REV")
    args = parser.parse_args()
    knowledge = knowledge_at(args.rev)
    if args.compare:
        before = knowledge_at(args.compare)
        print(f"before ({args.compare}):\n{report(before)}\n")
        print(f"after ({args.rev or 'this checkout'}):\n{report(knowledge)}\n")
        print(compare(before, knowledge))
    else:
        print(report(knowledge))


if __name__ == "__main__":
    main()

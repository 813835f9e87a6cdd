"""KML for Google Earth and other globe viewers: a file per layer, every placemark with a
<name> and an HTML <description> in one language (the article's citations included); the
properties stay in <ExtendedData>, lists and objects as JSON text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from functools import partial
from html import escape as html_escape
from pathlib import Path
from typing import Any

import geopandas as gpd

from geodata.gis_fields import with_json_text
from geodata.scenario import Lang

# The words of the descriptions; the dashboard's details panel uses the same ones.
WORDS: dict[str, dict[Lang, str]] = {
    "date": {"ja": "日付", "en": "Date"},
    "place": {"ja": "場所", "en": "Place"},
    "members": {"ja": "構成国", "en": "Members"},
    "groupings": {"ja": "枠組み", "en": "Groupings"},
    "actors": {"ja": "参加", "en": "Taking part"},
    "sources": {"ja": "脅威の源", "en": "Sources"},
    "link": {"ja": "関係", "en": "Link"},
    "basis": {"ja": "根拠", "en": "Basis"},
    "reason": {"ja": "根拠の説明", "en": "Why this basis"},
    "status": {"ja": "状態", "en": "Status"},
    "citations": {"ja": "論考の該当箇所", "en": "In the article"},
    "paragraph": {"ja": "第{n}段落", "en": "P{n}"},
    "footnote": {"ja": "脚注{n}", "en": "footnote {n}"},
    "stated": {"ja": "明記", "en": "stated"},
    "inferred": {"ja": "推論", "en": "inferred"},
    "external": {"ja": "外部知識", "en": "external"},
    "existing": {"ja": "既存", "en": "existing"},
    "proposed": {"ja": "提言", "en": "proposed"},
}
LIST_FIELDS = ("members", "groupings", "actors", "sources")
NAME_FIELD, DESCRIPTION_FIELD = "Name", "Description"
KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
XML_ID = re.compile(r"[A-Za-z_][\w.-]*")
escape = partial(html_escape, quote=False)


def write_kml(frames: dict[str, gpd.GeoDataFrame], directory: Path, lang: Lang) -> list[Path]:
    """`<layer>.kml` for every layer, named and described in `lang`; the paths written."""
    names = _names_by_key(frames, lang)
    written = []
    for layer, frame in frames.items():
        records = frame.drop(columns=frame.geometry.name).to_dict(orient="records")
        kml = with_json_text(frame)
        kml.insert(0, NAME_FIELD, [placemark_name(r, lang) for r in records])
        kml.insert(1, DESCRIPTION_FIELD, [description(r, lang, names) for r in records])
        path = directory / f"{layer}.kml"
        kml.to_file(
            path,
            driver="KML",
            layer=layer,
            dataset_options={"NameField": NAME_FIELD, "DescriptionField": DESCRIPTION_FIELD},
        )
        _identify_placemarks(path, key=str(frame.columns[0]))
        written.append(path)
    return written


def _identify_placemarks(path: Path, key: str) -> None:
    """Give each placemark its record's key as id. GDAL writes "layer.N", and newer GDAL reads
    a placemark's id in place of an `id` property."""
    tree = ET.parse(path)
    for placemark in tree.iter(f"{{{KML_NAMESPACE}}}Placemark"):
        value = placemark.findtext(f".//{{{KML_NAMESPACE}}}SimpleData[@name='{key}']") or ""
        if XML_ID.fullmatch(value):
            placemark.set("id", value)
    ET.register_namespace("", KML_NAMESPACE)  # KML readers expect it unprefixed
    tree.write(path, encoding="utf-8", xml_declaration=True)


def placemark_name(record: Mapping[str, Any], lang: Lang) -> str:
    """The record's name in `lang`, else in the other language, else its id."""
    other: Lang = "en" if lang == "ja" else "ja"
    for field in (f"name_{lang}", f"label_{lang}", f"name_{other}", f"label_{other}"):
        if record.get(field):
            return str(record[field])
    return str(next(iter(record.values())))


def description(record: Mapping[str, Any], lang: Lang, names: Mapping[str, str]) -> str:
    """What the dashboard's details panel says of the record, as HTML in `lang`."""

    def word(key: str, **values: object) -> str:
        return WORDS[key][lang].format(**values)

    def line(label: str, text: str) -> str:
        return f"<p><b>{escape(word(label))}</b>: {escape(text)}</p>"

    def named(key: Any) -> str:
        return names.get(str(key), str(key))

    lines = []
    if record.get("source") and record.get("target"):
        lines.append(line("link", f"{named(record['source'])} → {named(record['target'])}"))
    if record.get("date"):
        lines.append(line("date", str(record["date"])))
    if record.get(f"place_{lang}"):
        lines.append(line("place", str(record[f"place_{lang}"])))
    lines += [
        line(field, ", ".join(named(v) for v in record[field]))
        for field in LIST_FIELDS
        if record.get(field)
    ]
    if record.get("basis"):
        lines.append(line("basis", word(record["basis"])))
    if record.get("reason"):
        lines.append(line("reason", str(record["reason"])))
    if record.get("status"):
        lines.append(line("status", word(record["status"])))
    citations = record.get("citations") or []
    if citations:
        lines.append(f"<p><b>{escape(word('citations'))}</b></p>")
    for citation in citations:
        where = [word("paragraph", n=citation["paragraph"])] if citation.get("paragraph") else []
        where += [word("footnote", n=n) for n in citation.get("footnotes") or ()]
        quote = f"「{citation['quote_ja']}」"
        gloss = f"<br/>{escape(citation['gloss_en'])}" if lang == "en" else ""
        lines.append(
            f"<blockquote>{escape('・'.join(where))}<br/>{escape(quote)}{gloss}</blockquote>"
        )
    return "\n".join(lines)


def _names_by_key(frames: dict[str, gpd.GeoDataFrame], lang: Lang) -> dict[str, str]:
    """Every layer's records by key (ISO code or id), named in `lang`: for references."""
    return {
        str(record[frame.columns[0]]): placemark_name(record, lang)
        for frame in frames.values()
        for record in frame.drop(columns=frame.geometry.name).to_dict(orient="records")
    }


__all__ = ["WORDS", "description", "placemark_name", "write_kml"]

"""The reading panel without a browser: the article as the panel renders it (every sentence,
paragraph and footnote in place, quotes marked where the article has them), the page's script's
emphasis (run by node) drawing exactly the export's figure, the index that links text and map
both ways, the URL's `read` and `sentence`, and what picking a sentence changes."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import pytest
from pages import decoded
from reading import coverage, expected_items

from dashboard import components
from dashboard.app import ASSETS_DIR
from dashboard.figures.emphasis import emphasized, sentence_items
from dashboard.reading import sentence_details
from dashboard.service.models import Unchanged
from geodata.scenario import Scenario

NODE_CASES = ["P1.1", "P2.2", "P3.2", "P4.3", "P5.1", "P6.1", "P6.2", "P6.3", "P12.4", "fn16.1"]


@cache
def _body(service, lang: str) -> list:
    view, _, _ = service.panels.article(lang)
    return decoded(components.article_body(view))


def _walk(node, found=None):
    """Every component (as the browser gets it) in a tree, depth first."""
    found = [] if found is None else found
    if isinstance(node, list):
        for child in node:
            _walk(child, found)
    elif isinstance(node, dict) and "props" in node:
        found.append(node)
        _walk(node["props"].get("children"), found)
    return found


def _text(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(_text(n) for n in node)
    if isinstance(node, dict) and "props" in node:
        return _text(node["props"].get("children"))
    return ""


def _japanese(sentence: dict) -> str:
    """The Japanese text of a sentence element (its `ja` span)."""
    (ja,) = [c for c in _walk(sentence["props"]["children"]) if c["props"].get("className") == "ja"]
    return _text(ja)


# --- the article in the panel --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_panel_holds_every_paragraph_and_footnote_in_order(service, article_text, lang):
    nodes = _walk(_body(service, lang))
    ids = [n["props"].get("id") for n in nodes if isinstance(n["props"].get("id"), str)]
    assert ids == [f"article-P{n}" for n in range(1, 13)] + [f"article-fn{n}" for n in range(1, 25)]
    for number, paragraph in enumerate(article_text.paragraphs, 1):
        (element,) = [n for n in nodes if n["props"].get("id") == f"article-P{number}"]
        sentences = [
            n for n in _walk(element["props"]["children"]) if "data-sentence" in n["props"]
        ]
        # the paragraph is its sentences' Japanese, whole, in order
        assert "".join(_japanese(s) for s in sentences) == paragraph
        assert [s["props"]["data-sentence"] for s in sentences] == [
            f"P{number}.{i}" for i in range(1, len(sentences) + 1)
        ]
    for number, footnote in article_text.footnotes.items():
        (element,) = [n for n in nodes if n["props"].get("id") == f"article-fn{number}"]
        children = element["props"]["children"]
        shown = "".join(
            _japanese(c) if isinstance(c, dict) else c
            for c in (children if isinstance(children, list) else [children])
        )
        assert shown == footnote


def test_headings_and_the_figure_are_in_place_and_glossed_in_english(service, article_text):
    lines = [
        line for line in article_text.lines[: article_text.lines.index("(2024/08/13)")] if line
    ]
    headings = [
        line for line in lines if not line.endswith("。") and not line.startswith(("図", "出典"))
    ]
    for lang in ("ja", "en"):
        nodes = _walk(_body(service, lang))
        shown = [n for n in nodes if n["props"].get("className") == "article-heading"][:-1]
        if lang == "ja":
            assert [_text(n) for n in shown] == headings
        else:
            assert [n["props"]["title"] for n in shown] == headings  # the Japanese a pointer away
            assert all(_text(n).isascii() for n in shown)
        order = [
            n["props"].get("id") or n["props"].get("className")
            for n in nodes
            if n["props"].get("id", "").startswith("article-P")
            or n["props"].get("className") in ("article-heading", "article-figure")
        ]
        assert order.index("article-figure") == order.index("article-P10") - 1  # after P9


def _leaves(node, inside=(), out=None) -> list[tuple[str, tuple[dict, ...]]]:
    """The text of a tree in order, each piece with the elements it lies in."""
    out = [] if out is None else out
    if isinstance(node, str):
        out.append((node, inside))
    elif isinstance(node, list):
        for child in node:
            _leaves(child, inside, out)
    elif isinstance(node, dict) and "props" in node:
        _leaves(node["props"].get("children"), (*inside, node), out)
    return out


def _covered(leaves, keep) -> set[int]:
    """The character offsets of the pieces that lie in an element `keep` accepts."""
    offsets, at = set(), 0
    for text, inside in leaves:
        if any(keep(element) for element in inside):
            offsets |= set(range(at, at + len(text)))
        at += len(text)
    return offsets


def test_every_quote_is_marked_with_its_record_and_layer_where_the_article_has_it(service):
    nodes = _walk(_body(service, "ja"))
    by_sentence = {n["props"]["data-sentence"]: n for n in nodes if "data-sentence" in n["props"]}
    for sentence_id, row in coverage().items():
        element = by_sentence[sentence_id]
        (ja,) = [
            c for c in _walk(element["props"]["children"]) if c["props"].get("className") == "ja"
        ]
        leaves = _leaves(ja["props"]["children"])
        assert "".join(text for text, _ in leaves) == row["text_ja"]
        for record in row["records"]:
            quotes = [q for q in row["quotes"] if q["record"] == record]
            marked = _covered(
                leaves, lambda e, r=record: e["type"] == "Mark" and e["props"]["data-record"] == r
            )
            spans = {i for q in quotes for i in range(q["start"], q["end"])}
            assert marked == spans, (sentence_id, record)
        hedged = _covered(leaves, lambda e: "hedge" in e["props"].get("className", "").split())
        for quote in row["quotes"]:
            if quote["hedge_ja"]:
                assert set(range(quote["hedge_start"], quote["hedge_end"])) <= hedged
        marks = [m for m in _walk(ja["props"]["children"]) if m["type"] == "Mark"]
        assert {m["props"]["data-record"] for m in marks} == set(row["records"])
        classes = element["props"]["className"].split()
        assert row["status"] in classes
        if row["status"] != "mapped":
            assert row["reason"] in element["props"]["title"]


def test_in_english_each_sentence_shows_its_gloss_with_the_japanese_beside_it(service):
    glosses = {sid: row["gloss_en"] for sid, row in coverage().items()}
    nodes = _walk(_body(service, "en"))
    sentences = [n for n in nodes if "data-sentence" in n["props"]]
    assert len(sentences) == len(glosses)
    for sentence in sentences:
        sid = sentence["props"]["data-sentence"]
        (gloss,) = [
            c
            for c in _walk(sentence["props"]["children"])
            if c["props"].get("className") == "gloss"
        ]
        assert _text(gloss) == glosses[sid]
        assert _japanese(sentence) == coverage()[sid]["text_ja"]
        assert coverage()[sid]["text_ja"] in sentence["props"]["title"]


# --- the page's script draws what the export draws ---------------------------------------------


@cache
def _node_emphasis(service) -> tuple[list, list]:
    """(cases, what atlas.js's emphasisOf makes of each), run by node."""
    cases = []
    for preset in ("authoritarian_partnerships", "threats_360", "value_community", None):
        scenario = service.views.presets[preset] if preset else Scenario()
        figure = service.maps.figure(scenario)
        for sentence in [*NODE_CASES, None]:
            items = sentence_items(service.atlas, sentence) if sentence else None
            cases.append((figure, items))
    script = Path(ASSETS_DIR) / "atlas.js"
    program = (
        "global.window = {};\n"
        f"{script.read_text(encoding='utf-8')}\n"
        "const f = window.atlasEmphasisOf;\n"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map(([fig, items]) =>"
        " f(fig, items === null ? null : new Set(items)).changes)));\n"
    )
    result = subprocess.run(
        ["node", "-e", program],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    return cases, json.loads(result.stdout)


def _applied(figure: dict, changes: list) -> dict:
    data = [dict(trace) for trace in figure["data"]]
    for (_, index, key), value in changes:
        data[index][key] = value
    return {**figure, "data": data}


def test_the_pages_emphasis_draws_exactly_the_exports_figure(service):
    """atlas.js's emphasisOf (what a click on a sentence patches into the page's figure) and
    figures.emphasis.emphasized (what the export draws) give the same figure, sentence by
    sentence, in four views; and clearing restores the figure as built."""
    cases, outputs = _node_emphasis(service)
    for (figure, items), changes in zip(cases, outputs, strict=True):
        expected = emphasized(figure, items)
        page = _applied(figure, changes)
        for a, b in zip(page["data"], expected["data"], strict=True):
            keys = {key for _, _, key in (c[0] for c in changes)} & (a.keys() | b.keys())
            assert {k: a.get(k) for k in keys} == {k: b.get(k) for k in keys}, (items, a.get("uid"))
        # nothing else changes: no geometry of the figure's own traces is touched
        touched = {(index, key) for (_, index, key), _ in changes}
        slots = {
            i
            for i, t in enumerate(figure["data"])
            if (t.get("meta") or {}).get("kind") == "emphasis"
        }
        assert all(key not in ("lon", "lat") or index in slots for index, key in touched)


# --- the index that links text and map --------------------------------------------------------


def test_the_index_links_every_sentence_to_its_items_and_back(service):
    _, index, loaded = service.panels.article("ja")
    assert set(index["sentences"]) == set(coverage())
    for sentence, items in index["sentences"].items():
        assert set(items) == expected_items(sentence), sentence
        for item in items:  # a click on any item it emphasises finds the sentence
            assert sentence in index["cited"][item], (sentence, item)
    assert set(loaded["records"]) == set(coverage())
    assert all(loaded["records"][s] == len(row["records"]) for s, row in coverage().items())
    # Russia: the sentences of its own record, its links and its events (its roles)
    assert {"P5.1", "P5.2", "P6.2", "P6.3", "P8.1"} <= set(index["cited"]["RUS"])
    assert "chn_rus_dual_use" in index["marks"]["RUS"] and "RUS" in index["marks"]["RUS"]
    assert index["cited"]["chn_rus_dual_use"] == ["P6.2"]


# --- the URL and the actions ------------------------------------------------------------------


def test_read_and_sentence_round_trip_through_the_url(service):
    views = service.views
    query = "?scenario=threats_360&sentence=P5.1&read=1"
    scenario, notices = views.parse_search(query)
    read, read_notices = views.read_of(query)
    assert (scenario.sentence, read, notices, read_notices) == ("P5.1", True, [], [])
    again = views.query_of(scenario, read)
    assert views.parse_search(again)[0] == scenario and views.read_of(again)[0] is True
    assert "read=1" not in views.query_of(scenario, False)
    view = views.view_data(scenario, read)
    assert view["read"] is True and set(view["emphasis"]) == expected_items("P5.1")
    assert views.view_data(Scenario())["emphasis"] is None


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("?sentence=P6.9", "unknown sentence id P6.9: P6 has sentences P6.1…P6.3"),
        ("?sentence=P99.1", "the article has no sentences in P99"),
        ("?sentence=six", "a sentence id is P<paragraph>.<n>"),
        ("?read=yes", "ignored read='yes': use 0 or 1"),
    ],
)
def test_a_bad_sentence_or_read_is_dropped_with_a_notice(service, query, notice):
    out = service.actions.sync("url", query, {}, None)
    scenario = service.views.scenario_of(out["view.data"])
    assert scenario.sentence is None and out["view.data"]["read"] is False
    assert any(notice in item for item in out["notice-url.children"].items)


def test_picking_dropping_and_reading_change_the_url_and_the_details(service, presets):
    actions, views = service.actions, service.views
    view = views.view_data(presets["authoritarian_partnerships"], read=True)
    out = actions.sync("sentence-request", None, {}, view, request={"sentence": "P6.2"})
    assert "sentence=P6.2" in out["url.search"] and "read=1" in out["url.search"]
    picked = out["view.data"]
    assert views.scenario_of(picked).sentence == "P6.2" and out["selected.data"] is None
    details = service.panels.panels(picked, None, (None, None, None, None))["details.children"]
    assert details.id == "P6.2"
    records = [r for quote in details.quotes for r in quote.records]
    named = {r.record for r in records}
    # every record the sentence cites is named, a grouping's members (two or more in a quote)
    # as one
    for record_id in coverage()["P6.2"]["records"]:
        assert record_id in named or f"{record_id.split('/')[0]}/*" in named, record_id
    assert named - set(coverage()["P6.2"]["records"]) <= {r for r in named if r.endswith("/*")}
    assert all(r.shown for r in records if r.layer in ("support_flows", "authoritarian"))
    # a preset keeps the sentence; the clear button drops it (and the focus)
    kept = actions.sync("scenario", None, {"scenario.value": "threats_360"}, picked)
    assert views.scenario_of(kept["view.data"]).sentence == "P6.2"
    cleared = actions.sync("details-clear", None, {}, picked)
    assert views.scenario_of(cleared["view.data"]).sentence is None
    # dropping it, and an id that is not the article's, which the page never sends
    dropped = actions.sync("sentence-request", None, {}, picked, request={"sentence": None})
    assert views.scenario_of(dropped["view.data"]).sentence is None
    with pytest.raises(Unchanged):
        actions.sync("sentence-request", None, {}, picked, request={"sentence": "P99.9"})
    # the panel shut and opened: only `read` in the URL changes
    shut = actions.sync("read-request", None, {}, picked, request={"read": False})
    assert "read=1" not in shut["url.search"] and "sentence=P6.2" in shut["url.search"]
    with pytest.raises(Unchanged):
        actions.sync("read-request", None, {}, picked, request={"read": True})


def test_a_sentence_changes_the_map_only_when_it_widens_its_view(service, presets):
    maps = service.maps
    world = presets["authoritarian_partnerships"]
    assert maps.figure_key(world.model_copy(update={"sentence": "P6.2"})) == maps.figure_key(world)
    zoomed = world.model_copy(update={"focus": "JPN"})
    widened = zoomed.model_copy(update={"sentence": "P6.3"})
    assert maps.figure_key(widened) != maps.figure_key(zoomed)
    assert maps.drawn(widened).sentence == "P6.3" and maps.drawn(world).sentence is None


def test_the_first_map_of_a_link_with_a_sentence_says_what_the_page_paints_emphasised(service):
    """The page paints the emphasis on the drawn map (tests/dashboard/test_reading_browser.py
    checks the painting); the first map of a link says what, the figure itself is the plain
    one."""
    view = "?scenario=authoritarian_partnerships"
    plain, _, _ = service.maps.initial_map(service.page_view(f"http://127.0.0.1:8050/{view}"))
    figure, rendered, _ = service.maps.initial_map(
        service.page_view(f"http://127.0.0.1:8050/{view}&sentence=P6.2")
    )
    figure = json.loads(figure)
    (emphasis,) = [t["meta"].pop("emphasis") for t in figure["data"] if "emphasis" in t["meta"]]
    assert emphasis["sentence"] == "P6.2" and set(emphasis["items"]) == expected_items("P6.2")
    assert figure["data"] == json.loads(plain)["data"]
    # nor in the layout (see test_maps: the layout is copied at each update)
    assert figure["layout"] == json.loads(plain)["layout"]
    assert json.loads(rendered)["built"]["sentence"] is None  # the map of the view without it


def test_a_groupings_members_quoted_together_are_one_record_of_the_details(atlas):
    """P4.3 quotes NATO's members at once: the details name them as one ("NATO: n states"),
    with the count of membership records the coverage data gives that quote, and the
    grouping's details a click away; in both languages."""
    row = coverage()["P4.3"]
    quoted = {(q["start"], q["end"]) for q in row["quotes"] if q["record"].startswith("nato/")}
    assert len(quoted) == 1
    members = {q["record"] for q in row["quotes"] if q["record"].startswith("nato/")}
    for lang, word in (("en", "states"), ("ja", "か国")):
        details = sentence_details(atlas, "P4.3", lang, frozenset())
        grouped = [r for q in details.quotes for r in q.records if r.record == "nato/*"]
        assert len(grouped) == 1 and grouped[0].target == "nato"
        assert f"{len(members)}" in grouped[0].name and word in grouped[0].name
        named = {r.record for q in details.quotes for r in q.records}
        assert not named & members

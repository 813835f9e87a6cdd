"""The details panel's roles and the table view's rows (dashboard/details.py)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from pages import dicts_in

from dashboard.details import (
    COLUMNS,
    country_rows,
    diff_rows,
    item_name,
    keys_layers,
    layer_counts,
    on_map,
    roles_of,
    source_line,
    view_rows,
)
from dashboard.i18n import t
from geodata.article import load_article
from geodata.certainty import CERTAINTY_STATES, split_state_key, state_index
from geodata.knowledge import BASES, DIRECTIONS
from geodata.scenario import DIRECTION_KEYS, LAYERS, Scenario
from geodata.select import only_hides, select


def _ids(roles, kind):
    return {r.record_id for r in roles if r.kind == kind}


def test_a_country_has_every_role(atlas):
    roles = roles_of(atlas, "JPN", "en")
    kinds = [r.kind for r in roles]
    assert kinds[0] == "actor"
    memberships = atlas.memberships[atlas.memberships.iso3 == "JPN"]
    assert _ids(roles, "membership") == set(memberships.grouping)
    relations = atlas.relations[
        (atlas.relations.source == "JPN") | (atlas.relations.target == "JPN")
    ]
    assert _ids(roles, "relation") == set(relations.id)
    events = atlas.events[atlas.events.actors.map(lambda a: "JPN" in a)]
    assert _ids(roles, "event") == set(events.id)
    assert {"membership", "relation", "event"} <= set(kinds)


def test_threat_sources_and_domains_are_roles_of_a_country(atlas):
    roles = roles_of(atlas, "CHN", "en")
    threats = atlas.threats[atlas.threats.sources.map(lambda s: "CHN" in s)]
    assert _ids(roles, "threat_source") >= set(threats.id)
    domains = atlas.domains[atlas.domains.actor == "CHN"]
    assert _ids(roles, "domain") == set(domains.domain)
    assert _ids(roles, "membership") == {"authoritarian"}


def test_every_role_of_every_actor_is_cited_verbatim(atlas):
    article = load_article()
    for actor in atlas.knowledge.actors:
        roles = roles_of(atlas, actor.id, "ja")
        assert roles, actor.id
        for role in roles:
            assert role.basis in BASES
            assert role.status in ("existing", "proposed")
            assert role.citations, (actor.id, role.kind, role.record_id)
            if role.basis != "stated":
                assert role.reason, (actor.id, role.record_id)
            for citation in role.citations:
                numbers = tuple(f.number for f in citation.footnotes)
                assert article.quote_found(citation.quote_ja, citation.paragraph, numbers)
                assert citation.gloss_en
                for footnote in citation.footnotes:
                    assert footnote.source, (role.record_id, footnote.number)


@pytest.mark.parametrize(
    ("item", "first_kind"),
    [
        ("nato", "grouping"),
        ("baltic_sea", "region"),
        ("south", "threat"),
        ("chn_rus_dual_use", "relation"),
        ("washington_summit", "event"),
        ("cyber", "domain"),
    ],
)
def test_each_kind_of_item_has_its_own_record_first(atlas, item, first_kind):
    roles = roles_of(atlas, item, "en")
    assert roles[0].kind == first_kind
    assert roles[0].record_id == item
    assert roles[0].citations


def test_a_grouping_lists_its_members_and_links(atlas):
    roles = roles_of(atlas, "five_eyes", "en")
    facts = dict(roles[0].facts)
    assert "Japan" not in facts["Members"]
    assert "New Zealand" in facts["Members"]
    assert "japan_five_eyes_cooperation" in _ids(roles, "relation")


def test_a_region_lists_the_threats_through_it(atlas):
    assert "north_baltic" in _ids(roles_of(atlas, "baltic_sea", "en"), "threat")


def test_unknown_or_empty_ids_have_no_roles(atlas):
    assert roles_of(atlas, "nope", "en") == []
    assert roles_of(atlas, None, "en") == []
    assert roles_of(atlas, "", "ja") == []
    assert roles_of(atlas, "BRA", "en") == []  # a country the article does not mention


def test_titles_follow_the_language(atlas):
    assert roles_of(atlas, "CHN", "ja")[0].title == "中国"
    assert roles_of(atlas, "CHN", "en")[0].title == "China"
    relation_ja = next(r for r in roles_of(atlas, "CHN", "ja") if r.kind == "relation")
    assert "→" in relation_ja.title and "ロシア" in relation_ja.title
    assert item_name(atlas, "nato", "en") == "NATO"
    assert item_name(atlas, "unknown-id", "en") == "unknown-id"


def test_names_are_those_of_each_atlas(atlas):
    """Names are kept per atlas (atlases are equal only to themselves)."""
    countries = atlas.countries.copy()
    countries.loc[countries.iso3 == "JPN", "name_en"] = "Nippon"
    other = dataclasses.replace(atlas, countries=countries)
    assert item_name(atlas, "JPN", "en") == "Japan"
    assert item_name(other, "JPN", "en") == "Nippon"
    assert roles_of(other, "JPN", "en")[0].title == "Nippon"
    assert item_name(atlas, "JPN", "en") == "Japan"


def test_citation_place_names_paragraph_and_footnotes(atlas):
    role = next(r for r in roles_of(atlas, "CHN", "en") if r.record_id == "chn_rus_dual_use")
    citation = role.citations[0]
    assert citation.paragraph == 6
    assert [f.number for f in citation.footnotes] == [10]
    assert citation.place("en") == "P6, footnote 10"
    assert citation.place("ja") == "第6段落・脚注10"
    assert "Reuters" in citation.footnotes[0].source


def test_footnote_source_lines(atlas):
    by_number = {f.number: f for f in atlas.knowledge.footnotes}
    assert source_line(by_number[4]) == (
        "Ana Swanson, “Why Sanctions Haven’t Hobbled Russia”, The New York Times, 2024-02-16"
    )
    assert source_line(by_number[15]) == by_number[15].note_ja
    two_works = source_line(by_number[6])
    assert two_works.count("; ") == 1 and "Blinken" in two_works
    assert source_line(None) == ""


def test_citations_are_not_repeated_within_a_role(atlas):
    for item in ("GBR", "CAN", "nato", "RUS"):
        for role in roles_of(atlas, item, "en"):
            keys = [(c.paragraph, c.quote_ja) for c in role.citations]
            assert len(keys) == len(set(keys))


# --- table rows -----------------------------------------------------------------------------


def test_view_rows_list_exactly_what_each_preset_shows(atlas, presets):
    for preset_id, scenario in presets.items():
        layers = select(atlas, scenario)
        rows = view_rows(layers, scenario.lang)
        keys = [r["key"] for r in rows]
        assert len(keys) == len(set(keys)), preset_id
        expected = (
            len(layers.groupings)
            + len(layers.relations)
            + len(layers.threats)
            + len(layers.regions)
            + len(layers.events)
            + len(layers.domains)
            + len(layers.topics)
        )
        assert len(rows) == expected, preset_id
        for row in rows:
            assert set(COLUMNS) <= set(row)
            assert all(isinstance(row[c], str) for c in COLUMNS)
        relation_ids = {r["id"] for r in rows if r["key"].startswith("relation:")}
        assert relation_ids == set(layers.relations.id)  # those not drawn as arcs too
        topic_ids = {r["id"] for r in rows if r["key"].startswith("topic:")}
        assert topic_ids == set(layers.topics.id)
        # every row says how strongly the article says it, as the record does
        modality = {
            f"{kind}:{item}": m
            for kind, frame in (
                ("relation", layers.relations),
                ("topic", layers.topics),
                ("grouping", layers.groupings),
            )
            for item, m in zip(frame.id, frame.modality, strict=True)
        }
        for row in rows:
            if row["key"] in modality:
                assert row["modality"] == t(f"modality.{modality[row['key']]}", scenario.lang)


def test_view_rows_follow_the_layers_and_the_language(atlas, presets):
    scenario = presets["concept_diagram"]
    everything = view_rows(select(atlas, scenario.model_copy(update={"layers": LAYERS})), "en")
    assert any(r["key"].startswith("event:") for r in everything)
    no_events = scenario.model_copy(update={"layers": tuple(x for x in LAYERS if x != "events")})
    assert not any(r["key"].startswith("event:") for r in view_rows(select(atlas, no_events), "en"))
    names_en = {r["name"] for r in everything}
    names_ja = {
        r["name"]
        for r in view_rows(select(atlas, scenario.model_copy(update={"layers": LAYERS})), "ja")
    }
    assert "Five Eyes" in names_en and "ファイブアイズ" in names_ja
    assert {r["kind"] for r in everything} >= {"Grouping", "Link", "Event"}


def test_grouping_rows_list_their_members(atlas, presets):
    rows = view_rows(select(atlas, presets["value_community"]), "en")
    nato = next(r for r in rows if r["key"] == "grouping:nato")
    assert nato["detail"].startswith("Members (32):")
    assert "Hungary" in nato["detail"]


def test_diff_of_the_proposals_and_summit_presets(atlas, presets):
    a = select(atlas, presets["proposals_japan_five_eyes_nato"])
    b = select(atlas, presets["summit_outcomes"])
    rows_a = view_rows(a, "en") + country_rows(a, "en")
    rows_b = view_rows(b, "en") + country_rows(b, "en")
    only_a, only_b = diff_rows(rows_a, rows_b)
    keys_a = {r["key"] for r in only_a}
    keys_b = {r["key"] for r in only_b}
    assert "grouping:japan_five_eyes_nato" in keys_a
    assert "grouping:ap4" in keys_b  # the summit preset shows AP4; the proposals preset does not
    assert any(k.startswith("threat:") for k in keys_b)
    assert not keys_a & keys_b
    same, other = diff_rows(rows_a, rows_a)
    assert same == [] and other == []


def test_country_rows_are_the_coloured_countries(atlas, presets):
    layers = select(atlas, presets["authoritarian_partnerships"])
    rows = country_rows(layers, "en")
    assert {r["id"] for r in rows} == set(layers.memberships.iso3)
    russia = next(r for r in rows if r["id"] == "RUS")
    assert russia["name"] == "Russia" and "Authoritarian" in russia["detail"]


def test_link_rows_name_ends_the_view_does_not_draw(atlas):
    layers = select(atlas, Scenario(layers=("ukraine",)))  # Hungary objects to NATO, not drawn
    assert "nato" not in set(layers.groupings.id)
    rows = {r["id"]: r for r in view_rows(layers, "en", atlas)}
    assert rows["hun_objection"]["name"].startswith("Hungary → NATO")
    assert rows["hun_objection"]["detail"] == "objection"
    bare = {r["id"]: r for r in view_rows(layers, "ja")}
    assert "nato" in bare["hun_objection"]["name"]  # without the atlas: the id
    assert bare["hun_objection"]["detail"] == "異議"
    # a relation the map does not draw as an arc says so in its row
    assert rows["hun_nato_compromise"]["detail"] == "compromise (not drawn on the map)"


def _layer_choices(scenario):
    """The view's own layers, each layer alone, each one left out, none and all."""
    return {
        tuple(scenario.layers),
        (),
        LAYERS,
        *((layer,) for layer in LAYERS),
        *(tuple(x for x in LAYERS if x != layer) for layer in LAYERS),
    }


def test_the_rows_of_every_layer_shown_by_layer_are_the_rows_of_the_view(atlas, presets):
    """The table lists the rows of the view with every layer and threat direction and hides
    those of the layer keys not shown: what it then shows is exactly what the view with those
    layers and directions lists."""
    for preset_id, scenario in presets.items():
        everything = view_rows(select(atlas, scenario.with_every_layer()), "en")
        keys = {*LAYERS, *DIRECTION_KEYS}
        assert all(
            row["layers"] and {split_state_key(k)[0] for k in row["layers"]} <= keys
            for row in everything
        )
        state = state_index(*scenario.certainty())
        for layers, directions in itertools.product(
            _layer_choices(scenario), (DIRECTIONS, ("east",), ("north", "west"), ())
        ):
            view = scenario.model_copy(update={"layers": layers, "directions": directions})
            expected = [r["key"] for r in view_rows(select(atlas, view), "en")]
            shown = view.shown_keys()
            assert [r["key"] for r in everything if on_map(r, shown, state)] == expected, (
                preset_id,
                layers,
                directions,
            )


def test_the_rows_of_every_certainty_shown_by_state_are_the_rows_of_the_view(atlas, presets):
    """The table of a view whose certainty filters only hide items (geodata.select.only_hides)
    lists the rows of every certainty and hides those of the other states: what it then shows
    is exactly what the view in that state lists, whatever layers are shown."""
    compared = 0
    for preset_id, scenario in [("default", Scenario()), *presets.items()]:
        widest = select(atlas, scenario.with_every_layer().with_every_certainty())
        everything = view_rows(widest, "en")
        for (basis, modality), layers in itertools.product(
            CERTAINTY_STATES, _layer_choices(scenario)
        ):
            view = scenario.model_copy(
                update={"layers": layers, "basis": basis, "modality": modality}
            )
            if not only_hides(widest, select(atlas, view.with_every_layer())):
                continue
            expected = [r["key"] for r in view_rows(select(atlas, view), "en")]
            state = state_index(basis, modality)
            shown = [r["key"] for r in everything if on_map(r, view.shown_keys(), state)]
            assert shown == expected, (preset_id, basis, modality, layers)
            compared += bool(len(expected) < len(everything))
    assert compared > 100  # (many views hide rows of the widest table)


def test_a_row_names_each_of_its_layers(atlas, presets):
    scenario = presets["concept_diagram"].model_copy(update={"layers": LAYERS})
    rows = view_rows(select(atlas, scenario), "en")
    for row in rows:
        kind = row["key"].split(":")[0]
        keys = tuple(split_state_key(key)[0] for key in row["layers"])
        if kind == "event":
            assert keys == ("events",)
        elif kind == "threat":  # its direction's part of the threats layer
            (direction,) = atlas.threats.set_index("id").loc[[row["id"]], "direction"]
            assert keys == (f"threats-{direction}",)
        elif kind == "domain":
            assert keys == ("threats",)
        elif kind in ("grouping", "relation"):
            assert len(row["layers"]) == 1
    several = [r for r in rows if len(keys_layers(r["layers"])) > 1]
    assert several and all(r["key"].startswith("region:") for r in several)
    for row in several:  # the layer column names each layer once, in order
        named = dict.fromkeys(split_state_key(key)[0].split("-")[0] for key in row["layers"])
        assert row["layer"] == ", ".join(t(f"layer.{layer}", "en") for layer in named)
    counts = layer_counts(row["layers"] for row in rows)
    assert sum(counts.values()) == len(rows)
    assert counts["events"] == sum(r["layers"] == ("events",) for r in rows)
    assert on_map({"layers": ()}, ())  # a row without layers is always shown
    assert not on_map({"layers": ("events",)}, ("threats",))
    assert on_map({"layers": ("events", "threats")}, ("threats",))
    assert on_map({"layers": ("events@1",)}, ("events",), 0)  # (shown in state 0 only)
    assert not on_map({"layers": ("events@1",)}, ("events",), 1)


def test_country_rows_name_the_layers_of_their_groupings(atlas, presets):
    layers = select(atlas, presets["concept_diagram"].model_copy(update={"layers": LAYERS}))
    rows = {r["id"]: r for r in country_rows(layers, "en")}
    assert rows["RUS"]["layers"] == ("authoritarian",)
    assert "value_community" in rows["JPN"]["layers"]


# --- how strongly the article says it, and the topics it discusses -----------------------------


def test_every_citation_carries_its_modality_and_hedge(atlas):
    """A role's citations say how the article says each quote: the knowledge base's modality and
    hedge words, and the hedge's English meaning from the catalogue."""
    roles = roles_of(atlas, "chn_threat_europe", "en")
    (citation,) = roles[0].citations
    assert (citation.modality, citation.hedge_ja) == ("assessed", "認知されつつある")
    assert citation.hedge_en() == "is coming to be perceived as"
    assert roles[0].modality == "assessed"
    before, hedge, after = citation.quote_parts()
    assert hedge == "認知されつつある" and before + hedge + after == citation.quote_ja
    # a hedge elsewhere in the sentence (と見られる closes P3's sentence): not in the quote
    (driver,) = [r for r in roles_of(atlas, "driver_western_aid_delays", "en") if r.kind == "topic"]
    assert driver.citations[0].hedge_ja == "と見られる"
    assert driver.citations[0].quote_parts() == (driver.citations[0].quote_ja, "", "")


def test_every_hedge_of_the_knowledge_base_has_an_english_meaning(raw_knowledge):
    """The details panel explains each hedge: the catalogue in dashboard.i18n knows every hedge
    the knowledge base uses (a new hedge word needs its meaning there)."""
    from dashboard.i18n import hedge_meaning

    found = {node["hedge_ja"] for node in dicts_in(raw_knowledge) if node.get("hedge_ja")}
    assert len(found) >= 10
    assert {h: hedge_meaning(h) for h in found if not hedge_meaning(h)} == {}
    assert hedge_meaning("と見られる") == "is seen as / reportedly"
    assert hedge_meaning("となろう") != hedge_meaning("と見られる")


def test_an_items_details_list_the_topics_about_it(atlas):
    """What the article discusses about an item without a place of its own (NATO's consensus,
    the drivers of the Ukraine commitment) is listed in that item's details, with citations."""
    topics = atlas.topics
    for item in ("nato", "nato_ukr_long_term_support", "UKR", "chn_threat_europe", "five_eyes"):
        about = set(topics.id[topics.about.map(lambda a, item=item: item in a)])
        assert about, item
        roles = roles_of(atlas, item, "en")
        assert _ids(roles, "topic") == about, item
        assert roles[0].kind != "topic"  # the item's own roles come first
    (council,) = roles_of(atlas, "north_atlantic_council", "ja")
    assert council.kind == "topic" and council.layer == "value_community"
    assert dict(council.facts)[t("details.about", "ja")].startswith("NATO")
    assert any(c.modality == "projected" and c.hedge_ja == "今後" for c in council.citations)

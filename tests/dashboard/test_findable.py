"""Every record a view selects is somewhere a user can find it: drawn on the map (and clickable),
a row of the table under it, or a role in the details of something that is."""

from __future__ import annotations

import pytest
from drawing import drawn

from dashboard.details import roles_of, view_rows
from geodata.scenario import load_presets
from geodata.select import select

PRESETS = load_presets()
CASES = [(preset, lang) for preset in PRESETS for lang in ("ja", "en")]


def _map_ids(figure: dict) -> set[str]:
    """The ids the shown traces of a figure (as the page gets it) draw."""
    ids: set[str] = set()
    for trace in figure["data"]:
        if not drawn(trace):
            continue
        ids |= set((trace.get("meta") or {}).get("ids") or ())
    return ids


@pytest.mark.parametrize(("preset", "lang"), CASES)
def test_every_selected_record_can_be_found(service, atlas, preset, lang):
    scenario = PRESETS[preset].model_copy(update={"lang": lang})
    layers = select(atlas, scenario)
    on_map = _map_ids(service.maps.figure(scenario))
    rows = view_rows(service.maps.shown_layers(scenario), lang, atlas)
    in_table = {row["id"] for row in rows}
    table_keys = {row["key"] for row in rows}
    # the details of what a user can click (on the map or in the table)
    in_details = {
        (role.kind, role.record_id)
        for item in on_map | in_table
        for role in roles_of(atlas, item, lang)
    }
    findable = on_map | in_table

    # what has a place is drawn, and clickable
    drawn = layers.relations[layers.relations.placement != "listed"]
    for frame, ids in (
        ("relations", drawn.id),
        ("groupings", layers.groupings.id),
        ("threats", layers.threats.id),
        ("regions", layers.regions.id),
        ("events", layers.events.id),
    ):
        missing = set(ids) - on_map
        assert not missing, (preset, lang, frame, missing)
    missing = {f"{d}:{a}" for d, a in zip(layers.domains.domain, layers.domains.actor, strict=True)}
    assert not missing - on_map, (preset, lang, "domains", missing - on_map)
    # a membership: its country is on the map, and the country's details name the grouping
    for grouping, iso3 in zip(layers.memberships.grouping, layers.memberships.iso3, strict=True):
        assert iso3 in on_map, (preset, lang, grouping, iso3)
        assert ("membership", grouping) in {
            (role.kind, role.record_id) for role in roles_of(atlas, iso3, lang)
        }, (preset, lang, grouping, iso3)
    # what has no place (a listed relation, a topic) is a row of the table, and in the details
    # of what it concerns
    listed = layers.relations[layers.relations.placement == "listed"]
    for relation_id in listed.id:
        assert relation_id in in_table and ("relation", relation_id) in in_details, relation_id
    for topic_id, about in zip(layers.topics.id, layers.topics.about, strict=True):
        assert f"topic:{topic_id}" in table_keys, (preset, lang, topic_id)
        if set(about) & findable:
            assert ("topic", topic_id) in in_details, (preset, lang, topic_id)
    # and nothing selected is left out of the table
    selected = {
        *layers.groupings.id,
        *layers.relations.id,
        *layers.threats.id,
        *layers.regions.id,
        *layers.events.id,
        *layers.domains.domain,
        *layers.topics.id,
    }
    assert selected <= in_table, (preset, lang, selected - in_table)

"""The certainty states of the two filters, and the layer keys limited to some of them."""

from __future__ import annotations

import itertools
from datetime import date

from geodata.atlas import load_atlas
from geodata.certainty import (
    CERTAINTY_STATES,
    EVERY_STATE,
    WIDEST_STATE,
    all_of,
    any_of,
    item_states,
    shows,
    split_state_key,
    state_index,
    state_key,
)
from geodata.knowledge import BASES, MODALITIES
from geodata.scenario import Scenario, load_presets
from geodata.select import only_hides, select

ATLAS = load_atlas()


def test_an_item_shows_in_the_states_whose_filters_pass_it() -> None:
    """An item's states are those of the views whose basis and modality filters pass it (what
    geodata.select keeps)."""
    for basis, modality in itertools.product(BASES, MODALITIES):
        states = item_states(basis, modality)
        for index, (shown_basis, shown_modality) in enumerate(CERTAINTY_STATES):
            view = Scenario(basis=shown_basis, modality=shown_modality)
            passes = view.shows_basis(basis) and view.shows_modality(modality)
            assert bool(states >> index & 1) == passes, (basis, modality, view.certainty())
    assert item_states("external", "recommended") == 1 << WIDEST_STATE
    assert item_states("stated", "asserted") == EVERY_STATE
    assert state_index(*Scenario().certainty()) == WIDEST_STATE  # the filters' defaults


def test_a_key_limited_to_some_states_shows_in_those_only() -> None:
    assert state_key("events", EVERY_STATE) == "events"
    assert state_key("threats-east", 6) == "threats-east@6"
    for key in ("events", "threats-east@6"):
        assert state_key(*split_state_key(key)) == key
    assert state_key(*split_state_key("base@511")) == "base"
    assert split_state_key("threats-east@6") == ("threats-east", 6)
    assert shows(["threats-east@6"], {"threats-east"}, 1)
    assert not shows(["threats-east@6"], {"threats-east"}, 0)
    assert not shows(["threats-east@6"], {"events"}, 1)
    assert shows(["events@1", "threats-east@6"], {"events", "threats-east"}, 2)
    assert shows(["events"], {"events"}, 4) and not shows([], {"events"}, 4)
    assert all_of([6, 3]) == 2 and all_of([]) == EVERY_STATE
    assert any_of([4, 1]) == 5 and any_of([]) == 0


def test_a_certainty_filter_only_hides_items_unless_the_view_names_groupings() -> None:
    """Without named groupings a narrower state selects a part of the widest selection; a view
    of NATO loses more at "stated": NATO's members the article does not name leave it, and
    their events with them."""
    view = Scenario()
    widest = select(ATLAS, view.with_every_layer())
    for basis, modality in CERTAINTY_STATES:
        narrow = view.model_copy(update={"basis": basis, "modality": modality})
        assert only_hides(widest, select(ATLAS, narrow.with_every_layer()))
    nato = load_presets()["threats_360"]
    assert nato.groupings == ("nato",)
    widest = select(ATLAS, nato.with_every_layer().with_every_certainty())
    stated = select(ATLAS, nato.with_every_layer().model_copy(update={"basis": "stated"}))
    assert not only_hides(widest, stated)
    inferred = select(ATLAS, nato.with_every_layer().model_copy(update={"basis": "inferred"}))
    assert only_hides(widest, inferred)


def test_a_view_that_names_no_groupings_only_hides_in_every_state() -> None:
    """(What lets a map's toggle table take every state of such a view for one that only hides,
    without selecting it: dashboard.service.maps, _same_frames.)"""
    views = [
        Scenario(),
        Scenario(layers=("events", "threats")),
        Scenario(proposals=False, domains=("cyber",)),
        Scenario(date_from=date(2020, 1, 1), date_to=date(2024, 7, 31)),
        Scenario(directions=("east",), layers=("threats", "authoritarian", "support_flows")),
        *(preset.model_copy(update={"groupings": ()}) for preset in load_presets().values()),
    ]
    for view in views:
        widest = select(ATLAS, view.with_every_layer().with_every_certainty())
        for basis, modality in CERTAINTY_STATES:
            narrow = view.model_copy(update={"basis": basis, "modality": modality})
            assert only_hides(widest, select(ATLAS, narrow.with_every_layer())), (view, basis)

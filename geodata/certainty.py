"""The certainty filters' states, and the layer keys that show only in some of them.

A view's two certainty filters (the highest basis shown, the least certain modality shown) put it
in one of nine certainty states. An item shows in every state at least as wide as its own basis
and modality: the states it shows in are a set (`ItemStates`, a bit mask of state indices). A map
draws every certainty and hides what the view's state leaves out (as it does with layers), so a
certainty toggle only flips what is shown: each drawn thing names the layer keys it shows with,
each with the states it shows in (`state_key`), and it shows while any of them is shown in the
view's state (`shows`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache

from geodata.knowledge import (
    BASES,
    MODALITY_LEVELS,
    Basis,
    Modality,
    ModalityLevel,
    basis_rank,
    modality_level,
)

# every certainty state, as (highest basis shown, least certain modality shown); its index is
# the bit of an ItemStates mask
CERTAINTY_STATES: tuple[tuple[Basis, ModalityLevel], ...] = tuple(
    (basis, level) for basis in BASES for level in MODALITY_LEVELS
)
ItemStates = int  # a bit mask of CERTAINTY_STATES indices
EVERY_STATE: ItemStates = (1 << len(CERTAINTY_STATES)) - 1
WIDEST_STATE = len(CERTAINTY_STATES) - 1  # every basis, every modality: the filters' defaults
STATE_MARK = "@"  # joins a layer key and the states it shows in ("threats-east@504")


def state_index(basis: Basis, modality: ModalityLevel) -> int:
    """The index of the certainty state of a view's two filters."""
    return CERTAINTY_STATES.index((basis, modality))


@cache
def item_states(basis: Basis, modality: Modality) -> ItemStates:
    """The states in which an item of this basis and modality shows."""
    rank, level = basis_rank(basis), modality_level(modality)
    return sum(
        1 << index
        for index, (shown_basis, shown_level) in enumerate(CERTAINTY_STATES)
        if rank <= basis_rank(shown_basis) and level <= MODALITY_LEVELS.index(shown_level)
    )


def all_of(masks: Iterable[ItemStates]) -> ItemStates:
    """The states in which every one of several items shows (a thing drawn for all of them)."""
    states = EVERY_STATE
    for mask in masks:
        states &= mask
    return states


def any_of(masks: Iterable[ItemStates]) -> ItemStates:
    """The states in which any of several items shows (a thing drawn while one of them is)."""
    states = 0
    for mask in masks:
        states |= mask
    return states


def state_key(key: str, states: ItemStates) -> str:
    """A layer key limited to some states (the key itself for every state)."""
    return key if states == EVERY_STATE else f"{key}{STATE_MARK}{states}"


def split_state_key(alternative: str) -> tuple[str, ItemStates]:
    """(layer key, states) of a key made by `state_key`."""
    key, mark, states = alternative.partition(STATE_MARK)
    return key, int(states) if mark else EVERY_STATE


def shows(alternatives: Iterable[str], keys: Collection[str], state: int = WIDEST_STATE) -> bool:
    """Whether a thing shown with any of `alternatives` (state keys) shows in a view showing the
    layer keys `keys` in certainty state `state`."""
    for alternative in alternatives:
        key, states = split_state_key(alternative)
        if key in keys and states >> state & 1:
            return True
    return False

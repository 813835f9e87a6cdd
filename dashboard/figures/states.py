"""In which certainty states each drawn thing shows (geodata.certainty).

A map draws every certainty its selection has and hides what the view's certainty filters leave
out, as it hides the layers it does not show: each trace names the layer keys it shows with,
limited to the states its items show in (`with_states`), and each label the states it shows in
(`label_states`). A builder that knows better (a region shows while an item that names it does;
a legend entry while any item it explains does) names the state keys itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from dashboard.figures.context import AtlasIndex, Drawing, LabelRequest, Trace
from geodata.certainty import STATE_MARK, ItemStates, all_of, state_key


def items_states(index: AtlasIndex, item_ids: list[str]) -> ItemStates:
    """The states in which a thing drawn for all of `item_ids` shows (see
    AtlasIndex.states_of)."""
    return all_of(index.states_of(item_id) for item_id in item_ids)


def with_states(drawing: Drawing, index: AtlasIndex) -> Drawing:
    """`drawing` with each trace's layer keys limited to the states its items show in (those
    whose keys a builder limited itself are kept as they are)."""
    drawing.traces = [(uid, _trace_with_states(trace, index)) for uid, trace in drawing.traces]
    return drawing


def limited_keys(keys: Iterable[str], states: ItemStates) -> list[str]:
    """Layer keys limited to `states`, but those a builder limited itself."""
    return [key if STATE_MARK in key else state_key(key, states) for key in keys]


def _trace_with_states(trace: Trace, index: AtlasIndex) -> Trace:
    meta = trace["meta"]
    keys = meta.get("layers") or [meta["layer"]]
    limited = limited_keys(keys, items_states(index, meta.get("ids") or []))
    if limited == keys:
        return trace
    return trace | {"meta": meta | {"layers": limited}}


def label_states(label: LabelRequest, index: AtlasIndex) -> ItemStates:
    """The states in which a label shows: its own (a label whose text differs by state is one
    request per text), or those of the items it names."""
    if label.states is not None:
        return label.states
    return items_states(index, label.item_ids)

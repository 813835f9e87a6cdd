"""The page's controls as the service sees them: which control shows which part of a view, and
their options and placeholders in each language (plain data; the layout builds the components).
"""

from __future__ import annotations

from typing import Any

from dashboard.i18n import name, t
from geodata.atlas import Atlas
from geodata.knowledge import BASES, DIRECTIONS, MODALITY_LEVELS
from geodata.scenario import LAYERS, PROJECTIONS, Scenario

PROPOSALS_ON = "on"
# the map-options checklist: the Europe inset (scenario inset europe|none), the whole world
# (scenario extent world|content)
MAP_OPTIONS = ("inset", "world")
COMPARE_MODES = ("off", "side", "diff")

# the controls a view sets, in the order controls_of returns their values
CONTROL_PROPS: tuple[tuple[str, str], ...] = (
    ("scenario", "value"),
    ("lang", "value"),
    ("layers", "value"),
    ("groupings", "value"),
    ("directions", "value"),
    ("domains", "value"),
    ("date-from", "value"),
    ("date-to", "value"),
    ("basis", "value"),
    ("modality", "value"),
    ("proposals", "value"),
    ("focus", "value"),
    ("projection", "value"),
    ("map-options", "value"),
)


def prop_ids(props: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """'id.prop' of each (component id, property): how the service keys control values."""
    return tuple(f"{cid}.{prop}" for cid, prop in props)


CONTROL_IDS = prop_ids(CONTROL_PROPS)
# the controls whose option labels follow the language, in the order translations gives them
# (the country search's suggestions are the labels of options["focus"])
OPTION_IDS = (
    "scenario",
    "layers",
    "groupings",
    "directions",
    "domains",
    "basis",
    "modality",
    "proposals",
    "projection",
    "map-options",
    "compare-mode",
    "compare-with",
)


def country_label(name_in_lang: str, iso3: str) -> str:
    """How the country search shows a country: 「日本 (JPN)」."""
    return f"{name_in_lang} ({iso3})"


def options_for(atlas: Atlas, presets: dict[str, Scenario], lang: str) -> dict[str, Any]:
    """Every control's options in `lang`, keyed by component id."""
    kb = atlas.knowledge
    countries = sorted(
        ((name(a, lang), a.id) for a in kb.actors),
        key=lambda pair: pair[0],
    )
    preset_options = [
        {
            "label": (p.title_ja or p.title_en) if lang == "ja" else (p.title_en or p.title_ja),
            "value": key,
        }
        for key, p in presets.items()
    ]
    custom = {"label": t("scenario.custom", lang), "value": ""}
    return {
        "scenario": [custom, *preset_options],  # "": no preset (a custom view)
        "layers": [{"label": t(f"layer.{layer}", lang), "value": layer} for layer in LAYERS],
        "groupings": [{"label": name(g, lang), "value": g.id} for g in kb.groupings],
        "directions": [{"label": t(f"direction.{d}", lang), "value": d} for d in DIRECTIONS],
        "domains": [{"label": name(d, lang), "value": d.id} for d in kb.domains],
        "basis": [{"label": t(f"basis.opt.{b}", lang), "value": b} for b in BASES],
        "modality": [{"label": t(f"modality.opt.{m}", lang), "value": m} for m in MODALITY_LEVELS],
        "proposals": [{"label": t("proposals.on", lang), "value": PROPOSALS_ON}],
        "focus": [
            {"label": country_label(label, iso3), "value": iso3} for label, iso3 in countries
        ],
        "projection": [{"label": t(f"projection.{p}", lang), "value": p} for p in PROJECTIONS],
        "map-options": [
            {"label": t(f"map.option.{option}", lang), "value": option} for option in MAP_OPTIONS
        ],
        "compare-mode": [{"label": t(f"compare.{m}", lang), "value": m} for m in COMPARE_MODES],
        "compare-with": preset_options,
    }


def placeholders_for(lang: str) -> dict[str, str]:
    """Placeholder texts, keyed by component id."""
    return {
        "scenario": t("scenario.custom", lang),
        "focus": t("focus.placeholder", lang),
        "compare-with": t("compare.pick", lang),
    }


def share_texts(lang: str) -> dict[str, str]:
    """What the page says after copying the view's link (the `share-texts` store)."""
    return {"copied": t("share.copied", lang), "failed": t("share.copy_failed", lang)}


def event_span(atlas: Atlas) -> tuple[str, str]:
    """The first and last event date (partial ISO dates as written)."""
    dates = sorted(atlas.events.date)
    return dates[0], dates[-1]

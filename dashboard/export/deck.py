"""PowerPoint decks: one slide per view, its image full-bleed, its title, its citations in the
speaker notes."""

from __future__ import annotations

import io
from collections.abc import Sequence

from pptx import Presentation
from pptx.util import Emu

from dashboard.export.citations import speaker_notes
from dashboard.export.sentence import slide_notes
from geodata.atlas import Atlas
from geodata.scenario import Scenario


def build_deck(
    scenarios: Sequence[Scenario],
    images: Sequence[bytes],
    atlas: Atlas,
    *,
    width: int = 1920,
    height: int = 1080,
) -> bytes:
    """A .pptx: one slide per view, its PNG full-bleed, its title, its citations in the notes.

    The picture carries the visible title; the slide's title placeholder holds the same text
    just above the slide edge, so outlines, navigation and screen readers have it.
    """
    deck = Presentation()
    slide_height = 6858000  # 7.5 in
    slide_width = round(slide_height * width / height)
    deck.slide_width, deck.slide_height = Emu(slide_width), Emu(slide_height)
    layout = deck.slide_layouts[5]  # "Title Only"
    for scenario, image in zip(scenarios, images, strict=True):
        slide = deck.slides.add_slide(layout)
        picture = slide.shapes.add_picture(
            io.BytesIO(image), 0, 0, width=Emu(slide_width), height=Emu(slide_height)
        )
        picture.name = f"Map: {scenario.id or 'view'}"
        picture._element.nvPicPr.cNvPr.set("descr", f"{scenario.title()}. {scenario.description()}")
        title = slide.shapes.title
        title.text = scenario.title() + (f" — {scenario.sentence}" if scenario.sentence else "")
        title.left, title.width = Emu(0), Emu(slide_width)
        title.height = Emu(600000)
        title.top = Emu(-600000)
        notes = [*slide_notes(scenario, atlas), speaker_notes(scenario, atlas)]
        slide.notes_slide.notes_text_frame.text = "\n".join(notes)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()

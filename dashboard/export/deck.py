"""PowerPoint decks: a slide per view, in the order given (the presets' reading order by default),
then appendix slides with every passage cited in full.

A view's slide is 16:9 (or the export's aspect): its title is the slide's own title, in the band
at the top where the image would have drawn it (same place, size and weight), and under it the
picture of the map with its description, legend and footer (rendered without its title), with
alt text. Its speaker notes are short enough to print on a notes page (at most 3,000
characters): the view in brief, then its passages layer by layer. The deck's core properties
(title, subject, author, language, dates) are set; so are the language and fonts of its text.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR
from pptx.util import Emu, Pt

from dashboard.export.caption import (
    INK,
    MARGIN_TOP,
    MARGIN_X,
    TITLE_LINE,
    TITLE_PX,
    source_line,
    title_lines,
)
from dashboard.export.citations import passages, speaker_notes
from dashboard.export.formats import REF_HEIGHT, layout_size
from dashboard.export.pdf import AUTHOR, LANGUAGE_TAGS
from dashboard.export.sentence import slide_notes
from dashboard.figures.style import PDF_JAPANESE_FONT
from dashboard.figures.text import line_width
from dashboard.i18n import t
from geodata.article import ARTICLE_TITLE_EN
from geodata.atlas import Atlas
from geodata.scenario import Scenario

SLIDE_HEIGHT = 6_858_000  # EMU: 7.5 in, PowerPoint's 16:9 slide
NOTES_PT = 10.5
TITLE_SLACK = 6  # px above the image's title top that the slide's title box starts
APPENDIX_PT = 10.0
PARAGRAPH_SPACE = 0.4  # lines between the appendix's paragraphs
LATIN_FONT = "Noto Sans"
KEYWORDS = "NATO; Washington summit 2024; Alliance Atlas; briefing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def build_deck(
    scenarios: Sequence[Scenario],
    pictures: Sequence[bytes],
    atlas: Atlas,
    *,
    width: int = 1920,
    height: int = 1080,
) -> bytes:
    """A .pptx: a slide per view (its title, the picture of its map rendered without its title,
    its notes), then the appendix. `pictures` are the views' images without their titles, each
    `width` wide (see dashboard.export.images.render_views)."""
    deck = Presentation()
    slide_width = round(SLIDE_HEIGHT * width / height)
    _resize(deck, slide_width, SLIDE_HEIGHT)
    layout = next(layout for layout in deck.slide_layouts if layout.name == "Title Only")
    ref_width = layout_size(width, height, 1.0)[0]
    emu_per_px = SLIDE_HEIGHT / REF_HEIGHT
    appendix_first = len(scenarios) + 1
    pages = _appendix_pages(scenarios, atlas, slide_width, emu_per_px)
    where = t(
        "appendix.where",
        scenarios[0].lang if scenarios else "en",
        first=appendix_first,
        last=appendix_first + len(pages) - 1,
    )
    for scenario, picture in zip(scenarios, pictures, strict=True):
        slide = deck.slides.add_slide(layout)
        lines = title_lines(scenario, ref_width)
        band = round((MARGIN_TOP + TITLE_LINE * len(lines)) * emu_per_px)
        _title(slide, "\v".join(lines), scenario.lang, slide_width, emu_per_px, band)
        image = slide.shapes.add_picture(io.BytesIO(picture), 0, Emu(band), width=Emu(slide_width))
        image.name = f"Map: {scenario.id or 'view'}"
        image._element.nvPicPr.cNvPr.set("descr", f"{scenario.title()}. {scenario.description()}")
        notes = slide.notes_slide.notes_text_frame
        notes.text = "\n".join(
            [*slide_notes(scenario, atlas), speaker_notes(scenario, atlas, where if pages else "")]
        )
        _style_runs(notes, scenario.lang, Pt(NOTES_PT))
    for number, page in enumerate(pages, start=1):
        _appendix_slide(deck, layout, page, number, len(pages), scenarios, slide_width, emu_per_px)
    _properties(deck, scenarios)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _resize(deck: Presentation, width: int, height: int) -> None:
    """The slide size, with the master's and layouts' placeholders stretched to it, and a notes
    page that shows the slide at its own aspect above the notes."""
    scale = width / deck.slide_width
    deck.slide_width, deck.slide_height = Emu(width), Emu(height)
    for shapes in (deck.slide_master.shapes, *(layout.shapes for layout in deck.slide_layouts)):
        for shape in shapes:
            if shape.left is not None:
                shape.left, shape.width = (
                    Emu(round(shape.left * scale)),
                    Emu(round(shape.width * scale)),
                )
    margin, image_width = 685_800, 5_486_400
    image_height = round(image_width * height / width)
    for shape in deck.notes_master.placeholders:
        if "Slide Image" in shape.name:
            shape.left, shape.top = Emu(margin), Emu(457_200)
            shape.width, shape.height = Emu(image_width), Emu(image_height)
        elif "Notes" in shape.name:
            shape.left, shape.top = Emu(margin), Emu(457_200 + image_height + 190_500)
            shape.width, shape.height = Emu(image_width), Emu(8_686_800 - image_height)


def _title(slide, text: str, lang: str, slide_width: int, emu_per_px: float, band: int) -> None:
    """The slide's title where the image would have drawn it: from MARGIN_TOP down to `band`,
    MARGIN_X from the sides, TITLE_PX high, bold, with the image's line breaks."""
    title = slide.shapes.title
    left = round(MARGIN_X * emu_per_px)
    top = round((MARGIN_TOP - TITLE_SLACK) * emu_per_px)
    title.left, title.top = Emu(left), Emu(top)
    title.width, title.height = Emu(slide_width - 2 * left), Emu(band - top)
    frame = title.text_frame
    frame.text = text
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = Emu(0)
    for paragraph in frame.paragraphs:
        paragraph.alignment = 1  # left
    _style_runs(frame, lang, Pt(TITLE_PX * emu_per_px / 12_700), bold=True)


def _style_runs(frame, lang: str, size: Pt, *, bold: bool = False) -> None:
    """Every run of a text frame in the export's fonts, its language tagged."""
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            font = run.font
            font.size, font.bold = size, bold
            font.color.rgb = RGBColor.from_string(INK.lstrip("#").upper())
            font.name = LATIN_FONT
            properties = font._rPr
            properties.set("lang", LANGUAGE_TAGS.get(lang, lang))
            for tag in ("ea", "cs"):
                for old in properties.findall(f"{{{_A}}}{tag}"):
                    properties.remove(old)
            east_asian = etree.SubElement(properties, f"{{{_A}}}ea")
            east_asian.set("typeface", PDF_JAPANESE_FONT)


def _appendix_pages(
    scenarios: Sequence[Scenario], atlas: Atlas, slide_width: int, emu_per_px: float
) -> list[list[str]]:
    """The appendix's paragraphs (every passage cited, then the footnotes' sources), split into
    pages that fit a slide at APPENDIX_PT (by the estimated widths of their lines)."""
    if not scenarios:
        return []
    lang = scenarios[0].lang
    cited = passages(scenarios, atlas)
    paragraphs = [passage.text(lang) for passage in cited]
    footnotes = sorted({n for passage in cited for n in passage.footnotes})
    if footnotes:
        paragraphs.append(t("appendix.footnotes", lang))
        paragraphs += [f"{n}. {atlas.article.footnotes.get(n, '')}" for n in footnotes]
    box_width_pt = (slide_width - 2 * MARGIN_X * emu_per_px) / 12_700
    box_height_pt = (SLIDE_HEIGHT - _body_top(emu_per_px) - 30 * emu_per_px) / 12_700
    lines_per_page = int(box_height_pt / (APPENDIX_PT * 1.25))
    pages: list[list[str]] = [[]]
    used = 0.0
    for paragraph in paragraphs:
        lines = math.ceil(line_width(paragraph, APPENDIX_PT) / box_width_pt) + PARAGRAPH_SPACE
        if used + lines > lines_per_page and pages[-1]:
            pages.append([])
            used = 0.0
        pages[-1].append(paragraph)
        used += lines
    return pages


def _body_top(emu_per_px: float) -> int:
    return round((MARGIN_TOP + TITLE_LINE + 16) * emu_per_px)


def _appendix_slide(
    deck: Presentation,
    layout,
    page: list[str],
    number: int,
    pages: int,
    scenarios: Sequence[Scenario],
    slide_width: int,
    emu_per_px: float,
) -> None:
    """One page of the appendix: its title and its paragraphs."""
    lang = scenarios[0].lang
    slide = deck.slides.add_slide(layout)
    band = round((MARGIN_TOP + TITLE_LINE) * emu_per_px)
    _title(
        slide,
        t("appendix.title", lang, page=number, pages=pages),
        lang,
        slide_width,
        emu_per_px,
        band,
    )
    left = round(MARGIN_X * emu_per_px)
    top = _body_top(emu_per_px)
    box = slide.shapes.add_textbox(
        Emu(left), Emu(top), Emu(slide_width - 2 * left), Emu(SLIDE_HEIGHT - top - left // 2)
    )
    box.name = "Passages cited"
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = page[0]
    for paragraph in page[1:]:
        frame.add_paragraph().text = paragraph
    for paragraph in frame.paragraphs:
        paragraph.space_after = Pt(APPENDIX_PT * 1.25 * PARAGRAPH_SPACE)
    _style_runs(frame, lang, Pt(APPENDIX_PT))


def _properties(deck: Presentation, scenarios: Sequence[Scenario]) -> None:
    """Title, subject, author, language, keywords and dates of the deck."""
    lang = scenarios[0].lang if scenarios else "en"
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    properties = deck.core_properties
    properties.title = (
        scenarios[0].title()
        if len(scenarios) == 1
        else f"{t('deck.title', lang)}: {ARTICLE_TITLE_EN}"
    )
    properties.subject = ARTICLE_TITLE_EN
    properties.author = properties.last_modified_by = AUTHOR
    properties.language = LANGUAGE_TAGS.get(lang, lang)
    properties.keywords = KEYWORDS
    properties.comments = source_line(lang)
    properties.category = ""
    properties.revision = 1
    properties.created = properties.modified = now

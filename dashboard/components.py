"""The HTML the callbacks put on the page, built from the view service's plain data: messages and
notices, the details panel, the table's rows, the comparison's tables and the reading panel.

    render(value)         any value of the service's outputs as what Dash sends (components)
    table_body(body)      the table's rows as the JSON text of their components (kept per table)
    article_body(view)    the reading panel's article as the JSON text of its components
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.details import COLUMNS, CitationRef, Role, keys_layers
from dashboard.i18n import t
from dashboard.reading import (
    ArticleView,
    Passage,
    SentenceDetails,
    SentenceRecord,
    SentenceText,
)
from dashboard.service.models import (
    Difference,
    Hint,
    ItemDetails,
    Message,
    Suggestions,
    TableBody,
)
from dashboard.service.panels import TABLES_KEPT
from geodata.certainty import CERTAINTY_STATES, EVERY_STATE, split_state_key
from geodata.scenario import key_layer

MARK_TITLES = 8  # a quote's pointer text names this many records, then counts the rest
QUOTED_ROLES = 5  # the details panel quotes this many roles in full (a click's answer: <= 5 KB)


def render(value: Any) -> Any:
    """A value of the service's outputs as Dash sends it: view models become components, all
    else (text, numbers, lists, dicts, None) stays as it is."""
    if isinstance(value, Message):
        return message(value)
    if isinstance(value, Hint):
        return html.P(value.text, className=value.css) if value.css else html.P(value.text)
    if isinstance(value, ItemDetails):
        return details(value)
    if isinstance(value, Difference):
        return difference(value)
    if isinstance(value, SentenceDetails):
        return sentence_details(value)
    if isinstance(value, Suggestions):
        return [html.Option(value=text) for text in value.values]
    return value


def message(value: Message) -> html.Div:
    """A notice or a status line: its title in bold, then its items as a list."""
    items = html.Ul([html.Li(item) for item in value.items]) if value.items else None
    return html.Div([html.Strong(value.title), items], className=f"message message-{value.tone}")


def details(value: ItemDetails) -> html.Div:
    """The details panel of an item: its name and id, its first roles with their citations in
    full, then one line for each other role (the answer to a click stays small)."""
    return html.Div(
        [
            html.H3([value.title, html.Span(f" ({value.item_id})", className="item-id")]),
            html.P(value.count_line, className="hint"),
            _zoom_button(value) if value.zoom else None,
            html.Ol(
                [_role(role, value.lang) for role in value.roles[:QUOTED_ROLES]], className="roles"
            ),
            _more_roles(value.roles[QUOTED_ROLES:], value.lang),
        ]
    )


def _more_roles(roles: tuple[Role, ...], lang: str) -> Any:
    """The roles after the first QUOTED_ROLES, one line each: what it is, its basis, and the
    sentences that cite it (each opens the reading panel there, where the click has already
    marked its quotes)."""
    if not roles:
        return None
    lines = [
        html.Li(
            [
                f"{role.label(lang)}: {role.title} ",
                _badge("basis", role.basis, lang),
                *_sentence_links(_cited_sentences(role), lang),
            ],
            className=f"role-line role-{role.kind}",
        )
        for role in roles
    ]
    heading = html.P(t("details.more_roles", lang, count=len(roles)), className="hint")
    return html.Div([heading, html.Ul(lines, className="role-lines")])


def _cited_sentences(role: Role) -> tuple[str, ...]:
    """The sentences of a role's citations, once each, in order."""
    return tuple(dict.fromkeys(sid for c in role.citations for sid in c.sentences))


def _zoom_button(value: ItemDetails) -> html.Button:
    """The button that focuses the map on the item (assets/atlas.js: `data-zoom`)."""
    return html.Button(
        t("details.zoom", value.lang),
        className="button small details-zoom",
        type="button",
        **{"data-zoom": value.item_id},
    )


def _badge(kind: str, value: str, lang: str) -> html.Span:
    return html.Span(t(f"{kind}.{value}", lang), className=f"badge {kind}-{value}")


def _role(role: Role, lang: str) -> html.Li:
    header = [
        html.Span(role.label(lang), className="role-kind"),
        html.Span(role.title, className="role-title"),
        _badge("basis", role.basis, lang),
    ]
    if role.modality != "asserted":
        header.append(_badge("modality", role.modality, lang))
    if role.status != "existing":
        header.append(_badge("status", role.status, lang))
    if role.layer:
        header.append(html.Span(t(f"layer.{role.layer}", lang), className="badge layer"))
    parts: list[Any] = [html.Div(header, className="role-head")]
    facts = [(label, value) for label, value in role.facts if value]
    if facts:
        parts.append(
            html.Dl(
                [
                    item
                    for label, value in facts
                    for item in (html.Dt(label or "·"), html.Dd(value))
                ],
                className="facts",
            )
        )
    if role.reason:  # the knowledge base writes its reasons in English: marked as such
        reason = html.Span(role.reason, lang="en")
        parts.append(
            html.P([html.Em(t("details.reason", lang) + ": "), reason], className="reason")
        )
    parts += [_citation(citation, lang) for citation in role.citations]
    return html.Li(parts, className=f"role role-{role.kind}")


def _citation(citation: CitationRef, lang: str) -> html.Blockquote:
    """A citation: the quote (its hedge words marked), the gloss, where it is, how strongly the
    article says it and, unless it asserts it, the hedge with its English meaning."""
    footnotes = [
        html.Li(
            [html.Span(f"[{f.number}] ", className="fn-number"), f.source], className="footnote"
        )
        for f in citation.footnotes
    ]
    before, hedge, after = citation.quote_parts()
    quote = [before, html.Mark(hedge, className="hedge"), after] if hedge else [before]
    place = [
        citation.place(lang),
        *_sentence_links(citation.sentences, lang),
        " ",
        _badge("modality", citation.modality, lang),
    ]
    hedge_line = None
    if citation.modality != "asserted" and citation.hedge_ja:
        meaning = citation.hedge_en()
        hedge_line = html.P(
            [
                html.Span(t("details.hedge", lang) + ": "),
                html.Mark(citation.hedge_ja, lang="ja", className="hedge"),
                html.Span(f" “{meaning}”", lang="en") if meaning else None,
                None if hedge else html.Span(" " + t("details.hedge_in_sentence", lang)),
            ],
            className="hedge-line",
        )
    return html.Blockquote(
        [
            html.P(quote, lang="ja", className="quote"),
            html.P(citation.gloss_en, lang="en", className="gloss"),
            hedge_line,
            html.P(place, className="cite-place"),
            html.Ul(footnotes, className="footnotes") if footnotes else None,
        ],
        className="citation",
    )


def _sentence_links(sentences: tuple[str, ...], lang: str) -> list[Any]:
    """Buttons that open the reading panel at each sentence (assets/atlas.js: `data-goto`)."""
    return [
        html.Button(
            sid,
            className="link-button goto-sentence",
            type="button",
            title=t("read.go", lang, id=sid),
            **{"data-goto": sid},
        )
        for sid in sentences
    ]


def sentence_details(value: SentenceDetails) -> html.Div:
    """The details panel of a picked sentence: its text, its gloss, and each quote with the
    article's certainty and the records it puts on the map, each a button showing its details
    (`data-item`, assets/atlas.js), dashed when this view does not draw it."""
    lang = value.lang
    quotes = []
    for quote in value.quotes:
        certainty = _badge("modality", quote.modality, lang)
        if quote.hedge_ja:
            certainty.children += f" 「{quote.hedge_ja}」"
        chips = [_chip(record, lang) for record in quote.records]
        quotes.append(
            html.Li(
                [
                    html.P(
                        [
                            quote.text,
                            certainty,
                        ],
                        lang="ja",
                        className="quote",
                    ),
                    html.Div(chips, className="chips"),
                ],
                className="sentence-quote",
            )
        )
    return html.Div(
        [
            html.H3(
                [
                    t("read.details_heading", lang, id=value.id),
                    *_sentence_links((value.id,), lang),
                ]
            ),
            html.Blockquote(
                [
                    html.P(value.text_ja, lang="ja", className="quote"),
                    html.P(value.gloss_en, lang="en", className="gloss") if lang == "en" else None,
                ],
                className="citation",
            ),
            html.P(value.count_line, className="hint"),
            html.P(value.empty_line, className="reason") if value.empty_line else None,
            html.Ol(quotes, className="sentence-quotes") if quotes else None,
        ],
        className="sentence-details",
        **{"data-sentence-details": value.id},
    )


def _chip(record: SentenceRecord, lang: str) -> html.Button:
    """A record of a picked sentence: its name, coloured by its layer, dashed when this view
    does not draw it; a click shows its details (`data-item`, assets/atlas.js)."""
    props: dict[str, Any] = {"className": f"chip layer-{record.layer}"}
    if not record.shown:
        props |= {
            "className": f"chip layer-{record.layer} not-shown",
            "title": t("read.not_shown", lang),
        }
    if record.target is None:
        props["disabled"] = True
    else:
        props["data-item"] = record.target
    return html.Button(record.name, type="button", **props)


# --- the reading panel ---------------------------------------------------------------------------


@lru_cache(maxsize=4)
def article_body(view: ArticleView) -> orjson.Fragment:
    """The article (the same ArticleView object for the same language: built once) as the JSON
    of its components: every paragraph (`article-P6`) and footnote (`article-fn9`), each
    sentence a button (`data-sentence`), each quote a `mark` with its record (`data-record`)."""
    lang = view.lang
    children: list[Any] = [html.P(view.title, className="article-title")]
    for passage in view.passages:
        children.append(_passage(passage, lang))
    children.append(html.H3(t("read.footnotes", lang), className="article-heading"))
    children.append(
        html.Ol(
            [
                html.Li(
                    [_piece(piece, lang) for piece in note.pieces],
                    id=f"article-{note.place}",
                    value=int(note.place.removeprefix("fn")),
                    className="footnote",
                    lang="ja" if any(isinstance(p, SentenceText) for p in note.pieces) else None,
                )
                for note in view.footnotes
            ],
            className="article-footnotes",
        )
    )
    return orjson.Fragment(orjson.dumps(children, default=_component_json))


def _translated(passage: Passage, lang: str) -> dict[str, Any]:
    """A line's text in the panel's language, with the Japanese a pointer away."""
    if lang == "en" and passage.gloss:
        return {"children": passage.gloss, "title": passage.text, "lang": "en"}
    return {"children": passage.text, "lang": "ja"}


def _passage(passage: Passage, lang: str) -> Any:
    if passage.kind == "paragraph":
        return html.P(
            [
                html.Span(passage.place, className="pnum"),
                *(_piece(piece, lang) for piece in passage.pieces),
            ],
            id=f"article-{passage.place}",
            className="paragraph",
            **{"data-paragraph": passage.place},
        )
    if passage.kind == "heading":
        return html.H3(className="article-heading", **_translated(passage, lang))
    if passage.kind == "caption":
        return html.Figure(
            [
                html.Div(
                    [
                        html.P(t("read.figure", lang)),
                        dcc.Link(
                            t("read.figure_open", lang),
                            href=f"?scenario=concept_diagram&lang={lang}&read=1",
                            className="figure-open",
                        ),
                    ],
                    className="figure-placeholder",
                ),
                html.Figcaption(**_translated(passage, lang)),
            ],
            className="article-figure",
        )
    return html.P(className=f"article-{passage.kind}", **_translated(passage, lang))


def _piece(piece: SentenceText | str, lang: str) -> Any:
    return _sentence(piece, lang) if isinstance(piece, SentenceText) else piece


def _sentence(sentence: SentenceText, lang: str) -> html.Span:
    """A sentence: its id, (in English) its gloss, and its Japanese with the quotes marked."""
    japanese = html.Span([_segment(seg) for seg in sentence.segments], className="ja", lang="ja")
    body: list[Any] = [html.Span(sentence.id, className="sid")]
    if lang == "en":
        body.append(html.Span(sentence.gloss_en, className="gloss", lang="en"))
    body.append(japanese)
    return html.Span(
        body,
        className=f"sentence {sentence.status}",
        title=sentence.title or None,
        role="button",
        tabIndex=0,
        **{"data-sentence": sentence.id, "aria-pressed": "false"},
    )


def _segment(segment: Any) -> Any:
    """A piece of a sentence inside what lies over it: its quotes' marks (the longest outside),
    then a hedge, then a footnote reference."""
    node: Any = segment.text
    if segment.footnote is not None:
        number, source = segment.footnote
        node = html.Sup(node, className="fnref", title=f"[{number}] {source}")
    if segment.hedge is not None:
        modality, title = segment.hedge
        node = html.Span(node, className=f"hedge hedge-{modality}", title=title)
    marks = segment.marks
    titles = [mark.title for mark in marks[:MARK_TITLES]]
    if len(marks) > MARK_TITLES:
        titles.append(f"+{len(marks) - MARK_TITLES}")
    for depth, mark in enumerate(reversed(marks)):  # the innermost names them all
        node = html.Mark(
            node,
            className=f"q layer-{mark.layer} modality-{mark.modality}",
            title="\n".join(titles) if depth == 0 else None,
            **{"data-record": mark.record},
        )
    return node


def difference(value: Difference) -> html.Div:
    """The comparison's difference: what only A shows and what only B shows, as two tables."""
    sides = (
        ("diff-a", value.heading_a, value.only_a, value.caption_a),
        ("diff-b", value.heading_b, value.only_b, value.caption_b),
    )
    return html.Div(
        [
            html.Div(
                [html.H3(heading), _table(rows, value.lang, caption, value.empty)],
                className=f"diff-side {css}",
            )
            for css, heading, rows, caption in sides
        ],
        className="diff",
    )


def _table(rows: Any, lang: str, caption: str, empty: str) -> Any:
    """A whole table of rows (the comparison's), or a hint when there are none."""
    if not rows:
        return html.P(empty, className="hint")
    head = html.Thead(
        html.Tr([html.Th(t(f"col.{c}", lang), scope="col", className=f"col-{c}") for c in COLUMNS])
    )
    body = html.Tbody(_rows(rows, lang, focusable=False))
    return html.Table([html.Caption(caption), head, body], className="data-table")


@lru_cache(maxsize=TABLES_KEPT)
def table_body(body: TableBody) -> orjson.Fragment:
    """The table's rows (hundreds of components) as the JSON of their components, serialised once
    per table (the service hands out the same TableBody for the same table)."""
    rows = _rows(body.rows, body.lang, focusable=True, layered=True)
    return orjson.Fragment(orjson.dumps(rows, default=_component_json))


def _rows(rows: Any, lang: str, *, focusable: bool = True, layered: bool = False) -> list[Any]:
    """One <tr> per row. `layered`: each names its layer keys in its class (`layered
    layer-<key>`, or `layer-<key>-<state>` for each certainty state a key limited to some shows
    in: the page hides it while none is shown, see shown_with_classes), and a cell of several
    layers lists them one by one (`layer-tag layer-<key>…`, hidden with their keys). Built as
    the JSON of their components
    (`element`): Dash's component classes took most of a table's time (10 ms for 100 rows)."""
    body = []
    for row in rows:
        cells = []
        layers = tuple(row.get("layers") or ()) if layered else ()
        named = keys_layers(layers)  # (each layer once: a row's keys may share one)
        for column in COLUMNS:
            value = row.get(column, "")
            if column == "name" and focusable:
                value = element(
                    "Button",
                    value,
                    id={"type": "row-focus", "key": row["key"]},
                    n_clicks=0,
                    className="link-button",
                    type="button",
                )
                cells.append(element("Th", value, scope="row", className="col-name"))
                continue
            if column == "layer" and len(named) > 1:
                value = element(
                    "Ul",
                    [
                        element(
                            "Li",
                            t(f"layer.{layer}", lang),
                            className=" ".join(
                                [
                                    "layer-tag",
                                    *(
                                        name
                                        for k in layers
                                        if key_layer(k) == layer
                                        for name in shown_with_classes(k)
                                    ),
                                ]
                            ),
                        )
                        for layer in named
                    ],
                    className="layer-tags",
                )
            cells.append(element("Td", value, className=f"col-{column}"))
        classes = [f"row-{row['key'].split(':')[0]}"]
        if layers:
            classes += ["layered", *(name for key in layers for name in shown_with_classes(key))]
        body.append(element("Tr", cells, className=" ".join(classes)))
    return body


def shown_with_classes(alternative: str) -> list[str]:
    """The classes of a table row that shows with a layer key limited to some certainty states
    (geodata.certainty.state_key): `layer-<key>` for one that shows in every state, else
    `layer-<key>-<state>` for each state it shows in. The page names the shown keys in the
    table's class as `show-<key>` and `show-<key>-<state>` (assets/atlas.js, tableRows), and a
    style rule shows each pair (assets/style.css)."""
    key, states = split_state_key(alternative)
    if states == EVERY_STATE:
        return [f"layer-{key}"]
    return [f"layer-{key}-{state}" for state in range(len(CERTAINTY_STATES)) if states >> state & 1]


def element(tag: str, children: Any, **props: Any) -> dict[str, Any]:
    """The JSON Dash sends for `dash.html.<tag>(children, **props)`, without building the
    component."""
    return {
        "props": {"children": children, **props},
        "type": tag,
        "namespace": "dash_html_components",
    }


def _component_json(component: Any) -> dict[str, Any]:
    """A Dash component as the JSON Dash sends for it (orjson's hook for types it lacks)."""
    if not isinstance(component, Component):
        raise TypeError(f"not JSON: {type(component).__name__}")
    return component.to_plotly_json()

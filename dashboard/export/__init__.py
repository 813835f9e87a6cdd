"""Briefing images and decks of a view, offline: the same figure as the dashboard with a caption
(title, description, legend, footer), rendered by kaleido's headless Chromium to PNG, SVG or PDF.

One module per job; callers import what they use from its module (importing this package loads
nothing, so a caller that needs a format name does not load the browser session):

    formats       what is written and how large (FORMATS, ASPECTS, sizes, the reference layout)
    environment   what this machine must have: topojson, Chromium, a Japanese font
    caption       the captioned figure of a view (title, legend, footer), cached as JSON
    citations     every citation of what a view draws; a slide's speaker notes
    sentence      a view of one sentence: its emphasis, subtitle, citation; decks by sentence
    session       the browser session (one Chromium for many images)
    images        render / render_views: the one code path of the command and the dashboard
    files         safe file writes (checked, temporary file and rename)
    deck          PowerPoint decks
    sheet         the contact sheet (index.html) of a batch export
    cli           `alliance-atlas export`: its arguments and exit statuses
    command       what the export command does with its parsed arguments
    errors        ExportError and InputError, one line meant for the user
"""

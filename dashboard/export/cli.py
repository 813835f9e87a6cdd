"""`alliance-atlas export`: captioned images of a view, of every preset, or a PowerPoint deck.

    alliance-atlas export (--scenario ID | --state "QUERY" | --file SCENARIO.yaml) --out FILE
        [--format png|svg|pdf] [--lang ja|en] [--size 1920x1080] [--scale 2] [--aspect 16:9|4:3|a4]
    alliance-atlas export --all --out DIR [--lang ja|en|both] [--format …] [--size …]
    alliance-atlas export --deck briefing.pptx [--scenario ID …] [--lang ja|en|both]
    alliance-atlas export … --sentence P6.2        (the view with a sentence's items emphasised)
    alliance-atlas export --deck P6.pptx --scenario ID --by-sentence P6  (a slide per sentence)

Every failure is one line on stderr and a non-zero exit (2: bad input, 1: could not export);
files are written through a temporary file in the target folder, so none is left half-written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from dashboard.export.errors import PROG, ExportError, InputError
from dashboard.export.formats import ASPECTS, FORMATS


def add_export_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `export` subcommand (its `run` returns the exit status)."""
    parser = subparsers.add_parser(
        "export",
        help="export a view as a captioned PNG/SVG/PDF, every preset, or a PowerPoint deck",
        description=(
            "Export the exact view the dashboard shows as a captioned image for a slide "
            "(offline: headless Chromium, bundled topojson). Exit status 2 for bad input, "
            "1 when the export fails."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--scenario",
        action="append",
        metavar="ID",
        help="a preset id (repeat with --deck for several slides)",
    )
    source.add_argument("--state", metavar="QUERY", help="the dashboard URL or its query string")
    source.add_argument("--file", metavar="SCENARIO.yaml", help="a scenario file")
    source.add_argument("--all", action="store_true", help="every preset (--out is a folder)")
    parser.add_argument("--out", metavar="PATH", help="output file (a folder with --all)")
    parser.add_argument(
        "--deck", metavar="FILE.pptx", help="write a PowerPoint deck (all presets by default)"
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="image format (default: from the file suffix, else png)"
    )
    parser.add_argument(
        "--lang",
        choices=("ja", "en", "both"),
        help="language (default: the view's; 'both' with --all or --deck)",
    )
    parser.add_argument(
        "--size", metavar="WxH", help="image size in px (default 1920x1080, or from --aspect)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="pixel density multiplier (default 1)"
    )
    parser.add_argument(
        "--aspect", choices=tuple(ASPECTS), help="aspect ratio: 16:9 (default), 4:3 or a4"
    )
    sentences = parser.add_mutually_exclusive_group()
    sentences.add_argument(
        "--sentence",
        metavar="ID",
        help="emphasise what a sentence of the article puts on the map (P6.2, fn15.1); the "
        "sentence is the image's subtitle and its citation goes in the footer",
    )
    sentences.add_argument(
        "--by-sentence",
        metavar="PARAGRAPH",
        help="with --deck: one slide per mapped sentence of a paragraph or footnote (P6, fn23)",
    )
    parser.set_defaults(run=run_parsed)
    parser.error = _one_line_error  # type: ignore[method-assign]


def _one_line_error(message: str) -> NoReturn:
    print(f"{PROG}: {message}", file=sys.stderr)
    raise SystemExit(2)


def run_export(argv: Sequence[str]) -> int:
    """Run `alliance-atlas export ARGV…` and return its exit status (for tests and scripts)."""
    parser = argparse.ArgumentParser(prog="alliance-atlas")
    add_export_parser(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(["export", *argv])
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    return args.run(args)


def run_parsed(args: argparse.Namespace) -> int:
    """The `run` of the parsed `export` subcommand."""
    # the command's work is imported here, not at the top: plotly's figures, kaleido and
    # python-pptx cost ~0.3 s of start-up (python -X importtime: dashboard.cli 0.75 s → 0.45 s),
    # which every other alliance-atlas command (validate, layers) would pay
    from dashboard.export.command import export

    try:
        for line in export(args):
            print(line)
    except InputError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    except ExportError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # anything the checks above did not foresee, still one line
        print(
            f"{PROG}: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing was written", file=sys.stderr)
        return 130
    return 0


# --- the command ------------------------------------------------------------------------------


if __name__ == "__main__":
    sys.exit(run_export(sys.argv[1:]))

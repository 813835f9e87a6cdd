"""The `alliance-atlas` command: layers, validate, coverage, serve, export."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard.export.cli import add_export_parser
from geodata.atlas import load_atlas
from geodata.coverage import coverage_json, coverage_text, sentence_coverage
from geodata.knowledge import KNOWLEDGE_DIR
from geodata.layers_io import write_layers
from geodata.sentences import bundled_sentences
from geodata.validate import read_knowledge, validate_paths


def _layers(args: argparse.Namespace) -> int:
    try:
        written = write_layers(load_atlas(), Path(args.out), args.format, args.lang)
    except OSError as error:
        print(
            f"alliance-atlas layers: cannot write to {args.out}: {error.strerror or error}",
            file=sys.stderr,
        )
        return 1
    except ValueError as error:  # data the chosen format cannot hold without loss
        print(f"alliance-atlas layers: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


def _validate(args: argparse.Namespace) -> int:
    problems = validate_paths([Path(p) for p in args.paths])
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("ok: knowledge base and scenarios are valid")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    knowledge, problems, _ = read_knowledge(
        Path(args.knowledge) if args.knowledge else KNOWLEDGE_DIR
    )
    if knowledge is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("alliance-atlas coverage: the knowledge base does not load", file=sys.stderr)
        return 1
    rows = sentence_coverage(knowledge, bundled_sentences())
    if args.format == "json":
        print(json.dumps(coverage_json(rows), ensure_ascii=False, indent=1))
    else:
        print(coverage_text(rows), end="")
    neither = sum(row.status == "neither" for row in rows)
    if neither:
        print(f"{neither} sentence(s) neither mapped nor explained", file=sys.stderr)
        return 1
    return 0


def _serve(args: argparse.Namespace) -> int:
    if args.workers < 1:
        print("alliance-atlas serve: --workers must be at least 1", file=sys.stderr)
        return 2
    # the server's modules are imported here, not at the top: Dash, Flask and gunicorn add ~0.3 s
    # of start-up (python -X importtime) that the other commands do not need
    if args.workers > 1:
        if args.debug:
            print(
                "alliance-atlas serve: --debug runs one process: use --workers 1", file=sys.stderr
            )
            return 2
        from dashboard import production

        return production.run_gunicorn(
            host=args.host, port=args.port, workers=args.workers, lang=args.lang
        )
    from dashboard.allocator import return_large_blocks_to_os
    from dashboard.app import create_app

    return_large_blocks_to_os()
    app = create_app(lang=args.lang)
    app.run(
        host=args.host,
        port=args.port,
        debug=args.debug,
        dev_tools_disable_version_check=True,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="alliance-atlas",
        description="Cited, filterable map of the 2024 NATO Washington summit analysis.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    layers = commands.add_parser("layers", help="write the map layers for GIS tools (EPSG:4326)")
    layers.add_argument("--out", required=True, help="output directory")
    layers.add_argument(
        "--format",
        choices=("geojson", "gpkg", "parquet", "fgb", "shp", "kml"),
        default="geojson",
        help="GeoJSON (RFC 7946) files, one GeoPackage, GeoParquet, FlatGeobuf, Shapefiles or "
        "KML (default: %(default)s)",
    )
    layers.add_argument(
        "--lang",
        choices=("ja", "en"),
        default="ja",
        help="language of the KML placemarks' names and descriptions (default: %(default)s)",
    )
    layers.set_defaults(run=_layers)

    validate = commands.add_parser(
        "validate", help="check the knowledge base and scenario files (the bundled ones by default)"
    )
    validate.add_argument(
        "paths", nargs="*", metavar="PATH", help="knowledge directory or scenario files"
    )
    validate.set_defaults(run=_validate)

    coverage = commands.add_parser(
        "coverage",
        help="each sentence of the article: its gloss and the records it supports, or its reason",
    )
    coverage.add_argument("--format", choices=("text", "json"), default="text")
    coverage.add_argument(
        "--knowledge", metavar="DIR", help="knowledge directory (default: the bundled one)"
    )
    coverage.set_defaults(run=_coverage)

    serve = commands.add_parser("serve", help="run the dashboard (offline: everything is local)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8050, help="port (default: %(default)s)")
    serve.add_argument(
        "--lang",
        choices=("ja", "en"),
        default="ja",
        help="default UI language (default: %(default)s)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes; more than 1 serves with gunicorn, the atlas loaded once before "
        "forking (default: %(default)s, the simple local server)",
    )
    serve.add_argument(
        "--debug", action="store_true", help="Dash debug mode (dev tools, reloader); off by default"
    )
    serve.set_defaults(run=_serve)

    add_export_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

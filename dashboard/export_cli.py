"""`alliance-atlas export`: captioned images of a view, of every preset, or a PowerPoint deck.

    alliance-atlas export (--scenario ID | --state "QUERY" | --file SCENARIO.yaml) --out FILE
        [--format png|svg|pdf] [--lang ja|en] [--size 1920x1080] [--scale 2] [--aspect 16:9|4:3|a4]
    alliance-atlas export --all --out DIR [--lang ja|en|both] [--format …] [--size …]
    alliance-atlas export --deck briefing.pptx [--scenario ID …] [--lang ja|en|both]

Every failure is one line on stderr and a non-zero exit (2: bad input, 1: could not export);
files are written through a temporary file in the target folder, so none is left half-written.
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl, urlsplit

from dashboard.export import (
    ASPECTS,
    FORMATS,
    ExportError,
    SheetEntry,
    batch_session,
    build_deck,
    check_environment,
    check_writable,
    contact_sheet,
    parse_size,
    write_atomic,
)

PROG = "alliance-atlas export"
THUMB_SIZE = (480, 270)


class InputError(ExportError):
    """Bad input from the user (exit status 2)."""


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
    try:
        for line in _export(args):
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


def _export(args: argparse.Namespace) -> list[str]:
    _check_combination(args)
    width, height = _size(args)
    scale = args.scale
    from dashboard.export import check_size

    try:
        check_size(width, height, scale)
    except ValueError as error:
        raise InputError(str(error)) from None

    if args.deck:
        deck = Path(args.deck)
        if deck.suffix.lower() != ".pptx":
            raise InputError(f"--deck needs a .pptx file name, not {deck.name!r}")
        check_writable(deck)
        views = _views(args)
        check_environment(s.lang for s in views)
        return _write_deck(deck, views, width, height, scale)

    out = Path(args.out)
    if args.all:
        fmt = args.format or "png"
        views = _views(args)
        check_environment(s.lang for s in views)
        return _write_all(out, views, fmt, width, height, scale)

    if out.is_dir():
        raise InputError(f"--out {out} is a directory: give a file name such as view.png")
    fmt = _format(out, args.format)
    views = _views(args)
    check_writable(out)
    check_environment(s.lang for s in views)
    from dashboard.export import render

    with batch_session() as session:
        data = render(views[0], fmt, width=width, height=height, scale=scale, session=session)
    write_atomic(out, data)
    return [str(out)]


def _check_combination(args: argparse.Namespace) -> None:
    has_source = bool(args.scenario or args.state or args.file or args.all)
    if args.deck and args.out:
        raise InputError("give --out (images) or --deck (a .pptx), not both")
    if not args.deck and not args.out:
        raise InputError("--out is required (or --deck FILE.pptx)")
    if not args.deck and not has_source:
        raise InputError("give one of --scenario ID, --state QUERY, --file SCENARIO.yaml or --all")
    if args.scenario and len(args.scenario) > 1 and not args.deck:
        raise InputError("several --scenario values need --deck (or use --all)")
    if args.lang == "both" and not (args.all or args.deck):
        raise InputError("--lang both needs --all or --deck")
    if args.deck and args.format not in (None, "png"):
        raise InputError("a deck embeds PNG images; --format does not apply to --deck")


def _size(args: argparse.Namespace) -> tuple[int, int]:
    if args.size:
        try:
            width, height = parse_size(args.size)
        except ValueError as error:
            raise InputError(str(error)) from None
        if args.aspect:
            ref_w, ref_h = ASPECTS[args.aspect]
            if abs(width / height - ref_w / ref_h) > 0.01:
                raise InputError(
                    f"--size {width}x{height} does not have the aspect {args.aspect}; "
                    "give one of them, or sizes that agree"
                )
        return width, height
    return ASPECTS[args.aspect or "16:9"]


def _format(out: Path, requested: str | None) -> str:
    suffix = out.suffix.lower().lstrip(".")
    if requested:
        if suffix and suffix != requested:
            raise InputError(f"--format {requested} does not match the file suffix .{suffix}")
        return requested
    if suffix not in FORMATS:
        shown = f".{suffix}" if suffix else "(none)"
        raise InputError(
            f"unknown image format {shown} for {out.name}: use a .png, .svg or .pdf file "
            "name or --format png|svg|pdf"
        )
    return suffix


def _views(args: argparse.Namespace) -> list:
    """The scenarios to export, in the requested language(s)."""
    from geodata.scenario import load_presets

    presets = load_presets()
    if args.state:
        base = [_from_state(args.state, presets)]
    elif args.file:
        base = [_from_file(Path(args.file))]
    elif args.scenario:
        base = [_preset(name, presets) for name in args.scenario]
    else:  # --all, or a deck of every preset
        base = list(presets.values())
    langs = {"both": ("ja", "en"), None: (None,)}.get(args.lang, (args.lang,))
    return [
        s if lang is None else s.model_copy(update={"lang": lang}) for s in base for lang in langs
    ]


def _preset(name: str, presets: dict) -> object:
    if name in presets:
        return presets[name]
    close = difflib.get_close_matches(name, list(presets), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; presets: {', '.join(presets)}"
    raise InputError(f"unknown scenario {name!r}{hint}")


def _from_state(state: str, presets: dict) -> object:
    from geodata.scenario import QUERY_KEYS, Scenario

    query = urlsplit(state).query if ("?" in state or "://" in state) else state
    keys = [key for key, _ in parse_qsl(query.lstrip("?"), keep_blank_values=True)]
    if not any(key in QUERY_KEYS for key in keys):
        raise InputError(
            f"malformed --state {_short(state)!r}: no view parameter in it "
            "(expected the dashboard URL or a query such as 'scenario=summit_outcomes&lang=en')"
        )
    scenario, notices = Scenario.from_query(state, presets)
    for notice in notices:
        if notice.startswith("ignored unknown scenario"):
            raise InputError(f"--state names an {notice.removeprefix('ignored ')}")
    for notice in notices:
        print(f"{PROG}: note: {notice}", file=sys.stderr)
    _check_ids(scenario, "--state")
    return scenario


def _from_file(path: Path) -> object:
    from geodata.scenario import Scenario, ScenarioError

    try:
        scenario = Scenario.from_file(path)
    except ScenarioError as error:
        line, message = error.problems[0]
        more = len(error.problems) - 1
        raise InputError(
            f"{path}:{line}: {message}" + (f" (and {more} more problem(s))" if more else "")
        ) from None
    _check_ids(scenario, str(path))
    return scenario


def _check_ids(scenario: object, where: str) -> None:
    from geodata.validate import check_scenario_ids, load_knowledge

    problems = check_scenario_ids(scenario, load_knowledge())
    if problems:
        more = len(problems) - 1
        raise InputError(
            f"{where}: {problems[0]}" + (f" (and {more} more problem(s))" if more else "")
        )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _name(scenario: object, fmt: str) -> str:
    return f"{scenario.id or 'view'}.{scenario.lang}.{fmt}"


def _write_all(
    out: Path, views: list, fmt: str, width: int, height: int, scale: float
) -> list[str]:
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} must be a folder with --all (it is a file)")
    if out.suffix.lower().lstrip(".") in FORMATS:
        raise InputError(f"--out {out} must be a folder with --all, not an image file name")
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"cannot create folder {out}: {error.strerror or error}") from None
    try:
        check_writable(out / "index.html")
        return _render_all(out, views, fmt, width, height, scale)
    except BaseException:
        if created:  # leave nothing behind: the folder this run made goes too
            shutil.rmtree(out, ignore_errors=True)
        raise


def _render_all(
    out: Path, views: list, fmt: str, width: int, height: int, scale: float
) -> list[str]:
    from dashboard.export import render_views
    from geodata.atlas import load_atlas

    thumb_w, thumb_h = THUMB_SIZE[0], THUMB_SIZE[0] * height // width
    with batch_session() as session:  # the browser starts while the atlas loads
        atlas = load_atlas()
        images = render_views(
            views, fmt, width=width, height=height, scale=scale, atlas=atlas, session=session
        )
        thumbnails = (  # browsers show no PDF in <img>: add PNG thumbnails
            render_views(
                views, "png", width=thumb_w, height=thumb_h, scale=1.0, atlas=atlas, session=session
            )
            if fmt == "pdf"
            else None
        )

    files: dict[Path, bytes] = {}
    entries = []
    for index, scenario in enumerate(views):
        name = _name(scenario, fmt)
        files[out / name] = images[index]
        thumbnail = name
        if thumbnails is not None:
            thumbnail = f"thumbnails/{_name(scenario, 'png')}"
            files[out / thumbnail] = thumbnails[index]
        entries.append(SheetEntry(scenario, name, thumbnail))
    files[out / "index.html"] = contact_sheet(entries, fmt=fmt, size=(width, height)).encode()
    return _write_files(files)


def _write_files(files: dict[Path, bytes]) -> list[str]:
    """Write every file or, when one fails, remove those this run wrote and fail."""
    written: list[Path] = []
    try:
        for path, data in files.items():
            if not path.parent.is_dir():
                try:
                    path.parent.mkdir(parents=True)
                except OSError as error:
                    raise ExportError(
                        f"cannot create folder {path.parent}: {error.strerror or error}"
                    ) from None
            write_atomic(path, data)
            written.append(path)
    except ExportError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return [str(p) for p in written]


def _write_deck(deck: Path, views: list, width: int, height: int, scale: float) -> list[str]:
    from dashboard.export import render_views
    from geodata.atlas import load_atlas

    with batch_session() as session:  # the browser starts while the atlas loads
        atlas = load_atlas()
        images = render_views(
            views, "png", width=width, height=height, scale=scale, atlas=atlas, session=session
        )
    write_atomic(deck, build_deck(views, images, atlas, width=width, height=height))
    return [str(deck)]


if __name__ == "__main__":
    sys.exit(run_export(sys.argv[1:]))

"""What `alliance-atlas export` does once its arguments are parsed: the views they name, checked,
rendered in one browser session and written safely (images, a folder of images with a contact
sheet, or a deck). Bad input raises InputError, a failed export ExportError (see cli.py)."""

from __future__ import annotations

import argparse
import difflib
import shutil
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError

from dashboard.export.deck import build_deck
from dashboard.export.environment import check_environment
from dashboard.export.errors import PROG, ExportError, InputError
from dashboard.export.files import check_writable, write_atomic, write_files
from dashboard.export.formats import ASPECTS, FORMATS, check_size, parse_size
from dashboard.export.images import render, render_views
from dashboard.export.sentence import sentence_views, text_lang
from dashboard.export.session import batch_session
from dashboard.export.sheet import SheetEntry, contact_sheet
from geodata.atlas import load_atlas
from geodata.scenario import QUERY_KEYS, Scenario, ScenarioError, explain_error, load_presets
from geodata.validate import check_scenario_ids, load_knowledge

THUMB_SIZE = (480, 270)


def export(args: argparse.Namespace) -> list[str]:
    """Do the export the parsed arguments ask for; the paths written."""
    _check_combination(args)
    width, height = _size(args)
    scale = args.scale
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
        check_environment(text_lang(s) for s in views)
        return _write_deck(deck, views, width, height, scale)

    out = Path(args.out)
    if args.all:
        fmt = args.format or "png"
        views = _views(args)
        check_environment({text_lang(s) for s in views}, [fmt])
        return _write_all(out, views, fmt, width, height, scale)

    if out.is_dir():
        raise InputError(f"--out {out} is a directory: give a file name such as view.png")
    fmt = _format(out, args.format)
    views = _views(args)
    check_writable(out)
    check_environment({text_lang(s) for s in views}, [fmt])
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
    if args.by_sentence and not args.deck:
        raise InputError("--by-sentence makes a deck: give --deck FILE.pptx")


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
    presets = load_presets()
    if args.state:
        base = [_from_state(args.state, presets)]
    elif args.file:
        base = [_from_file(Path(args.file))]
    elif args.scenario:
        base = [_preset(name, presets) for name in args.scenario]
    else:  # --all, or a deck of every preset
        base = list(presets.values())
    if args.sentence:
        base = [_with_sentence(s, args.sentence) for s in base]
    if args.by_sentence:
        atlas = load_atlas()
        try:
            base = [view for s in base for view in sentence_views(s, args.by_sentence, atlas)]
        except ValueError as error:
            raise InputError(str(error)) from None
    langs = {"both": ("ja", "en"), None: (None,)}.get(args.lang, (args.lang,))
    return [
        s if lang is None else s.model_copy(update={"lang": lang}) for s in base for lang in langs
    ]


def _with_sentence(scenario: Scenario, sentence_id: str) -> Scenario:
    """The view with `--sentence` selected (checked like the URL's `sentence`)."""
    try:
        selected = scenario.model_validate(
            scenario.model_dump(by_alias=True) | {"sentence": sentence_id}
        )
    except ValidationError as error:
        raise InputError(
            f"--sentence {sentence_id[:40]!r}: {explain_error(error.errors()[0])}"
        ) from None
    _check_ids(selected, "--sentence")
    return selected


def _preset(name: str, presets: dict) -> object:
    if name in presets:
        return presets[name]
    close = difflib.get_close_matches(name, list(presets), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; presets: {', '.join(presets)}"
    raise InputError(f"unknown scenario {name!r}{hint}")


def _from_state(state: str, presets: dict) -> object:
    try:
        query = urlsplit(state).query if ("?" in state or "://" in state) else state
    except ValueError:  # e.g. an unclosed [ of an IPv6 address
        raise InputError(
            f"malformed --state {_short(state)!r}: not a URL (give the dashboard URL or its "
            "query, e.g. 'scenario=summit_outcomes&lang=en')"
        ) from None
    keys = [key for key, _ in parse_qsl(query.lstrip("?"), keep_blank_values=True)]
    if not any(key in QUERY_KEYS for key in keys):
        raise InputError(
            f"malformed --state {_short(state)!r}: no view parameter in it "
            "(expected the dashboard URL or a query such as 'scenario=summit_outcomes&lang=en')"
        )
    scenario, notices = Scenario.from_query("?" + query.lstrip("?"), presets)
    for notice in notices:
        if notice.startswith("ignored unknown scenario"):
            raise InputError(f"--state names an {notice.removeprefix('ignored ')}")
    for notice in notices:
        print(f"{PROG}: note: {notice}", file=sys.stderr)
    _check_ids(scenario, "--state")
    return scenario


def _from_file(path: Path) -> object:
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
    problems = check_scenario_ids(scenario, load_knowledge())
    if problems:
        more = len(problems) - 1
        raise InputError(
            f"{where}: {problems[0]}" + (f" (and {more} more problem(s))" if more else "")
        )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _name(scenario: object, fmt: str) -> str:
    sentence = f".{scenario.sentence}" if scenario.sentence else ""
    return f"{scenario.id or 'view'}{sentence}.{scenario.lang}.{fmt}"


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
    return write_files(files)


def _write_deck(deck: Path, views: list, width: int, height: int, scale: float) -> list[str]:
    with batch_session() as session:  # the browser starts while the atlas loads
        atlas = load_atlas()
        pictures = render_views(
            views,
            "png",
            width=width,
            height=height,
            scale=scale,
            atlas=atlas,
            session=session,
            titled=False,  # the slide's own title takes the image's title band
        )
    write_atomic(deck, build_deck(views, pictures, atlas, width=width, height=height))
    return [str(deck)]

"""The `alliance-atlas` command: layers, validate, coverage, serve, export."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard.export.cli import add_export_parser
from geodata.atlas import load_atlas
from geodata.coverage import coverage_json, coverage_text, sentence_coverage
from geodata.knowledge import KNOWLEDGE_DIR
from geodata.layers_io import write_layers
from geodata.scenario import ScenarioError
from geodata.sentences import bundled_sentences
from geodata.validate import KnowledgeError, read_knowledge, validate_paths


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
    if args.workers < 1 or args.export_slots < 1:
        print(
            "alliance-atlas serve: --workers and --export-slots must be at least 1", file=sys.stderr
        )
        return 2
    loopback = is_loopback(args.host)
    if args.debug and (args.workers > 1 or not loopback):
        print(
            "alliance-atlas serve: --debug runs one process on this machine only: use it with "
            "--workers 1 and a loopback --host (127.0.0.1, ::1 or localhost)",
            file=sys.stderr,
        )
        return 2
    if not loopback:
        print(
            f"alliance-atlas serve: warning: listening on {args.host}: the dashboard has no "
            "authentication, so anyone who can reach this address can use it",
            file=sys.stderr,
        )
    # (the debug reloader's child runs this again on the port its parent already holds)
    problem = None if os.environ.get("WERKZEUG_RUN_MAIN") else port_problem(args.host, args.port)
    if problem:
        print(f"alliance-atlas serve: {problem}", file=sys.stderr)
        return 1
    # the server's modules are imported here, not at the top: Dash, Flask and gunicorn add ~0.3 s
    # of start-up (python -X importtime) that the other commands do not need
    try:
        jobs = _export_jobs(args.queue, args.export_slots)
        if args.workers > 1:
            from dashboard import production

            return production.run_gunicorn(
                host=args.host, port=args.port, workers=args.workers, lang=args.lang, jobs=jobs
            )
        from dashboard.allocator import return_large_blocks_to_os
        from dashboard.app import create_app

        return_large_blocks_to_os()
        app = create_app(lang=args.lang, jobs=jobs)
    except StartupError as error:
        print(f"alliance-atlas serve: {error}", file=sys.stderr)
        return 1
    except (KnowledgeError, ScenarioError, OSError) as error:
        print(f"alliance-atlas serve: cannot start: {startup_problem(error)}", file=sys.stderr)
        return 1
    app.run(
        host=args.host,
        port=args.port,
        debug=args.debug,
        # no traceback page for a bad request even in debug mode (the app answers it plainly)
        dev_tools_prune_errors=False,
        dev_tools_disable_version_check=True,
    )
    return 0


class StartupError(Exception):
    """Why the server cannot start, in one line for the user."""


def _export_jobs(queue: str | None, slots: int) -> object:
    """The background-job manager of the image export: on this machine, or through `queue`."""
    from dashboard.jobs import embedded_jobs, queued_jobs

    if not queue:
        return embedded_jobs(slots=slots)
    if not queue.startswith(("redis://", "rediss://", "unix://")):
        raise StartupError(
            f"--queue must be a Redis URL such as redis://HOST:6379/0, not {queue!r}"
        )
    jobs = queued_jobs(queue, slots)
    try:
        jobs.redis.ping()
    except Exception as error:  # redis-py's connection errors, whatever their class
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise StartupError(f"cannot reach the queue at {queue}: {reason}") from None
    return jobs


def _worker(args: argparse.Namespace) -> int:
    """A Celery worker rendering the exports of every `serve --queue` on the same Redis."""
    if args.concurrency < 1:
        print("alliance-atlas worker: --concurrency must be at least 1", file=sys.stderr)
        return 2
    from dashboard.app import create_app
    from dashboard.jobs import serve_queued_jobs

    try:
        jobs = _export_jobs(args.queue, args.concurrency)
        # the app registers the export's task, named after its code: run the same revision as
        # the dashboards, or this worker drops their tasks as unknown
        create_app(jobs=jobs)
    except StartupError as error:
        print(f"alliance-atlas worker: {error}", file=sys.stderr)
        return 1
    except (KnowledgeError, ScenarioError, OSError) as error:
        print(f"alliance-atlas worker: cannot start: {startup_problem(error)}", file=sys.stderr)
        return 1
    serve_queued_jobs(jobs, args.browser_idle)
    jobs.handle.worker_main(
        [
            "worker",
            f"--concurrency={args.concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=alliance-atlas-{os.getpid()}@%h",
        ]
    )
    return 0


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (checked by binding it once; the server
    binds it again a moment later), or None."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
            sock.bind(address)
    except OSError as error:
        reason = error.strerror or str(error)
        if error.errno == errno.EADDRINUSE:
            reason = "another program is using this port (choose another with --port)"
        return f"cannot listen on {host}:{port}: {reason}"
    return None


def startup_problem(error: Exception) -> str:
    """What stops the dashboard from starting (missing or broken seed files), in one line."""
    if isinstance(error, KnowledgeError):
        more = len(error.problems) - 1
        return str(error.problems[0]) + (
            f" (and {more} more: alliance-atlas validate)" if more else ""
        )
    if isinstance(error, ScenarioError):
        line, message = error.problems[0]
        return f"a scenario preset, line {line}: {message}"
    if isinstance(error, OSError) and error.filename:
        return f"{error.strerror or 'cannot read'}: {error.filename}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


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
        "--debug",
        action="store_true",
        help="Dash debug mode (dev tools, reloader): one process on a loopback host only",
    )
    serve.add_argument(
        "--queue",
        metavar="REDIS_URL",
        help="export through Celery workers on this Redis (alliance-atlas worker), for a team "
        "across machines (default: export jobs run on this machine)",
    )
    serve.add_argument(
        "--export-slots",
        type=int,
        default=2,
        help="exports at once; more are answered 'busy, try again' (default: %(default)s; "
        "with --queue: for the whole queue)",
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker", help="render the exports of `serve --queue` dashboards (a Celery worker)"
    )
    worker.add_argument("--queue", metavar="REDIS_URL", required=True, help="the Redis to serve")
    worker.add_argument(
        "--concurrency",
        type=int,
        default=2,
        help="exports this worker renders at once, one browser each (default: %(default)s)",
    )
    worker.add_argument(
        "--browser-idle",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="close a worker process's export browser after this long without an export "
        "(default: %(default)s)",
    )
    worker.set_defaults(run=_worker)

    add_export_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

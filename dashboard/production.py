"""Serving the dashboard with several processes: gunicorn, and the memory of its workers.

    alliance-atlas serve --workers 4          # calls run_gunicorn(...)
    python -m dashboard.production --workers 4 --port 8050
    gunicorn --preload -w 4 -b 127.0.0.1:8050 dashboard.app:server     # the same, by hand

`run_gunicorn` uses gunicorn's documented custom-application API (`gunicorn.app.base.
BaseApplication`) with `preload_app=True`: the atlas and the app are built once in the master
process, and the workers are forked from it, sharing those pages copy-on-write (`gc.freeze()`
keeps the garbage collector from writing to them). The app keeps no state between requests (the
view lives in the URL and the browser's stores; the server-side caches are pure memoisation), so
any worker, or any machine, answers any request the same way.

The workers are gevent workers: a connection that is slow to send its request (slowloris) or
idle costs a greenlet, not a worker or a thread, and is closed when its request line and headers
have not arrived within KEEPALIVE_S. No export renders in a worker (dashboard.jobs: a job
process or a Celery worker does), since a gevent worker runs one thing at a time.
gunicorn's own error answers (400, 414, 431: written before any app runs) get the app's
security headers through `install_error_writer`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import logging.handlers
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from dashboard.allocator import return_large_blocks_to_os
from dashboard.app import create_app
from dashboard.jobs import EXPORT_SLOTS, EmbeddedJobs, QueuedJobs, embedded_jobs, queued_jobs
from dashboard.security import (
    dash_app_of,
    install_request_guards,
    install_security_headers,
    plain_response_headers,
)

logger = logging.getLogger("gunicorn.error")  # gunicorn's error log (stderr by default)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
DEFAULT_TIMEOUT_S = 60
KEEPALIVE_S = (
    5  # an idle connection stays open this long; also the deadline for a request's headers
)
WORKER_CONNECTIONS = 1000  # open connections per worker (each a greenlet)


def gunicorn_options(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = 4,
    timeout: int = DEFAULT_TIMEOUT_S,
    access_log: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """gunicorn settings for the dashboard (names as in gunicorn's settings documentation)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        # gevent: slow and idle connections cost a greenlet each, and gunicorn's gevent worker
        # reads each request's line and headers under a `keepalive` deadline (slowloris)
        "worker_class": "gevent",
        "worker_connections": WORKER_CONNECTIONS,
        "preload_app": True,  # load the atlas once, before forking
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": KEEPALIVE_S,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "alliance-atlas",
        # no control socket: gunicorn >= 25.1 would create $HOME/.gunicorn/gunicorn.ctl,
        # one fixed path that a second server on the machine would fight over
        "control_socket_disable": True,
        "post_fork": stop_signals_as_default,
        "worker_exit": _quiet_exit,
    }
    if Path("/dev/shm").is_dir():
        options["worker_tmp_dir"] = "/dev/shm"  # heartbeat files off the disk (gunicorn docs)
    options.update(extra)
    return options


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


def stop_signals_as_default(arbiter: Any, _worker: Any) -> None:
    """A new worker's first act: SIGTERM, SIGINT and SIGQUIT stop it outright until gunicorn's
    worker sets its own handlers (after loading gevent). Until then it has the master's, which
    only note a signal for the master's loop: a worker stopped in its first moments ignored
    the stop, the master waited its 30 s graceful timeout, and a supervisor that gave up first
    killed the master before it removed its temporary directories. A stop that came between the
    fork and this act went to the master's handler, which put it in the worker's copy of the
    master's queue (`SIG_QUEUE`, a queue.SimpleQueue): the worker obeys it now."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_DFL)
    queued = getattr(arbiter, "SIG_QUEUE", None)
    while queued is not None and not queued.empty():
        noted = queued.get_nowait()
        if noted in STOP_SIGNALS:
            os.kill(os.getpid(), noted)


def _quiet_exit(_arbiter: Any, _worker: Any) -> None:
    """A gevent worker's last act: flush and forget the log handlers. Otherwise, as the
    interpreter shuts down, each handler's clean-up takes the logging lock through gevent's
    already torn-down thread module and prints a traceback ("Exception ignored in
    _removeHandlerRef … get_ident"), 4 per worker: noise in the log that looks like a fault."""
    logging.shutdown()
    logging._handlerList.clear()  # type: ignore[attr-defined]  # (test_private_apis.py)


def build_wsgi_app(
    lang: str = "ja", *, warm: bool = True, jobs: EmbeddedJobs | QueuedJobs | None = None
) -> Any:
    """The Flask server of a new dashboard app, with the security headers and request guards;
    with `warm`, the presets' maps and tables already computed (see warm_caches); its exports
    run as `jobs`' background jobs (default: job processes on this machine)."""
    started = time.perf_counter()
    return_large_blocks_to_os()  # before the workers fork: they inherit it
    app = create_app(lang=lang, jobs=jobs)
    # no-ops when create_app already installed them
    install_security_headers(app.server, app)
    install_request_guards(app.server)
    warmed = warm_caches(app) if warm else 0
    logger.info(
        "alliance-atlas: app built in process %d in %.1f s (%d preset views precomputed)",
        os.getpid(),
        time.perf_counter() - started,
        warmed,
    )
    return app.server


def warm_caches(app: Any) -> int:
    """Compute the map of the default view and of every preset, in both languages, and the
    compressed bodies of the large static files, before the workers fork.

    The view service keeps them (as JSON text: touching them does not copy pages into a worker),
    so with preload_app every worker starts with them in shared memory instead of computing each
    one itself. Returns the number of views computed; a failure only ends the warm-up (the app
    computes on demand as usual).
    """
    service = getattr(app, "view_service", None)
    if service is None:
        return 0
    try:
        # the compressed plotly.js and base maps too (~0.2 s), instead of once in every worker
        app.delivery.warm()
        return service.maps.precompute_presets()
    except Exception:  # the warm-up is an optimisation, never a reason not to serve
        logger.warning("alliance-atlas: cache warm-up stopped", exc_info=True)
        return 0


def make_gunicorn_application(factory: Callable[[], Any], options: dict[str, Any]) -> Any:
    """A gunicorn application serving what `factory()` returns (a WSGI callable)."""

    class AtlasApplication(BaseApplication):  # type: ignore[misc]
        """gunicorn's documented custom application: settings from a dict, app from a factory."""

        def __init__(self) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                if key in self.cfg.settings and value is not None:
                    self.cfg.set(key.lower(), value)

        def load(self) -> Any:
            wsgi = factory()
            install_error_writer()
            # with preload_app this runs once, in the master: keep the atlas's objects out of
            # the collector's reach so that the forked workers share their pages
            gc.collect()
            gc.freeze()
            return wsgi

    return AtlasApplication()


def run_gunicorn(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = 4,
    lang: str = "ja",
    timeout: int = DEFAULT_TIMEOUT_S,
    access_log: bool = False,
    warm: bool = True,
    jobs: EmbeddedJobs | QueuedJobs | None = None,
) -> int:
    """Serve the dashboard under gunicorn until stopped (SIGINT/SIGTERM); return the exit status.
    The app is built first, here (a problem with the seeds stops it before any worker starts)."""
    options = gunicorn_options(
        host=host, port=port, workers=workers, timeout=timeout, access_log=access_log
    )
    with _held_log() as replay:  # gunicorn sets its log up later: the lines wait for it
        wsgi = build_wsgi_app(lang, warm=warm, jobs=jobs)
    manager = getattr(dash_app_of(wsgi), "export_jobs", None)
    if isinstance(manager, EmbeddedJobs):
        manager.before_fork()

    def loaded() -> Any:
        replay()
        return wsgi

    application = make_gunicorn_application(loaded, options)
    try:
        application.run()
    except SystemExit as stop:  # the arbiter leaves through sys.exit
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0


@contextlib.contextmanager
def _held_log() -> Iterator[Callable[[], None]]:
    """Keep what is logged to gunicorn's error log meanwhile; the function it gives logs it
    again (once gunicorn has set its log up)."""
    held = logging.handlers.MemoryHandler(capacity=10_000, flushLevel=logging.CRITICAL + 1)
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(held)

    def replay() -> None:
        for record in held.buffer:
            logger.handle(record)

    try:
        yield replay
    finally:
        logger.removeHandler(held)
        logger.setLevel(level)


def install_error_writer() -> None:
    """gunicorn's own error answers (a malformed request line, a URI over 4 KB, too many or too
    large header fields: written by the worker before any app runs) as plain text with the app's
    security headers. Replaces `gunicorn.util.write_error`, which the workers call at the time of
    the error (gunicorn is pinned below its next minor version for this;
    tests/dashboard/test_production.py checks each answer on a real server)."""
    import gunicorn.util

    def write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
        body = f"{status_int} {reason}\n".encode()  # the detail (the offending bytes) is logged
        headers = {
            "Connection": "close",
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Length": str(len(body)),
            **plain_response_headers(),
        }
        head = f"HTTP/1.1 {status_int} {reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        )
        gunicorn.util.write_nonblock(sock, head.encode("latin-1") + b"\r\n" + body)
        _drain(sock)

    gunicorn.util.write_error = write_error


def _drain(sock: Any, limit: int = 64 * 1024, seconds: float = 1.0) -> None:
    """Read what the client still sends (the rest of a 10 KB URI) before gunicorn closes the
    connection: closing with unread data resets it, and the client never sees the answer."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(seconds)
        received = 0
        deadline = time.monotonic() + seconds
        while received < limit and time.monotonic() < deadline:
            chunk = sock.recv(16 * 1024)
            if not chunk:
                break
            received += len(chunk)


# --- command line (python -m dashboard.production) --------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.production",
        description="Serve the dashboard under gunicorn (the atlas is loaded once, then forked).",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="default: %(default)s")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default: %(default)s")
    parser.add_argument("--workers", type=int, default=4, help="default: %(default)s")
    parser.add_argument("--lang", choices=("ja", "en"), default="ja")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_S)
    parser.add_argument("--access-log", action="store_true", help="log every request to stderr")
    parser.add_argument(
        "--no-warm", dest="warm", action="store_false", help="do not precompute the presets"
    )
    parser.add_argument("--queue", metavar="REDIS_URL", help="export through Celery workers")
    parser.add_argument("--export-slots", type=int, default=EXPORT_SLOTS)
    args = parser.parse_args(argv)
    jobs = (
        queued_jobs(args.queue, args.export_slots)
        if args.queue
        else embedded_jobs(slots=args.export_slots)
    )
    return run_gunicorn(
        host=args.host,
        port=args.port,
        workers=args.workers,
        lang=args.lang,
        timeout=args.timeout,
        access_log=args.access_log,
        warm=args.warm,
        jobs=jobs,
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

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
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from dashboard.allocator import return_large_blocks_to_os
from dashboard.app import create_app
from dashboard.security import install_request_guards, install_security_headers

logger = logging.getLogger("gunicorn.error")  # gunicorn's error log (stderr by default)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
DEFAULT_TIMEOUT_S = 60
THREADS_PER_WORKER = 4
KEEPALIVE_S = 5  # seconds an idle client connection stays open (gthread workers keep them)


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
        # a few threads per worker: while one waits for the export browser (seconds, without the
        # GIL), the others answer the interactive callbacks; put nginx in front for slow clients
        "worker_class": "gthread",
        "threads": THREADS_PER_WORKER,
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
    }
    if Path("/dev/shm").is_dir():
        options["worker_tmp_dir"] = "/dev/shm"  # heartbeat files off the disk (gunicorn docs)
    options.update(extra)
    return options


def build_wsgi_app(lang: str = "ja", *, warm: bool = True) -> Any:
    """The Flask server of a new dashboard app, with the security headers and request guards;
    with `warm`, the presets' maps and tables already computed (see warm_caches)."""
    started = time.perf_counter()
    return_large_blocks_to_os()  # before the workers fork: they inherit it
    app = create_app(lang=lang)
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
) -> int:
    """Serve the dashboard under gunicorn until stopped (SIGINT/SIGTERM); return the exit status."""
    options = gunicorn_options(
        host=host, port=port, workers=workers, timeout=timeout, access_log=access_log
    )
    application = make_gunicorn_application(lambda: build_wsgi_app(lang, warm=warm), options)
    try:
        application.run()
    except SystemExit as stop:  # the arbiter leaves through sys.exit
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0


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
    args = parser.parse_args(argv)
    return run_gunicorn(
        host=args.host,
        port=args.port,
        workers=args.workers,
        lang=args.lang,
        timeout=args.timeout,
        access_log=args.access_log,
        warm=args.warm,
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

"""Shared by the serving tests: the load-test script as a module, and one real gunicorn."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from locations import REPO

from dashboard.local_server import free_port, gunicorn_command, local_server
from dashboard.processes import wait_for_children


def load_loadtest() -> ModuleType:
    """scripts/loadtest.py, imported once."""
    if "atlas_loadtest" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "atlas_loadtest", REPO / "scripts" / "loadtest.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["atlas_loadtest"] = module
        spec.loader.exec_module(module)
    return sys.modules["atlas_loadtest"]


def page_model(get_json: Callable[[str], Any]) -> tuple[ModuleType, Any]:
    """(scripts/loadtest.py, its model of the page) from a server's callback map and layout;
    `get_json(path)` is a GET of that path's JSON (a test client's, or httpx's)."""
    loadtest = load_loadtest()
    model = loadtest.AppModel.from_json(get_json("/_dash-dependencies"), get_json("/_dash-layout"))
    return loadtest, model


@contextmanager
def running_gunicorn(
    log: Path, workers: int, *, warm: bool = False
) -> Iterator[tuple[str, subprocess.Popen[bytes], list[int]]]:
    """`python -m dashboard.production` on a free port: (base url, master, worker pids); with
    `warm`, as production starts it (the presets' maps built before the workers fork)."""
    port = free_port()
    with local_server(gunicorn_command(port, workers, warm=warm), port=port, log=log) as server:
        yield server.url.rstrip("/"), server.process, wait_for_children(server.process.pid, workers)

"""The `alliance-atlas` command for the tests: in this process (`run_in_process`, what most tests
use: no interpreter, geopandas or knowledge base to start again), or as the installed console
script (`run_installed`, one test per command, proving the entry point itself works).

Both return a CompletedProcess, so a test reads the exit status, stdout and stderr the same way.
In process, stdout and stderr are captured both as Python objects and as file descriptors (what
GDAL or another C library prints), warnings are printed to stderr as the interpreter would print
them, and an uncaught exception becomes exit status 1 with its traceback on stderr."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

from dashboard.cli import main

ENTRY_POINT = Path(sys.executable).parent / "alliance-atlas"
# what `python` does not show by default (its default warning filters), the rest is printed
HIDDEN_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def run_installed(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console script pip installed for `alliance-atlas`, in a process of its own."""
    return subprocess.run(
        [str(ENTRY_POINT), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def _descriptor_captured(fd: int) -> Iterator[io.BytesIO]:
    """What is written to file descriptor `fd` meanwhile (C code writes there, not to sys.*)."""
    saved = os.dup(fd)
    captured = io.BytesIO()
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        try:
            yield captured
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            sink.seek(0)
            captured.write(sink.read())


def run_in_process(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`alliance-atlas ARGS` through dashboard.cli.main, as the console script calls it."""
    argv = [str(a) for a in args]
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(cwd or Path.cwd()),
        _descriptor_captured(1) as fd_out,
        _descriptor_captured(2) as fd_err,
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("default")
        for category in HIDDEN_WARNINGS:
            warnings.simplefilter("ignore", category)
        try:
            status = main(argv)
        except SystemExit as stop:  # argparse's errors and --help
            status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if not isinstance(stop.code, int | None):
                print(stop.code, file=sys.stderr)
        except Exception:
            traceback.print_exc()
            status = 1
        for warning in caught:
            stderr.write(
                warnings.formatwarning(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
            )
        sys.stdout.flush()
        sys.stderr.flush()
    return subprocess.CompletedProcess(
        ["alliance-atlas", *argv],
        status,
        stdout.getvalue() + fd_out.getvalue().decode(errors="replace"),
        stderr.getvalue() + fd_err.getvalue().decode(errors="replace"),
    )

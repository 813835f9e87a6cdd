"""Run a command in a child process under a memory ceiling; report its time and peak memory.

Hostile input runs only this way: should a guard be missing, the child stops at the ceiling
(MemoryError, or killed at the timeout) instead of taking the shared machine down.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MEMORY_CEILING_MB = 3072  # address space, not RSS: a Python with geopandas loaded maps ~1.5 GB
TIMEOUT_SECONDS = 120.0  # generous: a guarded case answers in well under a second


@dataclass(frozen=True)
class Run:
    """What a limited child did: exit status (None when killed at the timeout), output, cost."""

    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    def describe(self) -> str:
        status = "killed at the timeout" if self.timed_out else f"exit {self.returncode}"
        return (
            f"{status} after {self.seconds:.1f} s, peak RSS {self.peak_rss_mb:.0f} MB\n"
            f"stdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}"
        )


def run_limited(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    timeout: float = TIMEOUT_SECONDS,
    memory_mb: int = MEMORY_CEILING_MB,
) -> Run:
    """Run `args` with RLIMIT_AS = `memory_mb` and a CPU limit; kill it after `timeout` seconds."""

    def set_limits() -> None:
        ceiling = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        cpu = int(timeout) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        process = subprocess.Popen(
            list(args),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=set_limits,
        )
        status, usage = _wait(process.pid, start + timeout)
        seconds = time.monotonic() - start
        process.returncode = -signal.SIGKILL if status is None else status  # reaped by _wait
        out.seek(0)
        err.seek(0)
        return Run(
            returncode=status,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        )


def _wait(pid: int, deadline: float) -> tuple[int | None, resource.struct_rusage]:
    """The child's exit code and its own resource usage (wait4), or None once it was killed."""
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, _, usage = os.wait4(pid, 0)
            return None, usage
        time.sleep(0.01)

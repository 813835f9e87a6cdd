"""Process trees, their memory and priority (psutil): the serving side reports its workers'
memory, the export runs its jobs and browser at background priority. Neither imports the other
for it.

    children(master)                  # gunicorn's workers
    tree_memory(master)               # the master, each worker and what the workers started
    run_in_background()               # this thread, and what it starts, at background priority
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict, dataclass
from typing import Any

import psutil


@dataclass(frozen=True)
class ProcessMemory:
    """One process's memory in bytes. PSS, USS and shared are None where the system does not
    tell them (Linux gives them from /proc/PID/smaps_rollup). PSS charges each shared page to its
    sharers in equal parts; USS is what only this process holds (what it would give back on
    exit); shared is the rest of its RSS."""

    pid: int
    rss: int
    pss: int | None
    uss: int | None
    shared: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def process_memory(pid: int) -> ProcessMemory:
    """RSS, and PSS/USS where the system gives them."""
    process = psutil.Process(pid)
    try:
        full = process.memory_full_info()
    except (psutil.AccessDenied, NotImplementedError):
        return ProcessMemory(pid, process.memory_info().rss, None, None, None)
    pss = getattr(full, "pss", None)
    uss = getattr(full, "uss", None)
    return ProcessMemory(pid, full.rss, pss, uss, None if uss is None else full.rss - uss)


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers, for its master)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        return sorted(child.pid for child in psutil.Process(pid).children())
    return []


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children, ...)."""
    with contextlib.suppress(psutil.NoSuchProcess):
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    return []


def workers_cpu_seconds(master_pid: int) -> dict[int, float]:
    """The CPU time (user + system, s) each direct child of a server's master (each worker)
    has used itself: what serving costs, without the processes they started (export jobs)."""
    seconds = {}
    for pid in children(master_pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = psutil.Process(pid).cpu_times()
            seconds[pid] = times.user + times.system
    return seconds


def tree_memory(master_pid: int) -> dict[str, Any]:
    """The memory of a server's master and each of its workers, the workers' totals, and the
    processes the workers started (kaleido's headless Chromium, for the image export)."""
    workers = [process_memory(pid) for pid in children(master_pid)]

    def total(name: str) -> int | None:
        values = [getattr(w, name) for w in workers]
        return None if any(v is None for v in values) else sum(values)

    helpers = [process_memory(pid) for w in workers for pid in descendants(w.pid)]
    return {
        "master": process_memory(master_pid).as_dict(),
        "workers": [w.as_dict() for w in workers],
        "total": {name: total(name) for name in ("rss", "pss", "uss")},
        "helpers": {
            "count": len(helpers),
            "rss": sum(h.rss for h in helpers),
            "pss": None
            if any(h.pss is None for h in helpers)
            else sum(h.pss or 0 for h in helpers),
        },
    }


def wait_for_children(pid: int, count: int, timeout: float = 60.0) -> list[int]:
    """Until the process has `count` children (gunicorn's workers); their pids."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = children(pid)
        if len(pids) >= count:
            return pids
        time.sleep(0.1)
    raise TimeoutError(f"process {pid} did not start {count} children in {timeout:.0f} s")


# where Linux's SCHED_IDLE policy is missing (or refused): the lowest niceness
BACKGROUND_NICENESS = 19


def run_in_background() -> None:
    """The calling thread, and the threads and processes it starts from now on, at background
    priority: Linux's SCHED_IDLE policy, a CPU share of 3 against a normal thread's 1024 (a
    niceness of 19 still has 15). A niceness would not hold: Chromium raises its own threads'
    priority where it may (to niceness -8 for its display threads when running as root), which
    does not lift a SCHED_IDLE thread."""
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, 0, BACKGROUND_NICENESS)


def megabytes(value: int | None) -> str:
    """Bytes as MB with one decimal, 'n/a' for None."""
    return "n/a" if value is None else f"{value / 2**20:.1f}"

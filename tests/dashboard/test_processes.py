"""Process trees and their memory (dashboard.processes), on real processes of this machine."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from dashboard import processes

# a child that starts a grandchild and waits for it
TREE = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); time.sleep(30)"
)


@pytest.fixture
def tree():
    """A child process with a grandchild, killed at the end (both)."""
    child = subprocess.Popen([sys.executable, "-c", TREE], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while len(processes.descendants(child.pid)) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        yield child
    finally:
        for pid in processes.descendants(child.pid):
            os.kill(pid, 9)
        child.kill()
        child.wait()


def test_memory_of_this_process():
    mine = processes.process_memory(os.getpid())
    assert mine.rss > 0
    if mine.pss is not None:
        assert 0 < mine.pss <= mine.rss and 0 < mine.uss <= mine.rss
        assert mine.shared == mine.rss - mine.uss
    assert processes.megabytes(3 * 2**20) == "3.0" and processes.megabytes(None) == "n/a"


def test_children_and_descendants(tree):
    assert tree.pid in processes.children(os.getpid())
    below = processes.descendants(tree.pid)
    assert len(below) == 1 and below[0] not in processes.children(os.getpid())
    assert set(processes.descendants(os.getpid())) >= {tree.pid, *below}
    assert processes.wait_for_children(tree.pid, 1, timeout=5) == below
    assert processes.children(2**22 + 12345) == []  # no such process: nothing, no error


def test_tree_memory_counts_each_child_and_what_it_started(tree):
    memory = processes.tree_memory(os.getpid())
    assert memory["master"]["pid"] == os.getpid()
    assert tree.pid in [w["pid"] for w in memory["workers"]]
    assert memory["total"]["rss"] == sum(w["rss"] for w in memory["workers"])
    assert memory["helpers"]["count"] >= 1  # the grandchild


# a process at background priority that starts a child; the child raises its own priority as
# far as it may (as Chromium does: niceness -8 as root) and prints its scheduling policy
RAISED_CHILD = (
    "import os, subprocess, sys; from dashboard.processes import run_in_background; "
    "run_in_background(); "
    "child = 'import contextlib, os\\n"
    "with contextlib.suppress(OSError): os.setpriority(os.PRIO_PROCESS, 0, -8)\\n"
    "print(os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0))'; "
    "print(os.sched_getscheduler(0)); "
    "subprocess.run([sys.executable, '-c', child], check=True)"
)


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux's SCHED_IDLE")
def test_background_priority_holds_for_children_that_raise_their_own():
    out = subprocess.run(
        [sys.executable, "-c", RAISED_CHILD], capture_output=True, text=True, check=True
    ).stdout.split()
    parent, child, child_niceness = (int(x) for x in out)
    assert parent == child == os.SCHED_IDLE
    assert child_niceness <= 0 or os.geteuid() != 0  # as root it did raise its niceness
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # this process is not lowered

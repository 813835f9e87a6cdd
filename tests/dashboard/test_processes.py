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


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="needs setpriority")
def test_lower_priority_reaches_every_thread_below(tree):
    processes.lower_priority(tree.pid, 10)
    (grandchild,) = processes.descendants(tree.pid)
    assert os.getpriority(os.PRIO_PROCESS, grandchild) == 10
    assert os.getpriority(os.PRIO_PROCESS, tree.pid) == 0  # below the root only

"""The adversarial corpus (corpus.py) through every entry point that reads user input: a scenario
file as text, as an upload to the dashboard, as a file (`validate`), a knowledge directory, a
URL query; and `alliance-atlas validate` / `export --file` as real commands.

Each input must get a clear message (plain words, one line each, no internals), leave the state
as it was, and raise the child's peak memory by at most 50 MB. Everything hostile runs in a
child process under a memory ceiling (limited.py), so that a missing guard fails its cases
(MemoryError, or killed at a generous timeout) instead of exhausting the shared machine. Time
is bounded by those timeouts, never asserted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus import CLI_RUNS, ENTRIES, REPO, VALID_SCENARIO, Case, cli_args
from limited import Run, run_limited

from geodata.scenario import MAX_NOTICES

CHILD = Path(__file__).resolve().parent / "corpus.py"
GROWTH_MB = 50
LONGEST_MESSAGE = 300
# what a message must not show: exception names, tracebacks, pydantic's words and links,
# PyYAML's stream names, Python's advice to its programmers
INTERNALS = (
    "Traceback",
    "Error:",
    "Error(",
    "pydantic",
    "http",
    "Input should",
    "should have",
    "Value error",
    "<unicode string>",
    "codec",
    "sys.",
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("adversarial")


@pytest.fixture(scope="module")
def batch(workdir) -> Callable[[str], tuple[Run, dict[str, dict]]]:
    """Each entry's cases run once, in one limited child: (the run, each case's report)."""
    done: dict[str, tuple[Run, dict[str, dict]]] = {}

    def run(entry: str) -> tuple[Run, dict[str, dict]]:
        if entry not in done:
            child = run_limited(
                [sys.executable, str(CHILD), entry, str(workdir)], cwd=REPO, timeout=300
            )
            reports = [json.loads(line) for line in child.stdout.splitlines() if line[:1] == "{"]
            done[entry] = child, {report["case"]: report for report in reports}
        return done[entry]

    return run


def assert_plain(messages: list[str]) -> None:
    for message in messages:
        assert message and "\n" not in message, message
        assert len(message) <= LONGEST_MESSAGE, message[:LONGEST_MESSAGE]
        assert not any(internal in message for internal in INTERNALS), message


CASES = [(entry, case) for entry, cases in ENTRIES.items() for case in cases]


@pytest.mark.parametrize(
    ("entry", "case"), CASES, ids=[f"{entry}:{case.name}" for entry, case in CASES]
)
def test_each_input_gets_a_clear_message_and_changes_nothing(batch, entry: str, case: Case):
    child, reports = batch(entry)
    report = reports.get(case.name)
    assert report is not None, f"the child stopped before this case: {child.describe()}"
    assert report["error"] is None, report["error"]
    messages = report["messages"]
    assert messages, "accepted without a word"
    assert case.expect in " ".join(messages), messages
    assert_plain(messages)
    assert report["unchanged"], "the input changed the state"
    growth = report["rss_after_mb"] - report["rss_before_mb"]
    assert growth <= GROWTH_MB, f"peak RSS grew by {growth:.0f} MB"
    if entry == "query":
        assert len(messages) <= MAX_NOTICES


@pytest.fixture(scope="module")
def baseline(workdir) -> Run:
    """A normal `validate` of a valid scenario: it loads the knowledge base and the countries."""
    run = run_limited(cli_args("validate", VALID_SCENARIO, workdir), cwd=REPO)
    assert run.returncode == 0, run.describe()
    return run


@pytest.mark.parametrize(
    ("verb", "case"), CLI_RUNS, ids=[f"{verb}:{case.name}" for verb, case in CLI_RUNS]
)
def test_the_command_answers_in_one_line_within_a_normal_runs_memory(
    workdir, baseline, verb: str, case: Case
):
    run = run_limited(cli_args(verb, case, workdir), cwd=REPO)
    assert not run.timed_out, run.describe()
    output = (run.stdout + run.stderr).strip().splitlines()
    if verb == "validate":  # PATH:LINE: message, then the count on stderr
        assert run.returncode == 1, run.describe()
        assert len(run.stdout.splitlines()) == 1, run.describe()
        assert run.stderr.strip() == "1 problem(s) found"
        message = run.stdout.strip().split(": ", 1)[1]
    else:  # one line on stderr, exit 2 (bad input), nothing written
        assert run.returncode == 2, run.describe()
        assert len(output) == 1, run.describe()
        assert not (workdir / "never-written.png").exists()
        message = output[0].split(": ", 2)[2]
    assert case.expect in message, message
    assert_plain([message])
    assert run.peak_rss_mb <= baseline.peak_rss_mb + GROWTH_MB, run.describe()

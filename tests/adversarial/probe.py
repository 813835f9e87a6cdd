"""Measure what each adversarial input costs: seconds and peak memory, each in its own child
process under a memory ceiling (limited.py), through the geodata entry points and the CLI.

    .venv/bin/python tests/adversarial/probe.py                      # everything
    .venv/bin/python tests/adversarial/probe.py --entry scenario --entry query
    .venv/bin/python tests/adversarial/probe.py --case alias_bomb_8 --cli
    .venv/bin/python tests/adversarial/probe.py --memory-mb 6144 --timeout 300   # old code

Columns: the call's own seconds; the child's peak RSS and how far the call raised it above the
peak the child had before the call (imports, warm-up and the input itself); the notices'
count and size; the first message. A case that hit the ceiling or the timeout says so.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from corpus import CLI_RUNS, ENTRIES, REPO, VALID_SCENARIO, cli_args
from limited import MEMORY_CEILING_MB, TIMEOUT_SECONDS, run_limited

CHILD = Path(__file__).resolve().parent / "corpus.py"


def probe_entry(entry: str, name: str, workdir: Path, memory_mb: int, timeout: float) -> str:
    run = run_limited(
        [sys.executable, str(CHILD), entry, str(workdir), name],
        cwd=REPO,
        memory_mb=memory_mb,
        timeout=timeout,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if not lines:
        reason = "TIMEOUT" if run.timed_out else f"exit {run.returncode}"
        tail = (run.stderr.strip().splitlines() or [""])[-1][:80]
        return (
            f"{entry:13} {name:30} {reason} after {run.seconds:6.1f} s, "
            f"peak {run.peak_rss_mb:6.0f} MB  {tail}"
        )
    report = json.loads(lines[0])
    messages = report["messages"]
    growth = run.peak_rss_mb - report["rss_before_mb"]
    first = report["error"] or (messages[0] if messages else "(no message)")
    size = sum(len(m) for m in messages)
    return (
        f"{entry:13} {name:30} {report['seconds']:7.3f} s  peak {run.peak_rss_mb:6.0f} MB "
        f"(+{growth:5.0f})  {len(messages):4} msg {size:8} ch  {first[:90]}"
    )


def probe_cli(verb: str, name: str, workdir: Path, memory_mb: int, timeout: float) -> str:
    case = VALID_SCENARIO if name == VALID_SCENARIO.name else None
    case = case or next(c for v, c in CLI_RUNS if v == verb and c.name == name)
    run = run_limited(cli_args(verb, case, workdir), cwd=REPO, memory_mb=memory_mb, timeout=timeout)
    status = "TIMEOUT" if run.timed_out else f"exit {run.returncode}"
    output = (run.stdout + run.stderr).strip().splitlines()
    return (
        f"cli {verb:9} {name:30} {run.seconds:7.2f} s  peak {run.peak_rss_mb:6.0f} MB  "
        f"{status:8} {len(output):4} lines  {(output or [''])[0][:90]}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entry", action="append", choices=sorted(ENTRIES), default=[])
    parser.add_argument("--case", action="append", default=[], help="only these cases")
    parser.add_argument("--cli", action="store_true", help="only the command-line runs")
    parser.add_argument("--memory-mb", type=int, default=MEMORY_CEILING_MB)
    parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS)
    args = parser.parse_args()
    print(f"memory ceiling {args.memory_mb} MB (address space), timeout {args.timeout:.0f} s")
    with tempfile.TemporaryDirectory(prefix="atlas-adversarial-") as tmp:
        workdir = Path(tmp)
        if not args.cli:
            for entry in args.entry or list(ENTRIES):
                for case in ENTRIES[entry]:
                    if not args.case or case.name in args.case:
                        line = probe_entry(entry, case.name, workdir, args.memory_mb, args.timeout)
                        print(line, flush=True)
        if args.cli or not args.entry:
            runs = [("validate", VALID_SCENARIO), *CLI_RUNS]
            for verb, case in runs:
                if not args.case or case.name in args.case or case is VALID_SCENARIO:
                    print(probe_cli(verb, case.name, workdir, args.memory_mb, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())

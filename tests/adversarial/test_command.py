"""The command's promises that start no server: one line and its exit status for a bad --state
or --scale (in this process), a taken port and --debug on a non-loopback host (the installed
console script, which stops before it would listen). A missing seed file, which stops `serve`
as it starts, is in test_server.py."""

from __future__ import annotations

import socket
import subprocess

import pytest
from commands import run_in_process, run_installed


def one_line(run: subprocess.CompletedProcess, status: int, *words: str) -> str:
    """The command's only line of output, with its exit status and these words."""
    lines = (run.stdout + run.stderr).strip().splitlines()
    assert run.returncode == status, (run.returncode, lines)
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    for word in words:
        assert word in lines[0], lines
    return lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--state", "http://[::1"], ["malformed --state"]),
        (["--scenario", "threats_360", "--scale", "1e-9"], ["too small"]),
        (["--scenario", "threats_360", "--scale", "0.01"], ["too small"]),
    ],
)
def test_bad_export_arguments_get_one_line_and_status_2(tmp_path, args, words):
    out = tmp_path / "never.png"
    one_line(run_in_process("export", *args, "--out", out, cwd=tmp_path), 2, *words)
    assert not out.exists()


@pytest.fixture(scope="module")
def taken_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_taken_port_is_one_line_and_status_1(taken_port, workers):
    run = run_installed("serve", "--port", str(taken_port), "--workers", workers)
    one_line(run, 1, "cannot listen", str(taken_port), "another program")


def test_debug_is_refused_on_a_host_other_than_loopback():
    run = run_installed("serve", "--debug", "--host", "0.0.0.0")
    one_line(run, 2, "--debug", "loopback")


def test_a_host_other_than_loopback_gets_a_warning(taken_port):
    # the taken port stops it right after the warning: nothing listens beyond this machine
    run = run_installed("serve", "--host", "0.0.0.0", "--port", str(taken_port))
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1
    assert "no authentication" in lines[0] and "0.0.0.0" in lines[0]
    assert len(lines) == 2 and "cannot listen" in lines[1]

"""The server's allocator setting: large freed blocks leave the process (what kept a worker's
RSS 100+ MB up after a few exports)."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest
from locations import REPO

from dashboard.allocator import return_large_blocks_to_os

# Blocks of growing size, each followed by a small block that stays: on the heap, freed large
# blocks stay resident below the small ones (the pattern of an export's temporary copies).
PROBE = textwrap.dedent(
    """
    import sys
    from dashboard.allocator import return_large_blocks_to_os

    if sys.argv[1] == "fixed":
        assert return_large_blocks_to_os()

    def rss_mb():
        status = open("/proc/self/status").read()
        return int(status.split("VmRSS:")[1].split()[0]) // 1024

    before = rss_mb()
    del bytearray(15 << 20)[:]
    kept = []
    for size in range(1, 13):
        block = bytearray(size << 20)
        block[::4096] = b"x" * len(block[::4096])
        kept.append(bytes(25_000))
        del block
    print(rss_mb() - before)
    """
)

glibc_only = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)


def _growth(mode: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(result.stdout.strip())


@glibc_only
def test_freed_large_blocks_do_not_stay_resident():
    assert _growth("fixed") <= 2  # MB, of the 12 MB the largest block took


@glibc_only
def test_the_setting_is_accepted():
    assert return_large_blocks_to_os() is True

"""Make the C allocator give large freed blocks back to the system (glibc only).

An export hands the worker a PNG, PDF or SVG of up to ~15 MB, which passes through several
temporary copies (kaleido's pipe reads, base64, JSON). glibc raises its mmap threshold after
such blocks are freed, so the next ones come from the heap, and the heap keeps what it grew to:
a worker's RSS stayed 100+ MB higher after a few exports. With a fixed threshold, blocks of
MMAP_THRESHOLD and more are always mapped on their own and unmapped when freed. Fewer arenas
keep a threaded worker's freed memory in fewer, reused heaps.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h); setting it disables the dynamic threshold
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 * 1024
ARENAS = 2  # glibc would give each of a worker's threads an arena of its own, each one growing


def return_large_blocks_to_os(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold at `threshold` bytes and its number of arenas at ARENAS for
    this process (and the processes it forks later). False where there is no glibc mallopt
    (the call is then a no-op)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        logger.info("alliance-atlas: no glibc mallopt here; allocator left as it is")
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, threshold)) and bool(mallopt(M_ARENA_MAX, ARENAS))

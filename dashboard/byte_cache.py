"""A thread-safe least-recently-used cache bounded by the total size of its values, in bytes.

    images: ByteLRU[str, bytes] = ByteLRU(16 * 2**20)  # bytes, sized by len()
    maps: ByteLRU[View, Built] = ByteLRU(8 * 2**20, Built.size)  # objects, sized by a function

A value larger than `max_item_bytes` (default: the whole budget) is not stored, so one huge
result cannot flush everything else. Keys may be any hashable. Values are returned as stored:
cache immutable values (bytes, frozen objects), or copy mutable ones on the way out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")
Default = TypeVar("Default")


@dataclass(frozen=True)
class CacheStats:
    """Counters of a cache: lookups that hit and missed, and what it holds now."""

    hits: int
    misses: int
    items: int
    bytes: int
    max_bytes: int


class ByteLRU(Generic[Key, Value]):
    """A mapping from hashable keys to values whose sizes add up to at most `max_bytes`;
    the least recently used entries are evicted first. Safe to share between threads."""

    def __init__(
        self,
        max_bytes: int,
        size_of: Callable[[Value], int] = len,  # type: ignore[assignment]
        *,
        max_item_bytes: int | None = None,
    ) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must not be negative, not {max_bytes}")
        self.max_bytes = max_bytes
        self.max_item_bytes = (
            max_bytes if max_item_bytes is None else min(max_item_bytes, max_bytes)
        )
        self._size_of = size_of
        self._entries: OrderedDict[Key, tuple[Value, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def get(self, key: Key, default: Default = None) -> Value | Default:  # type: ignore[assignment]
        """The value stored under `key` (now the most recently used), else `default`."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._misses += 1
                return default
            self._entries.move_to_end(key)
            self._hits += 1
            return entry[0]

    def put(self, key: Key, value: Value) -> bool:
        """Store `value` under `key`, evicting the least recently used entries to stay within
        the budget; False (and any older value under `key` dropped) when the value is too large."""
        size = self._size_of(value)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.max_item_bytes:
                return False
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted
            return True

    def __contains__(self, key: object) -> bool:
        """Whether `key` is cached (neither counted as a lookup nor made the most recent)."""
        with self._lock:
            return key in self._entries

    def clear(self) -> None:
        """Drop every entry and reset the counters."""
        with self._lock:
            self._entries.clear()
            self._bytes = self._hits = self._misses = 0

    def stats(self) -> CacheStats:
        """The hit and miss counts since the last `clear()`, and the entries and bytes held."""
        with self._lock:
            return CacheStats(
                self._hits, self._misses, len(self._entries), self._bytes, self.max_bytes
            )

"""The byte-bounded LRU cache: hits and misses, eviction order, the byte budget, threads."""

from __future__ import annotations

import sys
import threading

import pytest

from dashboard.byte_cache import ByteLRU, CacheStats


def _keys(cache: ByteLRU, candidates) -> list:
    """The candidates still cached (`in` neither counts a lookup nor refreshes an entry)."""
    return [key for key in candidates if key in cache]


def _held_bytes(cache: ByteLRU, keys) -> int:
    return sum(len(cache.get(key, b"")) for key in keys)


def test_a_stored_value_is_a_hit_and_an_unknown_key_a_miss():
    cache = ByteLRU(100)
    assert cache.get("a") is None
    assert cache.put("a", b"xyz")
    assert cache.get("a") == b"xyz"
    assert cache.get("b", b"default") == b"default"
    assert cache.stats() == CacheStats(hits=1, misses=2, items=1, bytes=3, max_bytes=100)


def test_the_least_recently_used_entry_goes_first():
    cache = ByteLRU(30)
    for key in "abc":
        cache.put(key, key.encode() * 10)
    cache.get("a")  # now b is the least recently used
    cache.put("d", b"d" * 10)
    assert _keys(cache, "abcd") == ["a", "c", "d"]
    cache.put("e", b"e" * 20)  # needs two slots: c and a go, oldest first
    assert _keys(cache, "abcde") == ["d", "e"]
    assert cache.stats().bytes == 30


def test_replacing_a_value_counts_only_the_new_size():
    cache = ByteLRU(30)
    cache.put("a", b"x" * 20)
    cache.put("a", b"y" * 5)
    cache.put("b", b"z" * 25)
    assert cache.stats().bytes == 30 and cache.get("a") == b"y" * 5


def test_the_total_never_exceeds_the_budget():
    cache = ByteLRU(100)
    for n in range(1, 60):
        cache.put(n, bytes(n))
        total = cache.stats().bytes
        assert total <= 100
        assert total == _held_bytes(cache, range(1, n + 1))


def test_a_value_larger_than_the_budget_is_not_cached_and_evicts_nothing():
    cache = ByteLRU(10)
    cache.put("small", b"12345")
    assert not cache.put("huge", bytes(11))
    assert cache.get("huge") is None
    assert cache.get("small") == b"12345"
    assert cache.put("exact", bytes(10))  # a value of exactly the budget fits (alone)
    assert _keys(cache, ["small", "exact"]) == ["exact"]


def test_max_item_bytes_keeps_one_large_value_from_flushing_the_cache():
    cache = ByteLRU(100, max_item_bytes=25)
    for key in "abcd":
        cache.put(key, bytes(20))
    assert not cache.put("large", bytes(26))
    assert _keys(cache, "abcd") == list("abcd")
    assert cache.max_item_bytes == 25


def test_an_oversized_value_drops_the_older_value_under_its_key():
    cache = ByteLRU(10)
    cache.put("a", b"old")
    assert not cache.put("a", bytes(11))
    assert cache.get("a") is None
    assert cache.stats().bytes == 0


def test_objects_are_sized_by_the_given_function_and_any_hashable_is_a_key():
    cache: ByteLRU[tuple, dict] = ByteLRU(10, lambda value: value["size"])
    key = ("view", 1920, 1080, frozenset({"nato"}))
    cache.put(key, {"size": 6})
    cache.put(("other",), {"size": 6})
    assert cache.get(key) is None  # 6 + 6 > 10: the first went
    assert cache.stats().bytes == 6


def test_clear_forgets_entries_and_counters():
    cache = ByteLRU(10)
    cache.put("a", b"1")
    cache.get("a")
    cache.get("b")
    cache.clear()
    assert cache.stats() == CacheStats(hits=0, misses=0, items=0, bytes=0, max_bytes=10)
    assert cache.get("a") is None


def test_a_negative_budget_is_refused():
    with pytest.raises(ValueError, match="negative"):
        ByteLRU(-1)


def test_threads_sharing_a_cache_keep_its_accounting_exact():
    """Many threads putting and getting at once, switching as often as the interpreter allows:
    the byte total stays equal to the sizes held and within budget, and every lookup counts."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    cache = ByteLRU(1000)
    threads_n, rounds = 8, 3000
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for n in range(rounds):
                key = (seed * 7 + n) % 97
                cache.put(key, bytes(key % 50 + 1))
                value = cache.get((key * 3) % 97)
                assert value is None or len(value) == (key * 3) % 97 % 50 + 1
        except BaseException as error:  # reported below: a thread's failure is not raised
            errors.append(error)

    try:
        threads = [threading.Thread(target=work, args=(seed,)) for seed in range(threads_n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    assert errors == []
    stats = cache.stats()
    assert stats.hits + stats.misses == threads_n * rounds
    assert 0 < stats.bytes <= 1000
    assert stats.bytes == _held_bytes(cache, range(97))

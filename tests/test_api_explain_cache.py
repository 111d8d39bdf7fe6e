"""The explanation cache's bounds on its own (no server needed): LRU eviction at its size, expiry after its TTL,
and nothing stored or counted when disabled. Its use by the API is tested over HTTP in test_api_feedback.py."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter

from api.explain_cache import TtlLru


def _counter() -> tuple[Counter, CollectorRegistry]:
    registry = CollectorRegistry()
    return Counter("lookups", "test", ["result"], registry=registry), registry


def test_least_recently_used_entry_is_evicted_at_the_size() -> None:
    counter, registry = _counter()
    cache: TtlLru[str] = TtlLru(60.0, 2, counter)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # "b" is now the least recently used
    cache.put("c", "C")
    assert len(cache) == 2 and cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    assert registry.get_sample_value("lookups_total", {"result": "hit"}) == 3
    assert registry.get_sample_value("lookups_total", {"result": "miss"}) == 1


def test_entries_expire_after_the_ttl() -> None:
    cache: TtlLru[str] = TtlLru(0.05, 10)
    cache.put("a", "A")
    assert cache.get("a") == "A"
    time.sleep(0.06)
    assert cache.get("a") is None and len(cache) == 0


def test_ttl_or_size_zero_stores_and_counts_nothing() -> None:
    for ttl, size in [(0.0, 10), (60.0, 0)]:
        counter, registry = _counter()
        cache: TtlLru[str] = TtlLru(ttl, size, counter)
        cache.put("a", "A")
        assert not cache.enabled and cache.get("a") is None and len(cache) == 0
        assert registry.get_sample_value("lookups_total", {"result": "miss"}) == 0

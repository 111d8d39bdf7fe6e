"""A per-process, bounded cache of explanation paths (with the recommended items' rows fetched alongside).

The explanation query is most of a recommendation request's Neo4j work. Its answer depends on the user's history,
the model version (and whether it is a stored or a folded-in vector that searches SIMILAR_USERS paths), the
recommended items and `maxPaths`; the key holds all of them, the history as a fingerprint of what the user-state
query (run on every request) returned. So an interaction the user records, through any worker, changes the key and
the next request queries afresh. What the key cannot see (an ingest's knowledge edits, other users' interactions
reweighting SIMILAR_USERS / FRIEND paths or item counts) is bounded by the entries' time to live.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from prometheus_client import Counter

V = TypeVar("V")


class TtlLru(Generic[V]):
    """At most `size` entries, each served for `ttl_s` seconds after it was stored, least recently used evicted
    first. `ttl_s` or `size` 0 disables it (nothing stored, nothing counted). Lookups count as hit or miss on
    `counter` (labelled by `result`). Values are shared between requests: treat them as read-only."""

    def __init__(self, ttl_s: float, size: int, counter: Counter | None = None) -> None:
        self.ttl_s, self.size = ttl_s, size
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._hits = counter.labels("hit") if counter is not None else None
        self._misses = counter.labels("miss") if counter is not None else None

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0 and self.size > 0

    def get(self, key: Hashable) -> V | None:
        if not self.enabled:
            return None
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            self._entries.move_to_end(key)
            if self._hits is not None:
                self._hits.inc()
            return entry[1]
        if entry is not None:
            del self._entries[key]  # expired
        if self._misses is not None:
            self._misses.inc()
        return None

    def put(self, key: Hashable, value: V) -> None:
        if not self.enabled:
            return
        self._entries[key] = (time.monotonic() + self.ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

"""Heap and page-cache sizes for a server on this machine."""

from __future__ import annotations

import os

from kgrec.settings import Settings

MIB = 1024 * 1024


def total_memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _clamp_mib(value: float, low: int, high: int) -> str:
    return f"{int(min(max(value / MIB, low), high))}m"


def memory_settings(settings: Settings, total: int | None = None) -> tuple[str, str]:
    """(heap, page cache): configured values, else 1/8 and 1/10 of RAM within sane bounds."""
    total = total or total_memory_bytes()
    heap = settings.neo4j_heap or _clamp_mib(total / 8, 512, 4096)
    pagecache = settings.neo4j_pagecache or _clamp_mib(total / 10, 256, 4096)
    return heap, pagecache

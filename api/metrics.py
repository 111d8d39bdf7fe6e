"""Prometheus metrics: HTTP requests and latencies, GraphQL errors, Neo4j query time, strategies, explanation
cache hits and misses.

Each app gets its own registry. With several uvicorn workers, set PROMETHEUS_MULTIPROC_DIR (`kgrec serve
--workers N` does) and /metrics aggregates every worker's files.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("kgrec_http_requests", "HTTP requests served.", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("kgrec_http_request_duration_seconds", "Time to answer an HTTP request.",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.neo4j = Histogram("kgrec_neo4j_query_duration_seconds", "Time of one Neo4j query (transaction).",
                               ["query"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.errors = Counter("kgrec_graphql_errors", "GraphQL errors returned, by code.", ["code"],
                              registry=self.registry)
        self.strategies = Counter("kgrec_recommendations", "Recommendation lists served, by strategy.",
                                  ["strategy"], registry=self.registry)
        self.explain_cache = Counter("kgrec_explanation_cache", "Explanation-path cache lookups, by result.",
                                     ["result"], registry=self.registry)

    def observe_query(self, name: str, seconds: float) -> None:
        self.neo4j.labels(name).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """The exposition text (every worker's when PROMETHEUS_MULTIPROC_DIR is set)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

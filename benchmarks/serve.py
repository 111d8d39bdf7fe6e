"""Serving: `recommendations(first: 10, explain: true)` over HTTP against `kgrec serve` (uvicorn, 127.0.0.1),
next to the raw async-driver time of the same Cypher (the floor: no HTTP, GraphQL or scoring).

    python -m benchmarks.serve --requests 2000 --concurrency 8 --workers 2 --warm-up-s 120

The dataset must be ingested and have an active model version (`kgrec demo --no-serve`, or `kgrec ingest`
then `kgrec train`). A bounded number of requests is kept in flight (`--concurrency`), users taken round-robin
from the whole dataset. First every user is asked once (the explanation coverage: the share of recommended items
that carry at least one path), then untimed passes over all users go on for `--warm-up-s` seconds: the figures
are those of servers in their steady state, not of a JVM still compiling its hot code.
Targets (issue 5): API p99 ≤ 2× the raw queries' p99 at the same concurrency, and ≥ 200 requests/s on 2 cores
for ML-100K.

The server runs twice: with the explanation-path cache off (KGREC_API_EXPLAIN_CACHE_TTL_S=0: every request runs
the explanation query), then with the default settings (cache on). The cached figures are the warm case: every
timed request follows warm-up passes over all users, repeated until ≥ 97% of a pass hit (each worker process has its
own cache, and a user's request may reach either); the share of hits among the timed requests is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families

from api.recommend import Recommender
from api.settings import ApiSettings
from benchmarks.report import markdown_table, write_results
from graphstore import reads
from graphstore.connection import ensure_server
from graphstore.reads import GraphReader
from kgrec.settings import get_settings

REPO = Path(__file__).resolve().parent.parent
WARM_PASSES, WARM_HITS = 6, 0.97  # warm-up passes at most, and the share of hits in a pass that ends them
CACHE_DEFAULTS = {name: ApiSettings.model_fields[name].default  # what the cache-on server runs with
                  for name in ("explain_cache_ttl_s", "explain_cache_size")}
QUERY = """query($u: ID!, $explain: Boolean!) { recommendations(userId: $u, first: 10, explain: $explain) {
  strategy items { rank score item { id title } explanations { kind weight sentence } } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    """`kgrec serve` on 127.0.0.1, waited for until /readyz says ready."""
    proc = subprocess.Popen([sys.executable, "-m", "kgrec", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers)], cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kgrec serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("kgrec serve did not become ready (is the dataset ingested with an active model?)")


def neo4j_process(uri: str) -> psutil.Process | None:
    """The local process listening on the Bolt port of `uri` (None when Neo4j runs on another host)."""
    address = urlparse(uri)
    if address.hostname not in ("localhost", "127.0.0.1", "::1"):
        return None
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == (address.port or 7687) and conn.pid:
            return psutil.Process(conn.pid)
    return None


class CpuMeter:
    """CPU seconds (user + system) used by the API server (with its workers), Neo4j, and this load generator."""

    def __init__(self, server: psutil.Process, neo4j: psutil.Process | None) -> None:
        self.parts = {"api": server, "neo4j": neo4j, "client": psutil.Process()}

    def read(self) -> dict[str, float]:
        out = {}
        for name, proc in self.parts.items():
            if proc is not None:
                procs = [proc, *proc.children(recursive=True)] if name == "api" else [proc]
                out[name] = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
        return out


def summary(latencies: list[float], seconds: float) -> dict[str, float]:
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"requests": len(latencies), "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000, "p99_ms": q[98] * 1000,
            "mean_ms": statistics.fmean(latencies) * 1000, "requests_per_s": len(latencies) / seconds}


async def load(call: Callable[[str], Awaitable[Any]], users: list[str], requests: int,
               concurrency: int) -> tuple[list[float], float, dict[str, Any]]:
    """`requests` calls with at most `concurrency` in flight; (latencies, wall seconds, last result per user)."""
    queue = iter(users[k % len(users)] for k in range(requests))
    latencies: list[float] = []
    results: dict[str, Any] = {}

    async def worker() -> None:
        for user in queue:
            started = time.perf_counter()
            results[user] = await call(user)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, results


class GraphQLClient:
    """A lean HTTP/1.1 keep-alive client for the benchmark's GraphQL POSTs: a connection per request in flight, every
    request's bytes encoded before the clock starts. The load generator shares the machine's cores with the server
    under test, so its own CPU per request is kept small (httpx spent ~3 ms per request). Each response is still read
    whole and decoded, and must be HTTP 200 with `data` and no `errors`."""

    def __init__(self, host: str, port: int, users: list[str]) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.requests = {(user, explain): self._encode(user, explain) for user in users for explain in (True, False)}

    def _encode(self, user: str, explain: bool) -> bytes:
        body = json.dumps({"query": QUERY, "variables": {"u": user, "explain": explain}}).encode()
        return (f"POST /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    async def post(self, user: str, explain: bool = True) -> dict[str, Any]:
        """The `recommendations` of one request (SystemExit on anything but a clean GraphQL result)."""
        while True:
            reused = bool(self.idle)
            reader, writer = self.idle.pop() if reused else await asyncio.open_connection(self.host, self.port)
            try:
                writer.write(self.requests[(user, explain)])
                head = await reader.readuntil(b"\r\n\r\n")
                break
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()  # the server closed an idle keep-alive connection: open a new one
                if not reused:
                    raise
        status = int(head[9:12])
        length = next((int(line[15:]) for line in head.split(b"\r\n") if line[:15].lower() == b"content-length:"),
                      None)
        if length is None:
            raise SystemExit(f"request for user {user}: response without Content-Length: {head!r}")
        body = json.loads(await reader.readexactly(length))
        self.idle.append((reader, writer))
        if status != 200 or "errors" in body or not body.get("data"):
            raise SystemExit(f"request for user {user} failed: {status} {body}")
        return body["data"]["recommendations"]

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


class Raw:
    """The Cypher one API request runs (user_state, then the explanation paths with the items, or the items alone
    without explanations, or nothing more when the explanation cache holds both), straight on the async driver."""

    def __init__(self, reader: GraphReader, dataset: str, settings: ApiSettings) -> None:
        self.reader, self.dataset, self.settings = reader, dataset, settings
        self.prepared: dict[str, dict[str, Any]] = {}

    async def prepare(self, user: str, item_ids: list[str]) -> None:
        """The parameters the API used for this user (from the same profile code, not timed)."""
        session = self.reader.session(60)
        try:
            profile = await Recommender().profile(session, self.dataset, user)
        finally:
            await session.close()
        prefs = profile.preferences(self.settings.explain_min_preference, self.settings.explain_history)
        self.prepared[user] = {"items": item_ids, "prefs": prefs,
                               "index": profile.model.user_index if profile.model else None,
                               "vector": profile.vector.tolist() if profile.vector is not None else None}

    async def call(self, user: str, then: str) -> None:
        """user_state, then `then`: "explain" (the paths with the items), "items", or "nothing" (a cache hit)."""
        p = self.prepared.get(user)
        session = self.reader.session(60)
        try:
            await reads.user_state(session, self.dataset, user, None, None)
            if then == "explain":
                await reads.explanation_paths(session, self.dataset, user, p["items"], p["prefs"], 3,
                                              self.settings.explain_min_preference, p["index"], p["vector"],
                                              self.settings.similar_users)
            elif then == "items":
                await reads.items(session, self.dataset, p["items"])
        finally:
            await session.close()


async def timed(meter: CpuMeter, call: Callable[[str], Awaitable[Any]], users: list[str], requests: int,
                concurrency: int) -> dict[str, float]:
    """`summary` of a load, with the CPU milliseconds each process spent per request."""
    before = meter.read()
    latencies, seconds, _ = await load(call, users, requests, concurrency)
    after = meter.read()
    return summary(latencies, seconds) | {f"{name}_cpu_ms": 1000 * (after[name] - before[name]) / len(latencies)
                                          for name in after}


async def warm(meter: CpuMeter, call: Callable[[str], Awaitable[Any]], users: list[str], concurrency: int,
               seconds: float) -> list[dict[str, float]]:
    """Passes over all users until `seconds` have gone by: Neo4j's JVM compiles its hot code while it serves, and a
    freshly started server spent about twice the CPU per request of one that had served ~25,000 requests. Each
    pass's figures are kept (the warm-up curve)."""
    passes: list[dict[str, float]] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        passes.append(await timed(meter, call, users, len(users), concurrency))
    return passes


def cache_lookups(url: str) -> dict[str, float]:
    """The explanation cache's hits and misses so far, over every worker (from /metrics)."""
    out = {"hit": 0.0, "miss": 0.0}
    for family in text_string_to_metric_families(httpx.get(f"{url}/metrics", timeout=10).text):
        if family.name == "kgrec_explanation_cache":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    out[sample.labels["result"]] += sample.value
    return out


async def run(args: argparse.Namespace, url: str, raw: Raw, meter: CpuMeter, cached: bool) -> dict[str, Any]:
    """With the cache off: coverage, then API and raw figures with and without explanations. With it on: the API
    with explanations after a warm-up pass, and the raw floor of a cache hit (user_state alone)."""
    session = raw.reader.session(60)
    try:
        users = await reads.user_ids(session, raw.dataset)
        active = [m for m in await reads.models(session, raw.dataset) if m["active"]]
    finally:
        await session.close()
    address = urlparse(url)
    client = GraphQLClient(address.hostname or "127.0.0.1", address.port or 80, users)
    api = client.post
    try:
        _, _, answers = await load(api, users, len(users), args.concurrency)  # warm-up + coverage, every user once
        recommended = [item for a in answers.values() for item in a["items"]]
        kinds = Counter(item["explanations"][0]["kind"] for item in recommended if item["explanations"])
        coverage = {"users": len(users), "recommendations": len(recommended),
                    "with_path": sum(bool(item["explanations"]) for item in recommended),
                    "strategies": dict(Counter(a["strategy"] for a in answers.values())),
                    "first_path_kinds": dict(kinds)}
        coverage["share"] = coverage["with_path"] / max(1, coverage["recommendations"])
        if cached:
            # each worker has its own cache, and a user's request may reach either: pass over all users again until
            # nearly every request hits, so that the timed requests measure the warm cache
            for _ in range(WARM_PASSES):
                before = cache_lookups(url)
                await load(api, users, len(users), args.concurrency)
                after = cache_lookups(url)
                if after["hit"] - before["hit"] >= WARM_HITS * len(users):
                    break
            before = cache_lookups(url)
            figures = {"api_explain_cached": await timed(meter, api, users, args.requests, args.concurrency)}
            after = cache_lookups(url)
            hits, misses = after["hit"] - before["hit"], after["miss"] - before["miss"]
            figures["api_explain_cached"]["cache_hit_share"] = hits / max(1.0, hits + misses)
            figures["raw_state_only"] = await timed(meter, lambda u: raw.call(u, "nothing"), users, args.requests,
                                                    args.concurrency)
            return figures
        await load(lambda u: raw.prepare(u, [item["item"]["id"] for item in answers[u]["items"]]), users, len(users),
                   args.concurrency)
        warm_up = await warm(meter, lambda u: api(u, True), users, args.concurrency, args.warm_up_s)

        model = {k: active[0][k] for k in ("name", "version", "dim", "similarity")} if active else None
        figures: dict[str, Any] = {"coverage": coverage, "model": model, "warm_up": warm_up}
        for explain in (True, False):
            tag, then = ("explain", "explain") if explain else ("no_explain", "items")
            figures[f"api_{tag}"] = await timed(meter, lambda u, e=explain: api(u, e), users, args.requests,
                                                args.concurrency)
            figures[f"raw_{tag}"] = await timed(meter, lambda u, t=then: raw.call(u, t), users, args.requests,
                                                args.concurrency)
        figures["raw_explain_sequential"] = await timed(meter, lambda u: raw.call(u, "explain"), users,
                                                        min(args.requests, 500), 1)
        return figures
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="movielens-100k")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per configuration")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--warm-up-s", type=float, default=120.0,
                        help="seconds of untimed passes over all users (cache off) before the timed requests")
    args = parser.parse_args()

    api_settings = ApiSettings(default_dataset=args.dataset)
    creds = ensure_server(get_settings())
    port = free_port()
    env = {**os.environ, "NEO4J_URI": creds.uri, "NEO4J_USER": creds.user, "NEO4J_PASSWORD": creds.password,
           "KGREC_API_DEFAULT_DATASET": args.dataset}
    env.pop("KGREC_API_EXPLAIN_CACHE_TTL_S", None)
    load_before = os.getloadavg()[0]
    figures: dict[str, Any] = {}
    for cached in (False, True):  # the same server command, without and then with the explanation cache
        server = start_server(port, args.workers, env if cached else env | {"KGREC_API_EXPLAIN_CACHE_TTL_S": "0"})
        try:
            async def measure(server: subprocess.Popen = server, cached: bool = cached) -> dict[str, Any]:
                reader = GraphReader(creds, get_settings().neo4j_database)
                try:
                    raw = Raw(reader, args.dataset, api_settings)
                    meter = CpuMeter(psutil.Process(server.pid), neo4j_process(creds.uri))
                    return await run(args, f"http://127.0.0.1:{port}", raw, meter, cached)
                finally:
                    await reader.close()

            figures |= asyncio.run(measure())
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)
    figures["load_average"] = {"start": load_before, "end": os.getloadavg()[0], "cpu_count": os.cpu_count()}
    report(args, figures)


def _cpu(s: dict[str, float], part: str) -> float | str:
    return round(s[f"{part}_cpu_ms"], 1) if f"{part}_cpu_ms" in s else "n/a"


def _cpu_bound(s: dict[str, float], cores: int, what: str) -> str:
    """What the CPU per request allows on this machine's cores when nothing else runs."""
    if "neo4j_cpu_ms" not in s:
        return f"- CPU per request {what}: Neo4j runs on another host, not measured."
    total = s["api_cpu_ms"] + s["neo4j_cpu_ms"] + s["client_cpu_ms"]
    return (f"- CPU per request {what}: API {s['api_cpu_ms']:.1f} + Neo4j {s['neo4j_cpu_ms']:.1f} + "
            f"load generator {s['client_cpu_ms']:.1f} = {total:.1f} ms, so at most {1000 * cores / total:.0f} "
            f"requests/s on {cores} cores with nothing else running ({1000 * cores / (total - s['client_cpu_ms']):.0f} "
            "without the load generator).")


def _warm_up(passes: list[dict[str, float]]) -> str:
    """The warm-up in one sentence: how long, and how the first and last passes compare."""
    if not passes:
        return "No warm-up before the timed requests (`--warm-up-s 0`): a Neo4j started just before runs colder."
    first, last = passes[0], passes[-1]
    return (f"Before the timed requests, {len(passes)} untimed passes over all users "
            f"({sum(p['requests'] for p in passes):,} requests with explanations, cache off) warmed the servers up: "
            f"from the first pass to the last, {first['requests_per_s']:.0f} → {last['requests_per_s']:.0f} "
            f"requests/s, Neo4j CPU {_cpu(first, 'neo4j')} → {_cpu(last, 'neo4j')} ms and API CPU "
            f"{_cpu(first, 'api')} → {_cpu(last, 'api')} ms per request.")


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def report(args: argparse.Namespace, f: dict[str, Any]) -> None:
    hit_share = f["api_explain_cached"]["cache_hit_share"]
    rows = []
    for label, key in [("API: recommendations(first: 10, explain: true), explanation cache off", "api_explain"),
                       ("raw Cypher of the same request (user_state + explain/paths with items)", "raw_explain"),
                       (f"API: the same, explanation cache on, warm ({hit_share:.1%} hits)", "api_explain_cached"),
                       ("raw Cypher of a cache hit (user_state)", "raw_state_only"),
                       ("API: recommendations(first: 10, explain: false)", "api_no_explain"),
                       ("raw Cypher of the same request (user_state + items)", "raw_no_explain"),
                       ("raw Cypher with explain, one request at a time", "raw_explain_sequential")]:
        s = f[key]
        conc = 1 if key.endswith("sequential") else args.concurrency
        rows.append([label, conc, round(s["p50_ms"], 1), round(s["p95_ms"], 1), round(s["p99_ms"], 1),
                     round(s["requests_per_s"], 1)] + [_cpu(s, part) for part in ("api", "neo4j", "client")])
    cov = f["coverage"]
    off, on = f["api_explain"], f["api_explain_cached"]
    ratio_off = off["p99_ms"] / f["raw_explain"]["p99_ms"]
    ratio_on, ratio_on_full = on["p99_ms"] / f["raw_state_only"]["p99_ms"], on["p99_ms"] / f["raw_explain"]["p99_ms"]
    section = "\n".join([
        f"## Serving ({args.dataset})",
        "",
        f"`python -m benchmarks.serve --requests {args.requests} --concurrency {args.concurrency} "
        f"--workers {args.workers} --warm-up-s {args.warm_up_s:g}`: `kgrec serve` ({args.workers} uvicorn workers) "
        "on 127.0.0.1, the load generator, Neo4j and everything else on the same machine; active model: "
        f"{f['model']['name']} v{f['model']['version']} (dim {f['model']['dim']}, {f['model']['similarity']}). "
        f"{_warm_up(f['warm_up'])} "
        f"The machine's 1-minute load average was {f['load_average']['start']:.1f} at the start and "
        f"{f['load_average']['end']:.1f} at the end on {f['load_average']['cpu_count']} cores (other work shares it).",
        "",
        markdown_table(["request", "in flight", "p50 ms", "p95 ms", "p99 ms", "requests/s", "API CPU ms",
                        "Neo4j CPU ms", "load generator CPU ms"], rows),
        "",
        "CPU ms: CPU time (user + system) per request of the API server's processes, of Neo4j (the local process "
        "on the Bolt port) and of the load generator, over the same timed requests. Cache off: the server ran with "
        "KGREC_API_EXPLAIN_CACHE_TTL_S=0, so every request ran the explanation query. Cache on: the default settings "
        f"(TTL {CACHE_DEFAULTS['explain_cache_ttl_s']:g} s, {CACHE_DEFAULTS['explain_cache_size']:,} entries per "
        "worker); the timed requests followed passes over all users, repeated until "
        "≥ 97% of a pass hit the cache (each worker has its own, and a user's request may reach either), so this is "
        f"the warm case: {hit_share:.1%} of the timed lookups hit. A cold cache, or a user who just recorded an "
        "interaction, costs what the cache-off row costs.",
        "",
        f"- Explanation coverage: {cov['with_path']:,} of {cov['recommendations']:,} recommended items "
        f"({cov['share']:.1%}) carry at least one path, over all {cov['users']:,} users (target ≥ 95%); "
        f"heaviest path kinds: {cov['first_path_kinds']}; strategies: {cov['strategies']}.",
        f"- API p99 / raw p99 with explanations, cache off: {ratio_off:.2f}× (target ≤ 2×): {_met(ratio_off <= 2)}. "
        f"Cache on: {ratio_on_full:.2f}× the full request's raw Cypher, and {ratio_on:.2f}× the raw Cypher a hit "
        f"runs (user_state alone; by that stricter floor {_met(ratio_on <= 2)}: HTTP, GraphQL and scoring outweigh "
        "one small query).",
        f"- Throughput with explanations (target ≥ 200 requests/s on 2 cores): cache off {off['requests_per_s']:.0f} "
        f"({_met(off['requests_per_s'] >= 200)}); cache on, warm {on['requests_per_s']:.0f} "
        f"({_met(on['requests_per_s'] >= 200)}).",
        _cpu_bound(off, f["load_average"]["cpu_count"], "with explanations, cache off"),
        _cpu_bound(on, f["load_average"]["cpu_count"], "with explanations, cache on (warm)"),
    ])
    write_results("serve", {"args": vars(args), **f}, section)
    print(section)


if __name__ == "__main__":
    main()

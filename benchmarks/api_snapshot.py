"""Everything `recommendations(explain: true)` returns, for every user of a dataset, written to a JSON file; and a
comparison of two such files. A change that should not change what the API returns (a faster query, a leaner
resolver) is checked by a snapshot before and after it:

    python -m benchmarks.api_snapshot --out before.json      # on the old code
    python -m benchmarks.api_snapshot --out after.json       # on the new code
    python -m benchmarks.api_snapshot --compare before.json after.json

The explanation cache is checked the same way: answers it served (a second pass over every user, `--passes 2`)
against fresh ones (the cache off; a long TTL keeps the first pass's entries through the second):

    KGREC_API_EXPLAIN_CACHE_TTL_S=0 python -m benchmarks.api_snapshot --out fresh.json
    KGREC_API_EXPLAIN_CACHE_TTL_S=600 python -m benchmarks.api_snapshot --passes 2 --out cached.json
    python -m benchmarks.api_snapshot --compare fresh.json cached.json

The app runs in-process (its ASGI interface, no sockets) against the Neo4j server of the current settings; the
dataset must be ingested with an active model version. Every field of the paths is asked for, and compared
exactly (weights and scores as floats, sentences, the Cypher and its parameters, nodes and relationships in order).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from api.app import create_app, local_client
from api.settings import ApiSettings
from graphstore import reads
from graphstore.connection import ensure_server
from kgrec.settings import get_settings

log = logging.getLogger(__name__)
QUERY = """query($u: ID!, $first: Int!, $paths: Int!) {
  recommendations(userId: $u, first: $first, maxPaths: $paths) {
    userId dataset strategy model { name version }
    items { rank score itemId item { id title uri domains interactions }
      explanations { kind weight factors sentence cypher parameters
        nodes { kind id name labels } relationships { type source target rating weight predicate } } } } }"""


async def snapshot(dataset: str, first: int, max_paths: int, concurrency: int, passes: int = 1) -> dict[str, Any]:
    """user id → the `recommendations` answer, for every user of `dataset` (the last of `passes` answers each)."""
    app = create_app(ApiSettings(default_dataset=dataset, max_paths=max(10, max_paths), request_timeout_s=120),
                     ensure_server(get_settings()))
    out: dict[str, Any] = {}
    async with local_client(app, timeout=120) as client:
        session = app.state.services.reader.session(120)
        try:
            users = await reads.user_ids(session, dataset)
        finally:
            await session.close()

        async def worker() -> None:
            for user in pending:
                response = await client.post("/graphql", json={"query": QUERY, "variables": {
                    "u": user, "first": first, "paths": max_paths}})
                body = response.json()
                if response.status_code != 200 or "errors" in body:
                    raise SystemExit(f"user {user}: {response.status_code} {body}")
                out[user] = body["data"]["recommendations"]

        for _ in range(passes):
            pending = iter(users)
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        registry = app.state.services.metrics.registry
        log.info("explanation cache: %s hits, %s misses", *(
            registry.get_sample_value("kgrec_explanation_cache_total", {"result": r}) for r in ("hit", "miss")))
    return {"dataset": dataset, "first": first, "maxPaths": max_paths, "users": dict(sorted(out.items()))}


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Where two JSON values differ (exactly: floats too), as paths into them."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: only in {'first' if k in a else 'second'}" for k in a.keys() ^ b.keys()]
        return out + [d for k in a.keys() & b.keys() for d in differences(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} vs {len(b)} entries"]
        return [d for k, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{where}[{k}]")]
    return [] if a == b and type(a) is type(b) else [f"{where}: {a!r} vs {b!r}"]


def compare(first: Path, second: Path) -> int:
    """Print the differences of two snapshots; the number of users whose answers differ."""
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    found = differences({k: v for k, v in a.items() if k != "users"}, {k: v for k, v in b.items() if k != "users"})
    users = sorted(a["users"].keys() | b["users"].keys(), key=lambda u: (len(u), u))
    changed = 0
    for user in users:
        diff = differences(a["users"].get(user), b["users"].get(user), f"user {user}")
        changed += bool(diff)
        found += diff
    for line in found[:50]:
        print(line)
    paths = sum(len(i["explanations"] or []) for r in a["users"].values() for i in r["items"])
    print(f"{len(users)} users, {paths} paths in the first snapshot: {changed} users differ, "
          f"{len(found)} differences")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="movielens-100k")
    parser.add_argument("--first", type=int, default=10)
    parser.add_argument("--max-paths", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--passes", type=int, default=1, help="ask every user this many times, keep the last answer")
    parser.add_argument("--out", type=Path, help="write a snapshot here")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("FIRST", "SECOND"), help="compare two snapshots")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.compare:
        sys.exit(1 if compare(*args.compare) else 0)
    if not args.out:
        parser.error("give --out or --compare")
    data = asyncio.run(snapshot(args.dataset, args.first, args.max_paths, args.concurrency, args.passes))
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True))
    log.info("%d users written to %s", len(data["users"]), args.out)


if __name__ == "__main__":
    main()

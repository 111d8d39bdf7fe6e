"""The async Neo4j reads (and the one live write) behind the GraphQL API.

One `GraphReader` per process owns the async driver; each HTTP request opens one `RequestSession`,
whose queries run one after another (reads as auto-commit queries, the write in a managed transaction,
both retried on transient errors) with a timeout derived from the request's deadline. Every query is a
file of `cypher/api/` or `cypher/explain/`, and every value reaches it as a parameter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from neo4j import READ_ACCESS, AsyncGraphDatabase, AsyncManagedTransaction, AsyncSession, Query, unit_of_work
from neo4j.exceptions import ClientError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from graphstore.cypher_files import load_cypher, query_text
from graphstore.provision import Credentials

Row = dict[str, Any]
Observer = Callable[[str, float], None]  # (query name, seconds)

EXPLAIN_KINDS = ("shared_entity", "similar_users", "friend")
INTERACTION_TYPES = ("RATED", "INTERACTED")
RETRY_DELAY_S = 0.05  # first pause before a read is retried (doubling)
# Neo4j caches a plan per query text *and* parameter shape: the type of each parameter and, for lists and strings,
# the log10 bucket of its size (1, 2–10, 11–100, 101–1000 …). A new shape is planned on first use (0.2–7 s for the
# explanation query), so the id lists of the hot queries are padded with nulls (which match nothing) to one shape:
# at least PADDED_LIST entries, always with a null (a null changes the list's type), i.e. the 101–1000 bucket.
PADDED_LIST = 101
# The size buckets of string ids that `warm_up` plans for: lengths 1, 2–10 and 11–100.
ID_LENGTHS = (1, 2, 11)


class GraphUnavailable(RuntimeError):
    """Neo4j cannot be reached (or went away mid-request)."""


class GraphTimeout(TimeoutError):
    """A query ran past the request's deadline."""


class GraphReader:
    """The process's async driver, and the place where request sessions come from."""

    def __init__(self, creds: Credentials, database: str = "neo4j", observe: Observer | None = None,
                 max_pool_size: int = 50, retry_s: float = 2.0) -> None:
        """`retry_s`: how long a query is retried on transient errors (an outage fails fast, not at the
        request deadline)."""
        self.database = database
        self.observe = observe
        self.retry_s = retry_s
        self.driver = AsyncGraphDatabase.driver(
            creds.uri, auth=(creds.user, creds.password), max_connection_pool_size=max_pool_size,
            max_transaction_retry_time=retry_s, connection_timeout=min(5.0, 2 * retry_s),
            notifications_min_severity="OFF",
        )

    async def close(self) -> None:
        await self.driver.close()

    def session(self, timeout_s: float) -> RequestSession:
        """A session for one request, whose queries must finish within `timeout_s` from now."""
        return RequestSession(self, time.monotonic() + timeout_s)

    async def ping(self) -> bool:
        """True when Neo4j answers."""
        try:
            await self.driver.verify_connectivity()
        except (DriverError, Neo4jError, OSError):
            return False
        return True


class RequestSession:
    """One request's Neo4j session: opened on first use, queries serialised, closed by `close()`.

    Reads run as auto-commit queries (one round trip, no BEGIN/COMMIT), retried here on transient failures
    for up to the reader's `retry_s` (they have no side effects); the write runs in a managed transaction.
    """

    def __init__(self, reader: GraphReader, deadline: float) -> None:
        self.reader = reader
        self.deadline = deadline
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        """Close the session once no query runs on it: a query that a timed-out request left running (a DataLoader's
        batch, which cancelling the request does not cancel) ends first, by its own deadline at the latest; closing
        under it would read the same connection from two coroutines."""
        async with self._lock:
            await self._close()

    async def _close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> AsyncSession:
        if self._session is None:
            self._session = self.reader.driver.session(
                database=self.reader.database, default_access_mode=READ_ACCESS,
                bookmark_manager=self.reader.driver.execute_query_bookmark_manager,
            )
        return self._session

    def _remaining(self, name: str) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise GraphTimeout(f"no time left for query {name}")
        return remaining

    async def _read(self, name: str, query: str, params: dict[str, Any]) -> list[Row]:
        retry_until = min(self.deadline, time.monotonic() + self.reader.retry_s)
        delay = RETRY_DELAY_S
        while True:
            try:
                result = await self._open().run(Query(query, timeout=self._remaining(name)), params)
                return _rows(result.keys(), await result.values())
            except (DriverError, Neo4jError) as exc:
                if not exc.is_retryable() or time.monotonic() + delay > retry_until:
                    raise
                await self._close()  # the next try gets a fresh session (and connection)
            await asyncio.sleep(delay)
            delay *= 2

    async def _write(self, name: str, query: str, params: dict[str, Any]) -> list[Row]:
        @unit_of_work(timeout=self._remaining(name))
        async def work(tx: AsyncManagedTransaction) -> list[Row]:
            result = await tx.run(query, params)
            return _rows(result.keys(), await result.values())

        return await self._open().execute_write(work)

    async def run(self, name: str, params: dict[str, Any], write: bool = False, text: str | None = None) -> list[Row]:
        """Rows of the Cypher file `name` (or of `text`, labelled `name`) as plain dicts."""
        query = text if text is not None else query_text(name)
        async with self._lock:
            started = time.perf_counter()
            try:
                return await (self._write if write else self._read)(name, query, params)
            except (ServiceUnavailable, SessionExpired) as exc:
                raise GraphUnavailable(f"Neo4j is unavailable: {exc.__class__.__name__}") from exc
            except ClientError as exc:
                if "TransactionTimedOut" in (exc.code or "") or "Terminated" in (exc.code or ""):
                    raise GraphTimeout(f"query {name} ran past the request deadline") from exc
                raise
            finally:
                if self.reader.observe is not None:
                    self.reader.observe(name, time.perf_counter() - started)


def padded(ids: list[str]) -> list[str | None]:
    """`ids` followed by nulls, at least PADDED_LIST entries and one null (see PADDED_LIST)."""
    return [*ids, *[None] * max(1, PADDED_LIST - len(ids))]


def _rows(keys: tuple[str, ...], values: list[list[Any]]) -> list[Row]:
    return [dict(zip(keys, row, strict=True)) for row in values]


# --- the API's queries -------------------------------------------------------------------------------


async def user_state(s: RequestSession, dataset: str, user_id: str, model_name: str | None,
                     model_version: int | None) -> Row:
    """Model version to use, the user's vector in it, and their history (see cypher/api/user_state)."""
    rows = await s.run("api/user_state", {"dataset": dataset, "userId": user_id, "modelName": model_name,
                                          "modelVersion": model_version})
    return rows[0]


async def item_embeddings(s: RequestSession, dataset: str, prop: str) -> list[Row]:
    return await s.run("api/item_embeddings", {"dataset": dataset, "property": prop})


async def popularity(s: RequestSession, dataset: str) -> list[Row]:
    return await s.run("api/popularity", {"dataset": dataset})


async def items(s: RequestSession, dataset: str, ids: list[str]) -> list[Row]:
    """{id, title, uri, domains, interactions} of the items that exist."""
    rows = await s.run("api/items", {"dataset": dataset, "ids": padded(ids)})
    return rows[0]["items"]


async def item_details(s: RequestSession, dataset: str, ids: list[str]) -> list[Row]:
    """{id, meanRating, properties} of the items that exist."""
    rows = await s.run("api/item_details", {"dataset": dataset, "ids": padded(ids)})
    return rows[0]["items"]


async def item_entities(s: RequestSession, dataset: str, ids: list[str], relation: str | None,
                        limit: int) -> list[Row]:
    return await s.run("api/item_entities", {"dataset": dataset, "ids": padded(ids), "relation": relation,
                                             "limit": limit})


async def user(s: RequestSession, dataset: str, user_id: str) -> Row | None:
    rows = await s.run("api/user", {"dataset": dataset, "userId": user_id})
    return rows[0] if rows else None


async def user_interactions(s: RequestSession, dataset: str, user_id: str, after: tuple[int, str] | None,
                            limit: int) -> list[Row]:
    after_ts, after_item = after if after else (None, None)
    return await s.run("api/user_interactions", {"dataset": dataset, "userId": user_id, "afterTs": after_ts,
                                                 "afterItem": after_item, "limit": limit})


async def similar_items(s: RequestSession, dataset: str, item_id: str, k: int) -> Row:
    """{hasModel, itemExists, similar: [{id, score}]} from the active version's item vector index."""
    rows = await s.run("api/similar_items", {"dataset": dataset, "itemId": item_id, "k": k})
    return rows[0]


async def items_linked_to(s: RequestSession, dataset: str, uris: list[str]) -> list[str]:
    rows = await s.run("api/items_linked_to", {"dataset": dataset, "uris": uris})
    return [r["id"] for r in rows]


async def dataset(s: RequestSession, name: str) -> Row | None:
    rows = await s.run("api/dataset", {"dataset": name})
    return rows[0] if rows else None


async def datasets(s: RequestSession) -> list[str]:
    return [r["name"] for r in await s.run("api/datasets", {})]


async def user_ids(s: RequestSession, dataset: str) -> list[str]:
    return [r["id"] for r in await s.run("api/user_ids", {"dataset": dataset})]


async def models(s: RequestSession, dataset: str | None) -> list[Row]:
    return [r["model"] for r in await s.run("api/models", {"dataset": dataset})]


async def active_models(s: RequestSession, dataset: str | None) -> int:
    rows = await s.run("api/ready", {"dataset": dataset})
    return int(rows[0]["activeModels"])


async def record_interaction(s: RequestSession, dataset: str, user_id: str, item_id: str, relation: str,
                             value: float, ts: int) -> Row | None:
    """Write one interaction now (MERGE); None when the item does not exist."""
    if relation not in INTERACTION_TYPES:
        raise ValueError(f"relation must be one of {INTERACTION_TYPES}, got {relation!r}")
    rows = await s.run("api/record_interaction", {"dataset": dataset, "userId": user_id, "itemId": item_id,
                                                  "relation": relation, "value": value, "ts": ts}, write=True)
    return rows[0] if rows else None


@cache
def explain_query(kinds: tuple[str, ...]) -> str:
    """One query for all recommended items: the chosen kinds' files joined by UNION ALL, then the heaviest paths
    per item kept and projected into one row (`paths`), next to the rows of `api/items` for the same items
    (`items`: a response that shows paths shows their items, and this saves that query a round trip)."""
    unknown = set(kinds) - set(EXPLAIN_KINDS)
    if unknown or not kinds:
        raise ValueError(f"explanation kinds must be among {EXPLAIN_KINDS}, got {kinds}")
    body = "\nUNION ALL\n".join(query_text(f"explain/{kind}") for kind in kinds)
    paths = f"CALL () {{\n{body}\n}}\n{query_text('explain/project')}"
    return f"CALL () {{\n{query_text('api/items')}\n}}\nCALL () {{\n{paths}\n}}\nRETURN paths, items"


async def explanation_paths(s: RequestSession, dataset: str, user_id: str, item_ids: list[str],
                            preferences: dict[str, float], per_item: int, min_preference: float,
                            user_index: str | None = None, user_vector: list[float] | None = None,
                            neighbours: int = 10) -> Row:
    """The `per_item` heaviest explanation paths of every item (over all kinds), in one round trip (see
    `cypher/explain/`): {paths: lists [itemId, kind, weight, factors, nodes, relationships] (laid out in
    `cypher/explain/project.cypher`), heaviest first per item; items: the rows `items(…)` gives for `item_ids`}.

    `preferences` maps the user's liked item ids to their preference (0..1]; SIMILAR_USERS paths are
    searched only when the model's user index and a user vector are given.
    """
    kinds = ("shared_entity", "friend") + (("similar_users",) if user_index and user_vector else ())
    ids = padded(item_ids)
    params: dict[str, Any] = {"dataset": dataset, "userId": user_id, "itemIds": ids, "ids": ids,
                              "perItem": per_item, "minPreference": min_preference, "preferences": preferences,
                              "likedIds": padded(list(preferences))}
    if "similar_users" in kinds:
        params |= {"userIndex": user_index, "userVector": user_vector, "neighbours": neighbours}
    rows = await s.run("explain/paths", params, text=explain_query(kinds))
    return rows[0]


def show_path_cypher(kind: str) -> str:
    """The Cypher that shows one explanation path of this kind in Neo4j Browser (`cypher/explain/show_<kind>`)."""
    return load_cypher(f"explain/show_{kind}")

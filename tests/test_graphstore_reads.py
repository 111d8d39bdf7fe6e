"""The API's request sessions (`graphstore.reads.RequestSession`) against real Neo4j."""

from __future__ import annotations

import asyncio

from graphstore.provision import Credentials
from graphstore.reads import GraphReader

SLOW = "UNWIND range(1, $n) AS x WITH x WHERE x % 7 = 0 RETURN count(x) AS found"


def test_close_waits_for_a_query_left_running(neo4j_creds: Credentials) -> None:
    """A timed-out request closes its session while a DataLoader batch (a task of its own, which cancelling the
    request does not cancel) may still be reading from it. Closing must wait for that query, not read the same
    connection from a second coroutine (which raised RuntimeError and turned the timeout into a 500)."""

    async def scenario() -> tuple[list[dict], bool]:
        reader = GraphReader(neo4j_creds)
        try:
            session = reader.session(60)
            orphan = asyncio.create_task(session.run("slow", {"n": 20_000_000}, text=SLOW))
            await asyncio.sleep(0.3)  # the query is on the wire when the request gives up
            running_at_close = not orphan.done()
            await session.close()
            return await orphan, running_at_close
        finally:
            await reader.close()

    rows, running_at_close = asyncio.run(scenario())
    assert running_at_close, "the query finished before close(): make it slower"
    assert rows == [{"found": 20_000_000 // 7}]


def test_session_reopens_after_close(neo4j_creds: Credentials) -> None:
    async def scenario() -> list[dict]:
        reader = GraphReader(neo4j_creds)
        try:
            session = reader.session(30)
            await session.run("one", {}, text="RETURN 1 AS one")
            await session.close()
            return await session.run("two", {}, text="RETURN 2 AS two")
        finally:
            await reader.close()

    assert asyncio.run(scenario()) == [{"two": 2}]

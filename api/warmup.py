"""Warm-up when a worker starts, before it serves (and so before /readyz can answer): Neo4j plans every parameter
shape of the recommendation request's queries once, and the worker loads the item matrix and popularity table.

Neo4j caches a plan per query text and parameter shape (see `graphstore.reads.PADDED_LIST`); an unplanned shape
costs 0.2–7 s of planning on the request that meets it first, which on a cold, busy server pushed the first
requests past the request timeout. The queries run for a user id nobody has (one per id length bucket), so they
do no work beyond planning.
"""

from __future__ import annotations

import logging
import time

from api.context import Services
from graphstore import reads

log = logging.getLogger(__name__)
WARM_UP_S = 120.0  # planning a cold server's shapes can take a while on a busy machine
NOBODY = "~"  # the id the warm-up's queries ask for (what they find does not matter, only their shapes)


async def warm_up(services: Services) -> int:
    """Plan the hot queries of the default dataset (every dataset without one) for each id length bucket, with
    and without SIMILAR_USERS paths; load its item matrix and popularity. Returns the number of queries run."""
    settings, recommender = services.settings, services.recommender
    session = services.reader.session(WARM_UP_S)
    started, runs = time.perf_counter(), 0
    try:
        datasets = [settings.default_dataset] if settings.default_dataset else await reads.datasets(session)
        for dataset in datasets:
            await recommender.popularity(session, dataset)
            await reads.items(session, dataset, [NOBODY])  # items asked for without paths (no user id in it)
            runs += 1
            for length in reads.ID_LENGTHS:
                user_id = NOBODY * length
                profile = await recommender.profile(session, dataset, user_id)  # user_state (+ the item matrix)
                runs += 1
                model = profile.model
                for vector in [None] + ([[0.0] * model.dim] if model and model.user_index else []):
                    await reads.explanation_paths(
                        session, dataset, user_id, [NOBODY], {NOBODY: 1.0}, 1, settings.explain_min_preference,
                        user_index=model.user_index if vector else None, user_vector=vector,
                        neighbours=settings.similar_users)
                    runs += 1
    except Exception as exc:  # the service starts anyway; its first requests then plan
        log.warning("warm-up stopped after %d queries: %s: %s", runs, exc.__class__.__name__, exc)
    finally:
        await session.close()
    log.info("warm-up: %d queries planned in %.1f s", runs, time.perf_counter() - started)
    return runs

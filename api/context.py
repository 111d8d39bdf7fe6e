"""Per-process services and the per-request context: one Neo4j session, DataLoaders, the caller's API key."""

from __future__ import annotations

import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.dataloader import DataLoader

from api.errors import Forbidden, Unauthenticated
from api.explain import cache_key, explain_items
from api.explain_cache import TtlLru
from api.metrics import Metrics
from api.recommend import Recommender, UserProfile
from api.settings import ApiSettings
from api.types import (
    Entity,
    ExplanationPath,
    Interaction,
    InteractionConnection,
    InteractionEdge,
    Item,
    LinkedEntity,
    PageInfo,
    User,
)
from api.validation import check_first, check_relation, decode_cursor, encode_cursor
from graphstore import reads
from graphstore.reads import GraphReader

ExplanationKey = tuple[tuple[Any, ...], int]  # (profile key, max paths)
Explained = tuple[dict[str, list[ExplanationPath]], dict[str, Item]]  # item id → paths, item id → item


@dataclass
class Services:
    """What lives as long as the process: settings, the Neo4j driver, caches, metrics."""

    settings: ApiSettings
    reader: GraphReader
    recommender: Recommender
    metrics: Metrics
    explained: TtlLru[Explained] = field(init=False)

    def __post_init__(self) -> None:
        self.explained = TtlLru(self.settings.explain_cache_ttl_s, self.settings.explain_cache_size,
                                self.metrics.explain_cache)


@dataclass(frozen=True)
class ItemDetails:
    """The item fields loaded only when a query asks for them."""

    mean_rating: float | None
    properties: dict[str, Any]


def item_from_row(dataset: str, row: dict[str, Any]) -> Item:
    return Item(id=row["id"], dataset=dataset, title=row.get("title"), uri=row.get("uri"), domains=row["domains"],
                interactions=row["interactions"])


def _by_dataset(keys: list[tuple[str, str]]) -> dict[str, list[str]]:
    """(dataset, id) keys grouped as dataset → ids."""
    groups: dict[str, list[str]] = defaultdict(list)
    for dataset, item_id in keys:
        groups[dataset].append(item_id)
    return groups


class RequestContext:
    """Everything a resolver needs during one HTTP request."""

    def __init__(self, services: Services, request: Request, response: Response | None) -> None:
        self.services = services
        self.settings = services.settings
        self.request = request
        self.response = response
        self.session = services.reader.session(services.settings.request_timeout_s)
        self.profiles: dict[tuple[Any, ...], UserProfile] = {}
        self._items: DataLoader[tuple[str, str], Item | None] = DataLoader(self._load_items)
        self._details: DataLoader[tuple[str, str], ItemDetails] = DataLoader(self._load_details)
        self._entities: DataLoader[tuple[str, str, str | None, int], list[LinkedEntity]] = DataLoader(
            self._load_entities)
        self._explanations: DataLoader[tuple[ExplanationKey, str], list[ExplanationPath]] = DataLoader(
            self._load_explanations)

    async def close(self) -> None:
        await self.session.close()

    # --- authentication ---

    def require_key(self, operation: str) -> None:
        """Raise unless the request carries one of the configured keys in `X-API-Key`."""
        keys = self.settings.keys
        if not keys:
            raise Forbidden(f"{operation} is disabled: this server has no API keys configured (KGREC_API_KEYS)")
        sent = self.request.headers.get("x-api-key")
        if not sent:
            raise Unauthenticated(f"{operation} needs an API key: send it in the X-API-Key header")
        if not any(hmac.compare_digest(sent.encode(), key.encode()) for key in keys):
            raise Forbidden("the X-API-Key header does not hold a valid key")

    def require_query_key(self) -> None:
        """Queries need a key only when the server says so (KGREC_API_REQUIRE_KEY_FOR_QUERIES)."""
        if self.settings.require_key_for_queries:
            self.require_key("this query")

    # --- loaders ---

    async def item(self, dataset: str, item_id: str) -> Item | None:
        return await self._items.load((dataset, item_id))

    async def item_details(self, dataset: str, item_id: str) -> ItemDetails:
        return await self._details.load((dataset, item_id))

    async def linked_entities(self, dataset: str, item_id: str, relation: str | None, first: int) -> list[LinkedEntity]:
        check_first(first, self.settings)
        return await self._entities.load((dataset, item_id, check_relation(relation), first))

    async def explanations(self, key: ExplanationKey, item_id: str) -> list[ExplanationPath]:
        return await self._explanations.load((key, item_id))

    async def _load_items(self, keys: list[tuple[str, str]]) -> list[Item | None]:
        found: dict[tuple[str, str], Item] = {}
        for dataset, ids in _by_dataset(keys).items():
            for row in await reads.items(self.session, dataset, ids):
                found[(dataset, row["id"])] = item_from_row(dataset, row)
        return [found.get(key) for key in keys]

    async def _load_details(self, keys: list[tuple[str, str]]) -> list[ItemDetails]:
        found: dict[tuple[str, str], ItemDetails] = {}
        for dataset, ids in _by_dataset(keys).items():
            for row in await reads.item_details(self.session, dataset, ids):
                found[(dataset, row["id"])] = ItemDetails(row["meanRating"], dict(row["properties"]))
        return [found.get(key, ItemDetails(None, {})) for key in keys]

    async def _load_entities(self, keys: list[tuple[str, str, str | None, int]]) -> list[list[LinkedEntity]]:
        groups: dict[tuple[str, str | None, int], list[str]] = defaultdict(list)
        for dataset, item_id, relation, first in keys:
            groups[(dataset, relation, first)].append(item_id)
        found: dict[tuple[str, str, str | None, int], list[LinkedEntity]] = defaultdict(list)
        for (dataset, relation, first), ids in groups.items():
            for row in await reads.item_entities(self.session, dataset, ids, relation, first):
                entity = Entity(uri=row["uri"], name=row.get("name"), kinds=row["kinds"], degree=row["degree"])
                found[(dataset, row["id"], relation, first)].append(
                    LinkedEntity(relation=row["relation"], predicate=row.get("predicate"), entity=entity))
        return [found.get(key, []) for key in keys]

    async def _load_explanations(self, keys: list[tuple[ExplanationKey, str]]) -> list[list[ExplanationPath]]:
        groups: dict[ExplanationKey, list[str]] = defaultdict(list)
        for key, item_id in keys:
            groups[key].append(item_id)
        found: dict[tuple[ExplanationKey, str], list[ExplanationPath]] = {}
        for key, item_ids in groups.items():
            found |= {(key, item_id): p for item_id, p in (await self._explain(key, item_ids)).items()}
        return [found.get(key, []) for key in keys]

    async def _explain(self, key: ExplanationKey, item_ids: list[str]) -> dict[str, list[ExplanationPath]]:
        """Paths of these items from one query, which also returns the items: those prime the item loader."""
        paths, _ = await self._explain_with_items(key, item_ids)
        return paths

    async def _explain_with_items(self, key: ExplanationKey, item_ids: list[str]) -> Explained:
        """From the process's cache (`Services.explained`) when it holds them for this profile, else one query."""
        profile = self.profiles[key[0]]
        cache = self.services.explained
        cached_as = cache_key(profile, item_ids, key[1]) if cache.enabled and profile.exists and item_ids else None
        found = cache.get(cached_as) if cached_as is not None else None
        if found is None:
            paths, rows = await explain_items(self.session, profile, item_ids, key[1], self.settings)
            found = paths, {row["id"]: item_from_row(profile.dataset, row) for row in rows}
            if cached_as is not None:
                cache.put(cached_as, found)
        self._items.prime_many({(profile.dataset, item_id): item for item_id, item in found[1].items()})
        return found

    async def prefetch_explained(self, key: ExplanationKey, item_ids: list[str]) -> Explained:
        """Load the paths and the items of these recommendations now, in one round trip (instead of one query for
        the items and one for the paths when the response's fields resolve). Returns both (item id → paths, item id
        → item; a missing item is left out), which also prime the loaders."""
        paths, items = await self._explain_with_items(key, item_ids)
        self._explanations.prime_many({(key, item_id): p for item_id, p in paths.items()})
        return paths, items

    # --- pagination ---

    async def interactions(self, user: User, first: int, after: str | None) -> InteractionConnection:
        check_first(first, self.settings)
        cursor = decode_cursor(after) if after is not None else None
        rows = await reads.user_interactions(self.session, user.dataset, str(user.id), cursor, first + 1)
        edges = [InteractionEdge(cursor=encode_cursor(r["ts"], r["itemId"]), node=Interaction(
            item_id=r["itemId"], relation=r["relation"], rating=r.get("rating"), weight=r.get("weight"),
            timestamp=r["ts"], recorded_at=r.get("recordedAt"), dataset=user.dataset)) for r in rows[:first]]
        return InteractionConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None),
            total_count=user.interaction_count,
        )

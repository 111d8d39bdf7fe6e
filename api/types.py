"""The GraphQL types. Fields that need Neo4j resolve through the request's DataLoaders."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, NewType

import strawberry
from strawberry.scalars import JSON

from api import recommend
from api.errors import NotFound

if TYPE_CHECKING:
    from api.context import RequestContext


UnixSeconds = strawberry.scalar(
    NewType("UnixSeconds", int), serialize=int,
    description="Unix seconds as a JSON number. Unlike GraphQL's Int (32-bit) it holds instants after 2038-01-19.")
Strategy = strawberry.enum(recommend.Strategy, description="How a user's recommendations were computed.")


@strawberry.enum(description="The shape of an explanation path.")
class PathKind(enum.Enum):
    SHARED_ENTITY = "SHARED_ENTITY"
    SIMILAR_USERS = "SIMILAR_USERS"
    FRIEND = "FRIEND"


@strawberry.enum
class NodeKind(enum.Enum):
    USER = "USER"
    ITEM = "ITEM"
    ENTITY = "ENTITY"


@strawberry.type(description="A knowledge-graph entity (DBpedia resource, genre, …).")
class Entity:
    uri: str
    name: str | None
    kinds: list[str] = strawberry.field(description="Labels besides Entity, e.g. Genre.")
    degree: int = strawberry.field(description="How many nodes link to it (lower = more specific).")


@strawberry.type(description="An item's link to an entity.")
class LinkedEntity:
    relation: str = strawberry.field(description="Relationship type, e.g. DIRECTOR, STARRING, HAS_GENRE.")
    predicate: str | None = strawberry.field(description="The full predicate IRI, when known.")
    entity: Entity


@strawberry.type
class Item:
    id: strawberry.ID
    dataset: str
    title: str | None
    uri: str | None
    domains: list[str] = strawberry.field(description="Domain labels, e.g. Movie.")
    interactions: int = strawberry.field(description="How many users rated or interacted with it.")

    @strawberry.field
    async def mean_rating(self, info: strawberry.Info[RequestContext, None]) -> float | None:
        return (await info.context.item_details(self.dataset, str(self.id))).mean_rating

    @strawberry.field(description="Its other properties (embeddings left out).")
    async def properties(self, info: strawberry.Info[RequestContext, None]) -> JSON:
        return (await info.context.item_details(self.dataset, str(self.id))).properties

    @strawberry.field(description="Linked entities (director, starring, subject, genre …), most specific first.")
    async def entities(self, info: strawberry.Info[RequestContext, None], relation: str | None = None,
                       first: int = 50) -> list[LinkedEntity]:
        return await info.context.linked_entities(self.dataset, str(self.id), relation, first)


async def _load_item(info: strawberry.Info[RequestContext, None], dataset: str, item_id: str) -> Item:
    item = await info.context.item(dataset, item_id)
    if item is None:
        raise NotFound(f"unknown item {item_id!r} in dataset {dataset!r}")
    return item


# The layout of the lists `cypher/explain/project.cypher` returns (lists, not maps: see there): a path, one of its
# nodes, one of its relationships.
PATH_ITEM_ID, PATH_KIND, PATH_WEIGHT, PATH_FACTORS, PATH_NODES, PATH_RELATIONSHIPS = range(6)
NODE_ID, NODE_TITLE, NODE_NAME, NODE_URI, NODE_LABELS = range(5)
REL_TYPE, REL_RATING, REL_WEIGHT, REL_PREDICATE, REL_FORWARD = range(5)


@strawberry.type(description="A node on an explanation path.")
class PathNode:
    kind: NodeKind
    id: str = strawberry.field(description="User or item id, or the entity's URI.")
    name: str | None = strawberry.field(description="Title, entity name, or 'user <id>'.")
    labels: list[str]

    @classmethod
    def from_row(cls, node: list[Any]) -> PathNode:
        """A node list of `cypher/explain/project.cypher`."""
        labels = node[NODE_LABELS]
        if "User" in labels:
            return cls(kind=NodeKind.USER, id=node[NODE_ID], name=f"user {node[NODE_ID]}", labels=labels)
        if "Item" in labels:
            return cls(kind=NodeKind.ITEM, id=node[NODE_ID], name=node[NODE_TITLE], labels=labels)
        return cls(kind=NodeKind.ENTITY, id=node[NODE_URI], name=node[NODE_NAME], labels=labels)


@strawberry.type(description="A relationship on an explanation path, in its stored direction.")
class PathRelationship:
    type: str
    source: int = strawberry.field(description="Index in `nodes` of its start node.")
    target: int = strawberry.field(description="Index in `nodes` of its end node.")
    rating: float | None
    weight: float | None
    predicate: str | None

    @classmethod
    def from_row(cls, k: int, rel: list[Any]) -> PathRelationship:
        """The `k`-th relationship list of `cypher/explain/project.cypher` (it joins nodes k and k + 1)."""
        source, target = (k, k + 1) if rel[REL_FORWARD] else (k + 1, k)
        return cls(type=rel[REL_TYPE], source=source, target=target, rating=rel[REL_RATING],
                   weight=rel[REL_WEIGHT], predicate=rel[REL_PREDICATE])


@strawberry.type(description="A real path in the graph from the user to the recommended item.")
class ExplanationPath:
    kind: PathKind
    weight: float = strawberry.field(description="Ranking weight; see `factors` and cypher/explain/*.cypher.")
    factors: JSON = strawberry.field(description="The factors multiplied into `weight`.")
    sentence: str
    cypher: str = strawberry.field(description="Parameterised Cypher that shows this path in Neo4j Browser.")
    parameters: JSON = strawberry.field(description="Its parameters (paste with `:param` in Browser).")
    row: strawberry.Private[list[Any]]  # nodes and relationships are built only when a query asks for them

    @strawberry.field
    def nodes(self) -> list[PathNode]:
        return [PathNode.from_row(node) for node in self.row[PATH_NODES]]

    @strawberry.field
    def relationships(self) -> list[PathRelationship]:
        return [PathRelationship.from_row(k, rel) for k, rel in enumerate(self.row[PATH_RELATIONSHIPS])]


@strawberry.type
class ModelVersion:
    dataset: str
    name: str
    version: int
    dim: int
    similarity: str
    active: bool
    trained_at: str
    property: str = strawberry.field(description="Node property holding its embeddings.")
    item_index: str | None
    user_index: str | None
    metrics: JSON
    params: JSON


@strawberry.type
class Recommendation:
    """`item` and `explanations` come from the request's loaders, or, when `recommendations` already fetched them
    (the usual query), straight from `loaded_item` / `loaded_explanations`: those resolvers are then plain functions
    returning values, so GraphQL execution schedules no task or loader future per recommendation (they return an
    awaitable, which the executor awaits, only when they must load)."""

    rank: int
    score: float = strawberry.field(description="The model's score (dot or cosine), or the popularity count.")
    item_id: strawberry.ID
    dataset: strawberry.Private[str]
    explanation_key: strawberry.Private[tuple | None]
    loaded_item: strawberry.Private[Item | None] = None
    loaded_explanations: strawberry.Private[list[ExplanationPath] | None] = None

    @strawberry.field
    def item(self, info: strawberry.Info[RequestContext, None]) -> Item:
        if self.loaded_item is not None:
            return self.loaded_item
        return _load_item(info, self.dataset, str(self.item_id))  # type: ignore[return-value]  # awaited by graphql

    @strawberry.field(description="Explanation paths, heaviest first (null when explain: false).")
    def explanations(self, info: strawberry.Info[RequestContext, None]) -> list[ExplanationPath] | None:
        if self.explanation_key is None:
            return None
        if self.loaded_explanations is not None:
            return self.loaded_explanations
        return info.context.explanations(self.explanation_key, str(self.item_id))  # type: ignore[return-value]


@strawberry.type
class Recommendations:
    user_id: strawberry.ID
    dataset: str
    strategy: Strategy
    model: ModelVersion | None = strawberry.field(description="The version that scored them (null for popularity).")
    items: list[Recommendation]


@strawberry.type
class SimilarItem:
    score: float = strawberry.field(description="Vector-index cosine score, (1 + cos) / 2.")
    item_id: strawberry.ID
    dataset: strawberry.Private[str]

    @strawberry.field
    async def item(self, info: strawberry.Info[RequestContext, None]) -> Item:
        return await _load_item(info, self.dataset, str(self.item_id))


@strawberry.type
class Interaction:
    item_id: strawberry.ID
    relation: str = strawberry.field(description="RATED or INTERACTED.")
    rating: float | None
    weight: float | None
    timestamp: UnixSeconds = strawberry.field(description="Unix seconds (0 when unknown).")
    recorded_at: str | None = strawberry.field(description="When the API recorded it (null for ingested rows).")
    dataset: strawberry.Private[str]

    @strawberry.field
    async def item(self, info: strawberry.Info[RequestContext, None]) -> Item:
        return await _load_item(info, self.dataset, str(self.item_id))


@strawberry.type
class InteractionEdge:
    cursor: str
    node: Interaction


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class InteractionConnection:
    edges: list[InteractionEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class User:
    id: strawberry.ID
    dataset: str
    properties: JSON = strawberry.field(description="Its attributes (age, gender, … as ingested).")
    interaction_count: int

    @strawberry.field(description="Interaction history, newest first, cursor-paginated.")
    async def interactions(self, info: strawberry.Info[RequestContext, None], first: int = 20,
                           after: str | None = None) -> InteractionConnection:
        return await info.context.interactions(self, first, after)


@strawberry.type
class Dataset:
    name: str
    domain: str | None
    explicit: bool
    users: int
    items: int
    min_rating: float | None
    max_rating: float | None
    split_names: list[str]


@strawberry.type(description="The interaction as stored.")
class RecordedInteraction:
    user_id: strawberry.ID
    item_id: strawberry.ID
    dataset: str
    relation: str
    value: float
    timestamp: UnixSeconds
    recorded_at: str
    interaction_count: int = strawberry.field(description="The user's interactions now.")


@strawberry.input(description="Which items may be recommended.")
class RecommendationFilter:
    domain: str | None = strawberry.field(default=None, description="Only items with this label, e.g. Movie.")
    exclude_seen: bool = strawberry.field(default=True, description="Leave out items the user interacted with.")
    linked_to: list[str] | None = strawberry.field(
        default=None, description="Only items linked to every one of these entity URIs.")


@strawberry.input(description="A model version other than the active one.")
class ModelSelector:
    name: str
    version: int | None = strawberry.field(default=None, description="Default: its newest version.")


IdArg = Annotated[strawberry.ID, strawberry.argument(description="The dataset's own id.")]
TimestampArg = Annotated[int | None, strawberry.argument(
    description="When it happened, in unix seconds (a GraphQL Int: up to 2038-01-19; use `at` for later instants).")]
AtArg = Annotated[datetime | None, strawberry.argument(
    description="When it happened, as an ISO-8601 date-time with a UTC offset, e.g. 2041-05-01T12:00:00Z.")]


def _max_paths_arg(default: int) -> Any:
    """The `maxPaths` argument: optional, `default` (or the server's cap, when lower) when not given."""
    return Annotated[int | None, strawberry.argument(
        description=f"Explanation paths per item; default {default}, or the server's cap if that is lower.")]


RECOMMENDATION_PATHS, EXPLAIN_PATHS = 3, 5  # maxPaths when a request does not say
RecommendationPathsArg = _max_paths_arg(RECOMMENDATION_PATHS)
ExplainPathsArg = _max_paths_arg(EXPLAIN_PATHS)

"""The GraphQL schema: thin resolvers over `api.recommend`, `api.explain` and `graphstore.reads`."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.types import ExecutionContext

from api.context import RequestContext, item_from_row
from api.errors import BadInput, NotFound, ShapeErrors, is_expected
from api.recommend import Strategy, UserProfile
from api.scoring import ModelInfo
from api.settings import ApiSettings
from api.types import (
    EXPLAIN_PATHS,
    RECOMMENDATION_PATHS,
    AtArg,
    Dataset,
    ExplainPathsArg,
    ExplanationPath,
    IdArg,
    Item,
    ModelSelector,
    ModelVersion,
    Recommendation,
    RecommendationFilter,
    RecommendationPathsArg,
    Recommendations,
    RecordedInteraction,
    SimilarItem,
    TimestampArg,
    User,
)
from api.validation import (
    check_first,
    check_id,
    check_max_paths,
    check_value,
    dataset_name,
    interaction_time,
)
from graphstore import reads

log = logging.getLogger(__name__)
Info = strawberry.Info[RequestContext, None]
MAX_LINKED_TO = 10
MAX_WEIGHT = 1e9


def model_version(m: ModelInfo) -> ModelVersion:
    return ModelVersion(dataset=m.dataset, name=m.name, version=m.version, dim=m.dim, similarity=m.similarity,
                        active=m.active, trained_at=m.trained_at, property=m.property, item_index=m.item_index,
                        user_index=m.user_index, metrics=m.metrics, params=m.params)


async def _profile(info: Info, dataset: str | None, user_id: str, model: ModelSelector | None) -> UserProfile:
    ctx, settings = info.context, info.context.settings
    name = dataset_name(dataset, settings)
    check_id(user_id, "userId", settings)
    if model is not None:
        check_id(model.name, "model.name", settings)
    profile = await ctx.services.recommender.profile(ctx.session, name, user_id, model.name if model else None,
                                                     model.version if model else None)
    ctx.profiles[profile.key] = profile
    return profile


def _selects(info: Info, *path: str) -> bool:
    """Whether the query selects this path of fields below the current one by name (not through fragments)."""
    fields = info.selected_fields
    for name in path:
        fields = [sub for field in fields for sub in getattr(field, "selections", ())
                  if getattr(sub, "name", None) == name]
    return bool(fields)


@strawberry.type
class Query:
    @strawberry.field(description="Top items for a user, exactly scored by the model (or folded in, or popular).")
    async def recommendations(self, info: Info, user_id: IdArg, dataset: str | None = None, first: int = 10,
                              model: ModelSelector | None = None, filter: RecommendationFilter | None = None,
                              explain: bool = True, max_paths: RecommendationPathsArg = None) -> Recommendations:
        ctx = info.context
        ctx.require_query_key()
        check_first(first, ctx.settings)
        max_paths = check_max_paths(max_paths, ctx.settings, RECOMMENDATION_PATHS)
        flt = filter or RecommendationFilter()
        if flt.linked_to is not None and len(flt.linked_to) > MAX_LINKED_TO:
            raise BadInput(f"linkedTo takes at most {MAX_LINKED_TO} entity URIs")
        for uri in flt.linked_to or []:
            check_id(uri, "linkedTo entry", ctx.settings)
        if flt.domain is not None:
            check_id(flt.domain, "domain", ctx.settings)
        profile = await _profile(info, dataset, str(user_id), model)
        ranked = await ctx.services.recommender.recommend(ctx.session, profile, first, flt.domain, flt.exclude_seen,
                                                          flt.linked_to)
        ctx.services.metrics.strategies.labels(profile.strategy.value).inc()
        key = (profile.key, max_paths) if explain else None
        paths: dict[str, list[ExplanationPath]] = {}
        items: dict[str, Item] = {}
        if key is not None and profile.exists and _selects(info, "items", "explanations") \
                and _selects(info, "items", "item"):
            paths, items = await ctx.prefetch_explained(key, [r.item_id for r in ranked])
        return Recommendations(
            user_id=strawberry.ID(profile.user_id), dataset=profile.dataset,
            strategy=profile.strategy,
            model=model_version(profile.model) if profile.strategy is not Strategy.POPULARITY else None,
            items=[Recommendation(rank=r.rank, score=r.score, item_id=strawberry.ID(r.item_id),
                                  dataset=profile.dataset, explanation_key=key, loaded_item=items.get(r.item_id),
                                  loaded_explanations=paths.get(r.item_id)) for r in ranked],
        )

    @strawberry.field(description="Items nearest to an item in the active model's item vector index.")
    async def similar_items(self, info: Info, item_id: IdArg, dataset: str | None = None,
                            first: int = 10) -> list[SimilarItem]:
        ctx = info.context
        ctx.require_query_key()
        name = dataset_name(dataset, ctx.settings)
        check_id(str(item_id), "itemId", ctx.settings)
        check_first(first, ctx.settings)
        found = await reads.similar_items(ctx.session, name, str(item_id), first)
        if not found["itemExists"]:
            await ctx.services.recommender.dataset(ctx.session, name)  # an unknown dataset gets its own message
            raise NotFound(f"unknown item {str(item_id)!r} in dataset {name!r}")
        if not found["hasModel"]:
            raise NotFound(f"dataset {name!r} has no active model version")
        return [SimilarItem(score=r["score"], item_id=strawberry.ID(r["id"]), dataset=name) for r in found["similar"]]

    @strawberry.field(description="A user, with their paginated interaction history.")
    async def user(self, info: Info, id: IdArg, dataset: str | None = None) -> User | None:
        ctx = info.context
        ctx.require_query_key()
        name = dataset_name(dataset, ctx.settings)
        check_id(str(id), "id", ctx.settings)
        row = await reads.user(ctx.session, name, str(id))
        if row is None:
            await ctx.services.recommender.dataset(ctx.session, name)  # unknown dataset → its own message
            raise NotFound(f"unknown user {str(id)!r} in dataset {name!r}")
        return User(id=strawberry.ID(row["id"]), dataset=name, properties=dict(row["properties"]),
                    interaction_count=row["interactions"])

    @strawberry.field(description="An item, with its linked entities.")
    async def item(self, info: Info, id: IdArg, dataset: str | None = None) -> Item | None:
        ctx = info.context
        ctx.require_query_key()
        name = dataset_name(dataset, ctx.settings)
        check_id(str(id), "id", ctx.settings)
        rows = await reads.items(ctx.session, name, [str(id)])
        if not rows:
            await ctx.services.recommender.dataset(ctx.session, name)
            raise NotFound(f"unknown item {str(id)!r} in dataset {name!r}")
        return item_from_row(name, rows[0])

    @strawberry.field(description="Explanation paths linking a user's history to any item.")
    async def explain(self, info: Info, user_id: IdArg, item_id: IdArg, dataset: str | None = None,
                      max_paths: ExplainPathsArg = None, model: ModelSelector | None = None
                      ) -> list[ExplanationPath]:
        ctx = info.context
        ctx.require_query_key()
        max_paths = check_max_paths(max_paths, ctx.settings, EXPLAIN_PATHS)
        check_id(str(item_id), "itemId", ctx.settings)
        profile = await _profile(info, dataset, str(user_id), model)
        if not profile.exists:
            raise NotFound(f"unknown user {str(user_id)!r} in dataset {profile.dataset!r}")
        if await ctx.item(profile.dataset, str(item_id)) is None:
            raise NotFound(f"unknown item {str(item_id)!r} in dataset {profile.dataset!r}")
        return await ctx.explanations((profile.key, max_paths), str(item_id))

    @strawberry.field(description="Model versions (of one dataset, or all), newest first.")
    async def models(self, info: Info, dataset: str | None = None) -> list[ModelVersion]:
        ctx = info.context
        ctx.require_query_key()
        if dataset is not None:
            check_id(dataset, "dataset", ctx.settings)
            await ctx.services.recommender.dataset(ctx.session, dataset)  # unknown dataset → NOT_FOUND, not []
        return [model_version(ModelInfo.from_node(row)) for row in await reads.models(ctx.session, dataset)]

    @strawberry.field(description="The ingested datasets.")
    async def datasets(self, info: Info) -> list[Dataset]:
        ctx = info.context
        ctx.require_query_key()
        out = []
        for name in await reads.datasets(ctx.session):
            row = await ctx.services.recommender.dataset(ctx.session, name)
            out.append(Dataset(name=row["name"], domain=row.get("domain"), explicit=row["explicit"],
                               users=row["users"], items=row["items"], min_rating=row.get("minRating"),
                               max_rating=row.get("maxRating"), split_names=row["splitNames"]))
        return out


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a rating (explicit datasets) or a weight (implicit ones), written at "
                                     "once, dated `timestamp` or `at` (default: now). The user's next "
                                     "recommendations fold it in without retraining.")
    async def record_interaction(self, info: Info, user_id: IdArg, item_id: IdArg, dataset: str | None = None,
                                 rating: float | None = None, weight: float | None = None,
                                 timestamp: TimestampArg = None, at: AtArg = None) -> RecordedInteraction:
        ctx = info.context
        ctx.require_key("recordInteraction")
        name = dataset_name(dataset, ctx.settings)
        check_id(str(user_id), "userId", ctx.settings)
        check_id(str(item_id), "itemId", ctx.settings)
        ts = interaction_time(timestamp, at)
        info_row = await ctx.services.recommender.dataset(ctx.session, name)
        if info_row["explicit"]:
            if rating is None or weight is not None:
                raise BadInput(f"dataset {name!r} has explicit feedback: send a rating (and no weight)")
            low, high = info_row.get("minRating"), info_row.get("maxRating")
            value = check_value(rating, "rating", low if low is not None else 0.0, high if high is not None else 10.0)
            relation = "RATED"
        else:
            if weight is None or rating is not None:
                raise BadInput(f"dataset {name!r} has implicit feedback: send a weight (and no rating)")
            value, relation = check_value(weight, "weight", 0.0, MAX_WEIGHT), "INTERACTED"
        row = await reads.record_interaction(ctx.session, name, str(user_id), str(item_id), relation, value, ts)
        if row is None:
            raise NotFound(f"unknown item {str(item_id)!r} in dataset {name!r}")
        return RecordedInteraction(user_id=strawberry.ID(row["userId"]), item_id=strawberry.ID(row["itemId"]),
                                   dataset=name, relation=row["relation"], value=row["value"], timestamp=row["ts"],
                                   recorded_at=row["recordedAt"], interaction_count=row["interactions"])


class KgrecSchema(strawberry.Schema):
    """Logs unexpected errors with their trace (clients only see them masked)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if not is_expected(error):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)


def build_schema(settings: ApiSettings) -> strawberry.Schema:
    """The schema with the limits of `settings`: depth, tokens, aliases, shaped errors, introspection."""
    extensions = [
        QueryDepthLimiter(max_depth=settings.max_depth),
        MaxTokensLimiter(max_token_count=settings.max_tokens),
        MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        ShapeErrors(),
        ParserCache(maxsize=256),  # the same documents with new variables skip parsing and validation
        ValidationCache(maxsize=256),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection())
    return KgrecSchema(query=Query, mutation=Mutation, extensions=extensions)

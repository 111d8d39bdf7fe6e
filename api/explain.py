"""Explanation paths: rows of `cypher/explain/*.cypher` → nodes, relationships, a sentence, and the Cypher
(with parameters) that shows the same path in Neo4j Browser."""

from __future__ import annotations

from typing import Any

from api.recommend import UserProfile
from api.settings import ApiSettings
from api.types import (
    NODE_ID,
    NODE_NAME,
    NODE_TITLE,
    NODE_URI,
    PATH_ITEM_ID,
    REL_RATING,
    REL_TYPE,
    ExplanationPath,
    PathKind,
)
from graphstore import reads
from graphstore.reads import RequestSession

# How a relationship type reads in a sentence (others: its name in lower case).
ROLES = {
    "DIRECTOR": "director", "WRITER": "writer", "PRODUCER": "producer", "DISTRIBUTOR": "distributor",
    "CINEMATOGRAPHY": "cinematographer", "MUSIC_COMPOSER": "composer", "COMPOSER": "composer",
    "EDITING": "editor", "AUTHOR": "author", "PUBLISHER": "publisher", "ILLUSTRATOR": "illustrator",
    "SERIES": "series", "RECORD_LABEL": "record label", "ARTIST": "artist", "BRAND": "brand",
    "STARRING": "star",
}


def _title(node: list[Any]) -> str:
    return f"*{node[NODE_TITLE] or 'item ' + str(node[NODE_ID])}*"


def _stars(value: float) -> str:
    return f"{int(value)}★" if float(value).is_integer() else f"{value:g}★"


def _did(rel: list[Any], subject: str, item: list[Any]) -> str:
    """"You rated *Heat* 5★" / "user 7 interacted with *Heat*"."""
    if rel[REL_RATING] is not None:
        return f"{subject} rated {_title(item)} {_stars(rel[REL_RATING])}"
    return f"{subject} interacted with {_title(item)}"


def _role(relation: str) -> str:
    return ROLES.get(relation, relation.lower().replace("_", " "))


def _shared_entity_sentence(nodes: list[list], rels: list[list]) -> str:
    history, entity, item = nodes[1], nodes[2], nodes[3]
    name = entity[NODE_NAME] or entity[NODE_URI]
    first = _did(rels[0], "You", history)
    k1, k2 = rels[1][REL_TYPE], rels[2][REL_TYPE]
    if k1 != k2:
        return f"{first}; {name} is linked to it as {_role(k1)} and to {_title(item)} as {_role(k2)}."
    if k1 == "HAS_GENRE":
        return f"{first}; {_title(item)} is also in the genre {name}."
    if k1 == "SUBJECT":
        return f"{first}; {_title(item)} is also in the category {name}."
    if k1 == "STARRING":
        return f"{first}; {_title(item)} also stars {name}."
    return f"{first}; {_title(item)} has the same {_role(k1)}, {name}."


def _similar_users_sentence(nodes: list[list], rels: list[list]) -> str:
    history, neighbour, item = nodes[1], nodes[2], nodes[3]
    first = _did(rels[0], "You", history)
    also = _did(rels[1], f"user {neighbour[NODE_ID]}, whose taste is close to yours, also", history)
    then = _did(rels[2], "", item).strip()
    return f"{first}; {also} and {then}."


def _friend_sentence(nodes: list[list], rels: list[list]) -> str:
    friend, item = nodes[1], nodes[2]
    who = (f"Your friend {friend[NODE_ID]}" if rels[0][REL_TYPE] == "FRIEND"
           else f"User {friend[NODE_ID]}, whom you trust,")
    return _did(rels[1], who, item) + "."


def _parameters(kind: str, dataset: str, nodes: list[list], rels: list[list]) -> dict[str, Any]:
    """The parameters of `cypher/explain/show_<kind>.cypher` that select exactly this path."""
    base = {"dataset": dataset, "userId": nodes[0][NODE_ID], "itemId": nodes[-1][NODE_ID]}
    if kind == "SHARED_ENTITY":
        return base | {"historyItemId": nodes[1][NODE_ID], "historyRelation": rels[1][REL_TYPE],
                       "entityUri": nodes[2][NODE_URI], "itemRelation": rels[2][REL_TYPE]}
    if kind == "SIMILAR_USERS":
        return base | {"historyItemId": nodes[1][NODE_ID], "neighbourId": nodes[2][NODE_ID]}
    return base | {"friendId": nodes[1][NODE_ID], "socialRelation": rels[0][REL_TYPE]}


SENTENCES = {"SHARED_ENTITY": _shared_entity_sentence, "SIMILAR_USERS": _similar_users_sentence,
             "FRIEND": _friend_sentence}


def to_path(dataset: str, row: list[Any]) -> ExplanationPath:
    """One path of the explanation query (a list, see `cypher/explain/project.cypher`) as a GraphQL path."""
    _, kind, weight, factors, nodes, rels = row
    return ExplanationPath(kind=PathKind(kind), weight=float(weight), factors=factors,
                           sentence=SENTENCES[kind](nodes, rels), cypher=reads.show_path_cypher(kind.lower()),
                           parameters=_parameters(kind, dataset, nodes, rels), row=row)


def searches_similar_users(profile: UserProfile) -> bool:
    """Whether this profile's paths include SIMILAR_USERS (it needs a user vector and the model's user index)."""
    return profile.vector is not None and profile.model is not None and bool(profile.model.user_index)


def cache_key(profile: UserProfile, item_ids: list[str], max_paths: int) -> tuple[Any, ...]:
    """Everything `explain_items` depends on besides the graph other users and ingests change (see
    `api.explain_cache`): the user and model version, the strategy (whose vector finds the similar users), the
    kinds searched, the history's fingerprint, the items in order and `max_paths`."""
    return (profile.key, profile.strategy, searches_similar_users(profile), profile.history_fingerprint,
            tuple(item_ids), max_paths)


async def explain_items(s: RequestSession, profile: UserProfile, item_ids: list[str], max_paths: int,
                        settings: ApiSettings) -> tuple[dict[str, list[ExplanationPath]], list[dict[str, Any]]]:
    """The `max_paths` heaviest paths for each item (over all kinds), from one query; items without a path map to [].
    The same round trip returns the items' rows (as `graphstore.reads.items`; [] when nothing was asked).

    Paths start from the user's `explain_history` most-liked items (bounding the work for heavy users).
    """
    out: dict[str, list[ExplanationPath]] = {item_id: [] for item_id in item_ids}
    if not profile.exists or not item_ids:
        return out, []
    with_vector = searches_similar_users(profile)
    row = await reads.explanation_paths(
        s, profile.dataset, profile.user_id, list(dict.fromkeys(item_ids)),
        profile.preferences(settings.explain_min_preference, settings.explain_history),
        max_paths, settings.explain_min_preference,
        user_index=profile.model.user_index if with_vector else None,
        user_vector=profile.vector.tolist() if with_vector else None,
        neighbours=settings.similar_users,
    )
    for path in row["paths"]:  # heaviest first within each item, at most `max_paths` each
        out[path[PATH_ITEM_ID]].append(to_path(profile.dataset, path))
    return out, row["items"]

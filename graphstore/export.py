"""Neo4j → PyG `HeteroData`: a dataset's interactions, knowledge and social links, with id maps.

Node order is the sorted dataset ids (users, items) and IRIs (entities), and edges are in (head, tail) order, so an
export is reproducible: the same data gives the same tensors, whatever order it was ingested in.
Cypher aggregates rows into lists (one record per batch of users, per relationship type), and ids become tensor
indices through vectorised `pandas.Index.get_indexer`, so no Python work is done per interaction. Interactions carry
the user's position in its batch and the item's internal node id (packed into one integer), the id mapped to the
item's index through a node map read in the same transaction, so the server reads only the relationship's own
properties per interaction.

The contract (what `learner` relies on):
- `data.dataset`, `data.explicit` (ratings vs implicit), `data.split_names` (bit i of `test_in`);
- `data['user'].ids`, `data['item'].ids`, `data['item'].titles`, `data['entity'].uris`, `.names`;
- `data['user', 'rates', 'item']`: `edge_index`, `rating` (rating or weight), `ts`, `test_in` (bitmask);
- `data['item', rel, 'entity']` and `data['entity', rel, 'entity']` per knowledge relationship type;
- `data['user', 'friend' | 'trusts', 'user']` social links as stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter

import numpy as np
import pandas as pd
import torch
from neo4j import Driver, ManagedTransaction, Record
from torch_geometric.data import HeteroData

from graphstore import split_bits
from graphstore.cypher_files import load_cypher

log = logging.getLogger(__name__)

READERS = 2  # sessions reading interaction batches at once
SPAN = 1 << 15  # export/interactions packs (item node id, user position) as node id × SPAN + position
# export/interactions' edge attribute lists, read as numpy arrays (torch ops on a busy machine cost more in thread
# start-up)
COLUMNS = (("ts", np.int64), ("rating", np.float32), ("test_in", np.int64))
QUERIES = ("users", "items", "item_nodes", "interactions", "interactions_any", "knowledge", "entities",
           "entity_links", "social", "user_nodes")


class ExportError(LookupError):
    """The dataset cannot be exported (not ingested, no interactions, …)."""


def _one(driver: Driver, query: str, params: dict, database: str) -> dict:
    records, _, _ = driver.execute_query(query, params, database_=database)
    return dict(records[0].items()) if records else {}


def _indexer(ids: list[str]) -> pd.Index:
    return pd.Index(np.asarray(ids, dtype=object))


def _canonical(h: np.ndarray, t: np.ndarray, *ties: np.ndarray) -> np.ndarray:
    """The order sorting edges by (head, tail), then by `ties` where a pair repeats. The store returns a node's
    relationships in the order they were written, and seeded splits and samplers pick edges by position: without
    it the same seed would split the same data differently after an ingest in another row order."""
    key = h * (int(t.max(initial=-1)) + 1) + t
    order = np.argsort(key, kind="stable")
    if ties and bool((np.diff(key[order]) == 0).any()):
        order = np.lexsort((*reversed(ties), key))
    return order


def _edges(h: np.ndarray, t: np.ndarray) -> torch.Tensor:
    """An edge_index from head and tail tensor indices in (head, tail) order, without the edges where either is -1
    (not exported)."""
    keep = (h >= 0) & (t >= 0)
    h, t = h[keep], t[keep]
    order = _canonical(h, t)
    return torch.from_numpy(np.stack([h[order], t[order]]).astype(np.int64))


def _node_map(nodes: list[int], to_tensor: np.ndarray) -> Callable[[list[int]], np.ndarray]:
    """Internal node ids → tensor indices, where node `nodes[j]` has index `to_tensor[j]`; -1 for a node that is not
    among `nodes`. The lookup index is built once per map."""
    index = pd.Index(np.asarray(nodes, dtype=np.int64))
    padded = np.append(to_tensor, -1)  # get_indexer's -1 picks the appended -1
    return lambda query: padded[index.get_indexer(np.asarray(query, dtype=np.int64))]


def _metadata(driver: Driver, dataset: str, database: str) -> dict:
    meta = _one(driver, load_cypher("export/dataset"), {"dataset": dataset}, database)
    if not meta:
        raise ExportError(f"dataset {dataset!r} is not in Neo4j; run `kgrec ingest {dataset}` first")
    return meta


def official_splits(driver: Driver, dataset: str, database: str = "neo4j") -> list[str]:
    """The official split names stored with a dataset (ExportError when it is not in Neo4j), to check a split name
    before an export."""
    return list(_metadata(driver, dataset, database).get("split_names") or [])


def export_graph(driver: Driver, dataset: str, *, knowledge: bool = True, social: bool = True,
                 database: str = "neo4j", batch_users: int = 20_000) -> HeteroData:
    """Export one dataset as a `HeteroData` (see the module docstring for its contract)."""
    q = {name: load_cypher(f"export/{name}") for name in QUERIES}
    with ThreadPoolExecutor(2) as side:  # metadata alongside the users query, items alongside the batches
        meta_rec = side.submit(_metadata, driver, dataset, database)
        item_rec = side.submit(_one, driver, q["items"], {"dataset": dataset}, database)
        user_ids = _one(driver, q["users"], {"dataset": dataset}, database)["ids"]
        meta = meta_rec.result()
        splits: list[str] = list(meta.get("split_names") or [])
        batches = _interaction_batches(driver, q, dataset, bool(meta.get("explicit")), user_ids, splits, database,
                                       batch_users)
        item_ids, titles = itemgetter("ids", "titles")(item_rec.result())
    users, items = _indexer(user_ids), _indexer(item_ids)

    data = HeteroData()
    data.dataset, data.explicit, data.split_names = dataset, bool(meta.get("explicit")), splits
    data["user"].num_nodes, data["user"].ids = len(user_ids), user_ids
    data["item"].num_nodes, data["item"].ids, data["item"].titles = len(item_ids), item_ids, titles

    if not sum(b["pairs"].size for b in batches):
        raise ExportError(f"dataset {dataset!r} has no interactions in Neo4j")
    heads = np.concatenate([b["pairs"] % SPAN + b["start"] for b in batches])
    tails = np.concatenate([_id_map(b["item_nodes"], items)(b["pairs"] // SPAN) for b in batches])
    columns = {name: np.concatenate([b[name] for b in batches]) for name, _ in COLUMNS}
    keep = tails >= 0  # False for an end node that is not one of the items read above (e.g. added since)
    if not keep.all():
        heads, tails, columns = heads[keep], tails[keep], {name: c[keep] for name, c in columns.items()}
    order = _canonical(heads, tails, *columns.values())
    rel = data["user", "rates", "item"]
    rel.edge_index = torch.from_numpy(np.stack([heads[order], tails[order]]))
    for name, values in columns.items():
        rel[name] = torch.from_numpy(values[order])

    if knowledge:
        _add_knowledge(driver, q, data, dataset, items, database)
    if social:
        _add_social(driver, q, data, dataset, users, database)
    log.info("exported %s: %d users, %d items, %d interactions, %d entities", dataset, len(user_ids),
             len(item_ids), rel.edge_index.size(1), data["entity"].num_nodes if "entity" in data.node_types else 0)
    return data


def _id_map(nodes: dict, index: pd.Index) -> Callable[[list[int]], np.ndarray]:
    """User or item node ids → tensor indices, through the node map `nodes` ("nodes", "ids") of their transaction."""
    return _node_map(nodes["nodes"], index.get_indexer(np.asarray(nodes["ids"], dtype=object)))


def _arrays(batch: Record) -> dict[str, np.ndarray]:
    """A batch's packed "pairs" and COLUMNS as arrays."""
    return {"pairs": np.asarray(batch["pairs"], dtype=np.int64)} | {
        name: np.asarray(batch[name], dtype=dtype) for name, dtype in COLUMNS}


def _complete(batch: Record) -> bool:
    """Whether every list of the batch has a value per interaction (`collect` skips nulls: a shorter list means
    some relationship lacks that property)."""
    return all(len(batch[name]) == len(batch["pairs"]) for name, _ in COLUMNS)


def _interaction_batches(driver: Driver, q: dict[str, str], dataset: str, explicit: bool, user_ids: list[str],
                         splits: list[str], database: str, batch_users: int) -> list[dict]:
    """Per batch of users, its packed "pairs" and COLUMNS as arrays, its first user's index ("start") and the item
    node map of its transaction ("item_nodes"). READERS batches are read concurrently (the server runs each query on one
    thread), and each is decoded into arrays on its reader thread, while the server still works on the others."""
    bits = split_bits(splits)
    value = "rating" if explicit else "weight"  # the property kgrec writes: RATED's rating, INTERACTED's weight
    size = max(1, min(batch_users, SPAN, -(-len(user_ids) // READERS)))

    def in_one_transaction(tx: ManagedTransaction, params: dict) -> dict:
        nodes = dict(tx.run(q["item_nodes"], dataset=dataset).single(strict=True).items())
        batch = tx.run(q["interactions"], params).single(strict=True)
        if not _complete(batch):  # a relationship lacks a property kgrec writes: the general query fills it in
            batch = tx.run(q["interactions_any"], params).single(strict=True)
        return {**_arrays(batch), "item_nodes": nodes}

    def read(start: int) -> dict:
        params = {"dataset": dataset, "bits": bits, "span": SPAN, "value": value, "users": user_ids[start:start + size]}
        with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
            return {**session.execute_read(in_one_transaction, params), "start": start}

    with ThreadPoolExecutor(READERS) as pool:
        return list(pool.map(read, range(0, len(user_ids), size)))


def _read_social(tx: ManagedTransaction, q: dict[str, str], dataset: str) -> dict:
    """Social links per type and the user node map, as internal node ids of one transaction."""
    links = [dict(rec.items()) for rec in tx.run(q["social"], dataset=dataset)]
    return {"links": links, "user_nodes": dict(tx.run(q["user_nodes"], dataset=dataset).single(strict=True).items())
            if links else {}}


def _add_social(driver: Driver, q: dict[str, str], data: HeteroData, dataset: str, users: pd.Index,
                database: str) -> None:
    """The FRIEND / TRUSTS edges between the dataset's users, per type."""
    with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        social = session.execute_read(_read_social, q, dataset)
    if social["links"]:
        user_at = _id_map(social["user_nodes"], users)
        for rec in social["links"]:
            data["user", rec["type"].lower(), "user"].edge_index = _edges(user_at(rec["heads"]), user_at(rec["tails"]))


def _read_knowledge(tx: ManagedTransaction, q: dict[str, str], dataset: str) -> dict:
    """Item → entity links, their entities and entity → entity links, as internal node ids of one transaction."""
    item_links = [dict(rec.items()) for rec in tx.run(q["knowledge"], dataset=dataset)]
    nodes = np.unique(np.concatenate([np.asarray(rec["tails"], dtype=np.int64) for rec in item_links] or [[]]))
    if not nodes.size:
        return {}
    return {"item_nodes": dict(tx.run(q["item_nodes"], dataset=dataset).single(strict=True).items()),
            "item_links": item_links,
            "entities": dict(tx.run(q["entities"], nodes=nodes.tolist()).single(strict=True).items()),
            "entity_links": [dict(rec.items()) for rec in tx.run(q["entity_links"], nodes=nodes.tolist())]}


def _add_knowledge(driver: Driver, q: dict[str, str], data: HeteroData, dataset: str, items: pd.Index,
                   database: str) -> None:
    """Entities in IRI order, and the item → entity and entity → entity edges per relationship type."""
    with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        kg = session.execute_read(_read_knowledge, q, dataset)
    if not kg:
        return
    ents = kg["entities"]
    order = np.argsort(np.asarray(ents["uris"], dtype=object), kind="stable")
    to_tensor = np.empty(len(order), dtype=np.int64)
    to_tensor[order] = np.arange(len(order))
    data["entity"].num_nodes = len(order)
    data["entity"].uris = [ents["uris"][j] for j in order]
    data["entity"].names = [ents["names"][j] for j in order]
    item_at, entity_at = _id_map(kg["item_nodes"], items), _node_map(ents["nodes"], to_tensor)
    for rec in kg["item_links"]:
        data["item", rec["type"].lower(), "entity"].edge_index = _edges(item_at(rec["heads"]), entity_at(rec["tails"]))
    for rec in kg["entity_links"]:  # a type only when some of its links stay among the exported entities
        edges = _edges(entity_at(rec["heads"]), entity_at(rec["tails"]))
        if edges.size(1):
            data["entity", rec["type"].lower(), "entity"].edge_index = edges

"""HeteroData straight from the dataset files, for the learner's tests and accuracy benchmarks only.

Production graphs come from graphstore's Neo4j export; these loaders build the *same* contract
(see ``learner.data``) from the read-only files under ``KGREC_DATA_DIR`` so that learner tests and
benchmarks do not depend on ingest or a database. One copy, imported by tests and benchmarks.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.io import loadmat
from torch_geometric.data import HeteroData

ML100K_SPLITS = ["u1", "u2", "u3", "u4", "u5", "ua", "ub"]
ML100K_GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
                 "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
                 "War", "Western"]
DBPEDIA_PROPERTIES = ["producer", "distributor", "writer", "cinematography", "subject", "starring", "director"]


def data_dir() -> Path:
    """``KGREC_DATA_DIR`` (the read-only real datasets)."""
    value = os.environ.get("KGREC_DATA_DIR")
    if not value:
        raise RuntimeError("KGREC_DATA_DIR is not set (it should point at the shared datasets folder)")
    return Path(value)


def _read_ratings(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", header=None, names=["user", "item", "rating", "ts"], dtype=np.int64)


def movielens_100k(root: Path | None = None, *, max_users: int | None = None, knowledge: bool = False,
                   relations: tuple[str, ...] | None = None) -> HeteroData:
    """ML-100K as a contract HeteroData: ratings, official u1..u5/ua/ub test bits, titles.

    ``max_users`` keeps users with id ≤ N (a deterministic subset; all items stay). ``knowledge`` adds
    genre entities (``has_genre``) and the FranKGraphBench DBpedia properties (one edge type each), or
    only the ``relations`` named (e.g. ``("has_genre", "director")``).
    """
    root = root or data_dir()
    folder = root / "movielens-100k"
    ratings = _read_ratings(folder / "u.data")
    if max_users is not None:
        ratings = ratings[ratings.user <= max_users]
    items = pd.read_csv(folder / "u.item", sep="|", header=None, encoding="latin-1", dtype=str, keep_default_na=False)
    item_ids = items[0].tolist()
    n_items = len(item_ids)
    user_ids = sorted(ratings.user.unique())
    user_pos = {u: i for i, u in enumerate(user_ids)}
    u = torch.tensor(ratings.user.map(user_pos).to_numpy(), dtype=torch.long)
    i = torch.tensor(ratings.item.to_numpy() - 1, dtype=torch.long)
    key_of = pd.Series(np.arange(len(ratings)), index=ratings.user.to_numpy() * 10_000 + ratings.item.to_numpy())
    test_in = np.zeros(len(ratings), dtype=np.int64)
    for bit, name in enumerate(ML100K_SPLITS):
        test = _read_ratings(folder / f"{name}.test")
        rows = key_of.reindex(test.user.to_numpy() * 10_000 + test.item.to_numpy()).dropna().to_numpy(np.int64)
        test_in[rows] |= 1 << bit

    data = HeteroData()
    data.dataset, data.explicit, data.split_names = "movielens-100k", True, list(ML100K_SPLITS)
    data["user"].num_nodes = len(user_ids)
    data["user"].ids = [str(x) for x in user_ids]
    data["item"].num_nodes = n_items
    data["item"].ids = item_ids
    data["item"].titles = items[1].tolist()
    store = data["user", "rates", "item"]
    store.edge_index = torch.stack([u, i])
    store.rating = torch.tensor(ratings.rating.to_numpy(), dtype=torch.float)
    store.ts = torch.tensor(ratings.ts.to_numpy(), dtype=torch.long)
    store.test_in = torch.from_numpy(test_in)
    if knowledge:
        _add_movielens_knowledge(data, items, root, relations)
    return data


def _add_movielens_knowledge(data: HeteroData, items: pd.DataFrame, root: Path,
                             relations: tuple[str, ...] | None) -> None:
    uris = [f"urn:kgrec:genre:{g}" for g in ML100K_GENRES]
    names = list(ML100K_GENRES)
    flags = items.iloc[:, 5:24].to_numpy(dtype=np.int64)
    gi, gg = np.nonzero(flags)
    edges: dict[str, list[tuple[int, int]]] = {"has_genre": list(zip(gi.tolist(), gg.tolist(), strict=True))}
    entity_pos: dict[str, int] = {}
    item_pos = {iid: k for k, iid in enumerate(data["item"].ids)}
    path = root / "frankgraphbench-dbpedia" / "datasets" / "ml-100k" / "processed" / "enriched.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            item = item_pos[row["item_id::string"]]
            for prop in DBPEDIA_PROPERTIES:
                if relations is not None and prop not in relations:
                    continue
                for uri in filter(None, row[f"{prop}::string_list"].split("::")):
                    if uri not in entity_pos:
                        entity_pos[uri] = len(uris)
                        uris.append(uri)
                        names.append(uri.rsplit("/", 1)[-1].replace("_", " "))
                    edges.setdefault(prop, []).append((item, entity_pos[uri]))
    data["entity"].num_nodes = len(uris)
    data["entity"].uris = uris
    data["entity"].names = names
    for rel, pairs in edges.items():
        if relations is not None and rel not in relations:
            continue
        data["item", rel, "entity"].edge_index = torch.tensor(sorted(set(pairs)), dtype=torch.long).t().contiguous()


def _add_unsplit_interactions(data: HeteroData, heads: np.ndarray, tails: np.ndarray, values: np.ndarray) -> None:
    """The user–item edges of a dataset without timestamps or official splits (ts 0, in no split's test set)."""
    store = data["user", "rates", "item"]
    store.edge_index = torch.from_numpy(np.stack([heads, tails]).astype(np.int64))
    store.rating = torch.tensor(values, dtype=torch.float)
    store.ts = torch.zeros(len(values), dtype=torch.long)
    store.test_in = torch.zeros(len(values), dtype=torch.long)


def lastfm_2k(root: Path | None = None, *, max_users: int | None = None, knowledge: bool = False) -> HeteroData:
    """HetRec 2011 Last.fm 2K as a contract HeteroData: play counts (implicit) and the friend network.

    ``max_users`` keeps the users with the ``max_users`` smallest ids, the artists they played and the
    friend links among them (a deterministic subset). ``knowledge`` adds the entity2rec LastFM DBpedia triples
    (``dbo:<property>`` edge lists) of the artists linked by the LODrecsys mapping v1.2, as ingest does; not the
    user-assigned tags (made by the same users whose plays are split into train and test).
    """
    root = root or data_dir()
    folder = root / "hetrec2011-lastfm-2k"
    plays = pd.read_csv(folder / "user_artists.dat", sep="\t", dtype=np.int64)
    friends = pd.read_csv(folder / "user_friends.dat", sep="\t", dtype=np.int64)
    artists = pd.read_csv(folder / "artists.dat", sep="\t", dtype=str, usecols=[0, 1], quoting=csv.QUOTE_NONE)
    user_ids = np.unique(np.concatenate([plays.userID.to_numpy(), friends.userID.to_numpy(),
                                         friends.friendID.to_numpy()]))
    if max_users is not None:
        user_ids = user_ids[:max_users]
        plays = plays[plays.userID.isin(user_ids)]
        friends = friends[friends.userID.isin(user_ids) & friends.friendID.isin(user_ids)]
        artists = artists[artists["id"].astype(np.int64).isin(plays.artistID.unique())]
    users = pd.Index(user_ids)
    items = pd.Index(artists["id"].astype(np.int64).to_numpy())
    data = HeteroData()
    data.dataset, data.explicit, data.split_names = "hetrec2011-lastfm-2k", False, []
    data["user"].num_nodes = len(users)
    data["user"].ids = [str(x) for x in user_ids]
    data["item"].num_nodes = len(items)
    data["item"].ids = artists["id"].tolist()
    data["item"].titles = artists["name"].tolist()
    _add_unsplit_interactions(data, users.get_indexer(plays.userID.to_numpy()),
                              items.get_indexer(plays.artistID.to_numpy()), plays.weight.to_numpy())
    data["user", "friend", "user"].edge_index = torch.from_numpy(np.stack([
        users.get_indexer(friends.userID.to_numpy()), users.get_indexer(friends.friendID.to_numpy())]).astype(np.int64))
    if knowledge:
        mapping = pd.read_csv(root / "lodrecsys-dbpedia-mappings" / "LastFM" / "MappingLastfm2DBpedia-1.2.tsv",
                              sep="\t", header=None, names=["id", "name", "uri"], dtype=str, quoting=csv.QUOTE_NONE)
        uris = dict(zip(mapping["id"], mapping["uri"], strict=True))
        _add_edgelists(data, [uris.get(artist, "") for artist in data["item"].ids],
                       root / "entity2rec-dbpedia-kg" / "datasets" / "LastFM" / "graphs")
    return data


def ciao(root: Path | None = None) -> HeteroData:
    """Ciao (Tang et al., 2012) as a contract HeteroData: ratings 1–5 and the directed trust network.

    Kept as ingest keeps them: ratings outside 1–5 are dropped and a repeated (user, product) pair keeps its first
    row. Users are everyone who rated or appears in a trust link (trust reaches users without ratings, too).
    """
    folder = (root or data_dir()) / "ciao-epinions-trust" / "ciao"
    ratings = loadmat(folder / "rating.mat")["rating"].astype(np.int64)
    trust = loadmat(folder / "trustnetwork.mat")["trustnetwork"].astype(np.int64)
    ratings = ratings[(ratings[:, 3] >= 1) & (ratings[:, 3] <= 5)]
    frame = pd.DataFrame({"user": ratings[:, 0], "item": ratings[:, 1], "rating": ratings[:, 3]})
    frame = frame.drop_duplicates(["user", "item"], keep="first")
    users = pd.Index(np.unique(np.concatenate([frame.user.to_numpy(), trust.ravel()])))
    items = pd.Index(np.unique(frame.item.to_numpy()))
    data = HeteroData()
    data.dataset, data.explicit, data.split_names = "ciao", True, []
    data["user"].num_nodes, data["user"].ids = len(users), [str(x) for x in users]
    data["item"].num_nodes, data["item"].ids = len(items), [str(x) for x in items]
    data["item"].titles = [None] * len(items)
    _add_unsplit_interactions(data, users.get_indexer(frame.user.to_numpy()), items.get_indexer(frame.item.to_numpy()),
                              frame.rating.to_numpy())
    data["user", "trusts", "user"].edge_index = torch.from_numpy(
        np.stack([users.get_indexer(trust[:, 0]), users.get_indexer(trust[:, 1])]).astype(np.int64))
    return data


def dbbook_2014(root: Path | None = None, *, knowledge: bool = True) -> HeteroData:
    """DBbook2014 Task 1 (ratings 0-5 on 8,170 DBpedia-linked books) as a contract HeteroData.

    No official test split ships with the challenge data (``split_names`` is empty). ``knowledge`` adds the
    entity2rec LibraryThing DBpedia triples (``dbo:<property>`` edge lists, one edge type each), joined on
    the book's DBpedia IRI, as ingest does.
    """
    root = root or data_dir()
    folder = root / "dbbook2014"
    books = pd.read_csv(folder / "DBbook_Items_DBpedia_mapping.tsv", sep="\t", dtype=str, keep_default_na=False)
    ratings = pd.read_csv(folder / "train_ratings" / "DBbook_train_ratings.tsv", sep="\t", dtype=np.int64)
    users = pd.Index(np.unique(ratings.iloc[:, 0].to_numpy()))
    items = pd.Index(books.iloc[:, 0].astype(np.int64).to_numpy())
    data = HeteroData()
    data.dataset, data.explicit, data.split_names = "dbbook2014", True, []
    data["user"].num_nodes = len(users)
    data["user"].ids = [str(x) for x in users]
    data["item"].num_nodes = len(items)
    data["item"].ids = [str(x) for x in items]
    data["item"].titles = books.iloc[:, 1].str.strip().tolist()
    store = data["user", "rates", "item"]
    store.edge_index = torch.from_numpy(np.stack([users.get_indexer(ratings.iloc[:, 0].to_numpy()),
                                                  items.get_indexer(ratings.iloc[:, 1].to_numpy())]).astype(np.int64))
    store.rating = torch.tensor(ratings.iloc[:, 2].to_numpy(), dtype=torch.float)
    store.ts = torch.zeros(len(ratings), dtype=torch.long)
    store.test_in = torch.zeros(len(ratings), dtype=torch.long)
    if knowledge:
        _add_edgelists(data, books.iloc[:, 2].tolist(), root / "entity2rec-dbpedia-kg" / "datasets" / "LibraryThing"
                       / "graphs")
    return data


def _add_edgelists(data: HeteroData, item_uris: list[str], folder: Path) -> None:
    """Item → entity edges from entity2rec's ``dbo:<property>.edgelist`` files (``head_IRI tail_IRI`` lines)."""
    by_uri: dict[str, list[int]] = {}
    for pos, uri in enumerate(item_uris):
        by_uri.setdefault(uri, []).append(pos)
    entity_pos: dict[str, int] = {}
    for path in sorted(folder.glob("dbo:*.edgelist")):
        pairs = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            head, _, tail = line.partition(" ")
            for item in by_uri.get(head, ()):
                pairs.add((item, entity_pos.setdefault(tail, len(entity_pos))))
        if pairs:
            rel = path.stem.removeprefix("dbo:").lower()
            data["item", rel, "entity"].edge_index = torch.tensor(sorted(pairs), dtype=torch.long).t().contiguous()
    data["entity"].num_nodes = len(entity_pos)
    data["entity"].uris = list(entity_pos)
    data["entity"].names = [uri.rsplit("/", 1)[-1].replace("_", " ") for uri in entity_pos]


def kgat_amazon_book(root: Path | None = None) -> HeteroData:
    """KGAT's amazon-book (Wang et al., KDD 2019) with its official train/test split as split ``kgat``.

    Users and items are KGAT's remap ids; every interaction is implicit (weight 1). ``kg_final.txt`` is not in
    the snapshot, so the graph carries no knowledge.
    """
    folder = (root or data_dir()) / "kgat" / "amazon-book"
    parts = []
    for name, bit in (("train.txt", 0), ("test.txt", 1)):
        users, items = [], []
        for line in (folder / name).read_text().splitlines():
            user, *rest = line.split()
            users.append(np.full(len(rest), int(user), dtype=np.int64))
            items.append(np.array(rest, dtype=np.int64))
        parts.append((np.concatenate(users), np.concatenate(items), bit))
    user_list = pd.read_csv(folder / "user_list.txt", sep=" ", dtype=str)
    item_list = pd.read_csv(folder / "item_list.txt", sep=" ", dtype=str)
    data = HeteroData()
    data.dataset, data.explicit, data.split_names = "kgat-amazon-book", False, ["kgat"]
    data["user"].num_nodes = len(user_list)
    data["user"].ids = user_list["remap_id"].tolist()
    data["item"].num_nodes = len(item_list)
    data["item"].ids = item_list["remap_id"].tolist()
    data["item"].titles = [None] * len(item_list)
    store = data["user", "rates", "item"]
    store.edge_index = torch.from_numpy(np.stack([np.concatenate([p[0] for p in parts]),
                                                  np.concatenate([p[1] for p in parts])]))
    n = store.edge_index.size(1)
    store.rating = torch.ones(n)
    store.ts = torch.zeros(n, dtype=torch.long)
    store.test_in = torch.from_numpy(np.concatenate([np.full(len(p[0]), p[2], dtype=np.int64) for p in parts]))
    return data

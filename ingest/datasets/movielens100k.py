"""MovieLens 100K (GroupLens) with DBpedia knowledge from FranKGraphBench (AKSW).

u.user / u.item (latin-1, '|') / u.data (tab) / u.genre / u.occupation; the official test sets u1..u5, ua,
ub become the `test_in` bits of each RATED relationship. FranKGraphBench's map.csv links items to DBpedia and its
enriched.csv gives director, starring, writer, producer, distributor, cinematography and subject values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.datasets.common import MovieLensRatings
from ingest.knowledge import DBO, DCT, HAS_GENRE, BadPredicate, entity_name, genre_uri, relationship_type
from ingest.lines import read_csv, read_fields, replayed
from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Row, Section
from ingest.spec import DataFile, DatasetSpec, Inputs, Source
from ingest.values import BadValue, date, ident, integer, iri

GROUPLENS_ZIP = Source(
    "https://files.grouplens.org/datasets/movielens/ml-100k.zip", "md5:0e33842e24a9c977be4e0107933c0723"
)
FRANKGRAPHBENCH = "https://raw.githubusercontent.com/AKSW/frankgraphbench/47f116f3812ed1ceb4e8cfbe22bb9cb58b3dab4d/"
SPLITS = ("u1", "u2", "u3", "u4", "u5", "ua", "ub")
_YEAR = re.compile(r"\((\d{4})\)\s*$")


def _grouplens(key: str, name: str, sha256: str) -> DataFile:
    member = Source(GROUPLENS_ZIP.url, GROUPLENS_ZIP.checksum, member=f"ml-100k/{name}")
    return DataFile(key, f"movielens-100k/{name}", sha256, member)


def _frank(key: str, path: str, sha256: str) -> DataFile:
    return DataFile(key, f"frankgraphbench-dbpedia/{path}", sha256, Source(FRANKGRAPHBENCH + path, f"sha256:{sha256}"))


_SPLIT_SHA = {
    "u1": "18c6014a4b2c7324f250a63f8904a7b16b2b19f911129e346141507b0cbac950",
    "u2": "4de658d1e04ed9104629509a2e2528fce833ac8e048280183f1df167632038c3",
    "u3": "0f548b51c78327de4c156461d3e430b7e5579fe2b5681586a59416e48fd35f6d",
    "u4": "7c02ad0a1e7ab1083c8b9d4b627203a051dd7b5eab46d99fa44de33470de8db9",
    "u5": "351cc52e0d15b6c721466276fc24671d40936899e3d01fadeaf312915b8c5634",
    "ua": "d0497e202417720f57a184ec8c66be2d1afa4ff41bb53787c57b28d6bf79bc42",
    "ub": "d54a72d05730d5892062734b2bec73e976f9b713d18c828a18b968d6cce442da",
}

FILES = (
    _grouplens("ratings", "u.data", "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490"),
    _grouplens("items", "u.item", "553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701"),
    _grouplens("users", "u.user", "f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c"),
    _grouplens("genres", "u.genre", "9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb"),
    _grouplens("occupations", "u.occupation", "cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d"),
    *(_grouplens(f"{s}_test", f"{s}.test", sha) for s, sha in _SPLIT_SHA.items()),
    _frank("dbpedia_map", "datasets/ml-100k/processed/map.csv",
           "bd4fbfafd2c182c529ecdd773c204fe8e4f195f0a77ee28a0c845a34dd5ffec6"),
    _frank("dbpedia_kg", "datasets/ml-100k/processed/enriched.csv",
           "3d6e52ca18babe5feb34038a921e09da6880cda8cdb05b4d869d114fc637e4d3"),
)

# FranKGraphBench's enriched.csv column → the predicate its SPARQL query read
ENRICHED_PREDICATES = {
    "producer": DBO + "producer",
    "distributor": DBO + "distributor",
    "writer": DBO + "writer",
    "cinematography": DBO + "cinematography",
    "subject": DCT + "subject",
    "starring": DBO + "starring",
    "director": DBO + "director",
}


def parse(inputs: Inputs, q: Quarantine) -> Iterator[Section]:
    """Users, movies (with DBpedia URI and abstract), genres, DBpedia knowledge, then ratings with their test sets."""
    occupations = _occupations(inputs["occupations"], q) if inputs.has("occupations") else None
    users = list(_users(inputs["users"], q, occupations))
    yield Section("users", "users", users, sources=("users",))
    user_ids = {u["id"] for u in users}

    genre_names = _genres(inputs["genres"], q)
    items, item_genres = _items(inputs["items"], q, genre_names)
    item_ids = {i["id"] for i in items}
    uris = _dbpedia_map(inputs["dbpedia_map"], q, item_ids) if inputs.has("dbpedia_map") else {}
    triples, abstracts = (
        _dbpedia_kg(inputs["dbpedia_kg"], q, item_ids) if inputs.has("dbpedia_kg") else ([], {})
    )
    for item in items:
        for key, value in (("uri", uris.get(item["id"])), ("abstract", abstracts.get(item["id"]))):
            if value:
                item["props"][key] = value
    yield Section("items", "movies", items, sources=("items",))
    yield Section("knowledge", "genres", item_genres, entity_label="Genre", sources=("items",))
    yield Section("knowledge", "dbpedia", triples, sources=("dbpedia_kg",))

    yield Section(
        "interactions", "ratings", _ratings(inputs, q, user_ids, item_ids, _test_sets(inputs, q)),
        rel="RATED", total=100_000, sources=("ratings",),
    )


def _occupations(path: Path, q: Quarantine) -> set[str]:
    return {fields[0].strip() for _, fields, _ in read_fields(path, q, "|", 1)}


def _users(path: Path, q: Quarantine, occupations: set[str] | None) -> Iterator[Row]:
    seen: dict[str, int] = {}
    for line, (uid, age, gender, occupation, zipcode), raw in read_fields(path, q, "|", 5):
        try:
            uid = ident("user_id", uid)
            props = {"age": integer("age", age, 1, 120), "gender": gender.strip(), "occupation": occupation.strip()}
            if props["gender"] not in ("M", "F"):
                raise BadValue(f"bad value: gender {gender!r} is not M or F")
            if occupations is not None and props["occupation"] not in occupations:
                raise BadValue(f"unknown id: occupation {occupation!r} is not in u.occupation")
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
            continue
        if uid in seen:
            q.reject(path, line, f"duplicate: user {uid} first at line {seen[uid]}", raw)
            continue
        seen[uid] = line
        if zipcode.strip():
            props["zip"] = zipcode.strip()
        yield {"id": uid, "props": props}


def _genres(path: Path, q: Quarantine) -> dict[int, str]:
    names: dict[int, str] = {}
    for line, (name, index), raw in read_fields(path, q, "|", 2):
        try:
            names[integer("genre_index", index, 0, 99)] = ident("genre", name)
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
    return names


def _items(path: Path, q: Quarantine, genre_names: dict[int, str]) -> tuple[list[Row], list[Row]]:
    items: list[Row] = []
    links: list[Row] = []
    seen: dict[str, int] = {}
    n_flags = len(genre_names)
    for line, fields, raw in read_fields(path, q, "|", 5 + n_flags, encoding="latin-1"):
        mid, title, released, _video, imdb = fields[:5]
        try:
            mid = ident("movie_id", mid)
            flags = [integer(f"genre flag {genre_names.get(k, k)}", f, 0, 1) for k, f in enumerate(fields[5:])]
            release_date = date("release_date", released, "%d-%b-%Y")
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
            continue
        if mid in seen:
            q.reject(path, line, f"duplicate: movie {mid} first at line {seen[mid]}", raw)
            continue
        seen[mid] = line
        genres = [genre_names[k] for k, flag in enumerate(flags) if flag]
        props: Row = {"title": title.strip(), "genres": genres}
        if release_date:
            props["release_date"] = release_date
            props["year"] = int(release_date[:4])
        elif m := _YEAR.search(title):
            props["year"] = int(m.group(1))
        if imdb.strip():
            props["imdb_url"] = imdb.strip()
        items.append({"id": mid, "props": props})
        links += [{"s": mid, "o": genre_uri(g), "p": HAS_GENRE, "rel": "HAS_GENRE", "name": g} for g in genres]
    return items, links


def _dbpedia_map(path: Path, q: Quarantine, item_ids: set[str]) -> dict[str, str]:
    uris: dict[str, str] = {}
    for line, row in read_csv(path, q):
        try:
            mid = ident("item_id", row["item_id::string"])
            if mid not in item_ids:
                raise BadValue(f"unknown id: item {mid} is not in u.item")
            if mid in uris:
                raise BadValue(f"duplicate: item {mid} mapped twice")
            if row["URI::string"].strip():
                uris[mid] = iri("URI", row["URI::string"])
        except BadValue as exc:
            q.reject(path, line, str(exc), ",".join(row.values()))
        except KeyError as exc:
            q.reject(path, line, f"malformed: no column {exc}")
            return uris
    return uris


def _dbpedia_kg(path: Path, q: Quarantine, item_ids: set[str]) -> tuple[list[Row], dict[str, str]]:
    """(item, predicate, entity) rows and item abstracts from enriched.csv (lists of IRIs joined with '::')."""
    triples: list[Row] = []
    abstracts: dict[str, str] = {}
    columns: dict[str, tuple[str, str]] | None = None
    for line, row in read_csv(path, q):
        if columns is None:
            columns = _enriched_columns(path, q, list(row))
        try:
            mid = ident("item_id", row.get("item_id::string", ""))
            if mid not in item_ids:
                raise BadValue(f"unknown id: item {mid} is not in u.item")
        except BadValue as exc:
            q.reject(path, line, str(exc), ",".join(row.values())[:300])
            continue
        if abstract := row.get("abstract::string", "").strip():
            abstracts[mid] = abstract
        seen: set[tuple[str, str]] = set()
        for column, (predicate, rel) in columns.items():
            for value in filter(None, row[column].split("::")):
                try:
                    obj = iri(column, value)
                    if (rel, obj) in seen:
                        raise BadValue(f"duplicate: {column} value {obj} twice for item {mid}")
                except BadValue as exc:
                    q.reject(path, line, str(exc), value)
                    continue
                seen.add((rel, obj))
                triples.append({"s": mid, "o": obj, "p": predicate, "rel": rel, "name": entity_name(obj)})
    return triples, abstracts


def _enriched_columns(path: Path, q: Quarantine, header: list[str]) -> dict[str, tuple[str, str]]:
    """string_list column → (predicate IRI, relationship type); columns with unusable names are reported."""
    columns = {}
    for column in header:
        name, _, kind = column.partition("::")
        if kind != "string_list":
            continue
        try:
            predicate = ENRICHED_PREDICATES.get(name, DBO + name)
            columns[column] = (predicate, relationship_type(predicate))
        except BadPredicate as exc:
            q.reject(path, 1, f"bad predicate: {exc}; column ignored", column)
    return columns


TestSets = dict[tuple[str, str], list[tuple[str, Path, int]]]


def _test_sets(inputs: Inputs, q: Quarantine) -> TestSets:
    """(user, item) → (split, file, line) of each official test set that holds that rating."""
    test_sets: TestSets = {}
    for split in SPLITS:
        key = f"{split}_test"
        if not inputs.has(key):
            continue
        for line, fields, raw in read_fields(inputs[key], q, "\t", 4):
            pair = (fields[0].strip(), fields[1].strip())
            where = test_sets.setdefault(pair, [])
            if any(s == split for s, _, _ in where):
                q.reject(inputs[key], line, f"duplicate: ({pair[0]}, {pair[1]}) twice in {split}.test", raw)
            else:
                where.append((split, inputs[key], line))
    return test_sets


def _ratings(inputs: Inputs, q: Quarantine, users: set[str], items: set[str], test_sets: TestSets) -> Iterator[Row]:
    path, start = inputs["ratings"], inputs.start("ratings")
    ratings = MovieLensRatings(users, items, ("user_id", "item_id", "u.user", "u.item", "item"))

    def rows(begin: int, stop: int | None, q: Quarantine) -> Iterator[Row]:
        for line, fields, raw in read_fields(path, q, "\t", 4, start=begin, stop=stop):
            try:
                uid, mid, value, stamp = ratings.check(line, fields)
            except BadValue as exc:
                q.reject(path, line, str(exc), raw)
                continue
            yield {"u": uid, "i": mid, "w": float(value), "ts": stamp,
                   "t": [s for s, _, _ in test_sets.get((uid, mid), ())]}

    yield from replayed(rows, start, q)
    if start == 0:  # test rows without a rating in u.data (unknowable when only appended rows were read)
        for pair, where in test_sets.items():
            if pair not in ratings.seen:
                for split, file, line in where:
                    q.reject(file, line, f"unknown id: ({pair[0]}, {pair[1]}) of {split}.test not rated in u.data")


SPEC = DatasetSpec(
    meta=DatasetMeta("movielens-100k", "movies", "Movie", explicit=True, split_names=SPLITS),
    description="MovieLens 100K: 943 users, 1,682 movies, 100,000 ratings 1-5, official splits u1-u5/ua/ub; "
    "1,411 movies linked to DBpedia with 36,805 knowledge triples (FranKGraphBench)",
    homepage="https://grouplens.org/datasets/movielens/100k/",
    licence="GroupLens research licence: no redistribution, no commercial use, acknowledge in publications; "
    "FranKGraphBench Apache-2.0, DBpedia values CC BY-SA 3.0",
    files=FILES,
    parser=parse,
    appendable=frozenset({"ratings"}),
)

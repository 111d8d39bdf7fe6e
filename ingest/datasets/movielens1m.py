"""MovieLens 1M (GroupLens) with DBpedia links and triples from entity2rec (LODrecsys v1.2 mapping, corrected).

`::`-separated files: movies.dat (latin-1; genres shared with ML-100K as urn:kgrec:genre:<Name>), users.dat
(age group and occupation codes, named from the README) and ratings.dat, which the shared snapshot lacks: it is
downloaded from GroupLens (the zip's md5 is published) or read from the data directory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ingest.datasets.common import (
    MovieLensRatings,
    edgelist_files,
    github_file,
    invert,
    read_edgelists,
    read_uri_map,
)
from ingest.knowledge import HAS_GENRE, genre_uri
from ingest.lines import read_fields, replayed
from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Row, Section
from ingest.spec import DataFile, DatasetSpec, Inputs, Source
from ingest.values import BadValue, ident, integer

GROUPLENS_ZIP = Source("https://files.grouplens.org/datasets/movielens/ml-1m.zip",
                       "md5:c4d9eecfca2ab87c1945afe126590906")
ENTITY2REC = ("D2KLab/entity2rec", "380c1599ea5825bbb650c248f25bf42385b619bc")
OCCUPATIONS = ("other or not specified", "academic/educator", "artist", "clerical/admin", "college/grad student",
               "customer service", "doctor/health care", "executive/managerial", "farmer", "homemaker",
               "K-12 student", "lawyer", "programmer", "retired", "sales/marketing", "scientist", "self-employed",
               "technician/engineer", "tradesman/craftsman", "unemployed", "writer")
AGE_GROUPS = {1: "Under 18", 18: "18-24", 25: "25-34", 35: "35-44", 45: "45-49", 50: "50-55", 56: "56+"}
_TITLE_YEAR = re.compile(r"^(.*) \((\d{4})\)\s*$")


def _grouplens(key: str, name: str, sha256: str | None) -> DataFile:
    return DataFile(key, f"movielens-1m/{name}", sha256, Source(GROUPLENS_ZIP.url, GROUPLENS_ZIP.checksum,
                                                                  member=f"ml-1m/{name}"))


FILES = (
    _grouplens("items", "movies.dat", "0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9"),
    _grouplens("users", "users.dat", "1dc3a95300cb19f7c10e027daf29b8cdf1d908dab65b5edfb45950aa389a10a3"),
    _grouplens("ratings", "ratings.dat", None),  # verified through the zip's published md5
    github_file("dbpedia_map", "entity2rec-dbpedia-kg/datasets/Movielens1M/original/mappings.tsv", *ENTITY2REC,
                "datasets/Movielens1M/original/mappings.tsv",
                "024784c4a3b514cf85d921b4dc7ac8c0359ae64dd0202e1e1f9f2304cd8a75ef"),
    *edgelist_files("entity2rec-dbpedia-kg/datasets/Movielens1M/graphs", *ENTITY2REC, "datasets/Movielens1M/graphs", {
        "dbo:cinematography": "28c902fe8c3ae54e21f5e04ecc9a9af7d0b01fd6174b26106661a4aece7614cb",
        "dbo:director": "8b346ffaf2af9900ef7c74cddb4cc14fa94c0d8f6ddd0c04f14d7cb4a49aa82c",
        "dbo:distributor": "0d4ff1ddce6d1c0c4fa121a5186ae5d0a93674cdd0d8c23ea470966b6d7cbc6f",
        "dbo:editing": "e7705679df44a8cd10e023b6c8565bfc2c16ab391216c2d1af9143c5053d9f31",
        "dbo:musicComposer": "c6e775deb7a0b5503607a5984c15edd0f3fc550937385dcf0d074eb07e4878b5",
        "dbo:producer": "7636809dba1f2d507dd9c4579c43bf2f36c328adf2c3231b3ca6eaa3ed32dbbf",
        "dbo:starring": "7342870b990adc4663a4c562542a0949aa514d7ee44646c85abf508a27694214",
        "dbo:writer": "73c52c1c987bd0366c777de9cd40d2335d22fe7378a8558c7ad7db036a64eb4a",
    }),
)


def parse(inputs: Inputs, q: Quarantine) -> Iterator[Section]:
    """Users, movies (with DBpedia IRI), genres, DBpedia knowledge, then ratings."""
    users = list(_users(inputs["users"], q))
    yield Section("users", "users", users, sources=("users",))
    movies, genres = _movies(inputs["items"], q)
    movie_ids = {m["id"] for m in movies}
    uris = read_uri_map(inputs["dbpedia_map"], q, movie_ids) if inputs.has("dbpedia_map") else {}
    for movie in movies:
        if movie["id"] in uris:
            movie["props"]["uri"] = uris[movie["id"]]
    yield Section("items", "movies", movies, sources=("items",))
    yield Section("knowledge", "genres", genres, entity_label="Genre", sources=("items",))
    yield Section("knowledge", "dbpedia", read_edgelists(inputs, q, invert(uris)), sources=("dbpedia_map",))
    yield Section("interactions", "ratings", _ratings(inputs, q, {u["id"] for u in users}, movie_ids),
                  rel="RATED", total=1_000_209, sources=("ratings",))


def _users(path: Path, q: Quarantine) -> Iterator[Row]:
    seen: set[str] = set()
    for line, (uid, gender, age, occupation, zipcode), raw in read_fields(path, q, "::", 5):
        try:
            uid = ident("UserID", uid)
            if uid in seen:
                raise BadValue(f"duplicate: user {uid}")
            if gender not in ("M", "F"):
                raise BadValue(f"bad value: gender {gender!r} is not M or F")
            group = integer("age", age)
            if group not in AGE_GROUPS:
                raise BadValue(f"out of range: age group {group} not in {sorted(AGE_GROUPS)}")
            job = integer("occupation", occupation, 0, len(OCCUPATIONS) - 1)
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
            continue
        seen.add(uid)
        yield {"id": uid, "props": {"gender": gender, "age_group": AGE_GROUPS[group], "occupation": OCCUPATIONS[job],
                                    "zip": zipcode.strip()}}


def _movies(path: Path, q: Quarantine) -> tuple[list[Row], list[Row]]:
    movies: dict[str, Row] = {}
    links: list[Row] = []
    for line, (mid, title, genre_field), raw in read_fields(path, q, "::", 3, encoding="latin-1"):
        try:
            mid = ident("MovieID", mid)
            if mid in movies:
                raise BadValue(f"duplicate: movie {mid}")
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
            continue
        genres = [g for g in genre_field.strip().split("|") if g]
        props: Row = {"title": title.strip(), "genres": genres}
        if m := _TITLE_YEAR.match(title.strip()):
            props["year"] = int(m.group(2))
        movies[mid] = {"id": mid, "props": props}
        links += [{"s": mid, "o": genre_uri(g), "p": HAS_GENRE, "rel": "HAS_GENRE", "name": g} for g in genres]
    return list(movies.values()), links


def _ratings(inputs: Inputs, q: Quarantine, users: set[str], movies: set[str]) -> Iterator[Row]:
    path = inputs["ratings"]
    ratings = MovieLensRatings(users, movies, ("UserID", "MovieID", "users.dat", "movies.dat", "movie"))

    def rows(begin: int, stop: int | None, q: Quarantine) -> Iterator[Row]:
        for line, fields, raw in read_fields(path, q, "::", 4, start=begin, stop=stop):
            try:
                uid, mid, value, stamp = ratings.check(line, fields)
            except BadValue as exc:
                q.reject(path, line, str(exc), raw)
                continue
            yield {"u": uid, "i": mid, "w": float(value), "ts": stamp, "t": []}

    return replayed(rows, inputs.start("ratings"), q)


SPEC = DatasetSpec(
    meta=DatasetMeta("movielens-1m", "movies", "Movie", explicit=True),
    description="MovieLens 1M: 6,040 users, 3,883 movies, 1,000,209 ratings 1-5 (ratings.dat downloaded from "
    "GroupLens); 3,300 movies linked to DBpedia with 34,941 entity2rec triples",
    homepage="https://grouplens.org/datasets/movielens/1m/",
    licence="GroupLens research licence: no redistribution, no commercial use, acknowledge in publications; "
    "entity2rec Apache-2.0, DBpedia values CC BY-SA 3.0",
    files=FILES, parser=parse, appendable=frozenset({"ratings"}),
)

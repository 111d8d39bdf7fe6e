"""Last.fm hetrec2011-2k (HetRec 2011) with DBpedia links (SisInf Lab LODrecsys v1.2) and triples (entity2rec).

Play counts become INTERACTED {weight}, the friend network FRIEND (stored as published: both directions),
tag assignments (:Artist)-[:HAS_TAG]->(:Entity:Tag) (distinct artist-tag pairs), and the entity2rec
DBpedia property edge lists typed relationships from each artist linked to DBpedia.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from ingest.datasets.common import (
    edgelist_files,
    first_column,
    github_file,
    interaction_rows,
    invert,
    read_edgelists,
    read_uri_map,
)
from ingest.knowledge import KGREC
from ingest.lines import read_fields
from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Row, Section
from ingest.spec import DataFile, DatasetSpec, Inputs, Source
from ingest.values import BadValue, ident

# GroupLens publishes no checksum for the zip; each member is verified by its sha256
GROUPLENS_ZIP = Source("https://files.grouplens.org/datasets/hetrec2011/hetrec2011-lastfm-2k.zip", None)
HAS_TAG = KGREC + "hasTag"


def _hetrec(key: str, name: str, sha256: str) -> DataFile:
    return DataFile(key, f"hetrec2011-lastfm-2k/{name}", sha256,
                    Source(GROUPLENS_ZIP.url, GROUPLENS_ZIP.checksum, member=name))


FILES = (
    _hetrec("items", "artists.dat", "c173881362c6b28551368fecb3c0be5a6a30a6cd859e1f5775413dfe46d48648"),
    _hetrec("plays", "user_artists.dat", "650cd69d5a68db24b439042557aa539aec47e473273e12cdfdca2cd944b3773a"),
    _hetrec("friends", "user_friends.dat", "9a3a8f7fa5f5ec832335e5b58ed69a4cf27c6f6f6afcde62134810eea46445a7"),
    _hetrec("tags", "tags.dat", "e95175f259be4c0c47644ae23d66131cd6d5767142a1405000e79f5584691d70"),
    _hetrec("tagged", "user_taggedartists.dat", "d31fe938fcfeed6f0059f37a36b156f63674d073fc2553e5cc9dc1595e365bc7"),
    github_file("dbpedia_map", "lodrecsys-dbpedia-mappings/LastFM/MappingLastfm2DBpedia-1.2.tsv",
                "sisinflab/LODrecsys-datasets", "1f091b8b312ff2eff00a7e4b4b7cfa390bfe16fa",
                "LastFM/MappingLastfm2DBpedia-1.2.tsv",
                "6cf44b554e26d2e1214255b8f280e9d3eb85ac6bf5900a7d75f908aa15e2702b"),
    *edgelist_files("entity2rec-dbpedia-kg/datasets/LastFM/graphs", "D2KLab/entity2rec",
                    "380c1599ea5825bbb650c248f25bf42385b619bc", "datasets/LastFM/graphs", {
                        "dbo:associatedBand": "763707f83c44697392ec64a9090dcab172e2fd18ab39bfefc946b891f30dedee",
                        "dbo:associatedMusicalArtist":
                            "2145e188b828c579037576f4fac03271517f50d98e2bf22ea6bd270874840dcf",
                        "dbo:bandMember": "517eed16075b2ec892b53bea38fd7650f5e2148c86f8c96bfc027f5e1b86c64b",
                        "dbo:birthPlace": "f1d1b87056f21cd345ec71a9d5ff13053a9a0fb752d41e5bf14255fcc3ac7f1d",
                        "dbo:formerBandMember": "2d1ac5ca4aca63121c0742ce17cc41d1ba6a7c20ee5999a3676bfe3540044849",
                        "dbo:genre": "85f4bf27339d4e96b1383e02e8b2c044a50ebda05b24ccf9575a46a1d24cccf2",
                        "dbo:hometown": "5ff27bd98443a92f0f729f65206b7e6b31488d09635b62a565d44e155fe1aeb6",
                        "dbo:instrument": "e44eb151d24aad68cbed76bfb68970a5d04cf0cf892c263d9e0f0d8caaa4bff4",
                        "dbo:occupation": "ffd1dd5e52e6b6158c05642dd4912336ef2128c73657c6f06f27956b50abc128",
                        "dbo:recordLabel": "87020c6dafdfe3d38f8e820885a0ffed11a31ce885f6476c5bcda5b96f248db3",
                    }),
)


def parse(inputs: Inputs, q: Quarantine) -> Iterator[Section]:
    """Users, artists (with DBpedia IRI), DBpedia knowledge, tags, plays, then friends."""
    users = first_column(inputs["plays"])
    yield Section("users", "users", [{"id": u, "props": {}} for u in users], sources=("plays",))
    artists = _artists(inputs["items"], q)
    artist_ids = {a["id"] for a in artists}
    uris = read_uri_map(inputs["dbpedia_map"], q, artist_ids) if inputs.has("dbpedia_map") else {}
    for artist in artists:
        if artist["id"] in uris:
            artist["props"]["uri"] = uris[artist["id"]]
    yield Section("items", "artists", artists, sources=("items",))
    yield Section("knowledge", "dbpedia", read_edgelists(inputs, q, invert(uris)), sources=("dbpedia_map",))
    if inputs.has("tags") and inputs.has("tagged"):
        yield Section("knowledge", "tags", _tags(inputs, q, artist_ids), entity_label="Tag", sources=("tagged",))
    yield Section("interactions", "plays", interaction_rows(inputs["plays"], q, set(users), artist_ids, lo=0,
                                                               hi=None, start=inputs.start("plays")),
                  rel="INTERACTED", total=92_834, sources=("plays",))
    yield Section("social", "friends", _friends(inputs["friends"], q, set(users)), rel="FRIEND", sources=("friends",))


def _artists(path: Path, q: Quarantine) -> list[Row]:
    artists: dict[str, Row] = {}
    for line, (aid, name, url, picture), raw in read_fields(path, q, "\t", 4):
        if line == 1:
            continue
        try:
            aid = ident("artistID", aid)
            if aid in artists:
                raise BadValue(f"duplicate: artist {aid}")
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
            continue
        props = {"title": name.strip(), "lastfm_url": url.strip(), "picture_url": picture.strip()}
        artists[aid] = {"id": aid, "props": {k: v for k, v in props.items() if v}}
    return list(artists.values())


def tag_uri(value: str) -> str:
    """urn:kgrec:tag:<percent-encoded tag>, shared by every dataset that uses the same tag text."""
    return f"{KGREC}tag:{quote(value, safe='')}"


def _tags(inputs: Inputs, q: Quarantine, artists: set[str]) -> Iterator[Row]:
    """Distinct (artist, tag) pairs of user_taggedartists.dat, tags named from tags.dat (latin-1)."""
    names: dict[str, str] = {}
    for line, (tid, value), _ in read_fields(inputs["tags"], q, "\t", 2, encoding="latin-1"):
        if line > 1 and value.strip():
            names[tid.strip()] = value.strip()
    path, seen = inputs["tagged"], set()
    for line, fields, raw in read_fields(path, q, "\t", 6):
        if line == 1:
            continue
        artist, tid = fields[1].strip(), fields[2].strip()
        if artist not in artists:
            q.reject(path, line, f"unknown id: artist {artist} is not in artists.dat", raw)
        elif tid not in names:
            q.reject(path, line, f"unknown id: tag {tid} is not in tags.dat", raw)
        elif (artist, tid) not in seen:
            seen.add((artist, tid))
            yield {"s": artist, "o": tag_uri(names[tid]), "p": HAS_TAG, "rel": "HAS_TAG", "name": names[tid]}


def _friends(path: Path, q: Quarantine, users: set[str]) -> Iterator[Row]:
    seen: set[tuple[str, str]] = set()
    for line, (user, friend), raw in read_fields(path, q, "\t", 2):
        if line == 1:
            continue
        user, friend = user.strip(), friend.strip()
        if user not in users or friend not in users:
            q.reject(path, line, f"unknown id: user {user if user not in users else friend}", raw)
        elif user == friend or (user, friend) in seen:
            q.reject(path, line, f"duplicate: friend link {user} {friend}", raw)
        else:
            seen.add((user, friend))
            yield {"u": user, "v": friend}


SPEC = DatasetSpec(
    meta=DatasetMeta("lastfm-hetrec2011", "music", "Artist", explicit=False),
    description="Last.fm hetrec2011-2k: 1,892 users, 17,632 artists, 92,834 play counts, 25,434 friend links, "
    "186,479 tag assignments; 10,180 artists linked to DBpedia with 110,921 entity2rec triples",
    homepage="https://grouplens.org/datasets/hetrec-2011/",
    licence="Last.fm data for non-commercial use (hetrec2011 readme); cite HetRec 2011; LODrecsys mappings MIT, "
    "entity2rec Apache-2.0, DBpedia values CC BY-SA 3.0",
    files=FILES, parser=parse, appendable=frozenset({"plays"}),
)

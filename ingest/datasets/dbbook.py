"""DBbook2014 (ESWC 2014 LOD-enabled RecSys challenge, SisInf Lab) with LibraryThing DBpedia triples (entity2rec).

Every book is mapped to DBpedia; the knowledge comes from entity2rec's LibraryThing property edge lists,
joined on the DBpedia IRI (6,636 of the 7,786 distinct book IRIs have triples). Two registry entries:
`dbbook2014` (Task 1 ratings 0-5, RATED) and `dbbook2014-binary` (Tasks 2-3 relevance 0/1, INTERACTED).
"""

from __future__ import annotations

from collections.abc import Iterator

from ingest.datasets.common import edgelist_files, first_column, interaction_rows, invert, read_edgelists
from ingest.lines import read_fields
from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Row, Section
from ingest.spec import DataFile, DatasetSpec, Inputs, Source
from ingest.values import BadValue, ident, iri

CHALLENGE = "http://sisinflab.poliba.it/semanticweb/lod/recsys/2014challenge/"
ENTITY2REC = ("D2KLab/entity2rec", "380c1599ea5825bbb650c248f25bf42385b619bc")
MAPPING = DataFile(
    "items", "dbbook2014/DBbook_Items_DBpedia_mapping.tsv",
    "b3f8a272277757ffee631a0ca85fa29a2cdb7b3b9cfd8f64379532663b0b0b5a",
    Source(CHALLENGE + "DBbook_Items_DBpedia_mapping.tsv.zip",
           "sha256:249335c6b7c1a0ddc064a693e9287ec4fe15217b91cda199e9a16af637a5fb00",
           member="DBbook_Items_DBpedia_mapping.tsv"),
)
RATINGS = DataFile(
    "feedback", "dbbook2014/train_ratings/DBbook_train_ratings.tsv",
    "3b1a0aeb075c9c6564e735e5c219f475890562773d8338a340a079a045d819eb",
    Source(CHALLENGE + "DBbook_train_ratings.zip",
           "sha256:3614d11bf5ab0ac3d035d6c58c649556eeb546547190f0246881dd59a9a4a7a3",
           member="DBbook_train_ratings.tsv"),
)
BINARY = DataFile(
    "feedback", "dbbook2014/train_binary/DBbook_train_binary.tsv",
    "1198a2f80cca209f4fa19aa7d41b86b7f2704e352d2dbfdd69f56efffc09b418",
    Source(CHALLENGE + "DBbook_train_binary.zip",
           "sha256:99405343e50abb6d7b52577873e29109247fd27ce5c2d88f35c77e76bec78e6d",
           member="DBbook_train_binary.tsv"),
)
LIBRARYTHING_KG = edgelist_files(
    "entity2rec-dbpedia-kg/datasets/LibraryThing/graphs", *ENTITY2REC, "datasets/LibraryThing/graphs", {
        "dbo:author": "4f99690c3ed97ead6b5b8ab3dbf25e82d3051accf704985f8ab7b3aff7d6f7d9",
        "dbo:country": "d250ccac1a770591ce014f20e348fbebad917e432c94a8c7207b49158a0b3197",
        "dbo:coverArtist": "ca3602a77591cbd470929d774c1600673620cee91d5c075d612f4b0509e7cfdb",
        "dbo:language": "8a90dd304c74afbdd4c0f939529cfcbdf672da063fd33a9177e2dc84f5b0a728",
        "dbo:literaryGenre": "b84226a595f7f4d13033a17a317743e32420bcf0c4c35d7e1fa1c68441f9f19f",
        "dbo:mediaType": "4e8187a8415a0920427fdf3252b691b188fd905c4176fa41ed10444334364053",
        "dbo:previousWork": "a6146fe46981a17c293641cb666fbe0b29f279370e87955ff1810236faddddaa",
        "dbo:publisher": "960418e3e9a34e39817c99f0ad2ae0576ae127fc752e0644498197c1a03c7519",
        "dbo:series": "34930f38526ff11ceb2c23cdac12cf2ad26cafd67f9140c7ebc1e4dcc2c65167",
        "dbo:subsequentWork": "7978fe0d547cd1ea169dc16128e5db02415d5ef5572bdc2642e48351baea414a",
    })


def _books(inputs: Inputs, q: Quarantine) -> list[Row]:
    path = inputs["items"]
    books: dict[str, Row] = {}
    for line, (book, name, uri), raw in read_fields(path, q, "\t", 3):
        if line == 1:
            continue
        try:
            book = ident("DBbook_ItemID", book)
            if book in books:
                raise BadValue(f"duplicate: book {book}")
            books[book] = {"id": book, "props": {"title": name.strip(), "uri": iri("DBpedia_uri", uri)}}
        except BadValue as exc:
            q.reject(path, line, str(exc), raw)
    return list(books.values())


def parser(rel: str, hi: float):
    """The parser for one feedback file: RATED 0-5 or INTERACTED 0/1."""

    def parse(inputs: Inputs, q: Quarantine) -> Iterator[Section]:
        users = first_column(inputs["feedback"])
        yield Section("users", "users", [{"id": u, "props": {}} for u in users], sources=("feedback",))
        books = _books(inputs, q)
        yield Section("items", "books", books, sources=("items",))
        by_uri = invert({b["id"]: b["props"]["uri"] for b in books})
        yield Section("knowledge", "dbpedia", read_edgelists(inputs, q, by_uri), sources=("items",))
        rows = interaction_rows(inputs["feedback"], q, set(users), {b["id"] for b in books}, lo=0, hi=hi,
                                start=inputs.start("feedback"))
        yield Section("interactions", "ratings" if rel == "RATED" else "feedback", rows, rel=rel,
                      sources=("feedback",))

    return parse


LICENCE = ("ESWC 2014 challenge data, no licence stated: cite the challenge, do not redistribute; "
           "entity2rec triples Apache-2.0, DBpedia values CC BY-SA 3.0")
SPEC = DatasetSpec(
    meta=DatasetMeta("dbbook2014", "books", "Book", explicit=True),
    description="DBbook2014 Task 1: 6,181 users, 8,170 books (all DBpedia-linked), 75,558 ratings 0-5; "
    "LibraryThing DBpedia triples for 6,636 book IRIs (entity2rec)",
    homepage=CHALLENGE, licence=LICENCE, files=(MAPPING, RATINGS, *LIBRARYTHING_KG),
    parser=parser("RATED", 5), appendable=frozenset({"feedback"}),
)
BINARY_SPEC = DatasetSpec(
    meta=DatasetMeta("dbbook2014-binary", "books", "Book", explicit=False),
    description="DBbook2014 Tasks 2-3: 6,181 users, 72,371 binary relevance judgements (0/1) on 6,733 books; "
    "same DBpedia links and LibraryThing triples",
    homepage=CHALLENGE, licence=LICENCE, files=(MAPPING, BINARY, *LIBRARYTHING_KG),
    parser=parser("INTERACTED", 1), appendable=frozenset({"feedback"}),
)

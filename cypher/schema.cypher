// kgrec graph schema: the constraints and indexes every dataset relies on.
// Applied (idempotently) before each ingest by `graphstore.schema.apply_schema`; safe to run in Browser.
//
// Users and items are keyed by (dataset, id) so several datasets share one database without clashes;
// linked-knowledge entities are keyed by their DBpedia (or other) IRI and shared across datasets.

CREATE CONSTRAINT dataset_name IF NOT EXISTS FOR (d:Dataset) REQUIRE d.name IS UNIQUE;
CREATE CONSTRAINT user_key IF NOT EXISTS FOR (u:User) REQUIRE (u.dataset, u.id) IS UNIQUE;
CREATE CONSTRAINT item_key IF NOT EXISTS FOR (i:Item) REQUIRE (i.dataset, i.id) IS UNIQUE;
CREATE CONSTRAINT entity_uri IF NOT EXISTS FOR (e:Entity) REQUIRE e.uri IS UNIQUE;
CREATE CONSTRAINT predicate_iri IF NOT EXISTS FOR (p:Predicate) REQUIRE p.iri IS UNIQUE;
CREATE CONSTRAINT model_key IF NOT EXISTS FOR (m:Model) REQUIRE (m.dataset, m.name, m.version) IS UNIQUE;
// A write-back reserves its version number before writing a vector: the embedding property emb_<name>_v<version>
// is shared by every dataset, so (name, version) is unique across datasets. A pending version is a (:ModelSlot);
// complete, the same node is a (:Model:ModelSlot). Model nodes written before slots existed carry no :ModelSlot,
// so this constraint never fails on them.
CREATE CONSTRAINT model_slot IF NOT EXISTS FOR (s:ModelSlot) REQUIRE (s.name, s.version) IS UNIQUE;
CREATE INDEX item_uri IF NOT EXISTS FOR (i:Item) ON (i.uri);
CREATE INDEX item_title IF NOT EXISTS FOR (i:Item) ON (i.title);
CREATE INDEX user_dataset IF NOT EXISTS FOR (u:User) ON (u.dataset);
CREATE INDEX item_dataset IF NOT EXISTS FOR (i:Item) ON (i.dataset);
CREATE INDEX entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name);

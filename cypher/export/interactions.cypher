// Export: the interactions of a batch of users ($users, in tensor order) as parallel lists: the item's internal
// node id and the user's position in $users packed into one integer (node id × $span + position, $span > size of
// $users: one list fewer to build, send and decode), the value ($value: `rating` of an explicit dataset, `weight`
// of an implicit one), timestamp, and `test_in`, the bitmask of the official splits in which the interaction is a
// test row. One record per batch, integer and float columns only, so the transfer is a few long lists.
// kgrec's writers (ingest, the API) always set these three properties, so they are read as they are, without
// defaults: three property reads per relationship instead of five (13% less server CPU on ML-100K). A list shorter
// than `pairs` (collect skips nulls) means some relationship lacks one: the batch is then read again with
// `export/interactions_any`, which fills them in.
// Per relationship only the relationship's own properties are read: the item is returned as its internal id
// (no node or property read; `export/item_nodes` maps ids to items in the same transaction), and an end node that
// is not one of the dataset's items is dropped by that map, not by a label and `dataset` check here.
// The relationship's properties are read in one pass, as a map (`properties(r)`: the three kgrec writes and no
// others), rather than by three lookups that each walk its property records: on ML-100K 10% less server CPU and
// 6% less wall time than `r[$value], r.ts, r.test_in` (interleaved A/B, 60 rounds).
UNWIND range(0, size($users) - 1) AS k
MATCH (:User {dataset: $dataset, id: $users[k]})-[r:RATED|INTERACTED]->(i)
WITH i, k, properties(r) AS p
RETURN collect(id(i) * $span + k) AS pairs, collect(p[$value]) AS rating, collect(p.ts) AS ts,
       collect(p.test_in) AS test_in

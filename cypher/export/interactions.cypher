// Export: the interactions of a batch of users ($users, in tensor order) as parallel lists: the item's internal
// node id and the user's position in $users packed into one integer (node id × $span + position, $span > size of
// $users: one list fewer to build, send and decode), rating (or weight), timestamp, and `test_in`, the bitmask of
// the official splits in which the interaction is a test row. One record per batch, integer and float columns
// only, so the transfer is a few long lists. A relationship an older kgrec wrote carries the split names as a list
// (`test_of`) instead: its mask is summed from $bits (split name → bit) until a re-ingest with --force rewrites it.
// Per relationship only the relationship's own properties are read: the item is returned as its internal id
// (no node or property read; `export/item_nodes` maps ids to items in the same transaction), and an end node that
// is not one of the dataset's items is dropped by that map, not by a label and `dataset` check here.
UNWIND range(0, size($users) - 1) AS k
MATCH (:User {dataset: $dataset, id: $users[k]})-[r:RATED|INTERACTED]->(i)
RETURN collect(id(i) * $span + k) AS pairs,
       collect(coalesce(r.rating, r.weight, 1.0)) AS rating,
       collect(coalesce(r.ts, 0)) AS ts,
       collect(coalesce(r.test_in, reduce(mask = 0, s IN coalesce(r.test_of, []) | mask + coalesce($bits[s], 0))))
         AS test_in

// Export, the general form of `export/interactions`, for a batch in which some relationship lacks a property
// kgrec's writers always set (one created by hand, or by an older kgrec): the same lists, with the value read
// from `rating` or `weight` (else 1.0), ts 0 where absent, and the test_in mask where absent. A relationship an
// older kgrec wrote carries the split names as a list (`test_of`) instead of `test_in`: its mask is summed from
// $bits (split name → bit) until a re-ingest with --force rewrites it.
UNWIND range(0, size($users) - 1) AS k
MATCH (:User {dataset: $dataset, id: $users[k]})-[r:RATED|INTERACTED]->(i)
RETURN collect(id(i) * $span + k) AS pairs,
       collect(coalesce(r.rating, r.weight, 1.0)) AS rating,
       collect(coalesce(r.ts, 0)) AS ts,
       collect(coalesce(r.test_in, reduce(mask = 0, s IN coalesce(r.test_of, []) | mask + coalesce($bits[s], 0))))
         AS test_in

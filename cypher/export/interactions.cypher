// Export: every user's interactions as parallel lists: item ids, rating (or weight), timestamp, and a
// bitmask of the official splits ($splits, in order) in which the interaction is a test row.
MATCH (u:User {dataset: $dataset})
CALL (u) {
  MATCH (u)-[r:RATED|INTERACTED]->(i:Item {dataset: $dataset})
  RETURN collect(i.id) AS items,
         collect(toFloat(coalesce(r.rating, r.weight, 1.0))) AS values,
         collect(coalesce(r.ts, 0)) AS ts,
         collect(reduce(mask = 0, k IN [k IN range(0, size($splits) - 1) WHERE $splits[k] IN coalesce(r.test_of, [])]
                        | mask + toInteger(2 ^ k))) AS masks
}
RETURN u.id AS user, items, values, ts, masks

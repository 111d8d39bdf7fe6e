// Export: the interactions of a batch of users ($users) as parallel lists: user ids, item ids, rating
// (or weight), timestamp, and a bitmask of the official splits ($splits, in order) in which the
// interaction is a test row. One record per batch keeps the transfer cheap.
UNWIND $users AS uid
MATCH (u:User {dataset: $dataset, id: uid})-[r:RATED|INTERACTED]->(i:Item {dataset: $dataset})
RETURN collect(u.id) AS users, collect(i.id) AS items,
       collect(toFloat(coalesce(r.rating, r.weight, 1.0))) AS values,
       collect(coalesce(r.ts, 0)) AS ts,
       collect(CASE WHEN r.test_of IS NULL THEN 0
               ELSE reduce(mask = 0, k IN range(0, size($splits) - 1)
                           | mask + CASE WHEN $splits[k] IN r.test_of THEN toInteger(2 ^ k) ELSE 0 END) END) AS masks

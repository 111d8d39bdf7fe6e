// Export: the interactions of a batch of users ($users) as parallel lists: user ids, item ids, rating
// (or weight), timestamp, and a bitmask of the official splits in which the interaction is a test row
// ($bits maps each split name to its bit). One record per batch keeps the transfer cheap.
UNWIND $users AS uid
MATCH (u:User {dataset: $dataset, id: uid})-[r:RATED|INTERACTED]->(i:Item {dataset: $dataset})
RETURN collect(u.id) AS users, collect(i.id) AS items,
       collect(toFloat(coalesce(r.rating, r.weight, 1.0))) AS values,
       collect(coalesce(r.ts, 0)) AS ts,
       collect(reduce(mask = 0, s IN coalesce(r.test_of, []) | mask + coalesce($bits[s], 0))) AS masks

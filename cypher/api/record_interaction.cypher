// API (write): record one interaction at once. Creates the user if new; MERGE keeps one relationship per
// (user, item), so recording again updates it. $relation is RATED (explicit datasets, $value = rating)
// or INTERACTED (implicit, $value = weight); `recorded_at` marks it as newer than the model. `test_in` is left
// as it was (0 on a new relationship: no official split's test row).
// Parameters: $dataset, $userId, $itemId, $relation, $value, $ts (unix seconds).
MATCH (i:Item {dataset: $dataset, id: $itemId})
MERGE (u:User {dataset: $dataset, id: $userId})
ON CREATE SET u.created_at = datetime()
MERGE (u)-[r:$($relation)]->(i)
ON CREATE SET r.test_in = 0
SET r.rating = CASE WHEN $relation = 'RATED' THEN $value END,
    r.weight = CASE WHEN $relation = 'INTERACTED' THEN $value END,
    r.ts = $ts,
    r.recorded_at = datetime()
RETURN u.id AS userId, i.id AS itemId, type(r) AS relation, $value AS value, r.ts AS ts,
       toString(r.recorded_at) AS recordedAt, COUNT { (u)-[:RATED|INTERACTED]->() } AS interactions

// API: one page of a user's interaction history, newest first (keyset pagination: pass the last row's
// ts and item id as $afterTs / $afterItem to get the next page; both null for the first page).
// Parameters: $dataset, $userId, $afterTs (or null), $afterItem (or null), $limit.
MATCH (u:User {dataset: $dataset, id: $userId})-[r:RATED|INTERACTED]->(i:Item)
WITH r, i, coalesce(r.ts, 0) AS ts
WHERE $afterTs IS NULL OR ts < $afterTs OR (ts = $afterTs AND i.id > $afterItem)
RETURN i.id AS itemId, type(r) AS relation, r.rating AS rating, r.weight AS weight, ts,
       toString(r.recorded_at) AS recordedAt
ORDER BY ts DESC, itemId ASC
LIMIT $limit

// Show one FRIEND explanation path in Neo4j Browser (set the parameters with `:param` first):
// a friend (or someone the user trusts) liked the recommended item.
// Parameters: $dataset, $userId, $friendId, $socialRelation (FRIEND or TRUSTS), $itemId.
MATCH path = (u:User {dataset: $dataset, id: $userId})-[s]-(f:User {dataset: $dataset, id: $friendId})
             -[:RATED|INTERACTED]->(i:Item {dataset: $dataset, id: $itemId})
WHERE type(s) = $socialRelation AND (type(s) = 'FRIEND' OR startNode(s) = u)
RETURN path
LIMIT 1

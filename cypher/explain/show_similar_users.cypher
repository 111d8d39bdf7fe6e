// Show one SIMILAR_USERS explanation path in Neo4j Browser (set the parameters with `:param` first):
// you and a neighbour both liked the history item, and the neighbour liked the recommended item.
// Parameters: $dataset, $userId, $historyItemId, $neighbourId, $itemId.
MATCH path = (u:User {dataset: $dataset, id: $userId})-[:RATED|INTERACTED]->
             (h:Item {dataset: $dataset, id: $historyItemId})<-[:RATED|INTERACTED]-
             (v:User {dataset: $dataset, id: $neighbourId})-[:RATED|INTERACTED]->(i:Item {dataset: $dataset, id: $itemId})
RETURN path

// Show one SHARED_ENTITY explanation path in Neo4j Browser (the API returns the parameters with each path;
// paste them with `:param` first). The user liked the history item, which shares an entity with the item.
// Parameters: $dataset, $userId, $historyItemId, $historyRelation, $entityUri, $itemRelation, $itemId.
MATCH path = (u:User {dataset: $dataset, id: $userId})-[r:RATED|INTERACTED]->
             (h:Item {dataset: $dataset, id: $historyItemId})-[k1]->(e:Entity {uri: $entityUri})
             <-[k2]-(i:Item {dataset: $dataset, id: $itemId})
WHERE type(k1) = $historyRelation AND type(k2) = $itemRelation
RETURN path

// Explanation paths, kind SHARED_ENTITY — for each recommended item in $itemIds:
//   (user)-[:RATED|INTERACTED]->(history item)-[k1]->(entity)<-[k2]-(recommended item)
// something the user liked shares a linked entity (director, actor, writer, subject, genre …) with it.
// weight = preference × specificity
//   preference  = $preferences[history item id]: the user's rating (or weight) of it / their highest one
//   specificity = 1 / ln(1 + in-degree of the entity): a director of 4 films says more than the genre Drama
// $preferences holds only the items the user liked (the API passes those with preference ≥ its threshold),
// and $likedIds its keys. The two sides (the user's liked items → entities, recommended items → entities) are
// joined once on the entity; for each (recommended item, entity) the liked item with the highest preference
// stays, then the $perItem heaviest entities per item. Each row carries the path's nodes and relationships
// as matched (user, history item, entity, item). The aggregations collect lists, not maps: [preference, h, r, k1, k2]
// per joined row and [e, best, specificity] per entity (building a map per row cost ~1 ms of server CPU a request).
// Parameters: $dataset, $userId, $itemIds (list), $likedIds (list), $preferences (map id → 0..1), $perItem.
MATCH (u:User {dataset: $dataset, id: $userId})-[r:RATED|INTERACTED]->(h:Item)-[k1]->(e:Entity)
      <-[k2]-(rec:Item {dataset: $dataset})
USING JOIN ON e
WHERE rec.id IN $itemIds AND h.id IN $likedIds AND h <> rec
WITH u, rec, e, r, h, k1, k2, $preferences[h.id] AS preference
ORDER BY preference DESC
WITH u, rec, e, head(collect([preference, h, r, k1, k2])) AS best
WITH u, rec, e, best, 1.0 / log(1.0 + COUNT { (e)<--() }) AS specificity
ORDER BY best[0] * specificity DESC
WITH u, rec, collect([e, best, specificity])[0..$perItem] AS bests
UNWIND bests AS b
WITH u, rec, b[0] AS e, b[1] AS best, b[2] AS specificity
RETURN rec.id AS itemId, 'SHARED_ENTITY' AS kind, best[0] * specificity AS weight,
       {preference: best[0], specificity: specificity} AS factors,
       [u, best[1], e, rec] AS nodes, [best[2], best[3], best[4]] AS relationships

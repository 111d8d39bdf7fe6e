// Explanation paths, kind SHARED_ENTITY — for each recommended item in $itemIds:
//   (user)-[:RATED|INTERACTED]->(history item)-[k1]->(entity)<-[k2]-(recommended item)
// something the user liked shares a linked entity (director, actor, writer, subject, genre …) with it.
// weight = preference × specificity
//   preference  = $preferences[history item id]: the user's rating (or weight) of it / their highest one
//   specificity = 1 / ln(1 + in-degree of the entity): a director of 4 films says more than the genre Drama
// $preferences holds only the items the user liked (the API passes those with preference ≥ its threshold),
// and $likedIds its keys. The two sides (recommended items → entities, liked items → entities) are joined
// once on the entity. For each entity only its heaviest path is kept, then the $perItem heaviest per item.
// Parameters: $dataset, $userId, $itemIds (list), $likedIds (list), $preferences (map id → 0..1), $perItem.
MATCH (u:User {dataset: $dataset, id: $userId})
MATCH (rec:Item {dataset: $dataset})-[k2]->(e:Entity)<-[k1]-(h:Item {dataset: $dataset})
USING JOIN ON e
WHERE rec.id IN $itemIds AND h.id IN $likedIds AND h <> rec
WITH u, rec, e, k1, k2, h, $preferences[h.id] AS preference, 1.0 / log(1.0 + COUNT { (e)<--() }) AS specificity
ORDER BY preference * specificity DESC
WITH u, rec, e, head(collect({h: h, k1: k1, k2: k2, preference: preference, specificity: specificity})) AS best
ORDER BY best.preference * best.specificity DESC
WITH u, rec, collect(best)[0..$perItem] AS bests
UNWIND bests AS b
WITH u, rec, b, b.h AS h, b.k1 AS k1, b.k2 AS k2
MATCH path = (u)-[:RATED|INTERACTED]->(h)-[k1]->()<-[k2]-(rec)
RETURN rec.id AS itemId, 'SHARED_ENTITY' AS kind, b.preference * b.specificity AS weight,
       {preference: b.preference, specificity: b.specificity} AS factors, path

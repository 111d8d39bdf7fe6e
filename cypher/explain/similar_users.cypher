// Explanation paths, kind SIMILAR_USERS — for each recommended item in $itemIds:
//   (user)-[:RATED|INTERACTED]->(history item)<-[:RATED|INTERACTED]-(neighbour)-[:RATED|INTERACTED]->(recommended item)
// a user whose taste is close to yours liked something you liked, and liked the recommended item.
// Neighbours: the $neighbours users nearest to $userVector (the user's embedding, or their folded-in one) in the
// model's user vector index $userIndex; similarity = their cosine (the index reports (1 + cos) / 2).
// weight = preference × neighbourPreference × neighbourLikesItem × similarity × specificity, where preference
// comes from $preferences (the user's liked items, as for SHARED_ENTITY), the neighbour's two are their rating
// (or weight) / their highest one, each ≥ $minPreference, and specificity = 1 / ln(1 + the neighbour's number of
// interactions), as for entities: someone who rated 30 films says more than someone who rated 700.
// Each neighbour explains with the liked item you share most strongly; the $perItem heaviest paths per item stay.
// Each row carries the path's nodes (user, history item, neighbour, item) and relationships.
// Each neighbour's history is read once (their top value, their count and the items that matter in one pass), and
// "is a liked item" is a lookup in the $preferences map (cheaper than scanning a list per relationship).
// Parameters: $dataset, $userId, $itemIds, $preferences, $userIndex, $userVector, $neighbours, $minPreference,
// $perItem.
MATCH (u:User {dataset: $dataset, id: $userId})
CALL db.index.vector.queryNodes($userIndex, $neighbours + 1, $userVector) YIELD node AS v, score
WITH u, v, 2 * score - 1 AS similarity
WHERE v.dataset = $dataset AND v <> u AND similarity > 0
CALL (v) {
  MATCH (v)-[r:RATED|INTERACTED]->(i)
  WITH r, i, i.id AS id, toFloat(coalesce(r.rating, r.weight, 1.0)) AS value
  WITH max(value) AS top, count(r) AS interactions,
       collect(CASE WHEN $preferences[id] IS NOT NULL OR id IN $itemIds THEN [i, r, value, id] END) AS hits
  UNWIND hits AS hit
  WITH hit[0] AS i, hit[1] AS r, hit[3] AS id, hit[2] / top AS neighbourPreference,
       1.0 / log(1.0 + interactions) AS specificity
  WHERE neighbourPreference >= $minPreference
  RETURN i, r, id, neighbourPreference, specificity
}
WITH u, v, similarity, specificity,
     collect(CASE WHEN id IN $itemIds THEN {item: i, r: r, likes: neighbourPreference} END) AS recs,
     collect(CASE WHEN $preferences[id] IS NOT NULL THEN {h: i, r: r, preference: $preferences[id],
                                             neighbourPreference: neighbourPreference} END) AS shared
WHERE size(recs) > 0 AND size(shared) > 0
WITH u, v, similarity, specificity, recs,
     reduce(best = shared[0], s IN shared |
            CASE WHEN s.preference * s.neighbourPreference > best.preference * best.neighbourPreference
                 THEN s ELSE best END) AS best
UNWIND recs AS rec
WITH u, v, rec, best, similarity, specificity,
     best.preference * best.neighbourPreference * rec.likes * similarity * specificity AS weight
ORDER BY weight DESC
WITH u, rec.item AS item,
     collect({v: v, rec: rec, best: best, weight: weight, similarity: similarity, specificity: specificity})[0..$perItem]
       AS bests
UNWIND bests AS b
WITH u, item, b, b.best.h AS h
MATCH (u)-[ru:RATED|INTERACTED]->(h)
RETURN item.id AS itemId, 'SIMILAR_USERS' AS kind, b.weight AS weight,
       {preference: b.best.preference, neighbourPreference: b.best.neighbourPreference, neighbourLikesItem: b.rec.likes,
        similarity: b.similarity, specificity: b.specificity} AS factors,
       [u, h, b.v, item] AS nodes, [ru, b.best.r, b.rec.r] AS relationships

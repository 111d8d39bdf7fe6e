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
// Parameters: $dataset, $userId, $itemIds, $likedIds, $preferences, $userIndex, $userVector, $neighbours,
// $minPreference, $perItem.
MATCH (u:User {dataset: $dataset, id: $userId})
CALL db.index.vector.queryNodes($userIndex, $neighbours + 1, $userVector) YIELD node AS v, score
WITH u, v, 2 * score - 1 AS similarity
WHERE v.dataset = $dataset AND v <> u AND similarity > 0
CALL (v) {
  MATCH (v)-[r:RATED|INTERACTED]->(i:Item)
  WITH collect({i: i, value: toFloat(coalesce(r.rating, r.weight, 1.0))}) AS rows,
       max(toFloat(coalesce(r.rating, r.weight, 1.0))) AS top
  UNWIND rows AS row
  WITH row.i AS i, row.value / top AS neighbourPreference, 1.0 / log(1.0 + size(rows)) AS specificity
  WHERE neighbourPreference >= $minPreference AND (i.id IN $likedIds OR i.id IN $itemIds)
  RETURN i, neighbourPreference, specificity
}
WITH u, v, similarity, specificity,
     collect(CASE WHEN i.id IN $itemIds THEN {item: i, likes: neighbourPreference} END) AS recs,
     collect(CASE WHEN i.id IN $likedIds THEN {h: i, preference: $preferences[i.id],
                                               neighbourPreference: neighbourPreference} END) AS shared
WHERE size(recs) > 0 AND size(shared) > 0
WITH u, v, similarity, specificity, recs,
     reduce(best = shared[0], s IN shared |
            CASE WHEN s.preference * s.neighbourPreference > best.preference * best.neighbourPreference
                 THEN s ELSE best END) AS best
UNWIND recs AS rec
WITH u, v, rec.item AS item, best,
     best.preference * best.neighbourPreference * rec.likes * similarity * specificity AS weight,
     {preference: best.preference, neighbourPreference: best.neighbourPreference, neighbourLikesItem: rec.likes,
      similarity: similarity, specificity: specificity} AS factors
ORDER BY weight DESC
WITH u, item, collect({v: v, h: best.h, weight: weight, factors: factors})[0..$perItem] AS bests
UNWIND bests AS b
WITH u, item, b, b.v AS v, b.h AS h
MATCH path = (u)-[:RATED|INTERACTED]->(h)<-[:RATED|INTERACTED]-(v)-[:RATED|INTERACTED]->(item)
RETURN item.id AS itemId, 'SIMILAR_USERS' AS kind, b.weight AS weight, b.factors AS factors, path

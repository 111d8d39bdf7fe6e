// API: items by id (one query for every item a GraphQL response shows), without embedding properties.
// Parameters: $dataset, $ids (list of item ids).
UNWIND $ids AS id
MATCH (i:Item {dataset: $dataset, id: id})
CALL (i) {
  OPTIONAL MATCH (i)<-[r:RATED]-()
  RETURN avg(r.rating) AS meanRating
}
RETURN i.id AS id, i.title AS title, i.uri AS uri,
       [l IN labels(i) WHERE l <> 'Item'] AS domains,
       COUNT { (i)<-[:RATED|INTERACTED]-() } AS interactions,
       meanRating,
       [k IN keys(i) WHERE NOT k STARTS WITH 'emb_' | [k, i[k]]] AS properties

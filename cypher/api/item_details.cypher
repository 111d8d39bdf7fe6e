// API: what else a GraphQL response may ask of items, in one row: the mean rating and every other property
// (abstracts can be long, so api/items leaves them out), without embedding properties.
// Parameters: $dataset, $ids (list of item ids).
UNWIND $ids AS id
MATCH (i:Item {dataset: $dataset, id: id})
CALL (i) {
  OPTIONAL MATCH (i)<-[r:RATED]-()
  RETURN avg(r.rating) AS meanRating
}
RETURN collect({id: i.id, meanRating: meanRating,
                properties: [k IN keys(i) WHERE NOT k STARTS WITH 'emb_' | [k, i[k]]]}) AS items

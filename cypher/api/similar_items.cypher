// API: the items nearest to one item in the active model version's item vector index (approximate, cosine).
// Neo4j reports cosine scores as (1 + cos) / 2, so 1.0 means the same direction. Also says whether the
// dataset has an active model and whether the item exists, so the API can tell which one is missing.
// Parameters: $dataset, $itemId, $k.
OPTIONAL MATCH (m:Model {dataset: $dataset}) WHERE m.active
OPTIONAL MATCH (q:Item {dataset: $dataset, id: $itemId})
CALL (m, q) {
  WITH m, q
  WHERE m IS NOT NULL AND q IS NOT NULL AND q[m.property] IS NOT NULL
  CALL db.index.vector.queryNodes(m.item_index, $k + 1, q[m.property]) YIELD node, score
  WITH node, score
  WHERE node <> q AND node.dataset = $dataset
  ORDER BY score DESC
  RETURN collect({id: node.id, score: score})[0..$k] AS similar
}
RETURN m IS NOT NULL AS hasModel, q IS NOT NULL AS itemExists, similar

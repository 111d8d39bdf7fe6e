// API: the linked entities of items (director, starring, subject, genre …), with each entity's in-degree
// (how many nodes link to it: the lower, the more specific). One query for every item of a response.
// Parameters: $dataset, $ids (list of item ids), $relation (a relationship type, or null for all), $limit (per item).
UNWIND $ids AS id
MATCH (i:Item {dataset: $dataset, id: id})
CALL (i) {
  MATCH (i)-[r]->(e:Entity)
  WHERE $relation IS NULL OR type(r) = $relation
  RETURN type(r) AS relation, r.predicate AS predicate, e.uri AS uri, e.name AS name,
         [l IN labels(e) WHERE l <> 'Entity'] AS kinds, COUNT { (e)<--() } AS degree
  ORDER BY degree, relation, name
  LIMIT $limit
}
RETURN id, relation, predicate, uri, name, kinds, degree

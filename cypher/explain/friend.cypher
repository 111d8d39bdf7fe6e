// Explanation paths, kind FRIEND — for each recommended item in $itemIds:
//   (user)-[:FRIEND]-(friend)-[:RATED|INTERACTED]->(recommended item), or (user)-[:TRUSTS]->(trusted user)-[…]->(item)
// someone the user is linked to socially liked the recommended item.
// weight = the friend's rating (or weight) of the item / their highest one, at least $minPreference.
// Each friend counts once (FRIEND links may be stored both ways); the $perItem heaviest paths per item are kept.
// Each row carries the path's nodes (user, friend, item) and relationships.
// Parameters: $dataset, $userId, $itemIds, $minPreference, $perItem.
MATCH (u:User {dataset: $dataset, id: $userId})
UNWIND $itemIds AS itemId
MATCH (rec:Item {dataset: $dataset, id: itemId})
CALL (u, rec) {
  MATCH (u)-[s:FRIEND|TRUSTS]-(f:User)-[r:RATED|INTERACTED]->(rec)
  WHERE type(s) = 'FRIEND' OR startNode(s) = u
  CALL (f) {
    MATCH (f)-[x:RATED|INTERACTED]->()
    RETURN toFloat(max(coalesce(x.rating, x.weight, 1.0))) AS top
  }
  WITH f, s, r, toFloat(coalesce(r.rating, r.weight, 1.0)) / top AS friendPreference
  WHERE friendPreference >= $minPreference
  WITH f, head(collect([s, r])) AS relationships, max(friendPreference) AS friendPreference
  RETURN f, relationships, friendPreference AS weight, {friendPreference: friendPreference} AS factors
  ORDER BY weight DESC
  LIMIT $perItem
}
RETURN itemId, 'FRIEND' AS kind, weight, factors, [u, f, rec] AS nodes, relationships

// Export: entity → entity knowledge links among the given entities, grouped by relationship type.
MATCH (e:Entity)-[r]->(t:Entity)
WHERE e.uri IN $uris AND t.uri IN $uris
RETURN type(r) AS type, collect(e.uri) AS heads, collect(t.uri) AS tails
ORDER BY type

// Export: item → entity knowledge links of a dataset, grouped by relationship type.
MATCH (i:Item {dataset: $dataset})-[r]->(e:Entity)
RETURN type(r) AS type, collect(i.id) AS heads, collect(e.uri) AS tails
ORDER BY type

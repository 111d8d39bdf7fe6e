// Export: item → entity knowledge links of a dataset, grouped by relationship type, as internal node ids (no
// property read per link; `export/item_nodes` and `export/entities` map the ids in the same transaction).
MATCH (i:Item {dataset: $dataset})-[r]->(e:Entity)
RETURN type(r) AS type, collect(id(i)) AS heads, collect(id(e)) AS tails
ORDER BY type

// Export: entity → entity knowledge links from the entities whose internal node ids are in $nodes, grouped by
// relationship type, as node ids (the caller keeps the links whose tail is among $nodes too).
UNWIND $nodes AS node
MATCH (e)-[r]->(t:Entity) WHERE id(e) = node
RETURN type(r) AS type, collect(node) AS heads, collect(id(t)) AS tails
ORDER BY type

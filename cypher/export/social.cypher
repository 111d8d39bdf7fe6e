// Export: social links (FRIEND, TRUSTS) from a dataset's users, grouped by type, as internal node ids (no property
// read per link; `export/user_nodes` maps the ids in the same transaction and drops a link to another dataset's user).
MATCH (u:User {dataset: $dataset})-[r:FRIEND|TRUSTS]->(v)
RETURN type(r) AS type, collect(id(u)) AS heads, collect(id(v)) AS tails
ORDER BY type

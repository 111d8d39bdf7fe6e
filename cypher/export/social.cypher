// Export: social links (FRIEND, TRUSTS) between a dataset's users, grouped by type.
MATCH (u:User {dataset: $dataset})-[r:FRIEND|TRUSTS]->(v:User {dataset: $dataset})
RETURN type(r) AS type, collect(u.id) AS heads, collect(v.id) AS tails
ORDER BY type

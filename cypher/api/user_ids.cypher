// The ids of a dataset's users, numeric ids in numeric order (benchmarks walk every user).
// Parameters: $dataset.
MATCH (u:User {dataset: $dataset})
RETURN u.id AS id
ORDER BY toInteger(u.id), u.id

// Export: a dataset's user ids in tensor order (sorted).
MATCH (u:User {dataset: $dataset})
WITH u.id AS id ORDER BY id
RETURN collect(id) AS ids

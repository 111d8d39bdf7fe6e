// Export: a dataset's users as internal node id → dataset id, read in the same transaction as `export/social`
// (internal ids are only stable within one transaction).
MATCH (u:User {dataset: $dataset})
RETURN collect(id(u)) AS nodes, collect(u.id) AS ids

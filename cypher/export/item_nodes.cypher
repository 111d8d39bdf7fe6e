// Export: a dataset's items as internal node id → dataset id, read in the same transaction as a batch of
// `export/interactions` (internal ids are only stable within one transaction: a deleted node's id may be reused).
MATCH (i:Item {dataset: $dataset})
RETURN collect(id(i)) AS nodes, collect(i.id) AS ids

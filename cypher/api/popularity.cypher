// API: how many users interacted with each item of a dataset (the fallback ranking for users nobody knows),
// with each item's domain labels.
// Parameters: $dataset.
MATCH (i:Item {dataset: $dataset})
RETURN i.id AS id, COUNT { (i)<-[:RATED|INTERACTED]-() } AS interactions,
       [l IN labels(i) WHERE l <> 'Item'] AS domains
ORDER BY id

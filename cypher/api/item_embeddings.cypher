// API: every item embedding of one model version (loaded once per process and version, then scored in memory),
// with each item's domain labels (Movie, Book, …) for the `domain` filter.
// Parameters: $dataset, $property (the version's property, e.g. "emb_lightgcn_v3").
MATCH (i:Item {dataset: $dataset})
WHERE i[$property] IS NOT NULL
RETURN i.id AS id, i[$property] AS vector, [l IN labels(i) WHERE l <> 'Item'] AS domains
ORDER BY id

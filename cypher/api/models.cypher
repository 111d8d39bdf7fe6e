// API: model versions (all, or one dataset's), newest first within each model name.
// Parameters: $dataset (or null for every dataset).
MATCH (m:Model)
WHERE $dataset IS NULL OR m.dataset = $dataset
RETURN m {.*} AS model
ORDER BY m.dataset, m.name, m.version DESC

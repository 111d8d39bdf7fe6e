// API readiness: how many active model versions there are (for one dataset, or any when $dataset is null).
// Parameters: $dataset (or null).
OPTIONAL MATCH (m:Model)
WHERE m.active AND ($dataset IS NULL OR m.dataset = $dataset)
RETURN count(m) AS activeModels

// Model versions per dataset: which is active, when it was trained, and its test metrics.
// :param dataset => 'movielens-100k'
MATCH (m:Model)
WHERE $dataset IS NULL OR m.dataset = $dataset
RETURN m.dataset AS dataset, m.name AS model, m.version AS version, m.active AS active,
       m.trained_at AS trained_at, m.similarity AS similarity, m.dim AS dim, m.metrics AS metrics
ORDER BY dataset, model, version DESC;

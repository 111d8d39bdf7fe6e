// Export: a dataset's item ids (sorted: tensor order) and titles.
MATCH (i:Item {dataset: $dataset})
WITH i ORDER BY i.id
RETURN collect(i.id) AS ids, collect(coalesce(i.title, '')) AS titles

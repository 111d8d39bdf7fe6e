// API: the names of every ingested dataset.
MATCH (d:Dataset)
RETURN d.name AS name
ORDER BY name

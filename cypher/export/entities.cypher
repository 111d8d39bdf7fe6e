// Export: the IRI and name (the IRI when it has none) of each entity whose internal node id is in $nodes.
UNWIND $nodes AS node
MATCH (e) WHERE id(e) = node
RETURN collect(node) AS nodes, collect(e.uri) AS uris, collect(coalesce(e.name, e.uri)) AS names

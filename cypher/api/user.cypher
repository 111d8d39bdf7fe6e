// API: one user's attributes (without embedding properties) and how many interactions they have.
// Parameters: $dataset, $userId.
MATCH (u:User {dataset: $dataset, id: $userId})
RETURN u.id AS id,
       [k IN keys(u) WHERE NOT k STARTS WITH 'emb_' AND NOT k IN ['id', 'dataset'] | [k, u[k]]] AS properties,
       COUNT { (u)-[:RATED|INTERACTED]->() } AS interactions

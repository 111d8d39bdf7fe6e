// Explanation paths: the end of the query that runs several kinds (shared_entity, similar_users, friend) for all
// recommended items in one round trip, appended after `CALL () { <kind> UNION ALL <kind> … }`.
// It keeps the $perItem heaviest paths of each item over all kinds and returns them in one row, heaviest first
// within each item, each as small maps (no embedding properties): nodes in path order, and relationships, the
// k-th joining nodes k and k + 1, with `forward` saying whether it starts at node k (so direction is kept).
WITH itemId, kind, weight, factors, nodes, relationships
ORDER BY weight DESC
WITH itemId, collect({kind: kind, weight: weight, factors: factors, nodes: nodes, relationships: relationships})
       [0..$perItem] AS paths
UNWIND paths AS p
RETURN collect({itemId: itemId, kind: p.kind, weight: p.weight, factors: p.factors,
                nodes: [n IN p.nodes | n {.id, .title, .name, .uri, labels: labels(n)}],
                relationships: [k IN range(0, size(p.relationships) - 1) | {
                  type: type(p.relationships[k]), rating: p.relationships[k].rating,
                  weight: p.relationships[k].weight, predicate: p.relationships[k].predicate,
                  forward: startNode(p.relationships[k]) = p.nodes[k]}]})
       AS paths

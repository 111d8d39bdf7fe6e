// Explanation paths: the projection appended after `CALL () { <kind> UNION ALL <kind> … }` when the API runs
// several kinds (shared_entity, similar_users, friend) for all recommended items in one round trip.
// It returns each path as small maps (no embedding properties): nodes in path order, and relationships
// with the element ids of their real start and end nodes (so direction is kept).
RETURN itemId, kind, weight, factors,
       [n IN nodes(path) | n {.id, .title, .name, .uri, labels: labels(n), elementId: elementId(n)}] AS nodes,
       [r IN relationships(path) | r {.rating, .weight, .predicate, type: type(r),
                                      start: elementId(startNode(r)), end: elementId(endNode(r))}] AS relationships

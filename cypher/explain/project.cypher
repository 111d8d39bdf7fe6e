// Explanation paths: the end of the query that runs several kinds (shared_entity, similar_users, friend) for all
// recommended items in one round trip, appended after `CALL () { <kind> UNION ALL <kind> … }`.
// It keeps the $perItem heaviest paths of each item over all kinds and returns them in one row, heaviest first
// within each item, each as a list [itemId, kind, weight, factors, nodes, relationships] (no embedding properties):
// nodes in path order, each [id, title, name, uri, labels]; relationships, the k-th joining nodes k and k + 1, each
// [type, rating, weight, predicate, forward], `forward` saying whether it starts at node k (so direction is kept).
// Lists, not maps: no key strings to write and decode (22 → 13.5 KB for a heavy user's 30 paths; the driver
// decoded them in a third of the time).
WITH itemId, kind, weight, factors, nodes, relationships
ORDER BY weight DESC
WITH itemId, collect([kind, weight, factors, nodes, relationships])[0..$perItem] AS paths
UNWIND paths AS p
WITH itemId, p[0] AS kind, p[1] AS weight, p[2] AS factors, p[3] AS nodes, p[4] AS relationships
RETURN collect([itemId, kind, weight, factors,
                [n IN nodes | [n.id, n.title, n.name, n.uri, labels(n)]],
                [k IN range(0, size(relationships) - 1) | [
                  type(relationships[k]), relationships[k].rating, relationships[k].weight,
                  relationships[k].predicate, startNode(relationships[k]) = nodes[k]]]])
       AS paths

// API: one dataset's description: its domain, whether feedback is explicit, and its rating scale
// (used to validate ratings sent to recordInteraction).
// Parameters: $dataset.
MATCH (d:Dataset {name: $dataset})
CALL (d) {
  OPTIONAL MATCH (:User {dataset: d.name})-[r:RATED]->()
  RETURN min(r.rating) AS minRating, max(r.rating) AS maxRating
}
RETURN d.name AS name, d.domain AS domain, coalesce(d.explicit, true) AS explicit,
       coalesce(d.split_names, []) AS splitNames, minRating, maxRating,
       COUNT { (:User {dataset: d.name}) } AS users,
       COUNT { (:Item {dataset: d.name}) } AS items

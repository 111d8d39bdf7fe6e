// API: what a recommendation needs to know about one user, in one round trip.
// The model version to score with (the dataset's active one, or the newest version of $modelName, or
// exactly $modelName v$modelVersion; never one being deleted), the user's embedding in that version, and the user's
// interactions as parallel lists: item ids, ratings (or weights), and the number recorded after that version
// was trained (such users are folded in from their items instead of using their stale embedding).
// Parameters: $dataset, $userId, $modelName (or null), $modelVersion (or null).
OPTIONAL MATCH (d:Dataset {name: $dataset})
OPTIONAL MATCH (m:Model {dataset: $dataset})
  WHERE ($modelName IS NULL AND m.active)
     OR (m.name = $modelName AND ($modelVersion IS NULL OR m.version = $modelVersion) AND m.deleting IS NULL)
WITH d, m
ORDER BY m.version DESC
LIMIT 1
OPTIONAL MATCH (u:User {dataset: $dataset, id: $userId})
WITH d, m, u, datetime(m.trained_at) AS trainedAt
CALL (u, trainedAt) {
  MATCH (u)-[r:RATED|INTERACTED]->(i:Item)
  RETURN collect(i.id) AS historyIds,
         collect(toFloat(coalesce(r.rating, r.weight, 1.0))) AS historyValues,
         count(CASE WHEN r.recorded_at > trainedAt THEN 1 END) AS recordedSince
}
RETURN d IS NOT NULL AS datasetExists,
       u IS NOT NULL AS userExists,
       m {.*} AS model,
       CASE WHEN m IS NULL OR u IS NULL THEN null ELSE u[m.property] END AS vector,
       historyIds, historyValues, recordedSince

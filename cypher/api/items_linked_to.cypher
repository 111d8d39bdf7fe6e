// API: the items of a dataset linked to every one of the entities $uris (the `linkedTo` filter).
// Parameters: $dataset, $uris (list of entity IRIs).
UNWIND $uris AS uri
MATCH (:Entity {uri: uri})<--(i:Item {dataset: $dataset})
WITH i, count(DISTINCT uri) AS hits
WHERE hits = size($uris)
RETURN i.id AS id

// API: model versions (all, or one dataset's), newest first within each model name. A version a deletion has
// claimed (`deleting`: never activated or served again) is left out, also when that deletion was killed half-way
// (`kgrec models list` still shows it, for the operator to finish with `kgrec models delete`).
// Parameters: $dataset (or null for every dataset).
MATCH (m:Model)
WHERE ($dataset IS NULL OR m.dataset = $dataset) AND m.deleting IS NULL
RETURN m {.*} AS model
ORDER BY m.dataset, m.name, m.version DESC

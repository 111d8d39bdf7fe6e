// Official splits: how many interactions each one holds out as test rows (ML-100K u1…u5, ua, ub; KGAT kgat).
// An interaction's test_in is a bitmask over its dataset's split_names: bit k set ⇔ it is a test row of
// split_names[k]; 0 ⇔ a training row everywhere. Cypher has no bitwise operators: the list below turns the mask
// back into split names (paste it after any MATCH of r and d to read them; keep one split with
// `WHERE 'u1' IN [k IN … | d.split_names[k]]`).
// :param dataset => 'movielens-100k'
MATCH (d:Dataset {name: $dataset})
MATCH (:User {dataset: $dataset})-[r:RATED|INTERACTED]->(:Item)
UNWIND [k IN range(0, size(d.split_names) - 1) WHERE r.test_in / toInteger(2 ^ k) % 2 = 1 | d.split_names[k]] AS split
RETURN split, count(*) AS test_rows
ORDER BY split;

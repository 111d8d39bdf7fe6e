// A user's neighbourhood: the items they rated (best first) and the linked entities of those items.
// Run in Browser and switch to the graph view to see it.
// :param dataset => 'movielens-100k'
// :param userId => '1'
// :param limit => 25
MATCH (u:User {dataset: $dataset, id: $userId})-[r:RATED|INTERACTED]->(i:Item)
WITH u, r, i ORDER BY coalesce(r.rating, r.weight) DESC LIMIT $limit
OPTIONAL MATCH (i)-[k]->(e:Entity)
RETURN u, r, i, k, e;

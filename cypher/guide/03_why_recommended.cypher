// Why is item $itemId recommended to user $userId? Items the user rated that share a linked entity
// (director, actor, writer, subject, genre …) with it, weighted by the rating and by how specific the
// entity is (an entity linked to few items says more than one linked to hundreds).
// :param dataset => 'movielens-100k'
// :param userId => '1'
// :param itemId => '405'
MATCH (u:User {dataset: $dataset, id: $userId})-[r:RATED|INTERACTED]->(seen:Item)-[k1]->(e:Entity)<-[k2]-(rec:Item {dataset: $dataset, id: $itemId})
WHERE seen <> rec AND type(k1) = type(k2)
WITH u, r, seen, k1, e, k2, rec, COUNT { (e)<--(:Item) } AS degree
RETURN seen.title AS you_rated, coalesce(r.rating, r.weight) AS rating, type(k1) AS shared, e.name AS entity,
       degree, round(coalesce(r.rating, r.weight, 1.0) / log(1.0 + degree), 3) AS weight
ORDER BY weight DESC
LIMIT 10;

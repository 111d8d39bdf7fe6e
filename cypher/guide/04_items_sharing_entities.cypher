// Items that share the most linked entities with item $itemId, and which entities they share.
// :param dataset => 'movielens-100k'
// :param itemId => '50'
// :param limit => 10
MATCH (i:Item {dataset: $dataset, id: $itemId})-[k1]->(e:Entity)<-[k2]-(other:Item {dataset: $dataset})
WHERE other <> i AND type(k1) = type(k2)
RETURN other.id AS item, other.title AS title, count(DISTINCT e) AS shared,
       collect(DISTINCT type(k1) + ': ' + e.name)[..5] AS examples
ORDER BY shared DESC, item
LIMIT $limit;

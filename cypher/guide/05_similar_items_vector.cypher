// Items closest to item $itemId in the active model's embedding space, through its vector index.
// :param dataset => 'movielens-100k'
// :param itemId => '50'
// :param k => 10
MATCH (m:Model {dataset: $dataset}) WHERE m.active
MATCH (i:Item {dataset: $dataset, id: $itemId})
CALL db.index.vector.queryNodes(m.item_index, $k + 1, i[m.property]) YIELD node, score
WHERE node <> i AND node.dataset = $dataset
RETURN node.id AS item, node.title AS title, round(score, 4) AS similarity, m.name + ' v' + m.version AS model
ORDER BY similarity DESC
LIMIT $k;

// API: items by id (one query for every item a GraphQL response shows), in one row: the fields every listing
// shows. Their mean rating and other properties come from api/item_details, only when a query asks for them.
// Parameters: $dataset, $ids (list of item ids).
UNWIND $ids AS id
MATCH (i:Item {dataset: $dataset, id: id})
RETURN collect({id: i.id, title: i.title, uri: i.uri, domains: [l IN labels(i) WHERE l <> 'Item'],
                interactions: COUNT { (i)<-[:RATED|INTERACTED]-() }}) AS items

// Most interacted items of a dataset: how many users rated or played each, and their mean rating.
// :param dataset => 'movielens-100k'
// :param limit => 10
MATCH (i:Item {dataset: $dataset})<-[r:RATED|INTERACTED]-(:User)
RETURN i.id AS item, i.title AS title, count(r) AS interactions, round(avg(r.rating), 2) AS mean_rating
ORDER BY interactions DESC, item
LIMIT $limit;

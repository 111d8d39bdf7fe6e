// Export: a dataset's metadata (is feedback explicit? which official splits exist?).
MATCH (d:Dataset {name: $dataset})
RETURN d.explicit AS explicit, d.split_names AS split_names

"""kgrec learner: splits, models, training and evaluation on a HeteroData export (pure torch/PyG/PyKEEN)."""

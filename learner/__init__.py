"""kgrec learner: splits, models, training and evaluation on a HeteroData export (pure torch/PyG/PyKEEN)."""

import warnings

# PyG 2.8 calls torch.jit.script when imported, deprecated since torch 2.10: a FutureWarning on every command that
# users cannot act on (pyg-team/pytorch_geometric#10697, open). Only that message is silenced.
warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning)

"""The optimiser the learner trains with."""

from __future__ import annotations

import torch


def adam(net: torch.nn.Module, lr: float, weight_decay: float) -> torch.optim.Adam:
    """Adam, fused into one kernel per step where torch has one for the parameters' device (CPU, CUDA): the same
    update, and on CPU three times faster for embedding tables, whose every row the default loop rewrites each
    step (KGAT amazon-book's 95,594 × 64 BPR-MF tables, one thread: 64 → 20 ms a step)."""
    params = [p for p in net.parameters() if p.requires_grad]
    fusable = all(p.device.type in ("cpu", "cuda") and p.is_floating_point() for p in params)
    return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=fusable or None)

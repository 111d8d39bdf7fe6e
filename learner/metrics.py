"""Full-ranking top-K metrics and rating-prediction errors.

Ranking is over *all* items; the items in ``exclude`` (training interactions, plus validation ones when
evaluating test) are removed from each user's ranking before the top K are taken. Users without a
relevant item are not evaluated. Definitions (per user, then averaged over evaluated users), with
``rel_j`` = 1 if the item at rank ``j`` is relevant and ``R`` the user's relevant items:

- Recall@K = Σ_{j≤K} rel_j / |R|;   Precision@K = Σ_{j≤K} rel_j / K;   HitRate@K = 1[Σ_{j≤K} rel_j > 0]
- NDCG@K = DCG / IDCG with DCG = Σ_{j≤K} rel_j / log2(j+1) and IDCG over min(|R|, K) relevant items
- MRR@K = 1 / rank of the first relevant item within K (0 if none)
- MAP@K = Σ_{j≤K} Precision@j · rel_j / min(|R|, K)
- Coverage@K = distinct items recommended in anyone's top K / number of items (a catalogue figure)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import Tensor

RANKING_METRICS = ("recall", "ndcg", "precision", "hit", "mrr", "map")
DEFAULT_KS = (10, 20)

Scorer = Callable[[Tensor], Tensor]
"""Maps a LongTensor of user indices [B] to scores over all items [B, num_items]."""


def ranking_metric_names(ks: Sequence[int] = DEFAULT_KS) -> list[str]:
    """The ``name@k`` keys :func:`ranking_metrics` reports (with item coverage)."""
    return [f"{name}@{k}" for name in (*RANKING_METRICS, "coverage") for k in ks]


def _csr(users: Tensor, items: Tensor, num_users: int) -> tuple[Tensor, Tensor]:
    """(ptr [num_users+1], items sorted by user) for (user, item) pairs."""
    order = torch.argsort(users, stable=True)
    ptr = torch.zeros(num_users + 1, dtype=torch.long)
    ptr[1:] = torch.cumsum(torch.bincount(users.cpu(), minlength=num_users), 0)
    return ptr, items[order].cpu()


def _rows(ptr: Tensor, col: Tensor, batch: Tensor, num_items: int, device: torch.device) -> Tensor:
    """Dense bool [len(batch), num_items] with the pairs of the users in ``batch``."""
    counts = ptr[batch + 1] - ptr[batch]
    row = torch.repeat_interleave(torch.arange(batch.numel()), counts)
    starts = torch.repeat_interleave(ptr[batch], counts)
    offsets = torch.arange(int(counts.sum())) - torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
    dense = torch.zeros(batch.numel(), num_items, dtype=torch.bool, device=device)
    dense[row.to(device), col[starts + offsets].to(device)] = True
    return dense


def ranking_metrics(scorer: Scorer, num_users: int, num_items: int, truth: tuple[Tensor, Tensor],
                    exclude: Sequence[tuple[Tensor, Tensor]] = (), ks: Sequence[int] = DEFAULT_KS,
                    batch_size: int = 1024) -> dict[str, float]:
    """Metrics ``{name}@{k}`` averaged over the users that have relevant items in ``truth``.

    ``truth`` and each ``exclude`` entry are (users, items) index pairs. Scores come from ``scorer`` in
    batches of ``batch_size`` users, on whatever device it returns them.
    """
    ks = sorted(set(ks))
    if not ks or ks[0] < 1:
        raise ValueError(f"ks must be positive integers, got {ks}")
    kmax = min(ks[-1], num_items)
    t_ptr, t_col = _csr(truth[0].cpu(), truth[1].cpu(), num_users)
    ex_users = torch.cat([e[0].cpu() for e in exclude]) if exclude else torch.empty(0, dtype=torch.long)
    ex_items = torch.cat([e[1].cpu() for e in exclude]) if exclude else torch.empty(0, dtype=torch.long)
    e_ptr, e_col = _csr(ex_users, ex_items, num_users)
    eval_users = torch.nonzero(t_ptr[1:] > t_ptr[:-1]).flatten()
    if eval_users.numel() == 0:
        raise ValueError("no user has a relevant item to evaluate")
    sums = {f"{m}@{k}": 0.0 for m in RANKING_METRICS for k in ks}
    recommended = {k: torch.zeros(num_items, dtype=torch.bool) for k in ks}
    for start in range(0, eval_users.numel(), batch_size):
        batch = eval_users[start:start + batch_size]
        scores = scorer(batch).float()
        device = scores.device
        if scores.shape != (batch.numel(), num_items):
            raise ValueError(f"scorer returned shape {list(scores.shape)}, expected [{batch.numel()}, {num_items}]")
        scores = scores.masked_fill(_rows(e_ptr, e_col, batch, num_items, device), float("-inf"))
        top_val, top_idx = torch.topk(scores, kmax, dim=1)
        relevant = _rows(t_ptr, t_col, batch, num_items, device)
        hits = relevant.gather(1, top_idx).float() * torch.isfinite(top_val)
        n_rel = (t_ptr[batch + 1] - t_ptr[batch]).to(device).float()
        pos = torch.arange(1, kmax + 1, device=device, dtype=torch.float)
        discount = 1.0 / torch.log2(pos + 1)
        cum_hits = torch.cumsum(hits, 1)
        for k in ks:
            kk = min(k, kmax)
            h = hits[:, :kk]
            n_hit = h.sum(1)
            ideal_n = torch.clamp(n_rel, max=kk).long()
            idcg = torch.cumsum(discount[:kk], 0)[ideal_n - 1]
            sums[f"recall@{k}"] += float((n_hit / n_rel).sum())
            sums[f"precision@{k}"] += float((n_hit / k).sum())
            sums[f"hit@{k}"] += float((n_hit > 0).float().sum())
            sums[f"ndcg@{k}"] += float(((h * discount[:kk]).sum(1) / idcg).sum())
            sums[f"mrr@{k}"] += float((h / pos[:kk]).max(1).values.sum())
            sums[f"map@{k}"] += float(((cum_hits[:, :kk] / pos[:kk]) * h).sum(1).div(ideal_n).sum())
            shown = top_idx[:, :kk][torch.isfinite(top_val[:, :kk])]
            recommended[k][shown.cpu()] = True
    n_eval = eval_users.numel()
    out = {name: value / n_eval for name, value in sums.items()}
    for k in ks:
        out[f"coverage@{k}"] = float(recommended[k].float().mean())
    out["users"] = float(n_eval)
    return out


def rmse(pred: Tensor, target: Tensor) -> float:
    """Root mean squared error."""
    if pred.shape != target.shape or pred.numel() == 0:
        raise ValueError(f"rmse needs equal non-empty shapes, got {list(pred.shape)} and {list(target.shape)}")
    return math.sqrt(float(((pred.double() - target.double()) ** 2).mean()))


def mae(pred: Tensor, target: Tensor) -> float:
    """Mean absolute error."""
    if pred.shape != target.shape or pred.numel() == 0:
        raise ValueError(f"mae needs equal non-empty shapes, got {list(pred.shape)} and {list(target.shape)}")
    return float((pred.double() - target.double()).abs().mean())

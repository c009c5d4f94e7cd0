import itertools

import pytest
import torch

from restora.losses.triplet import batch_hard_triplet_loss, pairwise_sq_distances


def test_pairwise_distances():
    x = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(pairwise_sq_distances(x), torch.cdist(x, x) ** 2, atol=1e-5)


def _brute(e, labels, margin, squared):
    d = torch.cdist(e, e)
    d = d**2 if squared else d
    losses = []
    for a in range(len(e)):
        pos = [p for p in range(len(e)) if p != a and labels[p] == labels[a]]
        neg = [n for n in range(len(e)) if labels[n] != labels[a]]
        hp = max(d[a, p] for p in pos)
        hn = min(d[a, n] for n in neg)
        gap = hp - hn
        losses.append(
            torch.nn.functional.softplus(gap) if margin is None else (gap + margin).clamp_min(0)
        )
    return torch.stack(losses).mean()


@pytest.mark.parametrize(("margin", "squared"), list(itertools.product([0.2, None], [True, False])))
def test_batch_hard_matches_brute_force(margin, squared):
    e = torch.nn.functional.normalize(
        torch.randn(12, 8, generator=torch.Generator().manual_seed(1)), dim=1
    )
    labels = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    loss, stats = batch_hard_triplet_loss(e, labels, margin, squared=squared)
    assert torch.allclose(loss, _brute(e, labels, margin, squared), atol=1e-5)
    assert 0 <= stats["active"] <= 1


def test_separated_identities_give_zero_and_gradients_flow():
    e = torch.tensor([[1.0, 0.0], [0.99, 0.1], [-1.0, 0.0], [-0.99, -0.1]], requires_grad=True)
    labels = torch.tensor([0, 0, 1, 1])
    assert float(batch_hard_triplet_loss(e, labels, 0.2)[0].detach()) == 0.0
    mixed = torch.tensor([0, 1, 0, 1])
    loss, _ = batch_hard_triplet_loss(e, mixed, 0.2)
    loss.backward()
    assert float(loss.detach()) > 1 and float(e.grad.abs().sum()) > 0


def test_needs_positives_and_negatives():
    with pytest.raises(ValueError, match="two images"):
        batch_hard_triplet_loss(torch.randn(3, 2), torch.tensor([0, 1, 2]))

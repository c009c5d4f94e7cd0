"""Zhang et al.'s ab bins: the 313 centres, the 529 grid, soft encoding, annealed mean,
histogram -> weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from restora.color.ab_bins import (
    ZHANG_HULL,
    ab_histogram,
    annealed_mean,
    class_ab_bins,
    grid_ab_bins,
    load_ab_bins,
    nearest_bin,
    soft_encode,
    soft_encode_sparse,
    srgb_gamut_bins,
    zhang_ab_bins,
)
from restora.losses import rebalance_weights

PTS = ("weights", "colorization_zhang_eccv16", "pts_in_hull.npy")


def test_computed_bins_reproduce_the_authors_file(shared):
    path = shared.joinpath(*PTS)
    if not path.is_file():
        pytest.skip(f"{path} not present")
    authors = load_ab_bins(path, dtype=torch.float64)
    assert authors.shape == (313, 2)
    assert torch.equal(zhang_ab_bins(torch.float64), authors)  # same values, same order


def test_computed_bins_basic_facts():
    bins = zhang_ab_bins()
    assert bins.shape == (313, 2) and bins.dtype == torch.float32
    assert (bins.remainder(10) == 0).all()
    assert len({tuple(b) for b in bins.tolist()}) == 313
    assert bins[0].tolist() == [-90.0, 50.0] and bins[-1].tolist() == [100.0, 0.0]
    assert [0.0, 0.0] in bins.tolist() and [-100.0, 0.0] not in bins.tolist()
    # every hull vertex is itself one of the centres
    assert all(list(map(float, v)) in bins.tolist() for v in ZHANG_HULL)


def test_srgb_gamut_alone_gives_a_strict_subset():
    srgb = srgb_gamut_bins(samples=32)
    zhang = {tuple(b) for b in zhang_ab_bins().tolist()}
    assert all(tuple(b) in zhang for b in srgb.tolist())
    assert 240 < len(srgb) < 313  # the authors' hull reaches beyond sRGB (greens, cyans)
    assert [80.0, 70.0] in srgb.tolist()  # pure red (80.1, 67.2) is in sRGB


def test_load_ab_bins_rejects_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_ab_bins(tmp_path / "missing.npy")
    np.save(tmp_path / "bad.npy", np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"\(Q, 2\)"):
        load_ab_bins(tmp_path / "bad.npy")
    np.save(tmp_path / "ok.npy", np.array([[0, 10], [20, -30]]))
    assert load_ab_bins(tmp_path / "ok.npy").tolist() == [[0.0, 10.0], [20.0, -30.0]]


def test_soft_encode_two_neighbours_by_hand():
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 30.0]], dtype=torch.float64)
    ab = torch.tensor([3.0, 0.0], dtype=torch.float64).view(1, 2, 1, 1)
    z = soft_encode(ab, centres, neighbours=2, sigma=5.0).flatten().tolist()
    # d^2 = 9 and 49; weights exp(-d^2 / 50) normalized
    w0 = 1.0 / (1.0 + math.exp(-0.8))
    assert z == pytest.approx([w0, 1.0 - w0, 0.0], abs=1e-12)


def test_soft_encode_five_nearest_of_the_313_bins():
    ab = torch.tensor([[0.0, 0.0], [10.0, 10.0]]).T.reshape(1, 2, 1, 2)
    z = soft_encode(ab, zhang_ab_bins(), neighbours=5, sigma=5.0)
    assert z.shape == (1, 313, 1, 2)
    torch.testing.assert_close(z.sum(1), torch.ones(1, 1, 2))
    assert ((z > 0).sum(1) == 5).all()
    # at a centre: itself (d = 0) and its 4 axis neighbours (d = 10): 1 : e^-2 x 4
    expected = 1.0 / (1.0 + 4.0 * math.exp(-2.0))
    assert z.amax(1).flatten().tolist() == pytest.approx([expected, expected], rel=1e-5)


def test_soft_encode_bad_arguments():
    with pytest.raises(ValueError, match="neighbours"):
        soft_encode(torch.zeros(1, 2, 1, 1), torch.zeros(3, 2), neighbours=4)
    with pytest.raises(ValueError, match="sigma"):
        soft_encode(torch.zeros(1, 2, 1, 1), torch.zeros(3, 2), neighbours=2, sigma=0)
    with pytest.raises(ValueError):
        soft_encode(torch.zeros(1, 3, 1, 1), torch.zeros(3, 2))


def test_annealed_mean_by_hand():
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0]], dtype=torch.float64)
    logits = torch.log(torch.tensor([0.8, 0.2], dtype=torch.float64)).view(1, 2, 1, 1)
    mean = annealed_mean(logits, centres, temperature=1.0).flatten().tolist()
    assert mean == pytest.approx([2.0, 0.0])  # plain expectation
    # T = 0.5: z^2 renormalized = 0.64 / 0.68, 0.04 / 0.68 -> a = 10 * 0.04 / 0.68
    half = annealed_mean(logits, centres, temperature=0.5).flatten().tolist()
    assert half == pytest.approx([10 * 0.04 / 0.68, 0.0], rel=1e-12)
    # T -> 0: the mode; the default T is the paper's 0.38
    assert annealed_mean(logits, centres, temperature=0.01).flatten()[0] < 1e-10
    t038 = annealed_mean(logits, centres).flatten()[0].item()
    assert t038 == pytest.approx(10 * 0.2 ** (1 / 0.38) / (0.8 ** (1 / 0.38) + 0.2 ** (1 / 0.38)))
    with pytest.raises(ValueError, match="temperature"):
        annealed_mean(logits, centres, temperature=0.0)


def test_soft_encode_then_decode_round_trip():
    ab = torch.tensor([[23.0, -41.0], [-7.0, 64.0], [0.0, 0.0]]).T.reshape(1, 2, 1, 3)
    z = soft_encode(ab, zhang_ab_bins())
    decoded = annealed_mean(torch.log(z.clamp(min=1e-30)), zhang_ab_bins(), temperature=1.0)
    assert (decoded - ab).abs().max() < 3.0  # the mean of a 5-bin Gaussian blob sits near ab


def test_histogram_and_rebalancing_weights_by_hand():
    ab = torch.tensor([[1.0, 1.0], [9.0, 1.0], [11.0, -2.0], [-4.0, 4.0], [12.0, 1.0]])
    counts = ab_histogram(ab.T.reshape(1, 2, 1, 5), zhang_ab_bins())
    bins = zhang_ab_bins().tolist()
    assert counts.sum() == 5
    assert counts[bins.index([0.0, 0.0])] == 2 and counts[bins.index([10.0, 0.0])] == 3
    assert nearest_bin(ab.T.reshape(1, 2, 1, 5), zhang_ab_bins()).shape == (1, 1, 5)

    # All mass on one bin j: smoothed p~_q = g(q, j) / sum_q g(q, j), g = exp(-d^2 / 50);
    # w_q = 1 / (0.5 p~_q + 0.5 / 313), scaled so that sum_q p~_q w_q = 1.
    centres = zhang_ab_bins(torch.float64)
    j = bins.index([0.0, 0.0])
    delta = torch.zeros(313, dtype=torch.float64)
    delta[j] = 7.0
    g = [math.exp(-((a - 0) ** 2 + (b - 0) ** 2) / 50.0) for a, b in centres.tolist()]
    p = [v / sum(g) for v in g]
    raw = [1.0 / (0.5 * v + 0.5 / 313) for v in p]
    norm = sum(pi * wi for pi, wi in zip(p, raw, strict=True))
    expected = [w / norm for w in raw]
    got = rebalance_weights(delta, lam=0.5, sigma=5.0, points=centres)
    assert got.tolist() == pytest.approx(expected, rel=1e-10)
    assert got[j] == got.min() and got.max() / got.min() > 100  # rare colours weigh more


def test_grid_bins_are_the_siggraph17_classes_and_contain_the_313():
    grid = grid_ab_bins()
    assert grid.shape == (529, 2)
    # class 23 * ia + ib <-> (a, b) = (10 ia - 110, 10 ib - 110), as the authors' encode_ab_ind
    assert grid[23 * 3 + 20].tolist() == [-80.0, 90.0]
    assert {tuple(b) for b in zhang_ab_bins().tolist()} <= {tuple(b) for b in grid.tolist()}
    assert torch.equal(class_ab_bins(313), zhang_ab_bins())
    assert torch.equal(class_ab_bins(529), grid)
    with pytest.raises(ValueError, match="no ab bin centres for 400"):
        class_ab_bins(400)
    with pytest.raises(ValueError, match="multiple"):
        grid_ab_bins(105)


@pytest.mark.parametrize("which", ["zhang", "grid", "irregular"])
def test_sparse_soft_encoding_equals_brute_force(which):
    g = torch.Generator().manual_seed(1)
    centres = {
        "zhang": zhang_ab_bins(torch.float64),
        "grid": grid_ab_bins(dtype=torch.float64),
        "irregular": torch.rand(40, 2, generator=g, dtype=torch.float64) * 200 - 100,
    }[which]
    # colours inside and far outside the bins (the lattice search falls back to all centres)
    ab = torch.randn(2, 2, 12, 9, generator=g, dtype=torch.float64) * 60
    ab[0, :, 0, 0] = torch.tensor([127.0, -127.0])
    index, weight = soft_encode_sparse(ab, centres, neighbours=5, sigma=5.0)
    assert index.shape == weight.shape == (2, 5, 12, 9)
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    d2 = (flat[:, None, :] - centres[None]).square().sum(-1)
    best = d2.sort(dim=1).values[:, :5]
    got = d2.gather(1, index.permute(0, 2, 3, 1).reshape(-1, 5))
    torch.testing.assert_close(got, best)  # the 5 nearest, nearest first
    expected = torch.exp(-best / 50.0)
    expected = expected / expected.sum(1, keepdim=True)
    torch.testing.assert_close(weight.permute(0, 2, 3, 1).reshape(-1, 5), expected)
    dense = soft_encode(ab, centres)
    torch.testing.assert_close(dense.gather(1, index), weight)
    torch.testing.assert_close(dense.sum(1), torch.ones(2, 12, 9, dtype=torch.float64))

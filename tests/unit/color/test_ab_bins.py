"""Zhang et al.'s ab bins: the 313 centres, soft encoding, annealed mean, histogram -> weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from restora.color.ab_bins import (
    ZHANG_HULL,
    ab_histogram,
    annealed_mean,
    load_ab_bins,
    nearest_bin,
    soft_encode,
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

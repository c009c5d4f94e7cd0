"""CIEDE2000 against Sharma et al.'s published test pairs and scikit-image."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.metrics import delta_e2000, mean_delta_e2000

# (L1, a1, b1, L2, a2, b2, dE00) from Sharma, Wu, Dalal (2005), Table 1
SHARMA = [
    (50.0, 2.6772, -79.7751, 50.0, 0.0, -82.7485, 2.0425),
    (50.0, -1.3802, -84.2814, 50.0, 0.0, -82.7485, 1.0),
    (50.0, 0.0, 0.0, 50.0, -1.0, 2.0, 2.3669),
    (50.0, 2.49, -0.001, 50.0, -2.49, 0.0009, 7.1792),
    (50.0, 2.5, 0.0, 73.0, 25.0, -18.0, 27.1492),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (22.7233, 20.0904, -46.694, 23.0331, 14.973, -42.5619, 2.0373),
    (2.0776, 0.0795, -1.135, 0.9033, -0.0636, -0.5514, 0.9082),
]


def test_sharma_table():
    table = torch.tensor(SHARMA, dtype=torch.float64)
    lab1 = table[:, :3].T.reshape(1, 3, 1, -1)
    lab2 = table[:, 3:6].T.reshape(1, 3, 1, -1)
    torch.testing.assert_close(delta_e2000(lab1, lab2)[0, 0], table[:, 6], atol=1e-4, rtol=0)
    torch.testing.assert_close(delta_e2000(lab2, lab1), delta_e2000(lab1, lab2))  # symmetric


def test_matches_scikit_image():
    color = pytest.importorskip("skimage.color")
    rng = np.random.default_rng(0)
    lab1 = np.stack(
        [rng.uniform(0, 100, 500), rng.uniform(-80, 80, 500), rng.uniform(-80, 80, 500)], 1
    )
    lab2 = lab1 + rng.normal(0, 8, lab1.shape)
    ours = delta_e2000(
        torch.from_numpy(lab1.T.reshape(1, 3, 1, -1)), torch.from_numpy(lab2.T.reshape(1, 3, 1, -1))
    )
    np.testing.assert_allclose(ours[0, 0].numpy(), color.deltaE_ciede2000(lab1, lab2), atol=1e-8)


def test_mean_over_rgb_images():
    x = torch.rand(2, 3, 8, 9, generator=torch.Generator().manual_seed(0))
    assert torch.equal(mean_delta_e2000(x, x), torch.zeros(2, dtype=x.dtype))
    assert bool((mean_delta_e2000(x, x.flip(-1)) > 1).all())
    with pytest.raises(ValueError):
        delta_e2000(torch.zeros(1, 3, 2, 2), torch.zeros(1, 3, 2, 3))

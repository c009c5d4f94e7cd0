import math

import numpy as np
import pytest
import torch

from restora.ops.similarity import estimate_similarity, warp_similarity


def _similarity(scale, angle, tx, ty):
    c, s = scale * math.cos(angle), scale * math.sin(angle)
    return np.array([[c, -s, tx], [s, c, ty]])


def test_estimate_recovers_a_known_transform_from_noisy_points():
    rng = np.random.default_rng(1)
    src = rng.uniform(0, 100, (5, 2))
    truth = _similarity(0.7, 0.3, 12.0, -4.0)
    dst = src @ truth[:, :2].T + truth[:, 2]
    assert np.allclose(estimate_similarity(src, dst), truth, atol=1e-9)
    noisy = dst + rng.normal(0, 0.01, dst.shape)
    assert np.allclose(estimate_similarity(src, noisy), truth, atol=0.01)


def test_estimate_never_reflects():
    src = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 1.0], [1.0, 3.0]])
    mirrored = src * np.array([-1.0, 1.0])
    m = estimate_similarity(src, mirrored)
    assert np.linalg.det(m[:, :2]) > 0  # a rotation, although a reflection would fit exactly
    assert np.abs(src @ m[:, :2].T + m[:, 2] - mirrored).max() > 0.5


def test_estimate_bad_input():
    with pytest.raises(ValueError, match="N, 2"):
        estimate_similarity(np.zeros((1, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="all the same"):
        estimate_similarity(np.ones((3, 2)), np.zeros((3, 2)))


def _dot(h, w, x, y):
    image = torch.zeros(1, 1, h, w)
    image[0, 0, y, x] = 1.0
    return image


def test_warp_moves_a_dot_where_the_matrix_says():
    image = _dot(40, 50, 30, 10)
    m = _similarity(1.0, math.pi / 2, 25.0, -5.0)  # rotate 90 degrees then shift
    out = warp_similarity(image, m, (40, 40))
    y, x = np.unravel_index(int(out.argmax()), out.shape[-2:])
    expected = m @ np.array([30, 10, 1.0])
    assert (x, y) == (round(expected[0]), round(expected[1]))


def test_warp_shrinking_antialiases_and_keeps_geometry():
    # a fine checkerboard shrunk 8x: with antialiasing it averages to grey, without it aliases
    yy, xx = torch.meshgrid(torch.arange(400), torch.arange(400), indexing="ij")
    board = ((yy + xx) % 2).float()[None, None]
    m = _similarity(1 / 8, 0.0, 0.0, 0.0)
    smooth = warp_similarity(board, m, (40, 40))
    assert abs(float(smooth[..., 5:35, 5:35].mean()) - 0.5) < 0.02
    assert float(smooth[..., 5:35, 5:35].std()) < 0.05
    # geometry is kept: a bright square lands at the same place either way
    square = torch.zeros(1, 1, 400, 400)
    square[..., 160:240, 80:160] = 1
    a = warp_similarity(square, m, (50, 50))
    b = warp_similarity(square, m, (50, 50), antialias=False)
    assert float((a - b).abs().mean()) < 0.02


def test_warp_bad_matrix():
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        warp_similarity(torch.zeros(1, 1, 4, 4), np.eye(3), (4, 4))

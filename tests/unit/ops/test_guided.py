"""restora.ops.guided: the guided filter against the paper's algorithm and on what it is used for."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from restora.ops.guided import guided_filter


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, np.float32))[None, None]


def _paper(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He et al.'s Algorithm 1 written out with box means (edges reflected)."""
    size = 2 * radius + 1

    def mean(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, cv2.CV_32F, (size, size), borderType=cv2.BORDER_REFLECT)

    mean_i, mean_p = mean(guide), mean(src)
    a = (mean(guide * src) - mean_i * mean_p) / (mean(guide * guide) - mean_i**2 + eps)
    b = mean_p - a * mean_i
    return mean(a) * guide + mean(b)


def test_matches_the_papers_algorithm():
    rng = np.random.default_rng(3)
    guide = rng.random((60, 70), dtype=np.float32)
    src = rng.random((60, 70), dtype=np.float32)
    for radius, eps in ((1, 1e-3), (4, 1e-2)):
        ours = guided_filter(_t(guide), _t(src), radius=radius, eps=eps)[0, 0].numpy()
        assert np.abs(ours - _paper(guide, src, radius, eps)).max() < 1e-4


def test_a_plain_opencv_build_gets_a_clear_error(monkeypatch):
    monkeypatch.delattr(cv2, "ximgproc")
    guide = torch.rand(1, 1, 8, 8)
    with pytest.raises(ImportError, match="opencv-contrib-python-headless"):
        guided_filter(guide, guide, radius=1, eps=1e-3)


def test_strips_give_the_same_result_as_one_piece():
    rng = np.random.default_rng(5)
    guide, src = _t(rng.random((97, 40))), _t(rng.random((97, 40)))
    whole = guided_filter(guide, src, radius=3, eps=1e-3, strip_rows=1000)
    for rows in (1, 5, 16, 96):
        strips = guided_filter(guide, src, radius=3, eps=1e-3, strip_rows=rows)
        assert torch.allclose(strips, whole, atol=1e-5), rows


def test_zero_rows_stay_zero_and_strips_skipped_agree():
    rng = np.random.default_rng(6)
    guide = _t(rng.random((120, 30)))
    src = torch.zeros(1, 1, 120, 30)
    src[..., 50:60, 10:20] = 1.0
    whole = guided_filter(guide, src, radius=2, eps=1e-3, strip_rows=1000)
    strips = guided_filter(guide, src, radius=2, eps=1e-3, strip_rows=8)  # most strips zero
    assert torch.allclose(strips, whole, atol=1e-5)
    assert float(whole[..., :40, :].abs().max()) == 0.0
    assert float(whole[..., 52:58, 12:18].min()) > 0.5


def test_constant_map_stays_constant():
    guide = _t(np.random.default_rng(0).random((32, 32)))
    out = guided_filter(guide, torch.full((1, 1, 32, 32), 0.7), radius=3, eps=1e-3)
    assert torch.allclose(out, torch.full_like(out, 0.7), atol=1e-5)


def test_blurred_map_snaps_back_to_the_guides_edge():
    """A bar's map, blurred as an upsampled coarse map is, gets its steps back where the photo
    has the bar's edges: squared (as the detector's pyramid does) it still covers the whole bar
    and nothing beside it, while the blurred map squared loses the bar's edge columns."""
    guide = torch.full((1, 1, 64, 64), 0.2)
    guide[..., 20:30] = 0.9
    bar = torch.zeros(64, dtype=torch.bool)
    bar[20:30] = True
    blurred = F.avg_pool2d(F.pad((guide > 0.5).float(), (4, 4, 4, 4), mode="replicate"), 9, 1)
    out = guided_filter(guide, blurred, radius=4, eps=1e-3)
    assert torch.equal(out[0, 0, 32] ** 2 > 0.5, bar)
    assert float(out[0, 0, 32, 20] - out[0, 0, 32, 19]) > 0.4  # a step at the edge
    assert not torch.equal(blurred[0, 0, 32] ** 2 > 0.5, bar)
    assert float(out[0, 0, 32, :12].abs().max()) < 0.1


def test_arguments_are_checked():
    guide = torch.zeros(1, 1, 8, 8)
    with pytest.raises(ValueError, match="radius"):
        guided_filter(guide, guide, radius=0, eps=1e-3)
    with pytest.raises(ValueError, match="eps"):
        guided_filter(guide, guide, radius=1, eps=0.0)
    with pytest.raises(ValueError, match="strip_rows"):
        guided_filter(guide, guide, radius=1, eps=1e-3, strip_rows=0)
    with pytest.raises(ValueError):
        guided_filter(guide, torch.zeros(1, 1, 8, 9), radius=1, eps=1e-3)

"""Classical inpainting: exact known pixels, real fills, border workarounds, bad input."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from restora.io.arrays import mask_to_numpy, numpy_to_tensor, tensor_to_numpy
from restora.ops.inpaint import CLASSICAL_INPAINTERS, hole_edge_ramp, inpaint_classical


def ramp(height: int = 64, width: int = 64) -> torch.Tensor:
    """A linear colour ramp (1, 3, H, W): every channel is an affine function of (y, x)."""
    y, x = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width), indexing="ij")
    return torch.stack([x, y, (x + y) / 2]).unsqueeze(0)


def hole_mae(output: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> float:
    return float((output - target).abs()[mask.expand_as(target) > 0.5].mean())


def box_mask(height: int, width: int, *boxes: tuple[int, int, int, int]) -> torch.Tensor:
    mask = torch.zeros(1, 1, height, width)
    for y0, y1, x0, x1 in boxes:
        mask[..., y0:y1, x0:x1] = 1
    return mask


def test_registry_holds_the_documented_methods():
    assert CLASSICAL_INPAINTERS.names() == ["biharmonic", "fsr_best", "fsr_fast", "ns", "telea"]
    with pytest.raises(KeyError, match="telea"):
        inpaint_classical(ramp(), box_mask(64, 64, (1, 3, 1, 3)), method="tela")


@pytest.mark.parametrize("method", ["telea", "ns", "fsr_fast", "fsr_best", "biharmonic"])
def test_every_method_fills_and_keeps_known_pixels_exact(method, rng):
    # 16-bit values (off the 8-bit grid) must survive outside the hole bit for bit
    image = torch.round(torch.rand(1, 3, 32, 40, generator=rng) * 65535) / 65535
    mask = box_mask(32, 40, (12, 18, 15, 21))
    out = inpaint_classical(image, mask, method=method)
    assert out.shape == image.shape and out.dtype == image.dtype
    known = mask.expand_as(image) < 0.5
    assert torch.equal(out[known], image[known])
    assert not torch.equal(out, image)  # the hole did change
    assert float(out.min()) >= 0 and float(out.max()) <= 1


@pytest.mark.parametrize("method", ["telea", "ns", "fsr_fast", "biharmonic"])
def test_hole_in_linear_ramp_is_filled_closely(method):
    target = ramp()
    mask = box_mask(64, 64, (22, 42, 29, 35))  # 6 px wide, 20 px tall
    damaged = target * (1 - mask)  # what was in the hole must not matter
    out = inpaint_classical(damaged, mask, method=method)
    error = hole_mae(out, target, mask)
    # measured: telea 0.0105, ns 0.0113, fsr_fast 0.0030, biharmonic 0.0000 (zero fill: 0.5)
    assert error < 0.02, f"{method} hole MAE {error:.4f}"
    assert error < 0.1 * hole_mae(damaged, target, mask)


def test_soft_mask_threshold_is_one_half():
    image = ramp(16, 16)
    mask = torch.full((1, 1, 16, 16), 0.5)
    mask[..., 6:9, 6:9] = 0.9
    out = inpaint_classical(image, mask)
    changed = (out != image).any(dim=1)[0]
    assert not bool(changed[mask[0, 0] <= 0.5].any())


@pytest.mark.parametrize(
    ("method", "flags"), [("telea", cv2.INPAINT_TELEA), ("ns", cv2.INPAINT_NS)]
)
def test_border_holes_better_than_plain_opencv(method, flags):
    """A flat grey image with holes touching all four borders must come back flat.

    Plain cv2.inpaint mishandles border hole pixels (opencv/opencv#25389): Telea is off by
    3/255 in OpenCV 4.14, NS by up to 108/255 in 4.9. The hole-frame padding fixes both.
    """
    grey = torch.full((1, 3, 64, 64), 128 / 255)
    mask = box_mask(64, 64, (20, 30, 0, 6), (0, 6, 20, 30), (58, 64, 40, 50), (10, 20, 58, 64))
    damaged = grey * (1 - mask)
    out = inpaint_classical(damaged, mask, method=method)
    ours = float((out - grey).abs().max())
    plain = cv2.inpaint(tensor_to_numpy(damaged), mask_to_numpy(mask), 5, flags)
    theirs = float((numpy_to_tensor(plain) - grey).abs().max())
    assert ours <= 1 / 255 + 1e-6, f"ours max error {ours * 255:.1f}/255"
    assert ours <= theirs


def test_ramp_border_hole_not_worse_than_plain_opencv():
    target = ramp()
    mask = box_mask(64, 64, (20, 40, 0, 6), (0, 8, 0, 8))
    damaged = target * (1 - mask)
    for method, flags in (("telea", cv2.INPAINT_TELEA), ("ns", cv2.INPAINT_NS)):
        ours = hole_mae(inpaint_classical(damaged, mask, method=method), target, mask)
        plain = cv2.inpaint(tensor_to_numpy(damaged), mask_to_numpy(mask), 5, flags)
        theirs = hole_mae(numpy_to_tensor(plain), target, mask)
        assert ours < 0.05 and ours <= 1.1 * theirs, (method, ours, theirs)


def test_fsr_fills_right_and_bottom_holes_on_odd_sizes():
    """Plain xphoto FSR skips partial 16 px blocks: these holes would stay black (MAE ~0.5)."""
    target = ramp(61, 77)
    mask = box_mask(61, 77, (20, 30, 71, 77), (55, 61, 20, 30))
    damaged = target * (1 - mask)
    bgr = np.ascontiguousarray(tensor_to_numpy(damaged)[:, :, ::-1])
    plain = np.zeros_like(bgr)
    cv2.xphoto.inpaint(bgr, 255 - mask_to_numpy(mask), plain, cv2.xphoto.INPAINT_FSR_FAST)
    theirs = hole_mae(numpy_to_tensor(np.ascontiguousarray(plain[:, :, ::-1])), target, mask)
    ours = hole_mae(inpaint_classical(damaged, mask, method="fsr_fast"), target, mask)
    assert theirs > 0.2  # the OpenCV defect this wrapper works around
    assert ours < 0.03, f"fsr_fast border MAE {ours:.4f}"


def test_batch_of_two_matches_single_calls(rng):
    image = torch.rand(2, 3, 40, 48, generator=rng)
    mask = torch.cat([box_mask(40, 48, (5, 12, 5, 15)), box_mask(40, 48, (20, 30, 30, 40))])
    out = inpaint_classical(image, mask, method="telea")
    for index in range(2):
        single = inpaint_classical(image[index : index + 1], mask[index : index + 1])
        assert torch.equal(out[index : index + 1], single)


def test_batch_item_without_hole_is_untouched(rng):
    image = torch.rand(2, 3, 24, 24, generator=rng)
    mask = torch.cat([torch.zeros(1, 1, 24, 24), box_mask(24, 24, (8, 12, 8, 12))])
    out = inpaint_classical(image, mask)
    assert torch.equal(out[0], image[0]) and not torch.equal(out[1], image[1])


def test_empty_mask_returns_input_unchanged(rng):
    image = torch.rand(1, 3, 20, 20, generator=rng)
    assert inpaint_classical(image, torch.zeros(1, 1, 20, 20)) is image


def test_full_mask_raises():
    with pytest.raises(ValueError, match="every pixel"):
        inpaint_classical(torch.rand(1, 3, 8, 8), torch.ones(1, 1, 8, 8))


@pytest.mark.parametrize(
    ("image_shape", "mask_shape"),
    [
        ((1, 3, 20, 20), (1, 1, 20, 21)),  # wrong size
        ((1, 3, 20, 20), (1, 3, 20, 20)),  # mask with 3 channels
        ((1, 1, 20, 20), (1, 1, 20, 20)),  # gray image
        ((2, 3, 20, 20), (1, 1, 20, 20)),  # batch mismatch
    ],
)
def test_bad_shapes_raise(image_shape, mask_shape):
    with pytest.raises(ValueError):
        inpaint_classical(torch.rand(image_shape), torch.zeros(mask_shape))


def test_out_of_range_inputs_raise():
    with pytest.raises(ValueError):
        inpaint_classical(torch.full((1, 3, 8, 8), 2.0), torch.zeros(1, 1, 8, 8))
    with pytest.raises(ValueError):
        inpaint_classical(torch.rand(1, 3, 8, 8), torch.full((1, 1, 8, 8), 255.0))
    with pytest.raises(ValueError, match="radius"):
        inpaint_classical(torch.rand(1, 3, 8, 8), box_mask(8, 8, (2, 4, 2, 4)), radius=0)


def test_real_photo_scratch(shared):
    """A thin scratch on a real photo: Telea must be far closer than leaving it white."""
    from PIL import Image

    path = shared / "data" / "ffdnet_testsets" / "CBSD68" / "101085.png"
    photo = numpy_to_tensor(np.asarray(Image.open(path).convert("RGB")))
    mask = torch.zeros(1, 1, *photo.shape[-2:])
    mask[..., 100:103, 40:300] = 1
    damaged = photo * (1 - mask) + mask
    out = inpaint_classical(damaged, mask, method="telea")
    error = hole_mae(out, photo, mask)
    assert error < 0.25 * hole_mae(damaged, photo, mask), error


def test_hole_edge_ramp_is_full_along_hole_edges_and_none_deep_inside():
    hole = torch.zeros(1, 1, 60, 60)
    hole[..., 5:8, 5:55] = 1  # a 3 px crack: all of it near known pixels
    hole[..., 20:50, 20:50] = 1  # a 30 px square: edge and interior
    share = hole_edge_ramp(hole, near=4, far=8)
    assert share.shape == hole.shape and share.dtype == torch.float32
    assert float(share[..., 5:8, 5:55].min()) == 1.0
    assert float(share[..., 20, 20:50].min()) == 1.0  # the square's rim
    assert float(share[..., 30:40, 30:40].max()) == 0.0  # >= 10 px deep
    assert 0.0 < float(share[0, 0, 26, 35]) < 1.0  # 6-7 px deep: on the ramp
    with pytest.raises(ValueError, match="near < far"):
        hole_edge_ramp(hole, near=8, far=4)

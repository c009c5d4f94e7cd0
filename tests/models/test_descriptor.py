"""ModelDescriptor: pads to the size rules, runs in eval/inference mode, clamps, crops."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from restora.models import ModelDescriptor


class Affine(nn.Module):
    """3x - 1 (leaves [0, 1]); records the sizes and modes it was called with."""

    def __init__(self, multiple_of: int = 1, scale: int = 1) -> None:
        super().__init__()
        self.gain = nn.Parameter(torch.tensor(3.0))
        self.multiple_of, self.scale = multiple_of, scale
        self.calls: list[tuple[tuple[int, ...], bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.shape[-2] % self.multiple_of == 0 and x.shape[-1] % self.multiple_of == 0
        self.calls.append((tuple(x.shape), self.training, torch.is_inference_mode_enabled()))
        y = x * self.gain - 1.0
        return F.interpolate(y, scale_factor=self.scale) if self.scale > 1 else y


def test_pads_crops_and_clamps_odd_sizes():
    net = Affine(multiple_of=8)
    d = ModelDescriptor(model=net, purpose="denoise", in_channels=3, out_channels=3, multiple_of=8)
    x = torch.rand(2, 3, 37, 29)
    out = d(x)
    assert net.calls == [((2, 3, 40, 32), False, True)]
    assert out.shape == x.shape
    torch.testing.assert_close(out, (3 * x - 1).clamp(0, 1))
    assert out.min() == 0.0 and out.max() == 1.0  # clamping happened on both sides
    assert net.training  # mode restored
    assert not out.is_inference() and not out.requires_grad
    out.add_(0)  # an ordinary tensor: in-place ops work outside inference mode


def test_minimum_size_and_sr_scale():
    net = Affine(scale=2)
    d = ModelDescriptor(model=net, purpose="sr", scale=2, in_channels=3, out_channels=3, minimum=16)
    x = torch.rand(1, 3, 5, 7)
    out = d(x)
    assert net.calls[0][0] == (1, 3, 16, 16)
    assert out.shape == (1, 3, 10, 14)
    torch.testing.assert_close(out, F.interpolate((3 * x - 1).clamp(0, 1), scale_factor=2))


def test_segmentation_sigmoid_activation():
    d = ModelDescriptor(
        model=nn.Conv2d(3, 1, 1),
        purpose="segment",
        in_channels=3,
        out_channels=1,
        output_activation="sigmoid",
    )
    conv = d.model
    x = torch.rand(1, 3, 9, 7)
    with torch.no_grad():
        torch.testing.assert_close(d(x), torch.sigmoid(conv(x)))


class ConstantFill(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.value = nn.Parameter(torch.tensor(0.7))
        self.mask_seen: torch.Tensor | None = None

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        self.mask_seen = mask.clone()
        return torch.full_like(image, 2.0) * self.value - 0.7


def test_inpainting_takes_a_mask_and_keeps_known_pixels():
    net = ConstantFill()
    d = ModelDescriptor(model=net, purpose="inpaint", in_channels=3, out_channels=3, multiple_of=4)
    image = torch.rand(1, 3, 11, 9)
    mask = torch.zeros(1, 1, 11, 9)
    mask[..., 2:6, 3:8] = 0.9  # soft values are thresholded at 0.5
    out = d(image, mask)
    hole = mask > 0.5
    assert net.mask_seen is not None and net.mask_seen.shape == (1, 1, 12, 12)
    assert set(net.mask_seen.unique().tolist()) == {0.0, 1.0}
    torch.testing.assert_close(out[hole.expand_as(out)], torch.full((60,), 0.7))
    assert torch.equal(out[~hole.expand_as(out)], image[~hole.expand_as(image)])
    with pytest.raises(ValueError, match="needs a mask"):
        d(image)


def test_bad_inputs_and_fields():
    d = ModelDescriptor(model=Affine(), purpose="denoise", in_channels=3, out_channels=3)
    with pytest.raises(ValueError, match="takes no mask"):
        d(torch.rand(1, 3, 4, 4), torch.zeros(1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        d(torch.rand(1, 1, 4, 4))
    with pytest.raises(ValueError, match="must be in"):
        d(torch.full((1, 3, 4, 4), 1.5))
    with pytest.raises(ValueError, match="purpose"):
        ModelDescriptor(model=Affine(), purpose="style", in_channels=3, out_channels=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scale"):
        ModelDescriptor(model=Affine(), purpose="denoise", scale=2, in_channels=3, out_channels=3)

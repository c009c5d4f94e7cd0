"""FFDNet (Zhang, Zuo & Zhang, "FFDNet: Toward a Fast and Flexible Solution for CNN based Image
Denoising", TIP 2018): a non-blind denoiser that takes the noise level as an input map.

The image is split into four half-resolution sub-images (pixel-unshuffle ×2, PyTorch channel
order ``c * 4 + 2 * row_offset + col_offset``), a noise-level map (one channel, σ in [0, 1]
units, half resolution) is appended, a plain conv + ReLU stack (``model.0`` … ``model.{2(depth
- 1)}``, every conv with bias, no BatchNorm as released) predicts the clean sub-images, and
pixel-shuffle ×2 puts them back. The output is the clean image (not the noise). Key layout as
KAIR's ``FFDNet`` (``model.{2k}.weight``/``bias``).

Odd heights/widths are padded by replicating the last row/column and cropped afterwards, as the
authors' MATLAB demo does.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model
from restora.ops.noise import estimate_noise_sigma

__all__ = ["FFDNet", "NoiseLevel"]

NoiseLevel = float | torch.Tensor | None


@architecture("ffdnet")
class FFDNet(ConfigurableModel):
    """Non-blind denoiser with a noise-level map input.

    ``channels``: 1 (gray) or 3 (RGB); ``width``: features (64 gray, 96 colour); ``depth``:
    convolutions (15 gray, 12 colour).

    ``forward(x, noise_level)``: ``x`` float ``(B, channels, H, W)``, noisy, nominally in [0, 1]
    (any size; unclipped values are fine). ``noise_level`` (σ in [0, 1] units, e.g. 25/255):

    - a number, or a ``(B,)`` / ``(B, 1, 1, 1)`` tensor: one level per image;
    - a ``(B, 1, H, W)`` map: spatially varying noise (averaged over 2×2 blocks);
    - None: estimated per image with :func:`restora.ops.noise.estimate_noise_sigma` (blind use).

    Returns the denoised ``(B, channels, H, W)``, not clamped (the descriptor clamps).

    >>> net = FFDNet(channels=3, width=8, depth=3)
    >>> tuple(net(torch.rand(2, 3, 9, 6), 25 / 255).shape)
    (2, 3, 9, 6)
    """

    def __init__(self, *, channels: int = 1, width: int = 64, depth: int = 15) -> None:
        super().__init__()
        if depth < 2:
            raise ValueError(f"depth must be >= 2, got {depth}")
        layers: list[nn.Module] = [nn.Conv2d(4 * channels + 1, width, 3, padding=1), nn.ReLU()]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(width, width, 3, padding=1), nn.ReLU()]
        layers.append(nn.Conv2d(width, 4 * channels, 3, padding=1))
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, noise_level: NoiseLevel = None) -> torch.Tensor:
        height, width = x.shape[-2:]
        pad = (0, width % 2, 0, height % 2)
        padded = F.pad(x, pad, mode="replicate") if any(pad) else x
        level = self._level_map(x, padded, noise_level)
        features = torch.cat([F.pixel_unshuffle(padded, 2), level], dim=1)
        out = F.pixel_shuffle(self.model(features), 2)
        return out[..., :height, :width]

    def _level_map(
        self, x: torch.Tensor, padded: torch.Tensor, noise_level: NoiseLevel
    ) -> torch.Tensor:
        """The ``(B, 1, H/2, W/2)`` noise-level map for the padded input."""
        batch = x.shape[0]
        half = (padded.shape[-2] // 2, padded.shape[-1] // 2)
        if noise_level is None:
            noise_level = estimate_noise_sigma(x.detach())
        level = torch.as_tensor(noise_level, dtype=x.dtype, device=x.device)
        if level.ndim == 4 and level.shape[-2:] == x.shape[-2:]:
            if level.shape[:2] != (batch, 1):
                raise ValueError(f"a noise map must be (B, 1, H, W), got {tuple(level.shape)}")
            pad = (0, padded.shape[-1] - x.shape[-1], 0, padded.shape[-2] - x.shape[-2])
            level = F.pad(level, pad, mode="replicate") if any(pad) else level
            return F.avg_pool2d(level, 2)
        if level.numel() not in (1, batch):
            raise ValueError(
                f"noise_level must be a number, (B,) per image or a (B, 1, H, W) map; "
                f"got shape {tuple(level.shape)} for batch {batch}"
            )
        return level.reshape(-1, 1, 1, 1).expand(batch, 1, *half)

    def describe(self, *, noise_level: float | None = None) -> ModelDescriptor:
        """Descriptor running the model at a fixed ``noise_level`` (σ in [0, 1] units), or
        estimating it per call when None (for tiles, pass the whole image's estimate)."""
        cfg = self._config
        model: nn.Module = self if noise_level is None else _AtNoiseLevel(self, noise_level)
        return ModelDescriptor(
            model=model,
            purpose="denoise",
            in_channels=cfg["channels"],
            out_channels=cfg["channels"],
            tile_size=512,
            tile_overlap=2 * cfg["depth"] + 2,
        )


class _AtNoiseLevel(nn.Module):
    """``net(x, level)`` as a one-argument module; its train/eval mode is the network's."""

    def __init__(self, net: FFDNet, level: float) -> None:
        super().__init__()
        if not 0.0 <= level <= 1.0:
            raise ValueError(f"noise_level must be in [0, 1] (e.g. 25 / 255), got {level}")
        self.net = net
        self.level = float(level)

    @property  # type: ignore[override]
    def training(self) -> bool:
        return self.net.training

    @training.setter
    def training(self, mode: bool) -> None:
        net = self.__dict__.get("_modules", {}).get("net")
        if net is not None:  # nn.Module.__init__ sets the flag before any child exists
            net.train(mode)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x, self.level)


@register_model("ffdnet.gray")
def ffdnet_gray(**overrides: Any) -> FFDNet:
    """FFDNet, grayscale: 15 convolutions, 64 features (``FFDNet_gray.mat``)."""
    return build(FFDNet, overrides, channels=1, width=64, depth=15)


@register_model("ffdnet.color")
def ffdnet_color(**overrides: Any) -> FFDNet:
    """FFDNet, RGB: 12 convolutions, 96 features (``FFDNet_color.mat``)."""
    return build(FFDNet, overrides, channels=3, width=96, depth=12)

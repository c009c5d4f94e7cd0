"""Blind estimate of additive white Gaussian noise (AWGN) level from a single image.

Method: Chen, Zhu & Heng, "An Efficient Statistical Method for Image Noise Level Estimation",
ICCV 2015. The covariance of overlapping patches has a few large eigenvalues (image structure)
and many equal to sigma^2 (noise); the noise ones are the largest set of smallest eigenvalues
whose mean equals their median. Colour images stack the channels into one patch vector, which
separates structure from noise very well *when the noise is independent across channels*.

Gray images (one channel, or three equal channels) have fewer dimensions to hide structure in,
and texture inflates the estimate. There patches are first restricted to weakly textured ones,
as in Liu, Tanaka & Okutomi, "Single-Image Noise Level Estimation for Blind Denoising", TIP 2013:
keep patches whose gradient energy is below the level pure noise of the current estimate would
reach with probability 1 - 1.35e-3 (chi-square quantile), re-estimate, repeat until stable.

Patches with more than a quarter of their values at exactly 0 or 1 are left out (when enough
others remain): clipping removes noise there, so blown highlights and crushed shadows would bias
the estimate low. Strong noise clipped at 0 and 1 is still underestimated somewhat (CBSD68
clipped at sigma 50/255: mean -3.8/255); the estimate targets the sigma of the unclipped noise.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from restora.core.checks import check_shape

__all__ = ["estimate_noise_sigma"]

_COLOR_PATCH = 6
_GRAY_PATCH = 7
_TEXTURE_Z = 3.0  # one-sided normal quantile of the weak-texture threshold
_MAX_ITERATIONS = 10
_TARGET_PATCHES = 20_000  # use stride 3 (as in the paper) unless that leaves fewer patches
_MAX_PATCHES = 60_000  # larger images are sampled on a coarser grid
_CLIP_EPS = 1e-6
_MAX_CLIPPED = 0.25  # patches with more clipped values than this are left out


def _noise_variance(columns: torch.Tensor) -> float:
    """Chen et al.'s rule on ``(d, n)`` patch vectors: mean of the noise eigenvalues."""
    centred = columns - columns.mean(dim=1, keepdim=True)
    covariance = centred @ centred.T / centred.shape[1]
    eigenvalues = torch.linalg.eigvalsh(covariance)  # ascending
    for count in range(eigenvalues.numel(), 0, -1):
        smallest = eigenvalues[:count]
        mean = smallest.mean()
        if int((smallest > mean).sum()) == int((smallest < mean).sum()):
            return max(float(mean), 0.0)
    return 0.0  # pragma: no cover - count == 1 always satisfies the rule


def _stride(height: int, width: int, patch: int) -> int:
    def count(step: int) -> int:
        return ((height - patch) // step + 1) * ((width - patch) // step + 1)

    for step in (3, 2):
        if count(step) >= _TARGET_PATCHES:
            break
    else:
        step = 1
    while count(step) > _MAX_PATCHES:
        step += 1
    return step


def _chi2_quantile(z: float, dof: int) -> float:
    """Wilson-Hilferty approximation of the chi-square quantile at normal quantile ``z``."""
    c = 2.0 / (9.0 * dof)
    return dof * (1.0 - c + z * math.sqrt(c)) ** 3


def _gray_variance(columns: torch.Tensor, patch: int, usable: torch.Tensor) -> float:
    """Noise variance from weakly textured patches of a gray image.

    ``columns``: ``(patch * patch, n)`` float64 patch vectors; ``usable``: ``(n,)`` bool filter.
    """
    pixels = columns.reshape(patch, patch, -1)
    energy = (pixels[:, 1:] - pixels[:, :-1]).square().sum(dim=(0, 1))
    energy += (pixels[1:] - pixels[:-1]).square().sum(dim=(0, 1))
    # under pure noise, energy / sigma^2 ~ 2 * chi2(dof) with dof = number of differences
    threshold = 2.0 * _chi2_quantile(_TEXTURE_Z, 2 * patch * (patch - 1))
    variance = _noise_variance(columns[:, usable])
    selected = None
    for _ in range(_MAX_ITERATIONS):
        keep = usable & (energy < variance * threshold)
        if int(keep.sum()) < 2 * columns.shape[0]:
            break
        if selected is not None and torch.equal(keep, selected):
            break
        selected = keep
        variance = _noise_variance(columns[:, keep])
    return variance


def _sigma_one(image: torch.Tensor) -> float:
    """Noise sigma of one ``(C, H, W)`` image, in the image's units."""
    if image.shape[0] > 1 and bool((image == image[:1]).all()):
        image = image[:1]  # gray stored as colour: the channels carry one noise sample
    gray = image.shape[0] == 1
    height, width = image.shape[-2:]
    patch = min(_GRAY_PATCH if gray else _COLOR_PATCH, height, width)
    if patch < 2:
        raise ValueError(f"image {height}x{width} is too small to estimate noise")
    stride = _stride(height, width, patch)
    # only the sampled patches are copied to float64, never the whole image
    columns = F.unfold(image.unsqueeze(0), patch, stride=stride)[0].to("cpu", torch.float64)
    # clipping at 0 or 1 removes noise: leave mostly clipped patches out when enough remain
    clipped = (columns.abs() <= _CLIP_EPS) | ((columns - 1.0).abs() <= _CLIP_EPS)
    usable = clipped.double().mean(dim=0) <= _MAX_CLIPPED
    if int(usable.sum()) < 2 * columns.shape[0]:
        usable = torch.ones_like(usable)
    if gray:
        return math.sqrt(_gray_variance(columns, patch, usable))
    return math.sqrt(_noise_variance(columns[:, usable]))


def estimate_noise_sigma(image: torch.Tensor) -> torch.Tensor:
    """Estimate the standard deviation of additive white Gaussian noise, per image.

    Args:
        image: ``(B, C, H, W)`` float, nominally in [0, 1] (values outside are accepted, so
            unclipped noisy images can be measured).

    Returns:
        ``(B,)`` float32 on ``image``'s device: sigma in the image's units (multiply by 255 for
        8-bit units), clamped to [0, 1].

    Notes:
        Colour estimates assume noise independent across channels (sensor/AWGN-like). Noise
        shared by all channels (film grain in a colour scan) hides in the luminance direction
        and is underestimated; three identical channels are treated as gray. Mostly clipped
        patches (blown highlights) are ignored. Accuracy: see tests/unit/ops/test_noise.py.

    >>> clean = torch.rand(1, 3, 1, 1).expand(1, 3, 96, 96)
    >>> noisy = clean + 0.1 * torch.randn(1, 3, 96, 96, generator=torch.Generator().manual_seed(0))
    >>> round(float(estimate_noise_sigma(noisy)), 2)
    0.1
    """
    check_shape(image, ["B", "C", "H", "W"], "image")
    if not image.is_floating_point():
        raise TypeError(f"image must be a floating-point tensor, got {image.dtype}")
    sigmas = [_sigma_one(item.detach()) for item in image]
    return torch.tensor(sigmas, dtype=torch.float32, device=image.device).clamp(0.0, 1.0)

"""Colour correction of faded and colour-cast photos, and the two classic baselines.

- :func:`auto_levels`: each channel stretched so its 0.5th / 99.5th percentiles become 0 / 1.
- :func:`gray_world`: each channel scaled so the channel means are equal (the scene averages
  to gray).
- :func:`correct_fade`: restora's method for faded colour prints. Fading is mostly a per-channel
  tone curve laid over the photo (each dye or layer fades by its own amount, the paper yellows,
  blacks lift) plus lost saturation, so it is undone per channel, with the photo's own neutral
  points as the reference rather than each channel's extremes (a red cup must not count as a
  cast):

  1. **black and white points**: the mean colour of the darkest and of the brightest 2 % of
     pixels (by luma). Each channel is mapped linearly so these become neutral (share
     ``neutral`` of the way) and the range widens towards black and white (shares ``black``
     and ``white``: fading lifts blacks, but not every photo had deep blacks), the gain capped
     at ``max_gain``.
  2. **mid-tone cast**: a per-channel gamma moves each channel's median over the mid-tones
     (luma 25-75 %) towards their common mean (share ``mid``: 0 as tuned, a scene's mid-tones
     may be any colour, so this step did more harm than good).
  3. **saturation**: CIE chroma is scaled so its mean approaches ``chroma``, by at most
     ``max_saturation`` and never reduced; lightness is kept.

  Statistics come from a copy of at most 256 px a side; the correction is a per-pixel function
  of colour applied at full resolution in strips (no tiles, no seams). :func:`fade_estimate`
  reports how faded / cast a photo looks, so a caller can leave photos that need nothing alone.

The parameters (:class:`FadeTuning`) were chosen by coordinate descent on 40 BSDS500 *train*
photos rendered as faded colour prints (``benchmarks/color_correct.py search``: mean CIEDE2000
to the original); ``benchmarks/color_correct.py`` measures all three methods on other photos.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from restora.color.lab import rgb_to_lab
from restora.color.recombine import lab_to_rgb_in_gamut
from restora.core.checks import check_image

__all__ = [
    "FadeEstimate",
    "FadeTuning",
    "auto_levels",
    "correct_fade",
    "fade_estimate",
    "gray_world",
]

_SIDE = 256  # statistics on a copy of at most this long side
_ROWS = 512  # strip height of the full-resolution conversion


@dataclass(frozen=True)
class FadeTuning:
    """Parameters of :func:`correct_fade` (see the module docstring)."""

    neutral: float = 0.9
    black: float = 0.5
    white: float = 0.5
    max_gain: float = 1.3
    mid: float = 0.0
    chroma: float = 35.0
    max_saturation: float = 1.25


@dataclass(frozen=True)
class FadeEstimate:
    """How faded and cast a photo looks: ``cast`` (the larger CIE ab distance from gray of its
    black point and white point: a scene's mid-tones may be any colour, its darkest and
    brightest parts are mostly near neutral), ``black`` / ``white`` (luma of the darkest and
    brightest 2 %, 0..100) and ``chroma`` (mean CIE chroma)."""

    cast: float
    black: float
    white: float
    chroma: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in self.__dict__.items()}


def _single(image: torch.Tensor) -> None:
    check_image(image)
    if image.shape[0] != 1:
        raise ValueError(f"expected one image (1, 3, H, W), got a batch of {image.shape[0]}")


def _small(image: torch.Tensor) -> torch.Tensor:
    h, w = image.shape[-2:]
    if max(h, w) <= _SIDE:
        return image.float()
    scale = _SIDE / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    return F.interpolate(image.float(), size=size, mode="area")


def auto_levels(image: torch.Tensor, *, low: float = 0.005, high: float = 0.995) -> torch.Tensor:
    """Per-channel auto-levels: channel ``c`` mapped so its ``low`` / ``high`` quantiles (on a
    copy of at most 256 px a side) become 0 / 1, then clamped.

    Args:
        image: float ``(1, 3, H, W)`` RGB in [0, 1].

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].
    """
    _single(image)
    flat = _small(image).flatten(2)[0]
    lo = torch.quantile(flat, low, dim=1).view(1, 3, 1, 1)
    hi = torch.quantile(flat, high, dim=1).view(1, 3, 1, 1)
    return ((image.float() - lo) / (hi - lo).clamp(min=1e-3)).clamp(0, 1)


def gray_world(image: torch.Tensor) -> torch.Tensor:
    """Gray-world white balance: each channel multiplied by ``mean(all) / mean(channel)``.

    Args:
        image: float ``(1, 3, H, W)`` RGB in [0, 1].

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].
    """
    _single(image)
    means = _small(image).mean(dim=(2, 3), keepdim=True)
    return (image.float() * means.mean() / means.clamp(min=1e-3)).clamp(0, 1)


_LUMA = (0.299, 0.587, 0.114)
_POINT = 0.02  # share of darkest / brightest pixels that make the black / white point
_MID = (0.25, 0.75)  # luma quantiles of the mid-tones


@dataclass(frozen=True)
class _Points:
    """A photo's black point, white point and mid-tone medians (each ``(3,)`` RGB) and its luma
    at the black and white points."""

    black: torch.Tensor
    white: torch.Tensor
    mid: torch.Tensor
    luma_black: float
    luma_white: float


def _points(small: torch.Tensor) -> _Points:
    flat = small[0].flatten(1)
    luma = (flat * torch.tensor(_LUMA, dtype=flat.dtype).view(3, 1)).sum(0)
    lo, hi, m0, m1 = torch.quantile(
        luma, torch.tensor([_POINT, 1 - _POINT, *_MID], dtype=flat.dtype)
    ).tolist()
    dark, bright = flat[:, luma <= lo], flat[:, luma >= hi]
    mid = flat[:, (luma >= m0) & (luma <= m1)]
    if mid.shape[1] == 0:
        mid = flat
    return _Points(
        black=dark.mean(1),
        white=bright.mean(1),
        mid=mid.median(1).values,
        luma_black=float(luma[luma <= lo].mean()),
        luma_white=float(luma[luma >= hi].mean()),
    )


def _ab_distance(rgb: torch.Tensor) -> float:
    return float(rgb_to_lab(rgb.view(1, 3, 1, 1).double())[0, 1:].norm())


def fade_estimate(image: torch.Tensor) -> FadeEstimate:
    """How faded and cast ``image`` ``(1, 3, H, W)`` in [0, 1] looks (see :class:`FadeEstimate`)."""
    _single(image)
    small = _small(image)
    points = _points(small)
    chroma = float(rgb_to_lab(small)[:, 1:].norm(dim=1).mean())
    cast = max(_ab_distance(points.black), _ab_distance(points.white))
    return FadeEstimate(
        cast=cast, black=100 * points.luma_black, white=100 * points.luma_white, chroma=chroma
    )


def correct_fade(
    image: torch.Tensor, *, tuning: FadeTuning = FadeTuning(), strength: float = 1.0
) -> torch.Tensor:
    """restora's fade and cast correction (see the module docstring).

    Args:
        image: float ``(1, 3, H, W)`` sRGB in [0, 1], a colour photo.
        tuning: the method's parameters.
        strength: in [0, 1]; blends the correction with the input (0 = unchanged).

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].

    >>> faded = torch.linspace(0.2, 0.8, 64).view(1, 1, 8, 8).repeat(1, 3, 1, 1)
    >>> faded = faded * torch.tensor([1.0, 0.9, 0.7]).view(1, 3, 1, 1)
    >>> fade_estimate(correct_fade(faded)).cast < fade_estimate(faded).cast
    True
    """
    _single(image)
    if not 0 <= strength <= 1:
        raise ValueError(f"strength must be in [0, 1], got {strength}")
    t = tuning
    small = _small(image)
    p = _points(small)
    # where each channel's black and white points go: towards neutral, and towards 0 / 1
    black_mean, white_mean = p.black.mean(), p.white.mean()
    black_to = black_mean * (1 - t.black) + (1 - t.neutral) * (p.black - black_mean)
    white_to = white_mean + t.white * (1 - white_mean) + (1 - t.neutral) * (p.white - white_mean)
    gain = ((white_to - black_to) / (p.white - p.black).clamp(min=1e-3)).clamp(max=t.max_gain)

    def levels(x: torch.Tensor) -> torch.Tensor:
        shifted = (x - p.black.view(1, 3, 1, 1)) * gain.view(1, 3, 1, 1)
        return (shifted + black_to.view(1, 3, 1, 1)).clamp(1e-4, 1)

    mid = levels(p.mid.view(1, 3, 1, 1)).flatten()
    gamma = (torch.log(mid.mean()) / torch.log(mid.clamp(1e-3, 0.999))).clamp(0.5, 2.0)
    gamma = (1 + t.mid * (gamma - 1)).view(1, 3, 1, 1)
    adjusted = levels(small) ** gamma
    chroma = float(rgb_to_lab(adjusted)[:, 1:].norm(dim=1).mean())
    saturation = min(max(t.chroma / max(chroma, 1e-3), 1.0), t.max_saturation)

    out = torch.empty_like(image, dtype=torch.float32)
    for top in range(0, image.shape[-2], _ROWS):
        part = image[..., top : top + _ROWS, :].float()
        rgb = levels(part) ** gamma
        if saturation > 1:
            lab = rgb_to_lab(rgb)
            rgb = lab_to_rgb_in_gamut(torch.cat([lab[:, :1], lab[:, 1:] * saturation], dim=1))
        out[..., top : top + _ROWS, :] = torch.lerp(part, rgb.clamp(0, 1), strength)
    return out

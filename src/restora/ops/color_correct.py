"""Colour correction of faded and colour-cast photos, and the two classic baselines.

- :func:`auto_levels`: each channel stretched so its 0.5th / 99.5th percentiles become 0 / 1.
- :func:`gray_world`: each channel scaled so the channel means are equal (the scene averages
  to gray).
- :func:`correct_fade`: restora's method for faded colour prints, in CIE Lab:

  1. **cast**: the mean chroma of each lightness band (16 bands, robust means, interpolated) is
     the cast that fading, yellowed paper or a dye shift laid over the photo - a natural scene
     averages to near gray in every band, while a cast shifts whole bands. A share
     ``cast`` of it is removed: ``ab -= cast * e(L)``.
  2. **tone range**: lifted blacks and dimmed whites are pulled back towards the lightness
     range of typical photos (0.5th / 99.5th percentiles ``black`` / ``white``), never
     reducing contrast and by at most ``max_gain``.
  3. **saturation**: fading also washes colour out; chroma is scaled towards ``chroma``
     (the mean chroma of typical photos, in CIE units), by at most ``max_saturation``, and
     never reduced.

  Statistics come from a copy of at most 256 px a side; the correction itself is a
  per-pixel function of colour applied at full resolution in strips (no tiles, no seams).
  :func:`fade_estimate` reports how faded / cast a photo is, so a caller can leave photos
  that need nothing alone.

The parameters (:class:`FadeTuning`) were chosen on the BSDS500 training images, faded
synthetically; ``benchmarks/color_correct.py`` measures all three on other photos.
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
_BANDS = 16  # lightness bands of the cast estimate
_ROWS = 512  # strip height of the full-resolution conversion


@dataclass(frozen=True)
class FadeTuning:
    """Parameters of :func:`correct_fade` (see the module docstring)."""

    cast: float = 0.8
    black: float = 3.0
    white: float = 97.0
    range_share: float = 0.7
    max_gain: float = 1.6
    chroma: float = 18.0
    max_saturation: float = 1.6
    saturation_share: float = 0.7


@dataclass(frozen=True)
class FadeEstimate:
    """How faded and cast a photo looks: ``cast`` (mean CIE ab distance of the band means from
    gray), ``black`` / ``white`` (0.5th / 99.5th percentile of L) and ``chroma`` (mean CIE
    chroma after the cast is taken out)."""

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


def _band_means(lab: torch.Tensor) -> torch.Tensor:
    """``(2, _BANDS)`` robust mean ab of each lightness band of ``lab`` ``(1, 3, h, w)``: band
    means interpolated linearly from their neighbours where a band has too few pixels."""
    lum, ab = lab[0, 0].flatten(), lab[0, 1:].flatten(1)
    band = (lum / 100.0 * _BANDS).long().clamp(0, _BANDS - 1)
    means = torch.full((2, _BANDS), float("nan"))
    minimum = max(20, lum.numel() // (_BANDS * 20))
    for i in range(_BANDS):
        values = ab[:, band == i]
        if values.shape[1] >= minimum:  # trimmed: the 10-90 % range of each coordinate
            lo, hi = torch.quantile(values, torch.tensor([0.1, 0.9]), dim=1)
            keep = ((values >= lo[:, None]) & (values <= hi[:, None])).all(0)
            means[:, i] = values[:, keep].mean(1) if bool(keep.any()) else values.median(1).values
    known = ~torch.isnan(means[0])
    if not bool(known.any()):
        return torch.zeros(2, _BANDS)
    centres = torch.arange(_BANDS, dtype=torch.float32)
    x, y = centres[known], means[:, known]
    for c in range(2):  # np.interp: flat beyond the ends
        idx = torch.searchsorted(x, centres).clamp(1, max(1, len(x) - 1))
        if len(x) == 1:
            means[c] = y[c, 0]
            continue
        x0, x1 = x[idx - 1], x[idx]
        t = ((centres - x0) / (x1 - x0)).clamp(0, 1)
        means[c] = y[c, idx - 1] + t * (y[c, idx] - y[c, idx - 1])
    return means


def _cast_at(lum: torch.Tensor, means: torch.Tensor) -> torch.Tensor:
    """The band means ``(2, _BANDS)`` interpolated at lightness ``lum`` ``(B, 1, H, W)`` ->
    ``(B, 2, H, W)``."""
    x = (lum / 100.0 * _BANDS - 0.5).clamp(0, _BANDS - 1)
    i0 = x.floor().long().clamp(max=_BANDS - 2)
    t = x - i0
    m = means.to(lum)
    lo = m[:, i0[:, 0]].permute(1, 0, 2, 3)
    hi = m[:, (i0 + 1)[:, 0]].permute(1, 0, 2, 3)
    return lo + t * (hi - lo)


def fade_estimate(image: torch.Tensor) -> FadeEstimate:
    """How faded and cast ``image`` ``(1, 3, H, W)`` in [0, 1] looks (see :class:`FadeEstimate`)."""
    _single(image)
    lab = rgb_to_lab(_small(image))
    means = _band_means(lab)
    lum = lab[0, 0].flatten()
    black, white = torch.quantile(lum, torch.tensor([0.005, 0.995])).tolist()
    ab = lab[:, 1:] - _cast_at(lab[:, :1], means)
    return FadeEstimate(
        cast=float(means.norm(dim=0).mean()),
        black=black,
        white=white,
        chroma=float(ab.norm(dim=1).mean()),
    )


def correct_fade(
    image: torch.Tensor, *, tuning: FadeTuning = FadeTuning(), strength: float = 1.0
) -> torch.Tensor:
    """restora's fade and cast correction (see the module docstring).

    Args:
        image: float ``(1, 3, H, W)`` sRGB in [0, 1], a colour photo.
        tuning: the method's parameters.
        strength: in [0, 1]; blends the correction's Lab change with the input (0 = unchanged).

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].

    >>> faded = torch.full((1, 3, 8, 8), 0.5) * torch.tensor([1.0, 0.9, 0.7]).view(1, 3, 1, 1)
    >>> fade_estimate(correct_fade(faded)).cast < fade_estimate(faded).cast
    True
    """
    _single(image)
    if not 0 <= strength <= 1:
        raise ValueError(f"strength must be in [0, 1], got {strength}")
    t = tuning
    lab_small = rgb_to_lab(_small(image))
    means = _band_means(lab_small) * t.cast * strength
    lum = lab_small[0, 0].flatten()
    black, white = torch.quantile(lum, torch.tensor([0.005, 0.995])).tolist()
    target_black = black + t.range_share * (min(black, t.black) - black)
    target_white = white + t.range_share * (max(white, t.white) - white)
    gain = min((target_white - target_black) / max(white - black, 1e-3), t.max_gain)
    gain = max(gain, 1.0)
    offset = (target_black + target_white) / 2 - gain * (black + white) / 2
    gain, offset = 1 + strength * (gain - 1), strength * offset
    ab_small = lab_small[:, 1:] - _cast_at(lab_small[:, :1], means)
    chroma = float(ab_small.norm(dim=1).mean())
    wanted = chroma + t.saturation_share * max(t.chroma - chroma, 0.0)
    saturation = min(wanted / max(chroma, 1e-3), t.max_saturation)
    saturation = 1 + strength * (max(saturation, 1.0) - 1)

    out = torch.empty_like(image, dtype=torch.float32)
    for top in range(0, image.shape[-2], _ROWS):
        part = slice(top, top + _ROWS)
        lab = rgb_to_lab(image[..., part, :].float())
        lum = lab[:, :1]
        ab = (lab[:, 1:] - _cast_at(lum, means)) * saturation
        lum = (gain * lum + offset).clamp(0, 100)
        out[..., part, :] = lab_to_rgb_in_gamut(torch.cat([lum, ab], dim=1))
    return out

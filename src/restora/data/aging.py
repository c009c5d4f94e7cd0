"""Seeded photo-aging degradations: sepia toning, fading, film grain and their composition.

Every function takes and returns float32 RGB tensors ``(1, 3, H, W)`` in ``[0, 1]``. Randomness
comes only from an explicit ``numpy.random.Generator``; the same seed gives the same output.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from restora.core.checks import check_image

# ITU-R BT.601 luma weights, the usual choice for "how bright does this look".
_LUMA = (0.299, 0.587, 0.114)
# Per-channel exponents applied to the luma for a sepia (brown) tone: highlights stay near white,
# mid-tones turn brown (0.5 -> (0.55, 0.50, 0.39)), shadows stay dark.
_SEPIA_GAMMA = (0.85, 1.0, 1.35)
# Colour of aged photographic paper that faded images drift towards.
_PAPER = (1.0, 0.95, 0.80)


def _single(image: torch.Tensor) -> None:
    check_image(image)
    if image.shape[0] != 1:
        raise ValueError(f"expected one image (1, 3, H, W), got batch of {image.shape[0]}")


def _luma(image: torch.Tensor) -> torch.Tensor:
    """Luma ``(1, 1, H, W)`` of an RGB image ``(1, 3, H, W)``."""
    weights = image.new_tensor(_LUMA).view(1, 3, 1, 1)
    return (image * weights).sum(dim=1, keepdim=True)


def _unit(value: float, name: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return float(value)


def sepia(image: torch.Tensor, *, strength: float) -> torch.Tensor:
    """Tone an image brown like an old silver print.

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        strength: 0 = unchanged, 1 = fully sepia-toned monochrome.

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].

    >>> sepia(torch.full((1, 3, 2, 2), 0.5), strength=1.0)[0, :, 0, 0]
    tensor([0.5548, 0.5000, 0.3923])
    """
    _single(image)
    return _sepia(image, _unit(strength, "strength"))


def _sepia(image: torch.Tensor, strength: float) -> torch.Tensor:
    luma = _luma(image).clamp(0, 1)
    gamma = image.new_tensor(_SEPIA_GAMMA).view(1, 3, 1, 1)
    toned = luma.pow(gamma)
    return ((1 - strength) * image + strength * toned).clamp(0, 1)


def fade(image: torch.Tensor, *, amount: float) -> torch.Tensor:
    """Fade an image like a print left in the light: lower contrast and saturation, lifted
    blacks, dimmer whites and a yellow cast.

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        amount: 0 = unchanged, 1 = strongly faded (blacks lifted to about 0.3).

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].
    """
    _single(image)
    return _fade(image, _unit(amount, "amount"))


def _fade(image: torch.Tensor, amount: float) -> torch.Tensor:
    luma = _luma(image)
    desaturated = image + 0.5 * amount * (luma - image)
    lift, drop = 0.30 * amount, 0.08 * amount
    paper = image.new_tensor(_PAPER).view(1, 3, 1, 1)
    faded = lift * paper + (1 - lift - drop) * desaturated
    yellowing = image.new_tensor((1.0, 1.0 - 0.04 * amount, 1.0 - 0.18 * amount)).view(1, 3, 1, 1)
    return (faded * yellowing).clamp(0, 1)


def film_grain(
    image: torch.Tensor, *, rng: np.random.Generator, sigma: float, size: float = 0.0
) -> torch.Tensor:
    """Add monochrome film grain whose strength follows the luminance (strongest in mid-tones).

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness.
        sigma: grain standard deviation in mid-tones (0.02 is visible, 0.05 is heavy).
        size: grain size in pixels: the white noise is blurred with a Gaussian of this sigma and
            renormalised, so grain can be coarser than one pixel. 0 = per-pixel noise.

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].
    """
    _single(image)
    if sigma < 0 or size < 0:
        raise ValueError(f"sigma and size must be >= 0, got sigma={sigma}, size={size}")
    return _grain(image, rng, sigma, size)


def _grain(
    image: torch.Tensor, rng: np.random.Generator, sigma: float, size: float
) -> torch.Tensor:
    height, width = image.shape[-2:]
    noise = rng.standard_normal((height, width), dtype=np.float32)
    if size > 0.3:
        noise = cv2.GaussianBlur(noise, (0, 0), sigmaX=size, borderType=cv2.BORDER_REFLECT)
        noise /= max(float(noise.std()), 1e-8)
    luma = _luma(image).clamp(0, 1)
    # Grain is most visible in mid-tones, weaker (not absent) in deep shadows and highlights.
    envelope = 0.35 + 0.65 * (4 * luma * (1 - luma)).sqrt()
    grain = torch.from_numpy(noise).view(1, 1, height, width).to(image.dtype)
    return (image + sigma * envelope * grain).clamp(0, 1)


def _gaussian_blur(image: torch.Tensor, sigma: float) -> torch.Tensor:
    hwc = image[0].permute(1, 2, 0).contiguous().numpy()
    blurred = cv2.GaussianBlur(hwc, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT)
    return torch.from_numpy(np.ascontiguousarray(blurred)).permute(2, 0, 1).unsqueeze(0)


def resolution_scale(height: int, width: int) -> float:
    """How much bigger than a ~512 px photo an image is, growing modestly (square root).

    1.0 up to a 512 px short side, about 2.8 for a 6000x4000 (24 MP) image.
    """
    return max(1.0, (min(height, width) / 512.0) ** 0.5)


def age_photo(
    image: torch.Tensor,
    *,
    rng: np.random.Generator,
    sepia_strength: float | None = None,
    fade: float | None = None,
    grain: float | None = None,
    blur: float | None = None,
) -> torch.Tensor:
    """Make a photo look old: soft optics, film grain, sepia toning and fading, in that order.

    Amounts left as ``None`` are drawn from ``rng`` within realistic ranges: sepia 0.2-0.9,
    fade 0-0.45, grain sigma 0.005-0.03 (size 0.5-1.2 px, times the resolution scale), blur
    sigma 0-0.8 px (times the resolution scale). Pass 0 to switch a step off.

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness.
        sepia_strength: see :func:`sepia`.
        fade: ``amount`` of :func:`fade`.
        grain: ``sigma`` of :func:`film_grain`.
        blur: Gaussian blur sigma in pixels.

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].
    """
    _single(image)
    scale = resolution_scale(*image.shape[-2:])
    # Draw every random number up front, in a fixed order, so results do not depend on which
    # amounts the caller fixed.
    drawn_sepia = float(rng.uniform(0.2, 0.9))
    drawn_fade = float(rng.uniform(0.0, 0.45))
    drawn_grain = float(rng.uniform(0.005, 0.03))
    grain_size = float(rng.uniform(0.5, 1.2)) * scale
    drawn_blur = float(rng.uniform(0.0, 0.8)) * scale
    sepia_strength = drawn_sepia if sepia_strength is None else sepia_strength
    fade_amount = drawn_fade if fade is None else fade
    grain_sigma = drawn_grain if grain is None else grain
    blur_sigma = drawn_blur if blur is None else blur

    out = image.float()
    sepia_strength = _unit(sepia_strength, "sepia_strength")
    fade_amount = _unit(fade_amount, "fade")
    if grain_sigma < 0 or blur_sigma < 0:
        raise ValueError(f"grain and blur must be >= 0, got grain={grain_sigma}, blur={blur_sigma}")
    if blur_sigma > 0.05:
        out = _gaussian_blur(out, blur_sigma)
    if grain_sigma > 0:
        out = _grain(out, rng, grain_sigma, grain_size)
    if sepia_strength > 0:
        out = _sepia(out, sepia_strength)
    if fade_amount > 0:
        out = _fade(out, fade_amount)
    return out.clamp(0, 1).contiguous()


def paper_texture(
    image: torch.Tensor, *, rng: np.random.Generator, strength: float, size: float = 1.5
) -> torch.Tensor:
    """Print-surface texture: the fibres and pebbling of photographic paper, as a small
    multiplicative brightness variation (an aging effect of the photo, not damage).

    The texture is white noise blurred with a Gaussian of ``size`` px along one random direction
    and about a third of that across it (fibres), plus a finer isotropic component (pebbling),
    normalised to unit standard deviation; the image is multiplied by ``1 + strength * texture``.

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness.
        strength: relative brightness variation (0.01 is subtle, 0.04 is strong).
        size: texture scale in pixels.

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].
    """
    _single(image)
    if strength < 0 or size <= 0:
        raise ValueError(f"strength must be >= 0 and size > 0, got {strength}, {size}")
    height, width = image.shape[-2:]
    fibres = rng.standard_normal((height, width), dtype=np.float32)
    angle = float(rng.uniform(0, 180))
    fibres = _directional_blur(fibres, size, max(size / 3, 0.3), angle)
    pebbles = rng.standard_normal((height, width), dtype=np.float32)
    pebbles = cv2.GaussianBlur(pebbles, (0, 0), sigmaX=max(0.5 * size, 0.3))
    texture = fibres / max(float(fibres.std()), 1e-8) + 0.6 * pebbles / max(
        float(pebbles.std()), 1e-8
    )
    texture /= max(float(texture.std()), 1e-8)
    factor = torch.from_numpy(1 + strength * texture).view(1, 1, height, width)
    return (image.float() * factor).clamp(0, 1).contiguous()


def _directional_blur(noise: np.ndarray, along: float, across: float, angle: float) -> np.ndarray:
    """Gaussian blur of a 2-D array with sigmas ``along`` / ``across`` a direction (degrees)."""
    radius = int(np.ceil(3 * max(along, across)))
    y, x = np.mgrid[-radius : radius + 1, -radius : radius + 1].astype(np.float32)
    theta = np.deg2rad(angle)
    u = x * np.cos(theta) + y * np.sin(theta)
    v = -x * np.sin(theta) + y * np.cos(theta)
    kernel = np.exp(-0.5 * ((u / along) ** 2 + (v / across) ** 2)).astype(np.float32)
    kernel /= kernel.sum()
    return cv2.filter2D(noise, -1, kernel, borderType=cv2.BORDER_REFLECT)


def halftone(
    image: torch.Tensor, *, period: float, strength: float, angle: float = 45.0
) -> torch.Tensor:
    """Amplitude-modulated halftone screen (a photo reproduced in print): round ink dots on a
    grid of ``period`` px rotated by ``angle`` degrees, one screen for all three channels, the
    dot area of each channel following its darkness; mixed with the image by ``strength``.

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        period: dot spacing in pixels (>= 2).
        strength: 0 = unchanged, 1 = pure halftone.
        angle: screen angle in degrees.

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].

    >>> halftone(torch.full((1, 3, 16, 16), 0.5), period=4, strength=1.0).mean().item() > 0.3
    True
    """
    _single(image)
    strength = _unit(strength, "strength")
    if period < 2:
        raise ValueError(f"period must be >= 2 px, got {period}")
    height, width = image.shape[-2:]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cos, sin = float(np.cos(np.deg2rad(angle))), float(np.sin(np.deg2rad(angle)))
    u = (x * cos + y * sin) / period
    v = (-x * sin + y * cos) / period
    # Distance to the nearest dot centre, in units of the period.
    distance = np.hypot(u - np.round(u), v - np.round(v)).astype(np.float32)
    distance_t = torch.from_numpy(distance).view(1, 1, height, width)
    # The screen samples a slightly smoothed image (dots are larger than the pixels).
    smooth = _gaussian_blur(image.float(), 0.35 * period)
    darkness = (1 - smooth).clamp(0, 1)
    # Dot radius for inked area fraction ``darkness`` (disc area pi r^2, capped where dots merge).
    radius = (darkness / np.pi).sqrt()
    edge = 0.5 / period  # about a pixel of antialiasing
    ink = ((radius - distance_t) / edge + 0.5).clamp(0, 1)
    printed = 1 - ink
    return ((1 - strength) * image.float() + strength * printed).clamp(0, 1).contiguous()


def color_cast(
    image: torch.Tensor,
    *,
    rng: np.random.Generator,
    strength: float,
    blotch: float = 40.0,
    speckle: float = 0.0,
) -> torch.Tensor:
    """Colour casts of old colour processes (autochromes, hand colouring, dye fading): a global
    per-channel gain, a slowly varying per-channel tint and (``speckle`` > 0) independent colour
    grain per channel. An aging effect of the photo, not damage.

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness.
        strength: standard deviation of the global per-channel gain (0.1 is clearly tinted); the
            local tint varies by half of that.
        blotch: size in pixels (Gaussian sigma) of the local tint variation.
        speckle: standard deviation of the per-channel colour grain (autochrome starch grains).

    Returns:
        float32 ``(1, 3, H, W)`` in [0, 1].
    """
    _single(image)
    if strength < 0 or blotch <= 0 or speckle < 0:
        raise ValueError(f"need strength, speckle >= 0 and blotch > 0, got {strength}, {speckle}")
    height, width = image.shape[-2:]
    gains = 1 + strength * rng.standard_normal(3).astype(np.float32)
    local = rng.standard_normal((height, width, 3), dtype=np.float32)
    local = cv2.GaussianBlur(local, (0, 0), sigmaX=blotch, borderType=cv2.BORDER_REFLECT)
    local /= max(float(local.std()), 1e-8)
    field = gains[None, None, :] * (1 + 0.5 * strength * local)
    out = image.float() * torch.from_numpy(field).permute(2, 0, 1).unsqueeze(0)
    if speckle > 0:
        grain = rng.standard_normal((height, width, 3), dtype=np.float32)
        grain = cv2.GaussianBlur(grain, (0, 0), sigmaX=0.7)
        grain /= max(float(grain.std()), 1e-8)
        out = out + speckle * torch.from_numpy(grain).permute(2, 0, 1).unsqueeze(0)
    return out.clamp(0, 1).contiguous()

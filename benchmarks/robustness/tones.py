"""Print tones old photographs come in, rendered from a clean colour photo.

Every renderer is ``tone(photo, rng) -> print``: ``photo`` and the result are float32 RGB
``(H, W, 3)`` numpy arrays in [0, 1]; ``rng`` is a ``numpy.random.Generator`` that draws the
tone's parameters (same generator state, same print). The monochrome tones are gradient maps
in CIE Lab: the photo's luma goes through a tone curve (black level, paper white, gamma,
contrast about the mean), which sets L*, and a* / b* are interpolated between anchors for the
shadows, midtones and highlights (split toning). The colour tones model dye fading in optical
density and translucent washes over a monochrome base.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> TONES["cyanotype"](np.full((8, 8, 3), 0.5, np.float32), rng).shape
(8, 8, 3)
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

Renderer = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def check_photo(photo: np.ndarray) -> np.ndarray:
    """``photo`` as float32 ``(H, W, 3)``; raises ``ValueError`` for another shape or dtype."""
    if photo.ndim != 3 or photo.shape[2] != 3:
        raise ValueError(f"expected an RGB photo (H, W, 3), got shape {photo.shape}")
    if not np.issubdtype(photo.dtype, np.floating):
        raise ValueError(f"expected a float photo in [0, 1], got {photo.dtype}")
    return photo.astype(np.float32, copy=False)


def luma(photo: np.ndarray) -> np.ndarray:
    """Rec. 709 luma ``(H, W)`` of gamma-encoded RGB (what a panchromatic print records)."""
    return photo[..., 0] * 0.2126 + photo[..., 1] * 0.7152 + photo[..., 2] * 0.0722


def _u(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def _gray_lightness(gray: np.ndarray) -> np.ndarray:
    """CIE L* in [0, 100] of an sRGB-encoded neutral gray level in [0, 1]."""
    lin = np.where(gray <= 0.04045, gray / 12.92, ((gray + 0.055) / 1.055) ** 2.4)
    return np.where(lin > 216 / 24389, 116 * np.cbrt(lin) - 16, lin * 24389 / 27).astype(np.float32)


def tone_curve(
    y: np.ndarray, *, black: float, white: float, gamma: float, contrast: float
) -> np.ndarray:
    """Print density curve: ``black + (white - black) * y**gamma``, then contrast about its mean,
    never brighter than the paper (``white``).

    Returns gray levels ``(H, W)`` float32 in [0, white] (sRGB-encoded).
    """
    g = black + (white - black) * np.power(np.clip(y, 0, 1), gamma)
    mean = float(g.mean())
    return np.clip(mean + contrast * (g - mean), 0, white).astype(np.float32)


def gradient_map(gray: np.ndarray, anchors: list[tuple[float, float, float]]) -> np.ndarray:
    """Colour a gray print through Lab: L* from ``gray``, (a*, b*) interpolated along the
    print's own range between ``anchors`` = ``[(position, a, b), ...]`` (position 0 = the
    darkest pixel, 1 = the lightest). Returns RGB ``(H, W, 3)`` float32 in [0, 1]."""
    low, high = float(gray.min()), float(gray.max())
    t = (gray - low) / max(high - low, 1e-6)
    pos = np.array([p for p, _, _ in anchors], np.float32)
    lab = np.empty((*gray.shape, 3), np.float32)
    lab[..., 0] = _gray_lightness(gray)
    lab[..., 1] = np.interp(t, pos, [a for _, a, _ in anchors])
    lab[..., 2] = np.interp(t, pos, [b for _, _, b in anchors])
    return np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB), 0, 1).astype(np.float32)


def neutral_gray(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Silver gelatin print: neutral (R = G = B), deep blacks 0.02-0.08, paper 0.88-0.97."""
    y = luma(check_photo(photo))
    gray = tone_curve(
        y,
        black=_u(rng, 0.02, 0.08),
        white=_u(rng, 0.88, 0.97),
        gamma=_u(rng, 0.85, 1.2),
        contrast=_u(rng, 0.9, 1.1),
    )
    return np.repeat(gray[..., None], 3, axis=2)


def faded_sepia(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Faded sepia / brown print: blacks lifted to 0.10-0.35, a yellowed paper white 0.80-0.93
    (never pure white), contrast 0.6-0.9 about the mean, brown shadows and creamy highlights."""
    y = luma(check_photo(photo))
    gray = tone_curve(
        y,
        black=_u(rng, 0.10, 0.35),
        white=_u(rng, 0.80, 0.93),
        gamma=_u(rng, 0.8, 1.15),
        contrast=_u(rng, 0.6, 0.9),
    )
    warmth = _u(rng, 0.7, 1.3)  # from yellow-brown to red-brown
    anchors = [
        (0.0, _u(rng, 6, 14) * warmth, _u(rng, 14, 28)),
        (0.5, _u(rng, 5, 10) * warmth, _u(rng, 15, 26)),
        (1.0, _u(rng, 1, 5), _u(rng, 8, 20)),
    ]
    return gradient_map(gray, anchors)


def warm_black(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Chlorobromide warm-black print: near-neutral deep blacks with an olive-brown cast in the
    shadows and a cream paper."""
    y = luma(check_photo(photo))
    gray = tone_curve(
        y,
        black=_u(rng, 0.03, 0.10),
        white=_u(rng, 0.86, 0.95),
        gamma=_u(rng, 0.9, 1.15),
        contrast=_u(rng, 0.9, 1.05),
    )
    anchors = [
        (0.0, _u(rng, 1, 4), _u(rng, 3, 9)),
        (0.5, _u(rng, 1, 3), _u(rng, 5, 11)),
        (1.0, _u(rng, 0, 2), _u(rng, 4, 10)),
    ]
    return gradient_map(gray, anchors)


def selenium(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Selenium-toned print: purple-brown (aubergine) shadows, neutral highlights."""
    y = luma(check_photo(photo))
    gray = tone_curve(
        y,
        black=_u(rng, 0.02, 0.08),
        white=_u(rng, 0.86, 0.95),
        gamma=_u(rng, 0.9, 1.2),
        contrast=_u(rng, 0.95, 1.1),
    )
    anchors = [
        (0.0, _u(rng, 6, 13), _u(rng, -4, 3)),
        (0.35, _u(rng, 4, 8), _u(rng, -1, 4)),
        (0.75, _u(rng, 0, 2), _u(rng, 0, 3)),
        (1.0, _u(rng, -1, 1), _u(rng, -1, 2)),
    ]
    return gradient_map(gray, anchors)


def cyanotype(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cyanotype: Prussian-blue shadows (L* ~20-35), pale blue-white highlights; the blue
    channel dominates everywhere."""
    y = luma(check_photo(photo))
    gray = tone_curve(
        y,
        black=_u(rng, 0.06, 0.20),
        white=_u(rng, 0.80, 0.94),
        gamma=_u(rng, 0.8, 1.1),
        contrast=_u(rng, 0.85, 1.05),
    )
    anchors = [
        (0.0, _u(rng, 4, 14), _u(rng, -50, -38)),
        (0.5, _u(rng, -4, 4), _u(rng, -42, -30)),
        (1.0, _u(rng, -5, -1), _u(rng, -18, -9)),
    ]
    return gradient_map(gray, anchors)


def faded_colour(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Faded chromogenic colour print. Each channel's optical density ``-log10(v)`` stands for
    one dye layer (red <- cyan, green <- magenta, blue <- yellow); the dyes lose density by
    their own factors — cyan most (a red / magenta cast) or cyan and magenta together (a
    yellow-orange cast) — then saturation drops, blacks lift and the paper yellows."""
    rgb = check_photo(photo)
    if rng.random() < 0.5:  # cyan fades first: red-magenta cast
        keep = np.array([_u(rng, 0.35, 0.7), _u(rng, 0.75, 1.0), _u(rng, 0.7, 0.95)], np.float32)
    else:  # cyan and magenta fade: yellow-orange cast
        keep = np.array([_u(rng, 0.45, 0.75), _u(rng, 0.5, 0.8), _u(rng, 0.85, 1.0)], np.float32)
    density = -np.log10(np.clip(rgb, 1e-3, 1))
    out = np.power(10.0, -density * keep).astype(np.float32)
    y = luma(out)[..., None]
    out = y + _u(rng, 0.45, 0.8) * (out - y)  # lowered saturation
    black = _u(rng, 0.06, 0.2)
    paper = np.array([_u(rng, 0.93, 0.99), _u(rng, 0.88, 0.95), _u(rng, 0.74, 0.88)], np.float32)
    return np.clip(black + (paper - black) * out, 0, 1).astype(np.float32)


def _segments(photo: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    """Region labels ``(H, W)`` int32 from k-means on a small copy (Lab colour and position)."""
    h, w = photo.shape[:2]
    scale = 96 / max(h, w)
    sh, sw = max(4, round(h * scale)), max(4, round(w * scale))
    small = cv2.resize(photo, (sw, sh), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2Lab)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    spread = 40.0 / max(sh, sw)
    features = np.stack(
        [lab[..., 0] * 0.5, lab[..., 1], lab[..., 2], xx * spread, yy * spread], axis=-1
    ).reshape(-1, 5)
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, _ = cv2.kmeans(features, count, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    labels = labels.reshape(sh, sw).astype(np.int32)
    return cv2.resize(labels, (w, h), interpolation=cv2.INTER_NEAREST)


def smooth_field(shape: tuple[int, int], rng: np.random.Generator, cells: float) -> np.ndarray:
    """Smooth random field ``(H, W)`` float32 in [0, 1]: bicubic upsampling of a coarse grid of
    about ``cells`` cells along the long side."""
    h, w = shape
    gh = max(2, round(cells * h / max(h, w)) + 2)
    gw = max(2, round(cells * w / max(h, w)) + 2)
    field = cv2.resize(rng.random((gh, gw)).astype(np.float32), (w, h), cv2.INTER_CUBIC)
    low, high = float(field.min()), float(field.max())
    return (field - low) / max(high - low, 1e-6)


_PALETTE = {  # translucent hand-colouring dyes, sRGB
    "rose": (0.95, 0.62, 0.60),
    "sky": (0.62, 0.78, 0.95),
    "leaf": (0.66, 0.86, 0.58),
    "ochre": (0.96, 0.82, 0.52),
    "violet": (0.80, 0.68, 0.92),
}


def hand_tinted(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Hand-tinted print: a warm monochrome base with 2-4 translucent washes laid over regions
    (k-means segments of the photo, e.g. face, clothes, sky), each with feathered, slightly
    mis-registered edges. The wash takes the region's own hue made
    pastel, or a dye from a small palette."""
    rgb = check_photo(photo)
    h, w = rgb.shape[:2]
    base = warm_black(rgb, rng) if rng.random() < 0.5 else faded_sepia(rgb, rng)
    base = 0.15 + 0.85 * base  # tinting was done on light prints
    labels = _segments(rgb, rng, int(rng.integers(4, 9)))
    side = max(h, w)
    washes = []
    chosen = rng.permutation(labels.max() + 1)[: int(rng.integers(2, 5))]
    for k in chosen:
        region = (labels == k).astype(np.float32)
        if rng.random() < 0.5:
            lab = cv2.cvtColor(rgb[labels == k][None].astype(np.float32), cv2.COLOR_RGB2Lab)[0]
            mean = lab.mean(axis=0)
            chroma = float(np.hypot(mean[1], mean[2]))
            boost = min(2.5, 30.0 / max(chroma, 1.0))
            pastel = np.array([[[78.0, mean[1] * boost, mean[2] * boost]]], np.float32)
            colour = np.clip(cv2.cvtColor(pastel, cv2.COLOR_Lab2RGB)[0, 0], 0, 1)
        else:
            colour = np.array(list(_PALETTE.values())[int(rng.integers(len(_PALETTE)))])
        washes.append((region, colour))
    out = base.copy()
    for region, colour in washes:
        shift = rng.normal(0, 0.004 * side, 2)
        moved = cv2.warpAffine(
            region, np.float32([[1, 0, shift[0]], [0, 1, shift[1]]]), (w, h), borderValue=0
        )
        sigma = _u(rng, 0.002, 0.008) * side
        alpha = _u(rng, 0.35, 0.8) * cv2.GaussianBlur(moved, (0, 0), sigma)
        out *= 1.0 - alpha[..., None] * (1.0 - colour.astype(np.float32))
    return np.clip(out, 0, 1).astype(np.float32)


TONES: dict[str, Renderer] = {
    "gray": neutral_gray,
    "sepia_faded": faded_sepia,
    "warm_black": warm_black,
    "selenium": selenium,
    "cyanotype": cyanotype,
    "faded_colour": faded_colour,
    "hand_tinted": hand_tinted,
}

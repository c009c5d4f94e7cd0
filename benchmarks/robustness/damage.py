"""A second, independent damage generator: what years do to a print, with an exact mask.

``draw_damage(print_, rng) -> Damage(image, mask, labels)`` draws a random mix of damage on a
toned print (float32 RGB ``(H, W, 3)`` in [0, 1], before any scan condition):

* ``brush`` — brush-like polylines (Catmull-Rom through 3-7 points) whose width follows a
  pressure profile ``sin(pi t) ** p`` with a wobble; bright (paper), dark or tinted ink.
* ``cracks`` — branching crack networks: jagged random walks that spawn branches recursively
  (depth <= 3), thin (1-2.5 px at 1000 px), white or dark, white ones sometimes with a dark edge.
* ``craquelure`` — cracks along the boundaries of a jittered Voronoi tessellation inside a
  soft-edged region.
* ``folds`` — long soft bright lines across the whole print (a Gaussian ridge, slightly bowed
  and wavy) with a dark edge on one side, sometimes with short cracks along the ridge.
* ``flakes`` — emulsion lost in an irregular patch with a ragged edge: paper white or the brown
  base shows, mottled.
* ``mould`` — clusters of small soft spots (rust-brown foxing or grey-green mould), multiplied
  into the print.
* ``tears`` — a missing piece at a corner or an edge (the scanner lid / background shows) with
  a fibrous white paper rim along the ragged tear.

Sizes are given for a 1000 px long side and scale with it. The mix is random per photo: each
kind is present with its own probability, and items are added until the damaged area reaches
a target drawn log-uniformly in 1-10 % (15 % of photos up to 18 %).

**Visibility rule (the mask).** ``mask`` is True exactly where the damaged print differs from
the undamaged one by more than ``VISIBLE`` = 0.08 in at least one RGB channel (on the [0, 1]
scale). Outside the mask the two prints differ by at most 0.08 (soft fringes of folds and
spots below that level are not damage a person would mark). ``labels`` (uint8) gives, inside
the mask, ``1 + index`` in ``KIND_NAMES`` of the last kind that changed the pixel by more than
``VISIBLE`` (or, where only several smaller changes add up, the last kind that changed it at
all); 0 outside the mask.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import cv2
import numpy as np

from .tones import check_photo, smooth_field

VISIBLE = 0.08

Render = Callable[[np.ndarray], np.ndarray]


class Mark(NamedTuple):
    """One damage item: the box it touches (rows ``y0:y1``, columns ``x0:x1``) and how it
    changes that patch (``render(patch) -> new patch``, both float32 ``(h, w, 3)``)."""

    y0: int
    y1: int
    x0: int
    x1: int
    render: Render


class Damage(NamedTuple):
    """A damaged print ``(H, W, 3)`` float32, its mask ``(H, W)`` bool (visibility rule) and
    kind labels ``(H, W)`` uint8 (0 = undamaged, else ``1 + KIND_NAMES.index(kind)``)."""

    image: np.ndarray
    mask: np.ndarray
    labels: np.ndarray


def _u(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def _log_u(rng: np.random.Generator, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def _box(points: np.ndarray, pad: float, h: int, w: int) -> tuple[int, int, int, int]:
    """Integer box (y0, y1, x0, x1) around ``points`` (N, 2) as (x, y) plus ``pad``, clipped."""
    x0 = max(0, int(math.floor(points[:, 0].min() - pad)))
    x1 = min(w, int(math.ceil(points[:, 0].max() + pad)) + 1)
    y0 = max(0, int(math.floor(points[:, 1].min() - pad)))
    y1 = min(h, int(math.ceil(points[:, 1].max() + pad)) + 1)
    return y0, max(y1, y0 + 1), x0, max(x1, x0 + 1)


def _supersampling(scale: float) -> int:
    """Raster supersampling for anti-aliased thin marks: 4x at 1000 px, 1x from 4000 px."""
    return int(min(4, max(1, round(4 / scale))))


def _raster(shape: tuple[int, int], ss: int, draw: Callable[[np.ndarray], None]) -> np.ndarray:
    """Anti-aliased coverage ``(h, w)`` float32 in [0, 1]: ``draw`` paints 255 on a uint8
    canvas ``ss`` times larger, which is then area-averaged down."""
    h, w = shape
    canvas = np.zeros((h * ss, w * ss), np.uint8)
    draw(canvas)
    if ss > 1:
        canvas = cv2.resize(canvas, (w, h), interpolation=cv2.INTER_AREA)
    return canvas.astype(np.float32) / 255.0


def _polyline_alpha(
    paths: list[tuple[np.ndarray, np.ndarray]], origin: tuple[int, int], shape, ss: int
) -> np.ndarray:
    """Coverage of variable-width polylines: ``paths`` = [(points (N, 2) x/y, radii (N,))]."""
    oy, ox = origin

    def draw(canvas: np.ndarray) -> None:
        for points, radii in paths:
            pts = np.rint((points - [ox, oy]) * ss + (ss - 1) / 2).astype(np.int64)
            for i in range(len(pts) - 1):
                thick = max(1, int(round(2 * radii[i] * ss)))
                cv2.line(canvas, tuple(pts[i]), tuple(pts[i + 1]), 255, thick, cv2.LINE_AA)
            for p, r in zip(pts, radii, strict=True):
                if r * ss >= 1.5:
                    cv2.circle(canvas, tuple(p), int(round(r * ss)), 255, -1, cv2.LINE_AA)

    return _raster(shape, ss, draw)


def _over(colour: np.ndarray | tuple, alpha: np.ndarray) -> Render:
    """Paint ``colour`` (RGB, or a per-pixel ``(h, w, 3)`` map) over the patch with ``alpha``."""
    a = alpha[..., None]
    col = np.asarray(colour, np.float32)
    return lambda patch: patch * (1 - a) + col * a


def _paper(print_: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bare paper colour for this print: its brightest tones pushed towards white."""
    step = max(1, int(math.sqrt(print_.shape[0] * print_.shape[1] / 250_000)))
    sample = print_[::step, ::step].reshape(-1, 3)
    bright = np.percentile(sample, 99.5, axis=0).astype(np.float32)
    return np.clip(bright + _u(rng, 0.3, 0.9) * (1 - bright), 0, 1) * _u(rng, 0.94, 1.0)


def _dark(rng: np.random.Generator) -> np.ndarray:
    level = _u(rng, 0.03, 0.2)
    return np.clip(level + rng.normal(0, 0.015, 3), 0, 1).astype(np.float32)


_INKS = [(0.15, 0.2, 0.45), (0.55, 0.12, 0.1), (0.35, 0.22, 0.1), (0.2, 0.35, 0.2)]


def _catmull_rom(points: np.ndarray, step: float) -> np.ndarray:
    """A Catmull-Rom spline through ``points`` (N, 2), sampled about every ``step`` px."""
    padded = np.vstack([points[0], points, points[-1]])
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1 : i + 3]
        n = max(2, int(np.linalg.norm(p2 - p1) / step))
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    out.append(points[-1:])
    return np.vstack(out)


def brush(print_: np.ndarray, rng: np.random.Generator, s: float) -> Mark:
    """One brush-like stroke with a pressure profile; bright, dark or tinted."""
    h, w = print_.shape[:2]
    length = _log_u(rng, 50, 450) * s
    count = int(rng.integers(3, 8))
    start = np.array([_u(rng, 0, w), _u(rng, 0, h)])
    heading = _u(rng, 0, 2 * np.pi)
    points = [start]
    for _ in range(count - 1):
        heading += rng.normal(0, 0.6)
        points.append(
            points[-1] + length / (count - 1) * np.array([np.cos(heading), np.sin(heading)])
        )
    path = _catmull_rom(np.array(points), step=max(1.0, s))
    t = np.linspace(0, 1, len(path))
    wobble = 1 + 0.25 * np.interp(t, np.linspace(0, 1, 6), rng.uniform(-1, 1, 6))
    width = _log_u(rng, 1.5, 7.0) * s
    radii = 0.5 * width * np.sin(np.pi * np.clip(t, 0.02, 0.98)) ** _u(rng, 0.3, 0.8) * wobble
    radii = np.maximum(radii, 0.35)
    y0, y1, x0, x1 = _box(path, radii.max() + 2, h, w)
    alpha = _polyline_alpha([(path, radii)], (y0, x0), (y1 - y0, x1 - x0), _supersampling(s))
    alpha *= _u(rng, 0.65, 1.0)
    pick = rng.random()
    if pick < 0.45:
        colour = _paper(print_, rng)
    elif pick < 0.8:
        colour = _dark(rng)
    else:
        colour = np.array(_INKS[int(rng.integers(len(_INKS)))], np.float32)
    return Mark(y0, y1, x0, x1, _over(colour, alpha))


def _crack_paths(
    start: np.ndarray,
    heading: float,
    length: float,
    step: float,
    radius: float,
    rng: np.random.Generator,
    depth: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """A jagged crack from ``start`` and, recursively, its branches (each thinner)."""
    points, paths = [start], []
    wander = 0.0  # mean-reverting deviation: cracks run straight-ish with sharp small kinks
    for _ in range(max(2, int(length / step))):
        wander = 0.8 * wander + rng.normal(0, 0.12)
        if rng.random() < 0.05:  # a change of course
            heading += rng.choice([-1, 1]) * _u(rng, 0.2, 0.6)
        direction = np.array([np.cos(heading + wander), np.sin(heading + wander)])
        jag = np.array([-direction[1], direction[0]]) * rng.normal(0, 0.25 * step)
        points.append(points[-1] + step * _u(rng, 0.7, 1.3) * direction + jag)
        if depth < 3 and rng.random() < 0.035:
            side = rng.choice([-1, 1]) * _u(rng, 0.4, 1.3)
            paths += _crack_paths(
                points[-1].copy(),
                heading + side,
                length * _u(rng, 0.2, 0.5),
                step,
                radius * _u(rng, 0.6, 0.9),
                rng,
                depth + 1,
            )
    pts = np.array(points)
    radii = radius * (0.75 + 0.5 * rng.random(len(pts)))
    radii[-max(1, len(pts) // 6) :] *= np.linspace(1, 0.5, max(1, len(pts) // 6))
    return [(pts, np.maximum(radii, 0.3)), *paths]


def _line_marks(
    print_: np.ndarray,
    rng: np.random.Generator,
    s: float,
    paths: list[tuple[np.ndarray, np.ndarray]],
) -> Mark:
    """Render thin crack-like paths: white (often with a dark edge) or dark."""
    h, w = print_.shape[:2]
    rmax = max(r.max() for _, r in paths)
    y0, y1, x0, x1 = _box(np.vstack([p for p, _ in paths]), 3 * rmax + 3 * s + 2, h, w)
    ss = _supersampling(s)
    shape = (y1 - y0, x1 - x0)
    alpha = _polyline_alpha(paths, (y0, x0), shape, ss)
    if rng.random() < 0.2:
        return Mark(y0, y1, x0, x1, _over(_dark(rng), alpha * _u(rng, 0.7, 1.0)))
    white = _over(_paper(print_, rng), alpha * _u(rng, 0.8, 1.0))
    if rng.random() < 0.35:  # lifted emulsion edge: a darker halo under the white line
        edge = 0.7 * s + 0.5
        halo = _polyline_alpha([(p, r + edge) for p, r in paths], (y0, x0), shape, ss)
        strength = _u(rng, 0.25, 0.5)
        return Mark(y0, y1, x0, x1, lambda patch: white(patch * (1 - strength * halo[..., None])))
    return Mark(y0, y1, x0, x1, white)


def cracks(print_: np.ndarray, rng: np.random.Generator, s: float) -> Mark:
    """A branching crack network, often entering from an edge."""
    h, w = print_.shape[:2]
    if rng.random() < 0.5:
        start = np.array([_u(rng, 0, w), _u(rng, 0, h)])
        heading = _u(rng, 0, 2 * np.pi)
    else:  # from an edge, heading inwards
        side = int(rng.integers(4))
        start = [
            np.array([_u(rng, 0, w), 0.0]),
            np.array([w - 1.0, _u(rng, 0, h)]),
            np.array([_u(rng, 0, w), h - 1.0]),
            np.array([0.0, _u(rng, 0, h)]),
        ][side]
        heading = [np.pi / 2, np.pi, -np.pi / 2, 0.0][side] + rng.normal(0, 0.5)
    paths = _crack_paths(
        start,
        heading,
        _log_u(rng, 120, 700) * s,
        _u(rng, 3, 8) * s,
        0.5 * _u(rng, 1.0, 2.5) * s,
        rng,
    )
    return _line_marks(print_, rng, s, paths)


def _jitter(a: np.ndarray, b: np.ndarray, rng: np.random.Generator, levels: int) -> np.ndarray:
    """Midpoint displacement between ``a`` and ``b``: a jagged path (N, 2)."""
    pts = np.array([a, b], np.float64)
    for level in range(levels):
        new = [pts[0]]
        for p, q in zip(pts[:-1], pts[1:], strict=True):
            d = q - p
            normal = np.array([-d[1], d[0]])
            mid = (p + q) / 2 + normal * rng.normal(0, 0.18 / (level + 1))
            new += [mid, q]
        pts = np.array(new)
    return pts


def craquelure(print_: np.ndarray, rng: np.random.Generator, s: float) -> Mark:
    """Cracks along the edges of a random (jittered Voronoi) cell tessellation in a region."""
    h, w = print_.shape[:2]
    radius = _log_u(rng, 70, 280) * s
    centre = np.array([_u(rng, 0, w), _u(rng, 0, h)])
    cell = _u(rng, 12, 45) * s
    n = int(min(600, max(8, (2 * radius / cell) ** 2)))
    seeds = centre + rng.uniform(-radius, radius, (n, 2))
    x_lo, y_lo = centre - radius - cell
    subdiv = cv2.Subdiv2D(
        (int(x_lo), int(y_lo), int(2 * (radius + cell)) + 2, int(2 * (radius + cell)) + 2)
    )
    subdiv.insert([(float(x), float(y)) for x, y in seeds])
    facets, _ = subdiv.getVoronoiFacetList([])
    keep = _u(rng, 0.45, 0.85)
    r = 0.5 * _u(rng, 0.8, 2.0) * s
    paths = []
    for facet in facets:
        for i in range(len(facet)):
            a, b = facet[i], facet[(i + 1) % len(facet)]
            mid = (a + b) / 2
            inside = 1.0 - np.linalg.norm(mid - centre) / radius
            if inside <= 0 or rng.random() > keep * min(1.0, 2.5 * inside):
                continue
            pts = _jitter(a, b, rng, 2)
            paths.append((pts, np.full(len(pts), r) * _u(rng, 0.7, 1.2)))
    if not paths:
        return cracks(print_, rng, s)
    return _line_marks(print_, rng, s, paths)


def folds(print_: np.ndarray, rng: np.random.Generator, s: float) -> Mark:
    """A fold across the print: a soft bright ridge (slightly bowed and wavy) with a dark edge
    on one side; half the time the emulsion also cracked in short pieces along the ridge."""
    h, w = print_.shape[:2]
    if rng.random() < 0.6:  # mostly along the print's axes
        angle = float(rng.choice([0.0, np.pi / 2]) + rng.normal(0, 0.06))
    else:
        angle = _u(rng, 0, np.pi)
    cos, sin = np.cos(angle), np.sin(angle)
    cx, cy = _u(rng, 0.15, 0.85) * w, _u(rng, 0.15, 0.85) * h
    span = max(h, w)
    bow = _u(rng, -0.02, 0.02) * span
    knots = np.linspace(-1.5, 1.5, 16)
    wiggle = 1.5 * s * rng.uniform(-1, 1, 16)

    def centre_line(t: np.ndarray) -> np.ndarray:  # across-offset of the ridge at t = along/span
        return bow * t**2 + np.interp(t, knots, wiggle)

    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    along = (xx - cx) * cos + (yy - cy) * sin
    d = -(xx - cx) * sin + (yy - cy) * cos
    del yy, xx
    d -= centre_line(along / span).astype(np.float32)
    del along
    sigma = _u(rng, 1.5, 4.0) * s
    offset = float(rng.choice([-1.0, 1.0])) * _u(rng, 1.8, 3.0) * sigma
    edge_sigma = sigma * _u(rng, 0.5, 0.9)
    near = np.abs(d) < 6 * sigma + abs(offset)
    rows, cols = np.nonzero(near.any(axis=1))[0], np.nonzero(near.any(axis=0))[0]
    if rows.size == 0:
        return Mark(0, 1, 0, 1, lambda patch: patch)
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    d = d[y0:y1, x0:x1]
    strength = 0.75 + 0.5 * smooth_field(d.shape, rng, 8)
    lift = (_u(rng, 0.25, 0.6) * np.exp(-0.5 * (d / sigma) ** 2) * strength)[..., None]
    shade = (_u(rng, 0.12, 0.35) * np.exp(-0.5 * ((d - offset) / edge_sigma) ** 2))[..., None]
    paper = _paper(print_, rng)
    fold = Mark(y0, y1, x0, x1, lambda patch: (patch * (1 - shade)) * (1 - lift) + paper * lift)
    if rng.random() >= 0.5:
        return fold
    paths = []  # the emulsion cracked along the ridge
    for _ in range(int(rng.integers(3, 12))):
        t0 = _u(rng, -0.8, 0.8)
        t = np.linspace(t0, t0 + _log_u(rng, 10, 80) * s / span, 12)
        v = centre_line(t) + rng.normal(0, 0.4 * s, len(t))
        pts = np.stack([cx + t * span * cos - v * sin, cy + t * span * sin + v * cos], axis=1)
        if ((pts >= 0) & (pts < [w, h])).all(axis=1).any():
            paths.append((pts, np.full(len(pts), 0.5 * _u(rng, 0.8, 1.8) * s)))
    if not paths:
        return fold
    alpha = _polyline_alpha(paths, (y0, x0), (y1 - y0, x1 - x0), _supersampling(s))
    white = _over(_paper(print_, rng), alpha)
    return Mark(y0, y1, x0, x1, lambda patch: white(fold.render(patch)))


def _ragged_blob(
    shape: tuple[int, int], centre: tuple[float, float], radius: float, rng, s: float
) -> np.ndarray:
    """Coverage ``(h, w)`` of an irregular patch around ``centre`` (x, y in the patch): a
    star-shaped outline (random harmonics) roughened by small-scale noise; edge anti-aliased."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dy, dx = yy - centre[1], xx - centre[0]
    theta = np.arctan2(dy, dx)
    outline = np.ones_like(theta)
    for k in range(2, 7):
        outline += _u(rng, 0, 0.35 / k**0.5) * np.cos(k * theta + _u(rng, 0, 2 * np.pi))
    coarse = rng.standard_normal((max(2, h // 3), max(2, w // 3))).astype(np.float32)
    rough = cv2.GaussianBlur(cv2.resize(coarse, (w, h)), (0, 0), max(0.6, 0.8 * s))
    field = np.hypot(dx, dy) / (radius * np.clip(outline, 0.35, None)) + 0.12 * rough
    return np.clip((1.0 - field) * radius / max(0.8 * s, 0.7) + 0.5, 0, 1).astype(np.float32)


def flakes(print_: np.ndarray, rng: np.random.Generator, s: float) -> Mark:
    """Emulsion flaked off in a ragged patch: paper white or a brown base shows."""
    h, w = print_.shape[:2]
    radius = _log_u(rng, 4, 35) * s
    centre = np.array([[_u(rng, 0, w), _u(rng, 0, h)]])
    y0, y1, x0, x1 = _box(centre, 1.8 * radius + 3, h, w)
    local = (centre[0, 0] - x0, centre[0, 1] - y0)
    blob = _ragged_blob((y1 - y0, x1 - x0), local, radius, rng, s)
    if rng.random() < 0.65:
        base = _paper(print_, rng)
    else:
        base = np.array([_u(rng, 0.5, 0.7), _u(rng, 0.36, 0.5), _u(rng, 0.22, 0.32)], np.float32)
    mottle = 1 + 0.05 * (smooth_field(blob.shape, rng, 4) - 0.5)
    colour = np.clip(base * mottle[..., None], 0, 1)
    return Mark(y0, y1, x0, x1, _over(colour, blob * _u(rng, 0.85, 1.0)))


def mould(print_: np.ndarray, rng: np.random.Generator, s: float) -> Mark:
    """A cluster of small soft spots: rust-brown foxing or grey-green mould."""
    h, w = print_.shape[:2]
    spread = _log_u(rng, 8, 60) * s
    centre = np.array([_u(rng, 0, w), _u(rng, 0, h)])
    count = int(rng.integers(5, 41))
    spots = centre + rng.normal(0, spread, (count, 2))
    radii = np.array([_log_u(rng, 1.0, 5.0) * s for _ in range(count)])
    y0, y1, x0, x1 = _box(spots, 3 * radii.max() + 2, h, w)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    density = np.zeros(yy.shape, np.float32)
    for (sx, sy), r in zip(spots, radii, strict=True):
        core = np.exp(-0.5 * ((xx - sx) ** 2 + (yy - sy) ** 2) / r**2)
        density = np.maximum(density, _u(rng, 0.5, 1.0) * core)
    if rng.random() < 0.6:
        colour = np.array([_u(rng, 0.5, 0.65), _u(rng, 0.3, 0.42), _u(rng, 0.12, 0.25)], np.float32)
    else:
        colour = np.array([_u(rng, 0.25, 0.35), _u(rng, 0.3, 0.38), _u(rng, 0.22, 0.3)], np.float32)
    a = (_u(rng, 0.6, 1.0) * density)[..., None]
    return Mark(y0, y1, x0, x1, lambda patch: patch * (1 - a * (1 - colour)))


def tears(print_: np.ndarray, rng: np.random.Generator, s: float) -> Mark:
    """A missing piece at a corner or an edge with a fibrous white rim along the tear."""
    h, w = print_.shape[:2]
    span = max(h, w)
    if rng.random() < 0.6:  # corner: a ragged cut from one side to the adjacent one
        corner = np.array(
            [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]][int(rng.integers(4))], float
        )
        toward_x = np.array([1.0 if corner[0] == 0 else -1.0, 0])
        toward_y = np.array([0, 1.0 if corner[1] == 0 else -1.0])
        a = corner + toward_x * _u(rng, 0.04, 0.16) * span
        b = corner + toward_y * _u(rng, 0.04, 0.16) * span
        cut = _jitter(a, b, rng, 5)
        polygon = np.vstack([cut, corner[None]])
    else:  # a bite out of one edge
        side = int(rng.integers(4))
        along = np.array([[1.0, 0], [0, 1.0], [1.0, 0], [0, 1.0]][side])
        inward = np.array([[0, 1.0], [-1.0, 0], [0, -1.0], [1.0, 0]][side])
        base = np.array([[0, 0], [w - 1, 0], [0, h - 1], [0, 0]][side], float)
        limit = w if side in (0, 2) else h
        at = _u(rng, 0.1, 0.9) * limit
        half = _u(rng, 0.03, 0.09) * span
        depth = _u(rng, 0.02, 0.07) * span
        a, b = base + along * (at - half), base + along * (at + half)
        tip = base + along * (at + _u(rng, -0.5, 0.5) * half) + inward * depth
        cut = np.vstack([_jitter(a, tip, rng, 4), _jitter(tip, b, rng, 4)[1:]])
        polygon = cut
    rim = _u(rng, 2.0, 7.0) * s
    y0, y1, x0, x1 = _box(polygon, rim + 4, h, w)
    shape = (y1 - y0, x1 - x0)
    ss = _supersampling(s)

    def draw(canvas: np.ndarray) -> None:
        pts = np.rint((polygon - [x0, y0]) * ss).astype(np.int32)
        cv2.fillPoly(canvas, [pts], 255, cv2.LINE_AA)

    missing = _raster(shape, ss, draw)
    outside = (missing < 0.5).astype(np.uint8)
    dist = cv2.distanceTransform(outside, cv2.DIST_L2, 5)
    fibres = smooth_field(shape, rng, max(4.0, max(shape) / (1.5 * s)))
    reach = rim * (0.4 + 0.9 * fibres)
    paper_rim = np.clip((reach - dist) / max(0.8 * s, 0.7), 0, 1) * (1 - missing)
    paper_rim *= 0.75 + 0.25 * np.clip(rng.random(shape).astype(np.float32) * 2, 0, 1)
    pick = rng.random()
    if pick < 0.5:
        backdrop = np.full(3, _u(rng, 0.9, 1.0), np.float32)
    elif pick < 0.8:
        backdrop = np.full(3, _u(rng, 0.02, 0.12), np.float32)
    else:
        backdrop = np.clip(np.array([0.45, 0.45, 0.5]) + rng.normal(0, 0.1, 3), 0, 1).astype(
            np.float32
        )
    paper = np.clip(_paper(print_, rng) * 1.03, 0, 1)
    show_back, show_rim = _over(backdrop, missing), _over(paper, paper_rim)
    return Mark(y0, y1, x0, x1, lambda patch: show_back(show_rim(patch)))


Kind = Callable[[np.ndarray, np.random.Generator, float], Mark]

DAMAGE_KINDS: dict[str, Kind] = {
    "brush": brush,
    "cracks": cracks,
    "craquelure": craquelure,
    "folds": folds,
    "flakes": flakes,
    "mould": mould,
    "tears": tears,
}
KIND_NAMES = list(DAMAGE_KINDS)
# Probability that a photo has the kind at all, and the most items of it per photo.
PRESENCE = {
    "brush": 0.4,
    "cracks": 0.5,
    "craquelure": 0.25,
    "folds": 0.35,
    "flakes": 0.35,
    "mould": 0.35,
    "tears": 0.25,
}
MOST = {
    "brush": 12,
    "cracks": 20,
    "craquelure": 3,
    "folds": 3,
    "flakes": 40,
    "mould": 12,
    "tears": 2,
}


def target_coverage(rng: np.random.Generator) -> float:
    """Damaged fraction to aim for: log-uniform in 1-10 %, in 15 % of photos 10-18 %."""
    if rng.random() < 0.15:
        return _u(rng, 0.10, 0.18)
    return _log_u(rng, 0.01, 0.10)


def visible_change(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The visibility rule: True where some channel changed by more than ``VISIBLE``."""
    return np.abs(after - before).max(axis=-1) > VISIBLE


def draw_damage(
    print_: np.ndarray,
    rng: np.random.Generator,
    *,
    kinds: list[str] | None = None,
    coverage: float | None = None,
    max_items: int = 200,
) -> Damage:
    """Draw a random mix of damage on ``print_`` (float32 RGB ``(H, W, 3)`` in [0, 1]).

    ``kinds`` restricts the mix (default: each kind present with ``PRESENCE`` probability, at
    least one); ``coverage`` overrides the target damaged fraction. Returns ``Damage(image,
    mask, labels)``; see the module docstring for the visibility rule behind ``mask``.

    >>> rng = np.random.default_rng(1)
    >>> out = draw_damage(np.full((200, 300, 3), 0.4, np.float32), rng)
    >>> out.image.shape, out.mask.dtype, bool(out.mask.any())
    ((200, 300, 3), dtype('bool'), True)
    """
    base = np.clip(check_photo(print_), 0, 1)
    if kinds is None:
        kinds = [k for k in KIND_NAMES if rng.random() < PRESENCE[k]]
        if not kinds:
            kinds = [KIND_NAMES[int(rng.integers(len(KIND_NAMES)))]]
    unknown = sorted(set(kinds) - set(DAMAGE_KINDS))
    if unknown or not kinds:
        raise ValueError(f"unknown damage kinds {unknown}; choose from {KIND_NAMES}")
    target = target_coverage(rng) if coverage is None else coverage
    h, w = base.shape[:2]
    s = max(h, w) / 1000.0
    image = base.copy()
    labels = np.zeros((h, w), np.uint8)
    touched = np.zeros((h, w), np.uint8)  # last kind that changed a pixel at all
    drawn = {k: 0 for k in kinds}
    covered = 0
    for _ in range(max_items):
        open_kinds = [k for k in kinds if drawn[k] < MOST[k]]
        if not open_kinds or covered >= target * h * w:
            break
        kind = open_kinds[int(rng.integers(len(open_kinds)))]
        drawn[kind] += 1
        mark = DAMAGE_KINDS[kind](image, rng, s)
        before = image[mark.y0 : mark.y1, mark.x0 : mark.x1]
        after = np.clip(mark.render(before.copy()), 0, 1).astype(np.float32)
        changed = visible_change(before, after)
        box = labels[mark.y0 : mark.y1, mark.x0 : mark.x1]
        covered += int((changed & (box == 0)).sum())
        box[changed] = KIND_NAMES.index(kind) + 1
        touch = touched[mark.y0 : mark.y1, mark.x0 : mark.x1]
        touch[(after != before).any(axis=-1)] = KIND_NAMES.index(kind) + 1
        image[mark.y0 : mark.y1, mark.x0 : mark.x1] = after
    mask = visible_change(base, image)
    # Pixels visible only through several small changes take the last kind that touched them.
    labels = np.where(labels > 0, labels, touched)
    labels[~mask] = 0
    return Damage(image, mask, labels)

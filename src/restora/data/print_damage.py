"""Damage of the print surface itself, for training: crack networks, craquelure, folds,
emulsion flakes and foxing spots.

Real scans of old prints show these more than anything else: the emulsion cracks along bends
into thin, meandering, branching white lines (paper showing through) or dark ones (dirt in the
crack); old albumen and gelatin prints craze into a network of small cells; a fold leaves a
soft bright ridge with a shadow beside it; the emulsion flakes off in ragged patches; mould and
foxing leave clusters of soft brown spots. Each drawer composites onto a
:class:`restora.data.strokes.Canvas`; sizes are in pixels for a ~512 px photo times ``scale``,
counts are per 512x512 photo times ``factor`` (as in :mod:`restora.data.damage`).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from restora.data.strokes import Canvas, render_polygon, render_stroke, smooth_noise, taper

__all__ = ["draw_crack_networks", "draw_craquelure", "draw_flakes", "draw_folds", "draw_foxing"]


def _count(rng: np.random.Generator, bounds: tuple[int, int], factor: float) -> int:
    return int(rng.integers(bounds[0], bounds[1] + 1) * factor + 0.5)


def _crack_colour(rng: np.random.Generator, bright: bool) -> np.ndarray:
    """Paper base (white to cream) through a crack, or dirt (dark brown-gray) in it."""
    if bright:
        tint = np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.82, 1.0)], np.float32)
        return rng.uniform(0.8, 1.0) * tint
    tint = np.array([1.0, rng.uniform(0.85, 1.0), rng.uniform(0.7, 1.0)], np.float32)
    return rng.uniform(0.03, 0.25) * tint


def _walk(
    start: np.ndarray, heading: float, length: float, jitter: float, rng: np.random.Generator
) -> np.ndarray:
    """A persistent random walk: ``(N, 2)`` points, small steps, heading noise ``jitter``."""
    step = 1.5
    count = max(int(length / step), 2)
    turns = rng.normal(0, jitter, count)
    turns[rng.random(count) < 0.04] += rng.normal(0, 0.6, 1)  # occasional kinks
    headings = heading + np.cumsum(turns) * 0.5 + 0.3 * smooth_noise(rng, np.linspace(0, 1, count))
    steps = np.stack([np.cos(headings), np.sin(headings)], 1) * step
    return start + np.concatenate([np.zeros((1, 2)), np.cumsum(steps[:-1], 0)], 0)


def draw_crack_networks(
    canvas: Canvas,
    rng: np.random.Generator,
    bounds: tuple[int, int],
    scale: float,
    factor: float,
) -> None:
    """Branching cracks: a random walk that spawns side branches, white or dark, 0.6-2.4 px
    wide, broken in places, sometimes with a faint dark halo of dirt along it."""
    height, width = canvas.shape
    short = min(height, width)
    for _ in range(_count(rng, bounds, factor)):
        bright = rng.random() < 0.72
        colour = _crack_colour(rng, bright)
        base_width = rng.uniform(0.6, 2.4) * scale
        halo = rng.random() < 0.25
        branch_rate = rng.uniform(0.004, 0.03)
        start = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        pending = [(start, rng.uniform(0, 2 * np.pi), rng.uniform(0.25, 1.1) * short, 0)]
        drawn = 0
        while pending and drawn < 40:
            origin, heading, length, depth = pending.pop()
            points = _walk(origin, heading, length, rng.uniform(0.05, 0.25), rng)
            drawn += 1
            t = np.linspace(0, 1, len(points))
            widths = base_width * (0.55 + 0.45 * np.abs(smooth_noise(rng, t, 6))) * (0.7**depth)
            widths = np.maximum(widths * (0.4 + 0.6 * taper(t, 0.1)), 0.45 * scale)
            broken = np.clip(0.75 + 0.8 * smooth_noise(rng, t, 7), 0, 1)
            opacity = rng.uniform(0.6, 1.0) * broken * taper(t, 0.05)
            if halo:
                rendered = render_stroke(
                    points, 3.0 * float(widths.max()), 0.25 * opacity, (height, width)
                )
                canvas.paint(rendered, _crack_colour(rng, False))
            rendered = render_stroke(points, float(widths.max()), opacity, (height, width), widths)
            canvas.paint(rendered, colour)
            if depth < 3:
                for i in np.nonzero(rng.random(len(points)) < branch_rate * 1.5)[0]:
                    side = rng.choice([-1.0, 1.0]) * rng.uniform(0.4, 1.3)
                    pending.append(
                        (points[i], heading + side, length * rng.uniform(0.2, 0.6), depth + 1)
                    )


def draw_craquelure(
    canvas: Canvas,
    rng: np.random.Generator,
    bounds: tuple[int, int],
    scale: float,
    factor: float,
    *,
    spacing: tuple[float, float] = (10.0, 45.0),
) -> None:
    """Crazing: the borders of irregular cells (a wobbly Voronoi tessellation) over a region
    of the print, partly present, white or dark, about a pixel wide; cells ``spacing`` px
    across at 512 px (times ``scale``)."""
    height, width = canvas.shape
    for _ in range(_count(rng, bounds, factor)):
        spacing_px = rng.uniform(*spacing) * scale
        seeds = np.zeros((height, width), np.uint8)
        n = max(4, int(height * width / spacing_px**2))
        ys, xs = rng.integers(0, height, n), rng.integers(0, width, n)
        seeds[ys, xs] = 1
        _, labels = cv2.distanceTransformWithLabels(
            1 - seeds, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
        )
        # Wobble: read the label map through a smooth displacement field.
        amp = rng.uniform(0.1, 0.35) * spacing_px
        shift = []
        for _axis in range(2):
            field = rng.standard_normal((max(2, height // 8), max(2, width // 8))).astype(
                np.float32
            )
            field = cv2.resize(field, (width, height), interpolation=cv2.INTER_CUBIC)
            field = cv2.GaussianBlur(field, (0, 0), sigmaX=max(1.0, spacing_px / 6))
            shift.append(field / max(float(np.abs(field).max()), 1e-6) * amp)
        gy, gx = np.mgrid[0:height, 0:width].astype(np.float32)
        labels = cv2.remap(
            labels.astype(np.float32),
            gx + shift[0],
            gy + shift[1],
            cv2.INTER_NEAREST,
            borderMode=cv2.BORDER_REFLECT,
        )
        edges = np.zeros((height, width), np.float32)
        edges[:, 1:] = np.maximum(edges[:, 1:], labels[:, 1:] != labels[:, :-1])
        edges[1:, :] = np.maximum(edges[1:, :], labels[1:, :] != labels[:-1, :])
        line = rng.uniform(0.6, 1.8) * scale
        if line > 1.2:
            size = int(round(line))
            edges = cv2.dilate(edges, np.ones((size, size), np.uint8))
        edges = cv2.GaussianBlur(edges, (0, 0), sigmaX=0.45)
        # Present in a region (smooth blob) and only partly (cracks not everywhere).
        region = cv2.resize(
            rng.random((3, 3)).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC
        )
        presence = cv2.resize(
            rng.random((max(2, int(height / spacing_px)), max(2, int(width / spacing_px)))).astype(
                np.float32
            ),
            (width, height),
            interpolation=cv2.INTER_LINEAR,
        )
        keep = (region > rng.uniform(0.3, 0.7)) & (presence > rng.uniform(0.2, 0.6))
        alpha = np.clip(edges * keep * rng.uniform(0.55, 1.0), 0, 1)
        canvas.paint((alpha, 0, 0), _crack_colour(rng, rng.random() < 0.7))


def draw_folds(
    canvas: Canvas,
    rng: np.random.Generator,
    bounds: tuple[int, int],
    scale: float,
    factor: float,
) -> None:
    """A fold: a long, gently curving soft bright ridge (broken emulsion, light catching the
    bend) with a dark edge on one side, across much of the print."""
    height, width = canvas.shape
    diagonal = math.hypot(height, width)
    for _ in range(_count(rng, bounds, factor)):
        angle = rng.uniform(0, np.pi)
        direction = np.array([math.cos(angle), math.sin(angle)])
        normal = np.array([-direction[1], direction[0]])
        centre = np.array([rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.9) * height])
        t = np.linspace(-0.5, 0.5, 200)
        bend = rng.uniform(-0.04, 0.04) * diagonal * (4 * t * t)
        wobble = 1.5 * scale * smooth_noise(rng, t + 0.5, 5)
        points = centre + (t * diagonal)[:, None] * direction + (bend + wobble)[:, None] * normal
        u = t + 0.5
        ridge = rng.uniform(2.0, 6.0) * scale
        profile = np.clip(0.6 + 0.5 * smooth_noise(rng, u, 6), 0.1, 1.0)
        side = rng.choice([-1.0, 1.0]) * (0.5 * ridge + rng.uniform(0.5, 1.5) * scale)
        dark = render_stroke(
            points + side * normal,
            rng.uniform(0.8, 2.0) * scale,
            rng.uniform(0.3, 0.7) * profile,
            (height, width),
        )
        canvas.paint(dark, _crack_colour(rng, False))
        soft = render_stroke(points, ridge, rng.uniform(0.35, 0.8) * profile, (height, width))
        if soft is not None:
            alpha, top, left = soft
            soft = (cv2.GaussianBlur(alpha, (0, 0), sigmaX=0.3 * ridge), top, left)
        canvas.paint(soft, _crack_colour(rng, True))


def _ragged_outline(
    centre: np.ndarray, radius: float, rng: np.random.Generator, rough: float
) -> np.ndarray:
    """A closed ragged outline around ``centre``: radial Fourier noise plus fine jitter."""
    count = 72
    theta = np.linspace(0, 2 * np.pi, count, endpoint=False)
    r = np.ones(count)
    for k in range(1, 7):
        r += rng.uniform(0, 0.35) / k * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    r *= 1 + rough * rng.uniform(-1, 1, count)
    r = np.maximum(r, 0.2) * radius
    stretch = rng.uniform(0.4, 1.0)
    rot = rng.uniform(0, np.pi)
    x, y = r * np.cos(theta), stretch * r * np.sin(theta)
    return centre + np.stack(
        [x * math.cos(rot) - y * math.sin(rot), x * math.sin(rot) + y * math.cos(rot)], 1
    )


def draw_flakes(
    canvas: Canvas,
    rng: np.random.Generator,
    bounds: tuple[int, int],
    scale: float,
    factor: float,
) -> None:
    """Emulsion flakes: ragged patches where the image layer is gone (paper white, cream or a
    brown base, a little texture), in small clusters."""
    height, width = canvas.shape
    for _ in range(_count(rng, bounds, factor)):
        centre = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        base = rng.random()
        if base < 0.6:
            colour = _crack_colour(rng, True)
        elif base < 0.85:
            colour = rng.uniform(0.45, 0.75) * np.array([1.0, 0.85, 0.65], np.float32)
        else:
            colour = _crack_colour(rng, False)
        for _ in range(int(rng.integers(1, 6))):
            radius = math.exp(rng.uniform(math.log(2.0), math.log(22.0))) * scale
            spot = centre + rng.normal(0, 2.5 * radius, 2)
            outline = _ragged_outline(spot, radius, rng, rng.uniform(0.05, 0.3))
            rendered = render_polygon(outline, rng.uniform(0.8, 1.0), (height, width), blur=0.4)
            if rendered is None:
                continue
            texture = cv2.GaussianBlur(
                rng.standard_normal(rendered[0].shape).astype(np.float32), (0, 0), sigmaX=1.0
            )
            canvas.paint(rendered, colour, 0.03 * texture)


def draw_foxing(
    canvas: Canvas,
    rng: np.random.Generator,
    bounds: tuple[int, int],
    scale: float,
    factor: float,
) -> None:
    """Foxing and mould: a cluster of spots, from pin-pricks to blotches a dozen pixels wide,
    soft or sharp, brown, orange, yellow, olive or gray-black, of partial to full opacity (a
    stain over the image), some with a darker rim."""
    height, width = canvas.shape
    for _ in range(_count(rng, bounds, factor)):
        centre = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        spread = rng.uniform(5, 70) * scale
        hue = rng.random()
        if hue < 0.45:
            colour = np.array(
                [rng.uniform(0.5, 0.85), rng.uniform(0.3, 0.6), rng.uniform(0.1, 0.35)]
            )
        elif hue < 0.6:
            colour = np.array(
                [rng.uniform(0.75, 0.95), rng.uniform(0.6, 0.85), rng.uniform(0.2, 0.5)]
            )
        elif hue < 0.85:
            colour = np.full(3, rng.uniform(0.05, 0.45))
        else:
            colour = np.array(
                [rng.uniform(0.3, 0.6), rng.uniform(0.4, 0.7), rng.uniform(0.25, 0.5)]
            )
        colour = colour.astype(np.float32)
        strength = rng.uniform(0.3, 1.0)
        softness = rng.uniform(0.05, 0.5)
        largest = rng.uniform(4.0, 16.0)
        for _ in range(int(rng.integers(2, 30))):
            radius = math.exp(rng.uniform(math.log(0.8), math.log(largest))) * scale
            spot = centre + rng.normal(0, spread, 2)
            outline = _ragged_outline(spot, radius, rng, rng.uniform(0.05, 0.35))
            blur = softness * radius + 0.3
            rendered = render_polygon(outline, 1.0, (height, width), blur=blur)
            if rendered is None:
                continue
            alpha, top, left = rendered
            opacity = strength * rng.uniform(0.6, 1.0)
            canvas.multiply((alpha * opacity, top, left), colour)
            if rng.random() < 0.25:  # a tide line: the rim darker than the inside
                ring = np.clip(alpha - cv2.erode(alpha, np.ones((3, 3), np.uint8)), 0, 1)
                canvas.multiply((ring * opacity, top, left), colour * 0.7)

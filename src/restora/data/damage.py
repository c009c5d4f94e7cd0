"""Seeded synthetic damage for old photos, with an exact mask: scratches (thin and wide), dust
specks, hairs, creases, torn corners and edges, stains and water marks, pen and ink marks.

Damage is drawn in pixel space on top of the (optionally aged) photo, the way it sits on a
print: grain and toning belong to the photo, scratches and dust lie over them. Each mark is
rendered antialiased (supersampled, then area-averaged) with its own colour and an opacity that
can vary along its length, and composited with "over". The mask marks every pixel whose value
changed by more than ``DamageConfig.min_change`` in some channel, so it agrees exactly with what
was drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Literal

import cv2
import numpy as np
import torch

from restora.core.checks import check_image
from restora.data.aging import age_photo, color_cast, halftone, paper_texture, resolution_scale
from restora.data.print_damage import (
    draw_crack_networks,
    draw_craquelure,
    draw_flakes,
    draw_folds,
    draw_foxing,
)
from restora.data.print_tone import random_print_tone
from restora.data.scan import random_scan
from restora.data.strokes import (
    Canvas,
    damage_colour,
    dash_pattern,
    render_blob,
    render_polygon,
    render_stroke,
    smooth_noise,
    taper,
    wander_path,
)
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy

_REFERENCE_AREA = 512.0 * 512.0


@dataclass(frozen=True)
class DamageConfig:
    """What :func:`synthesize_damage` draws. Counts are ``(low, high)`` inclusive ranges for a
    512x512 photo; they grow with the square root of the image area (at most x4). Sizes are in
    pixels for a photo up to 512 px on its short side and grow modestly (square root) above.

    The kinds added later (wide scratches, creases, tears, stains, ink, paper texture,
    halftone, clean samples) default to off, so the defaults draw exactly what they always did
    for a given seed; :data:`DAMAGE_PROFILES` ``["full"]`` turns them all on.

    Attributes:
        scratches: long, nearly vertical scratches (film / print transport scratches).
        curved_scratches: shorter scratches along gentle curves.
        dust: dust specks (small irregular blobs).
        hairs: hairs and fibres (thin, short, curly).
        wide_scratches: gouges through the emulsion, ``wide_scratch_width`` wide, ragged.
        creases: folds across the print: a thin cracked line with a soft shading band.
        tears: torn or missing corners and edge pieces (paper-white, dark or grey backing
            showing, jagged edge, often a white rim of torn paper fibres).
        stains: stains and water marks: irregular blobs of partial opacity with a darker rim.
        ink: pen marks and handwriting-like strokes (blue, black, red, violet, brown ink).
        cracks, craquelure, folds, flakes, foxing: damage of the print surface
            (:mod:`restora.data.print_damage`): branching crack networks, crazing cells, fold
            ridges, emulsion flakes, clusters of foxing / mould spots.
        scratch_width: width range of scratches in pixels.
        wide_scratch_width: width range of wide scratches in pixels.
        dust_size: diameter range of dust specks in pixels.
        craquelure_spacing: range of the size of craquelure's cells in pixels (at 512 px): the
            default (10, 45) draws what it always did; lower bounds draw denser crazing.
        bright_fraction: probability that a scratch or speck is bright (white) rather than dark.
        dashed: probability that a scratch or curved scratch survives only in pieces: dashes
            of 2-14 px with gaps of 1-8 px (at 512 px; a chain of short marks, as cracked
            emulsion along a scratch shows on real prints). 0 draws no extra random numbers.
        age: age the photo (sepia, fading, grain, softness) before drawing the damage.
        paper_texture: probability that the aged photo gets a paper-surface texture
            (aging, not damage: never in the mask).
        halftone: probability that the aged photo is a halftone print (aging, not in the mask).
        color_cast: probability of the colour casts, tint blotches and colour grain of old colour
            processes (:func:`restora.data.aging.color_cast`; aging, not in the mask).
        clean_fraction: probability that a sample gets no damage at all (aging only), so a
            detector also learns what undamaged old photos look like.
        min_change: a pixel is in the mask when some channel changed by more than this.
        tone: how the photo is aged before the damage: ``age`` (:func:`age_photo`: sepia,
            fade, grain, blur) or ``print`` (:func:`restora.data.print_tone.random_print_tone`:
            any print process, toning and fading — domain randomisation).
        scan: probability of scanning artefacts *after* the damage
            (:func:`restora.data.scan.random_scan`: exposure falloff, defocus, resolution loss,
            halftone, grain, sensor noise, JPEG); they never change the mask.
        sharpen: probability of unsharp masking within the scan (halos along the photo's
            edges, which a detector must not take for damage).
    """

    scratches: tuple[int, int] = (2, 7)
    curved_scratches: tuple[int, int] = (0, 3)
    dust: tuple[int, int] = (10, 50)
    hairs: tuple[int, int] = (0, 3)
    wide_scratches: tuple[int, int] = (0, 0)
    creases: tuple[int, int] = (0, 0)
    tears: tuple[int, int] = (0, 0)
    stains: tuple[int, int] = (0, 0)
    ink: tuple[int, int] = (0, 0)
    cracks: tuple[int, int] = (0, 0)
    craquelure: tuple[int, int] = (0, 0)
    folds: tuple[int, int] = (0, 0)
    flakes: tuple[int, int] = (0, 0)
    foxing: tuple[int, int] = (0, 0)
    scratch_width: tuple[float, float] = (1.0, 4.0)
    wide_scratch_width: tuple[float, float] = (5.0, 14.0)
    dust_size: tuple[float, float] = (1.0, 6.0)
    craquelure_spacing: tuple[float, float] = (10.0, 45.0)
    bright_fraction: float = 0.6
    dashed: float = 0.0
    age: bool = True
    paper_texture: float = 0.0
    halftone: float = 0.0
    color_cast: float = 0.0
    clean_fraction: float = 0.0
    min_change: float = 0.06
    tone: Literal["age", "print"] = "age"
    scan: float = 0.0
    sharpen: float = 0.0

    def __post_init__(self) -> None:
        for name in _COUNTS:
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name} must be (low, high) with 0 <= low <= high")
        for name in ("scratch_width", "wide_scratch_width", "dust_size", "craquelure_spacing"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name} must be (low, high) with 0 < low <= high")
        for name in (
            "bright_fraction",
            "dashed",
            "paper_texture",
            "halftone",
            "color_cast",
            "clean_fraction",
            "scan",
            "sharpen",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")
        if not 0.0 < self.min_change < 1.0:
            raise ValueError("min_change must be in (0, 1)")
        if self.tone not in ("age", "print"):
            raise ValueError(f"tone must be 'age' or 'print', got {self.tone!r}")


_COUNTS = (
    "scratches",
    "curved_scratches",
    "dust",
    "hairs",
    "wide_scratches",
    "creases",
    "tears",
    "stains",
    "ink",
    "cracks",
    "craquelure",
    "folds",
    "flakes",
    "foxing",
)
NO_DAMAGE: dict[str, tuple[int, int]] = {name: (0, 0) for name in _COUNTS}
"""``DamageConfig(**NO_DAMAGE)`` draws nothing (handy with ``dataclasses.replace``)."""

DAMAGE_PROFILES: dict[str, DamageConfig] = {
    "classic": DamageConfig(),
    "full": DamageConfig(
        wide_scratches=(0, 2),
        creases=(0, 1),
        tears=(0, 1),
        stains=(0, 2),
        ink=(0, 2),
        paper_texture=0.4,
        halftone=0.1,
    ),
}
"""Named damage mixes: ``classic`` (scratches, hairs, dust: the defaults) and ``full`` (every
kind, paper texture and halftone too)."""


def _count(rng: np.random.Generator, bounds: tuple[int, int], factor: float) -> int:
    return int(rng.integers(bounds[0], bounds[1] + 1) * factor + 0.5)


def _maybe_dashed(
    opacity: np.ndarray,
    points: np.ndarray,
    rng: np.random.Generator,
    config: DamageConfig,
    scale: float,
) -> np.ndarray:
    """``opacity`` broken into dashes with probability ``config.dashed`` (no draw when 0)."""
    if config.dashed <= 0 or rng.random() >= config.dashed:
        return opacity
    return opacity * dash_pattern(points, rng, (2 * scale, 14 * scale), (1 * scale, 8 * scale))


def _draw_scratches(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    height, width = canvas.shape
    for _ in range(_count(rng, config.scratches, factor)):
        length = rng.uniform(0.3, 1.0) * height
        start_y = -5.0 if rng.random() < 0.5 else rng.uniform(0, height - 0.3 * height)
        start = np.array([rng.uniform(0, width), start_y])
        tilt = float(np.clip(rng.normal(0, math.radians(2.0)), -0.1, 0.1))
        points = wander_path(start, math.pi / 2 + tilt, length, 0.0, rng.uniform(0, 0.01), rng)
        t = np.linspace(0, 1, len(points))
        # Scratches that enter from the edge only fade out at their far end.
        ends = taper(0.5 + 0.5 * t, 0.04) if start_y < 0 else taper(t, 0.08)
        profile = np.clip(0.75 + 0.45 * smooth_noise(rng, t), 0, 1) * ends
        opacity = rng.uniform(0.5, 1.0) * profile
        line_width = rng.uniform(*config.scratch_width) * scale
        bright = rng.random() < config.bright_fraction
        opacity = _maybe_dashed(opacity, points, rng, config, scale)
        canvas.paint(
            render_stroke(points, line_width, opacity, (height, width)), damage_colour(rng, bright)
        )


def _draw_curves(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    height, width = canvas.shape
    short = min(height, width)
    for _ in range(_count(rng, config.curved_scratches, factor)):
        length = rng.uniform(0.15, 0.5) * short
        start = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        turn = rng.uniform(-1.5, 1.5) / length
        points = wander_path(start, rng.uniform(0, 2 * np.pi), length, turn, 0.2, rng)
        t = np.linspace(0, 1, len(points))
        opacity = rng.uniform(0.5, 1.0) * np.clip(0.8 + 0.4 * smooth_noise(rng, t), 0, 1)
        opacity = opacity * taper(t, 0.15)
        line_width = rng.uniform(config.scratch_width[0], 0.5 * sum(config.scratch_width)) * scale
        bright = rng.random() < config.bright_fraction
        opacity = _maybe_dashed(opacity, points, rng, config, scale)
        canvas.paint(
            render_stroke(points, line_width, opacity, (height, width)), damage_colour(rng, bright)
        )


def _draw_hairs(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    height, width = canvas.shape
    for _ in range(_count(rng, config.hairs, factor)):
        length = rng.uniform(15, 60) * scale
        start = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        turn = rng.uniform(-4, 4) / length
        points = wander_path(start, rng.uniform(0, 2 * np.pi), length, turn, 0.8, rng, step=1.0)
        t = np.linspace(0, 1, len(points))
        opacity = rng.uniform(0.6, 1.0) * taper(t, 0.1)
        line_width = rng.uniform(0.9, 1.6) * scale
        bright = rng.random() < 0.2  # hairs and fibres mostly print dark
        canvas.paint(
            render_stroke(points, line_width, opacity, (height, width)), damage_colour(rng, bright)
        )


def _draw_dust(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    height, width = canvas.shape
    low, high = config.dust_size
    for _ in range(_count(rng, config.dust, factor)):
        # Log-uniform: small specks are far more common than big ones.
        diameter = math.exp(rng.uniform(math.log(low), math.log(high))) * scale
        center = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        opacity = rng.uniform(0.55, 1.0)
        bright = rng.random() < config.bright_fraction
        canvas.paint(
            render_blob(center, diameter, opacity, rng, (height, width)), damage_colour(rng, bright)
        )


def _draw_wide_scratches(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    """Gouges through the emulsion: wide, ragged, mostly showing the white paper base."""
    height, width = canvas.shape
    for _ in range(_count(rng, config.wide_scratches, factor)):
        vertical = rng.random() < 0.6
        if vertical:
            length = rng.uniform(0.25, 0.9) * height
            start = np.array([rng.uniform(0, width), rng.uniform(-5, 0.5 * height)])
            heading = math.pi / 2 + float(np.clip(rng.normal(0, math.radians(3)), -0.15, 0.15))
        else:
            length = rng.uniform(0.15, 0.6) * min(height, width)
            start = np.array([rng.uniform(0, width), rng.uniform(0, height)])
            heading = rng.uniform(0, 2 * np.pi)
        points = wander_path(start, heading, length, rng.uniform(-0.5, 0.5) / length, 0.05, rng)
        t = np.linspace(0, 1, len(points))
        base = rng.uniform(*config.wide_scratch_width) * scale
        ragged = np.clip(0.8 + 0.35 * smooth_noise(rng, t, waves=6), 0.35, 1.2)
        widths = base * ragged * (0.3 + 0.7 * taper(t, 0.1))
        profile = np.clip(0.85 + 0.3 * smooth_noise(rng, t), 0, 1) * taper(t, 0.05)
        opacity = rng.uniform(0.6, 1.0) * profile
        bright = rng.random() < max(config.bright_fraction, 0.7)
        rendered = render_stroke(points, float(widths.max()), opacity, (height, width), widths)
        canvas.paint(rendered, damage_colour(rng, bright))


def _draw_creases(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    """Folds across the print: one side of the fold darker, the other lighter (its relief under
    the scanner light), fading away over a few pixels, and a thin cracked line on the fold."""
    height, width = canvas.shape
    for _ in range(_count(rng, config.creases, factor)):
        angle = rng.uniform(0, np.pi)
        direction = np.array([math.cos(angle), math.sin(angle)])
        normal = np.array([-direction[1], direction[0]])
        centre = np.array([rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.85) * height])
        half = math.hypot(height, width)
        # Shading band around the straight fold line, varying in strength along it.
        dark = rng.uniform(0.06, 0.22)
        light = dark * rng.uniform(0.2, 0.8)
        sigma = rng.uniform(2.0, 8.0) * scale
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        across = (xs - centre[0]) * normal[0] + (ys - centre[1]) * normal[1]
        along = (xs - centre[0]) * direction[0] + (ys - centre[1]) * direction[1]
        knots = np.linspace(-half, half, 64)
        strength = np.clip(0.65 + 0.35 * smooth_noise(rng, np.linspace(0, 1, 64)), 0.2, 1.0)
        envelope = np.interp(along, knots, strength).astype(np.float32)
        band = np.exp(-0.5 * (across / sigma) ** 2) * envelope
        side = np.where(across > 0, light, -dark).astype(np.float32)
        canvas.shade((1 + side * band).astype(np.float32))
        # The crack on the fold: thin, broken, mostly white (cracked emulsion).
        points = centre - half * direction + np.linspace(0, 2 * half, 256)[:, None] * direction
        t = np.linspace(0, 1, len(points))
        points = points + 0.6 * smooth_noise(rng, t, waves=5)[:, None] * normal
        broken = np.clip(0.45 + 0.9 * smooth_noise(rng, t, waves=6), 0, 1)
        opacity = rng.uniform(0.5, 1.0) * broken
        line_width = rng.uniform(0.8, 2.2) * scale
        rendered = render_stroke(points, line_width, opacity, (height, width))
        canvas.paint(rendered, damage_colour(rng, rng.random() < 0.7))


def _jagged(p0: np.ndarray, p1: np.ndarray, rng: np.random.Generator, rough: float) -> np.ndarray:
    """A torn-paper edge from ``p0`` to ``p1``: midpoint displacement, amplitude ``rough`` times
    the length, shrinking by 0.55 per level; ``(N, 2)`` points including both ends."""
    points = np.stack([p0, p1]).astype(np.float64)
    length = float(np.hypot(*(p1 - p0)))
    normal = np.array([-(p1 - p0)[1], (p1 - p0)[0]]) / max(length, 1e-6)
    amplitude = rough * length
    for _ in range(7):
        mids = 0.5 * (points[:-1] + points[1:])
        mids += rng.normal(0, amplitude, (len(mids), 1)) * normal
        merged = np.empty((2 * len(points) - 1, 2))
        merged[0::2], merged[1::2] = points, mids
        points, amplitude = merged, amplitude * 0.55
    return points


def _draw_tears(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    """Torn or missing corners and edge pieces: the backing shows (paper white, a dark scanner
    lid or grey board) behind a jagged edge, often with a white rim of torn paper fibres."""
    height, width = canvas.shape
    short = min(height, width)
    corners = np.array([[-2.0, -2.0], [width + 1.0, -2.0], [width + 1.0, height + 1.0]])
    corners = np.concatenate([corners, [[-2.0, height + 1.0]]])
    for _ in range(_count(rng, config.tears, factor)):
        k = int(rng.integers(4))
        here, after, before = corners[k], corners[(k + 1) % 4], corners[(k - 1) % 4]
        to_after = (after - here) / np.hypot(*(after - here))
        to_before = (before - here) / np.hypot(*(before - here))
        if rng.random() < 0.55:  # a corner torn off
            # Sizes follow the photo's resolution (as for a 512 px photo), not the frame, so a
            # crop shows tears as large as the whole photo does; at most 60 % of the frame.
            p = here + to_after * min(rng.uniform(30, 130) * scale, 0.6 * short)
            q = here + to_before * min(rng.uniform(30, 130) * scale, 0.6 * short)
            edge = _jagged(p, q, rng, 0.06)
            polygon = np.concatenate([[here], edge])
        else:  # a piece missing from the edge between corner k and k + 1
            side = float(np.hypot(*(after - here)))
            run = rng.uniform(0.15, 0.6) * side
            s0 = rng.uniform(0, side - run)
            depth = min(rng.uniform(12, 50) * scale, 0.3 * short)
            inward = np.array([-to_after[1], to_after[0]])
            if np.dot(inward, np.array([width / 2, height / 2]) - here) < 0:
                inward = -inward
            u = np.linspace(0, 1, 9)
            bulge = depth * np.sin(np.pi * u) ** 0.6 * rng.uniform(0.6, 1.0, 9)
            outline = here + (s0 + run * u)[:, None] * to_after + bulge[:, None] * inward
            edge = np.concatenate(
                [_jagged(outline[i], outline[i + 1], rng, 0.12)[:-1] for i in range(8)]
                + [outline[-1:]]
            )
            polygon = edge
        backing = rng.random()
        if backing < 0.5:
            colour = rng.uniform(0.82, 0.97) * np.array([1.0, 0.98, 0.93], np.float32)
        elif backing < 0.8:
            colour = rng.uniform(0.02, 0.18) * np.ones(3, np.float32)
        elif backing < 0.9:
            colour = rng.uniform(0.35, 0.65) * np.array([1.0, 0.97, 0.9], np.float32)
        else:  # an album page or card of any colour (draws more numbers only in this case)
            colour = rng.uniform(0.15, 0.9, 3).astype(np.float32)
        rendered = render_polygon(polygon, 1.0, (height, width), ss=2, blur=0.4)
        if rendered is not None:
            shape = rendered[0].shape
            texture = cv2.GaussianBlur(
                rng.standard_normal(shape).astype(np.float32), (0, 0), sigmaX=1.0
            )
            canvas.paint(rendered, colour, 0.02 * texture)
        if rng.random() < 0.7:  # white fibres along the torn edge
            t = np.linspace(0, 1, len(edge))
            opacity = rng.uniform(0.6, 1.0) * np.clip(0.8 + 0.4 * smooth_noise(rng, t), 0, 1)
            rim = rng.uniform(1.5, 4.0) * scale
            canvas.paint(
                render_stroke(edge, rim, opacity, (height, width)), damage_colour(rng, True)
            )


def _periodic_noise(rng: np.random.Generator, theta: np.ndarray, waves: int = 5) -> np.ndarray:
    """A smooth random function of the angle ``theta`` (periodic), values roughly in [-1, 1]."""
    out = np.zeros_like(theta)
    for k in range(1, waves + 1):
        out += np.sin(k * theta + rng.uniform(0, 2 * np.pi)) * rng.uniform(0.3, 1.0) / k
    return out / 1.5


def _draw_stains(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    """Stains and water marks: an irregular blob of transparent dye (brown, yellow or grey)
    with a darker tide-line rim; water marks also bleach their inside a little."""
    height, width = canvas.shape
    for _ in range(_count(rng, config.stains, factor)):
        radius = rng.uniform(20, 80) * scale  # as for a 512 px photo, not relative to the frame
        centre = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        theta = np.linspace(0, 2 * np.pi, 96, endpoint=False)
        radii = radius * np.clip(1 + 0.35 * _periodic_noise(rng, theta), 0.4, 1.6)
        outline = centre + radii[:, None] * np.stack([np.cos(theta), np.sin(theta)], 1)
        rendered = render_polygon(outline, 1.0, (height, width), ss=2, blur=0.5)
        if rendered is None:
            continue
        cover, top, left = rendered
        inside = (cover > 0.5).astype(np.uint8)
        depth = cv2.distanceTransform(np.pad(inside, 1, constant_values=1), cv2.DIST_L2, 3)
        depth = depth[1:-1, 1:-1]  # the image border is not the stain's edge
        rim_width = rng.uniform(1.5, 5.0) * scale
        mottle = cv2.GaussianBlur(
            rng.standard_normal(cover.shape).astype(np.float32), (0, 0), sigmaX=0.1 * radius
        )
        mottle /= max(float(mottle.std()), 1e-6)
        inner = rng.uniform(0.18, 0.45) * np.clip(1 + 0.2 * mottle, 0.5, 1.5)
        rim = rng.uniform(0.3, 0.7) * np.exp(-depth / rim_width)
        kind = rng.random()
        if kind < 0.4:  # water mark: bleached inside, tide line only
            bleach = cover * inner * 0.6
            paper = np.array([0.97, 0.94, 0.86], np.float32)
            canvas.paint((np.clip(bleach, 0, 1), top, left), paper)
            dye = np.clip(cover * rim, 0, 0.9)
        else:
            dye = np.clip(cover * (inner + rim), 0, 0.9)
        tint = [(0.55, 0.38, 0.18), (0.8, 0.68, 0.3), (0.45, 0.43, 0.4)][int(rng.integers(3))]
        colour = np.array(tint, np.float32) * rng.uniform(0.8, 1.0)
        canvas.multiply((dye.astype(np.float32), top, left), colour)


_INKS = (
    (0.12, 0.18, 0.55),  # blue
    (0.06, 0.06, 0.08),  # black
    (0.65, 0.10, 0.12),  # red
    (0.35, 0.15, 0.50),  # violet
    (0.30, 0.18, 0.10),  # brown
)


def _handwriting(rng: np.random.Generator, x_height: float) -> np.ndarray:
    """A line of cursive-like writing from the origin to the right: ``(N, 2)`` points of one
    stroke per word, words separated by NaN rows (pen lifts)."""
    parts, cursor = [], 0.0
    for _ in range(int(rng.integers(1, 5))):
        letters = int(rng.integers(2, 8))
        t = np.linspace(0, letters, letters * 24)
        tall = np.repeat(rng.choice([1.0, 1.0, 1.0, 2.0, -1.0], letters), 24)
        phase = rng.uniform(0, 2 * np.pi)
        advance = rng.uniform(0.7, 1.0) * x_height
        x = cursor + t * advance + 0.35 * x_height * np.cos(2 * np.pi * t + phase)
        wave = 0.5 + 0.5 * np.sin(2 * np.pi * t + phase)
        y = -x_height * wave * np.where(tall < 0, 1.0, tall)
        y = np.where(tall < 0, x_height * (1 - wave) * 1.2 - x_height * 0.2, y)
        parts += [np.stack([x, y], 1), np.full((1, 2), np.nan)]
        cursor = float(x.max()) + rng.uniform(0.8, 1.6) * x_height
    return np.concatenate(parts[:-1])


def _draw_ink(
    canvas: Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    """Pen marks (scribbles, lines, loops) and handwriting-like lines in coloured ink."""
    height, width = canvas.shape
    short = min(height, width)
    for _ in range(_count(rng, config.ink, factor)):
        ink = np.array(_INKS[int(rng.integers(len(_INKS)))], np.float32)
        colour = np.clip(ink * rng.uniform(0.8, 1.2), 0, 1)
        line_width = rng.uniform(0.8, 2.5) * scale
        strokes = []
        if rng.random() < 0.5:  # handwriting
            x_height = rng.uniform(5.0, 14.0) * scale
            line = _handwriting(rng, x_height)
            angle = float(rng.normal(0, math.radians(5)))
            rotation = np.array(
                [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
            )
            origin = np.array([rng.uniform(-0.1, 0.7) * width, rng.uniform(0.1, 0.95) * height])
            line = line @ rotation.T + origin
            breaks = np.flatnonzero(np.isnan(line[:, 0]))
            strokes = [p for p in np.split(line, breaks) if len(p)]
            strokes = [p[~np.isnan(p[:, 0])] for p in strokes]
        else:  # a scribble, underline or loop
            length = rng.uniform(0.1, 0.5) * short
            start = np.array([rng.uniform(0, width), rng.uniform(0, height)])
            turn = rng.uniform(-6, 6) / length
            strokes = [
                wander_path(start, rng.uniform(0, 2 * np.pi), length, turn, 0.5, rng, step=1.5)
            ]
        for points in strokes:
            if len(points) < 2:
                continue
            t = np.linspace(0, 1, len(points))
            opacity = rng.uniform(0.75, 1.0) * np.clip(0.9 + 0.2 * smooth_noise(rng, t), 0, 1)
            canvas.paint(render_stroke(points, line_width, opacity, (height, width)), colour)


def draw_damage(
    image: torch.Tensor, *, rng: np.random.Generator, config: DamageConfig = DamageConfig()
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw the configured damage (scratches, hairs, dust, and the kinds that are switched on:
    stains, creases, wide scratches, ink, tears) on ``image`` as it is (no aging).

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness; the same seed gives identical output.
        config: what to draw (``config.age`` is ignored here).

    Returns:
        ``(damaged, mask)``: float32 ``(1, 3, H, W)`` in [0, 1] and float32 ``(1, 1, H, W)`` in
        {0, 1}, 1 where some channel changed by more than ``config.min_change``.
    """
    check_image(image)
    if image.shape[0] != 1:
        raise ValueError(f"expected one image (1, 3, H, W), got batch of {image.shape[0]}")
    base = tensor_to_numpy(image, np.float32)
    height, width = base.shape[:2]
    canvas = Canvas(base.copy())
    scale = resolution_scale(height, width)
    factor = min(max(math.sqrt(height * width / _REFERENCE_AREA), 0.5), 4.0)
    if config.clean_fraction > 0 and rng.random() < config.clean_fraction:
        return image.float().clone(), torch.zeros_like(image[:, :1], dtype=torch.float32)
    # The original four kinds first and in this order: the defaults keep their seeded output.
    _draw_scratches(canvas, rng, config, scale, factor)
    _draw_curves(canvas, rng, config, scale, factor)
    _draw_hairs(canvas, rng, config, scale, factor)
    _draw_dust(canvas, rng, config, scale, factor)
    _draw_stains(canvas, rng, config, scale, factor)
    _draw_creases(canvas, rng, config, scale, factor)
    _draw_wide_scratches(canvas, rng, config, scale, factor)
    _draw_ink(canvas, rng, config, scale, factor)
    for draw, bounds in (
        (draw_crack_networks, config.cracks),
        (partial(draw_craquelure, spacing=config.craquelure_spacing), config.craquelure),
        (draw_folds, config.folds),
        (draw_flakes, config.flakes),
        (draw_foxing, config.foxing),
    ):
        if bounds[1] > 0:  # draws no random numbers when off: older configs keep their output
            draw(canvas, rng, bounds, scale, factor)
    _draw_tears(canvas, rng, config, scale, factor)  # last: a missing piece takes all with it
    damaged = np.clip(canvas.array, 0, 1)
    mask = np.abs(damaged - base).max(axis=2) > config.min_change
    return numpy_to_tensor(damaged), numpy_to_tensor(mask)


def synthesize_damage(
    image: torch.Tensor, *, rng: np.random.Generator, config: DamageConfig = DamageConfig()
) -> tuple[torch.Tensor, torch.Tensor]:
    """Age a clean photo (if ``config.age``) and draw damage on it.

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness; the same seed gives identical output.
        config: counts, sizes and options.

    Returns:
        ``(damaged, mask)``: float32 ``(1, 3, H, W)`` in [0, 1] and float32 ``(1, 1, H, W)`` in
        {0, 1} (1 = damaged pixel).

    >>> damaged, mask = synthesize_damage(torch.rand(1, 3, 64, 64), rng=np.random.default_rng(0))
    >>> damaged.shape, mask.shape
    (torch.Size([1, 3, 64, 64]), torch.Size([1, 1, 64, 64]))
    """
    check_image(image)
    if not config.age:
        photo = image.float()
    elif config.tone == "print":
        photo = random_print_tone(image, rng=rng)
    else:
        photo = age_photo(image, rng=rng)
    photo = _surface(photo, rng, config)
    damaged, mask = draw_damage(photo, rng=rng, config=config)
    if config.scan > 0:
        # The same scan (same random draws) of the undamaged print tells which damage is still
        # visible after blur, grain and compression: marks the scan wiped out leave the mask.
        state = rng.bit_generator.state
        clean = random_scan(photo, rng=rng, probability=config.scan, sharpen=config.sharpen)
        rng.bit_generator.state = state
        damaged = random_scan(damaged, rng=rng, probability=config.scan, sharpen=config.sharpen)
        change = (damaged - clean).abs().amax(dim=1, keepdim=True)
        mask = mask * (change > 0.5 * config.min_change).float()
    return damaged, mask


def _surface(photo: torch.Tensor, rng: np.random.Generator, config: DamageConfig) -> torch.Tensor:
    """Paper texture, halftone and colour casts (aging of the print, not damage); draws random
    numbers only when switched on, so configs without them keep their seeded output."""
    scale = resolution_scale(*photo.shape[-2:])
    if config.paper_texture > 0 and rng.random() < config.paper_texture:
        strength, size = rng.uniform(0.01, 0.04), rng.uniform(0.8, 2.5) * scale
        photo = paper_texture(photo, rng=rng, strength=strength, size=size)
    if config.halftone > 0 and rng.random() < config.halftone:
        period, strength = rng.uniform(2.5, 5.0) * scale, rng.uniform(0.2, 0.6)
        photo = halftone(photo, period=period, strength=strength, angle=rng.uniform(0, 90))
    if config.color_cast > 0 and rng.random() < config.color_cast:
        strength, blotch = rng.uniform(0.03, 0.15), rng.uniform(15, 80) * scale
        speckle = rng.uniform(0.0, 0.06) if rng.random() < 0.5 else 0.0
        photo = color_cast(photo, rng=rng, strength=strength, blotch=blotch, speckle=speckle)
    return photo

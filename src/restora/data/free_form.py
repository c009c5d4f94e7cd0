"""DeepFillv2 free-form masks (Yu et al., "Free-Form Image Inpainting with Gated Convolution",
ICCV 2019, Algorithm 1 and the authors' ``brush_stroke_mask``).

Each mask is 1-3 brush strokes; a stroke is a polyline of 4-11 vertices whose segment angles
alternate around ``mean_angle`` (every other one reflected to ``2*pi - angle``), whose segment
lengths follow N(r, r/2) clipped to [0, 2r] with ``r = diagonal / 8``, drawn with one width
and round joints (a disc at every vertex). The published widths (12-40 px) are for 256x256
images; here they scale with the image diagonal. The authors' random flips are no-ops in their
code (the result is discarded) and are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from restora.data.rng import Rng, numpy_rng
from restora.io.arrays import numpy_to_tensor

_REFERENCE_DIAGONAL = 256 * math.sqrt(2)


@dataclass(frozen=True)
class FreeFormMask:
    """Random brush-stroke masks: ``FreeFormMask()(height, width, rng)`` -> float32
    ``(1, 1, H, W)`` in {0, 1}, 1 = hole. Counts are inclusive ranges."""

    strokes: tuple[int, int] = (1, 3)
    vertices: tuple[int, int] = (4, 11)
    width: tuple[float, float] = (12.0, 40.0)
    mean_angle: float = 2 * math.pi / 5
    angle_range: float = 2 * math.pi / 15

    def __post_init__(self) -> None:
        for name in ("strokes", "vertices", "width"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name} must be (low, high) with 0 < low <= high")

    def __call__(self, height: int, width: int, rng: Rng) -> torch.Tensor:
        gen = numpy_rng(rng)
        mask = np.zeros((height, width), np.uint8)
        radius = math.hypot(height, width) / 8
        width_scale = math.hypot(height, width) / _REFERENCE_DIAGONAL
        for _ in range(int(gen.integers(self.strokes[0], self.strokes[1] + 1))):
            count = int(gen.integers(self.vertices[0], self.vertices[1] + 1))
            angle_min = self.mean_angle - gen.uniform(0, self.angle_range)
            angle_max = self.mean_angle + gen.uniform(0, self.angle_range)
            angles = gen.uniform(angle_min, angle_max, count)
            angles[::2] = 2 * math.pi - angles[::2]
            points = [(float(gen.uniform(0, width)), float(gen.uniform(0, height)))]
            for angle in angles:
                r = float(np.clip(gen.normal(radius, radius / 2), 0, 2 * radius))
                x = float(np.clip(points[-1][0] + r * math.cos(angle), 0, width - 1))
                y = float(np.clip(points[-1][1] + r * math.sin(angle), 0, height - 1))
                points.append((x, y))
            brush = max(1, round(gen.uniform(*self.width) * width_scale))
            vertex = np.rint(np.asarray(points)).astype(np.int32)
            cv2.polylines(mask, [vertex.reshape(-1, 1, 2)], False, 1, brush, cv2.LINE_8)
            for x, y in vertex:
                cv2.circle(mask, (int(x), int(y)), brush // 2, 1, -1, cv2.LINE_8)
        return numpy_to_tensor(mask.astype(bool))

"""JPEG compression artefacts: encode and decode through OpenCV's libjpeg (4:2:0 chroma)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from restora.core.checks import check_image
from restora.data.degradations import Degradation
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy


def jpeg_roundtrip(image: torch.Tensor, quality: int) -> torch.Tensor:
    """Encode ``image`` as a baseline JPEG of ``quality`` (1-100) and decode it again.

    Args:
        image: float32 ``(B, 3, H, W)`` in [0, 1] (rounded to 8 bits first).
        quality: libjpeg quality factor.

    Returns:
        float32 ``(B, 3, H, W)`` in [0, 1], multiples of 1/255.
    """
    check_image(image)
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be in [1, 100], got {quality}")
    out = []
    for item in image:
        bgr = cv2.cvtColor(tensor_to_numpy(item, np.uint8), cv2.COLOR_RGB2BGR)
        ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if not ok:
            raise RuntimeError("OpenCV could not encode the image as JPEG")
        decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
        out.append(numpy_to_tensor(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)))
    return torch.cat(out).to(image.device)


@dataclass(frozen=True)
class JpegCompression(Degradation):
    """:func:`jpeg_roundtrip` with quality drawn uniformly from ``quality`` (inclusive ints)."""

    quality: int | tuple[int, int] = (30, 95)

    def __post_init__(self) -> None:
        low, high = self.quality if isinstance(self.quality, (tuple, list)) else (self.quality,) * 2
        if not 1 <= low <= high <= 100:
            raise ValueError(f"quality must be in [1, 100] (low <= high), got {self.quality}")

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        if isinstance(self.quality, (tuple, list)):
            quality = int(rng.integers(self.quality[0], self.quality[1] + 1))
        else:
            quality = int(self.quality)
        return jpeg_roundtrip(image, quality)

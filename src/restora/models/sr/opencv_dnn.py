"""OpenCV ``dnn_superres`` graphs (EDSR, ESPCN, FSRCNN, LapSRN ``.pb`` files) as a callable model.

The algorithm and scale are read from the file name as OpenCV publishes them
(``FSRCNN_x4.pb``, ``FSRCNN-small_x2.pb``, ``ESPCN_x3.pb``, ``LapSRN_x8.pb``, ``EDSR_x4.pb``).
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import torch

from restora.core.errors import RestoraError
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy

_NAME = re.compile(r"^(edsr|espcn|fsrcnn|lapsrn)(?:-small)?_x(\d)\.pb$", re.IGNORECASE)


def parse_model_name(path: str | Path) -> tuple[str, int]:
    """Return ``(algorithm, scale)`` from an OpenCV SR file name, e.g. ``("fsrcnn", 4)``."""
    match = _NAME.match(Path(path).name)
    if match is None:
        raise RestoraError(
            f"cannot tell the model from the file name {Path(path).name!r}: expected names like "
            "FSRCNN_x4.pb, ESPCN_x2.pb, LapSRN_x8.pb or EDSR_x4.pb"
        )
    return match.group(1).lower(), int(match.group(2))


class OpenCVSuperRes:
    """Callable ``(1, 3, H, W) -> (1, 3, H*scale, W*scale)`` float RGB in [0, 1].

    >>> sr = OpenCVSuperRes("FSRCNN_x2.pb")  # doctest: +SKIP
    >>> sr(torch.rand(1, 3, 32, 32)).shape  # doctest: +SKIP
    torch.Size([1, 3, 64, 64])
    """

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if not path.is_file():
            raise RestoraError(f"super-resolution model not found: {path}")
        self.algorithm, self.scale = parse_model_name(path)
        if not hasattr(cv2, "dnn_superres"):
            raise RestoraError(
                "OpenCV lacks dnn_superres: install opencv-contrib-python-headless<5"
            )
        self._impl = cv2.dnn_superres.DnnSuperResImpl_create()
        try:
            self._impl.readModel(str(path))
        except cv2.error as exc:
            raise RestoraError(f"OpenCV could not read {path.name}: {exc.msg.strip()}") from None
        self._impl.setModel(self.algorithm, self.scale)
        self.path = path

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        bgr = np.ascontiguousarray(tensor_to_numpy(image)[:, :, ::-1])
        out = self._impl.upsample(bgr)
        return numpy_to_tensor(np.ascontiguousarray(out[:, :, ::-1]))

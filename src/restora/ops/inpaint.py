"""Classical (non-learned) inpainting: OpenCV Telea / Navier-Stokes, xphoto FSR, biharmonic.

``inpaint_classical`` is the public entry point. Each registered method is a *fill* function
``fill(image (1, 3, H, W) float in [0, 1], hole (H, W) bool, *, radius) -> (1, 3, H, W)`` that only
has to produce plausible values inside the hole; ``inpaint_classical`` validates inputs, loops
over the batch, and composites ``image * (1 - hole) + fill * hole`` in float so that known pixels
come back bit-exact (16-bit sources keep their precision outside the hole).

OpenCV conventions handled here (not by callers):
- ``cv2.inpaint`` (Telea, NS) and ``cv2.xphoto.inpaint`` (FSR) work on 8-bit images, so fills are
  quantized to 1/255 inside the hole. ``cv2.inpaint`` on float32 input in [0, 1] returns garbage
  in OpenCV 4.x, and ``xphoto.inpaint`` silently leaves a float ``dst`` untouched.
- ``cv2.inpaint`` fills hole pixels on the image border badly (opencv/opencv#6065, #14722,
  #25389; NS leaves near-black values there in OpenCV <= 4.9, Telea is off by a few levels even
  in 4.14): the image is padded by 1 px (reflect) and the mask by a 1 px frame of *hole*, the
  workaround given in #25389, and the result cropped, so the mishandled frame is padding only.
- ``cv2.xphoto.inpaint`` wants a mask with **0 = hole**, takes BGR, and skips the partial blocks
  on the right and bottom when a side is not a multiple of its 16 px block (holes there stay
  unfilled): the image is padded (reflect) to a multiple of 16 with at least 8 px of context.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import torch

from restora.core.checks import check_image, check_mask
from restora.core.registry import Registry
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy

__all__ = ["CLASSICAL_INPAINTERS", "hole_edge_ramp", "inpaint_classical"]

Fill = Callable[..., torch.Tensor]

CLASSICAL_INPAINTERS: Registry[Fill] = Registry("classical inpainting method")

_FSR_BLOCK = 16
_FSR_CONTEXT = 8


def _pad_reflect(array: np.ndarray, top: int, bottom: int, left: int, right: int) -> np.ndarray:
    return cv2.copyMakeBorder(array, top, bottom, left, right, cv2.BORDER_REFLECT)


def _opencv_fill(image: torch.Tensor, hole: np.ndarray, flags: int, radius: int) -> torch.Tensor:
    rgb = _pad_reflect(tensor_to_numpy(image, np.uint8), 1, 1, 1, 1)
    # a 1 px frame of hole around the mask: OpenCV's mishandled frame is then padding only
    mask = cv2.copyMakeBorder(
        hole.astype(np.uint8) * 255, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=255
    )
    filled = cv2.inpaint(rgb, mask, radius, flags)
    return numpy_to_tensor(np.ascontiguousarray(filled[1:-1, 1:-1]))


@CLASSICAL_INPAINTERS.register("telea")
def _telea(image: torch.Tensor, hole: np.ndarray, *, radius: int) -> torch.Tensor:
    """Telea (2004) fast marching, ``cv2.INPAINT_TELEA``."""
    return _opencv_fill(image, hole, cv2.INPAINT_TELEA, radius)


@CLASSICAL_INPAINTERS.register("ns")
def _navier_stokes(image: torch.Tensor, hole: np.ndarray, *, radius: int) -> torch.Tensor:
    """Bertalmio et al. (2001) Navier-Stokes based, ``cv2.INPAINT_NS``."""
    return _opencv_fill(image, hole, cv2.INPAINT_NS, radius)


def _fsr_fill(image: torch.Tensor, hole: np.ndarray, algorithm: int) -> torch.Tensor:
    height, width = hole.shape
    top = left = _FSR_CONTEXT
    bottom = _FSR_CONTEXT + (-(height + 2 * _FSR_CONTEXT)) % _FSR_BLOCK
    right = _FSR_CONTEXT + (-(width + 2 * _FSR_CONTEXT)) % _FSR_BLOCK
    bgr = np.ascontiguousarray(tensor_to_numpy(image, np.uint8)[:, :, ::-1])
    known = np.where(hole, 0, 255).astype(np.uint8)  # xphoto: non-zero = valid pixel
    src = _pad_reflect(bgr, top, bottom, left, right)
    valid = _pad_reflect(known, top, bottom, left, right)
    dst = np.zeros_like(src)
    cv2.xphoto.inpaint(src, valid, dst, algorithm)
    return numpy_to_tensor(np.ascontiguousarray(dst[top : top + height, left : left + width, ::-1]))


@CLASSICAL_INPAINTERS.register("fsr_fast")
def _fsr_fast(image: torch.Tensor, hole: np.ndarray, *, radius: int) -> torch.Tensor:
    """Frequency-selective reconstruction (Genser et al. 2018), fast profile. Ignores ``radius``."""
    return _fsr_fill(image, hole, cv2.xphoto.INPAINT_FSR_FAST)


@CLASSICAL_INPAINTERS.register("fsr_best")
def _fsr_best(image: torch.Tensor, hole: np.ndarray, *, radius: int) -> torch.Tensor:
    """Frequency-selective reconstruction, best profile (slow). Ignores ``radius``."""
    return _fsr_fill(image, hole, cv2.xphoto.INPAINT_FSR_BEST)


@CLASSICAL_INPAINTERS.register("biharmonic")
def _biharmonic(image: torch.Tensor, hole: np.ndarray, *, radius: int) -> torch.Tensor:
    """Biharmonic fill (``skimage.restoration.inpaint_biharmonic``), float64. Ignores ``radius``."""
    try:
        from skimage.restoration import inpaint_biharmonic
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "inpainting method 'biharmonic' needs scikit-image: install scikit-image "
            "(pip install scikit-image, or restora[dev])"
        ) from exc
    rgb = image[0].detach().to("cpu", torch.float64).permute(1, 2, 0).numpy()
    filled = inpaint_biharmonic(rgb, hole, channel_axis=-1)
    return numpy_to_tensor(np.clip(filled, 0.0, 1.0).astype(np.float32))


def inpaint_classical(
    image: torch.Tensor,
    mask: torch.Tensor,
    *,
    method: str = "telea",
    radius: int = 5,
) -> torch.Tensor:
    """Fill holes with a classical method; known pixels are returned exactly.

    Args:
        image: ``(B, 3, H, W)`` float RGB in [0, 1].
        mask: ``(B, 1, H, W)`` in [0, 1], 1 = hole; values > 0.5 count as hole.
        method: a name in ``CLASSICAL_INPAINTERS``: "telea", "ns", "fsr_fast", "fsr_best",
            "biharmonic" (needs scikit-image).
        radius: neighbourhood radius in pixels for "telea" and "ns" (ignored by the others).

    Returns:
        ``(B, 3, H, W)`` with ``image``'s dtype and device; equal to ``image`` wherever
        ``mask <= 0.5``. Hole values are quantized to 1/255 for the OpenCV methods. An image
        without holes is returned as is (no copy); a batch without any hole returns ``image``.

    Raises:
        ValueError: bad shapes/ranges, or an image whose every pixel is a hole.

    >>> image = torch.rand(1, 3, 32, 32)
    >>> mask = torch.zeros(1, 1, 32, 32); mask[..., 10:14, 10:14] = 1
    >>> out = inpaint_classical(image, mask, method="telea")
    >>> bool((out[..., :10, :] == image[..., :10, :]).all())
    True
    """
    check_image(image, "image", channels=3)
    check_mask(mask, image, "mask")
    if mask.shape[0] != image.shape[0]:
        raise ValueError(f"mask batch {mask.shape[0]} does not match image batch {image.shape[0]}")
    if radius < 1:
        raise ValueError(f"radius must be >= 1, got {radius}")
    fill = CLASSICAL_INPAINTERS.get(method)
    holes = mask > 0.5
    if not bool(holes.any()):
        return image
    for index in range(image.shape[0]):
        if bool(holes[index].all()):
            raise ValueError(
                f"mask of image {index} covers every pixel: nothing known to inpaint from"
            )
    outputs = []
    for index in range(image.shape[0]):
        hole = holes[index : index + 1]
        if not bool(hole.any()):
            outputs.append(image[index : index + 1])
            continue
        hole_np = hole[0, 0].cpu().numpy()
        filled = fill(image[index : index + 1], hole_np, radius=radius)
        filled = filled.to(device=image.device, dtype=image.dtype)
        outputs.append(torch.where(hole, filled, image[index : index + 1]))
    return torch.cat(outputs, dim=0)


def hole_edge_ramp(hole: torch.Tensor, *, near: float, far: float) -> torch.Tensor:
    """How near each hole pixel lies to known pixels: 1 up to ``near`` px from them, 0 from
    ``far`` px on, linear between (0 outside the hole does not matter: callers blend hole
    pixels only).

    Args:
        hole: ``(1, 1, H, W)``, 1 = hole (> 0.5).
        near, far: distances in px with ``0 <= near < far``.

    Returns:
        float32 ``(1, 1, H, W)`` in [0, 1] on the CPU. Classical fills such as FSR extrapolate
        the texture around a hole well near its edge only: a crack is all edge, a large hole
        mostly interior.
    """
    if not 0.0 <= near < far:
        raise ValueError(f"need 0 <= near < far, got near={near}, far={far}")
    inside = (hole[0, 0] > 0.5).cpu().numpy().astype(np.uint8)
    distance = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    ramp = np.clip((far - distance) / (far - near), 0.0, 1.0).astype(np.float32)
    return torch.from_numpy(ramp)[None, None]

"""Classical denoising: OpenCV's fast non-local means (Buades, Coll & Morel 2005).

Filter strength. OpenCV weighs a candidate patch by ``exp(-d^2 / h^2)`` (``d^2``: mean squared
patch difference, 0..255 units). ``h`` is tied to the noise level ``sigma`` (0..1 units):

- colour (``fastNlMeansDenoisingColored``, which filters L and a/b of CIE Lab separately):
  ``h = hColor = 0.6 * 255 * sigma``;
- gray (``fastNlMeansDenoising``, used when the three channels are equal): ``h = 0.9 * 255 * sigma``.

These factors maximized the mean PSNR gain over h in {0.35 .. 1.2} x 255 sigma on CBSD68 / BSD68
samples at sigma in {15, 25, 50}/255 with 7x7 templates and a 21x21 search window (colour Lab
noise is smaller than RGB noise, hence the lower colour factor).
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from restora.core.checks import check_image
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy
from restora.ops.noise import estimate_noise_sigma

__all__ = ["COLOR_H_PER_SIGMA", "GRAY_H_PER_SIGMA", "nlm_denoise"]

COLOR_H_PER_SIGMA = 0.6
GRAY_H_PER_SIGMA = 0.9
_MIN_SIGMA = 0.5 / 255  # below half an 8-bit step, NLM would change nothing


def _nlm_one(image: torch.Tensor, sigma: float, template: int, search: int) -> torch.Tensor:
    """Denoise one ``(1, 3, H, W)`` image; returns float32 on the CPU."""
    rgb = tensor_to_numpy(image, np.uint8)
    if (rgb[..., :1] == rgb).all():
        h = GRAY_H_PER_SIGMA * 255.0 * sigma
        gray = cv2.fastNlMeansDenoising(rgb[..., 0], None, h, template, search)
        denoised = np.repeat(gray[..., None], 3, axis=2)
    else:
        h = COLOR_H_PER_SIGMA * 255.0 * sigma
        bgr = np.ascontiguousarray(rgb[..., ::-1])
        out = cv2.fastNlMeansDenoisingColored(bgr, None, h, h, template, search)
        denoised = np.ascontiguousarray(out[..., ::-1])
    # add back what 8-bit quantization took from the input, so 16-bit sources stay smooth
    residual = image.detach().to("cpu", torch.float32) - numpy_to_tensor(rgb)
    return (numpy_to_tensor(denoised) + residual).clamp_(0.0, 1.0)


def nlm_denoise(
    image: torch.Tensor,
    *,
    sigma: float | None = None,
    template: int = 7,
    search: int = 21,
) -> torch.Tensor:
    """Remove Gaussian-like noise with non-local means.

    Args:
        image: ``(B, 3, H, W)`` float RGB in [0, 1]. Images with three equal channels are
            filtered as gray (and stay gray).
        sigma: noise standard deviation in [0, 1] units (e.g. ``25 / 255``); None estimates it
            per image with ``restora.ops.noise.estimate_noise_sigma``.
        template: odd patch side in pixels (OpenCV's ``templateWindowSize``).
        search: odd search window side in pixels (``searchWindowSize``); cost grows as its square.

    Returns:
        ``(B, 3, H, W)`` with ``image``'s dtype and device. Images whose sigma is below half an
        8-bit step (0.5/255) are returned unchanged (the input tensor itself when no image of the
        batch needs filtering).

    >>> noisy = (0.5 + 0.1 * torch.randn(1, 3, 48, 48)).clamp(0, 1)
    >>> nlm_denoise(noisy, sigma=0.1).std() < noisy.std()
    tensor(True)
    """
    check_image(image, "image", channels=3)
    if template < 1 or template % 2 == 0 or search < 1 or search % 2 == 0:
        raise ValueError(f"template and search must be odd and positive, got {template}, {search}")
    if sigma is not None and not 0.0 <= sigma <= 1.0:
        raise ValueError(f"sigma must be in [0, 1] (e.g. 25 / 255), got {sigma}")
    if sigma is None:
        sigmas = estimate_noise_sigma(image).tolist()
    else:
        sigmas = [float(sigma)] * image.shape[0]
    if all(s < _MIN_SIGMA for s in sigmas):
        return image
    outputs = []
    for index, item_sigma in enumerate(sigmas):
        item = image[index : index + 1]
        if item_sigma < _MIN_SIGMA:
            outputs.append(item)
            continue
        denoised = _nlm_one(item, item_sigma, template, search)
        outputs.append(denoised.to(device=image.device, dtype=image.dtype))
    return torch.cat(outputs, dim=0)

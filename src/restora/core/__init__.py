"""Lowest layer: errors, checks, registry, paths. Imports nothing else from restora."""

from restora.core.checks import check_image, check_mask, check_range, check_shape
from restora.core.errors import (
    ConfigError,
    ImageReadError,
    ImageTooLargeError,
    ImageWriteError,
    RestoraError,
    UnsafeOutputError,
)
from restora.core.registry import Registry

__all__ = [
    "ConfigError",
    "ImageReadError",
    "ImageTooLargeError",
    "ImageWriteError",
    "Registry",
    "RestoraError",
    "UnsafeOutputError",
    "check_image",
    "check_mask",
    "check_range",
    "check_shape",
]

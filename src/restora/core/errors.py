"""restora's exceptions. The CLI prints a `RestoraError` as one clear line, never a traceback."""

from __future__ import annotations


class RestoraError(Exception):
    """Base class of every error restora raises on purpose."""


class ImageReadError(RestoraError):
    """A file or buffer could not be decoded as an image (empty, truncated, not an image)."""


class ImageTooLargeError(ImageReadError):
    """The image header declares more pixels than the configured limit (decompression bomb)."""


class ImageWriteError(RestoraError):
    """An output could not be written."""


class UnsafeOutputError(ImageWriteError):
    """Writing would overwrite an input or an existing file without permission."""


class ConfigError(RestoraError, ValueError):
    """A spec or config is invalid (unknown key, wrong type, out-of-range value)."""

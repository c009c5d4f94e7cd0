"""restora: bring damaged photographs back.

The top-level namespace stays light: heavy modules load on first use.

>>> import restora
>>> restora.__version__  # doctest: +SKIP
'0.1.0'
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "restore"]


def restore(image: Any, **spec: Any) -> Any:
    """Restore one image; see :func:`restora.pipeline.api.restore`."""
    from restora.pipeline.api import restore as _restore

    return _restore(image, **spec)

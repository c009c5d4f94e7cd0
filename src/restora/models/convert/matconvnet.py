"""Read MatConvNet ``SimpleNN`` models saved as MATLAB v7.3 (HDF5) ``.mat`` files.

``h5py.File(f)["net/layers"]`` is an array of object references, one group per layer with
``type`` and ``name`` (uint16 characters), ``weights`` (references to the parameter arrays, or
an empty placeholder) and options (``pad``, ``stride``, ``dilate``, ``scale``, ``leak``, ...).

HDF5 stores MATLAB arrays with their dimensions reversed, and MATLAB drops trailing singleton
dimensions: a conv filter bank, MATLAB ``(kH, kW, in, out)``, reads as ``(out, in, kW, kH)``, or
``(in, kW, kH)`` when ``out == 1``. :func:`conv_to_torch` turns it into PyTorch's
``(out, in, kH, kW)``; the bias ``(1, out)`` becomes ``(out,)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from restora.core.errors import RestoraError

__all__ = ["MatLayer", "check_conv_3x3", "conv_to_torch", "read_simplenn"]


@dataclass(frozen=True)
class MatLayer:
    """One ``net.layers{i}``: ``type`` (``conv``, ``relu``, ``SubP``, ``concat``...), ``name``,
    ``params`` (arrays as HDF5 returns them) and numeric ``options`` (flattened)."""

    index: int
    type: str
    name: str
    params: tuple[np.ndarray, ...] = ()
    options: dict[str, tuple[float, ...]] = field(default_factory=dict)


def _text(dataset: object) -> str:
    return "".join(chr(int(c)) for c in np.asarray(dataset).ravel())


def read_simplenn(path: str | Path) -> list[MatLayer]:
    """The layers of a MatConvNet SimpleNN ``.mat`` (v7.3) file, in order.

    Needs ``h5py``. Raises ``RestoraError`` when the file is not such a model.
    """
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is in restora[dev] and restora[bench]
        raise RestoraError("reading MatConvNet .mat files needs h5py: pip install h5py") from None
    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise RestoraError(f"{path} is not a MATLAB v7.3 (HDF5) file: {exc}") from None
    with handle:
        if "net" not in handle or "layers" not in handle["net"]:
            raise RestoraError(f"{path} has no net.layers: not a MatConvNet SimpleNN model")
        layers = []
        for index, ref in enumerate(np.asarray(handle["net/layers"]).ravel()):
            group = handle[ref]
            params: tuple[np.ndarray, ...] = ()
            options: dict[str, tuple[float, ...]] = {}
            for key in group:
                if key in ("type", "name"):
                    continue
                item = group[key]
                if not isinstance(item, h5py.Dataset):
                    continue
                if key == "weights":
                    if item.dtype == h5py.ref_dtype:
                        params = tuple(
                            np.asarray(handle[r], dtype=np.float32) for r in item[()].ravel()
                        )
                elif item.dtype.kind in "fiub":
                    options[key] = tuple(float(v) for v in np.asarray(item).ravel())
            name = _text(group["name"]) if "name" in group else f"layer{index + 1}"
            layers.append(MatLayer(index, _text(group["type"]), name, params, options))
    return layers


def conv_to_torch(layer: MatLayer) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A ``conv`` layer's ``(weight (out, in, kH, kW), bias (out,) or None)`` as float32."""
    if layer.type != "conv" or not layer.params:
        raise RestoraError(f"layer {layer.index} ({layer.name}) is a {layer.type}, not a conv")
    weight = layer.params[0]
    if weight.ndim > 4:
        raise RestoraError(f"conv {layer.name}: weight has {weight.ndim} dimensions")
    weight = weight.reshape((1,) * (4 - weight.ndim) + weight.shape)  # restore MATLAB singletons
    tensor = torch.from_numpy(np.ascontiguousarray(weight.transpose(0, 1, 3, 2)))
    bias = None
    if len(layer.params) > 1 and layer.params[1].size:
        bias = torch.from_numpy(np.ascontiguousarray(layer.params[1].ravel()))
        if bias.numel() != tensor.shape[0]:
            raise RestoraError(f"conv {layer.name}: {bias.numel()} biases for {tensor.shape[0]}")
    return tensor, bias


def check_conv_3x3(layer: MatLayer) -> None:
    """Raise ``RestoraError`` unless a conv layer is 3×3 with pad 1, stride 1, dilation 1."""
    for option, want in (("pad", 1.0), ("stride", 1.0), ("dilate", 1.0)):
        values = layer.options.get(option, (want,))
        if any(v != want for v in values):
            raise RestoraError(f"conv {layer.name}: {option} {values} (restora expects {want})")
    if layer.params and layer.params[0].shape[-2:] != (3, 3):
        raise RestoraError(f"conv {layer.name}: kernel {layer.params[0].shape[-2:]}, not 3x3")

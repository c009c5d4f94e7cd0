"""Key maps from the official DnCNN checkpoints (cszn/DnCNN) to restora's ``dncnn``.

- The PyTorch port (``TrainingCodes/dncnn_pytorch``, a pickled whole module): restora's DnCNN
  was written to the same layout, so :func:`legacy_dncnn_key_map` is the identity. It is spelled
  out anyway so that a checkpoint with other names fails loudly instead of loading partially,
  and a ``module.`` prefix (``nn.DataParallel``) is removed first.
- The MatConvNet release (``model/GD_*_Blind.mat``): 20 conv layers with a ReLU between each
  pair and batch normalization folded into the conv biases, i.e. restora's ``dncnn`` with
  ``batch_norm=False``; :func:`matconvnet_dncnn_key_map` maps ``layers[i].weights[j]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from restora.core.errors import RestoraError
from restora.models.convert.keymap import apply_key_map, strip_prefix
from restora.models.convert.matconvnet import MatLayer, check_conv_3x3, conv_to_torch

__all__ = [
    "convert_legacy_dncnn",
    "convert_matconvnet_dncnn",
    "legacy_dncnn_key_map",
    "matconvnet_dncnn_key_map",
]

_BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def legacy_dncnn_key_map(depth: int = 17) -> dict[str, str]:
    """Official PyTorch DnCNN names -> restora ``dncnn`` (``batch_norm=True``) names.

    ``dncnn.0`` conv (weight, bias); for k < depth - 2: conv ``dncnn.{3k+2}.weight`` (no bias)
    and BatchNorm ``dncnn.{3k+3}.*``; last conv ``dncnn.{3(depth-2)+2}.weight``.
    """
    names = ["dncnn.0.weight", "dncnn.0.bias"]
    for k in range(depth - 2):
        names.append(f"dncnn.{3 * k + 2}.weight")
        names += [f"dncnn.{3 * k + 3}.{p}" for p in _BN]
    names.append(f"dncnn.{3 * (depth - 2) + 2}.weight")
    return {name: name for name in names}


def convert_legacy_dncnn(
    state: Mapping[str, torch.Tensor],
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """``(config, state_dict)`` for restora's ``dncnn`` from an official PyTorch DnCNN state."""
    state = strip_prefix(state, "module.")
    convs = [k for k, v in state.items() if k.endswith(".weight") and v.ndim == 4]
    if not convs or "dncnn.0.weight" not in state:
        raise RestoraError("not a DnCNN state dict (no dncnn.0.weight)")
    first = state["dncnn.0.weight"]
    config = {
        "channels": int(first.shape[1]),
        "width": int(first.shape[0]),
        "depth": len(convs),
        "batch_norm": True,
    }
    return config, apply_key_map(state, legacy_dncnn_key_map(len(convs)), "official DnCNN")


def matconvnet_dncnn_key_map(depth: int = 20) -> dict[str, str]:
    """MatConvNet DnCNN parameters -> restora ``dncnn`` (``batch_norm=False``) names.

    Conv k sits at ``net.layers{2k+1}`` (0-based index 2k, a ReLU after each but the last), and
    at ``dncnn.{2k}`` in restora: ``layers[2k].weights[0]`` -> ``dncnn.{2k}.weight`` and
    ``layers[2k].weights[1]`` -> ``dncnn.{2k}.bias``.
    """
    mapping = {}
    for k in range(depth):
        mapping[f"layers[{2 * k}].weights[0]"] = f"dncnn.{2 * k}.weight"
        mapping[f"layers[{2 * k}].weights[1]"] = f"dncnn.{2 * k}.bias"
    return mapping


def convert_matconvnet_dncnn(
    layers: Sequence[MatLayer],
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """``(config, state_dict)`` for restora's ``dncnn`` from a MatConvNet DnCNN's layers.

    Checks the structure (conv, relu, ..., conv; 3×3, pad 1, stride 1) before mapping.
    """
    types = [layer.type for layer in layers]
    depth = (len(layers) + 1) // 2
    expected = ["conv", "relu"] * (depth - 1) + ["conv"]
    if types != expected:
        raise RestoraError(f"not a MatConvNet DnCNN: layer types {types}")
    source: dict[str, torch.Tensor] = {}
    for layer in layers[::2]:
        check_conv_3x3(layer)
        weight, bias = conv_to_torch(layer)
        if bias is None:
            raise RestoraError(f"conv {layer.name} has no bias (BN not folded?)")
        source[f"layers[{layer.index}].weights[0]"] = weight
        source[f"layers[{layer.index}].weights[1]"] = bias
    first = source["layers[0].weights[0]"]
    config = {
        "channels": int(first.shape[1]),
        "width": int(first.shape[0]),
        "depth": depth,
        "batch_norm": False,
    }
    return config, apply_key_map(source, matconvnet_dncnn_key_map(depth), "MatConvNet DnCNN")

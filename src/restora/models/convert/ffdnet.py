"""Key map from the official FFDNet MatConvNet models (cszn/FFDNet ``models/FFDNet_*.mat``) to
restora's ``ffdnet``.

The .mat network is ``SubP`` (scale 0.5: pixel-unshuffle), ``concat`` (appends the noise-level
map), ``depth`` convs with a ReLU between each pair, ``SubP`` (scale 2: pixel-shuffle).

Sub-image order differs: MatConvNet's ``vl_nnSubP`` numbers the four sub-images of channel ``c``
as ``4c + row_offset + 2 * col_offset`` (column-major), PyTorch's ``pixel_unshuffle`` as
``4c + 2 * row_offset + col_offset``. So the first conv's input channels and the last conv's
output channels (and bias) are permuted by :data:`SUBPIXEL_ORDER` within each group of four;
the noise-map channel (last input) stays where it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from restora.core.errors import RestoraError
from restora.models.convert.keymap import apply_key_map
from restora.models.convert.matconvnet import MatLayer, check_conv_3x3, conv_to_torch

__all__ = [
    "SUBPIXEL_ORDER",
    "convert_matconvnet_ffdnet",
    "matconvnet_ffdnet_key_map",
    "subpixel_permutation",
]

# restora sub-image (2 * row + col) -> MatConvNet sub-image (row + 2 * col)
SUBPIXEL_ORDER = (0, 2, 1, 3)


def subpixel_permutation(channels: int) -> list[int]:
    """For each restora sub-image channel, the MatConvNet channel it comes from."""
    return [4 * c + SUBPIXEL_ORDER[i] for c in range(channels) for i in range(4)]


def matconvnet_ffdnet_key_map(depth: int) -> dict[str, str]:
    """MatConvNet FFDNet parameters -> restora ``ffdnet`` names.

    Conv k is ``net.layers`` index ``2 + 2k`` (after ``SubP`` and ``concat``) and ``model.{2k}``
    in restora: ``layers[2+2k].weights[0]`` -> ``model.{2k}.weight``, ``weights[1]`` -> ``bias``.
    """
    mapping = {}
    for k in range(depth):
        mapping[f"layers[{2 + 2 * k}].weights[0]"] = f"model.{2 * k}.weight"
        mapping[f"layers[{2 + 2 * k}].weights[1]"] = f"model.{2 * k}.bias"
    return mapping


def convert_matconvnet_ffdnet(
    layers: Sequence[MatLayer],
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """``(config, state_dict)`` for restora's ``ffdnet`` from a MatConvNet FFDNet's layers."""
    types = [layer.type for layer in layers]
    depth = (len(layers) - 2) // 2
    expected = ["SubP", "concat", *(["conv", "relu"] * (depth - 1)), "conv", "SubP"]
    if types != expected:
        raise RestoraError(f"not a MatConvNet FFDNet: layer types {types}")
    scales = (layers[0].options.get("scale"), layers[-1].options.get("scale"))
    if scales != ((0.5,), (2.0,)):
        raise RestoraError(f"FFDNet SubP scales {scales}, expected 0.5 then 2")
    source: dict[str, torch.Tensor] = {}
    for layer in layers[2:-1:2]:
        check_conv_3x3(layer)
        weight, bias = conv_to_torch(layer)
        source[f"layers[{layer.index}].weights[0]"] = weight
        source[f"layers[{layer.index}].weights[1]"] = (
            bias if bias is not None else torch.zeros(weight.shape[0])
        )
    first = source["layers[2].weights[0]"]
    sub_channels = first.shape[1] - 1
    if sub_channels % 4 or first.shape[1] < 5:
        raise RestoraError(f"FFDNet first conv takes {first.shape[1]} channels, not 4C + 1")
    channels = sub_channels // 4
    state = apply_key_map(source, matconvnet_ffdnet_key_map(depth), "MatConvNet FFDNet")
    order = subpixel_permutation(channels)
    head, tail = "model.0.weight", f"model.{2 * (depth - 1)}"
    state[head] = torch.cat([state[head][:, order], state[head][:, sub_channels:]], dim=1)
    if state[f"{tail}.weight"].shape[0] != sub_channels:
        raise RestoraError(f"FFDNet last conv gives {state[f'{tail}.weight'].shape[0]} channels")
    state[f"{tail}.weight"] = state[f"{tail}.weight"][order]
    state[f"{tail}.bias"] = state[f"{tail}.bias"][order]
    config = {"channels": channels, "width": int(first.shape[0]), "depth": depth}
    return config, {k: v.contiguous() for k, v in state.items()}

"""A frozen VGG16 feature extractor for perceptual and style losses.

Weights come from a file in torchvision's key layout (``features.N.weight`` / ``features.N.bias``,
e.g. a converted ``vgg16-397923af.pth``): ``.safetensors`` is read with safetensors, anything else
with ``torch.load(weights_only=True)``. Without a file the network gets a fixed, seeded random
initialization and a warning is logged: the losses then act only as a structural prior.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import torch
import torch.nn as nn

from restora.core.checks import check_shape
from restora.core.errors import RestoraError

logger = logging.getLogger("restora.losses")

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
RANDOM_INIT_SEED = 0
DEFAULT_LAYERS = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")

# torchvision vgg16 "D" configuration: channel counts per block, "M" = max pool
_VGG16_BLOCKS = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))


class VGGWeightsError(RestoraError, ValueError):
    """A VGG weights file is missing keys or has tensors of the wrong shape."""


def _vgg16_layer_names() -> list[str]:
    """Names of ``features`` in torchvision order: conv1_1, relu1_1, ..., pool5 (31 entries)."""
    names: list[str] = []
    for block, widths in enumerate(_VGG16_BLOCKS, start=1):
        for i in range(1, len(widths) + 1):
            names += [f"conv{block}_{i}", f"relu{block}_{i}"]
        names.append(f"pool{block}")
    return names


VGG16_LAYER_NAMES: tuple[str, ...] = tuple(_vgg16_layer_names())


def _build_features(depth: int) -> nn.Sequential:
    """The first ``depth`` modules of torchvision's ``vgg16().features`` (same indices).

    Parameters are allocated uninitialized on the CPU (built on the meta device, so building
    does not draw from the global RNG); the caller loads or initializes them.
    """
    modules: list[nn.Module] = []
    in_ch = 3
    for widths in _VGG16_BLOCKS:
        for width in widths:
            conv = nn.Conv2d(in_ch, width, kernel_size=3, padding=1, device="meta")
            modules += [conv, nn.ReLU(inplace=False)]
            in_ch = width
        modules.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*modules[:depth]).to_empty(device="cpu")


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read tensors from ``.safetensors`` (safetensors) or any other suffix (``torch.load`` with
    ``weights_only=True``, so no code in the file runs). Returns CPU tensors."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"VGG weights file not found: {path}")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path), device="cpu")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, Mapping) or not all(
        isinstance(v, torch.Tensor) for v in state.values()
    ):
        raise VGGWeightsError(f"{path} does not hold a flat state dict of tensors")
    return dict(state)


class VGGFeatures(nn.Module):
    """Frozen VGG16 features at named layers (``relu1_2``, ``relu2_2``, ``conv3_1``, ``pool4``...).

    The network is built only up to the deepest requested layer. Parameters have
    ``requires_grad=False``; gradients still flow to the input.

    Args:
        layers: layer names to return, any of :data:`VGG16_LAYER_NAMES`.
        weights: a file in torchvision's layout (``features.N.weight``/``.bias``; other keys such
            as ``classifier.*`` are ignored), or ``None`` for a fixed random init (seed 0,
            Kaiming normal) — logged as a warning on ``restora.losses``.

    Input: ``(B, 3, H, W)`` float RGB in [0, 1] (normalized inside with the ImageNet mean/std;
    not range-checked so that network outputs slightly outside [0, 1] pass).
    Output: ``{layer: (B, C_l, H_l, W_l)}`` in the order of ``layers``.

    >>> vgg = VGGFeatures(layers=("relu1_2",), weights=None)  # doctest: +SKIP
    >>> vgg(torch.rand(1, 3, 16, 16))["relu1_2"].shape  # doctest: +SKIP
    torch.Size([1, 64, 16, 16])
    """

    def __init__(
        self,
        *,
        layers: Iterable[str] = DEFAULT_LAYERS,
        weights: str | Path | None = None,
    ) -> None:
        super().__init__()
        self.layers = tuple(layers)
        if not self.layers:
            raise ValueError("layers must name at least one VGG16 layer")
        unknown = [name for name in self.layers if name not in VGG16_LAYER_NAMES]
        if unknown:
            raise ValueError(
                f"unknown VGG16 layers {unknown}; choose from {list(VGG16_LAYER_NAMES)}"
            )
        self._index = {name: VGG16_LAYER_NAMES.index(name) for name in self.layers}
        self.features = _build_features(max(self._index.values()) + 1)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        self.weights_file = None if weights is None else Path(weights)
        if weights is None:
            self._random_init()
            logger.warning(
                "VGGFeatures: no weights file given, using a fixed random initialization "
                "(seed %d). Perceptual and style losses are then only a structural prior, not "
                "ImageNet features; pass weights=<vgg16 file in torchvision layout> for the "
                "published losses.",
                RANDOM_INIT_SEED,
            )
        else:
            self.load_torchvision_state_dict(read_state_dict(weights), source=str(weights))
        self.requires_grad_(False)
        self.eval()

    def _random_init(self) -> None:
        generator = torch.Generator().manual_seed(RANDOM_INIT_SEED)
        with torch.no_grad():
            for module in self.features:
                if isinstance(module, nn.Conv2d):
                    nn.init.kaiming_normal_(
                        module.weight, mode="fan_out", nonlinearity="relu", generator=generator
                    )
                    nn.init.zeros_(module.bias)

    def load_torchvision_state_dict(
        self, state: Mapping[str, torch.Tensor], *, source: str = "state dict"
    ) -> None:
        """Copy ``features.N.weight``/``.bias`` for every conv this extractor uses.

        Raises :class:`VGGWeightsError` naming missing keys or mismatched shapes; extra keys
        (deeper layers, ``classifier.*``) are ignored.
        """
        own = {f"features.{k}": v for k, v in self.features.state_dict().items()}
        missing = [key for key in own if key not in state]
        if missing:
            sample = sorted(state)[:5]
            raise VGGWeightsError(
                f"{source} is not a VGG16 state dict in torchvision layout: missing "
                f"{missing[:6]}{' ...' if len(missing) > 6 else ''} (found keys like {sample})"
            )
        wrong = [
            f"{key}: {tuple(state[key].shape)} != {tuple(ref.shape)}"
            for key, ref in own.items()
            if tuple(state[key].shape) != tuple(ref.shape)
        ]
        if wrong:
            raise VGGWeightsError(f"{source}: tensors of the wrong shape (not VGG16): {wrong[:4]}")
        with torch.no_grad():
            for key, param in self.features.state_dict(keep_vars=True).items():
                param.copy_(state[f"features.{key}"].to(param.dtype))

    def train(self, mode: bool = True) -> VGGFeatures:
        """Stays in eval mode: the extractor is frozen (no dropout/batch norm anyway)."""
        return super().train(False)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        check_shape(x, ["B", "3", "H", "W"], "VGGFeatures input")
        h = (x - self.mean.to(x.dtype)) / self.std.to(x.dtype)
        wanted = {index: name for name, index in self._index.items()}
        found: dict[str, torch.Tensor] = {}
        for index, module in enumerate(self.features):
            h = module(h)
            if index in wanted:
                found[wanted[index]] = h
        return {name: found[name] for name in self.layers}

"""Task presets: how a clean photo becomes a paired training sample for each learned stage.

A task is a frozen dataclass config (buildable from TOML with `build_task`) whose
``make_pair(clean, rng)`` turns one clean crop float32 ``(1, 3, H, W)`` in [0, 1] into a
`PairedSample` of unbatched tensors. ``crop_multiple`` is the number crop sizes must be a
multiple of. `restora.data.paired.PairedDataset` applies a task to an image folder.

============== ====================================== ==========================================
task           input                                  target
============== ====================================== ==========================================
sr             bicubic / area LR ``(3, H/s, W/s)``    clean ``(3, H, W)``
denoise        noisy ``(C, H, W)`` (+ sigma map)      clean ``(C, H, W)``, C = 3 or 1 (gray)
colorize       L / 100 or luma ``(1, H, W)``          ab / ``ab_scale`` ``(2, H, W)`` or RGB
inpaint        clean with holes filled ``(3, H, W)``  clean ``(3, H, W)``; ``mask`` ``(1, H, W)``
damage         aged + damaged photo ``(3, H, W)``     damage mask ``(1, H, W)`` in {0, 1}
edges2image    Canny edges ``(1, H, W)`` in {0, 1}    clean ``(3, H, W)``
============== ====================================== ==========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
import torch

from restora.color.gray import rgb_to_gray
from restora.color.lab import rgb_to_lab
from restora.core.config import config_from_dict
from restora.core.errors import ConfigError
from restora.data.color_hints import sample_hints
from restora.data.damage import DamageConfig, synthesize_damage
from restora.data.denoise_mix import DenoiseMixTask
from restora.data.downscale import area_downscale, bicubic_downscale
from restora.data.edges import canny_edges
from restora.data.free_form import FreeFormMask
from restora.data.masks import BoxMask, DamageMask, MaskGenerator, MaskMixture
from restora.data.noise import add_gaussian_noise
from restora.data.nvidia_masks import NvidiaMasks
from restora.data.sample import PairedSample
from restora.data.sr_degradation import RealisticSRDegradation
from restora.data.transforms import dihedral, random_crop_origin


class Task(Protocol):
    name: ClassVar[str]

    @property
    def crop_multiple(self) -> int: ...

    def make_pair(self, clean: torch.Tensor, rng: np.random.Generator) -> PairedSample: ...


@dataclass(frozen=True)
class SRTask:
    """Super-resolution: LR = ``downscale`` of the clean crop by ``scale`` (MATLAB bicubic,
    rounded to 8 bits when ``quantize``, as the benchmarks' LR files are).

    ``downscale="realistic"``: random blur, bicubic, noise and JPEG
    (:class:`~restora.data.sr_degradation.RealisticSRDegradation`, whose fields ``realistic``
    overrides, e.g. ``{"noise": [1, 8]}``); the LR is always 8-bit there.
    """

    name: ClassVar[str] = "sr"
    scale: int = 4
    downscale: Literal["bicubic", "area", "realistic"] = "bicubic"
    quantize: bool = True
    realistic: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.scale < 1:
            raise ValueError(f"scale must be >= 1, got {self.scale}")
        if self.downscale not in ("bicubic", "area", "realistic"):
            raise ValueError(
                f"downscale must be 'bicubic', 'area' or 'realistic', got {self.downscale!r}"
            )
        if self.realistic is not None and self.downscale != "realistic":
            raise ValueError("realistic options need downscale='realistic'")
        if self.downscale == "realistic":
            self._degradation  # noqa: B018 - validate the options now, not at the first sample

    @cached_property
    def _degradation(self) -> RealisticSRDegradation:
        options = {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in (self.realistic or {}).items()
        }
        try:
            return RealisticSRDegradation(scale=self.scale, **options)
        except TypeError as error:
            raise ConfigError(f"task.realistic: {error}") from None

    @property
    def crop_multiple(self) -> int:
        return self.scale

    def make_pair(self, clean: torch.Tensor, rng: np.random.Generator) -> PairedSample:
        if self.downscale == "realistic":
            lr = self._degradation(clean, rng)
        elif self.downscale == "bicubic":
            lr = bicubic_downscale(clean, self.scale, quantize=self.quantize)
        else:
            lr = area_downscale(clean, self.scale, quantize=self.quantize)
        return PairedSample(lr[0], clean[0], meta={"scale": self.scale})


@dataclass(frozen=True)
class DenoiseTask:
    """Additive white Gaussian noise with sigma uniform in ``sigma`` (8-bit levels, x / 255).

    ``blind=False`` appends a constant noise-level map (sigma / 255) as an extra input channel
    (FFDNet). ``gray`` trains on the BT.601 luma (one channel). ``clip=False`` (default) leaves
    the noise unclipped, the DnCNN / FFDNet protocol of the BSD68 / CBSD68 benchmarks.
    ``meta["sigma"]`` records the level used.
    """

    name: ClassVar[str] = "denoise"
    sigma: tuple[float, float] = (0.0, 55.0)
    blind: bool = True
    gray: bool = False
    clip: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.sigma[0] <= self.sigma[1]:
            raise ValueError(f"sigma must be (low, high) with 0 <= low <= high, got {self.sigma}")

    @property
    def crop_multiple(self) -> int:
        return 1

    def make_pair(self, clean: torch.Tensor, rng: np.random.Generator) -> PairedSample:
        target = rgb_to_gray(clean) if self.gray else clean
        level = float(rng.uniform(*self.sigma))
        noisy = add_gaussian_noise(target, level / 255.0, rng, clip=self.clip)
        if not self.blind:
            noisy = torch.cat([noisy, torch.full_like(noisy[:, :1], level / 255.0)], dim=1)
        return PairedSample(noisy[0], target[0], meta={"sigma": level})


@dataclass(frozen=True)
class ColorizeTask:
    """Colorization: the lightness of the clean crop in, its colour out.

    ``input_space``: "L" (CIE L / 100, in [0, 1]) or "gray" (BT.601 luma). ``target_space``:
    "ab" (CIE a, b divided by ``ab_scale``, roughly [-1, 1]) or "rgb" (the clean crop).

    ``hints``: also give simulated user hints (Zhang et al. SIGGRAPH17, see
    :func:`restora.data.color_hints.sample_hints`): the input becomes 4 channels, lightness,
    hint ab / ``ab_scale`` (2, 0 outside hints) and the hint mask (1 where a hint is given).
    The number of hint patches is geometric with parameter ``hint_p`` (1/8: 7 on average, none
    1/8 of the time; 1 = never any), their sides uniform in ``hint_patch``, their positions
    ``hint_location`` ("normal" around the centre as the authors, or "uniform");
    ``meta["hint_points"]`` records the count.
    """

    name: ClassVar[str] = "colorize"
    input_space: Literal["L", "gray"] = "L"
    target_space: Literal["ab", "rgb"] = "ab"
    ab_scale: float = 110.0
    hints: bool = False
    hint_p: float = 0.125
    hint_patch: tuple[int, int] = (1, 9)
    hint_location: Literal["normal", "uniform"] = "normal"
    hint_max: int = 0

    def __post_init__(self) -> None:
        if self.input_space not in ("L", "gray") or self.target_space not in ("ab", "rgb"):
            raise ValueError(
                f"input_space must be 'L' or 'gray' and target_space 'ab' or 'rgb', got "
                f"{self.input_space!r}, {self.target_space!r}"
            )
        if self.ab_scale <= 0:
            raise ValueError(f"ab_scale must be > 0, got {self.ab_scale}")
        if not 0 < self.hint_p <= 1:
            raise ValueError(f"hint_p must be in (0, 1], got {self.hint_p}")
        if len(self.hint_patch) != 2 or not 1 <= self.hint_patch[0] <= self.hint_patch[1]:
            raise ValueError(f"hint_patch must be (low, high), 1 <= low <= high: {self.hint_patch}")
        if self.hint_location not in ("normal", "uniform"):
            raise ValueError(
                f"hint_location must be 'normal' or 'uniform', got {self.hint_location!r}"
            )
        if self.hint_max < 0:
            raise ValueError(f"hint_max must be >= 0 (0 = no cap), got {self.hint_max}")

    @property
    def crop_multiple(self) -> int:
        return 1

    def make_pair(self, clean: torch.Tensor, rng: np.random.Generator) -> PairedSample:
        lab = rgb_to_lab(clean)
        source = lab[:, :1] / 100.0 if self.input_space == "L" else rgb_to_gray(clean)
        source = source.clamp(0, 1)
        target = lab[:, 1:] / self.ab_scale if self.target_space == "ab" else clean
        meta: dict[str, Any] = {"ab_scale": self.ab_scale}
        if self.hints:
            hints, mask, count = sample_hints(
                lab[:, 1:],
                rng,
                p=self.hint_p,
                patch=(int(self.hint_patch[0]), int(self.hint_patch[1])),
                location=self.hint_location,
                max_points=self.hint_max,
            )
            source = torch.cat([source, hints / self.ab_scale, mask], dim=1)
            meta["hint_points"] = count
        return PairedSample(source[0], target[0], meta=meta)


MASK_SOURCES = ("free_form", "boxes", "nvidia", "scratches", "dust", "damage", "cracks")


@dataclass(frozen=True)
class InpaintTask:
    """Inpainting: holes from a mixture of mask sources, filled with ``fill`` in the input.

    ``masks`` names sources from ``MASK_SOURCES`` ("nvidia" needs ``nvidia_folder``); one is
    picked per sample with probabilities ``weights`` (empty = uniform). ``sample.mask`` is the
    hole mask ``(1, H, W)``, 1 = hole.
    """

    name: ClassVar[str] = "inpaint"
    masks: tuple[str, ...] = ("free_form", "boxes")
    weights: tuple[float, ...] = ()
    nvidia_folder: str | None = None
    nvidia_split: Literal["train", "test", "all"] = "train"
    fill: float = 0.0

    def __post_init__(self) -> None:
        unknown = [m for m in self.masks if m not in MASK_SOURCES]
        if not self.masks or unknown:
            raise ValueError(
                f"masks must name sources from {', '.join(MASK_SOURCES)}, got {self.masks}"
            )
        if "nvidia" in self.masks and not self.nvidia_folder:
            raise ValueError("mask source 'nvidia' needs nvidia_folder")
        if self.weights and len(self.weights) != len(self.masks):
            raise ValueError(f"weights must give one number per mask source ({len(self.masks)})")
        if not 0.0 <= self.fill <= 1.0:
            raise ValueError(f"fill must be in [0, 1], got {self.fill}")

    @property
    def crop_multiple(self) -> int:
        return 1

    @cached_property
    def mask_generator(self) -> MaskGenerator:
        """The mixture of the configured mask sources (built once)."""

        def source(name: str) -> MaskGenerator:
            if name == "free_form":
                return FreeFormMask()
            if name == "boxes":
                return BoxMask()
            if name == "nvidia":
                assert self.nvidia_folder is not None
                return NvidiaMasks(self.nvidia_folder, split=self.nvidia_split)
            if name == "cracks":
                return DamageMask(kind="cracks", grow=1)
            kind = {"scratches": "scratches", "dust": "dust", "damage": "all"}[name]
            return DamageMask(kind=kind)  # type: ignore[arg-type]

        return MaskMixture([source(m) for m in self.masks], list(self.weights) or None)

    def make_pair(self, clean: torch.Tensor, rng: np.random.Generator) -> PairedSample:
        mask = self.mask_generator(clean.shape[-2], clean.shape[-1], rng)
        holed = clean * (1 - mask) + self.fill * mask
        return PairedSample(
            holed[0], clean[0], mask=mask[0], meta={"hole_ratio": float(mask.mean())}
        )


@dataclass(frozen=True)
class DamageTask:
    """Damage segmentation: :func:`restora.data.damage.synthesize_damage` ages the crop and
    draws the damage ``damage`` configures (scratches, hairs and dust by default; the ``full``
    profile of :data:`restora.data.damage.DAMAGE_PROFILES` adds wide scratches, creases,
    tears, stains, ink, paper texture and halftone); the target is the exact mask of damaged
    pixels.

    ``window`` > 0 draws the damage on the whole crop and returns a random ``window`` x
    ``window`` part of it: damage is sized and counted for the photo it is drawn on, so drawing
    on a small crop packs it far denser than on a photo (the ``full`` profile covers ~29 % of a
    128 px crop but ~8 % of a 481x321 photo); a photo-sized crop with a small window trains at
    the density the detector meets, for the cost of a small crop.

    ``aged_fraction`` > 0: that share of the crops is aged as the issue-6 detector's were
    (``tone = "age"``: sepia, fading, grain, blur; no scan) whatever ``damage.tone`` and
    ``damage.scan`` say, so a detector trained on print tones and scans keeps its skill on
    that set too. 0 draws no extra random number (seeded output as before).

    ``transpose_fraction`` > 0: that share of the (square) samples is transposed, damage and
    all, after the damage is drawn: the generator's scratches run nearly vertically (film
    transport), and a detector that only ever sees them so misses the horizontal creases and
    cracks of real prints. Non-square samples are left as they are (a batch needs one shape).
    0 draws no extra random number.
    """

    name: ClassVar[str] = "damage"
    damage: DamageConfig = DamageConfig()
    window: int = 0
    aged_fraction: float = 0.0
    transpose_fraction: float = 0.0

    def __post_init__(self) -> None:
        if self.window < 0:
            raise ValueError(f"window must be >= 0 (0 = the whole crop), got {self.window}")
        if not 0.0 <= self.aged_fraction <= 1.0:
            raise ValueError(f"aged_fraction must be in [0, 1], got {self.aged_fraction}")
        if not 0.0 <= self.transpose_fraction <= 1.0:
            raise ValueError(f"transpose_fraction must be in [0, 1], got {self.transpose_fraction}")

    @property
    def crop_multiple(self) -> int:
        return 1

    def make_pair(self, clean: torch.Tensor, rng: np.random.Generator) -> PairedSample:
        config = self.damage
        if self.aged_fraction > 0 and rng.random() < self.aged_fraction:
            config = replace(config, age=True, tone="age", scan=0.0, sharpen=0.0)
        damaged, mask = synthesize_damage(clean, rng=rng, config=config)
        if self.window:
            top, left = random_crop_origin(*damaged.shape[-2:], self.window, rng)
            region = (..., slice(top, top + self.window), slice(left, left + self.window))
            damaged, mask = damaged[region], mask[region]
        if self.transpose_fraction > 0 and rng.random() < self.transpose_fraction:
            if damaged.shape[-1] == damaged.shape[-2]:
                damaged, mask = (
                    dihedral(x, hflip=False, vflip=False, transpose=True) for x in (damaged, mask)
                )
        return PairedSample(damaged[0], mask[0], meta={"damage_ratio": float(mask.mean())})


@dataclass(frozen=True)
class Edges2ImageTask:
    """pix2pix edges -> photo: Canny edges of the crop in (see
    :func:`restora.data.edges.canny_edges`), the photo out."""

    name: ClassVar[str] = "edges2image"
    sigma: float = 2.0
    low: float = 0.12
    high: float = 0.3

    @property
    def crop_multiple(self) -> int:
        return 1

    def make_pair(self, clean: torch.Tensor, rng: np.random.Generator) -> PairedSample:
        edges = canny_edges(clean, sigma=self.sigma, low=self.low, high=self.high)
        return PairedSample(edges[0], clean[0])


TASKS: dict[str, type] = {
    cls.name: cls
    for cls in (
        SRTask,
        DenoiseTask,
        DenoiseMixTask,
        ColorizeTask,
        InpaintTask,
        DamageTask,
        Edges2ImageTask,
    )
}


def build_task(name: str, options: Mapping[str, Any] | None = None) -> Task:
    """The task preset ``name`` with ``options`` (a TOML table); unknown names or options raise
    `ConfigError` naming them.

    >>> build_task("sr", {"scale": 2}).crop_multiple
    2
    """
    if name not in TASKS:
        raise ConfigError(f"unknown task {name!r} (known: {', '.join(sorted(TASKS))})")
    return config_from_dict(TASKS[name], dict(options or {}), where=name)

"""`TrainConfig`: one typed config per training run, read from TOML with dotted overrides.

Sections (TOML tables) mirror the dataclasses below; unknown keys fail naming the key::

    steps = 2000
    [task]                      # data preset (restora.data) and its options
    preset = "sr"
    options = { scale = 2 }
    [data]                      # folders: "shared:train/t91" = <shared dir>/train/t91
    train = ["shared:train/t91"]
    [model]                     # registry name + constructor overrides
    name = "espcn.x2"
    [loss.terms]                # term name -> weight (0 disables a term)
    l1 = 1.0

Paths starting with ``shared:`` (data folders, ``loss.vgg_weights`` and string values in
``task.options``) resolve against :func:`restora.core.paths.shared_dir` (``$RESTORA_SHARED`` or
the ``shared`` folder beside the project); other relative paths resolve against the current
directory.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from restora.core.config import apply_overrides, config_from_dict, config_to_dict, load_toml
from restora.core.errors import ConfigError
from restora.core.paths import shared_dir

SHARED_PREFIX = "shared:"


TaskKind = Literal["auto", "image2image", "gan", "inpaint", "segmentation", "colorize"]


@dataclass
class TaskConfig:
    """Which data preset builds the training pairs, its options (passed as keywords), and the
    kind of training step. ``kind = "auto"`` picks it from the preset: ``inpaint`` ->
    inpainting, ``damage`` -> segmentation, ``colorize`` with an ``ab_classification`` or
    ``ab_regression`` loss term -> Zhang-style colorization, others -> image-to-image (``gan``
    when the loss has an adversarial term)."""

    preset: str = "sr"
    options: dict[str, Any] = field(default_factory=dict)
    kind: TaskKind = "auto"


@dataclass
class DataConfig:
    """Image folders, crops and batching.

    ``val`` empty: the last ``val_count`` images of ``train`` (sorted) are held out for validation.
    A folder may end in a slice of its sorted file list: ``"shared:train/caltech_faces[:123]"``.
    ``max_images`` > 0 keeps only the first images of each folder (quick runs).
    ``batch_size`` is the global batch; with N processes each takes ``batch_size / N``.
    ``cache`` keeps decoded images in memory (float32, per process: about 1.9 MB for a
    481x321 photo), worth it for small sets such as T91.
    """

    train: list[str] = field(default_factory=lambda: ["shared:train/t91"])
    val: list[str] = field(default_factory=list)
    val_count: int = 4
    max_images: int = 0
    crop: int = 48
    val_crop: int = 96
    batch_size: int = 8
    workers: int = 0
    cache: bool = False

    def __post_init__(self) -> None:
        _positive(
            {
                "data.crop": self.crop,
                "data.val_crop": self.val_crop,
                "data.batch_size": self.batch_size,
            }
        )
        _non_negative(
            {
                "data.val_count": self.val_count,
                "data.max_images": self.max_images,
                "data.workers": self.workers,
            }
        )
        if not self.train:
            raise ConfigError("data.train: give at least one image folder")


@dataclass
class ModelConfig:
    """A registered model (``restora.models.list_models()``) and constructor overrides.
    ``init``: a folder written by ``restora.models.save_model`` (e.g. shipped weights) whose
    weights start the run (fine-tuning); "" = random initialisation. A resumed run's checkpoint
    replaces them. ``trainable``: parameter-name prefixes (``["stem", "up.3"]``) that train;
    everything else keeps its weights and its batch-norm statistics; empty = all train."""

    name: str = "unet.image2image"
    options: dict[str, Any] = field(default_factory=dict)
    init: str = ""
    trainable: list[str] = field(default_factory=list)


@dataclass
class DiscriminatorConfig:
    """Discriminator used when ``loss.terms.adversarial > 0``.

    ``conditional``: the discriminator sees ``cat(input, image)`` (pix2pix) instead of the image
    alone; ``in_channels`` is filled in from the task unless given in ``options``.
    """

    name: str = "patchgan.70"
    options: dict[str, Any] = field(default_factory=dict)
    conditional: bool = True


@dataclass
class ColorizeLossConfig:
    """Options of the colorization terms (``ab_classification``, ``ab_regression``).

    ``prior``: the empirical ab-bin distribution behind the class rebalancing - ``"auto"``
    counts the training images (validation held out; at most ``prior_images`` files, evenly
    spread, as ``prior_size``-px thumbnails; written to ``<out_dir>/ab_prior.json``),
    ``"uniform"`` turns rebalancing off (all weights 1), anything else is a ``.npy`` / ``.json``
    file of counts (``shared:`` paths allowed). Weights ``w ∝ ((1 - lam) p~ + lam / Q)^-1``, ``p~``
    the prior smoothed by a Gaussian of ``rebalance_sigma`` ab units, ``E_p~[w] = 1``. Targets are
    soft-encoded over the ``soft_neighbours`` nearest bins with a Gaussian of ``soft_sigma``.
    ``huber_delta``: where the smooth-L1 of ``ab_regression`` turns linear, in ab units.
    """

    prior: str = "auto"
    prior_images: int = 2000
    prior_size: int = 64
    rebalance_lambda: float = 0.5
    rebalance_sigma: float = 5.0
    soft_neighbours: int = 5
    soft_sigma: float = 5.0
    huber_delta: float = 1.0

    def __post_init__(self) -> None:
        _positive(
            {
                "loss.colorize.prior_size": self.prior_size,
                "loss.colorize.rebalance_sigma": self.rebalance_sigma,
                "loss.colorize.soft_neighbours": self.soft_neighbours,
                "loss.colorize.soft_sigma": self.soft_sigma,
                "loss.colorize.huber_delta": self.huber_delta,
            }
        )
        _non_negative({"loss.colorize.prior_images": self.prior_images})
        if not 0 < self.rebalance_lambda <= 1:
            raise ConfigError(
                f"loss.colorize.rebalance_lambda: must be in (0, 1], got {self.rebalance_lambda}"
            )
        if not self.prior:
            raise ConfigError('loss.colorize.prior: "auto", "uniform" or a file of bin counts')


@dataclass
class LossConfig:
    """Loss terms (name -> weight) and their options. Which names exist depends on the task
    (see :mod:`restora.train.tasks`); an unknown name fails naming it."""

    terms: dict[str, float] = field(default_factory=lambda: {"l1": 1.0})
    gan_mode: Literal["vanilla", "lsgan", "hinge"] = "lsgan"
    hole_alpha: float = 6.0
    vgg_weights: str | None = None
    vgg_layers: list[str] = field(default_factory=lambda: ["relu1_2", "relu2_2", "relu3_3"])
    dice_smooth: float = 1.0
    colorize: ColorizeLossConfig = field(default_factory=ColorizeLossConfig)

    def __post_init__(self) -> None:
        if not isinstance(self.terms, dict):
            raise ConfigError(f"loss.terms: expected a table of name = weight, got {self.terms!r}")
        for name, weight in self.terms.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise ConfigError(f"loss.terms.{name}: expected a number, got {weight!r}")
            if not math.isfinite(weight) or weight < 0:
                raise ConfigError(
                    f"loss.terms.{name}: weight must be finite and >= 0, got {weight}"
                )
            self.terms[name] = float(weight)
        if not any(w > 0 for w in self.terms.values()):
            raise ConfigError("loss.terms: at least one term needs a weight > 0")


@dataclass
class OptimConfig:
    """Adam / AdamW; ``grad_clip`` > 0 clips the global gradient norm; ``d_lr`` is the
    discriminator's learning rate (default: ``lr``)."""

    name: Literal["adam", "adamw"] = "adam"
    lr: float = 1e-3
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])
    weight_decay: float = 0.0
    grad_clip: float = 0.0
    d_lr: float | None = None

    def __post_init__(self) -> None:
        _positive({"optim.lr": self.lr})
        if self.d_lr is not None:
            _positive({"optim.d_lr": self.d_lr})
        _non_negative({"optim.weight_decay": self.weight_decay, "optim.grad_clip": self.grad_clip})
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ConfigError(f"optim.betas: two values in [0, 1), got {self.betas}")


@dataclass
class ScheduleConfig:
    """Learning-rate factor per step: linear ``warmup`` steps from 0, then ``constant``,
    ``step`` (times ``gamma`` every ``step_size`` steps) or ``cosine`` (down to ``min_factor``
    at the last step)."""

    name: Literal["constant", "step", "cosine"] = "constant"
    warmup: int = 0
    step_size: int = 1000
    gamma: float = 0.5
    min_factor: float = 0.0

    def __post_init__(self) -> None:
        _non_negative({"schedule.warmup": self.warmup, "schedule.min_factor": self.min_factor})
        _positive({"schedule.step_size": self.step_size, "schedule.gamma": self.gamma})


@dataclass
class LogConfig:
    """CSV log per step (rank 0); TensorBoard when ``tensorboard`` and the package is installed;
    a rich progress bar only when stderr is a terminal."""

    csv: bool = True
    tensorboard: bool = True
    progress: bool = True


@dataclass
class TrainConfig:
    """A whole training run. ``ema`` is the EMA decay of the model weights (0 = off);
    ``val_every`` / ``save_every`` of 0 validate / checkpoint only at the end; ``threads`` > 0
    sets ``torch.set_num_threads``."""

    task: TaskConfig = field(default_factory=TaskConfig)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    steps: int = 1000
    val_every: int = 0
    save_every: int = 0
    ema: float = 0.0
    seed: int = 0
    out_dir: str = "runs/train"
    device: str = "cpu"
    threads: int = 0
    log: LogConfig = field(default_factory=LogConfig)

    def __post_init__(self) -> None:
        _positive({"steps": self.steps})
        _non_negative(
            {
                "val_every": self.val_every,
                "save_every": self.save_every,
                "seed": self.seed,
                "threads": self.threads,
            }
        )
        if not 0 <= self.ema < 1:
            raise ConfigError(f"ema: decay in [0, 1) (0 = off), got {self.ema}")


def _positive(values: dict[str, float]) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ConfigError(f"{name}: must be > 0, got {value}")


def _non_negative(values: dict[str, float]) -> None:
    for name, value in values.items():
        if value < 0:
            raise ConfigError(f"{name}: must be >= 0, got {value}")


def config_from_mapping(data: dict[str, Any]) -> TrainConfig:
    """Build and check a :class:`TrainConfig` (unknown keys raise ``ConfigError`` naming them)."""
    return config_from_dict(TrainConfig, data)


def load_config(
    path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()
) -> TrainConfig:
    """Read ``path`` (TOML; None = defaults) and apply ``key.sub=value`` overrides.

    >>> load_config(None, ["steps=10", "optim.lr=1e-4"]).optim.lr
    0.0001
    """
    data = load_toml(path) if path is not None else {}
    return config_from_mapping(apply_overrides(data, list(overrides)))


_SLICE = re.compile(r"^(?P<folder>.+)\[(?P<start>\d*):(?P<stop>\d*)\]$")


def folder_slice(name: str) -> tuple[str, slice]:
    """``"dir[a:b]"`` -> ``("dir", slice(a, b))`` (files a..b-1 of the folder's sorted list);
    a plain name selects every file.

    >>> folder_slice("shared:train/caltech_faces[:123]")
    ('shared:train/caltech_faces', slice(None, 123, None))
    >>> folder_slice("shared:train/t91")
    ('shared:train/t91', slice(None, None, None))
    """
    match = _SLICE.match(name)
    if match is None:
        return name, slice(None)
    start, stop = match["start"], match["stop"]
    return match["folder"], slice(int(start) if start else None, int(stop) if stop else None)


def resolve_path(value: str) -> Path:
    """``shared:sub/dir`` -> ``<shared dir>/sub/dir``; anything else -> ``Path(value)``.

    Raises ``ConfigError`` when a ``shared:`` path is asked for and no shared folder exists.
    """
    if value.startswith(SHARED_PREFIX):
        root = shared_dir()
        if root is None:
            raise ConfigError(
                f"{value!r}: no shared data folder found (set $RESTORA_SHARED or put 'shared' "
                "beside the project)"
            )
        return root / value[len(SHARED_PREFIX) :].lstrip("/")
    return Path(value).expanduser()


def resolve_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with every string value starting with ``shared:`` resolved by
    :func:`resolve_path` (e.g. ``nvidia_folder = "shared:train/nvidia_irregular_masks_test"``)."""
    return {
        k: str(resolve_path(v)) if isinstance(v, str) and v.startswith(SHARED_PREFIX) else v
        for k, v in options.items()
    }


def config_to_toml(config: TrainConfig) -> str:
    """TOML text for ``config`` that :func:`load_config` reads back to an equal config."""
    data = config_to_dict(config)
    return _toml_table(data, prefix=())


def _toml_table(data: dict[str, Any], prefix: tuple[str, ...]) -> str:
    scalars = {k: v for k, v in data.items() if v is not None and not _is_table(v)}
    tables = {k: v for k, v in data.items() if _is_table(v)}
    lines = []
    if prefix and (scalars or not tables):
        lines.append(f"[{'.'.join(_toml_key(p) for p in prefix)}]")
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items()]
    text = "\n".join(lines)
    for key, value in tables.items():
        sub = _toml_table(value, (*prefix, key))
        text = f"{text}\n\n{sub}" if text else sub
    return text + ("\n" if not prefix else "")


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _toml_key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise ConfigError(f"cannot write {value!r} ({type(value).__name__}) to TOML")

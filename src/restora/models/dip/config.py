"""`DIPConfig`: every setting of one Deep Image Prior fit, typed and validated.

Presets (:mod:`restora.models.dip.presets`) are instances of this class; a run changes them with
:meth:`DIPConfig.with_overrides` (``{"iterations": 500, "net.channels_skip": [0] * 5}``) or
dotted ``key=value`` strings (the CLI's ``--set``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from restora.core.config import apply_overrides, config_from_dict, config_to_dict
from restora.core.errors import ConfigError

__all__ = ["TASKS", "DIPConfig", "Task"]

Task = Literal["denoise", "inpaint", "restore", "sr"]
TASKS: tuple[str, ...] = ("denoise", "inpaint", "restore", "sr")


@dataclass(frozen=True)
class DIPConfig:
    """Settings of one DIP fit.

    Network: ``model`` (registry name, e.g. ``dip.skip``) built with ``net`` overrides; its
    ``in_channels`` is ``input_depth`` and its ``out_channels`` the image's channels.

    Input: ``input_kind`` "noise" (uniform in ``[0, input_scale]``, ``input_depth`` planes) or
    "meshgrid" (2 planes of x / y in [0, 1]). Each step adds Gaussian noise of std
    ``reg_noise_std`` to it (0 = off).

    Optimizer: Adam with learning rate ``lr`` for at most ``iterations`` steps.

    Output: with ``exp_weight`` > 0 the returned image is the exponential moving average
    ``avg = exp_weight * avg + (1 - exp_weight) * output``; otherwise the last output.
    ``composite`` (inpaint / restore) puts the known pixels back into the result.

    Backtracking: every ``backtrack_every`` steps (0 = never) the fit PSNR ``-10 log10(loss)``
    is compared with the last accepted one; a drop of more than ``backtrack_db`` dB restores the
    parameters saved then, otherwise the current ones are saved.

    Early stopping (no ground truth; Wang et al., ES-WMV): with ``early_stop`` the variance of the
    last ``es_window`` images (``es_source`` "output": raw network outputs, as the paper;
    "average": the averaged outputs) is tracked; the fit stops when it has not reached a new
    minimum for ``es_patience`` steps and returns the image saved at the minimum.

    Speed: ``channels_last`` runs the network in NHWC memory format.

    Super-resolution: ``downsampler`` is the kernel of the differentiable downscaling in the loss
    ("lanczos2", "lanczos3", "cubic" - MATLAB-style :func:`restora.ops.resize.imresize`).
    """

    task: Task
    iterations: int = 3000
    lr: float = 0.01
    model: str = "dip.skip"
    net: dict[str, Any] = field(default_factory=dict)
    input_kind: Literal["noise", "meshgrid"] = "noise"
    input_depth: int = 32
    input_scale: float = 0.1
    reg_noise_std: float = 1.0 / 30.0
    exp_weight: float = 0.0
    composite: bool = True
    backtrack_every: int = 0
    backtrack_db: float = 5.0
    early_stop: bool = False
    es_window: int = 100
    es_patience: int = 1000
    es_source: Literal["output", "average"] = "output"
    channels_last: bool = False
    downsampler: Literal["lanczos2", "lanczos3", "cubic"] = "lanczos2"

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ConfigError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if self.iterations < 1:
            raise ConfigError(f"iterations must be >= 1, got {self.iterations}")
        if not self.lr > 0:
            raise ConfigError(f"lr must be > 0, got {self.lr}")
        if self.input_kind == "meshgrid" and self.input_depth != 2:
            raise ConfigError(
                f"a meshgrid input has 2 planes: set input_depth = 2, got {self.input_depth}"
            )
        if self.input_depth < 1 or self.input_scale <= 0 or self.reg_noise_std < 0:
            raise ConfigError("input_depth >= 1, input_scale > 0 and reg_noise_std >= 0 are needed")
        if not 0.0 <= self.exp_weight < 1.0:
            raise ConfigError(f"exp_weight must be in [0, 1), got {self.exp_weight}")
        if self.backtrack_every < 0 or self.backtrack_db <= 0:
            raise ConfigError("backtrack_every must be >= 0 and backtrack_db > 0")
        if self.es_window < 2 or self.es_patience < 1:
            raise ConfigError(
                f"es_window must be >= 2 and es_patience >= 1, got {self.es_window}, "
                f"{self.es_patience}"
            )
        for key in ("in_channels", "out_channels"):
            if key in self.net:
                raise ConfigError(f"net.{key} is set by the fit (input_depth / image channels)")

    def with_overrides(self, overrides: dict[str, Any] | list[str]) -> DIPConfig:
        """A copy with ``overrides``: a dict (dotted keys allowed) or ``key=value`` strings.

        >>> DIPConfig(task="denoise").with_overrides(["iterations=10", "net.sigmoid=false"]).net
        {'sigmoid': False}
        """
        data = config_to_dict(self)
        if isinstance(overrides, dict):
            overrides = [f"{k}={_toml(v)}" for k, v in overrides.items()]
        merged = apply_overrides(data, overrides)
        return config_from_dict(DIPConfig, merged, where="dip")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of every field."""
        return config_to_dict(self)

    def replace(self, **changes: Any) -> DIPConfig:
        """``dataclasses.replace`` (validated again)."""
        return dataclasses.replace(self, **changes)


def _toml(value: Any) -> str:
    """A Python value as the TOML scalar/array text ``apply_overrides`` parses back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, (int, float)):
        return repr(value)
    raise ConfigError(f"cannot express override value {value!r}")

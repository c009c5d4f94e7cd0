"""Named DIP settings: ``official_<task>`` (the authors' notebooks) and ``default_<task>``
(restora's faster CPU settings with automatic early stopping).

Official settings (DmitryUlyanov/deep-image-prior notebooks, read for their numbers):

- denoise (``denoising.ipynb``, F16, sigma 25): ``dip.skip`` (5 x 128 channels, 4-channel skips,
  bilinear), 32 noise planes, Adam lr 0.01, 3000 iterations, reg. noise 1/30, exponential
  averaging 0.99, backtracking on a 5 dB drop checked every step.
- inpaint (``inpainting.ipynb``, kate.png): ``dip.skip_inpaint`` (128-channel skips, nearest),
  lr 0.01, 6001 iterations, reg. noise 0.03, no averaging, no backtracking.
- restore (``restoration.ipynb``, barbara 50 % pixels): ``dip.skip``, lr 0.001, 11000
  iterations, reg. noise 0.03, backtracking every 50 steps.
- sr (``super-resolution.ipynb``, x4): ``dip.skip``, lr 0.01, 2000 iterations, reg. noise
  0.03, Lanczos-2 downsampler (for x8 the notebook uses 4000 iterations and reg. noise 0.05).

restora's defaults use ``dip.skip_fast`` (a channel pyramid 32-64-64-128-128: about 1/6 of the
multiply-adds at 256 x 256), channels-last memory, exponential averaging for every task and
ES-WMV early stopping (window 100); ``iterations`` is then only a cap.
"""

from __future__ import annotations

from restora.core.registry import unknown_name
from restora.models.dip.config import DIPConfig

__all__ = ["PRESETS", "get_preset", "preset_names"]

_FAST = {"model": "dip.skip_fast", "channels_last": True, "exp_weight": 0.99, "early_stop": True}

PRESETS: dict[str, DIPConfig] = {
    "official_denoise": DIPConfig(
        task="denoise",
        iterations=3000,
        lr=0.01,
        reg_noise_std=1.0 / 30.0,
        exp_weight=0.99,
        backtrack_every=1,
    ),
    "official_inpaint": DIPConfig(
        task="inpaint", iterations=6001, lr=0.01, model="dip.skip_inpaint", reg_noise_std=0.03
    ),
    "official_restore": DIPConfig(
        task="restore", iterations=11000, lr=0.001, reg_noise_std=0.03, backtrack_every=50
    ),
    "official_sr": DIPConfig(
        task="sr", iterations=2000, lr=0.01, reg_noise_std=0.03, downsampler="lanczos2"
    ),
    "default_denoise": DIPConfig(
        task="denoise",
        iterations=3000,
        reg_noise_std=1.0 / 30.0,
        backtrack_every=1,
        es_window=100,
        es_patience=300,
        **_FAST,
    ),
    "default_inpaint": DIPConfig(
        task="inpaint",
        iterations=3000,
        reg_noise_std=0.03,
        backtrack_every=1,
        es_window=100,
        es_patience=300,
        **_FAST,
    ),
    "default_restore": DIPConfig(
        task="restore",
        iterations=4000,
        reg_noise_std=0.03,
        backtrack_every=1,
        es_window=100,
        es_patience=300,
        **_FAST,
    ),
    "default_sr": DIPConfig(
        task="sr",
        iterations=2000,
        reg_noise_std=0.03,
        downsampler="cubic",
        backtrack_every=1,
        es_window=100,
        es_patience=300,
        **_FAST,
    ),
}


def preset_names(task: str | None = None) -> list[str]:
    """Preset names, all or those of ``task``, sorted."""
    return sorted(n for n, c in PRESETS.items() if task is None or c.task == task)


def get_preset(name: str) -> DIPConfig:
    """The preset ``name`` (``KeyError`` naming close matches when unknown).

    >>> get_preset("official_denoise").iterations
    3000
    """
    try:
        return PRESETS[name]
    except KeyError:
        raise unknown_name("DIP preset", name, PRESETS) from None

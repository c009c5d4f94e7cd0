"""Deep Image Prior (Ulyanov, Vedaldi, Lempitsky, "Deep Image Prior", CVPR 2018): restore one
image by fitting an untrained network to it - denoise, inpaint, restore missing pixels,
super-resolve - with regularising input noise, output averaging, backtracking and
ground-truth-free early stopping (ES-WMV).

DIP has no weights: its inference is a fit, so the networks and the fitting loop live here,
where the pipeline (``inpaint.method = "dip"``) and the ``restora dip`` command both use them.

>>> from restora.models.dip import get_preset
>>> get_preset("default_denoise").early_stop
True
"""

from restora.models.dip.backtrack import Backtracker
from restora.models.dip.config import TASKS, DIPConfig
from restora.models.dip.downsample import Downsampler
from restora.models.dip.early_stop import WindowedVarianceStop
from restora.models.dip.fit import DIPProgress, DIPResult, fit_dip
from restora.models.dip.inputs import network_input
from restora.models.dip.presets import PRESETS, get_preset, preset_names
from restora.models.dip.problems import Problem, make_problem, random_drop_mask
from restora.models.dip.skip import DIPSkip

__all__ = [
    "PRESETS",
    "TASKS",
    "Backtracker",
    "DIPConfig",
    "DIPProgress",
    "DIPResult",
    "DIPSkip",
    "Downsampler",
    "Problem",
    "WindowedVarianceStop",
    "fit_dip",
    "get_preset",
    "make_problem",
    "network_input",
    "preset_names",
    "random_drop_mask",
]

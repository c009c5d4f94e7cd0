"""Deep Image Prior (Ulyanov et al., CVPR 2018): restore one image by fitting an untrained
network to it - denoise, inpaint, restore missing pixels, super-resolve - with regularising
input noise, output averaging, backtracking and ground-truth-free early stopping (ES-WMV).

>>> from restora.train.dip import get_preset
>>> get_preset("default_denoise").early_stop
True
"""

from restora.train.dip.backtrack import Backtracker
from restora.train.dip.config import TASKS, DIPConfig
from restora.train.dip.downsample import Downsampler
from restora.train.dip.early_stop import WindowedVarianceStop
from restora.train.dip.fit import DIPProgress, DIPResult, fit_dip
from restora.train.dip.inputs import network_input
from restora.train.dip.presets import PRESETS, get_preset, preset_names
from restora.train.dip.problems import Problem, make_problem, random_drop_mask

__all__ = [
    "PRESETS",
    "TASKS",
    "Backtracker",
    "DIPConfig",
    "DIPProgress",
    "DIPResult",
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

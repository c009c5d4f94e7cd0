"""Colorization models: Zhang et al. ECCV16 (313-bin classification) and SIGGRAPH17 (user
hints), with the authors' layer names so their checkpoints load; the Lab helper that runs any
colorizer at model resolution and keeps the photo's full-resolution lightness."""

from restora.models.colorization.eccv16 import NUM_BINS, ZhangECCV16
from restora.models.colorization.lab_colorize import (
    ColorizerDescriptor,
    LabColorizer,
    colorize_lab,
    model_size,
)
from restora.models.colorization.siggraph17 import ZhangSIGGRAPH17
from restora.models.colorization.zhang_weights import load_zhang_checkpoint, load_zhang_state_dict

__all__ = [
    "NUM_BINS",
    "ColorizerDescriptor",
    "LabColorizer",
    "ZhangECCV16",
    "ZhangSIGGRAPH17",
    "colorize_lab",
    "load_zhang_checkpoint",
    "load_zhang_state_dict",
    "model_size",
]

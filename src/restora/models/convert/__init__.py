"""Convert foreign checkpoints (official DnCNN / FFDNet) to restora models by explicit key maps.

>>> model, info = import_checkpoint("GD_Color_Blind.mat")  # doctest: +SKIP
>>> info.arch, model.config["batch_norm"]  # doctest: +SKIP
('dncnn', False)
"""

from __future__ import annotations

from restora.models.convert.dncnn import (
    convert_legacy_dncnn,
    convert_matconvnet_dncnn,
    legacy_dncnn_key_map,
    matconvnet_dncnn_key_map,
)
from restora.models.convert.ffdnet import (
    convert_matconvnet_ffdnet,
    matconvnet_ffdnet_key_map,
    subpixel_permutation,
)
from restora.models.convert.importer import (
    Converted,
    convert_checkpoint,
    import_checkpoint,
    matching_models,
)
from restora.models.convert.matconvnet import MatLayer, conv_to_torch, read_simplenn
from restora.models.convert.official import OFFICIAL, OfficialWeights, find_official

__all__ = [
    "OFFICIAL",
    "Converted",
    "MatLayer",
    "OfficialWeights",
    "conv_to_torch",
    "convert_checkpoint",
    "convert_legacy_dncnn",
    "convert_matconvnet_dncnn",
    "convert_matconvnet_ffdnet",
    "find_official",
    "import_checkpoint",
    "legacy_dncnn_key_map",
    "matching_models",
    "matconvnet_dncnn_key_map",
    "matconvnet_ffdnet_key_map",
    "read_simplenn",
    "subpixel_permutation",
]

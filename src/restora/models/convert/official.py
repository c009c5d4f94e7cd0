"""The official DnCNN / FFDNet weight files restora can import, as :class:`Weights` records.

URLs point at the authors' repositories at the commits the files were checked against; the
sha256 lets ``restora models import`` recognize a file and pick its model name. None of the
files is downloaded by restora unless a user asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from restora.core.weights import Weights

__all__ = ["OFFICIAL", "OfficialWeights", "find_official"]

_DNCNN = "https://raw.githubusercontent.com/cszn/DnCNN/e93b27812d3ff523a3a79d19e5e50d233d7a8d0a"
_FFDNET = "https://raw.githubusercontent.com/cszn/FFDNet/e787f46df2f374ff3591186706229cb9a0591fea"
_DNCNN_LICENSE = (
    "no licence file in cszn/DnCNN (all rights reserved by default); the authors ask users to "
    "cite Zhang et al., IEEE TIP 2017"
)
_FFDNET_LICENSE = (
    "no licence file in cszn/FFDNet (all rights reserved by default); the authors ask users to "
    "cite Zhang et al., IEEE TIP 2018"
)


@dataclass(frozen=True)
class OfficialWeights:
    """An official file: its :class:`Weights` record and the restora model name it becomes."""

    model: str
    description: str
    weights: Weights


OFFICIAL: dict[str, OfficialWeights] = {
    "dncnn_pytorch_sigma25": OfficialWeights(
        model="dncnn.s_gray",
        description="DnCNN-S, gray, sigma 25 (official PyTorch port, legacy pickled module)",
        weights=Weights(
            file_name="dncnn_pytorch_sigma25_model.pth",
            sha256="1cbd0af9c6f83b2f2a8254fb21ad0c09e4771e042805544d7e886f71eb4a8b8c",
            url=f"{_DNCNN}/TrainingCodes/dncnn_pytorch/models/DnCNN_sigma25/model.pth",
            license=_DNCNN_LICENSE,
            training_data="400 BSD images (Train400), AWGN sigma 25",
            source="cszn/DnCNN TrainingCodes/dncnn_pytorch/models/DnCNN_sigma25/model.pth",
            metrics={"paper_psnr_bsd68_sigma25": 29.23},
        ),
    ),
    "dncnn_matconvnet_gray_blind": OfficialWeights(
        model="dncnn.b_gray_mat",
        description="DnCNN-B, gray, blind sigma 0-55 (MatConvNet, BN folded)",
        weights=Weights(
            file_name="GD_Gray_Blind.mat",
            sha256="37f76da0b71dd2b2789ce91848fe2f184ab486203c9af9ac1b98199b60ea02b0",
            url=f"{_DNCNN}/model/GD_Gray_Blind.mat",
            license=_DNCNN_LICENSE,
            training_data="400 BSD images (Train400), AWGN sigma 0-55",
            source="cszn/DnCNN model/GD_Gray_Blind.mat",
            metrics={"paper_psnr_bsd68_sigma25": 29.16},
        ),
    ),
    "dncnn_matconvnet_color_blind": OfficialWeights(
        model="dncnn.b_color_mat",
        description="CDnCNN-B, colour, blind sigma 0-55 (MatConvNet, BN folded)",
        weights=Weights(
            file_name="GD_Color_Blind.mat",
            sha256="57db5437a44037e7675a99042fe7b14d3dcdf1c333d3ec665855566e8a59795c",
            url=f"{_DNCNN}/model/GD_Color_Blind.mat",
            license=_DNCNN_LICENSE,
            training_data="432 colour BSD images (CBSD500 minus CBSD68), AWGN sigma 0-55",
            source="cszn/DnCNN model/GD_Color_Blind.mat",
            metrics={"paper_psnr_cbsd68_sigma25": 31.24},
        ),
    ),
    "ffdnet_matconvnet_gray": OfficialWeights(
        model="ffdnet.gray",
        description="FFDNet, gray, non-blind sigma 0-75 (MatConvNet)",
        weights=Weights(
            file_name="FFDNet_gray.mat",
            sha256="14c231e87a444a9bd85b0b5e174e73b4f6ac50bf4050e75a0d3f4d69f77a2093",
            url=f"{_FFDNET}/models/FFDNet_gray.mat",
            license=_FFDNET_LICENSE,
            training_data="BSD400 + 400 ImageNet val + 4744 Waterloo images, sigma 0-75",
            source="cszn/FFDNet models/FFDNet_gray.mat",
            metrics={"paper_psnr_bsd68_sigma25": 29.19},
        ),
    ),
    "ffdnet_matconvnet_color": OfficialWeights(
        model="ffdnet.color",
        description="FFDNet, colour, non-blind sigma 0-75 (MatConvNet)",
        weights=Weights(
            file_name="FFDNet_color.mat",
            sha256="a4b5a9da21294ab9ba6ed5c6cc459c46dff20c025eb7d3ab82e8e0bb00541793",
            url=f"{_FFDNET}/models/FFDNet_color.mat",
            license=_FFDNET_LICENSE,
            training_data="BSD400 + 400 ImageNet val + 4744 Waterloo images, sigma 0-75",
            source="cszn/FFDNet models/FFDNet_color.mat",
            metrics={"paper_psnr_cbsd68_sigma25": 31.21},
        ),
    ),
}


def find_official(sha256: str) -> OfficialWeights | None:
    """The official record whose file has this sha256, if any."""
    for record in OFFICIAL.values():
        if record.weights.sha256 == sha256.lower():
            return record
    return None

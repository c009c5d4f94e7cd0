"""Losses: element-wise functions with ``weight=``/``reduction=`` (BasicSR's decorator), masked,
feature (VGG16), adversarial, segmentation and colour-rebalancing losses, thin Module wrappers,
and a composer returning ``(total, {term: value})``.

Masks follow restora's contract: ``(B, 1, H, W)``, 1 = hole.
"""

from restora.losses.adversarial import GANLoss, feature_matching_loss, gan_loss
from restora.losses.composer import LossComposer, LossTerm
from restora.losses.masked import hole_valid_l1
from restora.losses.modules import (
    CharbonnierLoss,
    DiceLoss,
    HoleValidL1Loss,
    RebalancedCrossEntropyLoss,
    TVLoss,
)
from restora.losses.perceptual import (
    PerceptualLoss,
    StyleLoss,
    VGGLoss,
    gram_matrix,
    perceptual_loss,
    style_loss,
)
from restora.losses.pixel import charbonnier, l1, mse, smooth_l1
from restora.losses.rebalance import (
    AbClassificationLoss,
    rebalance_weights,
    rebalanced_cross_entropy,
    smooth_distribution,
)
from restora.losses.reduction import reduce_loss, weighted_loss
from restora.losses.segmentation import cross_entropy, dice_loss, lovasz_hinge
from restora.losses.structural import ssim_loss
from restora.losses.variation import dilate_mask, tv_loss
from restora.losses.vgg import VGG16_LAYER_NAMES, VGGFeatures, VGGWeightsError, read_state_dict

__all__ = [
    "VGG16_LAYER_NAMES",
    "AbClassificationLoss",
    "CharbonnierLoss",
    "DiceLoss",
    "GANLoss",
    "HoleValidL1Loss",
    "LossComposer",
    "LossTerm",
    "PerceptualLoss",
    "RebalancedCrossEntropyLoss",
    "StyleLoss",
    "TVLoss",
    "VGGFeatures",
    "VGGLoss",
    "VGGWeightsError",
    "charbonnier",
    "cross_entropy",
    "dice_loss",
    "dilate_mask",
    "feature_matching_loss",
    "gan_loss",
    "gram_matrix",
    "hole_valid_l1",
    "l1",
    "lovasz_hinge",
    "mse",
    "perceptual_loss",
    "read_state_dict",
    "rebalance_weights",
    "rebalanced_cross_entropy",
    "reduce_loss",
    "smooth_distribution",
    "smooth_l1",
    "ssim_loss",
    "style_loss",
    "tv_loss",
    "weighted_loss",
]

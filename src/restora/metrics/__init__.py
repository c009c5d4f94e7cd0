"""Image-quality metrics following the published protocols (PSNR/SSIM on Y, border crop)."""

from restora.metrics.ab_auc import ab_auc, ab_error_cdf
from restora.metrics.colorfulness import colorfulness
from restora.metrics.delta_e import delta_e2000, mean_delta_e2000
from restora.metrics.mae import mae
from restora.metrics.psnr import psnr
from restora.metrics.segmentation import dice, iou, precision_recall
from restora.metrics.sr_protocol import mod_crop, quantize_8bit
from restora.metrics.ssim import ssim

__all__ = [
    "ab_auc",
    "ab_error_cdf",
    "colorfulness",
    "delta_e2000",
    "dice",
    "iou",
    "mae",
    "mean_delta_e2000",
    "mod_crop",
    "precision_recall",
    "psnr",
    "quantize_8bit",
    "ssim",
]

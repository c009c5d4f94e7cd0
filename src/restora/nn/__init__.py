"""restora.nn: learned building blocks (partial / gated convolution, spectral norm, residual
blocks, upsamplers, dilated convolutions, ASPP) and small helpers (norm/activation by name,
padding to a size multiple)."""

from __future__ import annotations

from restora.nn.aspp import ASPP
from restora.nn.conv_block import ConvNormAct
from restora.nn.dilated import DilatedConvBlock
from restora.nn.gated_conv import GatedConv2d
from restora.nn.norm import Activation, Norm, make_activation, make_norm
from restora.nn.padding import crop_to, pad_to_multiple, padded_size
from restora.nn.partial_conv import PartialConv2d
from restora.nn.residual import ResidualBlock
from restora.nn.spectral_norm import apply_spectral_norm, spectral_norm
from restora.nn.upsample import (
    PixelShuffleUpsampler,
    ResizeConvUpsampler,
    TransposedConvUpsampler,
    Upsampling,
    make_upsampler,
)

__all__ = [
    "ASPP",
    "Activation",
    "ConvNormAct",
    "DilatedConvBlock",
    "GatedConv2d",
    "Norm",
    "PartialConv2d",
    "PixelShuffleUpsampler",
    "ResidualBlock",
    "ResizeConvUpsampler",
    "TransposedConvUpsampler",
    "Upsampling",
    "apply_spectral_norm",
    "crop_to",
    "make_activation",
    "make_norm",
    "make_upsampler",
    "pad_to_multiple",
    "padded_size",
    "spectral_norm",
]

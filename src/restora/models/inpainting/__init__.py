"""Inpainting models: partial-convolution U-Net, gated-convolution network."""

"""Inpainting models: partial-convolution U-Net, gated-convolution network, learned refinement
of a classical fill."""

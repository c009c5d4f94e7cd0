"""Segmentation models (damage masks): a configurable U-Net."""

"""Denoising models (DnCNN)."""

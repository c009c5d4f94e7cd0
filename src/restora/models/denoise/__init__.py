"""Denoising models (DnCNN, FFDNet)."""

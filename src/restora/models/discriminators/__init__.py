"""Discriminators for adversarial training (PatchGAN, SN-PatchGAN)."""

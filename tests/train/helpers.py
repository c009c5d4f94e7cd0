"""Helpers for trainer tests: synthetic photos and overrides for seconds-long runs."""

from __future__ import annotations

from pathlib import Path

import torch

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
PRESETS = ("sr", "denoise", "colorize", "inpaint", "damage", "edges2image")

# Tiny models and crops per preset (the configs' architectures, narrowed): 200 steps in seconds.
TINY = {
    "sr": ["model.options.width=8", "model.options.num_blocks=1"],
    "denoise": ["model.options.width=8", "model.options.depth=3"],
    "colorize": ["model.options.width=8", "model.options.depth=2"],
    "inpaint": [
        "model.options.width=8",
        "model.options.depth=3",
        "loss.terms.perceptual=0.0",
        'task.options.masks=["free_form", "boxes"]',
        'task.options.nvidia_folder=""',  # no NVIDIA masks: runs without ../shared
        "loss.terms.adversarial=0.01",
        "discriminator.options.width=8",
    ],
    "damage": ["model.options.width=8", "model.options.depth=2"],
    "edges2image": [
        "model.options.width=8",
        "model.options.num_downs=5",
        "discriminator.options.width=8",
        "discriminator.options.n_layers=2",
        "optim.lr=1e-3",
    ],
}


PALETTE = torch.tensor([[0.9, 0.2, 0.1], [0.95, 0.85, 0.2], [0.2, 0.3, 0.9]])


def synthetic_photo(seed: int, height: int = 64, width: int = 80) -> torch.Tensor:
    """A photo-like test image, float32 (1, 3, H, W) in [0, 1]: a smooth green-grey background
    with three flat rectangles in palette colours (edges for Canny, colours tied to lightness,
    so every preset has something learnable within 200 steps)."""
    g = torch.Generator().manual_seed(seed)
    base = torch.tensor([0.2, 0.45, 0.25]).view(1, 3, 1, 1)
    noise = torch.rand(1, 3, 4, 5, generator=g) - 0.5
    smooth = torch.nn.functional.interpolate(
        noise, size=(height, width), mode="bicubic", align_corners=False
    )
    image = base + 0.3 * smooth
    for _ in range(3):
        top, left = (int(v) for v in torch.randint(0, min(height, width) - 16, (2,), generator=g))
        h, w = (int(v) for v in torch.randint(8, 24, (2,), generator=g))
        colour = PALETTE[int(torch.randint(0, 3, (1,), generator=g))] + 0.05 * torch.randn(
            3, generator=g
        )
        image[0, :, top : top + h, left : left + w] = colour.view(3, 1, 1)
    return image.clamp(0, 1)


def run_overrides(folder: Path, out_dir: Path, *, steps: int = 200) -> list[str]:
    """Overrides for a seconds-long CPU run of any config on ``folder`` (the model unchanged)."""
    return [
        f"steps={steps}",
        f'data.train=["{folder.as_posix()}"]',
        "data.val=[]",
        "data.val_count=2",
        "data.crop=32",
        "data.val_crop=48",
        "data.batch_size=4",
        "data.workers=0",
        "data.cache=true",
        "val_every=0",
        "save_every=0",
        "threads=1",
        "log.progress=false",
        f'out_dir="{out_dir.as_posix()}"',
    ]


def tiny_overrides(preset: str, folder: Path, out_dir: Path, *, steps: int = 200) -> list[str]:
    """Overrides turning ``configs/<preset>.toml`` into a seconds-long CPU run on ``folder``."""
    return [*run_overrides(folder, out_dir, steps=steps), *TINY[preset]]

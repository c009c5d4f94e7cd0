"""``analyze``: facts later stages decide on — tone (colour/monochrome/sepia) and noise level."""

from __future__ import annotations

import torch

from restora.io import detect_tone
from restora.ops.noise import estimate_noise_sigma
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage

_SAMPLE = 512  # edge of the crops the noise level is estimated on


def sample_crops(image: torch.Tensor, size: int = _SAMPLE, count: int = 4) -> list[torch.Tensor]:
    """Up to ``count`` full-resolution crops spread over the image (for cheap statistics)."""
    _, _, h, w = image.shape
    if h <= size and w <= size:
        return [image]
    ys = torch.linspace(0, max(h - size, 0), 2).long().tolist()
    xs = torch.linspace(0, max(w - size, 0), 2).long().tolist()
    crops = [image[..., y : y + size, x : x + size] for y in ys for x in xs]
    return crops[:count]


class AnalyzeStage(Stage):
    name = "analyze"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        image = restoration.image
        step = max(1, int(max(image.shape[-2:]) // 1024))
        tone = detect_tone(image[..., ::step, ::step])
        sigmas = [float(estimate_noise_sigma(c)[0]) for c in sample_crops(image)]
        sigma = float(torch.tensor(sigmas).median()) * 255.0
        restoration.flags.update(tone=tone, monochrome=tone != "color", noise_sigma=sigma)
        h, w = image.shape[-2:]
        notes = [f"{w}x{h}, tone {tone}, estimated noise sigma {sigma:.1f}/255"]
        if restoration.meta is not None:
            notes.extend(restoration.meta.notes)
        return StageRecord(stage=self.name, method="statistics", ran=True, notes=notes)

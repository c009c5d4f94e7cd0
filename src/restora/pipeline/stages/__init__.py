"""The pipeline's stages, registered by name in :data:`STAGES` from an explicit list."""

from __future__ import annotations

from restora.core.registry import Registry
from restora.pipeline.stages.analyze import AnalyzeStage
from restora.pipeline.stages.base import Stage
from restora.pipeline.stages.colorize import ColorizeStage
from restora.pipeline.stages.correct_color import CorrectColorStage
from restora.pipeline.stages.denoise import DenoiseStage
from restora.pipeline.stages.detect import DetectDamageStage
from restora.pipeline.stages.inpaint import InpaintStage
from restora.pipeline.stages.upscale import UpscaleStage

STAGES: Registry[type[Stage]] = Registry("stage")
for _stage in (
    AnalyzeStage,
    DetectDamageStage,
    InpaintStage,
    DenoiseStage,
    CorrectColorStage,
    ColorizeStage,
    UpscaleStage,
):
    STAGES.add(_stage.name, _stage)

__all__ = ["STAGES", "Stage"]

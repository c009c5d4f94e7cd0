"""``correct_color``: take the fade and colour cast off a colour photo.

Only colour photos are touched (a monochrome or toned photo keeps its tone; colorizing is the
``colorize`` stage's, on request). ``color.method``: ``auto`` (the default) is restora's
:func:`~restora.ops.color_correct.correct_fade` where the photo is clearly faded (see
:data:`BLACK_LIMIT`) and nothing otherwise; ``fade`` is that correction always; ``levels`` and
``gray_world`` are the classic baselines, always applied.
"""

from __future__ import annotations

import torch

from restora.ops.color_correct import (
    FadeEstimate,
    auto_levels,
    correct_fade,
    fade_estimate,
    gray_world,
)
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage

# ``auto`` corrects a photo whose blacks are lifted above this (luma of its darkest 2 %, 0..100).
# Chosen on BSDS500 train prints (benchmarks/color_correct.py gate): the limit that gave the
# lowest mean CIEDE2000 over faded prints and clean photos together. A cast, dimmed whites or
# low chroma did not tell faded prints from clean photos there (warm scenes, skies, fog), so
# they do not trigger it; ``color.method = fade`` corrects regardless.
BLACK_LIMIT = 26.0


def needs_correction(estimate: FadeEstimate) -> list[str]:
    """The signs of fading ``estimate`` shows that ``auto`` acts on (empty: none)."""
    if estimate.black > BLACK_LIMIT:
        return [f"blacks lifted to {estimate.black:.0f} %"]
    return []


class CorrectColorStage(Stage):
    name = "correct_color"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.color
        if options.method == "none":
            return self.skip("none", "colour correction turned off")
        tone = restoration.analysis.tone
        if tone != "color":
            return self.skip(options.method, f"{tone} photo: its tone is kept")
        image = restoration.image
        if options.method in ("auto", "fade"):
            estimate = fade_estimate(image)
            signs = needs_correction(estimate)
            if options.method == "auto" and not signs:
                return self.skip(
                    "fade",
                    f"no clear sign of fading ({_describe(estimate)}): colours kept "
                    "(--set color.method=fade corrects anyway)",
                )
            corrected = correct_fade(image, strength=options.strength)
            method = "fade"
            why = ", ".join(signs) if signs else "asked for"
            note = f"faded colour photo ({why}): restora's fade correction"
        else:
            fn = auto_levels if options.method == "levels" else gray_world
            corrected = torch.lerp(image.float(), fn(image), options.strength)
            method = options.method
            note = f"{method.replace('_', '-')} correction"
        if options.strength < 1:
            note += f" at strength {options.strength:g}"
        restoration.image = corrected
        return StageRecord(stage=self.name, method=method, ran=True, notes=[note])


def _describe(estimate: FadeEstimate) -> str:
    return (
        f"cast {estimate.cast:.1f}, range {estimate.black:.0f}-{estimate.white:.0f} %, "
        f"chroma {estimate.chroma:.1f}"
    )

"""``correct_color``: take the fade and colour cast off a colour photo.

Only colour photos are touched (a monochrome or toned photo keeps its tone; colorizing is the
``colorize`` stage's, on request). ``color.method``: ``auto`` (the default) is restora's
:func:`~restora.ops.color_correct.correct_fade`, applied when the photo measurably needs it (a
cast, lifted blacks or dimmed whites, washed-out colour) and skipped otherwise; ``levels`` and
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

# Below all of these a photo is left alone by ``auto``: CIE ab units for the cast, L for the
# tone range, mean CIE chroma for washed-out colour (chosen with the correction's parameters).
CAST_LIMIT = 4.0
BLACK_LIMIT = 12.0
WHITE_LIMIT = 85.0
CHROMA_LIMIT = 8.0


def needs_correction(estimate: FadeEstimate) -> list[str]:
    """The signs of fading ``estimate`` shows (empty: none)."""
    signs = []
    if estimate.cast > CAST_LIMIT:
        signs.append(f"colour cast {estimate.cast:.1f}")
    if estimate.black > BLACK_LIMIT:
        signs.append(f"blacks lifted to L {estimate.black:.0f}")
    if estimate.white < WHITE_LIMIT:
        signs.append(f"whites dimmed to L {estimate.white:.0f}")
    if estimate.chroma < CHROMA_LIMIT:
        signs.append(f"colours washed out (chroma {estimate.chroma:.1f})")
    return signs


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
        if options.method == "auto":
            estimate = fade_estimate(image)
            signs = needs_correction(estimate)
            if not signs:
                return self.skip(
                    "fade", f"no sign of fading or cast ({_describe(estimate)}): colours kept"
                )
            corrected = correct_fade(image, strength=options.strength)
            method = "fade"
            note = f"faded / cast colour photo ({', '.join(signs)}): restora's fade correction"
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
        f"cast {estimate.cast:.1f}, L range {estimate.black:.0f}-{estimate.white:.0f}, "
        f"chroma {estimate.chroma:.1f}"
    )

"""``analyze``: report what is known about the photo - size, tone, noise level - and what that
decides. The facts themselves are computed on demand by whichever stage needs them first
(:class:`~restora.pipeline.analysis.Analysis`), so every stage also works without this one."""

from __future__ import annotations

from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage


def tone_decision(tone: str, spec: PipelineSpec) -> str:
    """What the pipeline does about a photo of this ``tone`` under ``spec``, and why."""
    if tone == "color":
        if "correct_color" in spec.stages and spec.color.method != "none":
            return "colour photo: colours corrected only where faded or cast (correct_color)"
        return "colour photo: colours kept"
    if "colorize" in spec.stages and not spec.colorize.keep_monochrome:
        return f"{tone} photo: colorized on request"
    return (
        f"{tone} photo: kept {tone} (colorizing would invent colours; ask with --colorize, "
        "colour hints or --stages ...,colorize)"
    )


class AnalyzeStage(Stage):
    name = "analyze"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        analysis = restoration.analysis
        h, w = analysis.size
        notes = [
            f"{w}x{h}, tone {analysis.tone}, estimated noise sigma {analysis.noise_sigma:.1f}/255",
            tone_decision(analysis.tone, spec),
        ]
        if restoration.meta is not None:
            notes.extend(restoration.meta.notes)
        return StageRecord(stage=self.name, method="statistics", ran=True, notes=notes)

"""``colorize``: no colorization method exists yet, so monochrome photos stay monochrome.

This stage says so plainly rather than pretending; the colorization issue plugs models in here.
"""

from __future__ import annotations

from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage


class ColorizeStage(Stage):
    name = "colorize"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        tone = restoration.flags.get("tone")
        if spec.colorize.keep_monochrome:
            return self.skip("none", "kept monochrome on request")
        if tone == "color":
            return self.skip("none", "colour photo: not re-colorized")
        if tone is None:
            return self.skip("none", "tone unknown (run 'analyze'): left as it is")
        return self.skip(
            spec.colorize.method,
            f"{tone} photo kept as it is: no colorization method is available yet",
        )

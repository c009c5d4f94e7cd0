"""``colorize``: colour for monochrome and toned photos, from hints or a trained colorizer.

Colorizing invents colours, so the stage runs only when asked for (named in ``stages``,
``--colorize``, or colour hints). Decision (``spec.colorize``; the tone is the photo's, computed
on demand):

1. ``keep_monochrome``, method ``none`` or a colour photo: nothing is done (colour photos are
   never re-colorized: a faded or cast colour print is corrected by ``correct_color``).
2. With ``hints``: Levin et al.'s colorization by optimization (``auto`` or ``levin``; no
   weights needed, and it follows the hints more closely than restora's network: see
   ``benchmarks/results/colorize.md``), or restora's colorizer fed the hints (``model``).
3. Without hints: restora's colorizer (catalogue entry ``colorize.siggraph17``) where its
   weights are installed; where they are not, the photo is left as it is and the record says so.

Every method takes the colour from the photo's own full-resolution lightness, so detail is
kept exactly and a sepia photo's tint is replaced by colours.
"""

from __future__ import annotations

from restora.color.hints import hints_to_ab
from restora.io.hints import read_hints
from restora.models.catalogue import installed, load
from restora.models.colorization.lab_colorize import ColorizerDescriptor
from restora.ops.colorize_levin import levin_colorize
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import ColorizeSpec, PipelineSpec
from restora.pipeline.stages.base import Stage

NETWORK = "colorize.siggraph17"


def _colorizer() -> ColorizerDescriptor | None:
    if not installed(NETWORK):
        return None
    network = load(NETWORK)
    assert isinstance(network, ColorizerDescriptor)
    return network


class ColorizeStage(Stage):
    name = "colorize"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.colorize
        if options.keep_monochrome:
            return self.skip("none", "kept monochrome on request")
        if options.method == "none":
            return self.skip("none", "colorization turned off (colorize.method = none)")
        tone = restoration.analysis.tone
        if tone == "color":
            extra = " (hints ignored)" if options.hints else ""
            return self.skip("none", f"colour photo: not re-colorized{extra}")
        if options.hints:
            return self._with_hints(restoration, options, tone)
        return self._automatic(restoration, options, tone)

    def _with_hints(
        self, restoration: Restoration, options: ColorizeSpec, tone: str
    ) -> StageRecord:
        image = restoration.image
        assert options.hints is not None
        colours, mask = read_hints(options.hints, size=tuple(image.shape[-2:]))
        ab, mask = hints_to_ab(colours.to(image), mask.to(image))
        count = int(mask.sum())
        notes = [f"{tone} photo colorized from {count} hint pixels in {options.hints}"]
        if options.method == "model":
            network = _colorizer()
            if network is None:
                return self.skip(
                    "model", f"restora's {NETWORK} weights are not installed: left as it is"
                )
            restoration.image = network(
                image, size=options.size, hints=ab, hint_mask=mask, temperature=options.temperature
            )
            notes.append(
                f"restora's colorizer ({NETWORK}, {network.decoding(options.temperature)})"
            )
            return StageRecord(stage=self.name, method="model", ran=True, notes=notes)
        restoration.image = levin_colorize(image, ab, mask, max_side=options.levin_max_side)
        notes.append(
            "Levin et al. colorization by optimization, solved at long side "
            f"<= {options.levin_max_side} px, full-resolution lightness kept"
        )
        return StageRecord(stage=self.name, method="levin", ran=True, notes=notes)

    def _automatic(self, restoration: Restoration, options: ColorizeSpec, tone: str) -> StageRecord:
        if options.method == "levin":  # the spec refuses this; kept for specs built by hand
            return self.skip("levin", "Levin colorization needs hints: left as it is")
        network = _colorizer()
        if network is None:
            return self.skip(
                options.method,
                f"{tone} photo kept as it is: automatic colorization needs restora's "
                f"{NETWORK} weights, which are not installed (give colour hints, --hints FILE, "
                "to colorize by optimization)",
            )
        restoration.image = network(
            restoration.image, size=options.size, temperature=options.temperature
        )
        note = (
            f"{tone} photo colorized by restora's colorizer ({NETWORK}, "
            f"{network.decoding(options.temperature)})"
        )
        return StageRecord(stage=self.name, method="model", ran=True, notes=[note])

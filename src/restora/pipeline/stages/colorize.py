"""``colorize``: colour for monochrome and sepia photos, from hints or a trained colorizer.

Decision (``spec.colorize``; ``tone`` comes from the ``analyze`` stage):

1. ``keep_monochrome``, method ``none``, a colour photo, or an unknown tone: nothing is done.
2. With ``hints``: Levin et al.'s colorization by optimization (``auto`` or ``levin``; no
   weights needed, and it follows the hints more closely than restora's network: see
   ``benchmarks/results/colorize.md``), or restora's colorizer fed the hints (``model``).
3. Without hints: restora's colorizer where its weights ship (``auto`` or ``model``); where they
   do not, the photo is left as it is and the record says so - no guessed colours.

Every method takes the colour from the photo's own full-resolution lightness, so detail is
kept exactly and a sepia photo's tint is replaced by colours.
"""

from __future__ import annotations

from restora.color.hints import hints_to_ab
from restora.io.hints import read_hints
from restora.models.colorization.lab_colorize import colorize_lab
from restora.models.colorization.pretrained import has_pretrained, load_pretrained, pretrained_dir
from restora.ops.colorize_levin import levin_colorize
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import ColorizeSpec, PipelineSpec
from restora.pipeline.stages.base import Stage


class ColorizeStage(Stage):
    name = "colorize"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.colorize
        tone = restoration.flags.get("tone")
        if options.keep_monochrome:
            return self.skip("none", "kept monochrome on request")
        if options.method == "none":
            return self.skip("none", "colorization turned off (colorize.method = none)")
        if tone == "color":
            extra = " (hints ignored)" if options.hints else ""
            return self.skip("none", f"colour photo: not re-colorized{extra}")
        if tone is None:
            return self.skip("none", "tone unknown (run 'analyze'): left as it is")
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
        if options.method == "model" and has_pretrained("hints"):
            model = load_pretrained("hints")
            restoration.image = colorize_lab(
                model,
                image,
                size=options.size,
                hints=ab,
                hint_mask=mask,
                temperature=options.temperature,
            )
            method = "model"
            notes.append(
                f"restora hint colorizer ({pretrained_dir('hints').name}, {decoding(model, options)})"
            )
        elif options.method == "model":
            return self.skip(
                "model", "restora's hint colorizer has no trained weights yet: left as it is"
            )
        else:
            restoration.image = levin_colorize(image, ab, mask, max_side=options.levin_max_side)
            method = "levin"
            notes.append(
                "Levin et al. colorization by optimization, solved at long side "
                f"<= {options.levin_max_side} px, full-resolution lightness kept"
            )
        return StageRecord(stage=self.name, method=method, ran=True, notes=notes)

    def _automatic(self, restoration: Restoration, options: ColorizeSpec, tone: str) -> StageRecord:
        if options.method == "levin":  # the spec refuses this; kept for specs built by hand
            return self.skip("levin", "Levin colorization needs hints: left as it is")
        if not has_pretrained("auto"):
            return self.skip(
                options.method,
                f"{tone} photo kept as it is: automatic colorization needs trained weights, "
                "which restora has not shipped yet (give colour hints, --hints FILE, to "
                "colorize by optimization)",
            )
        model = load_pretrained("auto")
        restoration.image = colorize_lab(
            model, restoration.image, size=options.size, temperature=options.temperature
        )
        note = (
            f"{tone} photo colorized by restora's colorizer ({pretrained_dir('auto').name}, "
            f"{decoding(model, options)})"
        )
        return StageRecord(stage=self.name, method="model", ran=True, notes=[note])


def decoding(model: object, options: ColorizeSpec) -> str:
    """How ``model`` turns its output into ab: "annealed mean, T = ..." for classification
    colorizers (Zhang ECCV16, or SIGGRAPH17 with ``decode = "annealed_mean"``), "regression"
    otherwise."""
    if getattr(model, "decode", "annealed_mean") != "annealed_mean":
        return "regression"
    default = getattr(model, "temperature", None)
    t = options.temperature if options.temperature is not None else default
    return "annealed mean" if t is None else f"annealed mean, T = {t:g}"

"""The pipeline spec: one validated, typed object behind the CLI, the Python API and batch jobs.

Every option is declared once, here. Build it from keyword arguments, a dict or a TOML file:

>>> spec = PipelineSpec.from_dict({"upscale": {"scale": 2}})
>>> spec.upscale.scale
2
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from restora.core.config import config_from_dict, config_to_dict, load_toml
from restora.core.errors import ConfigError

STAGE_ORDER = (
    "analyze",
    "detect_damage",
    "inpaint",
    "denoise",
    "correct_color",
    "colorize",
    "upscale",
)
# Colorizing a monochrome photo invents colours: it runs only when asked for (naming the stage,
# ``--colorize`` or colour hints); otherwise a photo keeps its own tone.
DEFAULT_STAGES = tuple(s for s in STAGE_ORDER if s != "colorize")
STOCHASTIC_INPAINTERS = ("dip",)  # inpaint methods whose answer depends on inpaint.seed


@dataclass
class DetectSpec:
    """Damage detection: ``auto`` (the default: restora's trained network when its weights are
    installed, else the classical detector), ``learned`` (restora's trained segmentation
    network), ``classical`` (restora.ops.damage) or ``none``. ``sensitivity`` in [0, 1]: higher
    flags more pixels.
    ``views`` (learned only): average the network over 1, 2 (plus the left-right mirror) or 4
    (plus the up-down mirror and both) views of the photo: more accurate, that many times the
    time; ``auto`` takes as many as the model's view budget allows (16 megapixel-views: 4 up to
    4 MP, 2 up to 8 MP, 1 above; see ``restora.models.catalogue``).
    ``components``: ``decide`` (default) keeps only the damage worth repairing — thin, spotty
    and border damage, large blobs only on strong evidence, stricter rules inside faces (see
    ``restora.ops.damage_components``); what is left alone is listed in the report. ``all``
    repairs every flagged component. ``faces``: look for faces (restora's MTCNN or dlib's HOG
    detector, when available) so the face rules apply. ``pyramid`` (learned only): also run
    the network on the photo halved, quartered ... down to a 384 px short side and add the
    thin and small marks found there, so damage far wider than the network was trained on
    (large scans) is found; 1.3-1.7x the time per megapixel on large photos, nothing changes
    on photos under 768 px. ``cracks`` (off by default): also look for networks of thin light
    cracks where the paper shows through the emulsion (:mod:`restora.ops.cracks`), for scans
    covered in them, which the network mostly misses; on clean old photos it flags about 0.8 % of
    the pixels (light lines of the picture's own on smooth ground, light lettering), so use it
    on cracked prints only. ``face_head`` (learned only): inside each head the face detector
    finds, also run restora's face head (catalogue entry ``damage.unet_faces``: the network with
    its high-resolution layers retrained on more dust and hairs) and keep the higher of the two
    probabilities there, so more of the small marks over faces reach the face rules; skipped
    with a note when its weights are missing. ``face_marks`` (learned only): the marks over
    faces that the face rules leave get a second look (catalogue entry ``damage.face_marks``:
    trees judging how a mark stands out from the skin around it and where it lies between the
    eyes, nose and mouth) and are filled when it calls them damage; skipped with a note when
    its weights are missing."""

    method: Literal["auto", "learned", "classical", "none"] = "auto"
    sensitivity: float = 0.5
    views: Literal["auto"] | int = "auto"
    components: Literal["decide", "all"] = "decide"
    faces: bool = True
    pyramid: bool = True
    cracks: bool = False
    face_head: bool = True
    face_marks: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.sensitivity <= 1.0:
            raise ConfigError(f"detect.sensitivity must be in [0, 1], got {self.sensitivity}")
        if self.views != "auto" and self.views not in (1, 2, 4):
            raise ConfigError(f"detect.views must be auto, 1, 2 or 4, got {self.views!r}")
        if self.components not in ("decide", "all"):
            raise ConfigError(f"detect.components must be decide or all, got {self.components!r}")


@dataclass
class InpaintSpec:
    """Filling the damage mask. ``auto`` (the default): restora's own network when its weights
    are installed, else Telea; ``restora``: the network (a U-Net refining Telea's fill: better
    than every classical method by PSNR on every hole size, see its model card); classical
    methods: telea, ns, fsr_fast, fsr_best, biharmonic; "dip": Deep Image Prior (no weights,
    slow: see ``restora.pipeline.stages.inpaint_dip``).

    ``samples`` > 1 asks for several different completions (the stages after ``inpaint`` run
    once per sample); only a stochastic method can give them: ``dip``, whose sample ``i`` is
    fitted with seed ``seed + i``. ``dip_iterations`` caps each DIP fit (None = the preset's cap,
    early stopping usually ends sooner).

    ``views`` (``restora`` only): average the network's fill over 1, 2 (plus the left-right
    mirror) or 4 (plus up-down and both) views; ``auto`` spends at most the model's view budget
    (0.8 megapixel-views: 4 views up to 0.2 MP, 2 up to 0.4 MP, 1 above).

    ``fsr_weight`` (``restora`` only): the network's fill is averaged with FSR fast's
    (``cv2.xphoto``) with this weight on FSR's within 4 px of known pixels (fading to the
    network alone 8 px deep into a hole); 0 = the network alone. The two err differently near
    a hole's edge and their mean is better than either there (hole PSNR / SSIM on crack
    networks, chosen on BSDS500 photos, ``benchmarks/inpaint_cracks.py --split selection``);
    deep inside large holes FSR is worse (``benchmarks/inpaint.py --pipeline``). FSR is slow
    (about 10 s for 70,000 hole pixels on one core in that benchmark's 40-50 % band): above
    ``fsr_max_hole_px`` hole pixels the network fills alone, and the run's notes say so.

    ``dilate``: a detected mask is grown by this many pixels before filling (it covers the soft
    edges of marks). A mask the user gave is filled exactly as drawn - every pixel outside it
    is kept bit for bit - unless ``dilate_user`` asks for the same growth.

    ``face_mirror``: in the eye-nose-mouth region of each face seen from the front (faces the
    analysis finds, with landmarks), a hole pixel whose mirror image across the face's axis is
    known takes the structure from there and the shading from its own side
    (:mod:`restora.ops.face_fill`): an eye under a scratch comes back from the other eye
    instead of a smear.
    """

    method: str = "auto"
    radius: int = 5
    dilate: int = 1
    dilate_user: bool = False
    samples: int = 1
    seed: int = 0
    dip_iterations: int | None = None
    views: Literal["auto"] | int = "auto"
    fsr_weight: float = 0.5
    fsr_max_hole_px: int = 200_000
    face_mirror: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.fsr_weight <= 1.0:
            raise ConfigError(f"inpaint.fsr_weight must be in [0, 1], got {self.fsr_weight}")
        if self.fsr_max_hole_px < 0:
            raise ConfigError(f"inpaint.fsr_max_hole_px must be >= 0, got {self.fsr_max_hole_px}")
        if self.radius < 1:
            raise ConfigError(f"inpaint.radius must be >= 1, got {self.radius}")
        if self.dilate < 0:
            raise ConfigError(f"inpaint.dilate must be >= 0, got {self.dilate}")
        if self.samples < 1:
            raise ConfigError(f"inpaint.samples must be >= 1, got {self.samples}")
        if self.samples > 1 and self.method not in STOCHASTIC_INPAINTERS:
            raise ConfigError(
                f"inpaint.samples = {self.samples} needs a stochastic method "
                f"({', '.join(STOCHASTIC_INPAINTERS)}); {self.method!r} gives one answer"
            )
        if self.dip_iterations is not None and self.dip_iterations < 1:
            raise ConfigError(f"inpaint.dip_iterations must be >= 1, got {self.dip_iterations}")
        if self.views != "auto" and self.views not in (1, 2, 4):
            raise ConfigError(f"inpaint.views must be auto, 1, 2 or 4, got {self.views!r}")


@dataclass
class DenoiseSpec:
    """Noise removal. ``sigma`` None = estimated from the photo; below ``threshold`` nothing is done.

    Both are in 0..255 units (the usual way noise levels are quoted). ``restora`` is restora's
    own blind network (it measures the noise itself; ``sigma`` only decides whether it runs);
    ``nlm`` is OpenCV non-local means at ``sigma``; ``auto`` (the default) is the network when
    its weights are installed, else non-local means. ``strength`` in [0, 1] blends the result
    with the input (1 = fully denoised), for users who want some grain kept.
    """

    method: Literal["auto", "restora", "nlm", "none"] = "auto"
    sigma: float | None = None
    threshold: float = 3.0
    strength: float = 1.0

    def __post_init__(self) -> None:
        if self.sigma is not None and not 0 <= self.sigma <= 255:
            raise ConfigError(f"denoise.sigma must be in [0, 255], got {self.sigma}")
        if not 0 <= self.strength <= 1:
            raise ConfigError(f"denoise.strength must be in [0, 1], got {self.strength}")


@dataclass
class ColorSpec:
    """Colour correction of colour photos (stage ``correct_color``; monochrome and toned photos
    keep their tone). ``auto`` (the default): restora's fade and cast correction
    (:func:`restora.ops.color_correct.correct_fade`) where the photo is clearly faded (lifted
    blacks), nothing otherwise; ``fade``: that correction always; ``levels`` (per-channel
    auto-levels) and ``gray_world``: the classic baselines; ``none`` leaves colours alone.
    ``strength`` in [0, 1] blends the correction with the input.
    """

    method: Literal["auto", "fade", "levels", "gray_world", "none"] = "auto"
    strength: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.strength <= 1:
            raise ConfigError(f"color.strength must be in [0, 1], got {self.strength}")


@dataclass
class ColorizeSpec:
    """Colorization of monochrome and toned (sepia, cyanotype) photos; colour photos are never
    re-colorized. The stage runs only when asked for: named in ``stages``, ``--colorize``, or
    ``hints`` given (which add it).

    ``method``: ``auto`` (default) colorizes from ``hints`` when given by Levin et al.'s
    optimization (it follows them more closely than restora's network), and without hints with
    restora's colorizer where its weights ship (otherwise the photo is left as it is and the
    report says why); ``levin`` needs ``hints``; ``model`` uses restora's trained colorizer
    only, with the hints when given; ``none`` never colorizes. ``hints``: a hints image or
    ``x,y,#rrggbb`` list (see ``restora.io.hints``). ``keep_monochrome`` skips the stage on purpose. ``size``: short
    side at which a model runs; ``levin_max_side``: long side at which Levin's system is solved;
    ``temperature``: annealed-mean temperature of a classification colorizer (Zhang et al.: 0.38;
    lower = more saturated, patchier) - None keeps the model's own; regression models (the hint
    colorizer) have none. Colour always comes from the photo's own full-resolution lightness
    (sepia tint replaced).
    """

    method: Literal["auto", "levin", "model", "none"] = "auto"
    keep_monochrome: bool = False
    hints: str | None = None
    size: int = 256
    levin_max_side: int = 512
    temperature: float | None = None

    def __post_init__(self) -> None:
        if self.method == "levin" and not self.hints:
            raise ConfigError("colorize.method 'levin' needs colorize.hints (a hints file)")
        if self.size < 64:
            raise ConfigError(f"colorize.size must be >= 64, got {self.size}")
        if self.levin_max_side < 64:
            raise ConfigError(f"colorize.levin_max_side must be >= 64, got {self.levin_max_side}")
        if self.temperature is not None and not self.temperature > 0:
            raise ConfigError(f"colorize.temperature must be > 0, got {self.temperature}")


@dataclass
class UpscaleSpec:
    """Upscaling by ``scale``.

    ``restora`` is restora's own network (``variant``: ``realistic``, trained on blurred, noisy,
    JPEG-compressed photos, or ``bicubic``; ``auto`` prefers realistic); ``auto`` (the default)
    uses it where weights for the scale ship and Lanczos otherwise, and says which it used.
    ``model`` is an OpenCV dnn_superres graph (method "opencv").
    """

    method: Literal["auto", "restora", "lanczos", "bicubic", "opencv"] = "auto"
    scale: int = 1
    model: str | None = None
    variant: Literal["auto", "realistic", "bicubic"] = "auto"

    def __post_init__(self) -> None:
        if not 1 <= self.scale <= 8:
            raise ConfigError(f"upscale.scale must be in 1..8, got {self.scale}")
        if self.method == "opencv" and not self.model:
            raise ConfigError("upscale.method 'opencv' needs upscale.model (a .pb file)")


@dataclass
class PipelineSpec:
    """Which stages run, with what options, under which memory budget."""

    stages: list[str] = field(default_factory=lambda: list(DEFAULT_STAGES))
    detect: DetectSpec = field(default_factory=DetectSpec)
    inpaint: InpaintSpec = field(default_factory=InpaintSpec)
    denoise: DenoiseSpec = field(default_factory=DenoiseSpec)
    color: ColorSpec = field(default_factory=ColorSpec)
    colorize: ColorizeSpec = field(default_factory=ColorizeSpec)
    upscale: UpscaleSpec = field(default_factory=UpscaleSpec)
    memory_budget_mb: int = 1024
    tile: int | None = None  # force a tile size (pixels); None = chosen from the memory budget
    max_pixels: int = 100_000_000

    def __post_init__(self) -> None:
        unknown = [s for s in self.stages if s not in STAGE_ORDER]
        if unknown:
            raise ConfigError(f"unknown stage {unknown[0]!r} (known: {', '.join(STAGE_ORDER)})")
        if self.colorize.hints and "colorize" not in self.stages:
            self.stages = [*self.stages, "colorize"]  # hints are a request to colorize
        self.stages = [s for s in STAGE_ORDER if s in self.stages]
        if self.memory_budget_mb < 64:
            raise ConfigError(f"memory_budget_mb must be >= 64, got {self.memory_budget_mb}")
        if self.tile is not None and self.tile < 64:
            raise ConfigError(f"tile must be >= 64 pixels, got {self.tile}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineSpec:
        return config_from_dict(cls, data)

    @classmethod
    def from_toml(cls, path: str | Path) -> PipelineSpec:
        return config_from_dict(cls, load_toml(path), where=str(path))

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> PipelineSpec:
        """Flat keywords as in ``restore(img, scale=2, inpaint_method="ns")`` or nested dicts.

        A flat ``section_option`` (``upscale_scale``) or a known short alias (``scale``,
        ``sensitivity``, ``keep_monochrome``) maps to the nested field; ``colorize=True`` adds
        the colorize stage (to ``stages`` or the default stages).
        """
        if isinstance(kwargs.get("colorize"), bool):
            wanted = kwargs.pop("colorize")
            stages = [s for s in kwargs.get("stages") or DEFAULT_STAGES if s != "colorize"]
            kwargs["stages"] = [*stages, "colorize"] if wanted else stages
        aliases = {
            "scale": ("upscale", "scale"),
            "sensitivity": ("detect", "sensitivity"),
            "keep_monochrome": ("colorize", "keep_monochrome"),
            "hints": ("colorize", "hints"),
            "sr_model": ("upscale", "model"),
        }
        sections = {"detect", "inpaint", "denoise", "color", "colorize", "upscale"}
        top_level = {f.name for f in dataclasses.fields(cls)}
        data: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in aliases:
                section, name = aliases[key]
                data.setdefault(section, {})[name] = value
            elif key not in top_level and key.split("_", 1)[0] in sections:
                section, name = key.split("_", 1)
                data.setdefault(section, {})[name] = value
            elif key in sections and isinstance(value, dict):
                data.setdefault(key, {}).update(value)  # merge with aliases given before
            else:
                data[key] = value
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return config_to_dict(self)

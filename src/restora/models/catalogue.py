"""restora's shipped models: one index and one cached loader that returns descriptors.

Each :class:`ShippedModel` says where a trained model lives (``folder`` below
``restora/weights``, holding ``config.json``, ``model.safetensors`` and ``MODEL_CARD.md``), the
sha256 of its weights (checked at every load), the pipeline stage it serves (``task``), the
architecture it must be, and how to run it (:class:`Advice`: size rules, tiling, mirror views,
memory layout). :func:`load` returns a ready descriptor
(:class:`~restora.models.descriptor.ModelDescriptor`, or a
:class:`~restora.models.colorization.lab_colorize.ColorizerDescriptor`), cached per entry, so
stages never touch a raw ``nn.Module`` or a weights folder.

>>> sorted(CATALOGUE)[:2]
['colorize.siggraph17', 'damage.unet']
>>> shipped("denoise.blind_color").task
'denoise'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import torch

from restora.core.errors import RestoraError
from restora.core.registry import unknown_name
from restora.core.weights import sha256_file
from restora.models.base import ConfigurableModel
from restora.models.checkpoint import CONFIG_FILE, WEIGHTS_FILE, load_model, overlay_weights
from restora.models.colorization.lab_colorize import ColorizerDescriptor
from restora.models.descriptor import ModelDescriptor
from restora.nn.fusion import inference_form

__all__ = [
    "CATALOGUE",
    "WEIGHTS_ROOT",
    "Advice",
    "Descriptor",
    "ShippedModel",
    "Task",
    "for_task",
    "checked_folder",
    "installed",
    "load",
    "prepare",
    "shipped",
    "verify",
]

Task = Literal["detect_damage", "inpaint", "denoise", "colorize", "upscale", "faces"]
Descriptor = ModelDescriptor | ColorizerDescriptor
WEIGHTS_ROOT = Path(__file__).resolve().parents[1] / "weights"
CARD_FILE = "MODEL_CARD.md"


@dataclass(frozen=True)
class Advice:
    """How to run a shipped model; every field left ``None`` keeps the architecture's own
    descriptor value (see :class:`~restora.models.descriptor.ModelDescriptor`). ``fuse`` runs
    :func:`restora.nn.fusion.inference_form` (folded norms, channels-last; same outputs within
    float rounding, ~2x faster on a CPU) - only for networks without partial convolutions."""

    multiple_of: int | None = None
    minimum: int | None = None
    tile_size: int | None = None
    tile_overlap: int | None = None
    tile_align: int | None = None
    bytes_per_pixel: float | None = None
    view_budget_mp: float | None = None
    channels_last: bool = False
    fuse: bool = False


@dataclass(frozen=True)
class ShippedModel:
    """One entry of the catalogue (see the module docstring).

    ``root`` is where ``folder`` is looked up: ``None`` for the package's ``weights`` folder
    (another root serves tests and locally trained copies). ``base``: the entry whose network
    this one fine-tuned in part; its folder then holds only the retrained tensors
    (:func:`~restora.models.checkpoint.save_overlay`), applied over the base's weights.
    ``descriptor``: False for models that are not image-to-image networks and are run by their
    own wrapper (face embedders, the second look at marks over faces): :func:`load` refuses
    them, :func:`checked_folder` gives their checked folder."""

    name: str
    task: Task
    folder: str
    sha256: str
    arch: str
    summary: str
    advice: Advice = Advice()
    scale: int = 1
    root: Path | None = None
    base: str | None = None
    descriptor: bool = True

    @property
    def path(self) -> Path:
        """The weights folder (it may not exist)."""
        return (self.root or WEIGHTS_ROOT) / self.folder

    @property
    def card(self) -> Path:
        """The model card: training data, commands, measured results."""
        return self.path / CARD_FILE

    def installed(self) -> bool:
        """Whether ``config.json`` and ``model.safetensors`` are present, and the base's (not
        yet checked)."""
        here = (self.path / CONFIG_FILE).is_file() and (self.path / WEIGHTS_FILE).is_file()
        return here and (self.base is None or shipped(self.base).installed())


# Tiling advice: working memory per input pixel measured on a CPU (with allocator slack);
# overlaps cover the receptive fields; alignment is a network's total stride.
# the damage networks: 4 mirror views up to 4 MP, 2 up to 8 MP, 1 above
_DAMAGE_ADVICE = Advice(
    multiple_of=16,
    minimum=32,
    tile_overlap=96,
    tile_align=16,
    bytes_per_pixel=700.0,
    view_budget_mp=16.0,
    channels_last=True,
    fuse=True,
)
CATALOGUE: dict[str, ShippedModel] = {
    entry.name: entry
    for entry in (
        ShippedModel(
            name="damage.unet",
            task="detect_damage",
            folder="damage/unet_damage",
            sha256="b23fc15e7f59d6653a5e4369b380a03184abbaaf2e2f2cddd351f07ce325f9fa",
            arch="unet",
            summary="damage segmentation U-Net (1.8 M parameters, logits, total stride 16)",
            advice=_DAMAGE_ADVICE,
        ),
        ShippedModel(
            name="damage.unet_faces",
            task="detect_damage",
            folder="damage/unet_damage_faces",
            sha256="130429ab2702a3f6b2f134b6205bbd4fc7755e9192719844ad818cbe036c51fe",
            arch="unet",
            summary="damage.unet with its high-resolution layers retrained for heads (overlay)",
            advice=_DAMAGE_ADVICE,  # run only on the heads the face detector finds
            base="damage.unet",
        ),
        ShippedModel(
            name="damage.face_marks",
            task="detect_damage",
            descriptor=False,
            folder="damage/face_marks",
            sha256="09116e1bec308fb1526b2694f9b86e76a7c16f55a101f05a44c2a18c84796c9c",
            arch="tree_ensemble",
            summary="second look at marks over faces the face rules leave (200 boosted trees)",
        ),
        ShippedModel(
            name="inpaint.refine",
            task="inpaint",
            folder="inpaint/restora_inpaint_refine",
            sha256="be87e22b96e9490c561b21f82a0746d8344f5108dd7ead01f307d59bd91de1c6",
            arch="refine_net",
            summary="Telea's fill refined by a U-Net (1.8 M parameters)",
            # crops of at most 1024 px around each hole with 48 px of context (on a 24 MP scan
            # the same hole PSNR as 96 px); 4 views up to 0.2 MP, 2 up to 0.4 MP, 1 above
            advice=Advice(
                tile_size=1024, tile_overlap=48, view_budget_mp=0.8, channels_last=True, fuse=True
            ),
        ),
        ShippedModel(
            name="denoise.blind_color",
            task="denoise",
            folder="denoise/restora_denoiser_blind_color",
            sha256="2454a7ef23272100b34a56af31b8cd513408dac8eeee6105041b82184395e44b",
            arch="restora_denoiser",
            summary="blind colour denoiser, sigma 0..55 (residual U-Net below full resolution)",
            advice=Advice(tile_overlap=128, tile_align=8, bytes_per_pixel=400.0),
        ),
        ShippedModel(
            name="colorize.siggraph17",
            task="colorize",
            folder="colorize/restora_colorizer",
            sha256="feb520e69e778307700f19f23f17ffbf879676c05b600f3b89a2f4bb35f46faa",
            arch="zhang_siggraph17",
            summary="SIGGRAPH17-style colorizer, automatic or from colour hints (regression)",
        ),
        ShippedModel(
            name="face.embed",
            task="faces",
            descriptor=False,
            folder="face/embed_triplet",
            sha256="c3ad4ee128f071c577a70ce7a8e0da534b9eb0ff16861c4490411b2324ee792e",
            arch="face_embed",
            summary="face identity embedding trained with the triplet loss (aligned gray crops)",
        ),
        *(
            ShippedModel(
                name=f"sr.x{scale}_{variant}",
                task="upscale",
                folder=f"sr/restora_sr_x{scale}_{variant}",
                sha256=digest,
                arch="restora_sr",
                summary=f"restora SR x{scale}, trained on {data}",
                scale=scale,
                # ~12 feature maps of width 48 at the input size + the RGB output
                advice=Advice(
                    tile_overlap=32,
                    bytes_per_pixel=4.0 * (12 * 48 + 3 * (2 + scale**2)),
                    channels_last=True,
                ),
            )
            for scale, variant, data, digest in (
                (
                    2,
                    "bicubic",
                    "MATLAB-bicubic LR",
                    "6077f4f037726dfade05de6ec3b4200fdbc0bc81e278c44f7bb4fede633e1904",
                ),
                (
                    4,
                    "bicubic",
                    "MATLAB-bicubic LR",
                    "a34452b823386a8f73bbc928d4fb9efb191029bd4347e6ab6796658cb0c2661b",
                ),
                (
                    4,
                    "realistic",
                    "blur + noise + JPEG like real old photos",
                    "4a7de01c8a9a0b00546c9648bc3e8fd2edec68528801e1020332df0bfafc392f",
                ),
            )
        ),
    )
}


def shipped(name: str) -> ShippedModel:
    """The catalogue entry ``name``; ``KeyError`` naming close matches when unknown."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise unknown_name("shipped model", name, CATALOGUE) from None


def for_task(task: str) -> list[ShippedModel]:
    """The entries serving the pipeline stage ``task``, in catalogue order."""
    return [entry for entry in CATALOGUE.values() if entry.task == task]


def installed(name: str) -> bool:
    """Whether the shipped model ``name``'s files are present (see :func:`verify` for a check)."""
    return shipped(name).installed()


def load(name: str) -> Descriptor:
    """The descriptor of shipped model ``name``, loaded once per process (cached per entry).

    Raises ``RestoraError`` when its files are missing, its weights' sha256 is not the
    catalogue's, or the folder holds another architecture or scale.
    """
    return _load(shipped(name))


@lru_cache(maxsize=16)
def _load(entry: ShippedModel) -> Descriptor:
    if not entry.descriptor:
        raise RestoraError(
            f"shipped model {entry.name} is run by its own wrapper, not as a descriptor "
            "(see its model card)"
        )
    return prepare(_checked_model(entry), entry)


def _checked_model(entry: ShippedModel) -> ConfigurableModel:
    """The entry's model, after checking files, sha256, architecture and scale."""
    problem = _problem(entry)
    if problem:
        raise RestoraError(f"shipped model {entry.name}: {problem}")
    if entry.base is None:
        model = load_model(entry.path)
    else:
        model = _checked_model(shipped(entry.base))
        try:
            overlay_weights(model, entry.path)
        except RestoraError as exc:
            raise RestoraError(f"shipped model {entry.name}: {exc}") from None
    if model.arch != entry.arch or model.config.get("scale", 1) != entry.scale:
        raise RestoraError(
            f"shipped model {entry.name}: {entry.path} holds a {model.arch} "
            f"{model.config}, not a {entry.arch}" + (f" x{entry.scale}" if entry.scale > 1 else "")
        )
    return model


@lru_cache(maxsize=16)
def checked_folder(name: str) -> Path:
    """The weights folder of shipped model ``name`` after checking its files and sha256 (once
    per process), for models run by their own wrapper (face embedders); raises
    ``RestoraError`` as :func:`load` does."""
    entry = shipped(name)
    problem = _problem(entry)
    if problem:
        raise RestoraError(f"shipped model {entry.name}: {problem}")
    return entry.path


def prepare(model: ConfigurableModel, like: str | ShippedModel) -> Descriptor:
    """A descriptor running ``model`` the way the shipped entry ``like`` runs (its advice:
    inference form, size rules, tiling, views) - for measuring other checkpoints of a shipped
    line exactly as the pipeline would run them. ``model``'s weights are not changed (where
    the advice says channels-last, its memory layout is)."""
    entry = shipped(like) if isinstance(like, str) else like
    if entry.task == "colorize":
        if not callable(getattr(model, "predict_ab", None)):
            raise RestoraError(f"shipped model {entry.name}: {model.arch} cannot colorize")
        return ColorizerDescriptor(model)
    advice = entry.advice
    if advice.fuse:
        runnable = inference_form(model)
    else:
        runnable = model.to(memory_format=torch.channels_last) if advice.channels_last else model
    given = {
        field.name: getattr(advice, field.name)
        for field in dataclasses.fields(Advice)
        if field.name != "fuse" and getattr(advice, field.name) is not None
    }
    return dataclasses.replace(model.describe(), model=runnable, **given)


def _problem(entry: ShippedModel) -> str | None:
    """Why ``entry`` cannot be loaded (missing files, wrong sha256), or None."""
    if not ((entry.path / CONFIG_FILE).is_file() and (entry.path / WEIGHTS_FILE).is_file()):
        return f"not installed (expected {CONFIG_FILE} and {WEIGHTS_FILE} in {entry.path})"
    digest = sha256_file(entry.path / WEIGHTS_FILE)
    if digest != entry.sha256:
        return (
            f"{entry.path / WEIGHTS_FILE} has sha256 {digest}, the catalogue says {entry.sha256}"
            " (the file was changed or damaged: reinstall restora)"
        )
    return None


def verify(name: str) -> str | None:
    """Check shipped model ``name`` fully (files, sha256, architecture, it loads): None when
    it is fine, else what is wrong."""
    try:
        entry = shipped(name)
        if not entry.descriptor:
            _checked_model(entry)  # not cached: the files are read again
        else:
            _load.__wrapped__(entry)
    except RestoraError as exc:
        return str(exc).removeprefix(f"shipped model {name}: ")
    return None

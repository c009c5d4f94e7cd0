"""``restora``: restore, synth, info. Keep imports here light so ``--help`` is fast."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from restora import __version__
from restora.cli.dip_cmd import dip_command
from restora.cli.errors import EXIT_FAILED, fail, friendly_errors
from restora.cli.faces_cmd import faces_command
from restora.cli.models_cmd import models_app
from restora.cli.progress import progress_bar
from restora.cli.train_cmd import eval_command, train_command

app = typer.Typer(
    name="restora",
    help="Bring damaged photographs back: detect damage, inpaint, denoise, colorize, upscale.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"restora {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """restora command line."""


def _build_spec(
    config: Path | None, overrides: list[str], flags: dict[str, object]
):  # -> PipelineSpec
    from restora.core.config import apply_overrides, load_toml
    from restora.pipeline.spec import PipelineSpec

    data = load_toml(config) if config else {}
    flat = [f"{k}={json.dumps(v)}" for k, v in flags.items() if v is not None]
    return PipelineSpec.from_dict(apply_overrides(data, [*flat, *overrides]))


def _stages(stages: str | None, *, colorize: bool) -> list[str] | None:
    """The ``--stages`` list, with ``colorize`` added for ``--colorize`` (None: the defaults)."""
    if not colorize:
        return stages.split(",") if stages else None
    from restora.pipeline.spec import DEFAULT_STAGES

    return [*(stages.split(",") if stages else DEFAULT_STAGES), "colorize"]


@app.command()
@friendly_errors
def restore(
    inputs: Annotated[list[str], typer.Argument(help="Image files, folders or globs.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")],
    mask: Annotated[
        Path | None,
        typer.Option(
            help="Damage mask (white = damage) for one input, or a folder of <stem>_mask.png."
        ),
    ] = None,
    save_mask: Annotated[
        bool,
        typer.Option("--save-mask", help="Write the damage mask as <stem>_mask.png for editing."),
    ] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report", help="Write <stem>_report.png (before | damage | after) and .json."
        ),
    ] = False,
    scale: Annotated[int | None, typer.Option(help="Upscale factor (1 keeps the size).")] = None,
    stages: Annotated[
        str | None, typer.Option(help="Comma-separated stages, e.g. analyze,inpaint.")
    ] = None,
    inpaint_method: Annotated[
        str | None,
        typer.Option(help="auto, restora, telea, ns, fsr_fast, fsr_best, biharmonic or dip."),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            help="Several completions of the holes (needs --inpaint-method dip): writes "
            "<stem>_restored.png and <stem>_restored_sample2.png ...",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of stochastic inpainting (dip).")] = None,
    upscale_method: Annotated[
        str | None, typer.Option(help="auto, restora, lanczos, bicubic or opencv.")
    ] = None,
    sr_model: Annotated[
        Path | None, typer.Option(help="OpenCV dnn_superres .pb file (FSRCNN_x4.pb, ...).")
    ] = None,
    sensitivity: Annotated[
        float | None, typer.Option(help="Damage detection sensitivity in [0, 1].")
    ] = None,
    cracks: Annotated[
        bool,
        typer.Option(
            "--cracks",
            help="Also look for networks of thin light cracks (for cracked prints; on clean "
            "photos it repairs about 0.8 % of the pixels that are not damage).",
        ),
    ] = False,
    denoise_sigma: Annotated[
        float | None, typer.Option(help="Noise level in 0..255 (default: estimated).")
    ] = None,
    colorize: Annotated[
        bool,
        typer.Option(
            "--colorize",
            help="Colorize monochrome and toned photos (off by default: it invents colours).",
        ),
    ] = False,
    keep_monochrome: Annotated[
        bool, typer.Option("--keep-monochrome", help="Never colorize.")
    ] = False,
    hints: Annotated[
        Path | None,
        typer.Option(
            help="Colour hints for one input: a PNG whose coloured pixels are hints, or a "
            "text file of 'x,y,#rrggbb' lines (monochrome/sepia photos only); for many inputs "
            "a folder of <stem>_hints.png|.txt|.csv."
        ),
    ] = None,
    tile: Annotated[int | None, typer.Option(help="Force a tile size in pixels.")] = None,
    memory_mb: Annotated[
        int | None, typer.Option(help="Memory budget that picks tile sizes.")
    ] = None,
    max_pixels: Annotated[int | None, typer.Option(help="Refuse images larger than this.")] = None,
    config: Annotated[Path | None, typer.Option(help="Pipeline spec (TOML).")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Spec override key=value (repeatable).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="png, jpg, tif or webp.")] = "png",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace existing outputs (never inputs).")
    ] = False,
) -> None:
    """Restore photos into OUTPUT; a re-run skips what is already done."""
    from restora.core.memory import keep_freed_memory
    from restora.engine.batch import output_filter, run_batch
    from restora.engine.inputs import collect_inputs

    flags: dict[str, object] = {
        "upscale.scale": scale,
        "stages": _stages(stages, colorize=colorize),
        "inpaint.method": inpaint_method,
        "inpaint.samples": samples,
        "inpaint.seed": seed,
        "upscale.method": "opencv" if sr_model and not upscale_method else upscale_method,
        "upscale.model": str(sr_model) if sr_model else None,
        "detect.sensitivity": sensitivity,
        "detect.cracks": True if cracks else None,
        "denoise.sigma": denoise_sigma,
        "colorize.keep_monochrome": True if keep_monochrome else None,
        "colorize.hints": str(hints) if hints else None,
        "tile": tile,
        "memory_budget_mb": memory_mb,
        "max_pixels": max_pixels,
    }
    spec = _build_spec(config, set_ or [], flags)
    keep_freed_memory()  # large scans: tiles reuse freed buffers (see its docstring)

    def on_note(path: Path, text: str) -> None:
        print(f"restora: note: {path}: {text}", file=sys.stderr)

    is_output = output_filter(output, on_note=lambda text: on_note(output, text))
    found = collect_inputs(inputs, is_output=is_output)
    files = found.files

    for line in found.skip_summary():
        print(f"restora: note: {line}", file=sys.stderr)
    with progress_bar() as bar:
        task = bar.add_task("restoring", total=len(files)) if bar else None
        step = bar.add_task("", total=1) if bar else None

        def on_progress(what: str, done: int, total: int) -> None:
            if bar is not None:
                bar.update(step, description=f"  {what}", completed=done, total=total)

        def on_file(path: Path, status: str, error: str | None) -> None:
            if bar is not None:
                bar.advance(task)
            if status == "failed":
                print(f"restora: failed: {path}: {error}", file=sys.stderr)
            elif bar is None:
                print(f"{status}: {path}", file=sys.stderr)

        result = run_batch(
            files,
            output,
            spec,
            ext=fmt,
            mask=mask,
            save_mask=save_mask,
            report=report,
            overwrite=overwrite,
            on_file=on_file,
            on_note=on_note,
            progress=on_progress,
        )
    print(
        f"{len(result.done)} restored, {len(result.skipped)} already done, "
        f"{len(result.failed)} failed{', stopped' if result.stopped else ''} -> {output}"
    )
    if result.stopped:
        print(f"restora: error: {result.stopped}", file=sys.stderr)
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)


@app.command()
@friendly_errors
def synth(
    image: Annotated[Path | None, typer.Argument(help="A clean photo to damage.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Damaged image to write.")] = Path(
        "damaged.png"
    ),
    example: Annotated[
        str | None,
        typer.Option(help="Bundled public-domain example: astronaut, coffee, chelsea, camera."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same damage).")] = 0,
    profile: Annotated[
        str,
        typer.Option(
            help="Damage mix: 'classic' (scratches, hairs, dust) or 'full' (also wide "
            "scratches, creases, torn corners/edges, stains, ink marks, paper texture, halftone).",
        ),
    ] = "classic",
    save_mask: Annotated[
        Path | None, typer.Option("--save-mask", help="Write the true damage mask here.")
    ] = None,
    save_clean: Annotated[
        Path | None, typer.Option("--save-clean", help="Write the undamaged original here.")
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite")] = False,
) -> None:
    """Make a damaged, aged copy of a photo (scratches, dust, fading, sepia, grain) and its mask."""
    import numpy as np

    from restora.data.damage import DAMAGE_PROFILES, synthesize_damage
    from restora.data.examples import damaged_example
    from restora.io import read_image, write_image, write_mask

    if (image is None) == (example is None):
        raise fail("give either an IMAGE or --example NAME")
    if profile not in DAMAGE_PROFILES:
        raise fail(f"unknown --profile {profile!r} (known: {', '.join(DAMAGE_PROFILES)})")
    config = DAMAGE_PROFILES[profile]
    protected = [image] if image else []
    if image is not None:
        clean = read_image(image).image
        damaged, mask = synthesize_damage(clean, rng=np.random.default_rng(seed), config=config)
    else:
        damaged, mask, clean = damaged_example(example, seed=seed, config=config)
    write_image(output, damaged, overwrite=overwrite, protected=protected)
    if save_mask:
        write_mask(save_mask, mask, overwrite=overwrite, protected=protected)
    if save_clean:
        write_image(save_clean, clean, overwrite=overwrite, protected=protected)
    print(f"wrote {output} ({100 * float(mask.mean()):.2f}% damaged)")


@app.command()
@friendly_errors
def info(
    image: Annotated[Path, typer.Argument(help="An image file.")],
) -> None:
    """Show what restora reads from an image: size, mode, bit depth, alpha, ICC, EXIF, tone."""
    from restora.io import probe_image

    meta = probe_image(image)
    print(json.dumps(meta.to_dict(), indent=2))


app.command("train")(train_command)
app.command("eval")(eval_command)
app.command("dip")(dip_command)
app.command("faces")(faces_command)
app.add_typer(models_app, name="models")


if __name__ == "__main__":  # pragma: no cover
    app()

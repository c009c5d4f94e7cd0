"""``restora dip TASK IMAGE -o OUT``: Deep Image Prior on one image (no training data).

Register in ``restora.cli.main`` with::

    app.command("dip")(dip_command)

Heavy imports happen inside the command, so ``restora --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from restora.cli.errors import fail, friendly_errors
from restora.cli.progress import progress_bar

_TASKS = ("denoise", "inpaint", "restore", "sr")


@friendly_errors
def dip_command(
    task: Annotated[str, typer.Argument(help="denoise, inpaint, restore (missing pixels) or sr.")],
    image: Annotated[Path, typer.Argument(help="The degraded image (low-resolution for sr).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Restored image to write.")],
    mask: Annotated[
        Path | None,
        typer.Option(help="inpaint/restore: mask of the holes / missing pixels (same size)."),
    ] = None,
    mask_hole: Annotated[
        str,
        typer.Option(help="Which mask colour marks holes: white (restora) or black (DIP's masks)."),
    ] = "white",
    drop: Annotated[
        float | None,
        typer.Option(help="restore without --mask: drop this fraction of pixels at random first."),
    ] = None,
    scale: Annotated[int, typer.Option(help="sr: upscaling factor.")] = 4,
    preset: Annotated[
        str | None,
        typer.Option(help="default_<task> (fast, self-stopping; the default) or official_<task>."),
    ] = None,
    iters: Annotated[
        int | None, typer.Option("--iters", help="Iteration cap (official presets: the count).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Config override key=value (repeatable), e.g. lr=0.005."),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed of the network, its input and the drop mask.")
    ] = 0,
    threads: Annotated[int | None, typer.Option(help="CPU threads for torch.")] = None,
    device: Annotated[str, typer.Option(help="cpu, cuda, cuda:1 ...")] = "cpu",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output (never the input).")
    ] = False,
) -> None:
    """Restore IMAGE with Deep Image Prior: fit an untrained network to it, stop by itself."""
    import torch

    from restora.io import check_output_path, read_image, read_mask, write_image
    from restora.models.dip import fit_dip, get_preset, random_drop_mask

    if task not in _TASKS:
        raise fail(f"unknown task {task!r} (choose {', '.join(_TASKS)})")
    if mask_hole not in ("white", "black"):
        raise fail(f"--mask-hole must be 'white' or 'black', got {mask_hole!r}")
    config = get_preset(preset or f"default_{task}")
    if config.task != task:
        raise fail(f"preset {preset!r} is for task {config.task!r}, not {task!r}")
    overrides = [*(set_ or []), *([f"iterations={iters}"] if iters is not None else [])]
    if overrides:
        config = config.with_overrides(overrides)
    check_output_path(output, overwrite=overwrite, protected=[image])
    if threads is not None:
        torch.set_num_threads(threads)

    loaded = read_image(image)
    pixels = loaded.image[:, :1] if loaded.meta.is_gray else loaded.image
    height, width = pixels.shape[-2:]
    hole = None
    if task in ("inpaint", "restore"):
        if mask is not None:
            if drop is not None:
                raise fail("give either --mask or --drop, not both")
            hole = read_mask(mask, size=(height, width), hole_value=mask_hole)
        elif task == "restore" and drop is not None:
            generator = torch.Generator().manual_seed(seed)
            hole = random_drop_mask((height, width), drop, generator=generator)
            pixels = pixels * (1.0 - hole)
        else:
            hint = " (or --drop FRACTION)" if task == "restore" else ""
            raise fail(f"task {task!r} needs --mask FILE{hint}")
    elif mask is not None or drop is not None:
        raise fail(f"task {task!r} takes no --mask / --drop")

    with progress_bar() as bar:
        bar_task = bar.add_task("dip", total=config.iterations) if bar else None

        def on_progress(p) -> None:  # DIPProgress
            if bar is not None:
                bar.update(
                    bar_task,
                    completed=p.iteration,
                    description=f"dip {task}  it {p.iteration}  loss {p.loss:.2e}",
                )

        result = fit_dip(
            pixels,
            config,
            mask=hole,
            scale=scale if task == "sr" else None,
            seed=seed,
            device=device,
            progress=on_progress,
        )
    write_image(output, result.image, meta=loaded.meta, overwrite=overwrite, protected=[image])
    how = "stopped early" if result.stopped_early else "ran to the cap"
    print(
        f"wrote {output}: {result.iterations_run} of {config.iterations} iterations ({how}), "
        f"image of iteration {result.chosen_iteration}, {result.seconds:.1f} s"
    )

"""``restora faces PHOTO_OR_FOLDER... -o OUT [--group]``: find faces, write aligned crops, a
contact sheet and ``faces.json``; ``--group`` clusters the faces by person (one sheet each).

Register in ``restora.cli.main`` with ``app.command("faces")(faces_command)``. Heavy imports
happen inside the command, so ``restora --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from restora.cli.errors import EXIT_FAILED, fail, friendly_errors


@friendly_errors
def faces_command(
    inputs: Annotated[list[str], typer.Argument(help="Photos, folders or globs.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")],
    group: Annotated[
        bool, typer.Option("--group", help="Cluster the faces by person (one sheet each).")
    ] = False,
    detector: Annotated[
        str, typer.Option(help="mtcnn (restora's), hog or mmod (dlib's: the faces extra).")
    ] = "mtcnn",
    embedder: Annotated[
        str,
        typer.Option(help="For --group: auto (dlib when installed), dlib or restora."),
    ] = "auto",
    min_face: Annotated[
        float | None, typer.Option(help="MTCNN: smallest face side in pixels.")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="For --group: same-person distance (default: the embedder's)."),
    ] = None,
    crop_size: Annotated[int, typer.Option(help="Side of the aligned crops in pixels.")] = 112,
    threads: Annotated[int | None, typer.Option(help="CPU threads for torch.")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace existing files in OUT (never inputs).")
    ] = False,
) -> None:
    """Find the faces in photos: aligned crops, a contact sheet and faces.json."""
    import dataclasses

    import torch

    from restora.engine.faces import check_face_output, scan_photos, write_face_outputs
    from restora.engine.inputs import collect_inputs
    from restora.models.face.detectors import DETECTORS
    from restora.models.face.embed import load_embedder
    from restora.models.face.mtcnn import OLD_PHOTOS

    if detector not in DETECTORS:
        raise fail(f"--detector must be one of {', '.join(DETECTORS)}, got {detector!r}")
    if crop_size < 16 or crop_size > 1024:
        raise fail(f"--crop-size must be in [16, 1024], got {crop_size}")
    if threads:
        torch.set_num_threads(threads)
    settings = (
        OLD_PHOTOS if min_face is None else dataclasses.replace(OLD_PHOTOS, min_face=min_face)
    )
    out = output.resolve()
    check_face_output(output, overwrite)
    found = collect_inputs(inputs, is_output=lambda p: out in p.resolve().parents)
    paths = [p for p, _ in found.files]
    chosen = load_embedder(embedder) if group else None  # type: ignore[arg-type]
    if chosen is not None and chosen.name == "restora_triplet" and detector != "mtcnn":
        raise fail(
            "restora's embedder needs MTCNN's landmarks: use --detector mtcnn or --embedder dlib"
        )

    def report(item) -> None:
        state = f"error: {item.error}" if item.error else f"{len(item.faces)} face(s)"
        print(f"{item.source}: {state}")

    photos = scan_photos(
        paths,
        method=detector,
        settings=settings,
        embedder=chosen,
        crop_size=crop_size,
        on_photo=report,
    )
    data = write_face_outputs(
        photos,
        output,
        group_threshold=(threshold if threshold is not None else chosen.threshold)
        if chosen
        else None,
        embedder_name=chosen.name if chosen else None,
        detector=detector,
        overwrite=overwrite,
        protected=tuple(paths),
    )
    total = sum(len(p["faces"]) for p in data["photos"])
    groups = f", {len(data['groups'])} people" if group else ""
    print(f"{total} faces in {len(paths)} photos{groups}; wrote {output / 'faces.json'}")
    if any(p.error for p in photos):
        raise typer.Exit(EXIT_FAILED)

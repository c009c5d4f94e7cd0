"""``restora models``: list and verify the shipped models, import foreign checkpoints, list
registered architectures and known official weights.

Register in ``restora.cli.main`` with::

    app.add_typer(models_app, name="models")

Heavy imports happen inside the commands, so ``restora --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from restora.cli.errors import EXIT_FAILED, fail, friendly_errors

models_app = typer.Typer(
    name="models",
    help="List and verify shipped models, import official checkpoints (DnCNN, FFDNet).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PROVENANCE_FILE = "provenance.json"


@models_app.command("import")
@friendly_errors
def import_command(
    file: Annotated[
        Path, typer.Argument(help="Checkpoint: DnCNN model.pth, GD_*.mat, FFDNet_*.mat.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the restora model.")],
    arch: Annotated[
        str | None,
        typer.Option(
            "--arch",
            help="Registered model name, e.g. dncnn.s_gray, dncnn.b_color_mat, ffdnet.color "
            "(optional for the known official files).",
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a model already in OUTPUT.")
    ] = False,
) -> None:
    """Convert FILE by its key map and write OUTPUT/config.json + model.safetensors."""
    from restora.models import save_model
    from restora.models.checkpoint import CONFIG_FILE, WEIGHTS_FILE
    from restora.models.convert import import_checkpoint

    if not overwrite and any((output / n).exists() for n in (CONFIG_FILE, WEIGHTS_FILE)):
        raise fail(f"{output} already holds a model (use --overwrite to replace it)")
    model, info = import_checkpoint(file, arch)
    save_model(model, output)
    record = {
        "source_file": file.name,
        "source_sha256": info.sha256,
        "source_format": info.source,
        "arch": info.arch,
        "config": info.config,
    }
    if info.official is not None:
        weights = info.official.weights
        record.update(
            model=info.official.model,
            description=info.official.description,
            url=weights.url,
            license=weights.license,
            training_data=weights.training_data,
            metrics=dict(weights.metrics),
        )
    (output / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    params = sum(p.numel() for p in model.parameters())
    what = info.official.description if info.official else info.source
    print(f"imported {file.name} ({what}) as {info.arch} {info.config}, {params:,} parameters")
    print(f"wrote {output / CONFIG_FILE}, {output / WEIGHTS_FILE}, {output / PROVENANCE_FILE}")
    if info.official is not None:
        print(f"licence: {info.official.weights.license}")


@models_app.command("list")
@friendly_errors
def list_command(
    pattern: Annotated[str, typer.Argument(help="Shell pattern, e.g. 'sr.*' or 'dncnn.*'.")] = "*",
) -> None:
    """List restora's shipped models (installed or not), registered architectures and the
    official weight files restora can import."""
    import fnmatch

    from restora.models import catalogue, list_models
    from restora.models.convert import OFFICIAL

    entries = [e for e in catalogue.CATALOGUE.values() if fnmatch.fnmatchcase(e.name, pattern)]
    if entries:
        print("shipped models (restora models verify checks them):")
        for entry in entries:
            state = "installed" if entry.installed() else "missing"
            print(f"  {entry.name:20s} {entry.task:14s} {state:9s} {entry.summary}")
            print(f"  {'':20s} card: {entry.card}")
    names = list_models(pattern)
    if names:
        print("\narchitectures:" if entries else "architectures:")
        for name in names:
            print(f"  {name}")
    known = [r for r in OFFICIAL.values() if fnmatch.fnmatchcase(r.model, pattern)]
    if known:
        print("\nofficial weights (restora models import FILE -o DIR):")
        for record in known:
            print(f"  {record.weights.file_name:34s} -> {record.model:18s} {record.description}")


@models_app.command("verify")
@friendly_errors
def verify_command(
    names: Annotated[
        list[str] | None, typer.Argument(help="Shipped models to check (default: all).")
    ] = None,
) -> None:
    """Check shipped models: files present, sha256 as catalogued, architecture, they load.
    Exits 1 when any is not right."""
    from restora.models import catalogue

    failed = 0
    for name in names or list(catalogue.CATALOGUE):
        try:
            problem = catalogue.verify(name)
        except KeyError as exc:
            raise fail(str(exc).strip('"')) from None
        print(f"{name:20s} {'ok' if problem is None else 'FAILED: ' + problem}")
        failed += problem is not None
    if failed:
        print(f"{failed} shipped model(s) not right", file=sys.stderr)
        raise typer.Exit(EXIT_FAILED)

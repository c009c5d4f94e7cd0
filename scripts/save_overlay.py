"""Store a partly retrained network as its retrained tensors alone (a catalogue overlay).

A run with ``model.trainable`` (e.g. ``configs/damage_unet_faces.toml``) changes only the layers
it names; this checks that every other tensor still equals the base network's (within float
rounding of the EMA) and writes the named layers, in float16, with
:func:`restora.models.checkpoint.save_overlay`:

    .venv/bin/python scripts/save_overlay.py runs/damage_unet_faces/model \\
        src/restora/weights/damage/unet_damage_faces --base damage.unet \\
        --layers stem down.0 down.1 up.1 up.2 up.3 head
"""

from __future__ import annotations

import argparse
import sys

import torch

from restora.models.catalogue import shipped
from restora.models.checkpoint import load_model, save_overlay


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", help="the retrained network (a save_model folder)")
    parser.add_argument("target", help="the overlay folder to write")
    parser.add_argument("--base", required=True, help="catalogue entry it was retrained from")
    parser.add_argument("--layers", nargs="+", required=True, help="the retrained layers")
    args = parser.parse_args(argv)
    tuned, base = load_model(args.source), load_model(shipped(args.base).path)
    if tuned.arch != base.arch or tuned.config != base.config:
        sys.exit(f"{args.source} is a {tuned.arch} {tuned.config}, not the base's {base.config}")
    frozen = {
        name: (tensor.float() - base.state_dict()[name].float()).abs().max().item()
        for name, tensor in tuned.state_dict().items()
        if not any(name.startswith(layer + ".") for layer in args.layers)
        and tensor.is_floating_point()
    }
    moved = {name: d for name, d in frozen.items() if d > 1e-5}
    if moved:
        sys.exit(f"tensors outside --layers differ from {args.base}: {sorted(moved)[:5]} ...")
    folder = save_overlay(tuned, args.target, args.layers, dtype=torch.float16)
    print(f"{folder}: the tensors of {', '.join(args.layers)}; the rest equals {args.base}")


if __name__ == "__main__":
    main()

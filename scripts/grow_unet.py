"""Grow a saved U-Net by one level: the same network with one more downsampling (twice the
context, about the same compute), keeping every trained layer.

``stem`` and ``down.0 .. down.{d-1}`` keep their weights; the decoder's blocks move one place
(``up.i`` -> ``up.{i+1}``) and the head stays; the new deepest level (``down.d``) and the new
first decoder block (``up.0``) start from the architecture's initialisation. Training then
fine-tunes the whole network (``model.init`` = the folder written here).

    .venv/bin/python scripts/grow_unet.py checkpoints/damage_unet_photoscale4/step_001200/ema \
        runs/damage_unet_depth4_init
"""

from __future__ import annotations

import argparse
import re

import torch

from restora.models.checkpoint import load_model, save_model
from restora.models.registry import get_architecture


def grow(source: str, target: str, *, seed: int = 0) -> None:
    old = load_model(source)
    config = dict(old._config)
    depth = int(config["depth"])
    config["depth"] = depth + 1
    torch.manual_seed(seed)
    new = get_architecture(old.arch)(**config)
    state = new.state_dict()
    moved = 0
    for key, value in old.state_dict().items():
        match = re.match(r"up\.(\d+)\.(.*)", key)
        new_key = f"up.{int(match[1]) + 1}.{match[2]}" if match else key
        if new_key not in state or state[new_key].shape != value.shape:
            raise SystemExit(f"cannot place {key} -> {new_key}")
        state[new_key] = value
        moved += 1
    new.load_state_dict(state)
    save_model(new, target)
    print(f"{source} (depth {depth}) -> {target} (depth {depth + 1}): {moved} tensors kept")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source")
    parser.add_argument("target")
    args = parser.parse_args()
    grow(args.source, args.target)


if __name__ == "__main__":
    main()

"""Make a shallower RestoraSR from a trained one by keeping some of its blocks (a starting point
for fine-tuning a faster model with ``model.init``).

    .venv/bin/python scripts/prune_restora_sr.py SOURCE_FOLDER OUT_FOLDER --keep 0,2,4,5

SOURCE_FOLDER is a folder written by ``restora.models.save_model`` (e.g. the shipped
``src/restora/weights/sr/restora_sr_x2_bicubic``); every weight outside the body is copied and
body block ``keep[i]`` becomes block ``i`` of the new model.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from restora.models import load_model, save_model
from restora.models.sr.restora_sr import RestoraSR


def prune(source: RestoraSR, keep: list[int]) -> RestoraSR:
    """A copy of ``source`` with only the body blocks ``keep`` (in that order)."""
    blocks = source.config["blocks"]
    if not keep or any(not 0 <= k < blocks for k in keep) or len(set(keep)) != len(keep):
        raise ValueError(f"keep must name distinct blocks in 0..{blocks - 1}, got {keep}")
    pruned = RestoraSR(**{**source.config, "blocks": len(keep)})
    state = {}
    for name, value in source.state_dict().items():
        if name.startswith("body."):
            index, rest = name.split(".", 2)[1:]
            if int(index) in keep:
                state[f"body.{keep.index(int(index))}.{rest}"] = value
        else:
            state[name] = value
    pruned.load_state_dict(state, strict=True)
    return pruned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--keep", required=True, help="comma-separated block indices")
    args = parser.parse_args()
    source = load_model(args.source)
    if not isinstance(source, RestoraSR):
        raise SystemExit(f"{args.source} holds a {type(source).__name__}, not a RestoraSR")
    pruned = prune(source, [int(k) for k in args.keep.split(",")])
    save_model(pruned, args.out)
    print(f"wrote {args.out} ({sum(p.numel() for p in pruned.parameters()):,} parameters)")


if __name__ == "__main__":
    main()

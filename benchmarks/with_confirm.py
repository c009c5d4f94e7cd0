"""Run a damage benchmark with the ``detect_damage`` stage's classical confirmation changed.

``ComponentRules.confirm_evidence`` (:mod:`restora.ops.damage_components`) is the mean network
probability below which a line, blob or border piece outside faces must be confirmed by the
classical filters. This runs ``benchmarks/<module>.py`` with the stage's ``RULES`` carrying
another value, for every pipeline detector of that run (the shipped one and ``--pipeline-with``
ones), to compare detectors at a relaxed or stricter confirmation:

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/with_confirm.py 0.75 damage_real \\
        --detectors default --pipeline-with FOLDER --name NAME
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    from restora.pipeline.stages import detect as stage

    components = dataclasses.replace(stage.RULES.components, confirm_evidence=float(argv[0]))
    stage.RULES = dataclasses.replace(stage.RULES, components=components)
    importlib.import_module(argv[1]).main(argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])

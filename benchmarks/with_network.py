"""Run a pipeline benchmark with another damage network in the ``detect_damage`` stage.

Benchmarks that call ``restora.restore`` (``damage_face_rules``, ``faces_identity``, ...) use the
shipped ``damage.unet``. This runs ``benchmarks/<module>.py`` with a saved network (a model
folder, or a training checkpoint whose ``ema`` / ``model`` sub-folder holds one) prepared as
the shipped one is (``restora.models.catalogue.prepare``) in its place, and its results written
under ``<name><suffix>``:

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/with_network.py \\
        runs/damage_unet_faces3/checkpoints/step_001000 _faces3 damage_face_rules

``--face-head FOLDER`` puts the network in the face head's place instead (``damage.unet_faces``,
run inside the heads MTCNN finds); ``--face-head none`` runs without a face head.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        sys.exit(__doc__)
    import _common
    from _common import network_folder
    from restora.models import catalogue, load_model
    from restora.pipeline.stages import detect as stage

    face_head = argv[0] == "--face-head"
    if face_head:
        argv = argv[1:]
    folder, suffix, module = Path(argv[0]), argv[1], argv[2]
    if face_head and str(folder) == "none":
        stage._face_network = lambda: None
    else:
        network = catalogue.prepare(load_model(network_folder(folder)), stage.NETWORK)
        if face_head:
            stage._face_network = lambda: network
        else:
            stage._network = lambda: network
    command = _common.command_line()  # this wrapper's own command line, before argv changes
    write = _common.write_table

    def write_table(name: str, rows: list[dict], _command: str, notes: str = ""):
        role = "Face head" if face_head else "Damage network"
        notes = f"{notes} {role}: {folder} (not the shipped one)."
        return write(name + suffix, rows, command, notes)

    _common.write_table = write_table
    benchmark = importlib.import_module(module)
    benchmark.write_table = write_table
    sys.argv = [f"{module}.py", *argv[3:]]
    benchmark.main()


if __name__ == "__main__":
    main(sys.argv[1:])

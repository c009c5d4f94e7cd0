"""``restora faces FOLDER --group`` on the labelled caltech_faces photos (issue 19, acceptance 5).

Runs the command as a user would (restora's default detector settings and embedder) on the
held-out identities (image_0300 and above, copied to a temporary folder) and on all 169 photos,
then scores the groups of each photo's largest face against the identity labels (other faces,
e.g. people in posters, are grouped too but not scored). Purity: faces whose group's majority
person is their own; completeness: faces in their person's largest group.

    .venv/bin/python benchmarks/faces_group_cli.py [--embedder auto|dlib|restora]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from _common import command_line, shared_path, write_table

LABELS = Path(__file__).resolve().parent / "labels" / "caltech_identities.json"


def main() -> None:
    from restora.models.face.group import completeness, purity

    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", default="auto")
    args = parser.parse_args()
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    owner = {n: p for p, names in data["identities"].items() for n in names}
    root = shared_path("train", "caltech_faces")
    rows = []
    for subset in ("held_out", "all_169"):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "photos"
            folder.mkdir()
            for name, person in owner.items():
                if subset == "all_169" or person in data["held_out"]:
                    shutil.copy(root / f"{name}.jpg", folder)
            out = Path(tmp) / "out"
            cmd = [
                sys.executable,
                "-m",
                "restora",
                "faces",
                str(folder),
                "-o",
                str(out),
                "--group",
                "--embedder",
                args.embedder,
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(proc.stderr[-2000:])
            index = json.loads((out / "faces.json").read_text())
        groups, truth, missing = [], [], 0
        for photo in index["photos"]:
            if not photo["faces"]:
                missing += 1
                continue
            face = max(
                photo["faces"],
                key=lambda f: (f["box"][2] - f["box"][0]) * (f["box"][3] - f["box"][1]),
            )
            groups.append(face["group"])
            truth.append(owner[Path(photo["source"]).stem])
        _, labels = np.unique(np.array(truth), return_inverse=True)
        rows.append(
            {
                "photos": subset,
                "embedder": index["embedder"],
                "threshold": index["group_threshold"],
                "identities": len(set(truth)),
                "faces_scored": len(truth),
                "photos_without_face": missing,
                "groups_total": len(index["groups"]),
                "purity": round(float(purity(np.array(groups), labels)), 4),
                "completeness": round(float(completeness(np.array(groups), labels)), 4),
            }
        )
        print(rows[-1], flush=True)
    write_table(
        f"faces_group_cli_{args.embedder}",
        rows,
        command_line(),
        "groups_total counts every group the command made, including groups of faces in posters "
        "and pictures on the walls (not scored).",
    )


if __name__ == "__main__":
    main()

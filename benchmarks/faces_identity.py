"""Identity kept through restoration (issue 19, acceptance 3): for held-out faces, is the
embedding distance restored -> clean smaller than damaged -> clean?

Photos: the held-out caltech_faces identities (image_0300 and above). Each photo gets synthetic
damage (``restora.data.damage.synthesize_damage``, the ``classic`` profile without aging:
scratches, dust, hairs; seed = photo index) and is restored by the pipeline's default
``restora.restore`` (no options). The face is found once on the clean photo (restora's MTCNN,
paper settings; largest face) and embedded at the same place in the clean, damaged and restored
images by each embedder (:func:`restora.models.face.identity.identity_distance`).

    .venv/bin/python benchmarks/faces_identity.py [--limit N] [--age] [--true-mask]

``--true-mask`` repairs the generator's own mask instead of the detected one (detection left out:
how near the fill alone brings the face).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch

from _common import command_line, shared_path, write_table

LABELS = Path(__file__).resolve().parent / "labels" / "caltech_identities.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="first N photos only (0: all)")
    parser.add_argument(
        "--age", action="store_true", help="age the photo too (sepia, fading, grain)"
    )
    parser.add_argument(
        "--true-mask", action="store_true", help="fill the generator's mask, not the detected one"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--name", default="faces_identity")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    import restora
    from restora.data.damage import DAMAGE_PROFILES, synthesize_damage
    from restora.io import read_image
    from restora.models.face.dlib_peers import DlibEmbedder, dlib_available
    from restora.models.face.embed import RestoraEmbedder
    from restora.models.face.identity import drifted, identity_distance
    from restora.models.face.mtcnn import PAPER, detect_faces

    embedders = {"restora_triplet": RestoraEmbedder()}
    if dlib_available():
        embedders["dlib_resnet"] = DlibEmbedder()
    config = dataclasses.replace(DAMAGE_PROFILES["classic"], age=args.age)
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    names = [n for p in sorted(data["held_out"]) for n in data["identities"][p]]
    if args.limit:
        names = names[: args.limit]
    root = shared_path("train", "caltech_faces")
    per_face = []
    start = time.perf_counter()
    for index, name in enumerate(names):
        clean = read_image(root / f"{name}.jpg").image
        faces = detect_faces(clean, settings=PAPER)
        if not faces:
            continue
        face = max(faces, key=lambda f: f.size)
        damaged, mask = synthesize_damage(clean, rng=np.random.default_rng(index), config=config)
        restored = restora.restore(damaged, mask=mask if args.true_mask else None).image
        x0, y0, x1, y1 = (round(v) for v in face.box)
        in_face = float(mask[..., max(y0, 0) : y1, max(x0, 0) : x1].mean())
        row = {"photo": name, "face_px": round(face.size), "damage_in_face": round(in_face, 4)}
        for key, embedder in embedders.items():
            d_damaged = float(identity_distance(clean, damaged, [face], embedder)[0])
            d_restored = float(identity_distance(clean, restored, [face], embedder)[0])
            row[f"{key}_damaged"] = round(d_damaged, 4)
            row[f"{key}_restored"] = round(d_restored, 4)
            row[f"{key}_drift_flag"] = bool(drifted(np.array([d_restored]), embedder)[0])
        per_face.append(row)
        print(row, flush=True)
    rows = []
    for key, embedder in embedders.items():
        dam = np.array([r[f"{key}_damaged"] for r in per_face])
        res = np.array([r[f"{key}_restored"] for r in per_face])
        rows.append(
            {
                "embedder": key,
                "faces": len(per_face),
                "restored_closer": round(float((res < dam).mean()), 4),
                "unchanged": round(float((res == dam).mean()), 4),
                "further": round(float((res > dam).mean()), 4),
                "mean_damaged_to_clean": round(float(dam.mean()), 4),
                "mean_restored_to_clean": round(float(res.mean()), 4),
                "median_damaged_to_clean": round(float(np.median(dam)), 4),
                "median_restored_to_clean": round(float(np.median(res)), 4),
                "same_person_threshold": embedder.threshold,
                "drift_flags": int(sum(r[f"{key}_drift_flag"] for r in per_face)),
            }
        )
    notes = (
        f"{len(per_face)} held-out faces (caltech image_0381-0447), damage profile classic"
        f"{' with aging' if args.age else ' without aging'}, restored by restora.restore() "
        f"with default options{' and the true damage mask' if args.true_mask else ''}; "
        f"{time.perf_counter() - start:.0f} s in all. restored_closer: "
        "fraction of faces whose restored embedding is nearer the clean one than the damaged "
        "embedding is (acceptance: >= 0.9); unchanged: the same distance (the repair left "
        "what the embedder sees alone); further: restored further than damaged. drift_flags: restored faces further than half the "
        "embedder's same-person threshold from the clean face."
    )
    _, table = write_table(args.name, rows, command_line(), notes)
    table.with_suffix(".per_face.json").write_text(
        json.dumps(per_face, indent=1) + "\n", encoding="utf-8"
    )
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()

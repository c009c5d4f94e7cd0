"""Face verification and grouping on caltech_faces identities (issue 19, acceptance 4 and 5).

Faces: restora's MTCNN (paper settings), the largest face of each photo. Identities: the labels
in ``benchmarks/labels/caltech_identities.json`` (by eye; see its ``how``). Training identities
(photos below image_0300) choose each embedder's same-person threshold (best balanced accuracy
over their pairs); the held-out identities (image_0300 and above, never used in training) are
scored: ROC AUC, equal error rate, balanced accuracy at the chosen threshold, and the accuracy
an oracle threshold chosen on the held-out pairs themselves would give (optimistic, for
reference). Grouping: ``cluster_faces`` (average linkage at the chosen threshold) on the
held-out faces and on all 169, purity and completeness against the labels.

    .venv/bin/python benchmarks/faces_verify.py [--model FOLDER] [--write-threshold]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from _common import command_line, shared_path, write_table

sys.path.insert(0, str(Path(__file__).resolve().parent))

LABELS = Path(__file__).resolve().parent / "labels" / "caltech_identities.json"


def roc(distances: np.ndarray, same: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, true-positive rate, false-positive rate) for "same if distance <= t"."""
    thresholds = np.concatenate([[-np.inf], np.sort(distances)])
    tpr = np.array([(distances[same] <= t).mean() for t in thresholds])
    fpr = np.array([(distances[~same] <= t).mean() for t in thresholds])
    return thresholds, tpr, fpr


def auc(tpr: np.ndarray, fpr: np.ndarray) -> float:
    return float(np.trapezoid(tpr, fpr))


def best_threshold(distances: np.ndarray, same: np.ndarray) -> tuple[float, float]:
    """Threshold with the best balanced accuracy (midpoint between neighbours) and that accuracy."""
    t, tpr, fpr = roc(distances, same)
    balanced = (tpr + 1 - fpr) / 2
    k = int(np.argmax(balanced))
    upper = t[k + 1] if k + 1 < len(t) else t[k] + 1e-3
    return float((t[k] + upper) / 2 if np.isfinite(t[k]) else upper - 1e-3), float(balanced[k])


def pairs(embeddings: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    i, j = np.triu_indices(len(labels), 1)
    d = np.linalg.norm(embeddings[i] - embeddings[j], axis=1)
    return d, labels[i] == labels[j]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None, help="restora embedding folder (default: shipped)")
    parser.add_argument(
        "--write-threshold", action="store_true", help="save the chosen threshold in --model"
    )
    parser.add_argument("--name", default="faces_verify")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--untrained", action="store_true", help="add the network with random weights"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from restora.io import read_image
    from restora.models.face.dlib_peers import DlibEmbedder, dlib_available
    from restora.models.face.embed import EMBED_WEIGHTS, RestoraEmbedder
    from restora.models.face.group import cluster_faces, completeness, purity
    from restora.models.face.mtcnn import PAPER, detect_faces

    folder = Path(args.model) if args.model else EMBED_WEIGHTS
    threshold_file = folder / "threshold.json"
    if not threshold_file.is_file():  # a fresh training run: the threshold is chosen below
        threshold_file.write_text(json.dumps({"threshold": 1.0, "zoom": 0.85}), encoding="utf-8")
    embedders = {"restora_triplet": RestoraEmbedder(folder)}
    if dlib_available():
        embedders["dlib_resnet"] = DlibEmbedder()
    if args.untrained:  # the same network with random weights: what the pipeline alone gives
        import tempfile

        from restora.models import create_model, save_model

        torch.manual_seed(0)
        scratch = Path(tempfile.mkdtemp())
        save_model(create_model("face_embed.small").eval(), scratch)
        (scratch / "threshold.json").write_text(json.dumps({"threshold": 1.0, "zoom": 0.85}))
        embedders["untrained_same_net"] = RestoraEmbedder(scratch)

    data = json.loads(LABELS.read_text(encoding="utf-8"))
    root = shared_path("train", "caltech_faces")
    names, people, split = [], [], []
    vectors: dict[str, list] = {k: [] for k in embedders}
    for person, photos in sorted(data["identities"].items()):
        for name in photos:
            image = read_image(root / f"{name}.jpg").image
            faces = detect_faces(image, settings=PAPER)
            if not faces:
                print(f"no face found in {name}: left out")
                continue
            face = max(faces, key=lambda f: f.size)
            for key, embedder in embedders.items():
                vectors[key].append(embedder.embed(image, [face])[0])
            names.append(name)
            people.append(person)
            split.append("held_out" if person in data["held_out"] else "train")
    people_arr, split_arr = np.array(people), np.array(split)
    _, labels = np.unique(people_arr, return_inverse=True)

    rows, group_rows, thresholds = [], [], {}
    for key, vecs in vectors.items():
        if not vecs:
            continue
        e = np.stack(vecs)
        tr, ho = split_arr == "train", split_arr == "held_out"
        d_tr, s_tr = pairs(e[tr], labels[tr])
        d_ho, s_ho = pairs(e[ho], labels[ho])
        chosen, train_acc = best_threshold(d_tr, s_tr)
        thresholds[key] = chosen
        _, tpr, fpr = roc(d_ho, s_ho)
        eer_k = int(np.argmin(np.abs((1 - tpr) - fpr)))
        tpr_at = float(tpr[fpr <= 0.01].max()) if np.any(fpr <= 0.01) else 0.0
        tp = float((d_ho[s_ho] <= chosen).mean())
        tn = float((d_ho[~s_ho] > chosen).mean())
        oracle_t, oracle_acc = best_threshold(d_ho, s_ho)
        rows.append(
            {
                "embedder": key,
                "held_out_identities": len(set(labels[ho])),
                "held_out_faces": int(ho.sum()),
                "genuine_pairs": int(s_ho.sum()),
                "impostor_pairs": int((~s_ho).sum()),
                "roc_auc": round(auc(tpr, fpr), 4),
                "eer": round(float(((1 - tpr[eer_k]) + fpr[eer_k]) / 2), 4),
                "threshold_from_train_ids": round(chosen, 4),
                "balanced_accuracy": round((tp + tn) / 2, 4),
                "true_accept": round(tp, 4),
                "true_reject": round(tn, 4),
                "tar_at_far_1pct": round(tpr_at, 4),
                "oracle_threshold": round(oracle_t, 4),
                "oracle_balanced_accuracy": round(oracle_acc, 4),
                "train_ids_balanced_accuracy": round(train_acc, 4),
            }
        )
        for subset, mask in (("held_out", ho), ("all_169", np.ones_like(ho))):
            groups = cluster_faces(e[mask], chosen)
            group_rows.append(
                {
                    "embedder": key,
                    "faces": subset,
                    "identities": len(set(labels[mask])),
                    "groups": int(groups.max() + 1),
                    "purity": round(purity(groups, labels[mask]), 4),
                    "completeness": round(completeness(groups, labels[mask]), 4),
                }
            )
        curve = {"fpr": fpr.round(5).tolist(), "tpr": tpr.round(5).tolist()}
        rows[-1]["_curve"] = curve
    curves = {r["embedder"]: r.pop("_curve") for r in rows}
    notes = (
        "Verification: all pairs of held-out faces (identities p11-p16, photos image_0381-0447; "
        "two of them have one photo and only give impostor pairs). Threshold: best balanced "
        "accuracy over pairs of the training identities (p01-p10; restora's network was trained "
        "on them, so its threshold is chosen on seen faces). Oracle: threshold chosen on the "
        "held-out pairs themselves (optimistic). Distances Euclidean on each embedder's vectors. "
        "Only 4 held-out identities give genuine pairs: treat these figures as indicative."
    )
    write_table(args.name, rows, command_line(), notes)
    write_table(
        args.name.replace("verify", "group"),
        group_rows,
        command_line(),
        "cluster_faces (average linkage) at each embedder's threshold from the training "
        "identities. purity: faces whose group's majority person is their own; completeness: "
        "faces in their person's largest group.",
    )
    from _common import RESULTS

    (RESULTS / f"{args.name}_roc.json").write_text(json.dumps(curves) + "\n", encoding="utf-8")
    if args.write_threshold:
        threshold_file.write_text(
            json.dumps(
                {
                    "threshold": round(thresholds["restora_triplet"], 4),
                    "zoom": 0.85,
                    "chosen_on": "caltech_faces training identities p01-p10 (best balanced accuracy)",
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
    for r in rows + group_rows:
        print(r)


if __name__ == "__main__":
    main()

"""Train restora's face embedding with the batch-hard triplet loss (``python -m
restora.train.face_triplet --out runs/face_triplet``).

Data: the training identities of an identity-label file (``benchmarks/labels/
caltech_identities.json``: photos of shared/train/caltech_faces grouped by person; its
``held_out`` identities are never read here), plus optional *instance identities*: single faces
found in other training photos (``--instances FILE``: a JSON list of ``{"path", "landmarks"}``),
each its own identity whose positives are two augmentations of the same face (exemplar
training). Faces are found with restora's MTCNN (paper settings, largest face of each photo).

Each step draws ``identities`` labelled persons and ``instance_identities`` instances, K
augmented crops each (:func:`restora.data.faces.augment_face`), and minimises the batch-hard
triplet loss; with ``val_identities`` (training identities kept out of training) the checkpoint
with the best verification AUC on them is kept as ``OUT/best_model``; the learning rate follows a cosine over ``steps`` or ``minutes`` (whichever
ends first: the machine is shared, so a time budget keeps runs bounded). The final weights (no selection on held-out data) go to ``OUT/model``
(``config.json`` + ``model.safetensors``), the log to ``OUT/log.csv`` and the settings to
``OUT/run.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from restora.core.paths import shared_dir
from restora.data.faces import FaceRecord, augment_face, pk_batch
from restora.io import read_image
from restora.losses.triplet import batch_hard_triplet_loss
from restora.models import create_model, save_model
from restora.models.face.mtcnn import PAPER, detect_faces
from restora.train.logs import CSVLog

__all__ = ["TripletConfig", "load_identity_records", "main", "train"]


@dataclass
class TripletConfig:
    """Settings of one run (saved as ``run.json``)."""

    labels: str = "benchmarks/labels/caltech_identities.json"
    images: str = "train/caltech_faces"  # inside shared/
    instances: str | None = None
    out: str = "runs/face_triplet"
    steps: int = 6000
    minutes: float = 0.0  # > 0: also stop after this long (the schedule follows elapsed time)
    identities: int = 6
    instance_identities: int = 4
    per_identity: int = 4
    lr: float = 1e-3
    weight_decay: float = 5e-4
    margin: float = 0.0  # <= 0: soft margin (softplus)
    squared: bool = False
    size: int = 64
    zoom: float = 0.85
    seed: int = 0
    log_every: int = 25
    save_every: int = 500
    val_identities: str = ""  # comma-separated training identities kept out for checkpoint choice
    eval_every: int = 200


def _largest_face(path: Path) -> tuple[torch.Tensor, np.ndarray] | None:
    image = read_image(path).image
    faces = detect_faces(image, settings=PAPER)
    if not faces:
        return None
    face = max(faces, key=lambda f: f.size)
    return image, face.landmark_array()


def load_identity_records(
    labels: Path, images: Path, split: str = "train", only: set[str] | None = None
) -> list[FaceRecord]:
    """Records of the ``split`` ("train" or "held_out") identities of a label file (``only``:
    just these identities)."""
    data = json.loads(labels.read_text(encoding="utf-8"))
    records = []
    people = [p for p in sorted(data[split]) if only is None or p in only]
    for label, person in enumerate(people):
        for name in data["identities"][person]:
            found = _largest_face(images / f"{name}.jpg")
            if found is not None:
                records.append(FaceRecord(found[0], found[1], label, name))
    return records


def _instance_records(path: Path, root: Path, first_label: int) -> list[FaceRecord]:
    items = json.loads(path.read_text(encoding="utf-8"))
    records = []
    for k, item in enumerate(items):
        image = read_image(root / item["path"]).image
        records.append(
            FaceRecord(image, np.asarray(item["landmarks"]), first_label + k, item["path"])
        )
    return records


def verification_auc(
    model: torch.nn.Module, records: list[FaceRecord], size: int, zoom: float
) -> float:
    """ROC AUC of "same person" over all pairs of ``records`` (unaugmented aligned crops)."""
    from restora.models.face.align import face_crop_gray

    model.eval()
    with torch.inference_mode():
        x = torch.cat([face_crop_gray(r.image, r.landmarks, size, zoom) for r in records])
        e = model(x).numpy()
    labels = np.array([r.label for r in records])
    i, j = np.triu_indices(len(records), 1)
    d = np.linalg.norm(e[i] - e[j], axis=1)
    same = labels[i] == labels[j]
    pos, neg = d[same], d[~same]
    # AUC = P(genuine distance < impostor distance), ties count half
    return float((pos[:, None] < neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip()
    except OSError:
        return ""


def train(config: TripletConfig) -> Path:
    """Run training; returns the model folder."""
    root = shared_dir()
    if root is None:
        raise SystemExit("shared data folder not found (set $RESTORA_SHARED)")
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    val_ids = {v for v in config.val_identities.split(",") if v}
    data = json.loads(Path(config.labels).read_text(encoding="utf-8"))
    train_ids = set(data["train"]) - val_ids
    people = load_identity_records(Path(config.labels), root / config.images, "train", train_ids)
    val = (
        load_identity_records(Path(config.labels), root / config.images, "train", val_ids)
        if val_ids
        else []
    )
    n_people = len({r.label for r in people})
    instances = (
        _instance_records(Path(config.instances), root, n_people) if config.instances else []
    )
    (out / "run.json").write_text(
        json.dumps(
            {
                "config": asdict(config),
                "commit": _git_commit(),
                "records": len(people),
                "identities": n_people,
                "val_records": len(val),
                "instances": len(instances),
                "names": [r.name for r in people + instances],
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    model = create_model("face_embed.small", size=config.size)
    optim = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    people_labels = np.array([r.label for r in people])
    log = CSVLog(out / "log.csv")
    val_log = CSVLog(out / "val.csv")
    start = time.time()
    step, best = 0, -1.0
    while True:
        step += 1
        progress = (step - 1) / config.steps
        if config.minutes > 0:
            progress = max(progress, (time.time() - start) / (60 * config.minutes))
        if progress >= 1:
            break
        lr = config.lr * 0.5 * (1 + math.cos(math.pi * progress))
        for group in optim.param_groups:
            group["lr"] = lr
        batch = [
            people[i]
            for i in pk_batch(
                people_labels, rng, identities=config.identities, per_identity=config.per_identity
            )
        ]
        if instances and config.instance_identities:
            chosen = rng.choice(len(instances), size=config.instance_identities, replace=False)
            batch += [instances[i] for i in chosen for _ in range(config.per_identity)]
        x = torch.cat([augment_face(r, rng, size=config.size, zoom=config.zoom) for r in batch])
        labels = torch.tensor([r.label for r in batch])
        model.train()
        loss, stats = batch_hard_triplet_loss(
            model(x), labels, config.margin if config.margin > 0 else None, squared=config.squared
        )
        optim.zero_grad(set_to_none=True)
        loss.backward()
        optim.step()
        if step % config.log_every == 0 or step == 1:
            log.write(
                {
                    "step": step,
                    "loss": float(loss.detach()),
                    "lr": lr,
                    **stats,
                    "seconds": round(time.time() - start, 1),
                }
            )
            print(
                f"step {step} loss {float(loss):.4f} active {stats['active']:.2f} pos {stats['pos']:.3f} neg {stats['neg']:.3f} {time.time() - start:.0f}s",
                flush=True,
            )
        if step % config.save_every == 0:
            save_model(model.eval(), out / "model")
        if val and step % config.eval_every == 0:
            auc = verification_auc(model, val, config.size, config.zoom)
            val_log.write({"step": step, "val_auc": round(auc, 4)})
            print(f"step {step} val_auc {auc:.4f}", flush=True)
            if auc >= best:
                best = auc
                save_model(model.eval(), out / "best_model")
                (out / "best.json").write_text(
                    json.dumps({"step": step, "val_auc": auc}), encoding="utf-8"
                )
    save_model(model.eval(), out / "model")
    (out / "done.json").write_text(
        json.dumps({"steps": step - 1, "seconds": round(time.time() - start)}), encoding="utf-8"
    )
    return out / "model"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in asdict(TripletConfig()).items():
        kind = type(default) if default is not None else str
        if kind is bool:
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                type=lambda v: v.lower() in ("1", "true", "yes"),
                default=default,
            )
        else:
            parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default)
    args = parser.parse_args(argv)
    train(TripletConfig(**vars(args)))


if __name__ == "__main__":
    main()

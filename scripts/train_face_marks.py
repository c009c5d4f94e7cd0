"""Train the damage stage's second look at marks over faces (shipped as ``damage.face_marks``).

Data: only what restora trains on - the caltech faces of the training identities (below
``image_0300``; the held-out face benchmarks use the rest) and the photos of ``bsds500_train``
and ``imagenet_sample_256`` in which the face detector finds a face (people of every kind, in
every setting: the caltech faces alone are frontal portraits in offices) - toned, aged and
damaged by restora's own training generator (:func:`restora.data.damage.synthesize_damage`; the damage mix of
``configs/damage_unet_faces.toml`` and the ``classic`` profile), each photo also clean (toned
and aged, no damage), mirrored and rescaled at random. The robustness benchmark's independent
tones and damage are never used, so ``benchmarks/damage_face_rules.py`` and the held-out
identities stay a test.

For each picture the ``detect_damage`` stage runs as shipped; the marks over faces that its
rules leave (:func:`restora.ops.damage_components.face_mark_features`) are the samples: damage
when at least half of a mark lies on the generator's mask (grown by 1 px), not damage otherwise
(every mark on a clean picture). A gradient-boosted tree ensemble (scikit-learn, the ``train``
extra) is fitted, cross-validated by photo, and written as a
:class:`restora.models.face.mark_verifier.TreeEnsemble`:

    .venv/bin/python scripts/train_face_marks.py --out src/restora/weights/damage/face_marks
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import torch

SEED = 2026
TREES, DEPTH, LEARNING_RATE, SUBSAMPLE = 200, 4, 0.05, 0.8
THRESHOLDS = (0.85, 0.9, 0.92, 0.93, 0.94, 0.95, 0.96)
DAMAGE_MIX = {  # configs/damage_unet_faces.toml's [task.options.damage]
    "scratches": (0, 5),
    "curved_scratches": (0, 3),
    "dust": (20, 80),
    "hairs": (0, 6),
    "wide_scratches": (0, 2),
    "creases": (0, 1),
    "tears": (0, 1),
    "stains": (0, 2),
    "ink": (0, 2),
    "cracks": (0, 6),
    "craquelure": (0, 2),
    "folds": (0, 2),
    "flakes": (0, 3),
    "foxing": (0, 2),
    "paper_texture": 0.3,
    "halftone": 0.05,
    "color_cast": 0.2,
    "tone": "print",
    "scan": 0.8,
    "sharpen": 0.3,
    "dashed": 0.5,
}
VARIANTS = ("clean", "clean", "mix", "mix", "classic")


MORE_PHOTOS = ("bsds500_train", "imagenet_sample_256")  # used where a face is found


def training_photos(cache: Path) -> list[Path]:
    """The caltech training identities, then the photos of :data:`MORE_PHOTOS` with a face
    (the list of those is cached in ``cache``: finding faces in 1,100 photos takes minutes)."""
    from restora.core.paths import shared_dir

    root = shared_dir()
    if root is None:
        sys.exit("shared data folder not found (set $RESTORA_SHARED)")
    folder = root / "train" / "caltech_faces"
    number = re.compile(r"image_(\d+)\.jpg$")
    caltech = sorted(
        p for p in folder.glob("image_*.jpg") if int(number.search(p.name).group(1)) < 300
    )
    if cache.exists():
        more = [root / "train" / name for name in json.loads(cache.read_text())]
    else:
        from restora.io import read_image
        from restora.models.face.detectors import default_detector, find_faces

        method = default_detector()
        candidates = sorted(
            p
            for name in MORE_PHOTOS
            for p in (root / "train" / name).iterdir()
            if p.suffix.lower() in (".jpg", ".jpeg", ".png")
        )
        more = []
        for n, path in enumerate(candidates, start=1):
            if find_faces(read_image(path).image, method=method):
                more.append(path)
            print(f"\rfaces in {len(more)} of {n} photos", end="", file=sys.stderr)
        print(file=sys.stderr)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps([str(p.relative_to(root / "train")) for p in more]))
    return caltech + more


def _config(variant: str, rng: np.random.Generator):  # noqa: ANN202
    from restora.data.damage import DAMAGE_PROFILES, NO_DAMAGE, DamageConfig

    aged = bool(rng.random() < 0.75)
    if variant == "classic":
        return dataclasses.replace(DAMAGE_PROFILES["classic"], age=aged)
    mix = DamageConfig(**{**DAMAGE_MIX, "age": aged})
    return dataclasses.replace(mix, **NO_DAMAGE) if variant == "clean" else mix


def _picture(path: Path, variant: str, rng: np.random.Generator):  # noqa: ANN202
    """A training picture (1, 3, H, W) and its damage mask (H, W) bool (None when clean)."""
    from restora.data.damage import synthesize_damage
    from restora.io import read_image

    photo = read_image(path).image
    if rng.random() < 0.5:
        photo = photo.flip(-1)
    factor = float(rng.uniform(0.85, 1.5))
    size = (round(photo.shape[-2] * factor), round(photo.shape[-1] * factor))
    photo = torch.nn.functional.interpolate(
        photo, size=size, mode="bicubic", align_corners=False, antialias=True
    ).clamp(0, 1)
    image, mask = synthesize_damage(photo, rng=rng, config=_config(variant, rng))
    truth = mask[0, 0].numpy() > 0.5
    return image, (None if variant == "clean" else truth)


def _collect(job: tuple[int, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Features and labels of the marks over faces the shipped rules leave in one photo's
    variants."""
    index, name = job
    torch.set_num_threads(1)
    import restora
    import restora.pipeline.stages.detect as detect_stage
    from restora.ops.damage_components import face_mark_features
    from restora.ops.face_marks import MARK_FEATURES

    original = detect_stage.classify_components
    seen: list[tuple] = []

    def capture(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        out = original(*args, **kwargs)  # the stage runs with detect.face_marks off
        if kwargs.get("faces") and kwargs.get("image") is not None:
            seen.append((out, kwargs["faces"], kwargs["image"]))
        return out

    detect_stage.classify_components = capture
    rows, labels, clean = [], [], []
    grow = np.ones((3, 3), np.uint8)
    try:
        for v, variant in enumerate(VARIANTS):
            rng = np.random.default_rng([SEED, index, v])
            image, truth = _picture(Path(name), variant, rng)
            seen.clear()
            restora.restore(image, stages=["detect_damage"], detect={"face_marks": False})
            if not seen:
                continue
            (pieces, parts), faces, shown = seen[-1]
            pieces = pieces.numpy()
            found, features = face_mark_features(pieces, parts, faces, shown)
            if truth is not None:
                truth = cv2.dilate(truth.astype(np.uint8), grow) > 0
            for i, row in zip(found, features, strict=True):
                rows.append(row)
                labels.append(0 if truth is None else int(truth[pieces == i + 1].mean() >= 0.5))
                clean.append(truth is None)
    finally:
        detect_stage.classify_components = original
    width = len(MARK_FEATURES)
    features = np.stack(rows) if rows else np.zeros((0, width), np.float32)
    return features, np.array(labels, np.int64), np.array(clean, bool), index


def collect(workers: int, limit: int, cache: Path) -> dict[str, np.ndarray]:
    """``x`` (N, F) features, ``y`` labels, ``groups`` photo numbers, ``clean`` (the mark is
    on a clean picture)."""
    paths = training_photos(cache)[: limit or None]
    jobs = [(i, str(p)) for i, p in enumerate(paths)]
    xs, ys, cs, groups = [], [], [], []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for n, (x, y, c, index) in enumerate(pool.map(_collect, jobs), start=1):
            xs.append(x)
            ys.append(y)
            cs.append(c)
            groups.append(np.full(len(y), index))
            print(f"\r{n}/{len(jobs)} photos, {sum(map(len, ys))} marks", end="", file=sys.stderr)
    print(file=sys.stderr)
    return {
        "x": np.concatenate(xs),
        "y": np.concatenate(ys),
        "groups": np.concatenate(groups),
        "clean": np.concatenate(cs),
    }


def _classifier():  # noqa: ANN202
    try:
        from sklearn.ensemble import GradientBoostingClassifier
    except ImportError:
        sys.exit("scikit-learn is needed to train: pip install -e '.[train]'")
    return GradientBoostingClassifier(
        n_estimators=TREES,
        max_depth=DEPTH,
        learning_rate=LEARNING_RATE,
        subsample=SUBSAMPLE,
        random_state=SEED,
    )


def cross_validate(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, clean: np.ndarray
) -> list[dict]:
    """Five folds by photo: per threshold, the marks called damage on held-out photos, and
    the clean pictures (of 2 per photo) with a false call."""
    from sklearn.model_selection import GroupKFold

    score = np.zeros(len(y))
    for train, test in GroupKFold(5).split(x, y, groups):
        score[test] = _classifier().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    rows = []
    for t in THRESHOLDS:
        called = score >= t
        rows.append(
            {
                "threshold": t,
                "damage_marks_found": round(float(called[y == 1].mean()), 4),
                "clean_marks_called_damage": round(float(called[y == 0].mean()), 4),
                "photos_with_a_false_call": int(np.unique(groups[called & (y == 0)]).size),
                "photos_with_a_false_call_on_a_clean_picture": int(
                    np.unique(groups[called & clean]).size
                ),
            }
        )
    return rows


def export(model, out: Path) -> str:  # noqa: ANN001
    """Write the fitted classifier as a TreeEnsemble to ``out``; return the weights' sha256."""
    from restora.models.checkpoint import WEIGHTS_FILE, save_model
    from restora.models.face.mark_verifier import TreeEnsemble
    from restora.ops.face_marks import MARK_FEATURES

    trees = [e[0].tree_ for e in model.estimators_]
    nodes = max(t.node_count for t in trees)
    shape = (len(trees), nodes)
    arrays = {
        "feature": np.zeros(shape, np.int64),
        "threshold": np.zeros(shape, np.float64),
        "left": np.full(shape, -1, np.int64),
        "right": np.full(shape, -1, np.int64),
        "value": np.zeros(shape, np.float64),
    }
    for k, tree in enumerate(trees):
        n = tree.node_count
        arrays["feature"][k, :n] = np.maximum(tree.feature, 0)
        arrays["threshold"][k, :n] = tree.threshold
        arrays["left"][k, :n] = tree.children_left
        arrays["right"][k, :n] = tree.children_right
        arrays["value"][k, :n] = tree.value[:, 0, 0]
    ensemble = TreeEnsemble(
        features=list(MARK_FEATURES),
        trees=len(trees),
        nodes=nodes,
        depth=max(t.max_depth for t in trees),
        learning_rate=model.learning_rate,
    )
    prior = float(model.init_.class_prior_[1])
    ensemble.set_trees(**arrays, bias=float(np.log(prior / (1 - prior))))
    save_model(ensemble, out)
    return hashlib.sha256((out / WEIGHTS_FILE).read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="model folder to write")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="first N photos only (0: all)")
    parser.add_argument("--cache", type=Path, default=Path("runs/face_marks/marks.npz"))
    args = parser.parse_args()
    start = time.perf_counter()
    if args.cache.exists():
        data = dict(np.load(args.cache))
    else:
        data = collect(args.workers, args.limit, args.cache.parent / "photos_with_faces.json")
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(args.cache, **data)
    x, y, groups = data["x"], data["y"], data["groups"]
    print(f"{len(y)} marks ({int(y.sum())} damage) from {np.unique(groups).size} photos")
    folds = cross_validate(x, y, groups, data["clean"])
    for row in folds:
        print(row)
    model = _classifier().fit(x, y)
    digest = export(model, args.out)
    from restora.models.checkpoint import load_model

    check = load_model(args.out)(torch.from_numpy(x[:512]).float()).numpy()
    gap = float(np.abs(check - model.predict_proba(x[:512])[:, 1]).max())
    record = {
        "marks": int(len(y)),
        "damage_marks": int(y.sum()),
        "photos": int(np.unique(groups).size),
        "cross_validation": folds,
        "max_difference_to_scikit_learn": gap,
        "sha256": digest,
        "seconds": round(time.perf_counter() - start),
    }
    (args.cache.parent / "training.json").write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()

"""Faces across a set of photos: detect, align, embed, group by person, and write aligned
crops, contact sheets and a JSON index (the work behind ``restora faces``).

Outputs in ``out/``: ``faces.json`` (format ``restora.faces/1``: per photo its faces with box,
score, landmarks, crop file and group), ``crops/<stem>_face<k>.png`` (aligned, ``crop_size``
square), ``contact_sheet.png`` (every crop, in JSON order) and, when grouping,
``people/person_<NN>.png`` (one sheet per group). Files are written atomically; a file that
exists is replaced only when a previous ``faces.json`` of restora's in ``out/`` lists it (or
with ``overwrite``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from restora.core.errors import RestoraError
from restora.io import atomic_write_text, read_image, write_image
from restora.models.face.align import align_face
from restora.models.face.detectors import find_faces
from restora.models.face.embed import Embedder
from restora.models.face.face import Face
from restora.models.face.group import cluster_faces
from restora.models.face.mtcnn import OLD_PHOTOS, MTCNNSettings

__all__ = [
    "FORMAT",
    "PhotoFaces",
    "check_face_output",
    "contact_sheet",
    "scan_photos",
    "write_face_outputs",
]

FORMAT = "restora.faces/1"


@dataclass
class PhotoFaces:
    """The faces of one photo: ``source``, size, ``faces``, aligned ``crops`` (N, 3, S, S),
    ``embeddings`` (N, D) or None, and an ``error`` message when the photo could not be read."""

    source: Path
    width: int = 0
    height: int = 0
    faces: list[Face] = field(default_factory=list)
    crops: torch.Tensor | None = None
    embeddings: np.ndarray | None = None
    error: str | None = None


def scan_photos(
    paths: list[Path],
    *,
    method: str = "mtcnn",
    settings: MTCNNSettings = OLD_PHOTOS,
    embedder: Embedder | None = None,
    crop_size: int = 112,
    on_photo: Callable[[PhotoFaces], None] | None = None,
) -> list[PhotoFaces]:
    """Detect (and embed, with ``embedder``) the faces of every photo; a photo that fails is
    kept with its ``error`` and the rest carry on."""
    results = []
    for path in paths:
        item = PhotoFaces(source=path)
        try:
            image = read_image(path).image
            item.height, item.width = image.shape[-2:]
            item.faces = find_faces(image, method=method, settings=settings)  # type: ignore[arg-type]
            if item.faces:
                item.crops = torch.cat(
                    [align_face(image, f, crop_size, zoom=0.8) for f in item.faces]
                )
                if embedder is not None:
                    item.embeddings = embedder.embed(image, item.faces)
        except (RestoraError, OSError, ValueError) as exc:
            item.error = str(exc)
        results.append(item)
        if on_photo is not None:
            on_photo(item)
    return results


def contact_sheet(tiles: torch.Tensor, columns: int = 8, gap: int = 4) -> torch.Tensor:
    """Tiles (N, 3, S, S) in a grid on white: (1, 3, H, W)."""
    n, c, s, _ = tiles.shape
    columns = max(1, min(columns, n))
    rows = math.ceil(n / columns)
    sheet = torch.ones(1, c, rows * (s + gap) + gap, columns * (s + gap) + gap)
    for k in range(n):
        y = gap + (k // columns) * (s + gap)
        x = gap + (k % columns) * (s + gap)
        sheet[0, :, y : y + s, x : x + s] = tiles[k]
    return sheet


def _writable(out: Path, overwrite: bool) -> Callable[[Path], bool]:
    previous: set[Path] = set()
    index = out / "faces.json"
    if index.is_file():
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if data.get("format") != FORMAT and not overwrite:
            raise RestoraError(f"{index} exists and was not written by restora faces")
        previous = {(out / p).resolve() for p in data.get("files", [])} | {index.resolve()}
    return lambda path: overwrite or path.resolve() in previous


def check_face_output(out: Path, overwrite: bool = False) -> None:
    """Raise ``RestoraError`` before any work when ``out`` holds a ``faces.json`` restora did
    not write (files it lists are replaced later; any other existing file is refused when
    written)."""
    if out.exists() and not out.is_dir():
        raise RestoraError(f"output {out} exists and is not a folder")
    _writable(out, overwrite)


def write_face_outputs(
    photos: list[PhotoFaces],
    out: Path,
    *,
    group_threshold: float | None = None,
    embedder_name: str | None = None,
    detector: str = "mtcnn",
    overwrite: bool = False,
    protected: tuple[Path, ...] = (),
) -> dict:
    """Write crops, sheets and ``faces.json`` (see the module docstring); return the JSON.

    With ``group_threshold`` the faces (which need embeddings) are clustered by identity.
    """
    may = _writable(out, overwrite)
    files: list[str] = []

    def put(rel: str, image: torch.Tensor) -> None:
        path = out / rel
        write_image(path, image, overwrite=may(path), protected=protected)
        files.append(rel)

    entries, all_crops, all_embeddings, owners = [], [], [], []
    for item in photos:
        record: dict = {"source": str(item.source), "width": item.width, "height": item.height}
        if item.error is not None:
            record["error"] = item.error
        faces = []
        for k, face in enumerate(item.faces):
            rel = f"crops/{item.source.stem}_face{k}.png"
            if rel in files:  # two inputs with the same stem
                rel = f"crops/{item.source.stem}_{len(entries)}_face{k}.png"
            put(rel, item.crops[k : k + 1])
            faces.append({**face.to_dict(), "crop": rel})
            all_crops.append(item.crops[k : k + 1])
            owners.append((len(entries), k))
            if item.embeddings is not None:
                all_embeddings.append(item.embeddings[k])
        record["faces"] = faces
        entries.append(record)
    if all_crops:
        put("contact_sheet.png", contact_sheet(torch.cat(all_crops)))
    groups = []
    if group_threshold is not None and all_crops:
        if len(all_embeddings) != len(all_crops):
            raise RestoraError("grouping needs an embedding for every face")
        labels = cluster_faces(np.stack(all_embeddings), group_threshold)
        for g in range(int(labels.max()) + 1):
            members = np.flatnonzero(labels == g)
            rel = f"people/person_{g + 1:02d}.png"
            put(rel, contact_sheet(torch.cat([all_crops[i] for i in members])))
            for i in members:
                photo, k = owners[i]
                entries[photo]["faces"][k]["group"] = g + 1
            groups.append({"group": g + 1, "faces": len(members), "sheet": rel})
    data = {
        "format": FORMAT,
        "detector": detector,
        "embedder": embedder_name,
        "group_threshold": group_threshold,
        "photos": entries,
        "groups": groups,
        "files": files,
    }
    index = out / "faces.json"
    if index.exists() and not may(index):
        raise RestoraError(f"refusing to overwrite {index}")
    atomic_write_text(index, json.dumps(data, indent=1) + "\n", overwrite=True, protected=protected)
    return data

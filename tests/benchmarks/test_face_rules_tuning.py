"""benchmarks/face_rules_tuning: the stage's candidates judged again under each variant of the
face thresholds, and the variants summarized."""

from __future__ import annotations

import numpy as np
import torch

from benchmarks import face_rules_tuning as tuning
from restora.ops.damage_components import ComponentRules, FaceRegion


def _call() -> tuple[tuple, dict]:
    """Candidates over one face (head box rows/columns 20-100): a spot of evidence 0.8 and a
    line 40 px long of evidence 0.85; and a spot outside the head."""
    candidates = torch.zeros(1, 1, 128, 128)
    probability = torch.zeros(1, 1, 128, 128)
    candidates[..., 40:43, 40:43], probability[..., 40:43, 40:43] = 1, 0.8
    candidates[..., 60, 30:70], probability[..., 60, 30:70] = 1, 0.85
    candidates[..., 110:113, 110:113], probability[..., 110:113, 110:113] = 1, 0.95
    face = FaceRegion(box=(20, 100, 20, 100), core=(90, 99, 90, 99))
    return (candidates, probability), {"faces": [face], "rules": ComponentRules()}


def test_each_variant_fills_what_its_thresholds_allow() -> None:
    args, kwargs = _call()
    truth = np.zeros((128, 128), bool)
    truth[40:43, 40:43] = True  # the spot is damage, the line is the face's own
    rows = dict(
        zip(tuning.variants(), tuning.rejudge(args, kwargs, truth, (128, 128)), strict=True)
    )
    assert all(r["damage_px"] == 9 for r in rows.values())
    assert rows[(0.8, 0.8, 40.0)]["repaired_px"] == 9  # spot at 0.8 passes
    assert rows[(0.85, 0.8, 40.0)]["repaired_px"] == 0
    assert rows[(0.8, 0.8, 40.0)]["off_px"] == 40  # the line: 0.85 >= 0.8 and 40 px >= 40
    assert rows[(0.8, 0.8, 50.0)]["off_px"] == 0  # too short for 50 px
    assert rows[(0.9, 0.8, 60.0)] == {"damage_px": 9, "repaired_px": 0, "off_px": 0}  # shipped
    clean = tuning.rejudge(args, kwargs, None, (128, 128))
    assert clean[0]["damage_px"] == 0 and clean[0]["off_px"] == 49  # spot + line: all off


def test_summarize_counts_clean_photos_and_repaired_shares() -> None:
    n = len(tuning.variants())
    quiet = [{"damage_px": 0, "repaired_px": 0, "off_px": 0}] * n
    touched = [{"damage_px": 0, "repaired_px": 0, "off_px": 3}] * n
    damaged = [{"damage_px": 10, "repaired_px": 4, "off_px": 1}] * n
    found = {"clean": [quiet, touched], "independent": [damaged], "classic": [damaged, damaged]}
    rows, notes = tuning.summarize(found, photos=2)
    assert len(rows) == n and sum(r["shipped"] for r in rows) == 1
    assert all(r["clean_photos_touched"] == 1 and r["clean_px"] == 3 for r in rows)
    assert all(r["independent_repaired_pct"] == 40.0 and r["classic_off_px"] == 2 for r in rows)
    assert "2 caltech photos" in notes and "2 clean, 1 independent, 2 classic" in notes

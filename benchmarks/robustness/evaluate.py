"""Render one benchmark case (tone, damage, condition) and score detector masks against it.

A case is one photo in one tone × condition cell, rendered twice from the same seeds: the clean
print and the damaged print, each then scanned under the condition with identical random draws
(so the two scans differ only where damage was drawn, and by what the condition does to it).
Images are float32 RGB ``(H, W, 3)`` numpy arrays in [0, 1]; masks are ``(H, W)`` bool.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import cv2
import numpy as np

from .conditions import CONDITIONS
from .damage import KIND_NAMES, draw_damage
from .photos import draw_long_side, resize_long_side
from .tones import TONES


@dataclass
class Case:
    """One rendered case: ``print_clean`` / ``print_damaged`` before the condition, ``clean`` /
    ``damaged`` after it, the damage ``mask`` and kind ``labels`` (see ``damage.Damage``)."""

    tone: str
    condition: str
    print_clean: np.ndarray
    print_damaged: np.ndarray
    clean: np.ndarray
    damaged: np.ndarray
    mask: np.ndarray
    labels: np.ndarray


def name_code(name: str) -> int:
    """A stable integer for a name (CRC-32), so seeds do not depend on registry order."""
    return zlib.crc32(name.encode("utf-8"))


def case_seed(split: str, photo_index: int, tone: str, condition: str) -> np.random.SeedSequence:
    """The seed of one case: from the split, the photo's index in it, the tone and condition."""
    return np.random.SeedSequence(
        [name_code(split), photo_index, name_code(tone), name_code(condition)]
    )


def render_case(
    photo: np.ndarray,
    tone: str,
    condition: str,
    seed: np.random.SeedSequence,
    *,
    long_side: int | None = None,
    size_range: tuple[int, int] = (300, 1200),
) -> Case:
    """Resample ``photo`` (long side ``long_side``, or drawn log-uniformly in ``size_range``),
    tone it, draw damage on the print, then scan both prints under ``condition``."""
    if tone not in TONES:
        raise ValueError(f"unknown tone {tone!r}; choose from {list(TONES)}")
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; choose from {list(CONDITIONS)}")
    # Children made by hand: SeedSequence.spawn() counts its calls, so a second render of the
    # same seed object would get other children.
    size_seq, tone_seq, damage_seq, scan_seq = (
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, i)) for i in range(4)
    )
    side = (
        long_side
        if long_side is not None
        else draw_long_side(np.random.default_rng(size_seq), *size_range)
    )
    print_clean = TONES[tone](resize_long_side(photo, side), np.random.default_rng(tone_seq))
    damage = draw_damage(print_clean, np.random.default_rng(damage_seq))
    scan = CONDITIONS[condition]
    clean = scan(print_clean, np.random.default_rng(scan_seq))
    damaged = scan(damage.image, np.random.default_rng(scan_seq))
    return Case(
        tone, condition, print_clean, damage.image, clean, damaged, damage.mask, damage.labels
    )


def overlap(pred: np.ndarray, target: np.ndarray) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of two ``(H, W)`` bool masks."""
    tp = int(np.count_nonzero(pred & target))
    fp = int(np.count_nonzero(pred)) - tp
    fn = int(np.count_nonzero(target)) - tp
    return tp, fp, fn


TOLERANCE_PX = 2  # for the tolerant scores: a hit within 2 px counts (as issue 17's crack recall)


def near(mask: np.ndarray, radius: int = TOLERANCE_PX) -> np.ndarray:
    """Pixels within ``radius`` px (a disc) of ``mask`` ``(H, W)`` bool."""
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(mask.astype(np.uint8), disc) > 0


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 1.0


@dataclass
class CellScore:
    """Running scores of one detector in one cell (or any pool of cases)."""

    clean_flagged: list[float] = field(default_factory=list)  # fraction per clean photo
    tp: int = 0
    fp: int = 0
    fn: int = 0
    ious: list[float] = field(default_factory=list)
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    near_found: int = 0  # damaged pixels with a flagged pixel within TOLERANCE_PX
    near_right: int = 0  # flagged pixels with a damaged pixel within TOLERANCE_PX
    kind_found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KIND_NAMES, 0))
    kind_total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KIND_NAMES, 0))

    def add_clean(self, flagged: np.ndarray) -> None:
        """Score the mask flagged on a clean photo (every flagged pixel is a false alarm)."""
        self.clean_flagged.append(float(np.count_nonzero(flagged)) / flagged.size)

    def add_damaged(self, flagged: np.ndarray, mask: np.ndarray, labels: np.ndarray) -> None:
        """Score the mask flagged on a damaged photo against the truth ``mask`` / ``labels``."""
        tp, fp, fn = overlap(flagged, mask)
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn
        self.ious.append(_ratio(tp, tp + fp + fn))
        self.precisions.append(_ratio(tp, tp + fp))
        self.recalls.append(_ratio(tp, tp + fn))
        self.near_found += int(np.count_nonzero(mask & near(flagged)))
        self.near_right += int(np.count_nonzero(flagged & near(mask)))
        for index, kind in enumerate(KIND_NAMES, start=1):
            where = labels == index
            total = int(np.count_nonzero(where))
            if total:
                self.kind_total[kind] += total
                self.kind_found[kind] += int(np.count_nonzero(flagged & where))

    def merge(self, other: CellScore) -> None:
        """Pool ``other``'s cases into this one."""
        self.clean_flagged += other.clean_flagged
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.ious += other.ious
        self.precisions += other.precisions
        self.recalls += other.recalls
        self.near_found += other.near_found
        self.near_right += other.near_right
        for kind in KIND_NAMES:
            self.kind_found[kind] += other.kind_found[kind]
            self.kind_total[kind] += other.kind_total[kind]

    def summary(self) -> dict[str, float | None]:
        """Percent false positives on clean photos (median, 95th percentile, max), pooled IoU
        (sum of intersections / sum of unions), mean per-photo IoU, precision and recall, pooled
        recall and precision with a ``TOLERANCE_PX`` tolerance, and pooled recall per damage
        kind (None where the kind was not drawn)."""
        fp = np.array(self.clean_flagged or [np.nan]) * 100
        out: dict[str, float | None] = {
            "fp_median_pct": float(np.median(fp)),
            "fp_p95_pct": float(np.percentile(fp, 95)),
            "fp_max_pct": float(np.max(fp)),
            "iou_pooled": _ratio(self.tp, self.tp + self.fp + self.fn),
            "iou_mean": float(np.mean(self.ious)) if self.ious else float("nan"),
            "precision_mean": float(np.mean(self.precisions)) if self.ious else float("nan"),
            "recall_mean": float(np.mean(self.recalls)) if self.ious else float("nan"),
            "precision_pooled": _ratio(self.tp, self.tp + self.fp),
            "recall_pooled": _ratio(self.tp, self.tp + self.fn),
            "recall_2px": _ratio(self.near_found, self.tp + self.fn),
            "precision_2px": _ratio(self.near_right, self.tp + self.fp),
        }
        for kind in KIND_NAMES:
            total = self.kind_total[kind]
            out[f"recall_{kind}"] = self.kind_found[kind] / total if total else None
        return out

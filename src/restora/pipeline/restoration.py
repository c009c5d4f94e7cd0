"""What flows through the pipeline: the image, its damage mask, what is known about the photo
(a lazily computed :class:`~restora.pipeline.analysis.Analysis`) and per-stage records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from restora.io import ImageMeta
from restora.ops.damage_components import DamageComponent
from restora.pipeline.analysis import Analysis


@dataclass
class StageRecord:
    """What one stage did: the method used, whether it changed anything, notes and time."""

    stage: str
    method: str
    ran: bool
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "method": self.method,
            "ran": self.ran,
            "seconds": round(self.seconds, 4),
            "notes": list(self.notes),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
        }


@dataclass
class Restoration:
    """One photo on its way through the stages.

    Attributes:
        image: ``(1, 3, H, W)`` float32 RGB in [0, 1], the current state.
        input_image: the image as it entered the pipeline (same contract), kept for the report.
        alpha: ``(1, 1, H, W)`` float32 alpha in [0, 1], or None; follows resizes of ``image``.
        mask: ``(1, 1, H, W)`` float32 damage mask at the input size, 1 = damaged, or None.
        mask_source: "user" when supplied, "detected" when found by ``detect_damage``.
        meta: where the image came from (file metadata), if it was read from a file.
        analysis: tone, noise level, size of ``input_image``, each computed the first time a
            stage asks (shared by the branches of ``inpaint.samples``).
        records: one :class:`StageRecord` per stage that was asked for.
        samples: with ``inpaint.samples`` > 1, every sample's final image (the first is
            ``image``); otherwise empty.
        damage: what ``detect_damage`` found, one
            :class:`~restora.ops.damage_components.DamageComponent` per part, each with its
            repair decision (``mask`` holds the parts to repair); empty for a user's mask.
    """

    image: torch.Tensor
    input_image: torch.Tensor
    alpha: torch.Tensor | None = None
    mask: torch.Tensor | None = None
    mask_source: str | None = None
    meta: ImageMeta | None = None
    records: list[StageRecord] = field(default_factory=list)
    samples: list[torch.Tensor] = field(default_factory=list)
    damage: list[DamageComponent] = field(default_factory=list)
    analysis: Analysis = field(default=None)  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self) -> None:
        if self.analysis is None:
            self.analysis = Analysis(self.input_image)

    @classmethod
    def start(
        cls,
        image: torch.Tensor,
        *,
        alpha: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        meta: ImageMeta | None = None,
    ) -> Restoration:
        return cls(
            image=image,
            input_image=image,
            alpha=alpha,
            mask=mask,
            mask_source="user" if mask is not None else None,
            meta=meta,
        )

    @property
    def mask_coverage(self) -> float:
        """Fraction of pixels marked as damaged (0 when there is no mask)."""
        return 0.0 if self.mask is None else float(self.mask.mean())

    def record(self, stage: str) -> StageRecord | None:
        return next((r for r in self.records if r.stage == stage), None)

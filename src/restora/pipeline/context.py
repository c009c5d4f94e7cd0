"""Run-time context shared by stages: memory budget -> tile size, progress reporting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from restora.ops.tiling import choose_tile_size

ProgressFn = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class RunContext:
    """Options every stage needs but that are not part of one stage's spec."""

    memory_budget_mb: int = 1024
    tile: int | None = None
    progress: ProgressFn | None = None

    def tile_size(
        self, height: int, width: int, *, bytes_per_pixel: float, overlap: int
    ) -> int | None:
        """Tile edge in pixels for an operator, or None when the whole image fits the budget."""
        if self.tile is not None:
            return self.tile if max(height, width) > self.tile else None
        return choose_tile_size(
            height,
            width,
            bytes_per_pixel=bytes_per_pixel,
            budget_bytes=self.memory_budget_mb * 1024 * 1024,
            overlap=overlap,
        )

    def tile_progress(self, what: str) -> Callable[[int, int], None] | None:
        if self.progress is None:
            return None
        report = self.progress
        return lambda done, total: report(what, done, total)

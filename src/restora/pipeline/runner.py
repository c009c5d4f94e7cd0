"""Runs the stages of a spec in order, timing each and recording peak memory."""

from __future__ import annotations

import time

from restora.core.memory import peak_rss_bytes
from restora.pipeline.context import ProgressFn, RunContext
from restora.pipeline.restoration import Restoration
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages import STAGES


class Pipeline:
    """A validated spec turned into stages.

    >>> Pipeline(PipelineSpec(stages=["analyze"])).stage_names
    ['analyze']
    """

    def __init__(
        self, spec: PipelineSpec | None = None, *, progress: ProgressFn | None = None
    ) -> None:
        self.spec = spec or PipelineSpec()
        self.stages = [STAGES.get(name)() for name in self.spec.stages]
        self.context = RunContext(
            memory_budget_mb=self.spec.memory_budget_mb, tile=self.spec.tile, progress=progress
        )

    @property
    def stage_names(self) -> list[str]:
        return [stage.name for stage in self.stages]

    def run(self, restoration: Restoration) -> Restoration:
        for stage in self.stages:
            if self.context.progress is not None:
                self.context.progress(stage.name, 0, 1)
            start = time.perf_counter()
            record = stage.run(restoration, self.spec, self.context)
            record.seconds = time.perf_counter() - start
            record.peak_rss_mb = peak_rss_bytes() / 2**20
            restoration.records.append(record)
            if self.context.progress is not None:
                self.context.progress(stage.name, 1, 1)
        return restoration

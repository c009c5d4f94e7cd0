"""Runs the stages of a spec in order, timing each and recording peak memory."""

from __future__ import annotations

import dataclasses
import time

from restora.core.memory import peak_rss_bytes
from restora.pipeline.context import ProgressFn, RunContext
from restora.pipeline.restoration import Restoration
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages import STAGES
from restora.pipeline.stages.base import Stage


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
        """Run every stage on ``restoration`` (changed in place and returned).

        With ``inpaint.samples`` = N > 1, the stages before ``inpaint`` run once and the rest
        N times, sample ``i`` with ``inpaint.seed + i``: ``restoration`` ends as the first
        sample and ``restoration.samples`` holds all N final images.
        """
        samples = self.spec.inpaint.samples
        split = self.stage_names.index("inpaint") if "inpaint" in self.stage_names else None
        if samples == 1 or split is None:
            for stage in self.stages:
                self._run_stage(stage, restoration, self.spec)
            return restoration
        for stage in self.stages[:split]:
            self._run_stage(stage, restoration, self.spec)
        branches = [restoration] + [_branch(restoration) for _ in range(1, samples)]
        for index, branch in enumerate(branches):
            inpaint = dataclasses.replace(self.spec.inpaint, seed=self.spec.inpaint.seed + index)
            spec = dataclasses.replace(self.spec, inpaint=inpaint)
            for stage in self.stages[split:]:
                self._run_stage(stage, branch, spec)
        restoration.samples = [branch.image for branch in branches]
        return restoration

    def _run_stage(self, stage: Stage, restoration: Restoration, spec: PipelineSpec) -> None:
        if self.context.progress is not None:
            self.context.progress(stage.name, 0, 1)
        start = time.perf_counter()
        record = stage.run(restoration, spec, self.context)
        record.seconds = time.perf_counter() - start
        record.peak_rss_mb = peak_rss_bytes() / 2**20
        restoration.records.append(record)
        if self.context.progress is not None:
            self.context.progress(stage.name, 1, 1)


def _branch(restoration: Restoration) -> Restoration:
    """A copy whose image and records can change without touching ``restoration`` (tensors and
    the analysis of the input are shared: stages replace ``image`` / ``mask`` rather than write
    into them)."""
    return dataclasses.replace(restoration, records=list(restoration.records))

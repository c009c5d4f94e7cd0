"""The stage interface: take a Restoration, update it, say what was done."""

from __future__ import annotations

from abc import ABC, abstractmethod

from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec


class Stage(ABC):
    """A step of the pipeline. Subclasses set ``name`` and implement :meth:`run`.

    ``run`` replaces tensors on the Restoration (never edits them in place, so the input stays
    available for the report) and returns a record; the runner adds timing and memory.
    """

    name: str = ""

    @abstractmethod
    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        """Process ``restoration`` according to ``spec``."""

    def skip(self, method: str, note: str) -> StageRecord:
        return StageRecord(stage=self.name, method=method, ran=False, notes=[note])

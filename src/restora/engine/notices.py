"""No-ops a user did not ask for, to be said on stderr (not only in the JSON report).

`noop_notes` reads a finished `Restoration`: an animation of which only the first frame was
restored, a mask given by the user that left nothing to fill, hints that were not used. Python
warnings raised while restoring and encoding (alpha dropped by JPEG, bits per channel lost, ICC
profile not embedded) are collected by `collect_warnings` and said the same way.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from restora.pipeline.restoration import Restoration
from restora.pipeline.spec import PipelineSpec


def noop_notes(restoration: Restoration, spec: PipelineSpec) -> list[str]:
    """One line per no-op in ``restoration`` (see the module docstring)."""
    notes = []
    meta = restoration.meta
    if meta is not None and meta.frames > 1:
        notes.append(
            f"{meta.format or 'the file'} has {meta.frames} frames: only the first was restored"
        )
    inpaint = restoration.record("inpaint")
    if inpaint is not None and not inpaint.ran:
        reason = "; ".join(inpaint.notes) or "inpainting did not run"
        if restoration.mask_source == "user":
            notes.append(f"nothing filled with the given mask: {reason}")
        elif restoration.mask_coverage > 0.999:
            notes.append(f"nothing filled: {reason}")
    colorize = restoration.record("colorize")
    hints = spec.colorize.hints
    if hints and colorize is not None and not colorize.ran:
        reason = "; ".join(colorize.notes) or "colorization did not run"
        notes.append(f"hints {hints} not used: {reason}")
    return notes


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """``with collect_warnings() as said:`` -- the messages of warnings raised inside, once
    each, instead of Python's "file:line: UserWarning: ..." lines on stderr."""
    said: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield said
        finally:
            for warning in caught:
                text = str(warning.message)
                if text not in said:
                    said.append(text)

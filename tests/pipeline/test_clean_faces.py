"""Do no harm to faces (issue 17.4): on clean photos of faces in every print tone (faces restora
never trained on, toned by the robustness benchmark's own renderers), the default restoration
changes no pixel inside the face box by more than 2 levels beyond what the global stages alone
(denoise, colour correction, ...) change. Damage repair must leave clean faces alone."""

from __future__ import annotations

import numpy as np
import pytest
from benchmarks.robustness.photos import toned_faces
from benchmarks.robustness.tones import TONES

import restora
from restora.io.arrays import numpy_to_tensor
from restora.pipeline.spec import DEFAULT_STAGES

REPAIR = ("detect_damage", "inpaint")


@pytest.mark.slow
def test_default_restore_leaves_clean_faces_alone(shared):
    faces = toned_faces(len(TONES), seed=0, root=shared)
    assert {f.tone for f in faces} == set(TONES)
    worst = {}
    for face in faces:
        image = numpy_to_tensor(face.image)
        full = restora.restore(image)
        global_only = restora.restore(image, stages=[s for s in DEFAULT_STAGES if s not in REPAIR])
        x0, y0, x1, y1 = face.box
        a = full.image[..., y0:y1, x0:x1]
        b = global_only.image[..., y0:y1, x0:x1]
        worst[face.tone] = float(np.abs(a - b).max() * 255)
    assert max(worst.values()) <= 2.0 + 1e-3, worst

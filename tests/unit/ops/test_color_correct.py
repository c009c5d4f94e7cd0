"""Colour correction of faded prints: restora's correct_fade against auto-levels and gray-world,
and the correct_color stage's decisions."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import restora
from restora.data.aging import color_cast, fade
from restora.metrics import mean_delta_e2000
from restora.ops.color_correct import (
    auto_levels,
    correct_fade,
    fade_estimate,
    gray_world,
)

pytest.importorskip("skimage")  # the bundled example photos


@pytest.fixture(scope="module")
def photos() -> list[torch.Tensor]:
    from restora.data.examples import example_image

    return [example_image(name)[..., ::2, ::2] for name in ("astronaut", "coffee", "chelsea")]


def _faded(photo: torch.Tensor, seed: int) -> torch.Tensor:
    """A faded colour print: yellowed, washed out, lifted blacks, a global colour cast."""
    rng = np.random.default_rng(seed)
    faded = fade(photo, amount=float(rng.uniform(0.3, 0.45)))
    return color_cast(faded, rng=rng, strength=0.08, blotch=200.0)


def test_restoras_correction_beats_both_baselines_on_faded_prints(photos):
    scores = {"none": [], "levels": [], "gray_world": [], "restora": []}
    for seed, photo in enumerate(photos):
        faded = _faded(photo, seed)
        for name, fn in (
            ("none", lambda x: x),
            ("levels", auto_levels),
            ("gray_world", gray_world),
            ("restora", correct_fade),
        ):
            scores[name].append(float(mean_delta_e2000(fn(faded), photo)[0]))
    mean = {k: sum(v) / len(v) for k, v in scores.items()}
    assert mean["restora"] < 0.8 * mean["none"], mean
    assert mean["restora"] < mean["levels"] and mean["restora"] < mean["gray_world"], mean


def test_estimate_sees_the_fade_and_strength_blends(photos):
    photo = photos[1]
    faded = _faded(photo, 1)
    before, after = fade_estimate(photo), fade_estimate(faded)
    assert after.black > before.black + 5 and after.cast > before.cast + 5  # lifted, cast
    assert torch.allclose(correct_fade(faded, strength=0.0), faded, atol=2e-3)  # Lab round trip
    half = float(mean_delta_e2000(correct_fade(faded, strength=0.5), faded)[0])
    full = float(mean_delta_e2000(correct_fade(faded), faded)[0])
    assert 0 < half < full


def test_baselines_do_what_they_say():
    image = torch.rand(1, 3, 40, 50, generator=torch.Generator().manual_seed(0)) * 0.5 + 0.2
    levelled = auto_levels(image)
    assert float(levelled.amin()) == 0.0 and float(levelled.amax()) == 1.0
    tinted = image * torch.tensor([1.0, 0.8, 0.6]).view(1, 3, 1, 1)
    means = gray_world(tinted).mean(dim=(2, 3))[0]
    assert float(means.max() - means.min()) < 1e-3
    with pytest.raises(ValueError, match="batch"):
        correct_fade(torch.rand(2, 3, 8, 8))
    with pytest.raises(ValueError, match="strength"):
        correct_fade(image, strength=1.5)


def test_the_stage_corrects_faded_colour_and_leaves_the_rest(photos):
    photo = photos[0]
    faded = _faded(photo, 0)
    out = restora.restore(faded, stages=["correct_color"], color={"method": "fade"})
    record = out.record("correct_color")
    assert record.ran and record.method == "fade" and "faded" in record.notes[0]
    assert float(mean_delta_e2000(out.image, photo)[0]) < float(mean_delta_e2000(faded, photo)[0])
    # auto corrects only clearly faded photos (lifted blacks): this one, once more faded
    strong = fade(faded, amount=0.9)  # blacks lifted to 32 %
    assert restora.restore(strong, stages=["correct_color"]).record("correct_color").ran
    clean = restora.restore(photo, stages=["correct_color"])
    record = clean.record("correct_color")
    assert not record.ran and "no clear sign of fading" in record.notes[0]
    assert torch.equal(clean.image, photo)
    sepia = photo.mean(1, keepdim=True) * torch.tensor([1.0, 0.82, 0.6]).view(1, 3, 1, 1)
    kept = restora.restore(sepia, stages=["correct_color"])
    assert "its tone is kept" in kept.record("correct_color").notes[0]
    levels = restora.restore(photo, stages=["correct_color"], color={"method": "levels"})
    assert levels.record("correct_color").method == "levels"
    off = restora.restore(faded, stages=["correct_color"], color={"method": "none"})
    assert torch.equal(off.image, faded)

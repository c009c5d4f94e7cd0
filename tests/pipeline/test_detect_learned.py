"""``detect.method = "learned"``: restora's trained damage network in the pipeline."""

from __future__ import annotations

import pytest
import torch

import restora
from restora.models.segmentation.damage import load_pretrained, pretrained_dir

pytestmark = pytest.mark.skipif(
    not (pretrained_dir() / "model.safetensors").is_file(), reason="no shipped damage weights"
)


def test_shipped_weights_load_as_a_local_unet():
    model = load_pretrained()
    assert model.config["depth"] == 3 and model.config["out_channels"] == 1
    assert model.config["bottleneck"] != "aspp" or model.config["aspp_pooling"] is False
    assert not model.training


def test_learned_detector_finds_scratches_and_dust(scratched):
    damaged, truth = scratched
    result = restora.restore(damaged, stages=["detect_damage"], detect_method="learned")
    found, truth = result.mask > 0.5, truth > 0.5
    assert result.mask.shape == truth.shape
    assert set(result.mask.unique().tolist()) <= {0.0, 1.0}
    recall = float((found & truth).sum() / truth.sum())
    precision = float((found & truth).sum() / found.sum().clamp(min=1))
    assert recall > 0.6 and precision > 0.5, (recall, precision)
    assert "damage network" in result.record("detect_damage").notes[0]


def test_learned_detector_tiles_agree_with_the_whole_image(scratched):
    big = torch.nn.functional.interpolate(scratched[0], scale_factor=2, mode="bilinear")
    whole = restora.restore(big, stages=["detect_damage"], detect_method="learned")
    tiled = restora.restore(big, stages=["detect_damage"], detect_method="learned", tile=288)
    agree = float((whole.mask == tiled.mask).float().mean())
    assert agree > 0.998, agree


def test_sensitivity_moves_the_threshold(scratched):
    damaged, _ = scratched
    low = restora.restore(
        damaged, stages=["detect_damage"], detect_method="learned", sensitivity=0.1
    )
    high = restora.restore(
        damaged, stages=["detect_damage"], detect_method="learned", sensitivity=0.9
    )
    assert float(high.mask.sum()) >= float(low.mask.sum())
    assert bool((high.mask >= low.mask).all())


def test_views_average_the_mirrored_passes(rng):
    from restora.models.segmentation.damage import damage_logits
    from restora.models.segmentation.unet import UNet

    model = UNet(in_channels=3, out_channels=1, width=4, depth=3).eval()
    image = torch.rand(1, 3, 40, 48, generator=rng)  # sides multiples of the stride
    with torch.inference_mode():
        plain = damage_logits(model, image, views=1)
        two = damage_logits(model, image, views=2)
        four = damage_logits(model, image, views=4)
        mirrored = damage_logits(model, image.flip(-1), views=4)
        upside_down = damage_logits(model, image.flip(-2), views=4)
        odd = damage_logits(model, image[..., :37, :45], views=4)
        flips = [model(image.flip(d)).flip(d) if d else model(image) for d in FLIPS]
    assert torch.equal(plain, model(image))
    assert torch.allclose(two, (flips[0] + flips[1]) / 2, atol=1e-6)
    assert torch.allclose(four, sum(flips) / 4, atol=1e-6)
    assert not torch.allclose(two, four, atol=1e-4)
    assert torch.allclose(mirrored, four.flip(-1), atol=1e-5)  # flip-equivariant
    assert torch.allclose(upside_down, four.flip(-2), atol=1e-5)
    assert odd.shape == (1, 1, 37, 45)
    with pytest.raises(ValueError, match="views"):
        damage_logits(model, image, views=3)


FLIPS = ((), (-1,), (-2,), (-2, -1))


def test_auto_views_fit_the_budget():
    from restora.models.segmentation.damage import auto_views

    assert auto_views(321, 481) == 4
    assert auto_views(2000, 2000) == 4  # 4 MP
    assert auto_views(2000, 2001) == 2
    assert auto_views(2000, 4000) == 2  # 8 MP
    assert auto_views(4000, 6000) == 1  # 24 MP
    assert auto_views(100, 100, budget_mp=0.0) == 1  # always at least one


def test_views_change_little_and_can_be_chosen(scratched):
    from restora.core.errors import ConfigError

    damaged, _ = scratched
    auto = restora.restore(damaged, stages=["detect_damage"], detect_method="learned")
    one = restora.restore(
        damaged, stages=["detect_damage"], detect_method="learned", detect_views=1
    )
    assert "4 views" in auto.record("detect_damage").notes[0]
    assert "1 view)" in one.record("detect_damage").notes[0]
    differ = float((auto.mask != one.mask).float().mean())
    assert 0 < differ < 0.02, differ
    with pytest.raises(ConfigError, match="views"):
        restora.restore(damaged, stages=["detect_damage"], detect_method="learned", detect_views=3)


def test_auto_is_the_network_and_falls_back_to_classical_without_weights(scratched, monkeypatch):
    from restora.core.errors import RestoraError
    from restora.pipeline.stages import detect

    damaged, _ = scratched
    default = restora.restore(damaged, stages=["detect_damage"])
    assert default.record("detect_damage").method == "learned"
    monkeypatch.setattr(detect, "has_pretrained", lambda: False)
    fallback = restora.restore(damaged, stages=["detect_damage"])
    record = fallback.record("detect_damage")
    assert record.method == "classical" and "not installed" in record.notes[-1]
    classical = restora.restore(damaged, stages=["detect_damage"], detect_method="classical")
    assert torch.equal(fallback.mask, classical.mask)
    with pytest.raises(RestoraError, match="not installed"):
        restora.restore(damaged, stages=["detect_damage"], detect_method="learned")

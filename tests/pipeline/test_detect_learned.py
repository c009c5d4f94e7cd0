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


def test_flip_average_is_the_mean_with_the_mirror_pass(rng):
    from restora.models.segmentation.damage import damage_logits
    from restora.models.segmentation.unet import UNet

    model = UNet(in_channels=3, out_channels=1, width=4, depth=3).eval()
    image = torch.rand(1, 3, 40, 48, generator=rng)  # sides multiples of the stride
    with torch.inference_mode():
        plain = damage_logits(model, image, flip_average=False)
        both = damage_logits(model, image)
        mirrored = damage_logits(model, image.flip(-1))
        odd = damage_logits(model, image[..., :37, :45])
    assert torch.equal(plain, model(image))
    expected = (model(image) + model(image.flip(-1)).flip(-1)) / 2
    assert torch.allclose(both, expected, atol=1e-6)
    assert torch.allclose(mirrored, both.flip(-1), atol=1e-5)  # flip-equivariant
    assert odd.shape == (1, 1, 37, 45)


def test_flip_average_changes_little_and_can_be_turned_off(scratched):
    damaged, truth = scratched
    on = restora.restore(damaged, stages=["detect_damage"], detect_method="learned")
    off = restora.restore(
        damaged, stages=["detect_damage"], detect_method="learned", detect_flip_average=False
    )
    assert "flip-averaged" in on.record("detect_damage").notes[0]
    assert "flip-averaged" not in off.record("detect_damage").notes[0]
    differ = float((on.mask != off.mask).float().mean())
    assert 0 < differ < 0.02, differ

"""``detect.method = "learned"``: restora's trained damage network in the pipeline."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from tests.shipped import install

import restora
from restora.models import catalogue, load_model
from restora.models.catalogue import prepare

NAME = "damage.unet"
pytestmark = pytest.mark.skipif(not catalogue.installed(NAME), reason="no shipped damage weights")


def test_shipped_weights_load_as_a_local_unet():
    model = load_model(catalogue.shipped(NAME).path)
    assert model.config["depth"] == 4 and model.config["out_channels"] == 1
    assert model.config["bottleneck"] != "aspp" or model.config["aspp_pooling"] is False
    network = catalogue.load(NAME)
    assert network.purpose == "segment" and network.output_activation == "sigmoid"
    assert network.tile_align == 2 ** model.config["depth"]  # tiles agree with the whole image


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


def test_sensitivity_moves_the_thresholds(scratched):
    """Higher sensitivity lowers both hysteresis thresholds: more is flagged. Containment holds
    only before the per-component decisions (a component that grows can change its shape
    class), so it is checked with ``detect.components = all`` and no contour rule."""
    damaged, _ = scratched

    def run(sensitivity: float, **detect):
        return restora.restore(
            damaged,
            stages=["detect_damage"],
            detect={"method": "learned", "sensitivity": sensitivity, **detect},
        )

    low, high = run(0.1), run(0.9)
    assert float(high.mask.sum()) > float(low.mask.sum())
    assert "thresholds 0.98 / 0.90" in low.record("detect_damage").notes[0]
    assert "thresholds 0.14 / 0.10" in high.record("detect_damage").notes[0]
    from restora.pipeline.stages import detect

    plain = dataclasses.replace(detect.RULES, contour=1.0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(detect, "RULES", plain)
        low, high = run(0.1, components="all"), run(0.9, components="all")
    assert bool((high.mask >= low.mask).all()) and float(high.mask.sum()) > float(low.mask.sum())


def test_views_average_the_mirrored_passes(rng):
    from restora.models.segmentation.unet import UNet

    model = UNet(in_channels=3, out_channels=1, width=4, depth=4).eval()
    network = prepare(model, NAME)  # run as the shipped detector is: folded, padded to 16
    image = torch.rand(1, 3, 48, 64, generator=rng)  # sides multiples of the stride
    plain = network(image, views=1)
    two = network(image, views=2)
    four = network(image, views=4)
    mirrored = network(image.flip(-1), views=4)
    upside_down = network(image.flip(-2), views=4)
    odd = network(image[..., :37, :45], views=4)
    with torch.inference_mode():
        flips = [model(image.flip(d)).flip(d) if d else model(image) for d in FLIPS]
    # logits are averaged, then the sigmoid
    assert torch.allclose(plain, torch.sigmoid(flips[0]), atol=1e-5)
    assert torch.allclose(two, torch.sigmoid((flips[0] + flips[1]) / 2), atol=1e-5)
    assert torch.allclose(four, torch.sigmoid(sum(flips) / 4), atol=1e-5)
    assert not torch.allclose(two, four, atol=1e-5)
    assert torch.allclose(mirrored, four.flip(-1), atol=1e-5)  # flip-equivariant
    assert torch.allclose(upside_down, four.flip(-2), atol=1e-5)
    assert odd.shape == (1, 1, 37, 45)
    with pytest.raises(ValueError, match="views"):
        network(image, views=3)


FLIPS = ((), (-1,), (-2,), (-2, -1))


def test_auto_views_fit_the_budget():
    auto_views = catalogue.load(NAME).auto_views
    assert auto_views(321, 481) == 4
    assert auto_views(2000, 2000) == 4  # 4 MP
    assert auto_views(2000, 2001) == 2
    assert auto_views(2000, 4000) == 2  # 8 MP
    assert auto_views(4000, 6000) == 1  # 24 MP


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


def test_auto_is_the_network_and_falls_back_to_classical_without_weights(
    scratched, monkeypatch, tmp_path
):
    from restora.core.errors import RestoraError

    damaged, _ = scratched
    default = restora.restore(damaged, stages=["detect_damage"])
    assert default.record("detect_damage").method == "learned"
    install(monkeypatch, NAME, tmp_path)  # nothing there: not installed
    fallback = restora.restore(damaged, stages=["detect_damage"])
    record = fallback.record("detect_damage")
    assert record.method == "classical" and "not installed" in record.notes[-1]
    classical = restora.restore(damaged, stages=["detect_damage"], detect_method="classical")
    assert torch.equal(fallback.mask, classical.mask)
    with pytest.raises(RestoraError, match="not installed"):
        restora.restore(damaged, stages=["detect_damage"], detect_method="learned")

"""The pipeline's learned inpainting (``inpaint.method`` restora / auto), with a tiny network
standing in for the shipped weights."""

from __future__ import annotations

import pytest
import torch
from tests.shipped import install

from restora.core.errors import RestoraError
from restora.models import catalogue, create_model
from restora.pipeline import api

NAME = "inpaint.refine"


@pytest.fixture
def ship(tmp_path, monkeypatch):
    """``ship(net)`` makes ``net`` restora's shipped inpainting network; until then (and with
    ``ship(None)``) the catalogue entry points at an empty folder of the test's own."""
    install(monkeypatch, NAME, tmp_path)
    return lambda net: install(monkeypatch, NAME, tmp_path, net)


def _damaged(smooth_image):
    mask = torch.zeros(1, 1, 64, 80)
    mask[..., 20:30, 30:45] = 1.0
    damaged = smooth_image.clone()
    damaged[mask.expand_as(damaged) > 0] = 0.0
    return damaged, mask


def test_restora_method_fills_holes_with_the_network(ship, smooth_image):
    torch.manual_seed(0)
    net = create_model("pconv_unet.base", width=4, depth=3)
    with torch.no_grad():  # a bias that paints the holes light grey, far from the black input
        net.decoder[-1].conv.bias.fill_(0.6)
    ship(net)
    damaged, mask = _damaged(smooth_image)
    for method in ("restora", "auto"):
        result = api.restore(
            damaged,
            mask=mask,
            stages=["inpaint"],
            inpaint={"method": method, "dilate": 0, "views": 1, "fsr_weight": 0.0},
        )
        out = result.image
        known = (mask == 0).expand_as(out)
        assert torch.equal(out[known], damaged[known])
        expected = net.eval()(damaged * (1 - mask), mask).clamp(0, 1)
        assert torch.allclose(out[~known], expected[~known], atol=1e-6)
        assert float(out[~known].mean()) > 0.2  # really filled, not left black
        assert [r.method for r in result.records if r.stage == "inpaint"] == ["restora"]


def test_the_network_fill_is_averaged_with_fsr_within_the_hole_budget(ship, smooth_image):
    from restora.ops.inpaint import hole_edge_ramp, inpaint_classical

    torch.manual_seed(0)
    net = create_model("pconv_unet.base", width=4, depth=3)
    ship(net)
    damaged, mask = _damaged(smooth_image)
    options = {"dilate": 0, "views": 1}
    blended = api.restore(damaged, mask=mask, stages=["inpaint"], inpaint=options)
    alone = api.restore(
        damaged, mask=mask, stages=["inpaint"], inpaint={**options, "fsr_weight": 0}
    )
    fsr = inpaint_classical(damaged, mask, method="fsr_fast")
    hole = (mask > 0).expand_as(damaged)
    share = 0.5 * hole_edge_ramp(mask, near=4, far=8)
    expected = ((1 - share) * alone.image + share * fsr)[hole]
    assert torch.allclose(blended.image[hole], expected, atol=1e-5)
    assert not torch.allclose(blended.image[hole], alone.image[hole], atol=1e-3)
    assert torch.equal(blended.image[~hole], damaged[~hole])
    notes = next(r for r in blended.records if r.stage == "inpaint").notes
    assert any("averaged with FSR" in n for n in notes)
    # above the hole budget the network fills alone, and says so
    over = api.restore(
        damaged, mask=mask, stages=["inpaint"], inpaint={**options, "fsr_max_hole_px": 10}
    )
    assert torch.equal(over.image, alone.image)
    notes = next(r for r in over.records if r.stage == "inpaint").notes
    assert any("network alone: 150 hole pixels" in n for n in notes)


def test_auto_falls_back_to_telea_with_a_note_and_restora_refuses(ship, smooth_image):
    damaged, mask = _damaged(smooth_image)
    result = api.restore(
        damaged, mask=mask, stages=["inpaint"], inpaint={"method": "auto", "dilate": 0}
    )
    record = next(r for r in result.records if r.stage == "inpaint")
    assert record.method == "telea"
    assert any("not installed" in note for note in record.notes)
    with pytest.raises(RestoraError, match="not installed"):
        api.restore(damaged, mask=mask, stages=["inpaint"], inpaint={"method": "restora"})


def test_the_default_is_the_network_when_installed_else_telea(ship, smooth_image):
    damaged, mask = _damaged(smooth_image)
    without = api.restore(damaged, mask=mask, stages=["inpaint"], inpaint={"dilate": 0})
    assert [r.method for r in without.records if r.stage == "inpaint"] == ["telea"]
    net = create_model("refine_net.telea", width=4, depth=2)
    ship(net)
    assert catalogue.installed(NAME)
    result = api.restore(damaged, mask=mask, stages=["inpaint"], inpaint={"dilate": 0})
    assert [r.method for r in result.records if r.stage == "inpaint"] == ["restora"]


def test_refine_net_runs_folded_and_matches_the_saved_network(ship, smooth_image):
    torch.manual_seed(0)
    net = create_model("refine_net.telea", width=4, depth=2)
    with torch.no_grad():
        net.body.head.weight.normal_(std=0.3)
        for module in net.modules():  # non-trivial norm statistics, so folding matters
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.2, 0.2)
                module.running_var.uniform_(0.5, 2.0)
    ship(net)
    folded = catalogue.load(NAME).model
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    damaged, mask = _damaged(smooth_image)
    result = api.restore(
        damaged,
        mask=mask,
        stages=["inpaint"],
        inpaint={"method": "restora", "dilate": 0, "views": 1, "fsr_weight": 0},
    )
    expected = net.eval()(damaged * (1 - mask), mask).clamp(0, 1)
    hole = (mask > 0).expand_as(damaged)
    assert torch.allclose(result.image[hole], expected[hole], atol=1e-5)
    assert torch.equal(result.image[~hole], damaged[~hole])


def test_views_average_the_mirrored_fills(ship, smooth_image):
    from restora.core.errors import ConfigError

    torch.manual_seed(0)
    net = create_model("refine_net.telea", width=4, depth=2)
    with torch.no_grad():
        net.body.head.weight.normal_(std=0.3)
    ship(net)
    damaged, mask = _damaged(smooth_image)
    net.eval()
    with torch.no_grad():
        passes = [
            net((damaged * (1 - mask)).flip(d), mask.flip(d)).clamp(0, 1).flip(d)
            for d in ((-1,), (-2,), (-2, -1))
        ]
        passes.insert(0, net(damaged * (1 - mask), mask).clamp(0, 1))
    hole = (mask > 0).expand_as(damaged)
    outs = {}
    for views in (1, 2, 4, "auto"):
        options = {"method": "restora", "dilate": 0, "views": views, "fsr_weight": 0}
        result = api.restore(damaged, mask=mask, stages=["inpaint"], inpaint=options)
        outs[views] = result.image
        assert torch.equal(result.image[~hole], damaged[~hole])
    for views in (1, 2, 4):
        expected = sum(passes[:views]) / views
        assert torch.allclose(outs[views][hole], expected[hole], atol=1e-5), views
    assert not torch.allclose(outs[1][hole], outs[4][hole], atol=1e-4)
    assert torch.equal(outs["auto"], outs[4])  # a 64x80 photo gets 4 views
    assert catalogue.load(NAME).auto_views(1000, 1000) == 1
    with pytest.raises(ConfigError, match="views"):
        api.restore(damaged, mask=mask, stages=["inpaint"], inpaint={"views": 3})

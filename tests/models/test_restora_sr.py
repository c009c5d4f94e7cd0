"""restora's own SR network: shapes, start-as-interpolation, tiling-friendliness, parameter budget,
save/load and the shipped entries of the catalogue."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from tests.shipped import install

from restora.core.errors import RestoraError
from restora.models import catalogue, create_model, load_model, save_model
from restora.models.sr.restora_sr import RestoraSR


def _tiny(**overrides: object) -> RestoraSR:
    torch.manual_seed(0)
    options = {"width": 8, "blocks": 2, "esa_channels": 4, **overrides}
    net = create_model("restora_sr.x4", **options)
    for p in net.parameters():  # the upsampler starts at zero: make every layer non-trivial
        torch.nn.init.normal_(p, std=0.1)
    return net


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize(("h", "w"), [(1, 1), (5, 3), (37, 29), (16, 24)])
def test_forward_scales_odd_sizes(scale, h, w):
    net = _tiny(scale=scale).eval()
    with torch.no_grad():
        assert net(torch.rand(2, 3, h, w)).shape == (2, 3, scale * h, scale * w)


def test_backward_reaches_every_parameter():
    net = _tiny().train()
    x = torch.rand(2, 3, 19, 23, requires_grad=True)
    net(x).square().mean().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    for name, p in net.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


@pytest.mark.parametrize(("skip", "mode"), [("bicubic", "bicubic"), ("nearest", "nearest")])
def test_fresh_model_is_plain_interpolation(skip, mode):
    net = create_model("restora_sr.x2", width=8, blocks=1, esa_channels=4, skip=skip).eval()
    x = torch.rand(1, 3, 11, 9)
    options = {"align_corners": False} if mode == "bicubic" else {}
    with torch.no_grad():
        torch.testing.assert_close(net(x), F.interpolate(x, scale_factor=2, mode=mode, **options))


def test_translation_equivariant_inside_the_receptive_field():
    """Stride-free layers: a crop of the input gives the same output away from the crop's
    border (what tiling with overlap relies on); shifts by any offset, not just multiples."""
    net = _tiny(blocks=1).eval()
    x = torch.rand(1, 3, 40, 40)
    with torch.no_grad():
        full = net(x)
        part = net(x[..., 3:40, 5:40])  # offsets 3 and 5: no stride alignment
    margin = 16  # receptive field of one block + head + tail, in LR pixels, rounded up
    s = 4
    inner_full = full[
        ..., (3 + margin) * s : (40 - margin) * s, (5 + margin) * s : (40 - margin) * s
    ]
    inner_part = part[..., margin * s : (37 - margin) * s, margin * s : (35 - margin) * s]
    torch.testing.assert_close(inner_part, inner_full, rtol=1e-5, atol=1e-5)


def test_default_parameter_count_in_budget():
    count = sum(p.numel() for p in create_model("restora_sr.x4").parameters())
    assert 300_000 <= count <= 600_000, count


def test_descriptor_clamps_and_scales():
    net = _tiny(scale=2).eval()
    desc = net.describe()
    assert desc.purpose == "sr" and desc.scale == 2 and desc.tile_size and desc.tile_overlap > 0
    out = desc(torch.rand(1, 3, 9, 11))
    assert out.shape == (1, 3, 18, 22) and 0 <= out.min() and out.max() <= 1


def test_bad_options_raise():
    with pytest.raises(ValueError, match="scale"):
        RestoraSR(scale=0)
    with pytest.raises(ValueError, match="skip"):
        RestoraSR(skip="lanczos")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RestoraSR(width=0)


def test_save_load_round_trip_is_exact(tmp_path):
    net = _tiny().eval()
    save_model(net, tmp_path / "m")
    again = load_model(tmp_path / "m")
    assert isinstance(again, RestoraSR) and again.config == net.config
    x = torch.rand(1, 3, 13, 10)
    with torch.no_grad():
        torch.testing.assert_close(again(x), net(x), rtol=0, atol=0)


def test_shipped_entries_name_their_scale_and_folder():
    entries = catalogue.for_task("upscale")
    assert {e.name for e in entries} >= {"sr.x2_bicubic", "sr.x4_bicubic", "sr.x4_realistic"}
    for entry in entries:
        assert entry.path.name == f"restora_sr_x{entry.scale}_{entry.name.split('_', 1)[1]}"
        assert entry.path.parent.name == "sr" and entry.path.parent.parent.name == "weights"


def test_missing_weights_raise_clearly(tmp_path, monkeypatch):
    install(monkeypatch, "sr.x2_bicubic", tmp_path)
    with pytest.raises(RestoraError, match="sr.x2_bicubic: not installed"):
        catalogue.load("sr.x2_bicubic")


def test_the_loader_checks_the_scale(tmp_path, monkeypatch):
    import dataclasses

    entry = install(monkeypatch, "sr.x4_bicubic", tmp_path, _tiny(scale=2))
    assert entry.scale == 2 and catalogue.load("sr.x4_bicubic").scale == 2
    monkeypatch.setitem(catalogue.CATALOGUE, entry.name, dataclasses.replace(entry, scale=4))
    with pytest.raises(RestoraError, match="not a restora_sr x4"):
        catalogue.load("sr.x4_bicubic")


def test_channels_last_weights_give_the_same_output():
    torch.manual_seed(0)
    net = RestoraSR(scale=2, width=16, blocks=2, esa_channels=8).eval()
    for p in net.parameters():  # a fresh model's last conv is zero; make the body count
        p.data.normal_(0, 0.1)
    x = torch.rand(1, 3, 19, 23)
    with torch.no_grad():
        plain = net(x)
        net.to(memory_format=torch.channels_last)
        fast = net(x)
    assert fast.is_contiguous()
    assert fast.shape == plain.shape
    assert torch.allclose(fast, plain, atol=1e-5)
    assert plain.abs().max() > 0.1  # the comparison is not trivially of zeros

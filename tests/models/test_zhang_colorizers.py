"""Zhang et al. colorizers: the authors' state-dict layout, width scaling, decoding, hints."""

from __future__ import annotations

import pytest
import torch

from restora.color.ab_bins import annealed_mean, class_ab_bins, zhang_ab_bins
from restora.core.errors import RestoraError
from restora.models import create_model
from restora.models.colorization import (
    ZhangECCV16,
    ZhangSIGGRAPH17,
    load_zhang_checkpoint,
    load_zhang_state_dict,
)

# The authors' releases (richzhang/colorization, colorizers/eccv16.py and siggraph17.py):
# (module prefix, kind, shape). conv: weight shape (bias = out channels); convT: weight is
# (in, out, 4, 4); bn: the channel count (weight, bias, running_mean, running_var, counter).
ECCV16_LAYOUT = [
    ("model1.0", "conv", (64, 1, 3, 3)),
    ("model1.2", "conv", (64, 64, 3, 3)),
    ("model1.4", "bn", 64),
    ("model2.0", "conv", (128, 64, 3, 3)),
    ("model2.2", "conv", (128, 128, 3, 3)),
    ("model2.4", "bn", 128),
    ("model3.0", "conv", (256, 128, 3, 3)),
    ("model3.2", "conv", (256, 256, 3, 3)),
    ("model3.4", "conv", (256, 256, 3, 3)),
    ("model3.6", "bn", 256),
    ("model4.0", "conv", (512, 256, 3, 3)),
    ("model4.2", "conv", (512, 512, 3, 3)),
    ("model4.4", "conv", (512, 512, 3, 3)),
    ("model4.6", "bn", 512),
    *[(f"model{m}.{i}", "conv", (512, 512, 3, 3)) for m in (5, 6, 7) for i in (0, 2, 4)],
    ("model8.0", "convT", (512, 256, 4, 4)),
    ("model8.2", "conv", (256, 256, 3, 3)),
    ("model8.4", "conv", (256, 256, 3, 3)),
    ("model8.6", "conv", (313, 256, 1, 1)),
    ("model_out", "fixed", (2, 313, 1, 1)),
    *[(f"model{m}.6", "bn", 512) for m in (5, 6, 7)],
]
SIGGRAPH17_LAYOUT = [
    ("model1.0", "conv", (64, 4, 3, 3)),
    ("model1.2", "conv", (64, 64, 3, 3)),
    ("model1.4", "bn", 64),
    ("model2.0", "conv", (128, 64, 3, 3)),
    ("model2.2", "conv", (128, 128, 3, 3)),
    ("model2.4", "bn", 128),
    ("model3.0", "conv", (256, 128, 3, 3)),
    ("model3.2", "conv", (256, 256, 3, 3)),
    ("model3.4", "conv", (256, 256, 3, 3)),
    ("model3.6", "bn", 256),
    ("model4.0", "conv", (512, 256, 3, 3)),
    ("model4.2", "conv", (512, 512, 3, 3)),
    ("model4.4", "conv", (512, 512, 3, 3)),
    ("model4.6", "bn", 512),
    *[(f"model{m}.{i}", "conv", (512, 512, 3, 3)) for m in (5, 6, 7) for i in (0, 2, 4)],
    *[(f"model{m}.6", "bn", 512) for m in (5, 6, 7)],
    ("model8up.0", "convT", (512, 256, 4, 4)),
    ("model8.1", "conv", (256, 256, 3, 3)),
    ("model8.3", "conv", (256, 256, 3, 3)),
    ("model8.5", "bn", 256),
    ("model9up.0", "convT", (256, 128, 4, 4)),
    ("model9.1", "conv", (128, 128, 3, 3)),
    ("model9.3", "bn", 128),
    ("model10up.0", "convT", (128, 128, 4, 4)),
    ("model10.1", "conv", (128, 128, 3, 3)),
    ("model3short8.0", "conv", (256, 256, 3, 3)),
    ("model2short9.0", "conv", (128, 128, 3, 3)),
    ("model1short10.0", "conv", (128, 64, 3, 3)),
    ("model_class.0", "conv", (529, 256, 1, 1)),
    ("model_out.0", "conv", (2, 128, 1, 1)),
]


def _expand(layout) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for prefix, kind, shape in layout:
        if kind == "bn":
            for p in ("weight", "bias", "running_mean", "running_var"):
                shapes[f"{prefix}.{p}"] = (shape,)
            shapes[f"{prefix}.num_batches_tracked"] = ()
        elif kind == "fixed":
            shapes[f"{prefix}.weight"] = shape
        else:
            shapes[f"{prefix}.weight"] = shape
            shapes[f"{prefix}.bias"] = (shape[1] if kind == "convT" else shape[0],)
    return shapes


@pytest.mark.parametrize(
    ("name", "layout", "tensors", "params_m"),
    [
        ("zhang.eccv16", ECCV16_LAYOUT, 82, 32.236),
        ("zhang.siggraph17", SIGGRAPH17_LAYOUT, 107, 34.187),
    ],
)
def test_state_dict_matches_the_authors_release(name, layout, tensors, params_m):
    model = create_model(name)
    got = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    expected = _expand(layout)
    assert set(got) == set(expected), set(got) ^ set(expected)
    assert got == expected
    assert len(got) == tensors
    assert sum(p.numel() for p in model.parameters()) / 1e6 == pytest.approx(params_m, abs=1e-3)


def test_eccv16_decoder_holds_the_313_bins_and_is_frozen():
    model = ZhangECCV16(width=0.0625)
    torch.testing.assert_close(model.bin_centres(), zhang_ab_bins())
    assert not model.model_out.weight.requires_grad
    assert model.model_out.weight.shape == (2, 313, 1, 1)


def test_width_scales_every_hidden_layer():
    small = ZhangECCV16(width=0.25).state_dict()
    assert small["model1.0.weight"].shape == (16, 1, 3, 3)
    assert small["model4.0.weight"].shape == (128, 64, 3, 3)
    assert small["model8.6.weight"].shape == (313, 64, 1, 1)  # still 313 bins
    sig = ZhangSIGGRAPH17(width=0.5).state_dict()
    assert sig["model1.0.weight"].shape == (32, 4, 3, 3)
    assert sig["model_class.0.weight"].shape == (529, 128, 1, 1)
    with pytest.raises(ValueError, match="width"):
        ZhangECCV16(width=0.0)
    with pytest.raises(TypeError):
        ZhangECCV16(0.5)  # keyword-only


def test_eccv16_input_normalization_and_decoding():
    torch.manual_seed(0)
    model = ZhangECCV16(width=0.0625).eval()
    lightness = torch.rand(2, 1, 21, 30) * 100
    with torch.no_grad():
        logits = model(lightness)
        assert logits.shape == (2, 313, 6, 8)
        ab = model.predict_ab(lightness, temperature=1.0)
        expected = annealed_mean(logits, zhang_ab_bins(), temperature=1.0)
        up = torch.nn.functional.interpolate(expected, scale_factor=4, mode="bilinear")
        torch.testing.assert_close(ab, up[..., :21, :30])
        # the authors' input normalization: (L - 50) / 100 enters the first convolution
        seen = []
        hook = model.model1[0].register_forward_hook(lambda m, i, o: seen.append(i[0]))
        model(torch.full((1, 1, 8, 8), 75.0))
        hook.remove()
        assert torch.equal(seen[0], torch.full((1, 1, 8, 8), 0.25))
    with pytest.raises(ValueError, match="no colour hints"):
        model.predict_ab(
            lightness, hints=torch.zeros(2, 2, 21, 30), hint_mask=torch.zeros(2, 1, 21, 30)
        )
    with pytest.raises(ValueError):
        model(torch.rand(1, 3, 8, 8))


def test_siggraph17_hints_change_the_output_locally_and_mask_is_centred():
    torch.manual_seed(0)
    model = ZhangSIGGRAPH17(width=0.0625).eval()
    lightness = torch.full((1, 1, 32, 32), 60.0)
    hints = torch.zeros(1, 2, 32, 32)
    mask = torch.zeros(1, 1, 32, 32)
    with torch.no_grad():
        none = model(lightness)
        explicit = model(lightness, hints, mask)
        torch.testing.assert_close(none, explicit)  # no hints == an empty mask
        hints[..., 16, 16] = torch.tensor([50.0, -30.0]).view(1, 2)
        mask[..., 16, 16] = 1
        hinted = model(lightness, hints, mask)
        ab, logits = model(lightness, hints, mask, return_logits=True)
    assert not torch.equal(none, hinted)
    torch.testing.assert_close(ab, hinted)
    assert logits.shape == (1, 529, 8, 8)
    assert hinted.abs().max() < 110  # tanh x 110
    x = model._inputs(lightness, hints, mask)
    assert x[0, 3, 0, 0] == -0.5 and x[0, 3, 16, 16] == 0.5  # mask - 0.5 (authors' training)
    assert x[0, 1, 16, 16] == pytest.approx(50 / 110)
    with pytest.raises(ValueError, match="both"):
        model(lightness, hints)


@pytest.mark.parametrize("classes", [313, 529])
def test_siggraph17_can_decode_its_classification_head(classes):
    torch.manual_seed(0)
    model = ZhangSIGGRAPH17(width=0.0625, num_classes=classes, decode="annealed_mean").eval()
    lightness = torch.rand(1, 1, 21, 30) * 100
    with torch.no_grad():
        _, logits = model(lightness, return_logits=True)
        ab = model.predict_ab(lightness, temperature=0.5)
        expected = annealed_mean(logits, class_ab_bins(classes), temperature=0.5)
        up = torch.nn.functional.interpolate(expected, scale_factor=4, mode="bilinear")
        torch.testing.assert_close(ab, up[..., :21, :30])
        default = model.predict_ab(lightness)  # the constructor's T = 0.38
        assert not torch.allclose(default, ab)
    assert torch.equal(model.bin_centres(), class_ab_bins(classes))
    regression = ZhangSIGGRAPH17(width=0.0625, num_classes=classes)
    assert regression.decode == "regression" and regression.accepts_hints
    assert not ZhangECCV16.accepts_hints
    with pytest.raises(ValueError, match="no ab bin centres"):
        ZhangSIGGRAPH17(width=0.0625, num_classes=100, decode="annealed_mean")
    with pytest.raises(ValueError, match="decode"):
        ZhangSIGGRAPH17(width=0.0625, decode="mode")  # type: ignore[arg-type]


def test_authors_checkpoint_loads_with_identity_key_map(tmp_path):
    # A file with the authors' keys (their files come from old PyTorch: no BN counters).
    source = ZhangECCV16(width=1.0)
    state = {
        k: torch.randn_like(v.float())
        for k, v in source.state_dict().items()
        if "num_batches" not in k
    }
    path = tmp_path / "colorization_release_v2.pth"
    torch.save(state, path)
    model = load_zhang_checkpoint(path, arch="eccv16")
    assert not model.training
    torch.testing.assert_close(model.model4[2].weight, state["model4.2.weight"])
    assert int(model.model1[4].num_batches_tracked) == 0

    bad = dict(state)
    bad["extra.weight"] = torch.zeros(1)
    with pytest.raises(RestoraError, match="unexpected"):
        load_zhang_state_dict(ZhangECCV16(width=1.0), bad)
    with pytest.raises(RestoraError, match="width 0.25"):
        load_zhang_state_dict(ZhangECCV16(width=0.25), state)
    with pytest.raises(ValueError, match="arch"):
        load_zhang_checkpoint(path, arch="eccv17")

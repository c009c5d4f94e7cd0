"""VGGFeatures: torchvision-layout loading (safetensors / .pth), clear errors, logged fallback."""

from __future__ import annotations

import logging

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from restora.losses import VGG16_LAYER_NAMES, VGGFeatures, VGGWeightsError

# torchvision's vgg16 "D" config, turned into features indices the way its make_layers does
CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def torchvision_layout(*, upto: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Random ``features.N.weight/bias`` for every conv with index < ``upto``."""
    state: dict[str, torch.Tensor] = {}
    index, in_ch = 0, 3
    for v in CFG:
        if v == "M":
            index += 1
            continue
        if index < upto:
            state[f"features.{index}.weight"] = 0.1 * torch.randn(
                v, in_ch, 3, 3, generator=generator
            )
            state[f"features.{index}.bias"] = 0.1 * torch.randn(v, generator=generator)
        index += 2  # conv + ReLU
        in_ch = v
    return state


def reference_relu2_2(x: torch.Tensor, state: dict[str, torch.Tensor]) -> torch.Tensor:
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    h = (x - mean) / std
    for i in (0, 2):
        h = F.relu(
            F.conv2d(h, state[f"features.{i}.weight"], state[f"features.{i}.bias"], padding=1)
        )
    h = F.max_pool2d(h, 2)
    for i in (5, 7):
        h = F.relu(
            F.conv2d(h, state[f"features.{i}.weight"], state[f"features.{i}.bias"], padding=1)
        )
    return h


def test_layer_names_follow_torchvision_indices():
    assert len(VGG16_LAYER_NAMES) == 31
    assert VGG16_LAYER_NAMES.index("relu1_2") == 3
    assert VGG16_LAYER_NAMES.index("relu2_2") == 8
    assert VGG16_LAYER_NAMES.index("relu3_3") == 15
    assert VGG16_LAYER_NAMES.index("relu4_3") == 22
    assert VGG16_LAYER_NAMES[-1] == "pool5"


def test_load_safetensors_equals_file_and_reference_forward(tmp_path, rng):
    state = torchvision_layout(upto=23, generator=rng)  # through conv4_3 (index 21)
    path = tmp_path / "vgg16.safetensors"
    save_file(state, str(path))
    vgg = VGGFeatures(weights=path)  # default layers relu1_2 .. relu4_3
    loaded = vgg.state_dict()
    assert {k for k in loaded if k.startswith("features.")} == set(state)
    for key, value in state.items():
        assert torch.equal(loaded[key], value), key
    x = torch.rand(2, 3, 16, 12, generator=rng)
    feats = vgg(x)
    assert list(feats) == ["relu1_2", "relu2_2", "relu3_3", "relu4_3"]
    assert feats["relu4_3"].shape == (2, 512, 2, 1)
    torch.testing.assert_close(feats["relu2_2"], reference_relu2_2(x, state), rtol=1e-4, atol=1e-5)


def test_load_pth_ignores_classifier_and_deeper_layers(tmp_path, rng):
    state = torchvision_layout(upto=9, generator=rng)
    state["features.10.weight"] = torch.zeros(256, 128, 3, 3)  # deeper than needed
    state["classifier.6.bias"] = torch.zeros(1000)
    path = tmp_path / "vgg16.pth"
    torch.save(state, path)
    vgg = VGGFeatures(layers=("relu2_2",), weights=path)
    assert len(vgg.features) == 9  # built only up to relu2_2
    x = torch.rand(1, 3, 8, 8, generator=rng)
    torch.testing.assert_close(vgg(x)["relu2_2"], reference_relu2_2(x, state), rtol=1e-4, atol=1e-5)


def test_wrong_keys_and_shapes_raise_clear_errors(tmp_path, rng):
    wrong = tmp_path / "wrong.safetensors"
    save_file({"conv1.weight": torch.zeros(64, 3, 3, 3)}, str(wrong))
    with pytest.raises(VGGWeightsError, match=r"features\.0\.weight.*conv1\.weight"):
        VGGFeatures(layers=("relu1_2",), weights=wrong)
    state = torchvision_layout(upto=4, generator=rng)
    state["features.0.weight"] = torch.zeros(64, 1, 3, 3)
    bad_shape = tmp_path / "gray.safetensors"
    save_file(state, str(bad_shape))
    with pytest.raises(VGGWeightsError, match="wrong shape"):
        VGGFeatures(layers=("relu1_2",), weights=bad_shape)
    with pytest.raises(FileNotFoundError):
        VGGFeatures(layers=("relu1_2",), weights=tmp_path / "absent.pth")
    with pytest.raises(ValueError, match="unknown VGG16 layers"):
        VGGFeatures(layers=("relu9_9",))


def test_fallback_logs_warning_is_seeded_and_leaves_global_rng(caplog):
    state_before = torch.get_rng_state()
    with caplog.at_level(logging.WARNING, logger="restora.losses"):
        a = VGGFeatures(layers=("relu2_2",), weights=None)
    assert torch.equal(torch.get_rng_state(), state_before)
    records = [r for r in caplog.records if r.name == "restora.losses"]
    assert records and records[0].levelno == logging.WARNING
    assert "structural prior" in records[0].getMessage()
    b = VGGFeatures(layers=("relu2_2",), weights=None)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert ka == kb and torch.equal(va, vb)
    assert a.features[0].weight.std().item() == pytest.approx((2 / (64 * 9)) ** 0.5, rel=0.1)


def test_frozen_but_differentiable_wrt_input(rng):
    vgg = VGGFeatures(layers=("relu1_2", "relu2_2"), weights=None)
    assert all(not p.requires_grad for p in vgg.parameters())
    vgg.train()
    assert not vgg.training
    x = torch.rand(1, 3, 8, 8, generator=rng, requires_grad=True)
    vgg(x)["relu2_2"].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    with pytest.raises(ValueError):
        vgg(torch.rand(1, 1, 8, 8))

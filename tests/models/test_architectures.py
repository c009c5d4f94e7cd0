"""Every registered model: forward + backward on an odd size, descriptor output, save → load."""

from __future__ import annotations

import math

import torch
from tests.models.conftest import TINY, H, W, model_inputs, tiny_overrides

from restora.models import create_model, list_models, load_model, save_model

NO_DESCRIPTOR = {"patchgan", "dip_skip"}  # DIP maps a fixed code, not an image
# Colorizers take CIE L (not an RGB image in [0, 1]) and give ab / bin logits: run by
# restora.models.colorization.colorize_lab instead of a descriptor.
NO_DESCRIPTOR |= {"zhang_eccv16", "zhang_siggraph17"}
# Face embeddings are vectors, not images: run by restora.models.face.embed.RestoraEmbedder.
NO_DESCRIPTOR |= {"face_embed"}


def _expected_shape(model) -> tuple[int, ...]:
    if model.arch == "zhang_eccv16":  # 313 bin logits at a quarter of the (padded) size
        return (1, 313, -(-H // 4), -(-W // 4))
    if model.arch == "zhang_siggraph17":  # ab
        return (1, 2, H, W)
    if model.arch == "face_embed":  # one unit vector per face
        return (1, model.config["dim"])
    cfg = model.config
    scale = cfg.get("scale", 1)
    out = cfg.get("out_channels", cfg.get("channels"))
    return (1, out, H * scale, W * scale)


def test_every_architecture_has_a_tiny_config():
    assert {name.split(".")[0] for name in list_models()} == set(TINY)


def test_forward_backward_odd_size_finite_gradients(model_name, rng):
    torch.manual_seed(0)
    model = create_model(model_name, **tiny_overrides(model_name)).train()
    inputs = model_inputs(model, rng)
    if model.arch == "patchgan":
        logits, features = model(*inputs, return_features=True)
        assert logits.shape[:2] == (1, 1) and len(features) == model.config["n_layers"] + 1
        loss = logits.square().mean() + sum(f.square().mean() for f in features)
    elif model.arch == "zhang_siggraph17":  # both heads train (regression + classification)
        out, logits = model(*inputs, return_logits=True)
        assert out.shape == _expected_shape(model) and logits.shape[1] == 529
        loss = (out - 0.5).square().mean() + logits.square().mean()
    else:
        out = model(*inputs)
        assert out.shape == _expected_shape(model)
        loss = (out - 0.5).square().mean()
    assert math.isfinite(loss.item())
    loss.backward()
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    missing = [n for n, p in trainable if p.grad is None]
    assert not missing, f"no gradient for {missing}"
    assert all(torch.isfinite(p.grad).all() for _, p in trainable)
    assert any(p.grad.abs().sum() > 0 for _, p in trainable)


def test_descriptor_runs_on_odd_size(model_name, rng):
    model = create_model(model_name, **tiny_overrides(model_name))
    if model.arch in NO_DESCRIPTOR:
        return
    out = model.describe()(*model_inputs(model, rng))
    assert out.shape == _expected_shape(model)
    assert 0.0 <= out.min().item() and out.max().item() <= 1.0
    assert model.training  # the descriptor restores the mode it found


def test_save_load_round_trip_identical_outputs(model_name, rng, tmp_path):
    torch.manual_seed(0)
    model = create_model(model_name, **tiny_overrides(model_name)).train()
    inputs = model_inputs(model, rng)
    for _ in range(2):  # move BatchNorm statistics and spectral-norm vectors off their init
        model(*inputs)
    model.eval()
    with torch.no_grad():
        before = model(*inputs)
    save_model(model, tmp_path / "ckpt")
    loaded = load_model(tmp_path / "ckpt")
    assert type(loaded) is type(model) and loaded.config == model.config
    assert not loaded.training
    with torch.no_grad():
        after = loaded(*inputs)
    assert torch.equal(before, after)

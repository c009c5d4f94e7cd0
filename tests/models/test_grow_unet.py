"""scripts/grow_unet.py: one more U-Net level, every trained layer in its new place."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

from restora.models.checkpoint import load_model, save_model
from restora.models.segmentation.unet import UNet

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "grow_unet.py"


def _grow_module():
    spec = importlib.util.spec_from_file_location("grow_unet", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_grown_unet_keeps_encoder_decoder_and_head(tmp_path: Path) -> None:
    torch.manual_seed(0)
    source = UNet(in_channels=3, out_channels=1, width=4, depth=2)
    save_model(source, tmp_path / "small")
    _grow_module().grow(str(tmp_path / "small"), str(tmp_path / "grown"))
    grown = load_model(tmp_path / "grown")
    assert grown.depth == 3
    assert torch.equal(grown.stem[0][0].weight, source.stem[0][0].weight)
    assert torch.equal(grown.down[1][1][1][0].weight, source.down[1][1][1][0].weight)
    # decoder blocks move one place: up.i -> up.(i + 1)
    assert torch.equal(grown.up[1].conv[0][0].weight, source.up[0].conv[0][0].weight)
    assert torch.equal(grown.up[2].up[1].weight, source.up[1].up[1].weight)
    assert torch.equal(grown.head.weight, source.head.weight)
    out = grown(torch.rand(1, 3, 30, 22))
    assert out.shape == (1, 1, 30, 22) and torch.isfinite(out).all()

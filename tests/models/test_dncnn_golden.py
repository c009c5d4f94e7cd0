"""Golden: the official DnCNN-S (sigma 25) weights load strictly into restora's DnCNN and
reproduce the paper's Set12 numbers (Zhang et al. 2017, Table III)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from restora.core.weights import load_state_dict
from restora.models import create_model

# DnCNN-S, sigma = 25, PSNR (dB) from the paper: Cameraman, House, Monarch.
PAPER = {"01.png": 30.18, "02.png": 33.06, "05.png": 30.28}


@pytest.mark.golden
def test_official_dncnn_sigma25_on_set12(shared):
    weights = shared / "weights/dncnn/pytorch_DnCNN_sigma25/model.pth"
    folder = shared / "data/dncnn_testsets/Set12"
    if not weights.is_file() or not folder.is_dir():
        pytest.skip("DnCNN weights or Set12 not in ../shared")
    model = create_model("dncnn.s_gray")
    model.load_state_dict(load_state_dict(weights), strict=True)  # restricted unpickler
    model.eval()
    gen = torch.Generator().manual_seed(0)
    for name, published in PAPER.items():
        clean = np.asarray(Image.open(folder / name).convert("L"), dtype=np.float32) / 255.0
        x = torch.from_numpy(clean)[None, None]
        noisy = x + torch.randn(x.shape, generator=gen) * (
            25.0 / 255.0
        )  # not clipped, as the paper
        with torch.inference_mode():
            out = model(noisy).clamp(0, 1)
        psnr = 10 * torch.log10(1.0 / (out - x).square().mean()).item()
        noisy_psnr = 10 * torch.log10(1.0 / (noisy - x).square().mean()).item()
        assert noisy_psnr == pytest.approx(20.17, abs=0.1)
        # the PyTorch port was retrained, so allow 0.2 dB around the paper (measured with this
        # seed: 30.21, 33.06, 30.42 dB)
        assert psnr == pytest.approx(published, abs=0.2), name

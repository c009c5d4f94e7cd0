"""scripts/prune_restora_sr.py: the kept blocks carry their weights to their new places."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from restora.models.sr.restora_sr import RestoraSR

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "prune_restora_sr.py"


def _prune_module():
    spec = importlib.util.spec_from_file_location("prune_restora_sr", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kept_blocks_move_with_their_weights():
    torch.manual_seed(0)
    source = RestoraSR(scale=2, width=8, blocks=4, esa_channels=4)
    pruned = _prune_module().prune(source, [0, 3])
    assert pruned.config["blocks"] == 2
    assert torch.equal(pruned.body[1].convs[2].weight, source.body[3].convs[2].weight)
    assert torch.equal(pruned.body[0].esa.expand.bias, source.body[0].esa.expand.bias)
    assert torch.equal(pruned.upsampler[0].weight, source.upsampler[0].weight)
    x = torch.rand(1, 3, 9, 11)
    with torch.no_grad():  # the same as running the source with blocks 1 and 2 skipped
        f0 = source.head(x)
        f = source.body[3](source.body[0](f0))
        expected = source.upsampler(source.body_conv(f) + f0) + torch.nn.functional.interpolate(
            x, scale_factor=2, mode="bicubic", align_corners=False
        )
        assert torch.allclose(pruned(x), expected, atol=1e-6)


def test_bad_keep_lists_raise():
    source = RestoraSR(scale=2, width=8, blocks=3, esa_channels=4)
    prune = _prune_module().prune
    for keep in ([], [3], [0, 0]):
        with pytest.raises(ValueError, match="keep"):
            prune(source, keep)

"""LossComposer: weighted sum, flattened detached logs, input binding and clear errors."""

from __future__ import annotations

from functools import partial

import pytest
import torch

from restora.core.errors import ConfigError
from restora.losses import (
    HoleValidL1Loss,
    LossComposer,
    LossTerm,
    charbonnier,
    hole_valid_l1,
    l1,
    tv_loss,
)


@pytest.fixture
def batch(rng) -> dict[str, torch.Tensor]:
    pred = torch.rand(2, 3, 6, 6, generator=rng, requires_grad=True)
    target = torch.rand(2, 3, 6, 6, generator=rng)
    mask = (torch.rand(2, 1, 6, 6, generator=rng) > 0.6).float()
    return {"pred": pred, "target": target, "mask": mask}


def test_total_is_weighted_sum_and_logs_are_flat_and_detached(batch):
    loss = LossComposer(
        {
            "hv": (1.0, hole_valid_l1, {"mask_hole": "mask"}),
            "tv": (0.1, tv_loss, {"x": "pred", "mask": "mask"}),
            "charb": LossTerm(partial(charbonnier, eps=1e-2), weight=0.5),
        }
    )
    total, logs = loss(**batch)
    hv, parts = hole_valid_l1(batch["pred"], batch["target"], batch["mask"])
    tv = tv_loss(batch["pred"], batch["mask"])
    ch = charbonnier(batch["pred"], batch["target"], eps=1e-2)
    assert total.item() == pytest.approx((hv + 0.1 * tv + 0.5 * ch).item(), rel=1e-6)
    assert sorted(logs) == ["charb", "hv", "hv/l1_hole", "hv/l1_valid", "tv"]
    assert logs["hv/l1_hole"].item() == pytest.approx(parts["l1_hole"].item())
    assert logs["tv"].item() == pytest.approx(tv.item())  # unweighted value
    assert all(not v.requires_grad for v in logs.values())
    total.backward()
    assert batch["pred"].grad is not None


def test_weighted_loss_weight_can_be_bound_from_inputs(batch):
    loss = LossComposer({"masked_l1": (1.0, l1, {"weight": "mask"})})
    total, _ = loss(**batch)
    expected = l1(batch["pred"], batch["target"], weight=batch["mask"])
    assert total.item() == pytest.approx(expected.item())


def test_module_terms_are_submodules_and_zero_weight_is_skipped(batch):
    calls = []

    def spy(pred, target):
        calls.append(1)
        return l1(pred, target)

    loss = LossComposer(
        {"hv": (2.0, HoleValidL1Loss(alpha=6.0), {"mask_hole": "mask"}), "off": (0.0, spy)}
    )
    assert "modules_by_term.hv" in dict(loss.named_modules())
    total, logs = loss(**batch)
    assert calls == [] and "off" not in logs
    assert total.item() == pytest.approx(2 * logs["hv"].item())


def test_errors(batch):
    with pytest.raises(TypeError, match="needs inputs \\['target'\\]"):
        LossComposer({"l1": (1.0, l1)})(pred=batch["pred"])
    with pytest.raises(ConfigError, match="unknown parameters"):
        LossComposer({"l1": (1.0, l1, {"prediction": "pred"})})
    with pytest.raises(ConfigError, match="name"):
        LossComposer({"a/b": (1.0, l1)})
    with pytest.raises(ConfigError):
        LossComposer({"l1": (1.0,)})
    with pytest.raises(ConfigError, match="weight 0"):
        LossComposer({"l1": (0.0, l1)})(**batch)
    with pytest.raises(ValueError, match="scalar"):
        LossComposer({"map": (1.0, partial(l1, reduction="none"))})(**batch)

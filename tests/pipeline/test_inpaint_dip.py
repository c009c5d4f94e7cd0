"""The pipeline's ``inpaint.method = "dip"`` (Deep Image Prior fill), with a tiny preset."""

from __future__ import annotations

import torch

from restora.pipeline import api


def test_dip_inpaint_method_fills_holes_and_keeps_known_pixels(tiny_dip, smooth_image):
    mask = torch.zeros(1, 1, 64, 80)
    mask[..., 20:30, 30:45] = 1.0
    damaged = smooth_image.clone()
    damaged[mask.expand_as(damaged) > 0] = 0.0
    result = api.restore(
        damaged, mask=mask, stages=["inpaint"], inpaint={"method": "dip", "dilate": 0}
    )
    out = result.image
    known = (mask == 0).expand_as(out)
    assert torch.equal(out[known], damaged[known])
    assert float((out[~known] - damaged[~known]).abs().mean()) > 0.1  # holes were filled
    assert [r.method for r in result.records if r.stage == "inpaint"] == ["dip"]

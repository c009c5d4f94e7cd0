"""``detect.pyramid``: the damage network also run on halved copies, the highest probability kept."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from restora.pipeline.stages.detect import learned_probability, pyramid_sizes


class ThinBrightNetwork:
    """A stand-in for the damage network that knows only marks narrower than 5 px: probability
    1 where a pixel stands 0.3 above a horizontal opening with a 5 px window (a white top-hat),
    like a network trained on thin damage that misses the same damage drawn wide."""

    tile_overlap = 8
    bytes_per_pixel = 64.0
    tile_align = 1

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    def __call__(self, image: torch.Tensor, *, views: int = 1) -> torch.Tensor:
        self.sizes.append(tuple(image.shape[-2:]))
        luma = image.mean(1, keepdim=True)
        eroded = -F.max_pool2d(F.pad(-luma, (2, 2, 0, 0), mode="replicate"), (1, 5), stride=1)
        opened = F.max_pool2d(F.pad(eroded, (2, 2, 0, 0), mode="replicate"), (1, 5), stride=1)
        return ((luma - opened) > 0.3).float()


@pytest.fixture
def bars() -> torch.Tensor:
    """Gray 256 x 256 photo with a wide bright bar (12 px, columns 100-111) and a thin one
    (2 px, columns 200-201)."""
    image = torch.full((1, 3, 256, 256), 0.3)
    image[..., 100:112] = 0.9
    image[..., 200:202] = 0.9
    return image


def test_pyramid_sizes_halve_down_to_the_minimum_side():
    assert pyramid_sizes(3000, 2000, 384) == [(1500, 1000), (750, 500)]
    assert pyramid_sizes(256, 256, 64) == [(128, 128), (64, 64)]
    assert pyramid_sizes(700, 500, 384) == []
    with pytest.raises(ValueError, match="min_side"):
        pyramid_sizes(100, 100, 0)


def test_full_size_alone_misses_wide_damage(bars):
    network = ThinBrightNetwork()
    probability = learned_probability(bars, views=1, network=network)
    assert network.sizes == [(256, 256)]
    assert float(probability[..., 104:108].max()) == 0.0  # the wide bar's middle
    assert float(probability[..., 200:202].min()) == 1.0  # the thin one


def test_pyramid_finds_wide_damage_and_keeps_thin_damage(bars):
    network = ThinBrightNetwork()
    probability = learned_probability(bars, views=1, network=network, pyramid_min_side=64)
    assert network.sizes == [(256, 256), (128, 128), (64, 64)]
    assert probability.shape == (1, 1, 256, 256)
    assert float(probability.min()) >= 0.0 and float(probability.max()) <= 1.0
    # at a quarter size the 12 px bar is 3 px wide: found there, drawn back at full size
    assert float(probability[..., 102:110].min()) > 0.5
    assert float(probability[..., 200:202].min()) == 1.0
    # nothing far from either bar
    assert float(probability[..., :90].max()) == 0.0
    assert float(probability[..., 125:185].max()) == 0.0


@pytest.mark.parametrize("pyramid", [True, False])
def test_stage_runs_the_pyramid_when_asked(bars, monkeypatch, pyramid):
    import restora
    from restora.models import catalogue
    from restora.pipeline.stages import detect

    if not catalogue.installed(detect.NETWORK):
        pytest.skip("no shipped damage weights (the stage offers 'learned' only with them)")
    network = ThinBrightNetwork()
    network.auto_views = lambda height, width: 1
    monkeypatch.setattr(detect, "_network", lambda: network)
    monkeypatch.setattr(detect, "PYRAMID_MIN_SIDE", 64)
    # every flagged component repaired: this is about the probability, not the decisions
    options = {"method": "learned", "pyramid": pyramid, "components": "all"}
    result = restora.restore(bars, stages=["detect_damage"], detect=options)
    wide = result.mask[..., 102:110]
    note = result.record("detect_damage").notes[0]
    if pyramid:
        assert network.sizes == [(256, 256), (128, 128), (64, 64)]
        assert float(wide.mean()) == 1.0
        assert "2 coarser levels" in note
    else:
        assert network.sizes == [(256, 256)]
        assert float(wide.max()) == 0.0
        assert "coarser" not in note
    assert float(result.mask[..., 200:202].mean()) == 1.0  # the thin bar either way


def test_coarse_levels_keep_thin_and_small_marks_only():
    """A coarse level is there for damage thin at its scale; a blob there (a bright roof read
    as a tear) would be a larger blob at full size."""
    from restora.pipeline.stages.detect import thin_marks

    p = torch.zeros(1, 1, 128, 128)
    p[..., 10:100, 20:22] = 0.9  # a line
    p[..., 50:54, 60:64] = 0.8  # a spot
    p[..., 60:120, 80:125] = 0.95  # a blob
    p[..., 5:8, 100:103] = 0.3  # below 0.5: not a mark
    keep = thin_marks(p)
    assert keep.shape == p.shape and set(keep.unique().tolist()) <= {0.0, 1.0}
    assert float(keep[..., 10:100, 20:22].min()) == 1.0
    assert float(keep[..., 50:54, 60:64].min()) == 1.0
    assert float(keep[..., 60:120, 80:125].max()) == 0.0
    assert float(keep[..., 5:8, 100:103].max()) == 0.0
    assert float(keep[..., 10:100, 19].min()) == 1.0  # grown by a pixel
    assert float(keep[..., 10:100, 24].max()) == 0.0

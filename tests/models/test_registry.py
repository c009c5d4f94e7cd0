"""Registry: names, suggestions, duplicates, option checking, recorded configs."""

from __future__ import annotations

import pytest
import torch

from restora.core.errors import ConfigError
from restora.models import (
    ConfigurableModel,
    create_model,
    get_architecture,
    list_models,
    register_model,
)
from restora.models.registry import MODELS

EXPECTED = {
    "unet.segment",
    "unet.segment_aspp",
    "unet.image2image",
    "pix2pix.unet256",
    "patchgan.70",
    "patchgan.sn",
    "edsr.baseline_x2",
    "edsr.baseline_x3",
    "edsr.baseline_x4",
    "edsr.full_x2",
    "edsr.full_x3",
    "edsr.full_x4",
    "espcn.x2",
    "espcn.x3",
    "espcn.x4",
    "fsrcnn.x2",
    "fsrcnn.x3",
    "fsrcnn.x4",
    "dncnn.s_gray",
    "dncnn.b_gray",
    "dncnn.b_color",
    "pconv_unet.base",
    "gated_net.base",
    "gated_net.coarse_to_fine",
    "refine_net.telea",
}


def test_list_models_and_pattern():
    assert EXPECTED <= set(list_models())
    assert list_models("edsr.baseline_*") == [
        "edsr.baseline_x2",
        "edsr.baseline_x3",
        "edsr.baseline_x4",
    ]
    assert list_models("nothing.*") == []


def test_unknown_name_raises_with_suggestion():
    with pytest.raises(KeyError, match="did you mean 'edsr.baseline_x4'"):
        create_model("edsr.basline_x4")
    with pytest.raises(KeyError, match="unknown architecture 'edrs'.*did you mean 'edsr'"):
        get_architecture("edrs")


def test_duplicate_and_malformed_names_raise():
    builder = MODELS.get("dncnn.s_gray")
    with pytest.raises(KeyError, match="already registered"):
        register_model("dncnn.s_gray")(lambda: torch.nn.Identity())
    assert MODELS.get("dncnn.s_gray") is builder
    with pytest.raises(ValueError, match="arch.tag"):
        register_model("NoTag")


def test_unknown_option_names_the_close_match():
    with pytest.raises(ConfigError, match=r"'widht' \(did you mean 'width'\?\)"):
        create_model("dncnn.s_gray", widht=8)


def test_builder_defaults_overrides_and_recorded_config():
    model = create_model("edsr.full_x3", width=8, num_blocks=1)
    assert model.config == {
        "scale": 3,
        "channels": 3,
        "width": 8,
        "num_blocks": 1,
        "res_scale": 0.1,
        "rgb_range": 255.0,
        "rgb_mean": [0.4488, 0.4371, 0.4040],
    }
    config = model.config
    config["width"] = 99  # a copy: the model's record is unchanged
    assert model.config["width"] == 8
    rebuilt = type(model)(**model.config)
    assert rebuilt.config == model.config


def test_constructors_must_be_keyword_only_and_json_compatible():
    with pytest.raises(TypeError, match="keyword-only"):

        class Positional(ConfigurableModel):
            def __init__(self, width: int = 4) -> None:
                super().__init__()

    class Takes(ConfigurableModel):
        def __init__(self, *, thing: object = None) -> None:
            super().__init__()

    assert Takes(thing=[1, (2, 3)]).config == {"thing": [1, [2, 3]]}
    with pytest.raises(TypeError, match="JSON-compatible"):
        Takes(thing=torch.zeros(1))
    with pytest.raises(TypeError):
        Takes(4)  # type: ignore[misc]

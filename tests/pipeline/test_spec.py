import pytest

from restora.core.errors import ConfigError
from restora.pipeline.spec import DEFAULT_STAGES, STAGE_ORDER, PipelineSpec


def test_defaults_run_every_stage_but_colorize_in_order():
    assert tuple(PipelineSpec().stages) == DEFAULT_STAGES
    assert [s for s in STAGE_ORDER if s != "colorize"] == list(DEFAULT_STAGES)
    assert PipelineSpec(stages=["upscale", "analyze"]).stages == ["analyze", "upscale"]


def test_colorizing_is_asked_for_by_name_flag_or_hints():
    assert "colorize" in PipelineSpec(stages=["colorize", "analyze"]).stages
    assert PipelineSpec.from_kwargs(colorize=True).stages == list(STAGE_ORDER)
    only = PipelineSpec.from_kwargs(stages=["inpaint"], colorize=True).stages
    assert only == ["inpaint", "colorize"]
    assert PipelineSpec.from_kwargs(hints="h.txt").stages == list(STAGE_ORDER)
    assert "colorize" not in PipelineSpec.from_kwargs(colorize=False).stages


def test_flat_keywords_and_aliases():
    spec = PipelineSpec.from_kwargs(scale=3, inpaint_method="ns", keep_monochrome=True)
    assert (spec.upscale.scale, spec.inpaint.method, spec.colorize.keep_monochrome) == (
        3,
        "ns",
        True,
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"scale": 0}, "upscale.scale"),
        ({"sensitivity": 2.0}, "detect.sensitivity"),
        ({"stages": ["analyse"]}, "unknown stage 'analyse'"),
        ({"upscale": {"method": "opencv"}}, "needs upscale.model"),
        ({"upscale": {"factor": 2}}, "unknown option 'upscale.factor'"),
        ({"colour": 1}, "unknown option 'colour'"),
        ({"tile": 8}, "tile must be >= 64"),
    ],
)
def test_invalid_specs_name_the_problem(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        PipelineSpec.from_kwargs(**kwargs)


def test_toml_round_trip(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text('stages = ["analyze", "inpaint"]\n[inpaint]\nmethod = "ns"\nradius = 3\n')
    spec = PipelineSpec.from_toml(path)
    assert spec.stages == ["analyze", "inpaint"] and spec.inpaint.radius == 3
    assert PipelineSpec.from_dict(spec.to_dict()) == spec


def test_from_kwargs_merges_a_section_with_its_aliases():
    spec = PipelineSpec.from_kwargs(hints="h.txt", colorize={"method": "model"}, scale=2)
    assert spec.colorize.hints == "h.txt" and spec.colorize.method == "model"
    assert spec.upscale.scale == 2


def test_inpaint_fsr_blend_options_are_checked():
    from restora.pipeline.spec import InpaintSpec

    assert InpaintSpec().fsr_weight == 0.5
    with pytest.raises(ConfigError, match="fsr_weight"):
        InpaintSpec(fsr_weight=1.5)
    with pytest.raises(ConfigError, match="fsr_max_hole_px"):
        InpaintSpec(fsr_max_hole_px=-1)

"""``inpaint.samples``: several completions from a stochastic method (DIP), known pixels kept."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from tests.helpers import make_photo

from restora.core.errors import ConfigError
from restora.pipeline import api
from restora.pipeline.spec import PipelineSpec


def test_three_samples_differ_in_the_holes_and_keep_known_pixels(tiny_dip, smooth_image):
    mask = torch.zeros(1, 1, 64, 80)
    mask[..., 20:34, 30:50] = 1.0
    damaged = torch.where(mask > 0, torch.zeros_like(smooth_image), smooth_image)
    inpaint = {"method": "dip", "dilate": 0, "samples": 3, "dip_iterations": 8}
    result = api.restore(damaged, mask=mask, stages=["inpaint"], inpaint=inpaint)
    assert len(result.samples) == 3 and result.samples[0] is result.image
    known = (mask == 0).expand_as(damaged)
    for sample in result.samples:
        assert torch.equal(sample[known], damaged[known])  # exactly, not approximately
        assert float((sample[~known] - damaged[~known]).abs().mean()) > 0.05  # holes filled
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        diff = (result.samples[a] - result.samples[b])[~known].abs().mean()
        assert float(diff) > 1e-3, f"samples {a} and {b} are the same"
    again = api.restore(damaged, mask=mask, stages=["inpaint"], inpaint=inpaint)
    assert all(torch.equal(x, y) for x, y in zip(again.samples, result.samples, strict=True))
    assert [r.stage for r in result.records] == ["inpaint"]  # one record per run stage


def test_sample_i_is_the_single_run_with_seed_plus_i(tiny_dip, smooth_image):
    mask = torch.zeros(1, 1, 64, 80)
    mask[..., 10:20, 10:30] = 1.0
    options = {"method": "dip", "dilate": 0, "dip_iterations": 4}
    both = api.restore(
        smooth_image, mask=mask, stages=["inpaint"], inpaint=options | {"samples": 2}
    )
    second = api.restore(smooth_image, mask=mask, stages=["inpaint"], inpaint=options | {"seed": 1})
    assert torch.equal(both.samples[1], second.image)


def test_samples_need_a_stochastic_method():
    with pytest.raises(ConfigError, match="stochastic method"):
        PipelineSpec.from_dict({"inpaint": {"method": "telea", "samples": 3}})
    with pytest.raises(ConfigError, match="samples must be >= 1"):
        PipelineSpec.from_dict({"inpaint": {"method": "dip", "samples": 0}})


def test_cli_writes_one_file_per_sample(cli, tmp_path, tiny_dip):
    src = make_photo(tmp_path / "photo.png")
    mask = np.zeros((64, 96), np.uint8)
    mask[20:40, 30:60] = 255
    Image.fromarray(mask).save(tmp_path / "m.png")
    args = ["restore", src, "-o", tmp_path / "out", "--mask", tmp_path / "m.png"]
    args += ["--stages", "inpaint", "--inpaint-method", "dip", "--samples", "3"]
    code, _, err = cli(*args, "--set", "inpaint.dip_iterations=4", "--set", "inpaint.dilate=0")
    assert code == 0, err
    names = ["photo_restored.png", "photo_restored_sample2.png", "photo_restored_sample3.png"]
    images = [np.asarray(Image.open(tmp_path / "out" / name)) for name in names]
    source = np.asarray(Image.open(src).convert("RGB"))
    known = mask == 0
    for image in images:
        assert np.array_equal(image[known], source[known])
    assert not np.array_equal(images[0][~known], images[1][~known])
    assert not np.array_equal(images[1][~known], images[2][~known])


def test_a_job_planned_for_samples_refuses_a_spec_without_them_and_writes_nothing(tmp_path):
    from restora.pipeline.files import FileJob, restore_file

    src = make_photo(tmp_path / "photo.png")
    job = FileJob.plan(src, tmp_path / "out", samples=3)
    spec = PipelineSpec.from_dict({"stages": ["analyze"]})
    with pytest.raises(ValueError, match="plans 3 samples but the spec gives 1"):
        restore_file(job, spec)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

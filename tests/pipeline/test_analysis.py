"""The typed analysis: computed the first time a stage asks, once, shared by every stage."""

from __future__ import annotations

import torch

import restora
from restora.pipeline.analysis import Analysis
from restora.pipeline.restoration import Restoration
from restora.pipeline.runner import Pipeline
from restora.pipeline.spec import PipelineSpec


def test_nothing_is_computed_until_asked(photo):
    analysis = Analysis(photo)
    assert analysis.computed() == {} and analysis.size == (192, 256)
    sigma = analysis.noise_sigma
    assert set(analysis.computed()) == {"noise_sigma"}
    assert analysis.noise_sigma is sigma  # cached
    assert analysis.tone == "color" and not analysis.monochrome
    assert analysis.to_dict()["size"] == [256, 192]


def test_a_stage_alone_computes_only_what_it_needs(photo):
    noisy = photo + 0.08 * torch.randn(photo.shape, generator=torch.Generator().manual_seed(0))
    out = restora.restore(noisy.clamp(0, 1), stages=["denoise"], denoise={"method": "nlm"})
    assert out.record("denoise").ran and "estimated sigma" in out.record("denoise").notes[0]
    assert set(out.analysis.computed()) == {"noise_sigma"}
    upscaled = restora.restore(photo, stages=["upscale"], upscale={"scale": 2, "method": "bicubic"})
    assert upscaled.analysis.computed() == {}


def test_facts_describe_the_input_whatever_ran_before(photo):
    """A stage gets the same facts alone as after other stages changed the image."""
    gray = photo.mean(1, keepdim=True).expand(-1, 3, -1, -1).contiguous()
    r = Restoration.start(gray)
    spec = PipelineSpec.from_dict({"stages": ["upscale", "analyze"], "upscale": {"scale": 2}})
    Pipeline(spec).run(r)
    assert r.analysis.size == (192, 256) and r.analysis.tone == "monochrome"
    notes = r.record("analyze").notes
    assert notes[0].startswith("256x192, tone monochrome")
    assert "kept monochrome" in notes[1] and "--colorize" in notes[1]


def test_analyze_reports_the_tone_decision(photo):
    sepia = photo.mean(1, keepdim=True) * torch.tensor([1.0, 0.85, 0.62]).view(1, 3, 1, 1)
    asked = restora.restore(sepia.clamp(0, 1), stages=["analyze"], colorize=True)
    assert asked.analysis.tone == "sepia"
    assert "colorized on request" in asked.record("analyze").notes[1]
    colour = restora.restore(photo, stages=["analyze", "correct_color"])
    assert "colours corrected only where faded" in colour.record("analyze").notes[1]
    kept = restora.restore(photo, stages=["analyze"])
    assert kept.record("analyze").notes[1] == "colour photo: colours kept"


def test_the_report_records_the_analysis(photo, tmp_path):
    from restora.pipeline.report import report_dict

    out = restora.restore(photo, stages=["analyze"])
    record = report_dict(out, PipelineSpec(stages=["analyze"]))
    assert record["analysis"]["tone"] == "color" and record["analysis"]["size"] == [256, 192]
    assert isinstance(record["analysis"]["noise_sigma"], float)


def test_faces_are_found_by_the_default_detector_or_none_without_one(photo, monkeypatch):
    import restora.pipeline.analysis as analysis_module

    monkeypatch.setattr(analysis_module, "default_detector", lambda: None)
    assert Analysis(photo).faces is None  # nothing was looked for
    found = []

    def fake_find(image, *, method):
        found.append(method)
        from restora.models.face.face import Face

        return [Face(box=(10, 20, 50, 70), score=0.9)]

    monkeypatch.setattr(analysis_module, "default_detector", lambda: "hog")
    monkeypatch.setattr(analysis_module, "find_faces", fake_find)
    analysis = Analysis(photo)
    assert [f.box for f in analysis.faces] == [(10.0, 20.0, 50.0, 70.0)] and found == ["hog"]
    assert analysis.to_dict()["faces"][0]["box"] == [10.0, 20.0, 50.0, 70.0]

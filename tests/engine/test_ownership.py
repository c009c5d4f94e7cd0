"""The manifest knows which files restora wrote: a user's file is never replaced without
--overwrite, whatever happened before; deleted outputs come back; a damaged manifest is
recovered, never dropped; an output folder inside (or equal to) the input folder re-runs."""

from __future__ import annotations

import json

import pytest
from tests.helpers import make_photo

FAST = ("--stages", "detect_damage,inpaint", "--set", "detect.method=classical")
FAST += ("--inpaint-method", "telea")


@pytest.fixture
def six(tmp_path):
    folder = tmp_path / "six"
    for i in range(6):
        make_photo(folder / f"p{i}.png", seed=i)
    return folder


def test_a_users_file_is_never_replaced_however_often_the_run_is_repeated(cli, tmp_path, six):
    out = tmp_path / "out" / "u"
    out.mkdir(parents=True)
    mine = out / "p0_restored.png"
    mine.write_bytes((six / "p1.png").read_bytes())
    for _ in range(3):  # before the fix, the second run replaced it (rc 0)
        code, text, err = cli("restore", six / "p0.png", "-o", out, *FAST)
        assert code == 1 and "1 failed" in text and "p0_restored.png exists" in err
        assert mine.read_bytes() == (six / "p1.png").read_bytes()
    assert "restora did not write it (use --overwrite to replace it)" in err
    code, _, err = cli("restore", six / "p0.png", "-o", out, *FAST, "--overwrite")
    assert code == 0, err
    assert mine.read_bytes() != (six / "p1.png").read_bytes()


def test_an_output_the_user_deleted_is_made_again(cli, tmp_path, six):
    out = tmp_path / "out"
    assert cli("restore", six, "-o", out, *FAST, "--save-mask")[0] == 0
    before = (out / "p4_restored.png").read_bytes()
    (out / "p4_restored.png").unlink()
    code, text, err = cli("restore", six, "-o", out, *FAST, "--save-mask")
    assert code == 0, err  # before the fix: "p4_mask.png exists"
    assert "1 restored, 5 already done, 0 failed" in text
    assert (out / "p4_restored.png").read_bytes() == before


def test_an_output_the_user_changed_is_kept(cli, tmp_path, six):
    out = tmp_path / "out"
    assert cli("restore", six, "-o", out, *FAST, "--save-mask")[0] == 0
    (out / "p1_restored.png").write_bytes(b"touched up by hand")
    (out / "p1_mask.png").unlink()  # p1 must be redone, its image was changed
    code, _, err = cli("restore", six, "-o", out, *FAST, "--save-mask")
    assert code == 1 and "p1_restored.png was changed after restora wrote it" in err
    assert (out / "p1_restored.png").read_bytes() == b"touched up by hand"


def test_a_finished_result_of_other_options_needs_overwrite(cli, tmp_path, six):
    out = tmp_path / "out"
    src = six / "p0.png"
    assert cli("restore", src, "-o", out, *FAST)[0] == 0
    before = (out / "p0_restored.png").read_bytes()
    code, _, err = cli("restore", src, "-o", out, *FAST, "--set", "inpaint.radius=9")
    assert code == 1 and "finished result made with other options" in err
    assert (out / "p0_restored.png").read_bytes() == before
    code, _, err = cli("restore", src, "-o", out, *FAST, "--set", "inpaint.radius=9", "--overwrite")
    assert code == 0, err


def test_a_damaged_manifest_is_restored_from_its_copy_and_kept(cli, tmp_path, six):
    out = tmp_path / "out"
    assert cli("restore", six, "-o", out, *FAST, "--save-mask")[0] == 0
    (out / "restora-manifest.json").write_text("{not json")
    code, text, err = cli("restore", six, "-o", out, *FAST, "--save-mask")
    assert code == 0, err  # before the fix: every file failed with "exists"
    assert "0 restored, 6 already done, 0 failed" in text
    assert "restora-manifest.json is damaged" in err and "restored from the copy" in err
    kept = list(out.glob("restora-manifest.json.damaged-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"
    assert json.loads((out / "restora-manifest.json").read_text())["version"] == 2


def test_a_hand_edited_manifest_is_not_trusted(cli, tmp_path, six):
    out = tmp_path / "out"
    assert cli("restore", six / "p0.png", "-o", out, *FAST)[0] == 0
    path = out / "restora-manifest.json"
    data = json.loads(path.read_text())
    data["files"]["notes.txt"] = {"input": "x", "sha256": "0" * 64, "size": 3}
    path.write_text(json.dumps(data))
    code, _, err = cli("restore", six / "p0.png", "-o", out, *FAST)
    assert code == 0 and "changed outside restora" in err
    assert "notes.txt" not in json.loads(path.read_text())["files"]


def test_manifest_and_copy_damaged_rebuild_from_the_folder(cli, tmp_path, six):
    out = tmp_path / "out"
    assert cli("restore", six, "-o", out, *FAST, "--save-mask")[0] == 0
    (out / "restora-manifest.json").write_text("garbage")
    (out / ".restora" / "manifest.bak.json").write_text("garbage")
    (out / "p3_restored.png").unlink()
    mask = (out / "p3_mask.png").read_bytes()
    code, text, err = cli("restore", six, "-o", out, *FAST, "--save-mask")
    assert "rebuilt from the output folder" in err
    # complete inputs count as done; p3's mask can no longer be proven restora's: kept
    assert code == 1 and "0 restored, 5 already done, 1 failed" in text
    assert "p3_mask.png exists and restora did not write it" in err
    assert (out / "p3_mask.png").read_bytes() == mask
    code, text, _ = cli("restore", six, "-o", out, *FAST, "--save-mask")
    assert "5 already done, 1 failed" in text  # adopted for good, nothing replaced


def test_input_folder_as_output_folder_runs_again_and_again(cli, tmp_path, six):
    assert cli("restore", six, "-o", six, *FAST)[0] == 0
    code, text, err = cli("restore", six, "-o", six, *FAST)
    assert code == 0, err  # before the fix: rc 2, "it is one of the inputs"
    assert "0 restored, 6 already done, 0 failed" in text
    assert "skipped 6 files: written by restora" in err
    (six / "p2_restored.png").unlink()
    code, text, err = cli("restore", six, "-o", six, *FAST)
    assert code == 0 and "1 restored, 5 already done" in text, err


def test_output_folder_inside_the_input_folder_runs_again(cli, tmp_path, six):
    out = six / "restored"
    assert cli("restore", six, "-o", out, *FAST)[0] == 0
    code, text, err = cli("restore", six, "-o", out, *FAST)
    assert code == 0, err
    assert "0 restored, 6 already done" in text  # the outputs are not taken for new inputs
    assert not list(out.rglob("*_restored_restored*"))


def test_a_user_file_named_like_an_output_in_the_input_folder_is_still_an_input(cli, tmp_path):
    folder = tmp_path / "photos"
    make_photo(folder / "a.png")
    make_photo(folder / "a_restored.png", seed=1)  # the user's, not in any manifest
    before = (folder / "a_restored.png").read_bytes()
    code, _, err = cli("restore", folder, "-o", folder, *FAST)
    assert code == 2 and "one of the inputs" in err
    assert (folder / "a_restored.png").read_bytes() == before


def test_files_of_a_failed_attempt_are_replaced_by_the_rerun(tmp_path, monkeypatch, six):
    """An attempt that wrote its image and then failed: the re-run may replace the image (its
    bytes are recorded as pending), and finishes."""
    from restora.core.errors import ImageWriteError
    from restora.engine import batch
    from restora.engine.inputs import collect_inputs
    from restora.pipeline.spec import PipelineSpec

    spec = PipelineSpec.from_dict(
        {
            "stages": ["detect_damage", "inpaint"],
            "inpaint": {"method": "telea"},
            "detect": {"method": "classical"},
        }
    )
    files = collect_inputs([str(six / "p0.png")]).files
    out = tmp_path / "out"
    real = batch.atomic_write_bytes

    def mask_fails(path, data, **kwargs):
        if str(path).endswith("_mask.png"):
            raise ImageWriteError(f"cannot write '{path}': Input/output error")
        return real(path, data, **kwargs)

    monkeypatch.setattr(batch, "atomic_write_bytes", mask_fails)
    result = batch.run_batch(files, out, spec, save_mask=True)
    assert [str(p.name) for p, _ in result.failed] == ["p0.png"]
    assert (out / "p0_restored.png").exists() and not (out / "p0_mask.png").exists()
    monkeypatch.setattr(batch, "atomic_write_bytes", real)
    result = batch.run_batch(files, out, spec, save_mask=True)
    assert result.ok and [p.name for p in result.done] == ["p0.png"]
    assert (out / "p0_mask.png").exists()

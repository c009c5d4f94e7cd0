"""Task presets and PairedDataset: shapes per task, determinism per (seed, epoch, index)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from restora.core.errors import ConfigError
from restora.data.damage import DAMAGE_PROFILES, synthesize_damage
from restora.data.datasets import ImageFolder
from restora.data.paired import PairedDataset
from restora.data.sample import collate_samples
from restora.data.tasks import (
    TASKS,
    ColorizeTask,
    DamageTask,
    DenoiseTask,
    Edges2ImageTask,
    InpaintTask,
    SRTask,
    build_task,
)
from restora.io import write_image, write_mask
from restora.ops.resize import imresize


def _photo(height: int, width: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    coarse = torch.rand(1, 3, height // 8 + 1, width // 8 + 1, generator=gen)
    return imresize(coarse, size=(height, width)).clamp(0, 1)


@pytest.fixture
def folder(tmp_path):
    for i, (h, w) in enumerate([(72, 96), (96, 64), (64, 64), (40, 56)]):
        write_image(tmp_path / "photos" / f"{i}.png", _photo(h, w, i))
    for i in range(6):
        mask = torch.zeros(1, 1, 64, 64)
        mask[..., 8 * i : 8 * i + 16, 10:40] = 1
        write_mask(tmp_path / "masks" / f"{i:05d}.png", mask)
    return tmp_path


def _tasks(folder) -> list:
    return [
        SRTask(scale=4),
        SRTask(scale=3, downscale="area"),
        DenoiseTask(),
        DenoiseTask(blind=False, gray=True),
        ColorizeTask(),
        ColorizeTask(input_space="gray", target_space="rgb"),
        InpaintTask(
            masks=("free_form", "boxes", "nvidia", "scratches", "dust"),
            nvidia_folder=str(folder / "masks"),
        ),
        DamageTask(),
        Edges2ImageTask(),
    ]


EXPECTED = {  # (input channels, target channels, input size divisor)
    ("sr", 0): (3, 3, 4),
    ("sr", 1): (3, 3, 3),
    ("denoise", 0): (3, 3, 1),
    ("denoise", 1): (2, 1, 1),
    ("colorize", 0): (1, 2, 1),
    ("colorize", 1): (1, 3, 1),
    ("inpaint", 0): (3, 3, 1),
    ("damage", 0): (3, 1, 1),
    ("edges2image", 0): (1, 3, 1),
}


def test_every_preset_yields_correctly_shaped_samples(folder):
    images = ImageFolder(folder / "photos", cache=True)
    seen: dict[str, int] = {}
    for task in _tasks(folder):
        variant = seen.get(task.name, 0)
        seen[task.name] = variant + 1
        c_in, c_out, divisor = EXPECTED[(task.name, variant)]
        data = PairedDataset(images, task, crop_size=48, seed=1)
        for index in range(len(data)):
            s = data[index]
            assert s.input.shape == (c_in, 48 // divisor, 48 // divisor), task
            assert s.target.shape == (c_out, 48, 48), task
            assert s.input.dtype == s.target.dtype == torch.float32
            assert s.meta["task"] == task.name and s.meta["index"] == index
            assert s.meta["path"].endswith(f"{index}.png")
            if task.name == "inpaint":
                assert s.mask.shape == (1, 48, 48)
                holes = s.mask.bool().expand(3, -1, -1)
                assert float(s.input[holes].abs().sum()) == 0.0
                torch.testing.assert_close(s.input[~holes], s.target[~holes])
            else:
                assert s.mask is None
        assert data[3].meta.get("upscaled") is True  # the 40x56 image is below 48


def test_pairs_are_what_the_task_says(folder):
    images = ImageFolder(folder / "photos")
    s = PairedDataset(images, DamageTask(), crop_size=64, seed=0)[0]
    assert bool(((s.target == 0) | (s.target == 1)).all()) and 0 < float(s.target.mean()) < 0.3
    noisy = PairedDataset(images, DenoiseTask(sigma=(25.0, 25.0)), crop_size=64, seed=0)[1]
    assert abs(float((noisy.input - noisy.target).std()) * 255 - 25) < 1.0
    assert noisy.meta["sigma"] == 25.0
    sr = PairedDataset(images, SRTask(scale=2), crop_size=None, seed=0, augment=False)[0]
    assert sr.target.shape == (3, 72, 96) and sr.input.shape == (3, 36, 48)
    torch.testing.assert_close(sr.target, images[0])
    edges = PairedDataset(images, Edges2ImageTask(), crop_size=48, seed=0)[2]
    assert bool(((edges.input == 0) | (edges.input == 1)).all())


def test_same_seed_same_sample_and_epochs_differ(folder):
    images = ImageFolder(folder / "photos")
    task = InpaintTask()
    a = PairedDataset(images, task, crop_size=32, seed=7)
    b = PairedDataset(images, task, crop_size=32, seed=7)
    for index in (2, 0, 1):  # order does not matter
        sa, sb = a[index], b[index]
        assert torch.equal(sa.input, sb.input) and torch.equal(sa.mask, sb.mask)
    assert not torch.equal(a[0].mask, PairedDataset(images, task, crop_size=32, seed=8)[0].mask)
    before = a[0]
    a.set_epoch(1)
    assert not torch.equal(before.mask, a[0].mask)
    a.set_epoch(0)
    assert torch.equal(before.mask, a[0].mask)


def test_dataloader_batches_with_workers_match_direct_access(folder):
    images = ImageFolder(folder / "photos")
    data = PairedDataset(images, DenoiseTask(), crop_size=32, seed=3)
    loader = DataLoader(data, batch_size=2, collate_fn=collate_samples, num_workers=2)
    batches = list(loader)
    assert [b.input.shape for b in batches] == [(2, 3, 32, 32), (2, 3, 32, 32)]
    assert torch.equal(batches[1].input[0], data[2].input)
    assert batches[0].meta["index"] == [0, 1]


def test_build_task_from_options_and_errors():
    assert set(TASKS) == {
        "sr",
        "denoise",
        "denoise_mix",
        "colorize",
        "inpaint",
        "damage",
        "edges2image",
    }
    assert build_task("denoise", {"sigma": [5, 15], "blind": False}) == DenoiseTask(
        sigma=(5.0, 15.0), blind=False
    )
    task = build_task("damage", {"damage": {"dust": [0, 5], "age": False}})
    assert task.damage.dust == (0, 5) and task.damage.age is False
    with pytest.raises(ConfigError, match="unknown option 'sr.scal'"):
        build_task("sr", {"scal": 2})
    with pytest.raises(ConfigError, match="unknown task 'superres'"):
        build_task("superres")
    with pytest.raises(ConfigError, match="needs nvidia_folder"):
        build_task("inpaint", {"masks": ["nvidia"]})
    with pytest.raises(ValueError, match="multiple of 4"):
        PairedDataset([torch.rand(3, 64, 64)], SRTask(scale=4), crop_size=30)


def test_plain_tensor_sequences_work():
    data = PairedDataset([torch.rand(3, 40, 40) for _ in range(3)], ColorizeTask(), crop_size=24)
    s = data[1]
    assert s.input.shape == (1, 24, 24) and s.meta["path"] is None
    assert float(s.input.min()) >= 0 and float(s.input.max()) <= 1
    assert float(s.target.abs().max()) <= 1.0  # ab / 110
    assert np.isfinite(s.target.numpy()).all()


def test_damage_window_is_a_part_of_damage_drawn_at_photo_scale():
    photo = torch.rand(1, 3, 192, 192)
    full = DamageTask(damage=DAMAGE_PROFILES["full"])
    windowed = DamageTask(damage=DAMAGE_PROFILES["full"], window=64)
    whole_input, whole_mask = synthesize_damage(
        photo, rng=np.random.default_rng(3), config=DAMAGE_PROFILES["full"]
    )
    part = windowed.make_pair(photo, np.random.default_rng(3))
    assert part.input.shape == (3, 64, 64) and part.target.shape == (1, 64, 64)
    # the window is a crop of exactly what drawing on the whole photo gives
    found = [
        (top, left)
        for top in range(129)
        for left in range(129)
        if torch.equal(whole_mask[0, :, top : top + 64, left : left + 64], part.target)
        and torch.equal(whole_input[0, :, top : top + 64, left : left + 64], part.input)
    ]
    assert found
    # damage drawn at photo scale is sparser than the same profile drawn on a 64 px crop
    small = [full.make_pair(photo[..., :64, :64], np.random.default_rng(s)) for s in range(12)]
    large = [windowed.make_pair(photo, np.random.default_rng(s)) for s in range(12)]
    mean_small = np.mean([float(s.target.mean()) for s in small])
    mean_large = np.mean([float(s.target.mean()) for s in large])
    assert mean_large < 0.7 * mean_small
    with pytest.raises(ValueError, match="window"):
        DamageTask(window=-1)
    with pytest.raises(ValueError, match="larger than the image"):
        windowed.make_pair(photo[..., :48, :48], np.random.default_rng(0))


def test_damage_aged_fraction_draws_issue6_aged_crops():
    photo = torch.rand(1, 3, 64, 64)
    printed = replace(DAMAGE_PROFILES["classic"], tone="print", scan=1.0)
    always = DamageTask(damage=printed, aged_fraction=1.0)
    rng = np.random.default_rng(5)
    rng.random()  # the task's draw of which aging to use
    aged = replace(printed, tone="age", scan=0.0, sharpen=0.0)
    expected_input, expected_mask = synthesize_damage(photo, rng=rng, config=aged)
    sample = always.make_pair(photo, np.random.default_rng(5))
    assert torch.equal(sample.input, expected_input[0])
    assert torch.equal(sample.target, expected_mask[0])
    # 0 keeps the configured aging and draws nothing extra (seeded output unchanged)
    plain_input, _ = synthesize_damage(photo, rng=np.random.default_rng(5), config=printed)
    never = DamageTask(damage=printed).make_pair(photo, np.random.default_rng(5))
    assert torch.equal(never.input, plain_input[0])
    assert not torch.equal(never.input, sample.input)
    # a share in between: each crop is one or the other, by the task's draw
    half = DamageTask(damage=printed, aged_fraction=0.5)
    kinds = set()
    for seed in range(12):
        rng = np.random.default_rng(seed)
        config = aged if rng.random() < 0.5 else printed
        kinds.add(config.tone)
        expected_input, _ = synthesize_damage(photo, rng=rng, config=config)
        assert torch.equal(
            half.make_pair(photo, np.random.default_rng(seed)).input, expected_input[0]
        )
    assert kinds == {"age", "print"}
    with pytest.raises(ValueError, match="aged_fraction"):
        DamageTask(aged_fraction=1.5)


def test_damage_transpose_fraction_turns_the_drawn_damage():
    scratches = replace(DAMAGE_PROFILES["classic"], age=False)
    photo = torch.rand(1, 3, 96, 96)
    plain = DamageTask(damage=scratches).make_pair(photo, np.random.default_rng(3))
    turned = DamageTask(damage=scratches, transpose_fraction=1.0).make_pair(
        photo, np.random.default_rng(3)
    )
    assert plain.target.sum() > 0
    # the same damage, drawn first and then turned with the photo
    assert torch.equal(turned.input, plain.input.transpose(-1, -2))
    assert torch.equal(turned.target, plain.target.transpose(-1, -2))
    assert not torch.equal(turned.target, plain.target)
    # a share in between turns some samples and not others
    half = DamageTask(damage=scratches, transpose_fraction=0.5)
    outcomes = set()
    for seed in range(10):
        a = DamageTask(damage=scratches).make_pair(photo, np.random.default_rng(seed))
        b = half.make_pair(photo, np.random.default_rng(seed))
        outcomes.add(torch.equal(a.target, b.target))
    assert outcomes == {True, False}
    # a non-square sample keeps its shape (a batch needs one shape)
    wide = torch.rand(1, 3, 64, 96)
    kept = DamageTask(damage=scratches, transpose_fraction=1.0).make_pair(
        wide, np.random.default_rng(3)
    )
    assert kept.input.shape == (3, 64, 96)
    with pytest.raises(ValueError, match="transpose_fraction"):
        DamageTask(transpose_fraction=-0.1)

"""Acceptance 6: every config in configs/ loads and validates; unknown keys fail naming them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from tests.train.helpers import CONFIGS, PRESETS

from restora.core.errors import ConfigError
from restora.data.sample import collate_samples
from restora.data.tasks import build_task
from restora.train import check_config, config_to_toml, load_config, task_kind
from restora.train.config import resolve_options, resolve_path
from restora.train.distributed import DistInfo
from restora.train.tasks import task_class

CONFIG_FILES = sorted(CONFIGS.glob("*.toml"))
# Variants without the NVIDIA masks need no shared data (a fresh clone has none)
NO_NVIDIA = 'task.options.nvidia_folder=""'


def test_there_is_one_config_per_task_preset() -> None:
    """``configs/<preset>.toml`` for each of the six presets; other configs (named runs such as
    ``denoise_restora.toml``) use any registered preset."""
    from restora.data.tasks import TASKS

    named = {p.stem for p in CONFIG_FILES if p.stem in PRESETS}
    assert named == set(PRESETS)
    assert all(load_config(p).task.preset in TASKS for p in CONFIG_FILES)


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: p.stem)
def test_config_loads_and_round_trips_through_toml(path: Path, tmp_path: Path) -> None:
    config = load_config(path)
    assert config.task.preset == path.stem or path.stem not in PRESETS
    copy = tmp_path / "copy.toml"
    copy.write_text(config_to_toml(config), encoding="utf-8")
    assert load_config(copy) == config


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: p.stem)
def test_config_validates_against_data_and_models(path: Path, shared: Path) -> None:
    """Preset options, loss terms, model and discriminator build; one synthetic training step
    runs; every data folder exists under the shared folder."""
    config = load_config(path)
    init = config.model.init
    if init and not Path(init).is_dir():
        # a run-local starting point (e.g. a pruned copy of shipped weights): the config must
        # say which command makes it; the rest of the config is checked from a random start
        assert init in path.read_text(encoding="utf-8").split("[model]")[0], init
        assert init.startswith("runs/")
        config = load_config(path, ['model.init=""'])
    check_config(config, check_folders=True)
    assert all(resolve_path(f).is_relative_to(shared) for f in config.data.train)


def test_task_kinds_of_the_presets() -> None:
    kinds = {p.stem: task_kind(load_config(p)) for p in CONFIG_FILES}
    assert kinds == {
        "sr": "image2image",
        "denoise": "image2image",
        "colorize": "image2image",
        "inpaint": "inpaint",
        "damage": "segmentation",
        "edges2image": "gan",
        "denoise_restora": "image2image",
        "damage_unet": "segmentation",
        "damage_unet_print_deep": "segmentation",
        "damage_unet_print_deep2": "segmentation",
        "damage_unet_print_deep3": "segmentation",
        "damage_unet_print_deep4": "segmentation",
        "damage_unet_print_deep5": "segmentation",
        "damage_unet_print_deep6": "segmentation",
        "damage_unet_print_deep7": "segmentation",
        "damage_unet_print_deep8": "segmentation",
        "damage_unet_print_deep9": "segmentation",
        "damage_unet_print_deep10": "segmentation",
        "damage_unet_faces3": "segmentation",
        "damage_unet_faces": "segmentation",
        "inpaint_refine_cracks": "inpaint",
        "damage_aspp": "segmentation",
        "sr_restora_x2": "image2image",
        "sr_restora_x4": "image2image",
        "sr_restora_x4_realistic": "image2image",
        "inpaint_restora": "inpaint",
        "inpaint_restora_ssim": "inpaint",
        "inpaint_gated_sn": "inpaint",
        "inpaint_refine": "inpaint",
        "inpaint_refine_ssim": "inpaint",
        "inpaint_refine_ssim2": "inpaint",
        "inpaint_refine_ssim3": "inpaint",
        "inpaint_refine_ssim4": "inpaint",
        "sr_restora_x2_fast": "image2image",
        "colorize_restora_auto": "colorize",
        "colorize_restora_hints": "colorize",
        "colorize_restora_points": "colorize",
    }


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("stepz=3", "stepz"),
        ("optim.lrr=0.1", "optim.lrr"),
        ("data.crops=32", "data.crops"),
        ("log.wandb=true", "log.wandb"),
        ("schedule.kind=cosine", "schedule.kind"),
    ],
)
def test_unknown_key_fails_naming_it(override: str, named: str) -> None:
    with pytest.raises(ConfigError, match=rf"unknown option '{named}'"):
        load_config(CONFIGS / "sr.toml", [override])


def test_unknown_key_in_a_toml_file_fails_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text((CONFIGS / "denoise.toml").read_text() + "\n[ema_options]\nwarmup = 3\n")
    with pytest.raises(ConfigError, match="unknown option 'ema_options'"):
        load_config(path)


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("loss.terms.l3=1.0", "loss.terms.l3"),  # not a term of image-to-image tasks
        ("task.options.scal=3", "scal"),  # not an option of the sr preset
        ("model.options.widht=8", "widht"),  # not an EDSR argument
    ],
)
def test_unknown_names_inside_sections_fail_naming_them(override: str, named: str) -> None:
    config = load_config(CONFIGS / "sr.toml", [override])
    with pytest.raises(ConfigError, match=named):
        check_config(config)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ('steps="many"', "steps: expected an integer"),
        ("optim.name=sgd", "optim.name: must be one of"),
        ("loss.terms.l1=-1.0", "loss.terms.l1: weight must be finite and >= 0"),
        ("loss.terms.l1=0.0", "at least one term needs a weight > 0"),
        ("ema=1.0", "ema: decay in"),
        ("data.batch_size=0", "data.batch_size: must be > 0"),
    ],
)
def test_bad_values_fail_naming_the_key(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(CONFIGS / "sr.toml", [override])


def test_overrides_change_typed_values() -> None:
    config = load_config(
        CONFIGS / "sr.toml", ["steps=200", "optim.lr=1e-4", "model.options.width=8"]
    )
    assert (config.steps, config.optim.lr, config.model.options["width"]) == (200, 1e-4, 8)


def test_mismatched_model_and_task_fail_before_training() -> None:
    # an x2 EDSR cannot serve the x3 preset: the synthetic pair exposes the size mismatch
    with pytest.raises(ConfigError, match="needs|has targets"):
        check_config(
            load_config(
                CONFIGS / "sr.toml", ["task.options.scale=3", "data.crop=48", "data.val_crop=96"]
            )
        )


@pytest.mark.parametrize(
    ("preset", "overrides"),
    [
        # Liu et al.'s full loss with an SN-PatchGAN, hinge loss and feature matching
        (
            "inpaint",
            [
                "loss.terms.style=120.0",
                "loss.terms.adversarial=0.1",
                "loss.terms.feature_matching=1.0",
                'task.options.masks=["boxes"]',
                NO_NVIDIA,
                "loss.gan_mode=hinge",
                "data.crop=32",
            ],
        ),
        (
            "inpaint",
            [
                'model.name="gated_net.base"',
                "model.options={ width = 8, dilations = [2] }",
                'task.options.masks=["free_form"]',
                NO_NVIDIA,
                "data.crop=32",
            ],
        ),
        # DeepFill v2-style: coarse-to-fine gated net, L1 on both stages, SN-PatchGAN (hinge)
        (
            "inpaint",
            [
                'model.name="gated_net.coarse_to_fine"',
                "model.options={ width = 4, dilations = [2] }",
                "loss.terms.coarse=1.0",
                "loss.terms.adversarial=0.1",
                "loss.gan_mode=hinge",
                'task.options.masks=["free_form"]',
                NO_NVIDIA,
                "data.crop=32",
            ],
        ),
        # pix2pix with LSGAN and an unconditional discriminator
        (
            "edges2image",
            [
                "loss.gan_mode=lsgan",
                "discriminator.conditional=false",
                "loss.terms.feature_matching=10.0",
                "data.crop=32",
            ],
        ),
        # colorization straight to RGB, gray denoising, SR with perceptual + TV + a GAN
        (
            "colorize",
            [
                'task.options.target_space="rgb"',
                "model.options.out_channels=3",
                'model.options.out_activation="sigmoid"',
            ],
        ),
        (
            "denoise",
            ["task.options.gray=true", 'model.name="dncnn.s_gray"', "model.options.depth=4"],
        ),
        (
            "sr",
            [
                "loss.terms.perceptual=0.1",
                "loss.terms.tv=0.01",
                "loss.terms.adversarial=0.01",
                "discriminator.options={ width = 8, n_layers = 2 }",
            ],
        ),
        ("damage", ['model.name="unet.segment_aspp"', "model.options={ width = 8, depth = 2 }"]),
    ],
)
def test_config_variants_take_a_training_step(preset: str, overrides: list[str]) -> None:
    check_config(load_config(CONFIGS / f"{preset}.toml", overrides))


def test_coarse_term_trains_both_stages_and_needs_a_coarse_to_fine_model() -> None:
    overrides = [
        'model.name="gated_net.coarse_to_fine"',
        "model.options={ width = 4, dilations = [2] }",
        "loss.terms.coarse=1.0",
        'task.options.masks=["boxes"]',
        NO_NVIDIA,
        "data.crop=32",
    ]
    config = load_config(CONFIGS / "inpaint.toml", overrides)
    preset = build_task(config.task.preset, resolve_options(config.task.options))
    clean = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    example = collate_samples(
        [preset.make_pair(clean[i : i + 1], np.random.default_rng(i)) for i in range(2)]
    )
    task = task_class(config)(config, device=torch.device("cpu"), dist=DistInfo(), example=example)
    before = {k: v.clone() for k, v in task.model.coarse.state_dict().items()}
    logs = task.step(example)
    assert logs["coarse"] > 0 and np.isfinite(logs["loss"])
    changed = [
        k for k, v in task.model.coarse.state_dict().items() if not torch.equal(v, before[k])
    ]
    assert changed  # the coarse stage is trained
    with pytest.raises(ConfigError, match="coarse-to-fine"):
        boxes = ['task.options.masks=["boxes"]', NO_NVIDIA]
        check_config(load_config(CONFIGS / "inpaint.toml", ["loss.terms.coarse=1.0", *boxes]))

"""Deep Image Prior fitting: tasks, averaging, backtracking, early stopping, presets.

Everything runs on tiny images with tiny networks in one thread (each test well under 5 s).
"""

from __future__ import annotations

import math

import pytest
import torch

from restora.core.errors import ConfigError
from restora.models.dip import (
    Backtracker,
    DIPConfig,
    Downsampler,
    Problem,
    WindowedVarianceStop,
    fit_dip,
    get_preset,
    make_problem,
    random_drop_mask,
)
from restora.ops.resize import imresize

SMALL_NET = {"channels_down": [16, 16, 16], "channels_up": [16, 16, 16], "channels_skip": [4, 4, 4]}


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _config(task: str = "denoise", **changes) -> DIPConfig:
    base = get_preset(f"default_{task}").with_overrides({"iterations": 100, "early_stop": False})
    # short runs: a faster moving average than the presets' 0.99 (which needs ~1000 steps)
    return base.replace(net=dict(SMALL_NET), **{"exp_weight": 0.9, **changes})


def _clean(size: int = 32) -> torch.Tensor:
    y, x = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    return torch.stack([x, y, 0.5 + 0.3 * torch.sin(4 * x)])[None].clamp(0, 1)


def _noisy(clean: torch.Tensor, sigma: float = 0.1, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (clean + sigma * torch.randn(clean.shape, generator=g)).clamp(0, 1)


def _mse(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).square().mean())


def test_denoise_lowers_the_error_against_the_noisy_input():
    clean = _clean()
    noisy = _noisy(clean)
    result = fit_dip(noisy, _config(iterations=60), seed=0)
    assert result.image.shape == clean.shape and result.iterations_run == 60
    assert _mse(result.image, clean) < 0.3 * _mse(noisy, clean)


def test_averaging_returns_the_moving_average_not_the_last_output():
    noisy = _noisy(_clean(16))
    plain = fit_dip(noisy, _config(iterations=20, exp_weight=0.0, backtrack_every=0), seed=1)
    averaged = fit_dip(noisy, _config(iterations=20, exp_weight=0.9, backtrack_every=0), seed=1)
    # Same seed, same optimisation path: only the returned image differs.
    assert plain.loss_history == averaged.loss_history
    assert not torch.allclose(plain.image, averaged.image, atol=1e-3)


def test_inpaint_keeps_known_pixels_exactly_and_fills_holes():
    clean = _clean()
    mask = torch.zeros(1, 1, 32, 32)
    mask[..., 10:20, 12:22] = 1.0
    damaged = clean * (1 - mask)  # holes are black
    result = fit_dip(damaged, _config("inpaint", iterations=60), mask=mask, seed=0)
    known = mask[0, 0] == 0
    assert torch.equal(result.image[..., known], clean[..., known])
    hole = ~known
    assert _mse(result.image[..., hole], clean[..., hole]) < _mse(
        damaged[..., hole], clean[..., hole]
    )
    raw = fit_dip(damaged, _config("inpaint", iterations=60, composite=False), mask=mask, seed=0)
    assert not torch.equal(raw.image[..., known], clean[..., known])


def test_restore_from_dropped_pixels_on_a_gray_image():
    clean = _clean()[:, :1]
    drop = random_drop_mask((32, 32), 0.5, generator=torch.Generator().manual_seed(0))
    assert 0.4 < drop.mean().item() < 0.6
    observed = clean * (1 - drop)
    result = fit_dip(observed, _config("restore", iterations=80), mask=drop, seed=0)
    assert result.image.shape == (1, 1, 32, 32)
    assert _mse(result.image, clean) < 0.05 * _mse(observed, clean)


def test_super_resolution_output_size_and_fit():
    clean = _clean(32)
    low = imresize(clean, scale=0.5).clamp(0, 1)
    result = fit_dip(low, _config("sr", iterations=60), scale=2, ground_truth=clean, seed=0)
    assert result.image.shape == (1, 3, 32, 32)
    assert result.loss_history[-1] < 0.1 * result.loss_history[0]
    assert len(result.psnr_history) == 60 and max(result.psnr_history) > 25.0


@pytest.mark.parametrize("kernel", ["cubic", "lanczos2"])
def test_sr_downsampler_matches_imresize_and_is_differentiable(kernel):
    x = torch.rand(1, 2, 12, 9, dtype=torch.float64)
    down = Downsampler((12, 9), (6, 3), kernel=kernel)
    expected = imresize(x, size=(6, 3), kernel=kernel)
    assert torch.allclose(down(x), expected, atol=1e-12)
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(down, (x,))
    with pytest.raises(ValueError, match="size"):
        down(torch.rand(1, 2, 10, 9))


def test_early_stop_rule_picks_the_variance_minimum():
    stop = WindowedVarianceStop(window=3, patience=4)
    # spread of the window shrinks, then grows again (the network starts fitting the noise)
    values = [0, 8, 2, 5, 4, 4.5, 4.4, 4.6, 3, 7, 1, 9, 0, 12]
    chosen, stopped_at = [], None
    for i, v in enumerate(values):
        if stop.update(torch.tensor([float(v)]), i):
            chosen.append(i)
        if stop.should_stop:
            stopped_at = i
            break
    # window variances: 11.6, 6, 1.56, 0.167, 0.047, 0.0067 (minimum at 7), then larger
    assert chosen == [2, 3, 4, 5, 6, 7] and stop.best_iteration == 7
    assert stopped_at == 7 + 4 and len(stop.history) == stopped_at - 1


def test_early_stopping_ends_a_noise_fit_before_the_cap():
    noisy = _noisy(_clean(), sigma=0.2)
    config = _config(iterations=100, early_stop=True, es_window=10, es_patience=15)
    result = fit_dip(noisy, config, seed=0)
    assert result.stopped_early and result.iterations_run < 100
    assert result.chosen_iteration == result.iterations_run - 15
    best = min(result.variance_history, key=lambda item: item[1])
    assert best[0] == result.chosen_iteration


def test_ground_truth_only_logs_it_never_changes_the_stop():
    clean = _clean()
    noisy = _noisy(clean, sigma=0.2)
    config = _config(iterations=80, early_stop=True, es_window=10, es_patience=15)
    blind = fit_dip(noisy, config, seed=3)
    logged = fit_dip(noisy, config, ground_truth=clean, seed=3)
    assert blind.psnr_history is None
    assert logged.chosen_iteration == blind.chosen_iteration
    assert torch.equal(logged.image, blind.image)
    assert len(logged.psnr_history) == logged.iterations_run
    assert logged.chosen_psnr == pytest.approx(
        -10 * math.log10(_mse(logged.image, clean)), abs=1e-3
    )


def test_backtracker_restores_parameters_and_batchnorm_buffers():
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3), torch.nn.BatchNorm2d(4))
    net(torch.rand(2, 2, 6, 6))
    tracker = Backtracker(net, every=2, drop_db=5.0)
    assert tracker.check(1, 1e-3) is False  # not a check iteration: nothing saved
    assert tracker.check(2, 1e-3) is False  # 30 dB: saved
    good = {k: v.clone() for k, v in net.state_dict().items()}
    with torch.no_grad():
        net[0].weight.mul_(50.0)  # a diverged step
    net(torch.rand(2, 2, 6, 6))  # ... that also moved the running statistics
    assert tracker.check(4, 1e-3 * 10**0.4) is False  # 26 dB: a 4 dB drop is accepted
    assert not torch.equal(net[0].weight, good["0.weight"])
    good = {k: v.clone() for k, v in net.state_dict().items()}
    with torch.no_grad():
        net[0].weight.add_(1.0)
    assert tracker.check(6, 0.5) is True  # 3 dB: a 23 dB drop -> roll back
    assert tracker.rollbacks == 1
    assert all(torch.equal(net.state_dict()[k], v) for k, v in good.items())
    assert tracker.check(8, float("nan")) is True  # non-finite losses roll back too


def test_fit_skips_the_step_of_an_injected_loss_spike(monkeypatch):
    calls = {"n": 0}
    plain_loss = Problem.loss

    def spiking_loss(self, image):
        calls["n"] += 1
        value = plain_loss(self, image)
        return value * 1e4 if calls["n"] == 30 else value

    monkeypatch.setattr(Problem, "loss", spiking_loss)
    noisy = _noisy(_clean(16))
    result = fit_dip(noisy, _config(iterations=40, backtrack_every=1), seed=0)
    assert result.backtracks == 1
    history = result.loss_history
    assert history[29] > 1e3 * history[28]  # the spike was seen ...
    assert history[30] < 2 * history[28]  # ... and the fit carried on from the saved state


def test_seeded_runs_repeat_and_leave_the_global_rng_alone():
    noisy = _noisy(_clean(16))
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a = fit_dip(noisy, _config(iterations=5), seed=7)
    assert torch.equal(torch.get_rng_state(), state)
    b = fit_dip(noisy, _config(iterations=5), seed=7)
    assert torch.equal(a.image, b.image)


def test_progress_reports_iteration_loss_and_eta():
    seen = []
    fit_dip(_noisy(_clean(16)), _config(iterations=4), seed=0, progress=seen.append)
    assert [p.iteration for p in seen] == [1, 2, 3, 4]
    assert all(p.total == 4 and p.loss > 0 and p.eta >= 0 for p in seen)
    assert seen[-1].eta == 0


def test_presets_carry_the_official_settings_and_fast_defaults():
    denoise = get_preset("official_denoise")
    assert (denoise.iterations, denoise.lr, denoise.exp_weight) == (3000, 0.01, 0.99)
    assert denoise.reg_noise_std == pytest.approx(1 / 30) and not denoise.early_stop
    restore = get_preset("official_restore")
    assert (restore.iterations, restore.lr, restore.backtrack_every) == (11000, 0.001, 50)
    assert get_preset("official_inpaint").model == "dip.skip_inpaint"
    assert get_preset("official_sr").downsampler == "lanczos2"
    for task in ("denoise", "inpaint", "restore", "sr"):
        fast = get_preset(f"default_{task}")
        assert fast.task == task and fast.early_stop and fast.model == "dip.skip_fast"
    with pytest.raises(KeyError, match="official_denoise"):
        get_preset("oficial_denoise")


def test_config_overrides_are_validated():
    config = get_preset("default_denoise").with_overrides(["iterations=12", "net.sigmoid=false"])
    assert config.iterations == 12 and config.net == {"sigmoid": False}
    with pytest.raises(ConfigError, match="unknown option"):
        config.with_overrides(["iteratons=3"])
    with pytest.raises(ConfigError, match="exp_weight"):
        config.with_overrides({"exp_weight": 1.5})
    with pytest.raises(ConfigError, match="in_channels"):
        config.with_overrides({"net.in_channels": 3})


def test_problems_reject_bad_inputs():
    image = torch.rand(1, 3, 8, 8)
    with pytest.raises(ValueError, match="needs a mask"):
        make_problem("inpaint", image)
    with pytest.raises(ValueError, match="every pixel"):
        make_problem("restore", image, mask=torch.ones(1, 1, 8, 8))
    with pytest.raises(ValueError, match="does not match|size"):
        make_problem("inpaint", image, mask=torch.zeros(1, 1, 8, 9))
    with pytest.raises(ValueError, match="takes no mask"):
        make_problem("denoise", image, mask=torch.zeros(1, 1, 8, 8))
    with pytest.raises(ValueError, match="integer scale"):
        make_problem("sr", image, scale=1)
    with pytest.raises(ValueError, match="batch"):
        make_problem("denoise", torch.rand(2, 3, 8, 8))
    with pytest.raises(ValueError, match="ground_truth"):
        fit_dip(image, _config(iterations=1), ground_truth=torch.rand(1, 3, 4, 4))


def test_meshgrid_input_and_variance_of_the_averaged_outputs():
    config = _config(
        iterations=12,
        input_kind="meshgrid",
        input_depth=2,
        early_stop=True,
        es_source="average",
        es_window=4,
        es_patience=100,
    )
    result = fit_dip(_noisy(_clean(16)), config, seed=0)
    assert result.iterations_run == 12 and not result.stopped_early
    assert [i for i, _ in result.variance_history] == list(range(4, 13))
    assert result.chosen_iteration == min(result.variance_history, key=lambda t: t[1])[0]
    with pytest.raises(ConfigError, match="meshgrid"):
        _config(input_kind="meshgrid", input_depth=32)

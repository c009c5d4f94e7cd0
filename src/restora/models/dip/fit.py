"""The DIP fitting loop: one untrained network fitted to one degraded image.

>>> import torch
>>> from restora.models.dip import fit_dip, get_preset
>>> noisy = torch.rand(1, 3, 40, 40)
>>> cfg = get_preset("default_denoise").with_overrides({"iterations": 3})
>>> result = fit_dip(noisy, cfg, seed=0)
>>> tuple(result.image.shape), result.iterations_run
((1, 3, 40, 40), 3)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from restora.models.dip.backtrack import Backtracker
from restora.models.dip.config import DIPConfig
from restora.models.dip.early_stop import WindowedVarianceStop
from restora.models.dip.inputs import network_input
from restora.models.dip.problems import Problem, make_problem
from restora.models.registry import create_model

__all__ = ["DIPProgress", "DIPResult", "fit_dip"]


@dataclass(frozen=True)
class DIPProgress:
    """Reported after every iteration: ``iteration`` done of at most ``total``, its ``loss``,
    seconds ``elapsed`` and the estimated seconds left at the cap (``eta``)."""

    iteration: int
    total: int
    loss: float
    elapsed: float
    eta: float


@dataclass
class DIPResult:
    """Outcome of :func:`fit_dip`.

    ``image``: ``(1, C, H, W)`` float32 in [0, 1] on the CPU (``H, W`` = the output size,
    ``scale`` times the input for "sr"). ``chosen_iteration``: the iteration whose image is
    returned (the variance minimum with early stopping, else the last). ``iterations_run``:
    iterations done (early stopping ends before ``config.iterations``). ``seconds``: wall time of
    the loop. ``psnr_history``: with ``ground_truth``, PSNR (dB) of the image the fit would have
    returned after each iteration (index ``i`` = iteration ``i + 1``), else None.
    ``loss_history``: the loss at each iteration. ``variance_history``: ``(iteration,
    windowed variance)`` pairs when early stopping ran. ``backtracks``: roll-backs done.
    """

    image: torch.Tensor
    chosen_iteration: int
    iterations_run: int
    seconds: float
    stopped_early: bool
    backtracks: int
    config: DIPConfig
    psnr_history: list[float] | None = None
    loss_history: list[float] = field(default_factory=list)
    variance_history: list[tuple[int, float]] = field(default_factory=list)

    @property
    def best_psnr(self) -> tuple[int, float] | None:
        """``(iteration, PSNR)`` of the best image along the run (needs ``psnr_history``)."""
        if not self.psnr_history:
            return None
        index = max(range(len(self.psnr_history)), key=self.psnr_history.__getitem__)
        return index + 1, self.psnr_history[index]

    @property
    def chosen_psnr(self) -> float | None:
        """PSNR of the returned image (needs ``psnr_history``)."""
        if not self.psnr_history:
            return None
        return self.psnr_history[self.chosen_iteration - 1]


def _psnr(image: torch.Tensor, truth: torch.Tensor) -> float:
    """PSNR in dB of one image in [0, 1] against ``truth`` (MSE over all channels and pixels,
    in float64; as :func:`restora.metrics.psnr`, which this layer cannot import)."""
    mse = float((image.double() - truth.double()).pow(2).mean())
    return math.inf if mse == 0 else -10.0 * math.log10(mse)


def _build_network(config: DIPConfig, channels: int, seed: int, device: torch.device):
    with torch.random.fork_rng(devices=[]):  # seeded init without touching the global RNG
        torch.manual_seed(seed)
        net = create_model(
            config.model, in_channels=config.input_depth, out_channels=channels, **config.net
        )
    net = net.to(device).train()  # DIP keeps BatchNorm on batch statistics throughout
    if config.channels_last:
        net = net.to(memory_format=torch.channels_last)
    return net


def fit_dip(
    image: torch.Tensor,
    config: DIPConfig,
    *,
    mask: torch.Tensor | None = None,
    scale: int | None = None,
    ground_truth: torch.Tensor | None = None,
    seed: int = 0,
    device: torch.device | str | None = None,
    progress: Callable[[DIPProgress], None] | None = None,
) -> DIPResult:
    """Restore ``image`` by fitting a randomly initialised network to it (Deep Image Prior).

    Args:
        image: ``(1, C, h, w)`` float in [0, 1], C = 1 or 3: the noisy image ("denoise"), the
            image with holes ("inpaint", "restore"; hole values are ignored) or the
            low-resolution image ("sr").
        config: a :class:`DIPConfig` (see :func:`restora.models.dip.get_preset`); its ``task``
            selects the problem.
        mask: "inpaint" / "restore": ``(1, 1, h, w)``, 1 = hole / missing.
        scale: "sr": the integer upscaling factor.
        ground_truth: optional clean image of the output size, used only to log
            ``psnr_history`` (never for stopping or choosing the result).
        seed: seeds the network initialisation, its input and the regularising noise.
        device: where to fit (default: the image's device).
        progress: called with a :class:`DIPProgress` after each iteration.

    Returns:
        A :class:`DIPResult`; ``result.image`` is on the CPU.
    """
    device = torch.device(device) if device is not None else image.device
    problem: Problem = make_problem(
        config.task,
        image,
        mask=mask,
        scale=scale,
        kernel=config.downsampler,
        composite=config.composite,
    ).to(device)
    height, width = problem.out_size
    if ground_truth is not None and tuple(ground_truth.shape) != (
        1,
        problem.channels,
        height,
        width,
    ):
        raise ValueError(
            f"ground_truth must be (1, {problem.channels}, {height}, {width}), "
            f"got {tuple(ground_truth.shape)}"
        )
    truth = ground_truth.to(device) if ground_truth is not None else None
    net = _build_network(config, problem.channels, seed, device)
    generator = torch.Generator(device=device).manual_seed(seed)
    code = network_input(
        config.input_kind,
        config.input_depth,
        (height, width),
        scale=config.input_scale,
        generator=generator,
        device=device,
    )
    if config.channels_last:
        code = code.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    backtracker = (
        Backtracker(net, every=config.backtrack_every, drop_db=config.backtrack_db)
        if config.backtrack_every
        else None
    )
    stopper = (
        WindowedVarianceStop(window=config.es_window, patience=config.es_patience)
        if config.early_stop
        else None
    )
    average: torch.Tensor | None = None
    current: torch.Tensor | None = None
    chosen: torch.Tensor | None = None
    chosen_iteration = 0
    psnr_history: list[float] | None = [] if truth is not None else None
    loss_history: list[float] = []
    start = time.perf_counter()
    iteration = 0
    for iteration in range(1, config.iterations + 1):
        net_input = code
        if config.reg_noise_std > 0:
            jitter = torch.randn(code.shape, generator=generator, device=device)
            net_input = code + config.reg_noise_std * jitter
        out = net(net_input)
        loss = problem.loss(out)
        loss_value = float(loss.detach())
        loss_history.append(loss_value)
        optimizer.zero_grad(set_to_none=True)
        rolled_back = backtracker is not None and backtracker.check(iteration, loss_value)
        if not rolled_back:
            loss.backward()
            optimizer.step()
            raw = out.detach().contiguous()
            if config.exp_weight > 0:
                average = raw if average is None else average.lerp(raw, 1.0 - config.exp_weight)
            current = problem.finish(average if average is not None else raw)
            if stopper is not None:
                source = (
                    raw
                    if config.es_source == "output"
                    else (average if average is not None else raw)
                )
                if stopper.update(source, iteration):
                    chosen, chosen_iteration = current.clone(), iteration
        if psnr_history is not None:
            if current is None:
                psnr_history.append(float("nan"))
            else:
                psnr_history.append(_psnr(current, truth))
        if progress is not None:
            elapsed = time.perf_counter() - start
            eta = elapsed / iteration * (config.iterations - iteration)
            progress(DIPProgress(iteration, config.iterations, loss_value, elapsed, eta))
        if stopper is not None and stopper.should_stop:
            break
    seconds = time.perf_counter() - start
    if chosen is None or current is None:
        chosen, chosen_iteration = current, iteration
    if chosen is None:  # every step was rolled back (cannot happen with a finite first loss)
        chosen = problem.finish(net(code).detach())
    return DIPResult(
        image=chosen.float().contiguous().cpu(),
        chosen_iteration=chosen_iteration,
        iterations_run=iteration,
        seconds=seconds,
        stopped_early=stopper is not None and stopper.should_stop,
        backtracks=0 if backtracker is None else backtracker.rollbacks,
        config=config,
        psnr_history=psnr_history,
        loss_history=loss_history,
        variance_history=list(stopper.history) if stopper is not None else [],
    )

"""The fixed input ``z`` of a DIP network: uniform noise planes or a coordinate meshgrid."""

from __future__ import annotations

import torch

__all__ = ["network_input"]


def network_input(
    kind: str,
    depth: int,
    size: tuple[int, int],
    *,
    scale: float = 0.1,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """DIP's network input, ``(1, depth, H, W)`` float32.

    Args:
        kind: "noise" (uniform in ``[0, scale]``, the notebooks' ``get_noise(..., var=1/10)``)
            or "meshgrid" (``depth`` must be 2: x then y, each in [0, 1]).
        depth: number of planes.
        size: ``(H, W)``.
        scale: upper bound of the uniform noise.
        generator: seeds the noise (must live on ``device``).

    >>> tuple(network_input("noise", 32, (5, 7), generator=torch.Generator().manual_seed(0)).shape)
    (1, 32, 5, 7)
    >>> network_input("meshgrid", 2, (2, 3))[0, 0].tolist()
    [[0.0, 0.5, 1.0], [0.0, 0.5, 1.0]]
    """
    h, w = size
    if h < 1 or w < 1 or depth < 1:
        raise ValueError(f"size and depth must be positive, got size {size}, depth {depth}")
    if kind == "noise":
        noise = torch.rand(1, depth, h, w, generator=generator, device=device)
        return noise * scale
    if kind == "meshgrid":
        if depth != 2:
            raise ValueError(f"a meshgrid input has 2 planes, got depth {depth}")
        ys = torch.linspace(0.0, 1.0, h, device=device) if h > 1 else torch.zeros(1, device=device)
        xs = torch.linspace(0.0, 1.0, w, device=device) if w > 1 else torch.zeros(1, device=device)
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
        return torch.stack([grid_x, grid_y])[None]
    raise ValueError(f"input kind must be 'noise' or 'meshgrid', got {kind!r}")

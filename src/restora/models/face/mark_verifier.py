"""A gradient-boosted tree ensemble as a restora model: the second look at marks over faces.

The damage stage's face rules leave most candidate marks inside heads alone, because the
detector's probability does not tell dust on a forehead from an eyelid. This model takes the
features of such a mark (:data:`restora.ops.face_marks.MARK_FEATURES`) and gives the probability
that it is damage; shipped as ``damage.face_marks`` (trained by ``scripts/train_face_marks.py``).

The trees are plain tensors (safetensors, no pickles): per tree and node the feature index, the
threshold (go left when ``x[feature] <= threshold``), the children (-1 at a leaf) and the value;
the probability is ``sigmoid(bias + learning_rate * sum of the leaves reached)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from restora.models.base import ConfigurableModel
from restora.models.registry import architecture

__all__ = ["TreeEnsemble"]


@architecture("tree_ensemble")
class TreeEnsemble(ConfigurableModel):
    """``features`` names the input columns; ``trees`` x ``nodes`` tensors hold the ensemble
    (shorter trees padded with leaves); ``depth``: the deepest leaf's depth. Thresholds, values
    and the bias are float64, so the trees decide exactly as where they were fitted.

    >>> model = TreeEnsemble(features=["a"], trees=1, nodes=3, depth=1, learning_rate=1.0)
    >>> model.set_trees(feature=[[0, 0, 0]], threshold=[[0.5, 0, 0]], left=[[1, -1, -1]],
    ...                 right=[[2, -1, -1]], value=[[0, -2.0, 2.0]], bias=0.0)
    >>> [round(p, 3) for p in model(torch.tensor([[0.2], [0.9]])).tolist()]
    [0.119, 0.881]
    """

    def __init__(
        self,
        *,
        features: Sequence[str],
        trees: int = 1,
        nodes: int = 1,
        depth: int = 1,
        learning_rate: float = 0.1,
    ) -> None:
        super().__init__()
        if trees < 1 or nodes < 1 or depth < 0:
            raise ValueError(
                f"need trees, nodes >= 1 and depth >= 0, got {trees}, {nodes}, {depth}"
            )
        self.features = tuple(features)
        self.depth = depth
        self.learning_rate = learning_rate
        self.register_buffer("feature", torch.zeros(trees, nodes, dtype=torch.int32))
        self.register_buffer("threshold", torch.zeros(trees, nodes, dtype=torch.float64))
        self.register_buffer("left", torch.full((trees, nodes), -1, dtype=torch.int32))
        self.register_buffer("right", torch.full((trees, nodes), -1, dtype=torch.int32))
        self.register_buffer("value", torch.zeros(trees, nodes, dtype=torch.float64))
        self.register_buffer("bias", torch.zeros((), dtype=torch.float64))

    def set_trees(self, *, feature, threshold, left, right, value, bias: float) -> None:  # noqa: ANN001
        """Fill the ensemble from ``(trees, nodes)`` arrays (e.g. a fitted scikit-learn
        gradient-boosting classifier's trees, see ``scripts/train_face_marks.py``)."""
        for name, data in (
            ("feature", feature),
            ("threshold", threshold),
            ("left", left),
            ("right", right),
            ("value", value),
        ):
            buffer = getattr(self, name)
            tensor = torch.as_tensor(data, dtype=buffer.dtype)
            if tensor.shape != buffer.shape:
                raise ValueError(f"{name}: shape {tuple(tensor.shape)}, need {tuple(buffer.shape)}")
            buffer.copy_(tensor)
        self.bias.fill_(float(bias))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: ``(B, F)`` float32 features in :attr:`features`' order -> ``(B,)``
        probabilities in [0, 1]."""
        if x.ndim != 2 or x.shape[1] != len(self.features):
            raise ValueError(f"x must be (B, {len(self.features)}), got {tuple(x.shape)}")
        x = x.float().double()  # float32 features, compared as scikit-learn does
        trees = self.feature.shape[0]
        tree = torch.arange(trees).expand(x.shape[0], trees)
        node = torch.zeros(x.shape[0], trees, dtype=torch.long)
        for _ in range(self.depth):
            left = self.left[tree, node].long()
            column = self.feature[tree, node].long()
            goes_left = torch.gather(x, 1, column) <= self.threshold[tree, node]
            step = torch.where(goes_left, left, self.right[tree, node].long())
            node = torch.where(left < 0, node, step)
        raw = self.bias + self.learning_rate * self.value[tree, node].sum(dim=1)
        return torch.sigmoid(raw).float()

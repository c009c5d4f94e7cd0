"""The tree ensemble behind the second look at marks over faces."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from restora.models.checkpoint import load_model, save_model
from restora.models.face.mark_verifier import TreeEnsemble
from restora.ops.face_marks import MARK_FEATURES


def _two_trees() -> TreeEnsemble:
    """Tree 0: x0 <= 0.5 ? (x1 <= 2 ? -1 : 1) : 3; tree 1: x1 <= 0 ? 2 : -2."""
    model = TreeEnsemble(features=["a", "b"], trees=2, nodes=5, depth=2, learning_rate=0.5)
    model.set_trees(
        feature=[[0, 1, 0, 0, 0], [1, 0, 0, 0, 0]],
        threshold=[[0.5, 2.0, 0, 0, 0], [0.0, 0, 0, 0, 0]],
        left=[[1, 3, -1, -1, -1], [1, -1, -1, -1, -1]],
        right=[[2, 4, -1, -1, -1], [2, -1, -1, -1, -1]],
        value=[[0, 0, 3.0, -1.0, 1.0], [0, 2.0, -2.0, 0, 0]],
        bias=0.25,
    )
    return model


def _by_hand(a: float, b: float) -> float:
    first = (-1.0 if b <= 2 else 1.0) if a <= 0.5 else 3.0
    second = 2.0 if b <= 0 else -2.0
    return 1 / (1 + np.exp(-(0.25 + 0.5 * (first + second))))


def test_the_ensemble_walks_each_tree_to_its_leaf():
    model = _two_trees()
    x = torch.tensor([[0.2, -1.0], [0.2, 3.0], [0.9, 1.0], [0.5, 2.0], [0.50001, 0.0]])
    got = model(x).tolist()
    want = [_by_hand(a, b) for a, b in x.tolist()]
    assert got == pytest.approx(want, abs=1e-6)
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        model(torch.zeros(3, 3))
    with pytest.raises(ValueError, match="shape"):
        model.set_trees(
            feature=[[0]], threshold=[[0]], left=[[0]], right=[[0]], value=[[0]], bias=0
        )


def test_saved_and_loaded_it_decides_the_same(tmp_path):
    model = _two_trees()
    save_model(model, tmp_path / "m")
    again = load_model(tmp_path / "m")
    assert isinstance(again, TreeEnsemble) and again.features == ("a", "b")
    assert again.threshold.dtype == torch.float64
    x = torch.rand(64, 2) * 4 - 1
    assert torch.equal(again(x), model(x))


def test_it_matches_scikit_learn_on_a_fitted_ensemble(tmp_path):
    ensemble = pytest.importorskip("sklearn.ensemble", reason="scikit-learn (train extra)")
    import importlib.util
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "train_face_marks.py"
    spec = importlib.util.spec_from_file_location("train_face_marks", script)
    trainer = importlib.util.module_from_spec(spec)
    sys.modules["train_face_marks"] = trainer
    spec.loader.exec_module(trainer)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, len(MARK_FEATURES))).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0.3).astype(int)
    fitted = ensemble.GradientBoostingClassifier(
        n_estimators=20, max_depth=3, learning_rate=0.1, subsample=0.8, random_state=0
    ).fit(x, y)
    trainer.export(fitted, tmp_path / "m")
    ours = load_model(tmp_path / "m")(torch.from_numpy(x)).numpy()
    assert np.abs(ours - fitted.predict_proba(x)[:, 1]).max() < 1e-5

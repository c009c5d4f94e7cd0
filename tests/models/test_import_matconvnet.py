"""MatConvNet imports (DnCNN-B / CDnCNN-B, FFDNet): key maps, the .mat reader, and the converted
networks against an independent NumPy re-implementation of MatConvNet's semantics.

The reference below works in MATLAB's layout: images ``(H, W, C)``, filters ``(kH, kW, in,
out)`` obtained by reversing all HDF5 dimensions (and restoring dropped trailing singletons),
``vl_nnconv`` = cross-correlation with zero padding, ``vl_nnSubP`` as in the FFDNet code
(sub-image ``i`` of channel ``c`` is ``4c + i``, rows fastest).
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

from restora.core.errors import RestoraError
from restora.models import create_model
from restora.models.convert import (
    convert_checkpoint,
    convert_matconvnet_dncnn,
    convert_matconvnet_ffdnet,
    matconvnet_dncnn_key_map,
    matconvnet_ffdnet_key_map,
    read_simplenn,
    subpixel_permutation,
)
from restora.models.denoise.dncnn import DnCNN

# --- an independent MatConvNet reference ---------------------------------------------------


def _raw_layers(path: Path) -> list[tuple[str, list[np.ndarray], dict]]:
    """(type, [MATLAB-layout arrays], options) per layer, read with h5py directly."""
    layers = []
    with h5py.File(path, "r") as f:
        for ref in f["net/layers"][()].ravel():
            g = f[ref]
            kind = "".join(map(chr, g["type"][()].ravel()))
            arrays = []
            if "weights" in g and g["weights"].dtype == h5py.ref_dtype:
                for r in g["weights"][()].ravel():
                    a = np.transpose(f[r][()]).astype(np.float64)  # MATLAB dimension order
                    arrays.append(a)
            options = {k: g[k][()].ravel() for k in ("scale",) if k in g}
            layers.append((kind, arrays, options))
    return layers


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    w = w.reshape(w.shape + (1,) * (4 - w.ndim))  # MATLAB drops trailing singleton dimensions
    height, width = x.shape[:2]
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    out = np.zeros((height, width, w.shape[3])) + b.ravel()
    for dy in range(3):
        for dx in range(3):
            out += padded[dy : dy + height, dx : dx + width] @ w[dy, dx]
    return out


def _subp(x: np.ndarray, scale: float) -> np.ndarray:
    if scale < 1:  # one big -> four small per channel
        return np.stack(
            [x[i % 2 :: 2, i // 2 :: 2, c] for c in range(x.shape[2]) for i in range(4)], axis=2
        )
    out = np.zeros((2 * x.shape[0], 2 * x.shape[1], x.shape[2] // 4))
    for c in range(out.shape[2]):
        for i in range(4):
            out[i % 2 :: 2, i // 2 :: 2, c] = x[:, :, 4 * c + i]
    return out


def matconvnet_forward(path: Path, x: np.ndarray, sigma: float = 0.0) -> np.ndarray:
    """``vl_simplenn`` on ``x`` (H, W, C) float64; ``concat`` appends the sigma map."""
    for kind, arrays, options in _raw_layers(path):
        if kind == "conv":
            x = _conv(x, arrays[0], arrays[1])
        elif kind == "relu":
            x = np.maximum(x, 0.0)
        elif kind == "SubP":
            x = _subp(x, float(options["scale"][0]))
        elif kind == "concat":
            x = np.concatenate([x, np.full(x.shape[:2] + (1,), sigma)], axis=2)
        else:  # pragma: no cover
            raise AssertionError(kind)
    return x


def _to_torch(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(x.transpose(2, 0, 1).copy()).float()[None]


# --- key maps ------------------------------------------------------------------------------


def test_dncnn_key_map_targets_are_restora_names_in_order():
    mapping = matconvnet_dncnn_key_map(20)
    assert list(mapping.values()) == list(create_model("dncnn.b_gray_mat").state_dict())
    assert mapping["layers[0].weights[0]"] == "dncnn.0.weight"
    assert mapping["layers[38].weights[1]"] == "dncnn.38.bias"  # the 20th conv
    assert len(mapping) == 40


def test_ffdnet_key_map_and_subpixel_order():
    mapping = matconvnet_ffdnet_key_map(12)
    assert list(mapping.values()) == list(create_model("ffdnet.color").state_dict())
    assert mapping["layers[2].weights[0]"] == "model.0.weight"  # after SubP and concat
    assert mapping["layers[24].weights[1]"] == "model.22.bias"
    # restora channel 4c + 2*row + col <- MatConvNet channel 4c + row + 2*col
    assert subpixel_permutation(1) == [0, 2, 1, 3]
    assert subpixel_permutation(3)[4:8] == [4, 6, 5, 7]
    x = torch.arange(2 * 4 * 6.0).reshape(1, 2, 4, 6)
    ours = torch.nn.functional.pixel_unshuffle(x, 2)[0].numpy().transpose(1, 2, 0)
    theirs = _subp(x[0].numpy().transpose(1, 2, 0), 0.5)
    np.testing.assert_array_equal(ours, theirs[..., subpixel_permutation(2)])


# --- a synthetic .mat in the layout MATLAB writes ------------------------------------------


def _write_simplenn(path: Path, layers: list[tuple[str, list[np.ndarray], dict]]) -> None:
    """Write MATLAB-layout arrays as MATLAB v7.3 does: dimensions reversed, trailing
    singletons dropped, strings as uint16, parameters behind object references."""
    with h5py.File(path, "w") as f:
        refs_group = f.create_group("#refs#")
        refs = []
        for i, (kind, arrays, options) in enumerate(layers):
            g = refs_group.create_group(f"layer{i}")
            g["type"] = np.array([[ord(c)] for c in kind], dtype=np.uint16)
            g["name"] = np.array([[ord(c)] for c in f"layer{i + 1}"], dtype=np.uint16)
            if arrays:
                params = []
                for j, a in enumerate(arrays):
                    while a.ndim > 2 and a.shape[-1] == 1:
                        a = a[..., 0]
                    params.append(refs_group.create_dataset(f"p{i}_{j}", data=a.T).ref)
                g.create_dataset("weights", data=np.array([params], dtype=h5py.ref_dtype))
            else:
                g["weights"] = np.zeros(2, dtype=np.uint64)
            for key, value in options.items():
                g[key] = np.array([[value]], dtype=np.float64)
            refs.append(g.ref)
        f.create_group("net").create_dataset(
            "layers", data=np.array([[r] for r in refs], dtype=h5py.ref_dtype)
        )


def _tiny_dncnn_layers(rng: np.random.Generator, channels: int, width: int, depth: int):
    layers = []
    for k in range(depth):
        cin = channels if k == 0 else width
        cout = channels if k == depth - 1 else width
        w = rng.standard_normal((3, 3, cin, cout)).astype(np.float32) * 0.3
        b = rng.standard_normal((1, cout)).astype(np.float32) * 0.1
        layers.append(("conv", [w, b], {"pad": 1.0, "stride": 1.0}))
        if k < depth - 1:
            layers.append(("relu", [], {"leak": 0.0}))
    return layers


@pytest.mark.parametrize("channels", [1, 3])
def test_synthetic_dncnn_mat_converts_exactly(tmp_path, channels):
    rng = np.random.default_rng(channels)
    path = tmp_path / "tiny.mat"
    _write_simplenn(path, _tiny_dncnn_layers(rng, channels, width=5, depth=4))
    layers = read_simplenn(path)
    assert [layer.type for layer in layers] == ["conv", "relu"] * 3 + ["conv"]
    config, state = convert_matconvnet_dncnn(layers)
    assert config == {"channels": channels, "width": 5, "depth": 4, "batch_norm": False}
    model = DnCNN(**config)
    model.load_state_dict(state, strict=True)
    x = rng.random((7, 6, channels))
    expected = x - matconvnet_forward(path, x)  # DnCNN's demo: output = input - net(input)
    with torch.no_grad():
        got = model(_to_torch(x))[0].numpy().transpose(1, 2, 0)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_structure_errors_are_clear(tmp_path):
    rng = np.random.default_rng(0)
    layers = _tiny_dncnn_layers(rng, 1, width=4, depth=3)
    _write_simplenn(tmp_path / "pool.mat", [*layers[:2], ("pool", [], {}), *layers[2:]])
    with pytest.raises(RestoraError, match="not a MatConvNet DnCNN"):
        convert_matconvnet_dncnn(read_simplenn(tmp_path / "pool.mat"))
    layers[0] = ("conv", layers[0][1], {"pad": 0.0, "stride": 1.0})
    _write_simplenn(tmp_path / "pad.mat", layers)
    with pytest.raises(RestoraError, match="pad"):
        convert_matconvnet_dncnn(read_simplenn(tmp_path / "pad.mat"))
    with pytest.raises(RestoraError, match="not a MatConvNet FFDNet"):
        convert_matconvnet_ffdnet(read_simplenn(tmp_path / "pad.mat"))
    (tmp_path / "text.mat").write_text("hello")
    with pytest.raises(RestoraError, match="not a MATLAB v7.3"):
        read_simplenn(tmp_path / "text.mat")


# --- the official files --------------------------------------------------------------------

OFFICIAL = {
    "GD_Gray_Blind.mat": ("dncnn/matconvnet", {"channels": 1, "width": 64, "depth": 20}),
    "GD_Color_Blind.mat": ("dncnn/matconvnet", {"channels": 3, "width": 64, "depth": 20}),
    "FFDNet_gray.mat": ("ffdnet", {"channels": 1, "width": 64, "depth": 15}),
    "FFDNet_color.mat": ("ffdnet", {"channels": 3, "width": 96, "depth": 12}),
}


def _official(shared: Path, name: str) -> Path:
    path = shared / "weights" / OFFICIAL[name][0] / name
    if not path.is_file():
        pytest.skip(f"{name} not in ../shared/weights")
    return path


@pytest.mark.parametrize("name", list(OFFICIAL))
def test_official_mat_matches_matconvnet_reference(shared, name):
    path = _official(shared, name)
    converted = convert_checkpoint(path)
    expected_config = OFFICIAL[name][1]
    assert {k: converted.config[k] for k in expected_config} == expected_config
    model = create_model(converted.official.model)  # recognized by sha256
    model.load_state_dict(converted.state_dict, strict=True)
    model.eval()
    channels = expected_config["channels"]
    rng = np.random.default_rng(0)
    x = rng.random((10, 8, channels)) + 0.1 * rng.standard_normal((10, 8, channels))
    with torch.no_grad():
        if converted.arch == "ffdnet":
            sigma = 25 / 255
            expected = matconvnet_forward(path, x, sigma)
            got = model(_to_torch(x), sigma)
        else:
            expected = x - matconvnet_forward(path, x)
            got = model(_to_torch(x))
    np.testing.assert_allclose(got[0].numpy().transpose(1, 2, 0), expected, atol=2e-4)


def test_official_dncnn_last_conv_singleton_restored(shared):
    layers = read_simplenn(_official(shared, "GD_Gray_Blind.mat"))
    assert layers[-1].params[0].shape == (64, 3, 3)  # MATLAB dropped out = 1
    _, state = convert_matconvnet_dncnn(layers)
    assert state["dncnn.38.weight"].shape == (1, 64, 3, 3) and state["dncnn.38.bias"].shape == (1,)

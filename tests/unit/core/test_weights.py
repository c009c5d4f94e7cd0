"""restora.core.weights / unpickle: checksums, cache, downloads, safe state-dict loading."""

from __future__ import annotations

import collections
import hashlib
import http.server
import io
import os
import pickle
import threading
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from restora.core.errors import RestoraError
from restora.core.unpickle import RefusedGlobalError, RestrictedUnpickler
from restora.core.weights import (
    Weights,
    cache_dir,
    checkpoint_format,
    download_weights,
    load_state_dict,
    sha256_file,
    verify_sha256,
    weights_dir,
)

PAYLOAD = bytes(range(256)) * 4099  # ~1 MiB, crosses the 1 MiB read chunk


@pytest.fixture
def blob(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "source" / "weights.bin"
    path.parent.mkdir()
    path.write_bytes(PAYLOAD)
    return path, hashlib.sha256(PAYLOAD).hexdigest()


# --- checksums and cache -------------------------------------------------------------------


def test_sha256_file_and_verify(blob):
    path, digest = blob
    assert sha256_file(path) == digest
    verify_sha256(path, digest.upper())  # case-insensitive
    wrong = "0" * 64
    with pytest.raises(RestoraError, match=f"expected {wrong}, got {digest}"):
        verify_sha256(path, wrong)


def test_cache_dir_from_env_or_home(monkeypatch, tmp_path):
    monkeypatch.setenv("RESTORA_HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" and weights_dir() == tmp_path / "home" / "weights"
    monkeypatch.delenv("RESTORA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert cache_dir() == tmp_path / "user" / ".cache" / "restora"
    assert not cache_dir().exists()  # looking it up creates nothing


def test_weights_record_validates():
    with pytest.raises(ValueError, match="64 hex"):
        Weights(file_name="a.pth", sha256="abc")
    with pytest.raises(ValueError, match="plain file name"):
        Weights(file_name="../a.pth", sha256="0" * 64)


def test_weights_fetch_from_cache_and_by_file_url(blob, tmp_path, monkeypatch):
    path, digest = blob
    monkeypatch.setenv("RESTORA_HOME", str(tmp_path / "cache"))
    record = Weights(file_name="w.bin", sha256=digest, url=path.as_uri(), license="MIT")
    with pytest.raises(RestoraError, match=r"not found: download it from file://.*place it at"):
        record.fetch()  # never downloads unless asked
    assert not record.cached_path().exists()
    fetched = record.fetch(download=True)
    assert fetched == tmp_path / "cache" / "weights" / "w.bin"
    assert fetched.read_bytes() == PAYLOAD
    assert record.fetch() == fetched  # now from the cache
    fetched.write_bytes(b"tampered")
    with pytest.raises(RestoraError, match="sha256 mismatch"):
        record.fetch()


# --- downloads -----------------------------------------------------------------------------


def test_download_file_url_is_atomic_and_checked(blob, tmp_path):
    path, digest = blob
    dest = tmp_path / "out" / "w.bin"
    assert download_weights(path.as_uri(), dest, sha256=digest) == dest
    assert dest.read_bytes() == PAYLOAD and not dest.with_name("w.bin.part").exists()

    bad = tmp_path / "out" / "bad.bin"
    with pytest.raises(RestoraError, match="sha256 mismatch"):
        download_weights(path.as_uri(), bad, sha256="f" * 64)
    assert not bad.exists() and not bad.with_name("bad.bin.part").exists()


def test_download_restarts_a_stale_part_when_the_server_sends_everything(blob, tmp_path):
    path, digest = blob
    dest = tmp_path / "w.bin"
    dest.with_name("w.bin.part").write_bytes(b"garbage from an old attempt")
    download_weights(path.as_uri(), dest, sha256=digest)  # file:// ignores ranges
    assert dest.read_bytes() == PAYLOAD


def test_download_refuses_other_schemes(tmp_path):
    with pytest.raises(RestoraError, match="scheme"):
        download_weights("ftp://example.invalid/w.bin", tmp_path / "w.bin")


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at any path and honours ``Range: bytes=N-``; records the ranges asked."""

    ranges: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802
        asked = self.headers.get("Range")
        type(self).ranges.append(asked)
        start = int(asked.split("=")[1].rstrip("-")) if asked else 0
        body = PAYLOAD[start:]
        self.send_response(206 if asked else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_download_resumes_a_partial_file_over_http(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RangeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/w.bin"
        dest = tmp_path / "w.bin"
        dest.with_name("w.bin.part").write_bytes(PAYLOAD[:1000])  # an interrupted download
        _RangeHandler.ranges = []
        download_weights(url, dest, sha256=hashlib.sha256(PAYLOAD).hexdigest())
        assert _RangeHandler.ranges == ["bytes=1000-"]
        assert dest.read_bytes() == PAYLOAD
    finally:
        server.shutdown()
        server.server_close()


# --- loading state dicts -------------------------------------------------------------------


def _net() -> torch.nn.Module:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU())
    net[1].running_mean.add_(0.5)
    return net


def _assert_same(
    state: dict[str, torch.Tensor], reference: dict[str, torch.Tensor], *, ordered: bool = True
) -> None:
    assert (list(state) if ordered else sorted(state)) == (
        list(reference) if ordered else sorted(reference)
    )
    for key, value in reference.items():
        assert torch.equal(state[key], value), key


@pytest.mark.parametrize("zip_format", [True, False])
def test_state_dict_and_whole_module_pickles(tmp_path, zip_format):
    net = _net()
    reference = net.state_dict()
    plain, module = tmp_path / "plain.pth", tmp_path / "module.pth"
    torch.save(reference, plain, _use_new_zipfile_serialization=zip_format)
    torch.save(net, module, _use_new_zipfile_serialization=zip_format)
    expected = "torch_zip" if zip_format else "torch_legacy"
    assert checkpoint_format(plain) == checkpoint_format(module) == expected
    _assert_same(load_state_dict(plain), reference)
    _assert_same(load_state_dict(module), reference)  # module classes become inert stubs


def test_safetensors_and_nested_checkpoints(tmp_path):
    reference = _net().state_dict()
    save_file(dict(reference), tmp_path / "w.safetensors")
    assert checkpoint_format(tmp_path / "w.safetensors") == "safetensors"
    _assert_same(load_state_dict(tmp_path / "w.safetensors"), reference, ordered=False)

    torch.save({"state_dict": reference, "epoch": 3}, tmp_path / "ckpt.pth")
    with pytest.raises(RestoraError, match="entries that are not tensors: state_dict, epoch"):
        load_state_dict(tmp_path / "ckpt.pth")
    _assert_same(load_state_dict(tmp_path / "ckpt.pth", key="state_dict"), reference)
    with pytest.raises(RestoraError, match="no entry 'model'"):
        load_state_dict(tmp_path / "ckpt.pth", key="model")


def test_unreadable_and_foreign_formats(tmp_path):
    (tmp_path / "junk.pth").write_bytes(b"not a checkpoint at all")
    with pytest.raises(RestoraError, match="unknown weights format"):
        load_state_dict(tmp_path / "junk.pth")
    (tmp_path / "net.mat").write_bytes(b"MATLAB 7.3 MAT-file" + bytes(500))
    with pytest.raises(RestoraError, match="restora models import"):
        load_state_dict(tmp_path / "net.mat")
    with pytest.raises(RestoraError, match="not found"):
        load_state_dict(tmp_path / "missing.pth")
    torch.save([torch.zeros(1)], tmp_path / "list.pth")
    with pytest.raises(RestoraError, match="holds a list"):
        load_state_dict(tmp_path / "list.pth")


class _Evil:
    """Unpickling this would run ``os.system(command)``."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class _EvalInModule(torch.nn.Module):
    """A module whose pickled state smuggles a call to ``builtins.eval``."""

    def __reduce_ex__(self, protocol):
        return (eval, ("__import__('os').system('true')",))


@pytest.mark.parametrize("zip_format", [True, False])
def test_malicious_pickles_are_refused_and_nothing_runs(tmp_path, zip_format):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    state = collections.OrderedDict(weight=torch.zeros(2), payload=_Evil(f"touch {marker}"))
    torch.save(state, path, _use_new_zipfile_serialization=zip_format)
    with pytest.raises(RefusedGlobalError, match=r"posix\.system|nt\.system") as info:
        load_state_dict(path)
    assert isinstance(info.value, RestoraError)
    assert not marker.exists()

    module = torch.nn.Sequential(torch.nn.Conv2d(1, 1, 1), _EvalInModule())
    torch.save(module, path, _use_new_zipfile_serialization=zip_format)
    with pytest.raises(RefusedGlobalError, match=r"(__builtin__|builtins)\.eval"):
        load_state_dict(path)


@pytest.mark.parametrize(
    ("module", "name"),
    [("subprocess", "Popen"), ("builtins", "getattr"), ("torch", "load"), ("os", "system")],
)
def test_restricted_unpickler_refuses_globals_by_name(module, name):
    # protocol-0 GLOBAL opcode followed by STOP: resolving the global is the first thing done
    data = f"c{module}\n{name}\n.".encode()
    with pytest.raises(RefusedGlobalError, match=f"{module}.{name}"):
        RestrictedUnpickler(io.BytesIO(data)).load()


def test_restricted_unpickler_stubs_module_classes_inertly():
    data = pickle.dumps(collections.OrderedDict(a=1))
    assert RestrictedUnpickler(io.BytesIO(data)).load() == {"a": 1}
    stub_cls = RestrictedUnpickler(io.BytesIO(b".")).find_class("__main__", "DnCNN")
    stub = stub_cls("any", "arguments", are="ignored")
    stub.__setstate__({"_parameters": {"w": torch.ones(1)}})
    assert stub.pickled_class == "__main__.DnCNN" and torch.equal(
        stub._parameters["w"], torch.ones(1)
    )


def test_a_plain_malicious_pickle_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pth"
    path.write_bytes(pickle.dumps(_Evil(f"touch {marker}"), protocol=2))
    assert checkpoint_format(path) == "torch_legacy"  # looks like a legacy checkpoint
    with pytest.raises(RefusedGlobalError, match="system"):
        load_state_dict(path)
    assert not marker.exists()

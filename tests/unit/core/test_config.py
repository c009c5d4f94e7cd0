from dataclasses import dataclass, field
from typing import Literal

import pytest

from restora.core.config import apply_overrides, config_from_dict, config_to_dict, load_toml
from restora.core.errors import ConfigError


@dataclass
class Inner:
    rate: float = 0.1
    kind: Literal["a", "b"] = "a"


@dataclass
class Outer:
    steps: int = 10
    name: str | None = None
    inner: Inner = field(default_factory=Inner)
    tags: list[str] = field(default_factory=list)


def test_builds_nested_and_coerces():
    cfg = config_from_dict(Outer, {"steps": "20", "inner": {"rate": 1, "kind": "b"}, "tags": ["x"]})
    assert cfg == Outer(steps=20, inner=Inner(rate=1.0, kind="b"), tags=["x"])
    assert config_to_dict(cfg)["inner"] == {"rate": 1.0, "kind": "b"}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"stepz": 1}, "unknown option 'stepz'"),
        ({"inner": {"rat": 1}}, "unknown option 'inner.rat'"),
        ({"steps": 1.5}, "steps: expected an integer"),
        ({"steps": True}, "steps: expected an integer"),
        ({"inner": {"kind": "c"}}, "inner.kind: must be one of"),
        ({"tags": "x"}, "tags: expected a list"),
    ],
)
def test_rejects_with_named_key(data, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        config_from_dict(Outer, data)


def test_overrides_parse_toml_scalars_and_nest():
    data = apply_overrides({"inner": {"rate": 0.1}}, ["inner.rate=0.5", "steps=3", "name=run1"])
    assert data == {"inner": {"rate": 0.5}, "steps": 3, "name": "run1"}
    with pytest.raises(ConfigError, match="key=value"):
        apply_overrides({}, ["steps"])


def test_load_toml_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("steps = = 3")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_toml(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_toml(tmp_path / "missing.toml")

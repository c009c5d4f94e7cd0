"""The layering rule of DESIGN.md: a module never imports from a layer above its own, and
inference (pipeline, engine, web) never imports training code (``train``)."""

from __future__ import annotations

import ast
from pathlib import Path

import restora

LAYERS = [
    "core",
    "io",
    "color",
    "ops",
    "nn",
    "models",
    "losses",
    "metrics",
    "data",
    "train",
    "pipeline",
    "engine",
    "cli",
    "web",
]
ROOT = Path(restora.__file__).parent
# Layers that may not import a given lower layer: the product is not the lab.
FORBIDDEN = {"pipeline": {"train"}, "engine": {"train"}, "web": {"train"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {m for m in found if m.startswith("restora.")}


def test_no_module_imports_upward():
    violations = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        if len(rel) < 2 or rel[0] not in LAYERS:
            continue
        own = LAYERS.index(rel[0])
        for module in _imports(path):
            layer = module.split(".")[1]
            if layer in LAYERS and LAYERS.index(layer) > own:
                violations.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not violations, "\n".join(violations)


def test_inference_never_imports_training_code():
    violations = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        banned = FORBIDDEN.get(rel[0], set()) if len(rel) >= 2 else set()
        for module in _imports(path):  # imports inside functions count too
            if module.split(".")[1] in banned:
                violations.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not violations, "\n".join(violations)


def test_every_module_imports():
    import importlib

    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(("restora", *rel.parts)).removesuffix(".__init__")
        importlib.import_module(name)

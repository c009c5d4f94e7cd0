"""restora.models: architectures by task, a registry of named builders, checkpoints
(``config.json`` + ``model.safetensors``) and inference descriptors.

>>> import torch
>>> model = create_model("dncnn.s_gray", width=8, depth=3)
>>> tuple(model.describe()(torch.rand(1, 1, 9, 7)).shape)
(1, 1, 9, 7)
"""

from __future__ import annotations

from restora.models.base import ConfigurableModel
from restora.models.checkpoint import load_model, save_model
from restora.models.descriptor import ModelDescriptor, OutputActivation, Purpose
from restora.models.registry import (
    architecture,
    build,
    create_model,
    get_architecture,
    list_models,
    register_model,
)

__all__ = [
    "ConfigurableModel",
    "ModelDescriptor",
    "OutputActivation",
    "Purpose",
    "architecture",
    "build",
    "create_model",
    "get_architecture",
    "list_models",
    "load_model",
    "register_model",
    "save_model",
]

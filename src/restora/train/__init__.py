"""restora.train: typed configs, task objects, the training loop, checkpoints, EMA, logs,
evaluation and torchrun (DDP) support.

>>> from restora.train import load_config
>>> load_config(None, ["task.preset=denoise", "steps=5"]).steps
5
"""

from restora.train.checkpoint import load_checkpoint, load_trained_model, save_checkpoint
from restora.train.config import (
    DataConfig,
    DiscriminatorConfig,
    LogConfig,
    LossConfig,
    ModelConfig,
    OptimConfig,
    ScheduleConfig,
    TaskConfig,
    TrainConfig,
    config_to_toml,
    load_config,
    resolve_path,
)
from restora.train.ema import EMA
from restora.train.evaluate import evaluate
from restora.train.logs import read_csv
from restora.train.loop import RunResult, train
from restora.train.tasks import (
    GANTask,
    ImageToImageTask,
    InpaintTask,
    SegmentationTask,
    Task,
    task_class,
    task_kind,
)
from restora.train.validate import check_config

__all__ = [
    "EMA",
    "DataConfig",
    "DiscriminatorConfig",
    "GANTask",
    "ImageToImageTask",
    "InpaintTask",
    "LogConfig",
    "LossConfig",
    "ModelConfig",
    "OptimConfig",
    "RunResult",
    "ScheduleConfig",
    "SegmentationTask",
    "Task",
    "TaskConfig",
    "TrainConfig",
    "check_config",
    "config_to_toml",
    "evaluate",
    "load_checkpoint",
    "load_config",
    "load_trained_model",
    "read_csv",
    "resolve_path",
    "save_checkpoint",
    "task_class",
    "task_kind",
    "train",
]

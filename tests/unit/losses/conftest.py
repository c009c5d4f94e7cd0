"""Loss tests run many tiny ops (gradcheck): one intra-op thread avoids contention on a shared
2-core machine (about 30x faster here); the previous setting is restored afterwards."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)

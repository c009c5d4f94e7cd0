"""The installed package stays under 25 MB: code, model cards and the shipped weights (stored in
half precision where that changes outputs by a fraction of a level)."""

from __future__ import annotations

from pathlib import Path

import restora

LIMIT_BYTES = 25_000_000


def test_package_is_under_25_mb():
    root = Path(restora.__file__).parent
    files = [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    total = sum(p.stat().st_size for p in files)
    largest = sorted(files, key=lambda p: p.stat().st_size)[-3:]
    assert total < LIMIT_BYTES, (total, [str(p.relative_to(root)) for p in largest])

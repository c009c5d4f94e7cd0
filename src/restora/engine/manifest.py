"""A batch manifest: which inputs are done, with which spec, so a re-run skips finished work."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from restora.io import atomic_write_text

MANIFEST_NAME = "restora-manifest.json"


def fingerprint(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def spec_hash(spec_dict: dict[str, Any], extra: dict[str, Any]) -> str:
    text = json.dumps({"spec": spec_dict, **extra}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Manifest:
    """Per-input status (``started`` / ``done`` / ``failed``), saved atomically after each change."""

    path: Path
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, outdir: Path) -> Manifest:
        path = outdir / MANIFEST_NAME
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data.get("entries", {})
        except (OSError, ValueError):
            entries = {}  # unreadable manifest: redo everything rather than fail
        return cls(path, entries if isinstance(entries, dict) else {})

    def save(self) -> None:
        payload = {"version": 1, "entries": self.entries}
        atomic_write_text(self.path, json.dumps(payload, indent=1, sort_keys=True))

    def is_done(self, key: str, fp: dict[str, int], digest: str) -> bool:
        entry = self.entries.get(key)
        if not entry or entry.get("status") != "done":
            return False
        if entry.get("fingerprint") != fp or entry.get("spec") != digest:
            return False
        return all(Path(p).exists() for p in entry.get("outputs", {}).values())

    def was_started(self, key: str) -> bool:
        """True when an earlier run began this input and did not finish it (its files are ours)."""
        entry = self.entries.get(key)
        return bool(entry) and entry.get("status") in ("started", "failed")

    def mark(self, key: str, status: str, **fields: Any) -> None:
        entry = self.entries.setdefault(key, {})
        entry.update(status=status, **fields)
        if status != "failed":
            entry.pop("error", None)
        self.save()

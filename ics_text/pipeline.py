"""The main job's stages after collection, in order; each does only the work for new documents."""

from __future__ import annotations

from pathlib import Path


def run_all(store, report_dir: Path | None = None, console=None) -> dict:
    """Run every stage over the store. Returns each stage's summary by name."""
    return {}

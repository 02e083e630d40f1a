"""Shared fixtures: the bundled corpus, a fresh store per test."""

from __future__ import annotations

import atexit
import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Tests keep their caches to themselves, not in the user's ~/.cache (subprocesses inherit this).
if "ICS_TEXT_CACHE" not in os.environ:
    os.environ["ICS_TEXT_CACHE"] = tempfile.mkdtemp(prefix="ics-text-test-cache-")
    atexit.register(shutil.rmtree, os.environ["ICS_TEXT_CACHE"], True)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ANNOTATED = ROOT / "benchmarks" / "annotated"


def corpus_rows() -> list[dict]:
    """Every manifest row of the bundled corpus, with the file's absolute path."""
    rows = []
    for manifest in sorted(CORPUS.glob("*/manifest.csv")):
        with manifest.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                row["file"] = manifest.parent / row["path"]
                row["site"] = manifest.parent.name
                rows.append(row)
    return rows


def theme_annotations() -> dict[str, dict]:
    """Labelled passages by corpus source path (relative to the repository root)."""
    out = {}
    for f in sorted((ANNOTATED / "themes").glob("*/*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        out[data["source"]] = data
    return out


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path):
    from ics_text.store import Store

    s = Store(db_path)
    yield s
    s.close()

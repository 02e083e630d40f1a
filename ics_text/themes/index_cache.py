"""The search index's vectors kept next to the store as .npy files, so loading them is a memory map
rather than 100,000 blob reads joined by text hash.

Files, for store ``corpus.db`` and a model: ``corpus.db.search-<model key>.npy`` (the float32
matrix), ``.ids.npy`` (passage id, document id per row) and ``.json`` (the fingerprint; written last,
so a half-written cache is never taken for a whole one). The fingerprint hashes the model name and
every current passage's (id, document id, text hash) in reading order: any new, changed or
superseded passage changes it. Vectors are cached per (model, text hash) and never change for a
pair, so the passages alone decide the matrix, except passages that had no vector yet when the cache
was made: their hashes are kept, and the cache is rebuilt once any of them gains a vector.
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np

_PASSAGES = ("SELECT p.id, p.document_id, p.text_hash FROM theme_passages p "
             "JOIN documents d ON d.id = p.document_id WHERE d.is_current = 1 "
             "ORDER BY p.document_id, p.seq")


def cache_base(store, model_name: str) -> str | None:
    """Path prefix of the cache files, or None for a store with no file of its own."""
    path = getattr(store, "path", None)
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return f"{path}.search-{hashlib.blake2b(model_name.encode(), digest_size=6).hexdigest()}"


def load_index(store, model_name: str, cache: bool = True):
    """(passage ids, document ids, matrix) of current passages, from the cache when it is fresh."""
    from .build import load_vectors

    base = cache_base(store, model_name) if cache else None
    if base is None:
        return load_vectors(store, model_name, current=True)
    conn = store.conn
    own = not conn.in_transaction
    if own:  # one read snapshot: the fingerprint and the vectors describe the same passages
        conn.execute("BEGIN")
    try:
        rows = conn.execute(_PASSAGES).fetchall()
        key = _fingerprint(model_name, rows)
        got = _read(base, key, conn, model_name)
        if got is not None:
            return got
        ids, docs, mat = load_vectors(store, model_name, current=True)
    finally:
        if own:
            conn.execute("COMMIT")
    _write(base, key, rows, ids, docs, mat)
    return ids, docs, mat


def _fingerprint(model_name: str, rows) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(model_name.encode())
    h.update("\n".join(f"{r[0]} {r[1]} {r[2]}" for r in rows).encode())
    return h.hexdigest()


def _read(base: str, key: str, conn, model_name: str):
    try:
        with open(base + ".json", encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("key") != key:
            return None
        missing = meta.get("missing", [])
        for i in range(0, len(missing), 500):  # a passage that had no vector may have one now
            part = missing[i:i + 500]
            if conn.execute(f"SELECT 1 FROM theme_embeddings WHERE model = ? AND text_hash IN "
                            f"({','.join('?' * len(part))}) LIMIT 1", [model_name, *part]).fetchone():
                return None
        pairs = np.load(base + ".ids.npy")
        mat = np.load(base + ".npy", mmap_mode="r")  # pages come in as the first query reads them
        if mat.dtype != np.float32 or mat.ndim != 2 or len(mat) != len(pairs):
            return None
        return (np.ascontiguousarray(pairs[:, 0]), np.ascontiguousarray(pairs[:, 1]), mat)
    except (OSError, ValueError, KeyError, IndexError):
        return None


def _write(base: str, key: str, rows, ids, docs, mat) -> None:
    """Best effort: a store in a read-only folder just loads from SQLite every time."""
    have = set(ids.tolist())
    missing = sorted({r[2] for r in rows if r[0] not in have})
    pairs = np.stack([np.asarray(ids, dtype=np.int64), np.asarray(docs, dtype=np.int64)], axis=1)
    try:
        try:
            os.remove(base + ".json")  # stale fingerprint out first: arrays and key change together
        except FileNotFoundError:
            pass
        for suffix, arr in ((".ids.npy", pairs), (".npy", np.asarray(mat, dtype=np.float32))):
            tmp = f"{base}.tmp{os.getpid()}{suffix}"
            np.save(tmp, arr)
            os.replace(tmp, base + suffix)
        tmp = f"{base}.tmp{os.getpid()}.json"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"key": key, "rows": int(len(pairs)), "missing": missing}, f)
        os.replace(tmp, base + ".json")
    except OSError:
        pass

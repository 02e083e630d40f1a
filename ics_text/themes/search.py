"""Search over passages: keyword (FTS5, BM25), semantic (embeddings) and hybrid (both, fused).

- keyword: SQLite FTS5 over passage text (porter stemming), ranked by BM25; every word required,
  ``OR`` between words allowed (the store's ``fts_query`` rules);
- semantic: the query is encoded with the passage model and compared (cosine) with every current
  passage's cached vector, held in memory by a ``PassageIndex`` (one matrix-vector product over a
  float16 copy, then the few rows that could rank re-scored in float32: exact, at half the memory
  traffic);
- hybrid: reciprocal rank fusion (RRF, k = 60) of the two rankings, so a passage high in either list
  rises, and one high in both rises most, without having to put BM25 and cosine on one scale.

Filters (publisher, since, until, type, theme) apply in every mode. Each hit carries its citation
(title, publisher, date, URL or file, offsets), its themes and a snippet with the query's words in
[brackets] (marked the same way in every mode, only for the hits returned: FTS5's own snippet()
would be computed for every candidate the fusion looks at).
"""

from __future__ import annotations

import re
import sqlite3

import numpy as np

from ..store import Store, StoreError, fts_query
from .queries import PASSAGE_COLUMNS, current_themes, decorate, resolve_theme
from .schema import ensure_schema

MODES = ("keyword", "semantic", "hybrid")
RRF_K = 60
SNIPPET_CHARS = 240
_STOP = set("a an and are as at be but by for from has have in is it its of on or that the this to "
            "was were will with not no we our they their".split())


class PassageIndex:
    """Current passages' vectors in memory, for semantic search (build once, query many times).

    Every query is exact, in two passes. Scanning 100,000 x 384 float32 values (150 MB) is bound by
    memory bandwidth, so the full scan reads a float16 copy (half the bytes: 16 -> 9 ms); the rows
    that could be among the best ``k`` given float16's bounded error (a few dozen) are then
    re-scored from the float32 matrix, so the hits, their order and their scores are float32's.
    The scan is torch's: numpy has no fast float16 product, and its BLAS product (float32) left a
    BLAS thread spinning that slowed the next query's encoding by 10-20 ms. An inverted-file index
    (k-means lists, probing the nearest few) was tried and measured: at 100,000 passages it took
    minutes to build on 2 CPU cores and saved nothing next to encoding the query.
    """

    def __init__(self, passage_ids: np.ndarray, document_ids: np.ndarray, matrix: np.ndarray,
                 model_name: str):
        self.passage_ids = np.asarray(passage_ids, dtype=np.int64)
        self.document_ids = np.asarray(document_ids, dtype=np.int64)
        # contiguous float32 (a memory-mapped cache file stays mapped: it is only ever read)
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.model_name = model_name
        self._half, self._max_norm = _half_copy(self.matrix)

    @classmethod
    def from_store(cls, store: Store, model_name: str, cache: bool = True) -> "PassageIndex":
        """The current passages' vectors. Read from SQLite that takes seconds at 100,000 passages
        (one blob per row, joined by text hash), paid by every CLI call; so the matrix is also kept
        next to the store as a .npy file, memory-mapped on the next load, and rebuilt whenever the
        current passages (ids, documents, text hashes) or the model differ from when it was made."""
        from .index_cache import load_index

        ids, docs, mat = load_index(store, model_name, cache=cache)
        return cls(ids, docs, mat, model_name)

    def __len__(self) -> int:
        return len(self.passage_ids)

    def top(self, qvec: np.ndarray, k: int, allowed_docs: np.ndarray | None = None,
            allowed_passages: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(passage id, cosine) of the ``k`` nearest passages, best first, within the filters."""
        if not len(self) or k <= 0:
            return []
        import torch

        from .embeddings import one_torch_thread

        qvec = np.asarray(qvec, dtype=np.float32)
        rows = None
        if allowed_docs is not None or allowed_passages is not None:
            mask = np.ones(len(self), dtype=bool)
            if allowed_docs is not None:
                mask &= np.isin(self.document_ids, allowed_docs)
            if allowed_passages is not None:
                mask &= np.isin(self.passage_ids, allowed_passages)
            rows = np.flatnonzero(mask)
            if not len(rows):
                return []
        # One torch thread: a single matrix-vector product is bound by memory, not arithmetic, and
        # a second thread only contends with the query encoder and (in hybrid search) SQLite.
        qnorm = float(np.linalg.norm(qvec))
        with one_torch_thread():
            # the query at unit length: ranks are unchanged and float16 cannot overflow
            q16 = torch.from_numpy(qvec / qnorm if qnorm else qvec).to(torch.float16)
            if rows is None:
                approx = self._half @ q16
            elif len(rows) < len(self) // 2:  # a selective filter scans only its rows
                approx = self._half.index_select(0, torch.from_numpy(rows)) @ q16
            else:
                approx = (self._half @ q16)[torch.from_numpy(rows)]
            approx = approx.float().numpy()
        k = min(k, len(approx))
        # |approx - exact| <= err for every row (see _HALF_ERROR), so the k rows best by approx
        # all score exactly >= kth - err, and any row of the exact best k has approx >= kth - 2 err
        err = _HALF_ERROR * self._max_norm + _HALF_TINY
        kth = np.partition(approx, len(approx) - k)[len(approx) - k]
        cand = np.flatnonzero(approx >= kth - 2 * err)
        if rows is not None:
            cand = rows[cand]
        # einsum, not BLAS: a few hundred rows, and BLAS would wake its own threads for them
        sims = np.einsum("ij,j->i", self.matrix[cand], qvec)
        pids = self.passage_ids[cand]
        order = np.lexsort((pids, -sims))[:k]  # best first; ties by passage id (stable output)
        return [(int(pids[i]), float(sims[i])) for i in order]


# Error of a float16 score against the float32 one, for a unit query: row values, query values
# and the result are each rounded with relative error 2**-11 (products are summed in float32, which
# adds about 2e-5 over 384 dimensions), so the error is under 3 * 2**-11 * |row| < 2**-9 * |row|;
# a value below float16's normal range (6e-5) is off by up to 3e-8 instead: under 2**-20 in all
_HALF_ERROR = 2.0 ** -9
_HALF_TINY = 2.0 ** -20


def _half_copy(matrix: np.ndarray):
    """(float16 torch copy of ``matrix``, largest row norm), converted in blocks so a
    memory-mapped matrix is read once."""
    import warnings

    import torch

    half = torch.empty(matrix.shape, dtype=torch.float16)
    max_norm = 0.0
    for i in range(0, len(matrix), 16384):
        block = matrix[i:i + 16384]
        with warnings.catch_warnings():  # a read-only memory map: the tensor is only read from
            warnings.simplefilter("ignore", UserWarning)
            src = torch.from_numpy(np.asarray(block))
        half[i:i + len(block)] = src
        max_norm = max(max_norm, float(torch.linalg.vector_norm(src, dim=1).max()))
    if max_norm >= 65504:  # float16's largest value; embeddings are unit length, far below it
        raise ValueError(f"vectors too long for the float16 scan (norm {max_norm:g})")
    return half, max_norm


class Searcher:
    """Search one store. Keeps the encoder and the in-memory index between queries."""

    def __init__(self, store: Store, encoder=None, index: PassageIndex | None = None):
        ensure_schema(store)
        self.store = store
        self._encoder = encoder
        self._index = index

    @property
    def encoder(self):
        if self._encoder is None:
            from .embeddings import Encoder

            self._encoder = Encoder(self.store)
        return self._encoder

    @property
    def index(self) -> PassageIndex:
        if self._index is None:
            self._index = PassageIndex.from_store(self.store, self.encoder.model_name)
        return self._index

    # -- filters --------------------------------------------------------------------------------

    def _filter_docs(self, publisher=None, since=None, until=None, type=None):
        """Document ids allowed by the filters (None: every current one, no filter needed)."""
        if not any((publisher, since, until, type)):
            return None
        where, args = self.store._filters(publisher=publisher, since=since, until=until, type=type)
        return np.fromiter((r[0] for r in self.store.conn.execute(
            f"SELECT id FROM documents WHERE {' AND '.join(where)}", args)), dtype=np.int64)

    def _theme_passages(self, theme):
        if not theme:
            return None
        t = resolve_theme(current_themes(self.store), theme)
        return np.fromiter((r[0] for r in self.store.conn.execute(
            "SELECT passage_id FROM theme_assignments WHERE theme_id = ?", (t.id,))), dtype=np.int64)

    # -- the three modes ------------------------------------------------------------------------

    def keyword(self, query: str, limit: int = 10, publisher=None, since=None, until=None,
                type=None, theme=None) -> list[tuple[int, float]]:
        """(passage id, BM25 score (higher is better)) best first."""
        q = fts_query(query)
        if not q.strip() or limit <= 0:
            return []
        theme_id = resolve_theme(current_themes(self.store), theme).id if theme else None
        try:
            if not any((publisher, since, until, type, theme_id)):
                # FTS alone ranks fastest (ORDER BY rank); passages of superseded versions are
                # dropped afterwards, so ask for a margin more than needed
                rows = self.store.conn.execute(
                    "SELECT rowid, rank FROM theme_passages_fts WHERE theme_passages_fts MATCH ? "
                    "ORDER BY rank LIMIT ?", (q, limit * 2 + 20)).fetchall()
                current = self._current([r[0] for r in rows])
                return [(r[0], -float(r[1])) for r in rows if r[0] in current][:limit]
            where, args = self.store._filters(publisher=publisher, since=since, until=until,
                                              type=type, table="d")
            sql = ("SELECT p.id, theme_passages_fts.rank FROM theme_passages_fts "
                   "JOIN theme_passages p ON p.id = theme_passages_fts.rowid "
                   "JOIN documents d ON d.id = p.document_id WHERE theme_passages_fts MATCH ?")
            for w in where:
                sql += " AND " + w
            if theme_id:
                sql += " AND p.id IN (SELECT passage_id FROM theme_assignments WHERE theme_id = ?)"
                args = [*args, theme_id]
            sql += " ORDER BY theme_passages_fts.rank LIMIT ?"
            rows = self.store.conn.execute(sql, [q, *args, limit]).fetchall()
        except sqlite3.OperationalError as e:
            raise StoreError(f"search {query!r}: {e}") from None
        return [(r[0], -float(r[1])) for r in rows]

    def _current(self, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        # CROSS JOIN fixes the order: each listed passage by id, then its document. A plain JOIN
        # lets SQLite start from the documents' is_current index and walk every current passage
        # (measured 17-40 ms at 100,000 passages, against well under 1 ms this way)
        return {r[0] for r in self.store.conn.execute(
            f"SELECT p.id FROM theme_passages p CROSS JOIN documents d ON d.id = p.document_id "
            f"WHERE d.is_current = 1 AND p.id IN ({','.join('?' * len(ids))})", ids)}

    def semantic(self, query: str, limit: int = 10, publisher=None, since=None, until=None,
                 type=None, theme=None, allowed=None) -> list[tuple[int, float]]:
        """(passage id, cosine similarity) best first. ``allowed``: the filters already resolved
        to (document ids, passage ids), as ``_allowed`` returns them."""
        if not query.strip():
            return []
        docs, passages = allowed if allowed is not None else self._allowed(publisher, since, until,
                                                                            type, theme)
        return self.index.top(self.encoder.encode_query(query), limit, docs, passages)

    def _allowed(self, publisher=None, since=None, until=None, type=None, theme=None):
        return self._filter_docs(publisher, since, until, type), self._theme_passages(theme)

    def search(self, query: str, mode: str = "hybrid", limit: int = 10, publisher=None, since=None,
               until=None, type=None, theme=None) -> list[dict]:
        """Ranked passage hits with citations, themes and highlighted snippets."""
        if mode not in MODES:
            raise StoreError(f"unknown search mode {mode!r}: use keyword, semantic or hybrid")
        filters = dict(publisher=publisher, since=since, until=until, type=type, theme=theme)
        depth = max(50, limit * 5)
        if mode == "hybrid" and query.strip():
            # the keyword half runs on a worker thread (SQLite releases the GIL while it ranks)
            # while this thread encodes the query and scans the vectors (torch releases it too),
            # so hybrid costs about the slower half rather than the sum of both
            _ = self.index, self.encoder  # made here, not raced for by two threads
            allowed = self._allowed(**filters)  # SQL first, so only the worker uses SQLite below
            pending = self._pool().submit(self.keyword, query, depth, **filters)
            sem = self.semantic(query, depth, allowed=allowed)
            kw = pending.result()
        else:
            kw = self.keyword(query, limit, **filters) if mode == "keyword" else []
            sem = self.semantic(query, limit, **filters) if mode == "semantic" else []
        kw_rank = {pid: i + 1 for i, (pid, _) in enumerate(kw)}
        sem_rank = {pid: i + 1 for i, (pid, _) in enumerate(sem)}
        if mode == "keyword":
            ranked = kw
        elif mode == "semantic":
            ranked = sem
        else:
            fused: dict[int, float] = {}
            for ranks in (kw_rank, sem_rank):
                for pid, r in ranks.items():
                    fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + r)
            ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        ranked = ranked[:limit]
        rows = self._rows([pid for pid, _ in ranked])
        out = []
        for rank, (pid, score) in enumerate(ranked, start=1):
            r = rows[pid]
            r.update({"rank": rank, "score": round(score, 6), "mode": mode,
                      "keyword_rank": kw_rank.get(pid), "semantic_rank": sem_rank.get(pid)})
            r["snippet"] = highlight(r["text"], query)
            out.append(r)
        return decorate(self.store, out, current_themes(self.store))

    def _pool(self):
        if getattr(self, "_executor", None) is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ics-text-query")
        return self._executor

    def _rows(self, ids: list[int]) -> dict[int, dict]:
        if not ids:
            return {}
        return {r["passage_id"]: dict(r) for r in self.store.conn.execute(
            f"SELECT {PASSAGE_COLUMNS} FROM theme_passages p JOIN documents d ON d.id = p.document_id "
            f"WHERE p.id IN ({','.join('?' * len(ids))})", ids)}


def search(store: Store, query: str, mode: str = "hybrid", limit: int = 10, **filters) -> list[dict]:
    """One-off search (builds the index for this call; keep a ``Searcher`` for many queries)."""
    return Searcher(store).search(query, mode=mode, limit=limit, **filters)


def highlight(text: str, query: str, width: int = SNIPPET_CHARS) -> str:
    """The part of ``text`` around the first query word, each query word (or its stem) in [brackets]."""
    words = [w for w in re.findall(r"\w+", query.lower()) if w not in _STOP and len(w) > 2]
    if not words:
        return _clip(text, 0, width)
    # match a word by its first letters so "fund" finds "funding" and "funded"
    stems = sorted({w[:max(4, len(w) - 3)] if len(w) > 5 else w for w in words}, key=len, reverse=True)
    pat = re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)
    first = pat.search(text)
    start = max(0, (first.start() if first else 0) - width // 3)
    clip = _clip(text, start, width)
    return pat.sub(lambda m: f"[{m.group(0)}]", clip)


def _clip(text: str, start: int, width: int) -> str:
    if start > 0:
        sp = text.find(" ", start)
        start = sp + 1 if 0 <= sp < start + 30 else start
    end = start + width
    if end < len(text):
        sp = text.rfind(" ", start, end)
        end = sp if sp > start else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")

"""Build the themes stage over a store, incrementally.

``build_themes(store)``:
1. cuts passages from current documents the stage has not seen (new or changed versions);
2. encodes only passages whose (model, text hash) is not cached: with the plain model (search and
   discovery) and, when a theme-tuned patch ships (``tuning``), with the tuned one (assignment);
3. assigns themes to the new passages; when the taxonomy file (or the model) changed since the last
   build, re-assigns every stored passage from the cached vectors (seconds, no re-encoding).
A re-run on an unchanged corpus does two small queries and never loads the model.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable

import numpy as np

from .embeddings import Encoder, text_hash
from .passages import passage_spans
from .schema import ensure_schema
from .taxonomy import default_taxonomy_path, fingerprint, load_taxonomy

# Bumped when the scoring method changes, so stored assignments are redone.
METHOD_VERSION = "3"  # 2: a head learned from labelled passages; 3: the head reads words too
DOC_BATCH = 200

Progress = Callable[[str, int, int], None]


def assignment_key(themes, encoder: Encoder, assigner_params: dict | None = None, labelled=None) -> str:
    """What stored assignments depend on: method, model, taxonomy, labelled set and settings."""
    from .assign import ThemeAssigner
    from .calibrate import labelled_fingerprint

    settings = {k: v for k, v in ThemeAssigner().get_params().items()
                if k not in ("themes", "taxonomy", "encoder")}
    settings.update(assigner_params or {})
    params = ",".join(f"{k}={v}" for k, v in sorted(settings.items()))
    return (f"{METHOD_VERSION}|{encoder.model_name}|{fingerprint(themes)}|"
            f"{labelled_fingerprint(labelled)}|{params}")


def make_assigner(themes, encoder: Encoder, labelled=None, **params):
    """The assigner used at run time: the taxonomy's prototypes and thresholds (as in the file),
    plus a head trained on the labelled passages (``labelled``: a folder or a list of them, else
    $ICS_TEXT_THEMES_LABELLED, else benchmarks/annotated/themes and themes_train). With no labelled
    passages there, prototype scoring alone."""
    from .assign import ThemeAssigner
    from .calibrate import labelled_folders, labelled_vectors, load_labelled

    assigner = ThemeAssigner(themes=themes, encoder=encoder, calibrate=False, **params)
    data = load_labelled(labelled_folders(labelled), known={t.id for t in themes})
    if len(data) == 0:
        return assigner.fit()
    return assigner.fit(labelled_vectors(encoder, data.texts), data.labels, groups=data.groups,
                        texts=data.texts)


def build_themes(store, progress: Progress | None = None, taxonomy=None, model: str | None = None,
                 encoder: Encoder | None = None, labelled=None) -> dict:
    """Bring passages, embeddings and theme assignments up to date; returns a summary dict.

    ``progress(step, done, total)`` is called as work proceeds (steps: "passages", "encode",
    "assign"). ``taxonomy``: a taxonomy file (default ``models/themes.yaml``); ``model``: an
    embedding model path or name (default: the packaged all-MiniLM-L6-v2); ``labelled``: the
    labelled-passages folder that trains the head (see ``make_assigner``). ``encoder``: the plain
    encoder (its vectors serve search); assignment uses it with the default patch on top.
    """
    from .tuning import themed

    t0 = time.perf_counter()
    ensure_schema(store)
    taxonomy_path = taxonomy or default_taxonomy_path()
    themes = load_taxonomy(taxonomy_path)
    encoder = encoder or Encoder(store, model=model)
    scorer = themed(encoder)
    conn = store.conn
    key = assignment_key(themes, scorer, labelled=labelled)
    state = conn.execute("SELECT value FROM theme_state WHERE key = 'assignment'").fetchone()
    stale = state is None or state[0] != key
    # passages stored before this run need re-scoring only if the taxonomy/model changed
    had_passages = conn.execute("SELECT 1 FROM theme_passages LIMIT 1").fetchone() is not None

    new_ids = [r[0] for r in conn.execute(
        "SELECT d.id FROM documents d LEFT JOIN theme_documents t ON t.document_id = d.id "
        "WHERE d.is_current = 1 AND t.document_id IS NULL ORDER BY d.id")]
    summary = {"documents_new": len(new_ids), "passages_new": 0, "encoded": 0,
               "reassigned": False, "taxonomy": str(taxonomy_path), "model": encoder.model_name,
               "theme_model": scorer.model_name}

    assigner = None
    if new_ids or stale:
        assigner = make_assigner(themes, scorer, labelled=labelled)

    # 1-3 for new documents, a batch at a time (each batch is committed whole)
    for b in range(0, len(new_ids), DOC_BATCH):
        batch = new_ids[b:b + DOC_BATCH]
        docs = list(store.documents(ids=batch, blocks=True, current=False))
        spans = {d.id: passage_spans(d) for d in docs}
        texts = {text_hash(p.text): p.text for ps in spans.values() for p in ps}
        for enc in dict.fromkeys((encoder, scorer)):  # one pass when there is no patch
            n = enc.ensure(texts, (lambda done, total: progress("encode", done, total)) if progress else None)
            if enc is encoder:
                summary["encoded"] += n
        flat = [(d, p) for d in docs for p in spans[d.id]]
        vecs = scorer.encode([p.text for _, p in flat]) if flat else None
        picked = assigner.assign(vecs, groups=[d.id for d, _ in flat],
                                 texts=[p.text for _, p in flat]) if flat else []
        now = _now()
        with store.transaction() as c:
            for d in docs:
                c.execute("INSERT OR REPLACE INTO theme_documents VALUES (?, ?, ?)",
                          (d.id, len(spans[d.id]), now))
            seqs: dict[int, int] = {}
            for (d, p), themes_ in zip(flat, picked):
                seq = seqs[d.id] = seqs.get(d.id, -1) + 1  # reading order within the document
                cur = c.execute(
                    'INSERT INTO theme_passages (document_id, seq, block_seq, kind, heading, text, start, '
                    '"end", text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                    (d.id, seq, p.block_seq, p.kind, p.heading, p.text, p.start, p.end, text_hash(p.text)))
                c.executemany("INSERT INTO theme_assignments VALUES (?, ?, ?)",
                              [(cur.lastrowid, t.id, t.score) for t in themes_])
        summary["passages_new"] += len(flat)
        if progress:
            progress("passages", min(b + DOC_BATCH, len(new_ids)), len(new_ids))

    if stale:
        if had_passages:
            summary["reassigned"] = True
            reassign_all(store, assigner, scorer, progress)
        with store.transaction() as c:
            c.execute("INSERT OR REPLACE INTO theme_state VALUES ('assignment', ?)", (key,))
            c.execute("INSERT OR REPLACE INTO theme_state VALUES ('taxonomy', ?)", (str(taxonomy_path),))

    row = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT p.document_id) FROM theme_passages p "
        "JOIN documents d ON d.id = p.document_id WHERE d.is_current = 1").fetchone()
    summary["passages"], summary["documents"] = row[0], row[1]
    summary["assigned_passages"] = conn.execute(
        "SELECT COUNT(DISTINCT a.passage_id) FROM theme_assignments a JOIN theme_passages p "
        "ON p.id = a.passage_id JOIN documents d ON d.id = p.document_id WHERE d.is_current = 1"
    ).fetchone()[0]
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    return summary


def load_vectors(store, model_name: str, current: bool = True):
    """(passage ids, document ids, embedding matrix) of stored passages, in reading order.

    Current documents only by default."""
    sql = ("SELECT p.id, p.document_id, e.vector FROM theme_passages p JOIN documents d ON d.id = p.document_id "
           "JOIN theme_embeddings e ON e.model = ? AND e.text_hash = p.text_hash")
    if current:
        sql += " WHERE d.is_current = 1"
    sql += " ORDER BY p.document_id, p.seq"
    rows = store.conn.execute(sql, (model_name,)).fetchall()
    if not rows:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                np.zeros((0, 0), dtype=np.float32))
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    docs = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    blob = b"".join(r[2] for r in rows)
    mat = np.frombuffer(blob, dtype=np.float32).reshape(len(rows), -1)
    return ids, docs, mat


def reassign_all(store, assigner, encoder: Encoder, progress: Progress | None = None) -> int:
    """Re-score every stored passage from cached vectors (after a taxonomy edit). Returns passages."""
    # passages whose vector is missing (e.g. a model change) are encoded first
    missing = dict(store.conn.execute(
        "SELECT p.text_hash, p.text FROM theme_passages p LEFT JOIN theme_embeddings e "
        "ON e.model = ? AND e.text_hash = p.text_hash WHERE e.text_hash IS NULL",
        (encoder.model_name,)).fetchall())
    if missing:
        encoder.ensure(missing, (lambda d, t: progress("encode", d, t)) if progress else None)
    ids, docs, mat = load_vectors(store, encoder.model_name, current=False)
    text_of = dict(store.conn.execute("SELECT id, text FROM theme_passages"))
    picked = assigner.assign(mat, groups=docs, texts=[text_of[int(i)] for i in ids]) if len(ids) else []
    rows = [(int(pid), t.id, t.score) for pid, ts in zip(ids, picked) for t in ts]
    if progress:
        progress("assign", len(ids), len(ids))
    with store.transaction() as c:
        c.execute("DELETE FROM theme_assignments")
        c.executemany("INSERT INTO theme_assignments VALUES (?, ?, ?)", rows)
    return len(ids)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

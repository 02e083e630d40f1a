"""Findings in the store: extraction of new or changed documents, and queries over what was found.

The extract stage owns four tables (registered with ``Store.migrate("extract", ...)``):
``extractions`` marks each document version that has been through the pipeline (with the length
of the text it saw, so a re-parse of the same version is noticed), and ``quotes``, ``statistics``
and ``recommendations`` hold the records, in the contract's field names, offsets into that
version's text. A changed document is a new version (a new ``documents.id``), so it has no
extraction yet and is picked up; the old version's findings stay with it.

Each document's findings are written in one transaction, so an interrupted run leaves whole
documents done and the rest pending.
"""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from ..records import Document, Findings, Quote, Recommendation, Statistic

log = logging.getLogger(__name__)

COMPONENT = "extract"
MIGRATIONS = [
    # 1: findings per document version
    """
    CREATE TABLE extractions (
        document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        text_length INTEGER NOT NULL,     -- length of the text extracted from (a re-parse changes it)
        model TEXT,                       -- spaCy model name
        extracted_at TEXT NOT NULL
    );
    CREATE TABLE quotes (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        speaker TEXT,
        speaker_role TEXT,
        speaker_org TEXT,
        cue TEXT,
        partial INTEGER NOT NULL DEFAULT 0,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL
    );
    CREATE INDEX quotes_document ON quotes(document_id, seq);
    CREATE INDEX quotes_speaker ON quotes(speaker);
    CREATE TABLE statistics (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL,
        value REAL,
        unit TEXT,
        qualifier TEXT,
        numerator REAL,
        denominator REAL,
        per TEXT,
        period TEXT,
        subject TEXT,
        sentence TEXT,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL
    );
    CREATE INDEX statistics_document ON statistics(document_id, seq);
    CREATE TABLE recommendations (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        actor TEXT,
        target TEXT,
        kind TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL
    );
    CREATE INDEX recommendations_document ON recommendations(document_id, seq);
    """,
]

RECORDS = {"quotes": Quote, "statistics": Statistic, "recommendations": Recommendation}
DOC_FIELDS = ("document_id", "title", "url", "source", "publisher", "published")
# How many pending documents are read from the store at a time (their texts are held in memory).
READ_CHUNK = 200


def ensure_schema(store) -> None:
    store.migrate(COMPONENT, MIGRATIONS)


def _columns(kind: str) -> list[str]:
    return [f.name for f in fields(RECORDS[kind])]


# -- extraction -------------------------------------------------------------------------------------

def pending_ids(store, force: bool = False) -> list[int]:
    """Current documents without findings for their present text (all current ones with ``force``)."""
    ensure_schema(store)
    sql = ("SELECT d.id FROM documents d LEFT JOIN extractions e ON e.document_id = d.id "
           "WHERE d.is_current = 1")
    if not force:
        sql += " AND (e.document_id IS NULL OR e.text_length != length(d.text))"
    return [r[0] for r in store.conn.execute(sql + " ORDER BY d.id")]


def extract_store(store, progress: Callable[[int, int, Document | None], None] | None = None,
                  batch_size: int = 32, n_process: int = 1, model: str | None = None,
                  force: bool = False) -> dict[str, Any]:
    """Extract findings from every current document that has none yet (incremental).

    ``progress(done, total, document)`` is called after each document. Returns a summary:
    ``{"documents": extracted, "pending": found to do, "quotes": n, "statistics": n,
    "recommendations": n, "failed": ["source: message", ...]}``. A document whose extraction
    fails is left pending (and reported), the others are stored.
    """
    from .pipeline import extract_documents, model_name

    ids = pending_ids(store, force)
    summary: dict[str, Any] = {"pending": len(ids), "documents": 0, "quotes": 0, "statistics": 0,
                               "recommendations": 0, "failed": []}
    if progress:
        progress(0, len(ids), None)
    if not ids:
        return summary
    name = model_name(model)
    failed: dict[int, str] = {}

    def on_error(doc: Document, e: Exception) -> None:
        failed[id(doc)] = f"{doc.source}: extraction failed ({type(e).__name__}: {e})"

    def docs() -> Iterator[Document]:
        for i in range(0, len(ids), READ_CHUNK):
            yield from store.documents(ids=ids[i:i + READ_CHUNK], current=False)

    stream = _remember(docs())
    done = 0
    for findings in extract_documents(stream, batch_size=batch_size, n_process=n_process, model=model,
                                      on_error=on_error):
        doc = stream.next_done()
        done += 1
        if id(doc) in failed:
            summary["failed"].append(failed.pop(id(doc)))
        else:
            save_findings(store, doc, findings, model=name)
            summary["documents"] += 1
            for kind in RECORDS:
                summary[kind] += len(getattr(findings, kind))
        if progress:
            progress(done, len(ids), doc)
    return summary


class _remember:
    """An iterator that remembers what it handed out, so results can be paired with their input."""

    def __init__(self, it):
        from collections import deque

        self._it = iter(it)
        self._out = deque()

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self._it)
        self._out.append(item)
        return item

    def next_done(self):
        return self._out.popleft()


def save_findings(store, doc: Document, findings: Findings, model: str | None = None) -> None:
    """Replace a stored document version's findings, atomically."""
    ensure_schema(store)
    if doc.id is None:
        raise ValueError(f"{doc.source}: not a stored document (no id)")
    with store.transaction() as conn:
        for kind in RECORDS:
            conn.execute(f"DELETE FROM {kind} WHERE document_id = ?", (doc.id,))
            cols = _columns(kind)
            names = ", ".join(_q(c) for c in cols)
            marks = ", ".join("?" * (len(cols) + 2))
            conn.executemany(
                f"INSERT INTO {kind} (document_id, seq, {names}) VALUES ({marks})",
                [(doc.id, seq, *[_cell(getattr(r, c)) for c in cols])
                 for seq, r in enumerate(getattr(findings, kind))])
        conn.execute(
            "INSERT INTO extractions (document_id, text_length, model, extracted_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(document_id) DO UPDATE SET text_length = excluded.text_length, "
            "model = excluded.model, extracted_at = excluded.extracted_at",
            (doc.id, len(doc.text or ""), model, datetime.now(timezone.utc).isoformat(timespec="seconds")))


def document_findings(store, doc_id: int) -> Findings:
    """The stored findings of one document version, as records."""
    ensure_schema(store)
    f = Findings()
    for kind, cls in RECORDS.items():
        cols = _columns(kind)
        rows = store.conn.execute(
            f"SELECT {', '.join(_q(c) for c in cols)} FROM {kind} WHERE document_id = ? ORDER BY seq",
            (doc_id,)).fetchall()
        setattr(f, kind, [cls(**_record(kind, dict(r))) for r in rows])
    return f


# -- queries ----------------------------------------------------------------------------------------

def quotes(store, publisher: str | None = None, since: str | None = None, until: str | None = None,
           speaker: str | None = None, org: str | None = None, text: str | None = None,
           partial: bool | None = None, limit: int = 0) -> list[dict]:
    """Quotes in current documents: the contract's fields plus the document's title, url, date."""
    where, args = [], []
    if speaker:
        where.append("f.speaker LIKE ?")
        args.append(f"%{speaker}%")
    if org:
        w, a = _org_condition(["f.speaker_org"], org)
        where.append(w)
        args += a
    if partial is not None:
        where.append("f.partial = ?")
        args.append(int(partial))
    return _query(store, "quotes", where, args, publisher, since, until, text, limit)


def statistics(store, publisher: str | None = None, since: str | None = None, until: str | None = None,
               kind: str | None = None, text: str | None = None, subject: str | None = None,
               limit: int = 0) -> list[dict]:
    """Statistics in current documents; ``text`` matches the figure or its sentence."""
    where, args = [], []
    if kind:
        where.append("f.kind = ?")
        args.append(kind)
    if subject:
        where.append("f.subject LIKE ?")
        args.append(f"%{subject}%")
    return _query(store, "statistics", where, args, publisher, since, until, text, limit,
                  text_columns=("f.text", "f.sentence"))


def recommendations(store, publisher: str | None = None, since: str | None = None,
                    until: str | None = None, kind: str | None = None, org: str | None = None,
                    text: str | None = None, limit: int = 0) -> list[dict]:
    """Recommendations in current documents; ``org`` matches the actor or the target."""
    where, args = [], []
    if kind:
        where.append("f.kind = ?")
        args.append(kind)
    if org:
        w, a = _org_condition(["f.actor", "f.target"], org)
        where.append(w)
        args += a
    return _query(store, "recommendations", where, args, publisher, since, until, text, limit)


def _org_condition(columns: list[str], org: str) -> tuple[str, list]:
    """Match an organisation as written ("LGA") or by its canonical name."""
    from .orgs import canonical_org

    canonical = canonical_org(org) or org
    parts, args = [], []
    for c in columns:
        parts.append(f"({c} LIKE ? OR {c} LIKE ?)")
        args += [f"%{org}%", f"%{canonical}%"]
    return "(" + " OR ".join(parts) + ")", args


def _query(store, kind: str, where: list[str], args: list, publisher, since, until, text, limit,
           text_columns: tuple[str, ...] = ("f.text",)) -> list[dict]:
    from ..store import Store

    ensure_schema(store)
    dwhere, dargs = Store._filters(publisher=publisher, since=since, until=until, table="d")
    if text:
        where = where + ["(" + " OR ".join(f"{c} LIKE ?" for c in text_columns) + ")"]
        args = args + [f"%{text}%"] * len(text_columns)
    cols = _columns(kind)
    sql = (f"SELECT {', '.join('f.' + _q(c) for c in cols)}, f.document_id, d.title, d.url, d.source, "
           f"d.publisher, d.published FROM {kind} f JOIN documents d ON d.id = f.document_id")
    conds = dwhere + where
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    sql += " ORDER BY d.published IS NULL, d.published, d.id, f.seq"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = store.conn.execute(sql, dargs + args).fetchall()
    return [_record(kind, dict(r)) for r in rows]


def _record(kind: str, row: dict) -> dict:
    if kind == "quotes" and "partial" in row:
        row["partial"] = bool(row["partial"])
    return row


def _cell(v):
    return int(v) if isinstance(v, bool) else v


def _q(col: str) -> str:
    return f'"{col}"' if col in ("end",) else col

"""The SQLite store: documents (every version kept), their blocks, raw snapshots and a full-text index.

One file holds the whole corpus. Each stage owns its own tables and registers their migrations with
``Store.migrate(component, steps)``; this module owns the core: ``snapshots`` (raw bytes, by hash),
``documents`` (one row per version), ``blocks`` and ``blocks_fts`` (FTS5 over block text).

Every write happens inside ``Store.transaction()`` (``BEGIN IMMEDIATE`` ... ``COMMIT``): a crash or a
bad input leaves the store as it was before that write.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .records import Block, Document

DEFAULT_DB = "ics-text.db"
DB_ENV = "ICS_TEXT_DB"

CORE_MIGRATIONS = [
    # 1: documents, versions, blocks, snapshots, full text
    """
    CREATE TABLE snapshots (
        hash TEXT PRIMARY KEY,            -- sha256 of the raw bytes
        content BLOB NOT NULL,
        content_type TEXT,
        size INTEGER NOT NULL
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,                -- identity across versions: canonical URL or file path
        version INTEGER NOT NULL,
        is_current INTEGER NOT NULL DEFAULT 1,
        source TEXT NOT NULL,
        url TEXT,
        title TEXT,
        publisher TEXT,
        published TEXT,
        type TEXT,
        summary TEXT,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL REFERENCES snapshots(hash),
        added_at TEXT NOT NULL,
        UNIQUE (key, version)
    );
    CREATE INDEX documents_current ON documents(is_current, publisher, published);
    CREATE INDEX documents_hash ON documents(content_hash);
    CREATE TABLE blocks (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        page INTEGER,
        level INTEGER
    );
    CREATE INDEX blocks_document ON blocks(document_id, seq);
    CREATE VIRTUAL TABLE blocks_fts USING fts5(
        text, content='blocks', content_rowid='id', tokenize='porter unicode61'
    );
    CREATE TRIGGER blocks_ai AFTER INSERT ON blocks BEGIN
        INSERT INTO blocks_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER blocks_ad AFTER DELETE ON blocks BEGIN
        INSERT INTO blocks_fts(blocks_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    """,
]

DOC_COLUMNS = ("id", "source", "url", "title", "publisher", "published", "type", "summary", "text")


class StoreError(Exception):
    """A store problem a user can act on (the CLI prints it as one line)."""


@dataclass
class AddResult:
    status: str  # "added" | "changed" | "unchanged"
    id: int  # the stored document version
    key: str


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_path() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


class Store:
    """A corpus in one SQLite file. ``Store()`` opens (and creates or migrates) the default file."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = str(path or default_path())
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30,
                                        check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.migrate("core", CORE_MIGRATIONS)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a usable ics-text store ({e})") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- transactions and schema ---------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside happen together or not at all. Nested use joins the outer one."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def migrate(self, component: str, steps: list[str]) -> None:
        """Bring ``component``'s tables up to date: run each step past its recorded version, atomically.

        Steps are append-only: never edit a released step, add a new one.
        """
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        row = self.conn.execute("SELECT version FROM schema_versions WHERE component = ?",
                                (component,)).fetchone()
        have = row[0] if row else 0
        if have > len(steps):
            raise StoreError(f"{self.path}: made by a newer ics-text ({component} schema v{have})")
        for version, sql in enumerate(steps[have:], start=have + 1):
            with self.transaction() as conn:
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_versions VALUES (?, ?) ON CONFLICT(component) "
                             "DO UPDATE SET version = excluded.version", (component, version))

    def schema_version(self, component: str = "core") -> int:
        row = self.conn.execute("SELECT version FROM schema_versions WHERE component = ?",
                                (component,)).fetchone()
        return row[0] if row else 0

    # -- writes -----------------------------------------------------------------------------------

    def put_snapshot(self, raw: bytes, content_type: str | None = None) -> str:
        """Keep raw bytes (once per distinct content); returns their hash."""
        h = content_hash(raw)
        with self.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?)",
                         (h, raw, content_type, len(raw)))
        return h

    def add(self, doc: Document, raw: bytes, content_type: str | None = None,
            key: str | None = None) -> AddResult:
        """Store a parsed document with the raw bytes it came from.

        The same content again (under any key) is a no-op; new content under a known key becomes
        a new version and the old one is kept (``is_current = 0``).
        """
        key = key or doc.url or doc.source
        h = content_hash(raw)
        with self.transaction() as conn:
            same = conn.execute(
                "SELECT id, key FROM documents WHERE content_hash = ? ORDER BY is_current DESC, id DESC",
                (h,)).fetchone()
            if same:
                return AddResult("unchanged", same["id"], same["key"])
            prev = conn.execute(
                "SELECT id, version FROM documents WHERE key = ? AND is_current = 1", (key,)).fetchone()
            conn.execute("INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?)",
                         (h, raw, content_type, len(raw)))
            if prev:
                conn.execute("UPDATE documents SET is_current = 0 WHERE id = ?", (prev["id"],))
            version = prev["version"] + 1 if prev else 1
            doc_id = self._insert_document(conn, doc, key, version, h)
        doc.id = doc_id
        return AddResult("changed" if prev else "added", doc_id, key)

    def replace_parse(self, doc_id: int, doc: Document) -> int:
        """Store a new parse of a stored version's raw bytes as the next version; returns its id.

        A new row (rather than an update in place) means every later stage sees a new document id
        and redoes its work, with no stage-specific invalidation; the old parse stays as history.
        """
        with self.transaction() as conn:
            old = conn.execute("SELECT key, content_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if old is None:
                raise StoreError(f"no document with id {doc_id} in {self.path}")
            version = conn.execute("SELECT MAX(version) FROM documents WHERE key = ?",
                                   (old["key"],)).fetchone()[0]
            conn.execute("UPDATE documents SET is_current = 0 WHERE key = ?", (old["key"],))
            new_id = self._insert_document(conn, doc, old["key"], version + 1, old["content_hash"])
        doc.id = new_id
        return new_id

    def _insert_document(self, conn, doc: Document, key: str, version: int, h: str) -> int:
        cur = conn.execute(
            "INSERT INTO documents (key, version, is_current, source, url, title, publisher, published,"
            " type, summary, text, content_hash, added_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, version, doc.source, doc.url, doc.title, doc.publisher, doc.published, doc.type,
             doc.summary, doc.text, h, _now()))
        self._insert_blocks(conn, cur.lastrowid, doc.blocks)
        return cur.lastrowid

    @staticmethod
    def _insert_blocks(conn, doc_id: int, blocks: list[Block]) -> None:
        conn.executemany(
            'INSERT INTO blocks (document_id, seq, kind, text, start, "end", page, level) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, i, b.kind, b.text, b.start, b.end, b.page, b.level) for i, b in enumerate(blocks)])

    # -- reads ------------------------------------------------------------------------------------

    def get(self, doc_id: int, blocks: bool = True) -> Document:
        row = self.conn.execute(f"SELECT {', '.join(DOC_COLUMNS)} FROM documents WHERE id = ?",
                                (doc_id,)).fetchone()
        if row is None:
            raise StoreError(f"no document with id {doc_id} in {self.path}")
        return self._document(row, blocks)

    def documents(self, publisher: str | None = None, since: str | None = None,
                  until: str | None = None, type: str | None = None, current: bool = True,
                  blocks: bool = False, ids: list[int] | None = None) -> Iterator[Document]:
        """Stored documents, oldest first, filtered by publisher (name or part of it), date, type."""
        where, args = self._filters(publisher=publisher, since=since, until=until, type=type,
                                    current=current)
        if ids is not None:
            where.append(f"id IN ({','.join('?' * len(ids))})")
            args.extend(ids)
        sql = f"SELECT {', '.join(DOC_COLUMNS)} FROM documents"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY published IS NULL, published, id"
        for row in self.conn.execute(sql, args).fetchall():
            yield self._document(row, blocks)

    @staticmethod
    def _filters(publisher=None, since=None, until=None, type=None, current=True, table=""):
        """SQL conditions shared by every query that filters documents (``table``: alias prefix)."""
        t = f"{table}." if table else ""
        where, args = [], []
        if current:
            where.append(f"{t}is_current = 1")
        if publisher:
            where.append(f"({t}publisher LIKE ? OR {t}publisher = ?)")
            args += [f"%{publisher}%", resolve_publisher(publisher)]
        if since:
            where.append(f"{t}published >= ?")
            args.append(since)
        if until:
            where.append(f"{t}published <= ?")
            args.append(until)
        if type:
            where.append(f"{t}type = ?")
            args.append(type)
        return where, args

    def versions(self, doc_id: int) -> list[dict]:
        """Every stored version of the document ``doc_id`` belongs to, oldest first."""
        return [dict(r) for r in self.conn.execute(
            "SELECT id, version, is_current, content_hash, added_at FROM documents "
            "WHERE key = (SELECT key FROM documents WHERE id = ?) ORDER BY version", (doc_id,))]

    def raw(self, doc_id: int) -> tuple[bytes, str | None]:
        row = self.conn.execute(
            "SELECT s.content, s.content_type FROM documents d JOIN snapshots s ON s.hash = d.content_hash "
            "WHERE d.id = ?", (doc_id,)).fetchone()
        if row is None:
            raise StoreError(f"no document with id {doc_id} in {self.path}")
        return bytes(row[0]), row[1]

    def search_blocks(self, query: str, limit: int = 20, **filters) -> list[dict]:
        """Full-text search (FTS5, BM25-ranked) over the blocks of current documents."""
        where, args = self._filters(table="d", **filters)
        sql = ("SELECT b.id AS block_id, b.document_id, b.kind, b.text, b.start, b.\"end\", "
               "d.title, d.url, d.source, d.publisher, d.published, bm25(blocks_fts) AS rank, "
               "snippet(blocks_fts, 0, '[', ']', '…', 16) AS snippet "
               "FROM blocks_fts JOIN blocks b ON b.id = blocks_fts.rowid "
               "JOIN documents d ON d.id = b.document_id WHERE blocks_fts MATCH ?")
        for w in where:
            sql += " AND " + w
        sql += " ORDER BY rank LIMIT ?"
        try:
            rows = self.conn.execute(sql, [fts_query(query), *args, limit]).fetchall()
        except sqlite3.OperationalError as e:
            raise StoreError(f"search {query!r}: {e}") from None
        return [dict(r) for r in rows]

    def stats(self) -> dict:
        """Counts for the summary: documents by publisher and year, blocks and words."""
        c = self.conn
        by = [dict(r) for r in c.execute(
            "SELECT COALESCE(publisher, '(unknown)') AS publisher, COALESCE(substr(published, 1, 4), "
            "'(undated)') AS year, COUNT(*) AS documents, "
            "SUM(length(text) - length(replace(text, ' ', '')) + 1) AS words "
            "FROM documents WHERE is_current = 1 GROUP BY 1, 2 ORDER BY 1, 2")]
        return {
            "documents": c.execute("SELECT COUNT(*) FROM documents WHERE is_current = 1").fetchone()[0],
            "versions": c.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
            "blocks": c.execute("SELECT COUNT(*) FROM blocks b JOIN documents d ON d.id = b.document_id "
                                "WHERE d.is_current = 1").fetchone()[0],
            "words": sum(r["words"] or 0 for r in by),
            "by_publisher_year": by,
        }

    def _document(self, row: sqlite3.Row, blocks: bool) -> Document:
        doc = Document(**{k: row[k] for k in DOC_COLUMNS})
        if blocks:
            doc.blocks = [Block(r["kind"], r["text"], r["start"], r["end"], r["page"], r["level"])
                          for r in self.conn.execute(
                              'SELECT kind, text, start, "end", page, level FROM blocks '
                              "WHERE document_id = ? ORDER BY seq", (doc.id,))]
        return doc


PUBLISHER_ALIASES = {
    "nhsconfed": "NHS Confederation", "nhs confed": "NHS Confederation",
    "confed": "NHS Confederation", "nhs confederation": "NHS Confederation",
    "lga": "Local Government Association", "local government association": "Local Government Association",
    "ccn": "County Councils Network", "county councils network": "County Councils Network",
}


def resolve_publisher(name: str | None) -> str | None:
    """'lga', 'LGA' or 'Local Government Association' -> the canonical publisher name."""
    if not name:
        return None
    return PUBLISHER_ALIASES.get(name.strip().lower(), name)


def fts_query(text: str) -> str:
    """Turn a user's words into a safe FTS5 query: each word quoted, all required; OR kept."""
    words = []
    for w in text.replace('"', " ").split():
        words.append("OR" if w == "OR" else '"' + w + '"')
    return " ".join(words)


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    out, buf = [], ""
    for line in sql.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

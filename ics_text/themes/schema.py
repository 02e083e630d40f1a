"""The themes stage's own tables, registered with ``Store.migrate("themes", MIGRATIONS)``.

- ``theme_passages``: passages of each stored document version (offsets into ``documents.text``),
  with the heading above them as context and the hash their embedding is cached under;
- ``theme_documents``: which document versions the stage has processed (also those with no passage),
  so "new or changed" = current documents without a row here;
- ``theme_embeddings``: the vector cache, keyed by (model, text hash), shared by every version and
  document that has the same passage text;
- ``theme_assignments``: passage -> theme with its score (only themes that clear their threshold);
- ``theme_state``: what the current assignments were made with (taxonomy fingerprint, model), so an
  edited taxonomy triggers a re-assignment of every passage (cheap: no re-encoding);
- ``theme_passages_fts``: FTS5 (BM25) over passage text for keyword search.
Steps are append-only.
"""

MIGRATIONS = [
    """
    CREATE TABLE theme_passages (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        block_seq INTEGER,
        kind TEXT,
        heading TEXT,
        text TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text_hash TEXT NOT NULL
    );
    CREATE INDEX theme_passages_document ON theme_passages(document_id, seq);
    CREATE TABLE theme_documents (
        document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        passages INTEGER NOT NULL,
        built_at TEXT NOT NULL
    );
    CREATE TABLE theme_embeddings (
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_hash)
    ) WITHOUT ROWID;
    CREATE TABLE theme_assignments (
        passage_id INTEGER NOT NULL REFERENCES theme_passages(id) ON DELETE CASCADE,
        theme_id TEXT NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (passage_id, theme_id)
    ) WITHOUT ROWID;
    CREATE INDEX theme_assignments_theme ON theme_assignments(theme_id, score);
    CREATE TABLE theme_state (
        key TEXT PRIMARY KEY,
        value TEXT
    );
    CREATE VIRTUAL TABLE theme_passages_fts USING fts5(
        text, content='theme_passages', content_rowid='id', tokenize='porter unicode61'
    );
    CREATE TRIGGER theme_passages_ai AFTER INSERT ON theme_passages BEGIN
        INSERT INTO theme_passages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER theme_passages_ad AFTER DELETE ON theme_passages BEGIN
        INSERT INTO theme_passages_fts(theme_passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    """,
]


def ensure_schema(store) -> None:
    """Create or upgrade the themes tables (idempotent, cheap once done)."""
    if getattr(store, "_themes_schema", False):
        return
    store.migrate("themes", MIGRATIONS)
    store._themes_schema = True

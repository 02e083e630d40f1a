"""Read-side queries over the themes tables: theme counts, top passages, passage citations.

Every row that shows a passage carries the contract fields (``text``, ``start``, ``end``,
``themes`` as ``[{"id", "name", "score"}]``) plus its citation: document id, title, publisher,
date, URL (or source path) and the heading above the passage.
"""

from __future__ import annotations

from ..records import Theme
from ..store import Store, StoreError
from .schema import ensure_schema
from .taxonomy import default_taxonomy_path, load_taxonomy

PASSAGE_COLUMNS = ('p.id AS passage_id, p.document_id, p.text, p.start, p."end", p.heading, '
                   "d.title, d.publisher, d.published, d.url, d.source, d.type")


def current_themes(store: Store, taxonomy=None) -> list[Theme]:
    """The taxonomy the store was last built with (or the given / default file)."""
    if taxonomy is None:
        ensure_schema(store)
        row = store.conn.execute("SELECT value FROM theme_state WHERE key = 'taxonomy'").fetchone()
        taxonomy = row[0] if row else default_taxonomy_path()
        try:
            return load_taxonomy(taxonomy)
        except Exception:
            return load_taxonomy(default_taxonomy_path())
    return load_taxonomy(taxonomy)


def resolve_theme(themes: list[Theme], query: str) -> Theme:
    """A theme by id, by name (any case) or by a unique part of either."""
    q = query.strip().lower()
    for t in themes:
        if q in (t.id, t.name.lower()):
            return t
    hits = [t for t in themes if q.replace(" ", "_") in t.id or q in t.name.lower()]
    if len(hits) == 1:
        return hits[0]
    known = ", ".join(t.id for t in themes)
    if hits:
        raise StoreError(f"theme {query!r} is ambiguous: {', '.join(t.id for t in hits)}")
    raise StoreError(f"no theme {query!r}; known themes: {known}")


def citation(row: dict) -> str:
    """'Title (Publisher, 2023-08-17) URL, characters 120-480' for a passage row."""
    bits = [row.get("publisher"), row.get("published")]
    meta = ", ".join(b for b in bits if b)
    where = row.get("url") or row.get("source") or ""
    title = row.get("title") or "(untitled)"
    return f"{title} ({meta}) {where}, characters {row['start']}-{row['end']}".replace(" ()", "")


def themes_of(store: Store, passage_ids: list[int], names: dict[str, str]) -> dict[int, list[dict]]:
    """passage id -> its themes (contract shape), highest score first."""
    out: dict[int, list[dict]] = {pid: [] for pid in passage_ids}
    for i in range(0, len(passage_ids), 500):
        part = passage_ids[i:i + 500]
        for pid, tid, score in store.conn.execute(
                f"SELECT passage_id, theme_id, score FROM theme_assignments WHERE passage_id IN "
                f"({','.join('?' * len(part))}) ORDER BY passage_id, score DESC", part):
            out[pid].append({"id": tid, "name": names.get(tid, tid), "score": round(score, 4)})
    return out


def decorate(store: Store, rows: list[dict], themes: list[Theme]) -> list[dict]:
    """Add ``themes`` and ``citation`` to passage rows."""
    names = {t.id: t.name for t in themes}
    by = themes_of(store, [r["passage_id"] for r in rows], names)
    for r in rows:
        r["themes"] = by.get(r["passage_id"], [])
        r["citation"] = citation(r)
    return rows


def list_themes(store: Store, publisher=None, since=None, until=None, taxonomy=None) -> list[dict]:
    """Every theme of the taxonomy with how many passages and documents carry it (filters apply)."""
    ensure_schema(store)
    themes = current_themes(store, taxonomy)
    where, args = store._filters(publisher=publisher, since=since, until=until, table="d")
    cond = " AND ".join(where) or "1"
    total_p, total_d = store.conn.execute(
        f"SELECT COUNT(*), COUNT(DISTINCT p.document_id) FROM theme_passages p JOIN documents d "
        f"ON d.id = p.document_id WHERE {cond}", args).fetchone()
    counts = {r[0]: (r[1], r[2], r[3]) for r in store.conn.execute(
        f"SELECT a.theme_id, COUNT(*), COUNT(DISTINCT p.document_id), AVG(a.score) "
        f"FROM theme_assignments a JOIN theme_passages p ON p.id = a.passage_id "
        f"JOIN documents d ON d.id = p.document_id WHERE {cond} GROUP BY a.theme_id", args)}
    rows = []
    for t in themes:
        n_p, n_d, avg = counts.get(t.id, (0, 0, None))
        rows.append({"id": t.id, "name": t.name, "passages": n_p, "documents": n_d,
                     "passage_share": round(n_p / total_p, 4) if total_p else 0.0,
                     "document_share": round(n_d / total_d, 4) if total_d else 0.0,
                     "mean_score": round(avg, 4) if avg is not None else None,
                     "threshold": t.threshold})
    rows.sort(key=lambda r: (-r["passages"], r["id"]))
    return rows


def show_theme(store: Store, theme: str, publisher=None, since=None, until=None, limit: int = 10,
               taxonomy=None) -> dict:
    """A theme's top passages (highest score first) with citations."""
    ensure_schema(store)
    themes = current_themes(store, taxonomy)
    t = resolve_theme(themes, theme)
    where, args = store._filters(publisher=publisher, since=since, until=until, table="d")
    sql = (f"SELECT {PASSAGE_COLUMNS}, a.score FROM theme_assignments a "
           f"JOIN theme_passages p ON p.id = a.passage_id JOIN documents d ON d.id = p.document_id "
           f"WHERE a.theme_id = ?")
    for w in where:
        sql += " AND " + w
    sql += ' ORDER BY a.score DESC, d.published DESC, p.id'
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = [dict(r) for r in store.conn.execute(sql, [t.id, *args])]
    for r in rows:
        r["score"] = round(r["score"], 4)
    return {"theme": {"id": t.id, "name": t.name, "description": t.description},
            "passages": decorate(store, rows, themes)}


def document_passages(store: Store, document_id: int, taxonomy=None) -> list[dict]:
    """Every stored passage of one document version, in reading order, with its themes."""
    ensure_schema(store)
    themes = current_themes(store, taxonomy)
    rows = [dict(r) for r in store.conn.execute(
        f"SELECT {PASSAGE_COLUMNS} FROM theme_passages p JOIN documents d ON d.id = p.document_id "
        f"WHERE p.document_id = ? ORDER BY p.seq", (document_id,))]
    return decorate(store, rows, themes)

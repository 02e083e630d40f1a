"""The store: idempotent adds, versions, full-text search, migrations and atomic writes."""

from __future__ import annotations

import sqlite3

import pytest

from ics_text.records import Document
from ics_text.store import Store, StoreError


def _doc(text: str, url: str = "https://www.local.gov.uk/about/news/x", **meta) -> Document:
    return Document.from_blocks(url, [("title", "Title"), ("paragraph", text)], url=url,
                                publisher="Local Government Association", **meta)


def test_same_content_is_a_no_op(store):
    first = store.add(_doc("Councils need certainty."), b"raw-1")
    again = store.add(_doc("Councils need certainty."), b"raw-1")
    assert (first.status, again.status) == ("added", "unchanged")
    assert again.id == first.id
    assert store.stats()["documents"] == 1


def test_changed_content_makes_a_new_version_and_keeps_the_old(store):
    v1 = store.add(_doc("Draft text of the release."), b"raw-1")
    v2 = store.add(_doc("Final text of the release."), b"raw-2")
    assert v2.status == "changed" and v2.id != v1.id
    current = list(store.documents())
    assert [d.id for d in current] == [v2.id]
    assert store.get(v1.id).text.endswith("Draft text of the release.")
    versions = store.versions(v2.id)
    assert [(v["version"], v["is_current"]) for v in versions] == [(1, 0), (2, 1)]
    assert store.raw(v1.id) == (b"raw-1", None)


def test_full_text_search_over_current_blocks(store):
    store.add(_doc("The prevention grant was cut again.", url="https://a/1", published="2021-05-01"), b"a")
    store.add(_doc("Workforce shortages dominate the survey.", url="https://a/2",
                   published="2024-01-01"), b"b")
    hits = store.search_blocks("prevention")
    assert len(hits) == 1 and hits[0]["url"] == "https://a/1"
    assert "[prevention]" in hits[0]["snippet"]
    assert store.search_blocks("survey", since="2023-01-01")[0]["url"] == "https://a/2"
    assert store.search_blocks("survey", until="2023-01-01") == []
    # stemming: "shortage" finds "shortages"; odd punctuation is not an FTS syntax error
    assert store.search_blocks("shortage")
    assert store.search_blocks('"unbalanced (quote') == []
    store.add(_doc("The prevention grant was restored.", url="https://a/1"), b"a2")
    assert [h["text"] for h in store.search_blocks("prevention")] == ["The prevention grant was restored."]


def test_filters_by_publisher_alias_and_type(store):
    store.add(_doc("x", url="https://a/1", type="report"), b"1")
    assert len(list(store.documents(publisher="lga"))) == 1
    assert len(list(store.documents(publisher="ccn"))) == 0
    assert len(list(store.documents(type="blog"))) == 0


def test_blocks_round_trip_with_offsets(store):
    doc = _doc("Paragraph one.")
    store.add(doc, b"raw")
    back = store.get(doc.id)
    assert [(b.kind, b.text, b.start, b.end) for b in back.blocks] == \
        [(b.kind, b.text, b.start, b.end) for b in doc.blocks]
    for b in back.blocks:
        assert back.text[b.start:b.end] == b.text


def test_failed_write_leaves_store_unchanged(store):
    store.add(_doc("Kept.", url="https://a/keep"), b"keep")
    bad = _doc("Broken.", url="https://a/bad")
    bad.blocks.append(None)  # fails inside the transaction, after the document row is written
    with pytest.raises(Exception):
        store.add(bad, b"bad")
    assert [d.url for d in store.documents()] == ["https://a/keep"]
    assert store.conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 1
    assert store.search_blocks("Broken") == []


def test_migrations_are_versioned_per_component(db_path):
    s = Store(db_path)
    steps = ["CREATE TABLE extra (x INTEGER)", "ALTER TABLE extra ADD COLUMN y TEXT"]
    s.migrate("extra", steps[:1])
    s.migrate("extra", steps)
    s.migrate("extra", steps)  # idempotent
    assert s.schema_version("extra") == 2
    s.conn.execute("INSERT INTO extra (x, y) VALUES (1, 'a')")
    s.close()
    with pytest.raises(StoreError, match="newer ics-text"):
        Store(db_path).migrate("extra", steps[:1])


def test_not_a_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="bad.db: not a usable ics-text store"):
        Store(bad)


def test_concurrent_reader_sees_committed_state_only(db_path):
    writer = Store(db_path)
    writer.add(_doc("First.", url="https://a/1"), b"1")
    reader = sqlite3.connect(db_path)
    with writer.transaction():
        writer.add(_doc("Second.", url="https://a/2"), b"2")
        assert reader.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
    assert reader.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2


def test_reparse_makes_a_new_version_over_the_same_snapshot(store):
    first = store.add(_doc("Old parse."), b"raw")
    new_id = store.replace_parse(first.id, _doc("Better parse."))
    assert new_id != first.id
    assert [d.id for d in store.documents()] == [new_id]
    assert store.raw(new_id) == store.raw(first.id)
    assert store.add(_doc("Old parse."), b"raw").status == "unchanged"
    assert [v["is_current"] for v in store.versions(new_id)] == [0, 1]

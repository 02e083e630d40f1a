"""Extraction over the store: incremental runs, changed documents, queries and their filters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ics_text.records import Document

ROOT = Path(__file__).resolve().parent.parent
LGA = "Local Government Association"
CONFED = "NHS Confederation"


def doc(key: str, blocks: list[tuple[str, str]], publisher: str, published: str, title: str) -> Document:
    return Document.from_blocks(key, blocks, title=title, publisher=publisher, published=published,
                                url=f"https://example.org/{key}", type="press release")


def lga_release(extra: str = "") -> Document:
    return doc("lga-1", [
        ("title", "Councils warn over public health grant"),
        ("paragraph", "Nearly two in three councils expect to cut a prevention service this year, an LGA "
                      "survey of 150 councils has found." + extra),
        ("paragraph", "Cllr Maria Okafor, chair of the LGA\u2019s wellbeing board, said: \u201cPrevention saves "
                      "money, but only if it is funded.\u201d"),
        ("paragraph", "The LGA is calling on the Government to restore the grant to its 2015 level."),
    ], LGA, "2023-05-02", "Councils warn over public health grant")


def confed_release() -> Document:
    return doc("confed-1", [
        ("title", "Leaders set out winter asks"),
        ("paragraph", "Around 70% of trust leaders said their hospitals were full."),
        ("paragraph", "Dr Leon Achebe, chief executive of the NHS Confederation, said: \u201cWe need the "
                      "Government to act before the cold weather arrives.\u201d"),
        ("paragraph", "We recommend that NHS England:"),
        ("list_item", "- Publishes its winter plan by September."),
        ("list_item", "- Funds extra community beds in every system."),
    ], CONFED, "2024-09-10", "Leaders set out winter asks")


def add(store, d: Document) -> int:
    return store.add(d, d.text.encode("utf-8"), "text/plain", key=d.url).id


@pytest.fixture
def filled(store):
    ids = [add(store, lga_release()), add(store, confed_release())]
    return store, ids


def test_extracts_every_document_then_nothing(filled):
    from ics_text.extract.storage import extract_store, pending_ids

    store, ids = filled
    seen = []
    first = extract_store(store, progress=lambda done, total, d: seen.append((done, total)))
    assert first["pending"] == 2 and first["documents"] == 2 and first["failed"] == []
    assert first["quotes"] >= 2 and first["statistics"] >= 2 and first["recommendations"] == 3
    assert seen[-1] == (2, 2)
    assert pending_ids(store) == []
    second = extract_store(store)
    assert second["pending"] == 0 and second["documents"] == 0


def test_changed_document_is_extracted_again_and_old_findings_leave_queries(filled):
    from ics_text.extract.storage import extract_store, quotes, statistics

    store, ids = filled
    extract_store(store)
    new_id = add(store, lga_release(" Only 12 of the 150 councils had increased their spending."))
    assert new_id not in ids
    again = extract_store(store)
    assert again["documents"] == 1
    rows = statistics(store, publisher="lga")
    assert {r["document_id"] for r in rows} == {new_id}
    assert any(r["text"] == "Only 12 of the 150" or r["numerator"] == 12 for r in rows)
    assert {r["document_id"] for r in quotes(store, publisher="lga")} == {new_id}


def test_reparsed_document_is_extracted_again_without_duplicates(filled):
    from ics_text.extract.storage import document_findings, extract_store

    store, ids = filled
    extract_store(store)
    before = document_findings(store, ids[1])
    d = confed_release()
    d.blocks.append(d.blocks[-1])
    reparsed = Document.from_blocks(d.source, d.blocks, title=d.title, publisher=d.publisher,
                                    published=d.published, url=d.url)
    new_id = store.replace_parse(ids[1], reparsed)  # a new version of the same raw bytes
    assert extract_store(store)["documents"] == 1
    after = document_findings(store, new_id)
    assert len(after.recommendations) == len(before.recommendations) + 1
    assert document_findings(store, ids[1]) == before  # the old version keeps its findings
    forced = extract_store(store, force=True)
    assert forced["documents"] == 2
    assert document_findings(store, new_id) == after  # replaced, not appended


def test_rows_carry_the_document_and_offsets_into_its_text(filled):
    from ics_text.extract.storage import extract_store, quotes, recommendations, statistics

    store, ids = filled
    extract_store(store)
    for rows in (quotes(store), statistics(store), recommendations(store)):
        assert rows
        for r in rows:
            text = store.get(r["document_id"], blocks=False).text
            assert text[r["start"]:r["end"]] == r["text"]
            assert r["title"] and r["url"].startswith("https://example.org/") and r["published"]
            assert r["publisher"] in (LGA, CONFED)


def test_filters(filled):
    from ics_text.extract.storage import extract_store, quotes, recommendations, statistics

    store, _ = filled
    extract_store(store)
    assert {r["speaker"] for r in quotes(store, speaker="okafor")} == {"Maria Okafor"}
    assert {r["speaker_org"] for r in quotes(store, org="LGA")} == {LGA}
    assert quotes(store, org="NHS Confed")[0]["speaker"] == "Leon Achebe"
    assert quotes(store, text="cold weather")[0]["publisher"] == CONFED
    assert {r["kind"] for r in statistics(store, kind="percent")} == {"percent"}
    assert {r["publisher"] for r in statistics(store, since="2024-01-01")} == {CONFED}
    assert {r["publisher"] for r in statistics(store, until="2023-12-31")} == {LGA}
    assert statistics(store, text="trust leaders")  # the sentence matches too
    items = recommendations(store, kind="list_item")
    assert len(items) == 2 and {r["target"] for r in items} == {"NHS England"}
    calls = recommendations(store, kind="call")
    assert [r["text"] for r in calls] == ["restore the grant to its 2015 level"]
    assert recommendations(store, org="Government")[0]["actor"] == LGA
    assert recommendations(store, publisher="ccn") == []
    assert len(recommendations(store, limit=1)) == 1


def test_query_commands(filled, db_path):
    from ics_text.extract.storage import extract_store

    store, _ = filled
    extract_store(store)
    store.close()
    cli = ROOT / ".venv" / "bin" / "ics-text"
    cmd = [str(cli)] if cli.exists() else [sys.executable, "-m", "ics_text"]
    out = subprocess.run([*cmd, "recommendations", "--db", str(db_path), "--org", "NHS England",
                          "--format", "json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 2 and all(r["title"] == "Leaders set out winter asks" for r in rows)
    out = subprocess.run([*cmd, "stats", "--db", str(db_path), "--kind", "bogus"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 1 and "unknown kind" in out.stderr

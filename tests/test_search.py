"""Keyword, semantic and hybrid search over stored passages."""

from __future__ import annotations

import numpy as np
import pytest

from ics_text.store import StoreError
from ics_text.themes.search import PassageIndex, Searcher, highlight
from themes_fixtures import CCN, CONFED, LGA, add, doc, encoder_model  # noqa: F401

DISCHARGE = ("Patients who are medically fit to leave are stuck on wards because no care package "
             "can be arranged in time.")
FLOODS = "The county's flood defences need repair before the autumn storms arrive."
BUDGET = "The council budget has a gap of £40 million next year, and reserves are nearly spent."
PAY = "Care workers earn little more than the minimum wage, so homes lose staff to retail."


@pytest.fixture
def searcher(store, encoder_model):
    from ics_text.themes import build_themes

    add(store, doc("h.txt", [DISCHARGE, FLOODS], publisher=CONFED, published="2023-01-05"))
    add(store, doc("b.txt", [BUDGET], publisher=LGA, published="2021-07-01"))
    add(store, doc("p.txt", [PAY, "Flood risk maps are being redrawn for coastal towns."],
                   publisher=CCN, published="2024-02-01"))
    build_themes(store)
    return Searcher(store)


def test_keyword_search_ranks_and_highlights(searcher):
    hits = searcher.search("flood", mode="keyword")
    assert [h["text"] for h in hits][:2] and all("lood" in h["text"] for h in hits)
    assert len(hits) == 2
    assert "[flood]" in hits[0]["snippet"].lower()
    assert hits[0]["rank"] == 1 and hits[0]["score"] >= hits[1]["score"]
    h = hits[0]
    assert {"citation", "title", "publisher", "published", "url", "start", "end", "themes"} <= set(h)
    assert searcher.store.get(h["document_id"]).text[h["start"]:h["end"]] == h["text"]
    assert searcher.search("zebra crossing", mode="keyword") == []


def test_semantic_search_finds_meaning_without_shared_words(searcher):
    hits = searcher.search("delayed hospital discharges", mode="semantic", limit=3)
    assert hits[0]["text"] == DISCHARGE
    assert hits[0]["score"] > hits[-1]["score"]
    assert searcher.search("delayed hospital discharges", mode="keyword") == []
    # the snippet marks query words that do occur (none here but 'hospital' is absent too)
    assert "[" not in hits[0]["snippet"] or "]" in hits[0]["snippet"]


def test_hybrid_fuses_both_rankings(searcher):
    hits = searcher.search("flood defences repair", mode="hybrid", limit=5)
    assert hits[0]["text"] == FLOODS
    assert hits[0]["keyword_rank"] == 1 and hits[0]["semantic_rank"] == 1
    # a passage found by meaning only still appears, below the one found both ways
    assert any(h["keyword_rank"] is None for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_filters_apply_in_every_mode(searcher):
    for mode in ("keyword", "semantic", "hybrid"):
        hits = searcher.search("flood", mode=mode, publisher="ccn")
        assert hits and {h["publisher"] for h in hits} == {CCN}
        assert all(h["published"] >= "2024-01-01" for h in searcher.search("flood", mode=mode,
                                                                           since="2024-01-01"))
        assert searcher.search("flood", mode=mode, until="2020-01-01") == []
    themed = searcher.search("staff", mode="semantic", theme="workforce")
    assert themed and all(any(t["id"] == "workforce" for t in h["themes"]) for h in themed)


def test_bad_mode_and_odd_queries(searcher):
    with pytest.raises(StoreError, match="unknown search mode"):
        searcher.search("x", mode="fuzzy")
    assert searcher.search('"', mode="keyword") == []
    assert searcher.search("   ", mode="semantic") == []
    # FTS syntax in user input is quoted, not an error
    assert isinstance(searcher.search("care AND (NEAR", mode="hybrid"), list)


def test_index_top_and_highlight():
    ids = np.array([10, 11, 12])
    docs = np.array([1, 1, 2])
    m = np.eye(3, dtype=np.float32)
    idx = PassageIndex(ids, docs, m, "m")
    q = np.array([0.1, 0.9, 0.5], dtype=np.float32)
    assert [p for p, _ in idx.top(q, 2)] == [11, 12]
    assert [p for p, _ in idx.top(q, 3, allowed_docs=np.array([2]))] == [12]
    assert idx.top(q, 0) == []
    assert [p for p, _ in idx.top(q, 5, allowed_passages=np.array([10, 12]))] == [12, 10]
    assert idx.top(q, 3, allowed_docs=np.array([9])) == []
    s = highlight("Councils said funding for public health was cut again.", "public health funding")
    assert "[funding]" in s and "[public]" in s and "[health]" in s
    long = "word " * 100 + "target here " + "word " * 100
    clipped = highlight(long, "target")
    assert "[target]" in clipped and clipped.startswith("…") and len(clipped) < 300


def test_index_top_is_exact_where_float16_cannot_tell_rows_apart():
    """The float16 scan only picks candidates: near-duplicate rows (closer than float16 resolves)
    still come back in their float32 order (ties by passage id), with float32 scores, filtered or
    not."""
    rng = np.random.default_rng(3)
    base = rng.standard_normal((100, 64)).astype(np.float32)
    m = np.repeat(base, 10, axis=0) + 1e-4 * rng.standard_normal((1000, 64)).astype(np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    ids = np.arange(1000, 2000)
    idx = PassageIndex(ids, ids // 10, m, "m")
    half = m.astype(np.float16).astype(np.float32)
    for q in rng.standard_normal((5, 64)).astype(np.float32):  # not unit length, on purpose
        exact = np.einsum("ij,j->i", m, q)
        for rows, allowed in ((np.arange(1000), None), (np.arange(300, 700), np.arange(130, 170))):
            order = rows[np.lexsort((ids[rows], -exact[rows]))]
            # the data does defeat float16 alone: its ranking differs
            assert (rows[np.argsort(-(half[rows] @ q), kind="stable")][:25] != order[:25]).any()
            for k in (1, 7, 25):
                got = idx.top(q, k, allowed_docs=allowed)
                assert [p for p, _ in got] == ids[order[:k]].tolist()
                assert [s for _, s in got] == exact[order[:k]].tolist()


def test_saved_index_is_reused_and_rebuilt_when_passages_change(store, encoder_model):
    """The search matrix kept beside the store: reused while passages are the same, rebuilt after
    an added or superseded document."""
    import glob

    from ics_text.themes import build_themes

    add(store, doc("h.txt", [DISCHARGE], publisher=CONFED, published="2023-01-05"))
    build_themes(store)
    first = Searcher(store).search("care package", mode="semantic")
    files = glob.glob(store.path + ".search-*")
    assert len(files) == 3  # matrix, ids, fingerprint
    stamp = {f: open(f, "rb").read() for f in files}
    assert [r["text"] for r in Searcher(store).search("care package", mode="semantic")] == \
        [r["text"] for r in first]
    assert {f: open(f, "rb").read() for f in files} == stamp  # reused, not rewritten

    add(store, doc("b.txt", [BUDGET], publisher=LGA, published="2021-07-01"))
    build_themes(store)
    texts = [r["text"] for r in Searcher(store).search("budget gap", mode="semantic")]
    assert BUDGET in texts  # the new passage is in the rebuilt matrix

    # a new version of h.txt supersedes the old passages: they must leave the matrix
    add(store, doc("h.txt", [FLOODS], publisher=CONFED, published="2023-01-05"))
    build_themes(store)
    texts = [r["text"] for r in Searcher(store).search("care package", mode="semantic", limit=10)]
    assert DISCHARGE not in texts and FLOODS in texts

"""Theme assignment, the incremental build, queries, trends, discovery and the report."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from ics_text.paths import models_dir
from ics_text.records import Theme
from ics_text.themes.assign import ThemeAssigner, best_f1_threshold, in_context
from ics_text.themes.taxonomy import load_taxonomy, write_thresholds
from themes_fixtures import (CCN, CONFED, CONTACT, DIGITAL, HOSPITAL, LGA, SEND, WORKFORCE, add, doc,
                             encoder, encoder_model)  # noqa: F401


@pytest.fixture(scope="module")
def assigner(encoder):
    """The assigner as it ships: the taxonomy's prototypes and thresholds, the head trained on the
    labelled passages, on the encoder they were fitted for (the model with its theme-tuned patch)."""
    from ics_text.themes.build import make_assigner
    from ics_text.themes.tuning import themed

    return make_assigner(load_taxonomy(), themed(encoder))


def test_estimator_conventions(encoder):
    a = ThemeAssigner(encoder=encoder, top_k=2, contrast=0.25)
    params = a.get_params()
    assert params["top_k"] == 2 and params["contrast"] == 0.25 and params["encoder"] is encoder
    assert not [k for k in vars(a) if k.endswith("_")]  # nothing learned before fit
    with pytest.raises(RuntimeError, match="not fitted"):
        a.transform(np.zeros((1, 384), dtype=np.float32))
    a.fit()
    learned = [k for k in vars(a) if k.endswith("_")]
    assert {"themes_", "theme_ids_", "anchors_", "thresholds_"} <= set(learned)
    assert a.get_params() == params  # fit does not touch constructor arguments
    assert a.set_params(top_k=3) is a and a.top_k == 3


def test_clear_passages_get_their_theme_and_boilerplate_gets_none(assigner):
    texts = [WORKFORCE, SEND, DIGITAL, HOSPITAL, CONTACT]
    X = assigner.encoder.encode(texts)
    got = [[t.id for t in ts] for ts in assigner.assign(X, texts=texts)]
    assert "workforce" in got[0]
    assert "children_send" in got[1]
    assert "digital" in got[2]
    assert "hospital_pressures" in got[3]
    assert got[4] == []
    scores = assigner.transform(X, texts=texts)
    assert scores.shape == (5, len(assigner.theme_ids_))
    assert ((scores >= 0) & (scores <= 1)).all()
    # assigned <=> score >= 0.5, for every theme and passage alike
    assert ((scores >= 0.5) == assigner.predict(X, texts=texts).astype(bool)).all()
    for ts in assigner.assign(X, texts=texts):
        assert [t.score for t in ts] == sorted((t.score for t in ts), reverse=True)


def test_thresholds_are_calibrated_from_labels(encoder):
    themes = [Theme("staff", "Staff", "recruitment, vacancies and pay of care workers"),
              Theme("money", "Money", "council budgets, funding settlements and cuts")]
    texts = [WORKFORCE, "Nurses are leaving faster than we can train them.", SEND,
             "The settlement gives councils one more year of cash and no plan beyond it.", CONTACT,
             "Agency workers now fill a third of shifts in some homes."]
    labels = [["staff"], ["staff"], ["money"], ["money"], [], ["staff"]]
    X = encoder.encode(texts)
    a = ThemeAssigner(themes=themes, encoder=encoder, min_positives=1).fit(X, labels)
    assert a.calibrated_.all()
    pred = a.predict(X)
    assert pred[:, 0].tolist() == [1, 1, 0, 0, 0, 1]
    assert pred[4].sum() == 0
    # the file's thresholds are used when no labels are given
    themes[0].threshold = 0.9
    b = ThemeAssigner(themes=themes, encoder=encoder).fit()
    assert b.thresholds()["staff"] == 0.9 and b.predict(X)[:, 0].sum() == 0


def test_best_f1_threshold_and_context():
    s = np.array([0.9, 0.8, 0.4, 0.3])
    assert best_f1_threshold(s, np.array([1, 1, 0, 0])) == pytest.approx(0.6)
    raw = np.array([[1.0], [0.0], [0.0], [5.0]])
    out = in_context(raw, [7, 7, 7, 8], context=1.0, neighbours=0.0)
    assert out[:3, 0] == pytest.approx([(1 + 1 / 3) / 2, (1 / 3) / 2, (1 / 3) / 2])
    assert out[3, 0] == pytest.approx(5.0)  # alone in its document: unchanged
    # neighbours: the mean of the row and the rows either side of it in the same document
    near = in_context(raw, [7, 7, 7, 8], context=0.0, neighbours=1.0)
    assert near[:3, 0] == pytest.approx([(1 + 0.5) / 2, (1 / 3) / 2, 0.0])
    # sparse rows (the head's word features) blend exactly as dense ones, and stay sparse
    from scipy import sparse

    m = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [3.0, 0.0], [0.0, 1.0]])
    groups = ["b", "a", "b", "a", "b"]  # rows of a document need not be adjacent
    dense = in_context(m, groups, context=0.25, neighbours=0.5)
    blended = in_context(sparse.csr_matrix(m), groups, context=0.25, neighbours=0.5)
    assert sparse.issparse(blended) and np.allclose(blended.toarray(), dense)


def _corpus(store):
    ids = [add(store, doc("a.txt", [WORKFORCE, CONTACT], publisher=LGA, published="2022-03-01")),
           add(store, doc("b.txt", [SEND, "- Write off the high-needs deficits councils have built up."],
                          publisher=CCN, published="2023-06-01")),
           add(store, doc("c.txt", [DIGITAL, HOSPITAL], publisher=CONFED, published="2023-09-01"))]
    return ids


def test_build_is_incremental_and_reassigns_after_an_edit(store, tmp_path, encoder_model):
    from ics_text.themes import build_themes, list_themes

    _corpus(store)
    first = build_themes(store)
    assert first["documents_new"] == 3 and first["passages_new"] == 6 and first["encoded"] == 6
    again = build_themes(store)
    assert again["documents_new"] == again["passages_new"] == again["encoded"] == 0
    assert not again["reassigned"]
    # a changed document is a new version: only its passages are new, only new text is encoded
    d = doc("a.txt", [WORKFORCE, "Councils warn the care workforce is at breaking point."],
            publisher=LGA, published="2022-03-01")
    assert store.add(d, d.text.encode(), "text/plain").status == "changed"
    third = build_themes(store)
    assert third["documents_new"] == 1 and third["passages_new"] == 2 and third["encoded"] == 1
    assert third["passages"] == 6  # current versions only
    # an edited taxonomy re-assigns every passage from cached vectors
    tax = tmp_path / "themes.yaml"
    shutil.copy(models_dir() / "themes.yaml", tax)
    write_thresholds(tax, {"workforce": 1.0})  # nothing can clear this
    edited = build_themes(store, taxonomy=tax)
    assert edited["reassigned"] and edited["encoded"] == 0
    counts = {r["id"]: r["passages"] for r in list_themes(store, taxonomy=tax)}
    assert counts["workforce"] == 0
    back = build_themes(store)
    assert back["reassigned"]
    assert {r["id"]: r["passages"] for r in list_themes(store)}["workforce"] >= 1


def test_queries_show_contract_fields_and_citations(store, encoder_model):
    from ics_text.store import StoreError
    from ics_text.themes import build_themes, document_passages, list_themes, show_theme

    ids = _corpus(store)
    build_themes(store)
    rows = list_themes(store)
    assert len(rows) == len(load_taxonomy())
    send = next(r for r in rows if r["id"] == "children_send")
    assert send["passages"] >= 1 and send["documents"] == 1
    assert list_themes(store, publisher="lga", since="2023-01-01")[0]["passages"] == 0
    shown = show_theme(store, "Children's services and SEND")
    assert shown["theme"]["id"] == "children_send"
    top = shown["passages"][0]
    assert {"text", "start", "end", "themes", "citation", "title", "publisher", "published", "url"} <= set(top)
    stored = store.get(top["document_id"])
    assert stored.text[top["start"]:top["end"]] == top["text"]
    assert top["themes"][0].keys() == {"id", "name", "score"}
    assert "example.org/b.txt" in top["citation"] and CCN in top["citation"]
    assert show_theme(store, "children_send", publisher="nhsconfed")["passages"] == []
    with pytest.raises(StoreError, match="no theme"):
        show_theme(store, "astronomy")
    every = document_passages(store, ids[0])
    assert [p["text"] for p in every] == [WORKFORCE, CONTACT]
    assert every[1]["themes"] == []


def test_trend_is_normalised_by_what_was_published(store, tmp_path, encoder_model):
    from ics_text.themes import build_themes, chart, trend

    add(store, doc("y1.txt", [SEND, CONTACT, CONTACT.replace("0000", "1111")], publisher=LGA,
                   published="2022-02-01"))
    add(store, doc("y2.txt", [SEND], publisher=LGA, published="2023-02-01"))
    add(store, doc("y3.txt", [DIGITAL], publisher=CCN, published="2023-11-20"))
    add(store, doc("undated.txt", [SEND], publisher=CCN, published=None, title="Undated"))
    build_themes(store)
    r = trend(store, "children_send", by="year", by_publisher=True)
    cells = {(x["period"], x["publisher"]): x for x in r["rows"]}
    assert cells[("2022", LGA)]["share"] == pytest.approx(1 / 3, abs=1e-4)
    assert cells[("2022", LGA)]["total_passages"] == 3
    assert cells[("2023", LGA)]["share"] == 1.0
    assert cells[("2023", CCN)]["share"] == 0.0
    assert r["undated_documents"] == 1
    q = trend(store, "all", by="quarter")
    assert {x["period"] for x in q["rows"]} == {"2022-Q1", "2023-Q1", "2023-Q4"}
    for name in ("t.png", "t.svg"):
        path = chart(q, tmp_path / name)
        assert path.stat().st_size > 1000
    assert (tmp_path / "t.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match=".png or .svg"):
        chart(q, tmp_path / "t.pdf")


def test_discover_is_deterministic_and_drops_nothing(store, encoder_model):
    from ics_text.themes import build_themes, discover

    staff = ["Nurses are leaving the care sector for better pay in supermarkets.",
             "Care homes struggle to recruit and keep experienced care assistants.",
             "Vacancies among social workers have doubled, and agency staff fill the gaps.",
             "Low pay and long shifts are driving care workers out of the profession."]
    schools = ["Special educational needs support in schools is overspending its budget.",
               "Pupils with education, health and care plans wait months for a school place.",
               "The high-needs deficit for special educational needs keeps growing.",
               "Home-to-school transport for pupils with special needs costs more each year."]
    add(store, doc("s.txt", staff + ["Ends."]))
    add(store, doc("e.txt", schools, publisher=CCN))
    build_themes(store)
    one = discover(store, n_clusters=2, min_words=3)
    two = discover(store, n_clusters=2, min_words=3)
    assert one == two
    assert one["clustered"] + one["unclustered"]["count"] == one["passages"] == 9
    assert one["unclustered"]["count"] == 1  # "Ends." is too short, and reported
    assert sum(c["size"] for c in one["clusters"]) == one["clustered"] == len(one["members"])
    groups = [{p for p, c in one["members"].items() if c == k} for k in (0, 1)]
    texts = {r[0]: r[1] for r in store.conn.execute("SELECT id, text FROM theme_passages")}
    as_text = [{texts[p] for p in g} for g in groups]
    assert set(staff) in as_text and set(schools) in as_text
    terms = {c["cluster"]: c["terms"] for c in one["clusters"]}
    school_cluster = next(c for c in one["clusters"] if set(schools) == {texts[p] for p in groups[c["cluster"]]})
    assert any("needs" in t or "special" in t or "school" in t for t in terms[school_cluster["cluster"]])
    assert school_cluster["theme"] == "children_send" and not school_cluster["novel"]
    assert len(school_cluster["representatives"]) == 3
    assert all(r["citation"] for r in school_cluster["representatives"])
    auto = discover(store, min_words=3)  # k chosen by silhouette
    assert auto["clustered"] == 8 and len(auto["clusters"]) >= 2


def test_report_has_counts_top_themes_and_chart(store, tmp_path, encoder_model):
    from ics_text.report import write_report
    from ics_text.themes import build_themes

    _corpus(store)
    build_themes(store)
    path = write_report(store, tmp_path / "out", extra_counts={"Quotes": 3})
    text = path.read_text(encoding="utf-8")
    assert "Documents: 3" in text and "Passages: 6" in text and "Quotes: 3" in text
    assert "**County Councils Network**" in text and "Children's services and SEND" in text
    assert (tmp_path / "out" / "themes-by-year.png").stat().st_size > 1000
    assert "themes-by-year.png" in text


def test_head_learns_from_labels_and_follows_taxonomy_edits(store, tmp_path, encoder_model):
    """The labelled-passage head: fitted with labels, scores in [0, 1] with 0.5 on the cut, and an
    edit to a theme's examples re-scores from cached vectors (only the new phrase is encoded)."""
    import json

    from ics_text.themes.build import make_assigner
    from ics_text.themes.embeddings import Encoder

    enc = Encoder(store)
    themes = [Theme("staff", "Staff", "recruitment, vacancies and pay of care workers",
                    examples=["Homes cannot find enough care assistants."]),
              Theme("money", "Money", "council budgets, funding settlements and cuts"),
              Theme("roads", "Roads", "potholes, bus routes and road maintenance")]
    texts = [WORKFORCE, "Nurses are leaving faster than we can train them.", SEND,
             "The settlement gives councils one more year of cash and no plan beyond it.", CONTACT,
             "Agency workers now fill a third of shifts in some homes.", DIGITAL, HOSPITAL]
    labels = [["staff"], ["staff"], ["money"], ["money"], [], ["staff"], [], []]
    groups = [0, 0, 1, 1, 2, 2, 3, 3]
    X = enc.encode(texts)
    a = ThemeAssigner(themes=themes, encoder=enc).fit(X, labels, groups=groups)
    assert a.head_fitted_.tolist() == [True, True, False]  # no labelled "roads": prototypes alone
    assert a.head_coef_.shape == (3, X.shape[1] + 1)
    scores = a.transform(X, groups=groups)
    assert ((scores >= 0) & (scores <= 1)).all()
    assert ((scores >= 0.5) == a.predict(X, groups=groups).astype(bool)).all()
    assert a.predict(X, groups=groups)[:, 0].tolist() == [1, 1, 0, 0, 0, 1, 0, 0]
    # without labels there is no head: the prototype score alone, as before
    plain = ThemeAssigner(themes=themes, encoder=enc).fit()
    assert not plain.head_fitted_.any()
    # edit the taxonomy: one new example phrase; passages are not encoded again
    before = enc.encoded
    themes[0].examples = themes[0].examples + ["Rotas are covered by overtime because posts stay empty."]
    b = ThemeAssigner(themes=themes, encoder=enc).fit(X, labels, groups=groups)
    assert enc.encoded - before == 1
    assert not np.allclose(b.transform(X, groups=groups)[:, 0], scores[:, 0])
    # given the passages' texts, the head also reads their words; scoring then needs the texts
    w = ThemeAssigner(themes=themes, encoder=enc).fit(X, labels, groups=groups, texts=texts)
    assert w.word_coef_.shape == (3, len(w.vectorizer_.vocabulary_))
    with pytest.raises(ValueError, match="texts"):
        w.predict(X, groups=groups)
    assert w.predict(X, groups=groups, texts=texts)[:, 0].tolist() == [1, 1, 0, 0, 0, 1, 0, 0]
    # the words count: the same vectors scored under other words give other scores
    swapped = w.transform(X, groups=groups, texts=texts[::-1])
    assert not np.allclose(swapped, w.transform(X, groups=groups, texts=texts))
    # at run time the head comes from a labelled folder; an empty folder falls back to prototypes
    folder = tmp_path / "labelled"
    (folder / "site").mkdir(parents=True)
    assert not make_assigner(themes, enc, labelled=folder).head_fitted_.any()
    (folder / "site" / "d.json").write_text(json.dumps({"source": "d", "passages": [
        {"text": t, "themes": l} for t, l in zip(texts, labels)]}), "utf-8")
    c = make_assigner(themes, enc, labelled=folder)
    assert c.head_fitted_[:2].all()
    assert c.thresholds_[0] == a.default_threshold  # the file's thresholds are kept (none here)


def test_labelled_folders_default_env_and_lists(monkeypatch, tmp_path):
    """The head trains on the gold folder and the training-only folder by default; the variable
    or the caller can name one folder or several, and load_labelled reads them all in order."""
    import json
    import os

    from ics_text.themes.calibrate import (DEFAULT_LABELLED, LABELLED_ENV, TRAINING_ONLY,
                                           labelled_folders, load_labelled)

    monkeypatch.delenv(LABELLED_ENV, raising=False)
    assert labelled_folders() == [DEFAULT_LABELLED, TRAINING_ONLY]
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, text in ((a, "Care homes are short of staff."), (b, "The grant was cut again.")):
        (folder / "site").mkdir(parents=True)
        (folder / "site" / "d.json").write_text(json.dumps(
            {"source": str(folder), "passages": [{"text": text, "themes": ["workforce"]}]}))
    monkeypatch.setenv(LABELLED_ENV, f"{a}{os.pathsep}{b}")
    assert labelled_folders() == [a, b]
    assert labelled_folders(b) == [b]
    both = load_labelled([a, b])
    assert both.texts == ["Care homes are short of staff.", "The grant was cut again."]
    assert both.groups == [str(a), str(b)]
    assert len(load_labelled([])) == 0


def test_one_torch_thread_puts_the_count_back():
    import torch

    from ics_text.themes.embeddings import one_torch_thread

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with one_torch_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(KeyError):  # also when the call fails
            with one_torch_thread():
                raise KeyError("x")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)

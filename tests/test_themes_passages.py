"""Passages, the taxonomy file and the embedding cache."""

from __future__ import annotations

import numpy as np
import pytest

from ics_text.records import Document
from themes_fixtures import encoder_model  # noqa: F401  (session fixture)
from ics_text.themes.passages import passage_spans, passages, sentence_spans, split_long
from ics_text.themes.taxonomy import (TaxonomyError, fingerprint, load_taxonomy, parse_taxonomy,
                                      write_thresholds)


def test_passages_are_paragraphs_and_list_items_with_offsets():
    d = Document.from_blocks("x.txt", [
        ("title", "Winter plan"), ("summary", "Councils set out how they will cope this winter."),
        ("heading", "What we found"), ("paragraph", "Demand for home care rose by a fifth."),
        ("list_item", "- Fund discharge teams all year round."), ("table", "Area | Beds"),
        ("paragraph", "—"), ("heading", "Next steps"), ("quote", "We cannot plan on one-year money.")])
    spans = passage_spans(d)
    assert [s.kind for s in spans] == ["summary", "paragraph", "list_item", "quote"]
    assert all(d.text[s.start:s.end] == s.text for s in spans)
    assert spans[2].text.startswith("- ")  # list markers stay, as in the plain text
    assert [s.heading for s in spans] == [None, "What we found", "What we found", "Next steps"]
    assert "Winter plan" not in [s.text for s in spans]  # titles and headings are context only
    assert [p.text for p in passages(d)] == [s.text for s in spans]


def test_long_paragraph_split_between_sentences():
    sentence = "Dr. Okafor said the county had lost £1.5bn since 2010 and could not go on. "
    para = (sentence * 20).strip()
    d = Document.from_blocks("long.txt", [("paragraph", para)])
    spans = passage_spans(d, max_chars=400)
    assert len(spans) > 1
    assert all(len(s.text) <= 400 for s in spans)
    assert all(s.text.startswith("Dr. Okafor") and s.text.endswith("go on.") for s in spans)
    assert all(d.text[s.start:s.end] == s.text for s in spans)
    # together they cover the paragraph, in order
    assert "".join(s.text for s in spans).replace(" ", "") == para.replace(" ", "")


def test_sentence_spans_keep_abbreviations_together():
    text = "Cllr. Ames met Mr. Patel on Tuesday. They agreed a plan. Costs rose by 4.5 per cent."
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == ["Cllr. Ames met Mr. Patel on Tuesday.", "They agreed a plan.",
                   "Costs rose by 4.5 per cent."]
    assert split_long("short", 10) == [(0, 5)]


def test_default_taxonomy_is_valid():
    themes = load_taxonomy()
    ids = [t.id for t in themes]
    assert len(themes) >= 12 and len(set(ids)) == len(ids)
    for must in ("local_autonomy", "funding_uncertainty", "prevention", "workforce", "digital"):
        assert must in ids
    assert all(t.name and (t.description or t.examples) for t in themes)


@pytest.mark.parametrize("data, message", [
    ({"Bad Id": {"name": "x", "description": "y"}}, "lower_snake_case"),
    ({"ok": {"description": "y"}}, "'name' is required"),
    ({"ok": {"name": "x", "description": "y", "threshold": 2}}, "threshold"),
    ({"ok": {"name": "x", "examples": "not a list"}}, "examples"),
    ({"ok": {"name": "x", "colour": "red", "description": "y"}}, "unknown field"),
    ({"ok": {"name": "x"}}, "description or examples"),
    ([], "mapping"),
])
def test_taxonomy_validation_names_the_problem(data, message):
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(data, "my.yaml")


def test_bad_yaml_file_is_one_clear_error(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"t.yaml: not valid YAML"):
        load_taxonomy(f)
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "missing.yaml")


def test_write_thresholds_keeps_comments_and_layout(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("# keep me\nalpha:\n  name: Alpha\n  description: first theme\n\n"
                 "beta:\n  name: Beta\n  threshold: 0.5\n  examples:\n    - one example\n", encoding="utf-8")
    before = fingerprint(load_taxonomy(f))
    write_thresholds(f, {"alpha": 0.1234, "beta": 0.2})
    text = f.read_text(encoding="utf-8")
    assert text.startswith("# keep me\n")
    themes = {t.id: t for t in load_taxonomy(f)}
    assert themes["alpha"].threshold == pytest.approx(0.123)
    assert themes["beta"].threshold == pytest.approx(0.2)
    assert text.count("threshold:") == 2
    assert fingerprint(load_taxonomy(f)) != before
    with pytest.raises(TaxonomyError, match="gamma"):
        write_thresholds(f, {"gamma": 0.1})


def test_encoder_caches_by_model_and_text(store, encoder_model):
    from ics_text.themes.embeddings import Encoder

    enc = Encoder(store)
    texts = ["Councils need certainty about funding.", "Vacancies in social care are high.",
             "Councils need certainty about funding."]
    first = enc.encode(texts)
    assert first.shape == (3, 384) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    assert enc.encoded == 2  # the repeated text is encoded once
    again = Encoder(store).encode(texts[:2])
    assert np.allclose(again, first[:2])
    fresh = Encoder(store)
    fresh.encode(texts + ["A new passage about digital records."])
    assert fresh.encoded == 1  # only the new text went through the model
    rows = store.conn.execute("SELECT COUNT(*), COUNT(DISTINCT model) FROM theme_embeddings").fetchone()
    assert tuple(rows) == (3, 1)

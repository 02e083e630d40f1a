"""The extraction pipeline: one cached spaCy pipeline, batches, long documents, offsets, workers."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ics_text.records import Document

KINDS = ("quotes", "statistics", "recommendations")

SAMPLE = """Councils warn over care market

The Eastmoor Councils Group has surveyed its 31 members. Nearly three in four said local care homes had closed beds this year.

Cllr Nadia Brooke, chair of the group's care panel, said: \u201cProviders are telling us they cannot recruit. We need a plan for the workforce, not another one-off grant.\u201d

The group is calling on the Government to publish a funding plan for adult social care before the spring.

We recommend that the Department of Health and Social Care:

- Sets fee levels that cover the real cost of care.
- Funds a national recruitment campaign for care workers."""


@pytest.fixture(scope="session")
def nlp():
    from ics_text.extract.pipeline import load_nlp

    return load_nlp()


def check_offsets(text: str, findings) -> int:
    n = 0
    for kind in KINDS:
        for r in getattr(findings, kind):
            assert text[r.start:r.end] == r.text, (kind, r)
            n += 1
    return n


def test_load_nlp_is_cached_and_has_the_components(nlp):
    from ics_text.extract.pipeline import load_nlp

    assert load_nlp() is nlp
    names = nlp.pipe_names
    assert names[-3:] == ["ics_quotes", "ics_statistics", "ics_recommendations"]
    assert names.index("ics_block_sentences") < names.index("parser")


def test_extract_text_finds_all_three_kinds_with_offsets(nlp):
    from ics_text.extract.pipeline import extract_text

    f = extract_text(SAMPLE, publisher="Local Government Association")
    assert check_offsets(SAMPLE, f) >= 5
    assert any(q.speaker == "Nadia Brooke" for q in f.quotes)
    assert any(s.kind == "proportion" for s in f.statistics)
    assert [r.kind for r in f.recommendations] == ["call", "list_item", "list_item"]
    assert f.recommendations[0].text == "publish a funding plan for adult social care before the spring"


def test_publisher_is_the_default_actor_of_list_items(nlp):
    from ics_text.extract.pipeline import extract_documents

    docs = [Document(source="a", text=SAMPLE, publisher="County Councils Network"),
            Document(source="b", text=SAMPLE, publisher="NHS Confederation")]
    a, b = extract_documents(docs)
    assert {r.actor for r in a.recommendations if r.kind == "list_item"} == {"County Councils Network"}
    assert {r.actor for r in b.recommendations if r.kind == "list_item"} == {"NHS Confederation"}


def test_a_title_does_not_run_into_the_first_paragraph(nlp):
    doc = nlp("Leaders call for a plan\n\nThe survey was published today.")
    assert [s.text.strip() for s in doc.sents][:2] == ["Leaders call for a plan", "The survey was published today."]


def test_split_text_cuts_at_blank_lines_and_covers_the_text():
    from ics_text.extract.pipeline import split_text

    blocks = [f"Paragraph number {i} says something about councils." for i in range(200)]
    blocks[120] = "- a list item that should not start a piece"
    text = "\n\n".join(blocks)
    pieces = split_text(text, 1000)
    assert len(pieces) > 5
    for offset, piece in pieces:
        assert len(piece) <= 1000
        assert text[offset:offset + len(piece)] == piece
        assert offset == 0 or text[offset - 2:offset] == "\n\n"
        assert not piece.startswith("- ")
    # nothing but the blank lines between pieces is left out
    covered = sum(len(p) for _, p in pieces)
    assert covered + 2 * (len(pieces) - 1) == len(text)


def test_split_text_with_one_huge_block():
    from ics_text.extract.pipeline import split_text

    text = "Councils need money. " * 500
    pieces = split_text(text, 1000)
    assert all(len(p) <= 1000 for _, p in pieces)
    assert all(text[o:o + len(p)] == p for o, p in pieces)


def test_long_documents_are_split_and_offsets_shifted_back(nlp, monkeypatch):
    from ics_text.extract import pipeline

    text = "\n\n".join([SAMPLE] * 6)
    whole = pipeline.extract_text(text, publisher="Local Government Association")
    monkeypatch.setattr(pipeline, "MAX_PIECE_CHARS", len(SAMPLE) + 10)
    assert len(pipeline.split_text(text, len(SAMPLE) + 10)) == 6
    split = pipeline.extract_text(text, publisher="Local Government Association")
    assert check_offsets(text, split) == check_offsets(text, whole)
    for kind in KINDS:
        assert [(r.start, r.text) for r in getattr(split, kind)] == \
               [(r.start, r.text) for r in getattr(whole, kind)]


def test_ten_thousand_paragraphs_and_unbalanced_marks_do_not_crash(nlp):
    from ics_text.extract.pipeline import extract_text

    paras = []
    for i in range(10_000):
        paras.append(["\u201cCouncils must act now.", "Nearly 40% agreed \u2018strongly.",
                      "- fund it", "\"", "The LGA urged ministers to act."][i % 5])
    text = "\n\n".join(paras)
    f = extract_text(text)
    check_offsets(text, f)
    assert f.recommendations


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "\u201c", "\u201c\u201d\u2018\u2019'\"", "%%%% \u00a3 \u00a3bn"])
def test_degenerate_texts(nlp, text):
    from ics_text.extract.pipeline import extract_text

    check_offsets(text, extract_text(text))


def test_long_runs_of_quote_marks_stay_linear(nlp):
    """spaCy's tokenizer is quadratic on long punctuation runs: 20,000 marks must not hang."""
    from ics_text.extract.pipeline import extract_text

    text = "Title\n\n" + "\u2018" * 20000 + "\n\nThe LGA said: \u201cWe need 95% of it.\u201d"
    f = extract_text(text)
    check_offsets(text, f)
    assert [q.text for q in f.quotes] == ["We need 95% of it."]


def test_two_worker_processes_give_the_same_findings(nlp):
    from ics_text.extract.pipeline import extract_documents

    docs = [Document(source=str(i), text=SAMPLE.replace("31", str(30 + i)), publisher="NHS Confederation")
            for i in range(4)]
    one = [f.to_dict() for f in extract_documents(docs, batch_size=2)]
    two = [f.to_dict() for f in extract_documents(docs, batch_size=2, n_process=2)]
    assert one == two


def test_missing_model_is_one_clear_line():
    code = ("from ics_text.extract.pipeline import load_nlp, ModelError\n"
            "try:\n    load_nlp()\nexcept ModelError as e:\n    print('MODEL-ERROR', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"ICS_TEXT_SPACY_MODEL": "no_such_model_xyz", "PATH": "/usr/bin:/bin"})
    line = out.stdout.strip()
    assert line.startswith("MODEL-ERROR") and "\n" not in line
    assert "no_such_model_xyz" in line and "install" in line


def test_corpus_offsets_hold_for_every_record(nlp):
    """Every record of every bundled corpus file points at its own span of the plain text."""
    from pathlib import Path

    from ics_text.collect.parse import parse_file
    from ics_text.extract.pipeline import extract_documents

    root = Path(__file__).resolve().parent.parent / "corpus"
    files = sorted(p for p in root.rglob("*") if p.suffix in (".html", ".pdf") and "pdf-src" not in p.parts)
    if not files:
        pytest.skip("no bundled corpus")
    docs = [parse_file(p) for p in files[:25]]
    total = 0
    for doc, findings in zip(docs, extract_documents(docs)):
        total += check_offsets(doc.text, findings)
    assert total > 50

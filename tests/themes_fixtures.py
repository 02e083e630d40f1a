"""Shared helpers for the themes tests: a real encoder (loaded once) and small documents of our own."""

from __future__ import annotations

import pytest

from ics_text.records import Document


@pytest.fixture(scope="session")
def encoder_model():
    """The real sentence-transformers model, loaded once per test session (shared in-process)."""
    from ics_text.themes.embeddings import load_model

    return load_model()


@pytest.fixture(scope="session")
def encoder(encoder_model):
    """An encoder without a store (no cache), on the session's model."""
    from ics_text.themes.embeddings import Encoder

    return Encoder()

LGA = "Local Government Association"
CCN = "County Councils Network"
CONFED = "NHS Confederation"

WORKFORCE = ("Care homes in the county cannot recruit enough nurses and care assistants, and one in "
             "ten posts now stands vacant as staff leave for better-paid jobs in retail.")
SEND = ("Spending on pupils with special educational needs has outrun the high-needs grant for six "
        "years, leaving the council with a deficit on its schools budget.")
DIGITAL = ("A shared electronic care record means a district nurse can see a patient's medicines and "
           "recent hospital letters on a tablet, without phoning the surgery.")
HOSPITAL = ("More than two hundred patients who are well enough to go home are still occupying "
            "hospital beds because no home care package can be arranged for them.")
CONTACT = "Press office: 020 0000 0000, press@example.org"


def doc(source: str, paragraphs: list[str], publisher: str = LGA, published: str | None = "2023-05-10",
        title: str = "A test publication", heading: str | None = "Key points") -> Document:
    blocks = [("title", title)]
    if heading:
        blocks.append(("heading", heading))
    blocks += [("list_item", p) if p.startswith("- ") else ("paragraph", p) for p in paragraphs]
    return Document.from_blocks(source, blocks, title=title, publisher=publisher, published=published,
                                type="press release", url=f"https://example.org/{source}")


def add(store, d: Document) -> int:
    return store.add(d, d.text.encode("utf-8"), "text/plain").id


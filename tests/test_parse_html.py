"""HTML parsing: each publisher's layout, and pages of sites we have no profile for."""

from __future__ import annotations

import re
import unicodedata

import pytest

from conftest import ROOT, corpus_rows, theme_annotations
from ics_text.collect.parse import parse_bytes, parse_file

CHROME = ["Accept all cookies", "Skip to main content", "Cookie settings", "Related content",
          "Share on", "Sign up to our newsletter", "Share this page", "Share this:"]

HTML_ROWS = [r for r in corpus_rows() if r["path"].endswith((".html", ".htm"))]


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", s).split())


@pytest.mark.parametrize("row", HTML_ROWS, ids=lambda r: f"{r['site']}/{r['path']}")
def test_corpus_page_metadata_and_chrome(row):
    doc = parse_file(row["file"])
    assert doc.publisher == row["publisher"]
    assert doc.title and _norm(doc.title) == _norm(row["title"])
    assert doc.blocks[0].kind == "title"
    if doc.published:  # newer LGA pages show no date; the manifest supplies it
        assert doc.published == row["published"]
    for phrase in CHROME:
        assert phrase.lower() not in doc.text.lower(), phrase
    for b in doc.blocks:
        assert doc.text[b.start:b.end] == b.text


def _bare(text: str) -> str:
    return _norm(re.sub(r"^(?:[-•]|\d+\.)\s+", "", text))


def test_corpus_blocks_match_annotated_paragraphs():
    """Structure: each paragraph or list item annotators saw in a page or PDF is exactly one block."""
    checked, missing = 0, []
    for row in corpus_rows():
        ann = theme_annotations().get(f"corpus/{row['site']}/{row['path']}")
        if not ann or not row["file"].exists():
            continue
        blocks = {_bare(b.text) for b in parse_file(row["file"]).blocks}
        for p in ann["passages"]:
            checked += 1
            if _bare(p["text"]) not in blocks:
                missing.append(f"{row['path']}: {p['text'][:70]}")
    if not checked:
        pytest.skip("no annotated documents yet")
    assert len(missing) / checked <= 0.01, f"{len(missing)} of {checked}: " + "; ".join(missing[:5])


NHSCONFED_STYLE = """<!DOCTYPE html><html><head><title>Leaders respond to plan | NHS Confederation</title>
<link rel="canonical" href="https://www.nhsconfed.org/news/leaders-respond-plan"></head><body>
<div class="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept all cookies</button></div>
<header class="site-header"><nav><ul><li><a href="/topics">Topics</a></li><li><a href="/publications">Publications</a></li></ul></nav></header>
<main id="main-content"><article class="node node--type-news">
<div class="content-type-label">Press release</div>
<h1 class="page-title">Leaders respond to the winter plan</h1>
<div class="field--name-field-summary"><p>Health leaders say the plan is a start but not enough.</p></div>
<div class="date">5 December 2024</div>
<div class="field--name-body">
<p>Responding to the plan, Ada Quist, chief executive of the NHS Confederation, said:</p>
<p>“Leaders will welcome the extra beds, but they needed this in the summer.”</p>
<h2>What the plan says</h2>
<ul><li>An extra 1,000 beds by January.</li><li>More <strong>ambulance</strong> hubs.</li></ul>
<ol start="3"><li>Third item.</li></ol>
</div>
<div class="share-links"><a href="https://twitter.com/share">Share on X</a></div>
</article></main>
<footer><p>© NHS Confederation</p><a href="/privacy">Privacy notice</a></footer></body></html>"""


def test_profile_layout_from_url():
    doc = parse_bytes(NHSCONFED_STYLE.encode(), "page.html")
    assert doc.url == "https://www.nhsconfed.org/news/leaders-respond-plan"
    assert doc.publisher == "NHS Confederation"
    assert doc.title == "Leaders respond to the winter plan"
    assert doc.summary == "Health leaders say the plan is a start but not enough."
    assert doc.published == "2024-12-05"
    assert doc.type == "press release"
    kinds = [b.kind for b in doc.blocks]
    assert kinds[:2] == ["title", "summary"]
    assert "heading" in kinds
    items = [b.text for b in doc.blocks if b.kind == "list_item"]
    assert items == ["- An extra 1,000 beds by January.", "- More ambulance hubs.", "3. Third item."]
    assert "cookies" not in doc.text and "Share on" not in doc.text and "Topics" not in doc.text
    assert "Press release" not in doc.text and "5 December 2024" not in doc.text


UNKNOWN_SITE = """<html><head><title>Care funding gap widens - Example Health Trust</title></head><body>
<div id="top"><a href="/">Home</a> | <a href="/about">About us</a></div>
<div class="layout"><div class="col-left"><ul class="menu"><li><a href="/a">Services</a></li></ul></div>
<div class="col-main"><h1>Care funding gap widens</h1>
<p>Posted on 3 March 2022</p>
<p>The trust board heard that the funding gap for community services had grown to £4.5m this year, with three quarters of it falling on district nursing.</p>
<p>Directors agreed to ask commissioners for a two-year settlement so that recruitment could be planned.</p>
<p>The board will meet again in the spring to review progress against the recovery plan.</p>
</div></div><div class="site-footer">Example Health Trust, registered office</div></body></html>"""


def test_generic_page_without_profile():
    doc = parse_bytes(UNKNOWN_SITE.encode(), "https://example.org/news/gap")
    assert doc.title == "Care funding gap widens"
    assert doc.published == "2022-03-03"
    assert doc.publisher is None
    assert "£4.5m this year" in doc.text
    assert "Services" not in doc.text and "registered office" not in doc.text
    assert "Posted on" not in doc.text


def test_windows_1252_page_with_wrong_declaration():
    html = ("<html><head><meta charset='utf-8'><title>T</title></head><body><main><h1>Budget</h1>"
            "<p>Councils face a \u201cperfect storm\u201d of costs \u2013 and \u00a3300m gap in "
            "funding that the sector cannot close on its own this year.</p></main></body></html>")
    doc = parse_bytes(html.encode("cp1252"), "page.html")
    assert "\u201cperfect storm\u201d" in doc.text and "\u00a3300m" in doc.text


def test_text_command_output_is_offset_base(tmp_path):
    from typer.testing import CliRunner

    from ics_text.cli import app

    page = tmp_path / "p.html"
    page.write_text(NHSCONFED_STYLE, encoding="utf-8")
    result = CliRunner().invoke(app, ["text", str(page)])
    assert result.exit_code == 0
    assert result.stdout.rstrip("\n") == parse_file(page).text


def test_example_text_files_parse():
    for path in sorted((ROOT.parent / "shared" / "examples").glob("*.txt")):
        doc = parse_file(path)
        assert doc.blocks[0].kind == "title"
        assert len(doc.blocks) >= 4


OLD_CMS = """<html><head><title>Statement on the settlement</title></head><body>
<table width="100%"><tr><td class="nav"><a href="/">Home</a><br><a href="/news">News</a></td>
<td class="body"><h1>Statement on the settlement</h1>
<b>Published:</b> 14/02/2020<br><br>
The council's leader said the settlement was a disappointment for rural areas, where the cost of
delivering services is higher than in towns.<br><br>
A further statement will follow once the figures have been checked by officers and the cabinet has
met to consider them.<br><br>
</td></tr></table></body></html>"""


def test_old_cms_text_in_table_cells_with_br_paragraphs():
    doc = parse_bytes(OLD_CMS.encode(), "https://council.example/news/1")
    paras = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert doc.title == "Statement on the settlement"
    assert doc.published == "2020-02-14"
    assert any(p.startswith("The council's leader said") and p.endswith("than in towns.") for p in paras)
    assert any(p.startswith("A further statement") for p in paras)


def test_time_in_main_text_beats_time_in_sidebar():
    html = ("<html><body><aside><time datetime='2019-01-01'>1 Jan</time></aside><main><article>"
            "<h1>Neighbourhood teams</h1><time datetime='2025-06-30'>30 June 2025</time>"
            "<p>" + "Neighbourhood health teams are being set up in every area. " * 6 + "</p>"
            "</article></main></body></html>")
    assert parse_bytes(html.encode(), "x.html").published == "2025-06-30"


def test_thousands_of_nested_elements_still_give_text():
    """Broken markup that never closes its tags nests thousands deep: too deep to walk, so the
    parser reads the text without the tree and says so."""
    html = ("<html><head><title>Unclosed tags - Example Council</title></head><body>"
            + "<div><font>" * 1500 + "<h1>Unclosed tags</h1><p>"
            + "Councils in the region spent more on home care this year than last. " * 5
            + "</p></body></html>")
    doc = parse_bytes(html.encode(), "deep.html")
    assert doc.title == "Unclosed tags"
    assert "Councils in the region spent more" in doc.text
    assert doc.errors and "nested too deeply" in doc.errors[0]

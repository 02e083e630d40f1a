"""PDF and plain-text parsing, and the bad inputs every parser must refuse with one clear line."""

from __future__ import annotations

import io

import pytest

from conftest import corpus_rows
from sites import raw_pdf
from ics_text.collect.parse import ParseError, parse_bytes, parse_file

PDF_ROWS = [r for r in corpus_rows() if r["path"].endswith(".pdf")]


def _report_pdf(paragraphs: int = 30, encrypt: str | None = None) -> bytes:
    """A report the way publishers lay them out: cover, running header, page numbers, lists."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    story = [Paragraph("Stretched to the limit", styles["Title"]), PageBreak(),
             Paragraph("Key findings", styles["Heading2"])]
    for i in range(paragraphs):
        story.append(Paragraph(
            f"Finding {i}: councils in the survey reported that demand for support rose again, and "
            f"that the money set aside for prevention was spent on crisis care instead. This "
            f"paragraph runs over more than one line so that the parser must join its lines.",
            styles["BodyText"]))
        if i == 5:
            story.append(ListFlowable(
                [ListItem(Paragraph(t, styles["BodyText"])) for t in
                 ("Give councils three-year settlements.", "Restore the public health grant.")],
                bulletType="1", bulletFormat="%s."))

    def header(canvas, doc):
        canvas.setFont("Helvetica", 8)
        canvas.drawString(50, A4[1] - 30, "Example Network | Stretched to the limit")
        canvas.drawRightString(A4[0] - 50, 25, str(doc.page))

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title="Stretched to the limit", encrypt=encrypt).build(
        story, onLaterPages=header)
    return buf.getvalue()


def test_pdf_structure_pages_and_running_lines():
    doc = parse_bytes(_report_pdf(), "report.pdf")
    assert doc.title == "Stretched to the limit"
    assert doc.type == "report"
    assert "Example Network | Stretched" not in doc.text  # running header dropped
    paras = [b for b in doc.blocks if b.kind == "paragraph" and b.text.startswith("Finding")]
    assert len(paras) == 30  # lines joined into whole paragraphs, none split or merged
    assert all(b.text.endswith("join its lines.") for b in paras)
    assert paras[0].page == 2 and paras[-1].page > 2
    items = [b.text for b in doc.blocks if b.kind == "list_item"]
    assert items == ["1. Give councils three-year settlements.", "2. Restore the public health grant."]
    assert any(b.kind == "heading" and b.text == "Key findings" for b in doc.blocks)
    for line in doc.text.split("\n"):
        assert not line.strip().isdigit()  # page numbers dropped


@pytest.mark.parametrize("row", PDF_ROWS, ids=lambda r: f"{r['site']}/{r['path']}")
def test_corpus_pdfs(row):
    doc = parse_file(row["file"])
    assert doc.title
    assert len([b for b in doc.blocks if b.kind == "paragraph"]) >= 5
    assert any(b.page and b.page > 1 for b in doc.blocks)


def test_encrypted_pdf():
    with pytest.raises(ParseError, match="locked.pdf: encrypted PDF"):
        parse_bytes(_report_pdf(3, encrypt="secret"), "locked.pdf")


@pytest.mark.parametrize("data,name,message", [
    (b"", "empty.txt", "empty.txt: empty"),
    (b"   \n\n  ", "blank.html", "blank.html: empty"),
    (bytes(range(256)) * 50, "noise.bin", "noise.bin: binary data"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "broken.pdf", "broken.pdf: corrupt or unreadable PDF"),
    (b"<html><body><p>hello</p></body></html>", "fake.pdf", "fake.pdf: not a valid PDF"),
    (b"\x81\x8d\x8f\x90\x9d" * 400, "odd.txt", "odd.txt: "),
])
def test_bad_bytes_give_one_line_errors(data, name, message):
    with pytest.raises(ParseError) as e:
        parse_bytes(data, name)
    assert str(e.value).startswith(message)
    assert "\n" not in str(e.value)


def test_missing_and_huge_files(tmp_path):
    with pytest.raises(ParseError, match="nowhere.html: no such file"):
        parse_file(tmp_path / "nowhere.html")
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.write(b"<html><body>" + b"<p>word </p>" * (50 * 1024 * 1024 // 12) + b"</body></html>")
    with pytest.raises(ParseError, match=r"big.html: too large \(5\d\.\d MB"):
        parse_file(big)
    with pytest.raises(ParseError, match="is a folder"):
        parse_file(tmp_path)


def test_text_paragraphs_lists_and_title():
    text = ("Report calls for reform\n\nThe report makes three asks:\n- First ask\n"
            "* Second ask\n  continued\n3) Third ask\n\nA closing line.\n")
    doc = parse_bytes(text.encode(), "note.txt")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("title", "Report calls for reform"), ("paragraph", "The report makes three asks:"),
        ("list_item", "- First ask"), ("list_item", "- Second ask continued"),
        ("list_item", "3. Third ask"), ("paragraph", "A closing line.")]
    assert doc.title == "Report calls for reform"


def _scanned_pdf() -> bytes:
    """A page that is only a picture of text, as a scanner makes it."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(img)
    for y in range(60, 760, 18):
        draw.line((50, y, 550, y), fill=40, width=6)  # lines of "text"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(img), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return buf.getvalue()


def test_scanned_pdf_has_one_clear_error():
    with pytest.raises(ParseError) as e:
        parse_bytes(_scanned_pdf(), "scan.pdf")
    assert str(e.value) == "scan.pdf: no text layer (scanned PDF?)"


def _zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def test_zero_page_pdf():
    with pytest.raises(ParseError, match="empty.pdf: PDF has no pages"):
        parse_bytes(_zero_page_pdf(), "empty.pdf")


def test_truncated_pdf():
    data = _report_pdf(20)
    with pytest.raises(ParseError) as e:
        parse_bytes(data[: len(data) * 2 // 3], "cut.pdf")
    assert str(e.value).startswith("cut.pdf: truncated PDF")
    assert "\n" not in str(e.value)


def test_pdf_date_from_cover_and_junk_file_title():
    """A cover's 'March 2024' is the date; a file title like 'Microsoft Word - x.docx' is not a
    title; the cover's subtitle is the summary."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle("Microsoft Word - final_draft_v3.docx")
    c.setFont("Helvetica-Bold", 30)
    c.drawString(60, 560, "Counting every carer")
    c.setFont("Helvetica", 15)
    c.drawString(60, 520, "Unpaid care in the county, in numbers and in people's own words")
    c.setFont("Helvetica", 12)
    c.drawString(60, 120, "March 2024")
    c.showPage()
    c.setFont("Helvetica", 10)
    y = 760
    for i in range(12):
        c.drawString(60, y, f"Line {i} of the body text of the report, long enough to look like prose.")
        y -= 13
    c.showPage()
    c.save()
    doc = parse_bytes(buf.getvalue(), "carers.pdf")
    assert doc.title == "Counting every carer"
    assert doc.published == "2024-03-01"
    assert doc.summary == "Unpaid care in the county, in numbers and in people's own words"
    assert [b.kind for b in doc.blocks[:3]] == ["title", "summary", "paragraph"]
    assert "March 2024" not in doc.text


def test_pdf_footnotes_are_separate_and_references_leave_the_text():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_layouts import build_pdf

    doc = parse_bytes(build_pdf("footnotes")[0], "notes.pdf")
    first = next(b for b in doc.blocks if b.text.startswith("Councils spent around"))
    assert "2022/23, a smaller sum" in first.text  # the raised "1" is gone
    notes = [b for b in doc.blocks if b.text.startswith(("1 Figures", "2 The survey"))]
    assert len(notes) == 2 and all(b.kind == "paragraph" for b in notes)
    assert "organisations" in doc.text and "long-term" in doc.text  # hyphenated line ends

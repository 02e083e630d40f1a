"""Build the bundled corpus's report PDFs from their sources in corpus/_pdf-src/.

    .venv/bin/python scripts/build_report_pdfs.py [SOURCE.txt ...]

Each source is a small mark-up (see corpus/README.md). The PDFs get what real reports have and a
parser must cope with: a cover page, a running header and a page-number footer on every later page,
headings, bullets and numbered lists. Needs reportlab (in the `dev` extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate,
                                Spacer)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def parse_source(text: str) -> tuple[dict, list[tuple[str, str]]]:
    """Split a source into its header fields and a list of (kind, text) blocks."""
    head, _, body = text.partition("\n---\n")
    meta = {}
    for line in head.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip()] = value.strip()
    blocks = []
    for line in body.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.startswith("# "):
            blocks.append(("heading", line[2:]))
        elif line.startswith("- "):
            blocks.append(("bullet", line[2:]))
        elif line[:1].isdigit() and ". " in line[:4]:
            blocks.append(("number", line.split(". ", 1)[1]))
        elif line == "\\newpage":
            blocks.append(("pagebreak", ""))
        else:
            blocks.append(("para", line))
    return meta, blocks


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build(source: Path) -> Path:
    meta, blocks = parse_source(source.read_text(encoding="utf-8"))
    out = CORPUS / meta["output"]
    out.parent.mkdir(parents=True, exist_ok=True)
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10.5, leading=14, spaceAfter=6)
    story = [Spacer(1, 60 * mm), Paragraph(_escape(meta["title"]), styles["Title"])]
    if meta.get("subtitle"):
        story.append(Paragraph(_escape(meta["subtitle"]), styles["Heading3"]))
    story.append(PageBreak())
    pending: list[tuple[str, str]] = []

    def flush():
        if pending:
            numbered = pending[0][0] == "number"
            items = [ListItem(Paragraph(_escape(t), body)) for _, t in pending]
            story.append(ListFlowable(items, bulletType="1" if numbered else "bullet", bulletFormat="%s." if numbered else None,
                                      start="1" if numbered else None, leftIndent=14))
            pending.clear()

    for kind, text in blocks:
        if kind in ("bullet", "number"):
            if pending and pending[0][0] != kind:
                flush()
            pending.append((kind, text))
            continue
        flush()
        if kind == "heading":
            story.append(Paragraph(_escape(text), styles["Heading2"]))
        elif kind == "pagebreak":
            story.append(PageBreak())
        else:
            story.append(Paragraph(_escape(text), body))
    flush()

    header = meta.get("header", meta["title"])

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(20 * mm, A4[1] - 12 * mm, header)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(str(out), pagesize=A4, title=meta["title"],
                            author=meta.get("author", ""), leftMargin=20 * mm, rightMargin=20 * mm)
    doc.build(story, onLaterPages=decorate)
    return out


def main(argv: list[str]) -> None:
    sources = [Path(a) for a in argv] or sorted((CORPUS / "_pdf-src").rglob("*.txt"))
    for source in sources:
        print(build(source).relative_to(CORPUS))


if __name__ == "__main__":
    main(sys.argv[1:])

"""PDF reports: text by page with pypdfium2, rebuilt into headings, paragraphs and list items.

PDF text comes as positioned lines, not paragraphs. We read each line's position and font size
and rebuild the structure from the layout: a larger font is a heading, a vertical gap or a bullet
starts a new block, and lines that repeat at the top or bottom of most pages (running headers,
footers, page numbers) are dropped. Each block keeps its page number.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

from ..records import Block, Document
from .dates import find_date

BULLET = re.compile(r"^\s*(?:[•●▪■◦‣∙·\-–—*]|\uf0b7|\uf0a7)\s*")
NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(?=\S)")
PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$|^\s*[-–]\s*\d{1,4}\s*[-–]\s*$", re.I)


@dataclass
class Line:
    page: int
    text: str
    top: float  # distance from the top of the page, in points
    bottom: float
    left: float
    right: float
    size: float  # font size of its first letter
    page_height: float
    page_width: float


def parse_pdf(data: bytes, source: str) -> Document:
    import pypdfium2 as pdfium

    from .parse import ParseError

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg or "security" in msg:
            raise ParseError(f"{source}: encrypted PDF (a password is needed to read it)") from None
        raise ParseError(f"{source}: corrupt or unreadable PDF ({e})") from None
    try:
        lines = []
        for i in range(len(pdf)):
            lines.extend(_page_lines(pdf, i))
        info = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()
    lines = _drop_running_lines(lines)
    blocks = _blocks(lines)
    title = (info.get("Title") or "").strip() or None
    if not title:
        first = [b for b in blocks if b.kind in ("title", "heading") and b.page == 1]
        title = first[0].text if first else None
    if title and not any(b.kind == "title" for b in blocks):
        blocks.insert(0, Block("title", title, page=1, level=1))
    # The file's creation date is the best guess a bare PDF offers; a manifest or page overrides it.
    m = re.match(r"D:(\d{4})(\d\d)(\d\d)", info.get("CreationDate", ""))
    published = find_date("-".join(m.groups())) if m else None
    return Document.from_blocks(source, blocks, title=title, type="report", published=published)


def _page_lines(pdf, index: int) -> list[Line]:
    import pypdfium2.raw as raw

    page = pdf[index]
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        text = textpage.get_text_range(0, n) if n else ""
        lines, start = [], 0
        # get_text_range gives one character per char index, with \r\n where pdfium breaks lines
        for m in re.finditer(r"\r\n|\n|\r|$", text):
            seg = text[start:m.start()]
            first = start + (len(seg) - len(seg.lstrip()))
            last = start + len(seg.rstrip()) - 1
            if seg.strip() and last < n:
                # loose boxes span the font's ascent and descent: the same height for every glyph,
                # so gaps between lines do not depend on which letters they hold
                left, bottom, _, top = textpage.get_charbox(first, loose=True)
                _, _, right, _ = textpage.get_charbox(last, loose=True)
                # the size of the first letter: a bullet or list number is often drawn larger
                letter = re.search(r"[^\W\d_]", seg)
                size = raw.FPDFText_GetFontSize(textpage.raw, start + letter.start() if letter else first)
                lines.append(Line(index + 1, _fix(seg.strip()), height - top, height - bottom,
                                  left, right, round(size, 1), height, width))
            start = m.end()
            if m.start() == len(text):
                break
        return lines
    finally:
        textpage.close()
        page.close()


def _fix(text: str) -> str:
    return text.replace("\x02", "").replace("\u00ad", "").replace("\ufffe", "")


def _drop_running_lines(lines: list[Line]) -> list[Line]:
    """Drop page numbers and lines repeated in the top or bottom margin of most pages."""
    pages = {ln.page for ln in lines}

    def margin(ln: Line) -> bool:
        return ln.top < ln.page_height * 0.09 or ln.bottom > ln.page_height * 0.91

    def shape(ln: Line) -> str:
        return re.sub(r"\d+", "#", ln.text.lower()).strip()

    counts = Counter(shape(ln) for ln in lines if margin(ln))
    repeated = {s for s, c in counts.items() if len(pages) >= 3 and c >= max(2, len(pages) // 2)}
    return [ln for ln in lines
            if not (margin(ln) and (shape(ln) in repeated or PAGE_NUMBER.match(ln.text)))]


def _blocks(lines: list[Line]) -> list[Block]:
    if not lines:
        return []
    body_size = Counter(ln.size for ln in lines).most_common(1)[0][0]
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:])
            if a.page == b.page and a.size == b.size == body_size and 0 <= b.top - a.bottom < 40]
    gap = median(gaps) if gaps else 2.0
    body_left = Counter(round(ln.left) for ln in lines if ln.size == body_size).most_common(1)[0][0]
    blocks: list[Block] = []
    cur: list[str] = []
    kind, page, prev = "paragraph", 1, None
    counter = 0

    def flush():
        if cur:
            text = " ".join(cur)
            text = re.sub(r"(\w)- (\w)", lambda m: m.group(1) + "-" + m.group(2), text)
            level = 1 if kind == "title" else (2 if kind == "heading" else None)
            blocks.append(Block(kind, text, page=page, level=level))
        cur.clear()

    for ln in lines:
        heading = ln.size >= body_size * 1.15
        bullet = BULLET.match(ln.text) if not heading else None
        numbered = NUMBERED.match(ln.text) if not heading else None
        new_block = (
            prev is None or ln.page != prev.page and not _continues(prev, ln)
            or (ln.page == prev.page and ln.top - prev.bottom > gap + 3)
            or heading != (kind in ("title", "heading"))
            or bool(bullet) or bool(numbered)
            or (ln.page == prev.page and kind == "list_item" and round(ln.left) <= body_left + 1
                and ln.top - prev.bottom > gap + 1)
        )
        if new_block:
            flush()
            page = ln.page
            if heading:
                kind = "title" if ln.size >= body_size * 1.6 and ln.page == 1 else "heading"
                cur.append(ln.text)
            elif bullet or numbered:
                kind = "list_item"
                if numbered:
                    counter = int(numbered.group(1))
                    cur.append(f"{counter}. " + ln.text[numbered.end():].strip())
                else:
                    cur.append("- " + ln.text[bullet.end():].strip())
            else:
                kind = "paragraph"
                cur.append(ln.text)
        else:
            cur.append(ln.text)
        prev = ln
    flush()
    return _merge_marker_lines(blocks)


def _continues(prev: Line, ln: Line) -> bool:
    """A paragraph running over a page break: the last line fills the column and ends mid-sentence,
    or the next page starts in lower case."""
    full = prev.right > prev.page_width * 0.7
    open_end = not prev.text.rstrip().endswith((".", ":", "?", "!", "”", "’", '"'))
    return ln.size == prev.size and (full and open_end or ln.text[:1].islower())


def _merge_marker_lines(blocks: list[Block]) -> list[Block]:
    """A bullet or number drawn on its own line (common in generated PDFs) joins the next block."""
    out: list[Block] = []
    pending = None
    for b in blocks:
        bare = b.kind == "list_item" and re.fullmatch(r"(?:- |\d{1,2}\. )", b.text + " ")
        if bare:
            pending = b.text.strip()
            continue
        if pending is not None and b.kind == "paragraph":
            marker = "- " if pending == "-" else pending + " "
            b = Block("list_item", marker + b.text, page=b.page)
        pending = None
        out.append(b)
    return out

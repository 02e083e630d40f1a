"""PDF reports: text by page with pypdfium2, rebuilt into headings, paragraphs, list items and
table rows, in reading order.

PDF text comes as positioned glyphs, not paragraphs. We take pdfium's text (one character per
glyph) and its text rectangles (the runs of glyphs on each line), look up position, size and
weight where a run starts, and rebuild the page the way a reader sees it:

1. runs become segments: text on one baseline without a wide gap (a line of a column, a table
   cell). Footnote references (small raised digits) are dropped;
2. page furniture goes: page numbers, and lines in the top or bottom margin that repeat from page
   to page or are set small (running headers and footers); a date in them is kept for later;
3. columns: a vertical gutter that no body text crosses splits the page; text is read column by
   column, with full-width lines (a title, a heading across both columns) in their place;
4. lines become blocks: a larger font or a wholly bold short line is a heading, a bullet or a
   number starts a list item, a vertical gap starts a paragraph, rows of aligned cells are table
   rows; a paragraph continues into the next column or page when its last line runs to the
   column's edge without ending a sentence; hyphenated line ends are joined;
5. footnotes (small type below the body text at the foot of a page) become their own paragraphs,
   placed after the paragraph that was running when the page ended;
6. the cover: the largest text on page 1 is the title, a line under it in a middle size the
   summary, a "March 2024" line the publication date; nothing else on a cover is text.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from ..records import Block, Document
from .dates import date_from_url, find_date, month_in, month_year, published_date

BULLET = re.compile(r"^\s*(?:[•●▪■◦‣∙·\-–—*]|\uf0b7|\uf0a7|\uf076|\uf0d8)\s*")
HARD_BULLET = re.compile(r"^\s*(?:[•●▪■◦‣∙·*]|\uf0b7|\uf0a7|\uf076|\uf0d8)")
NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(?=\S)")
MARKER_ONLY = re.compile(r"^\s*(?:[•●▪■◦‣∙·\-–—*]|\uf0b7|\uf0a7|\d{1,2}[.)]|[a-z][.)])\s*$")
PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$|^\s*[-–]\s*\d{1,4}\s*[-–]\s*$",
                         re.I)
FOOTNOTE_START = re.compile(r"^\s*(?:\d{1,3}|[*†‡§])(?:[.)]|\s)\s*\S")
# A gap wider than this (in ems) between glyph runs on one line separates columns or table cells;
# the stretched word spaces of justified text stay well below it.
WIDE_GAP = 1.0
LINE_RE = re.compile(r"[^\r\n]+")
REF_ANY = re.compile(r"[\d*†‡]")
REF_AFTER_WORD = re.compile(r"(\S*[^\d\s])([\d*†‡]{1,3})(?=[\s\ufffe\x02]|$)")
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
             "\ufb05": "st", "\ufb06": "st"}
LIGATURE_RE = re.compile("[\ufb00-\ufb06]")
# pdfium reports a hyphen at a line end as U+FFFE or U+0002; a soft hyphen is U+00AD.
HYPHENS = "\ufffe\x02\u00ad"
# A hyphen at a line end before one of these first parts is a compound's ("long-term"); before
# a word's tail it is the typesetter's ("organi-sations").
COMPOUND_HEADS = {
    "long", "short", "well", "self", "co", "non", "cross", "multi", "one", "two", "three", "four",
    "five", "six", "seven", "eight", "nine", "ten", "half", "full", "part", "high", "low", "under",
    "over", "post", "pre", "anti", "mid", "semi", "sub", "inter", "first", "second", "third",
    "year", "day", "week", "month", "real", "all", "best", "front", "top", "place", "ring",
    "joined", "face", "follow", "step", "age", "home", "out", "up", "down", "large", "small",
    "new", "old", "wide", "open", "free", "ill", "health", "care", "cost", "time", "end", "end",
    "value", "evidence", "community", "locally", "nationally", "council", "county", "system",
    "rural", "urban", "world", "state", "hard", "fast", "far", "so", "re", "e",
}
SUFFIXES = ("tion", "tions", "sion", "sions", "ment", "ments", "ness", "ance", "ence", "ity",
            "ities", "ing", "ings", "ally", "ical", "ised", "ises", "ising", "ized", "izing",
            "able", "ible", "ous", "ive", "ives", "ary", "ory", "ure", "ship", "ism", "ist",
            "ists", "ated", "ation", "ations", "ers", "ly", "ed", "es", "ant", "ent", "ents")


@dataclass
class Seg:
    """A run of text on one baseline: a line of a column, a table cell, a page number."""

    page: int
    text: str
    left: float
    right: float
    top: float  # distance from the top of the page, in points (loose glyph boxes)
    bottom: float
    size: float
    bold: bool
    page_width: float
    page_height: float

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    page: int
    text: str
    top: float
    bottom: float
    left: float
    right: float
    size: float
    bold: bool
    col_left: float
    col_right: float
    column: int = 0
    cells: list[str] = field(default_factory=list)
    small: bool = False  # set smaller than the body, below it: a footnote


def parse_pdf(data: bytes, source: str, url: str | None = None) -> Document:
    import pypdfium2 as pdfium

    from .parse import ParseError

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg or "security" in msg:
            raise ParseError(f"{source}: encrypted PDF (a password is needed to read it)") from None
        if re.search(rb"/Count\s+0\b", data) and not re.search(rb"/Type\s*/Page(?!s)", data):
            raise ParseError(f"{source}: PDF has no pages") from None  # pdfium refuses these
        if b"%%EOF" not in data[-2048:] and data.count(b"endobj") >= 2:
            raise ParseError(f"{source}: truncated PDF (the file ends before the document does)") from None
        raise ParseError(f"{source}: corrupt or unreadable PDF ({e})") from None
    try:
        if len(pdf) == 0:
            raise ParseError(f"{source}: PDF has no pages")
        segs: list[Seg] = []
        errors: list[str] = []
        for i in range(len(pdf)):
            try:
                segs.extend(_page_segments(pdf, i))
            except pdfium.PdfiumError as e:  # one broken page does not lose the document
                errors.append(f"page {i + 1}: unreadable ({e})")
        info = pdf.get_metadata_dict(skip_empty=True)
        n_pages = len(pdf)
    finally:
        pdf.close()
    if not any(s.text.strip() for s in segs):
        raise ParseError(f"{source}: no text layer (scanned PDF?)")
    body = _body_size(segs)
    segs, running_dates = _drop_running(segs, body, n_pages)
    lines = _lines(segs, body)
    cover = _cover(lines, body, n_pages)
    blocks = _blocks([ln for ln in lines if ln.page > 1 or not cover.get("cover")], body)
    title = cover.get("title") or _meta_title(info.get("Title"))
    if not title:
        first = [b for b in blocks if b.kind in ("title", "heading") and b.page == 1]
        if first:
            title = first[0].text
            blocks.remove(first[0])  # it becomes the title block
    head: list[Block] = []
    if title:
        head.append(Block("title", title, page=1, level=1))
    if cover.get("summary"):
        head.append(Block("summary", cover["summary"], page=1))
    # A title found on page 1 without a cover is already a block; keep one title.
    blocks = [b for b in blocks if not (b.kind == "title" and _same(b.text, title))]
    blocks = [Block("heading", b.text, page=b.page, level=2) if b.kind == "title" else b
              for b in blocks]
    published = cover.get("published") or _common(running_dates)
    if published is None:
        # Then the file's creation date, unless the folder it is filed under says otherwise
        # (/files/2023-09/name.pdf, /uploads/2023/09/name.pdf); a manifest overrides both.
        m = re.match(r"D:(\d{4})(\d\d)(\d\d)", info.get("CreationDate", ""))
        created = find_date("-".join(m.groups())) if m else None
        filed = date_from_url(url or source) or _month_from_path(url or source)
        published = created if created and (not filed or created[:7] == filed[:7]) else filed
    return Document.from_blocks(source, head + [b for b in blocks if b.text.strip()], title=title,
                                type="report", published=published,
                                summary=cover.get("summary"), errors=errors)


# ---------------------------------------------------------------------------------------------
# words and segments


def _page_segments(pdf, index: int) -> list[Seg]:
    import pypdfium2.raw as raw

    page = pdf[index]
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        if not n:
            return []
        text = textpage.get_text_range(0, n)
        if len(text) != n:  # characters outside the BMP: fall back to one call per character
            text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(n))
        return _merge_segments(_line_segments(textpage, text, index + 1, width, height))
    finally:
        textpage.close()
        page.close()


def _line_segments(textpage, text: str, page: int, width: float, height: float) -> list[Seg]:
    """Split each of pdfium's lines where its glyph runs leave a wide gap (a gutter between
    columns written line by line, the cells of a table).

    pdfium's text rectangles give the runs of a line in one call; glyph-level calls are made only
    at the start of each segment (its position, size and weight) and at footnote references.
    Per-glyph calls would make a long report several times slower to read.
    """
    import pypdfium2.raw as raw

    tp = textpage.raw
    rect = raw.FS_RECTF()
    l_, t_, r_, b_ = (ctypes.c_double() for _ in range(4))
    refs = [ctypes.byref(v) for v in (l_, t_, r_, b_)]
    font_size = raw.FPDFText_GetFontSize
    name = ctypes.create_string_buffer(96)
    flags = ctypes.byref(ctypes.c_int(0))
    fonts: dict[bytes, bool] = {}

    def bold_at(i) -> bool:
        raw.FPDFText_GetFontInfo(tp, i, name, 96, flags)
        key = name.value
        if key not in fonts:
            low = key.lower()
            fonts[key] = (any(w in low for w in (b"bold", b"black", b"heavy", b"semibold", b"demi"))
                          or raw.FPDFText_GetFontWeight(tp, i) >= 600)
        return fonts[key]

    segs: list[Seg] = []
    for m in LINE_RE.finditer(text):
        a, b = m.start(), m.end()
        k = raw.FPDFText_CountRects(tp, a, b - a)
        if k <= 0:
            continue
        runs = []
        get_rect = raw.FPDFText_GetRect
        for r in range(k):
            get_rect(tp, r, *refs)
            runs.append((l_.value, t_.value, r_.value, b_.value))
        first = _letter(text, a, b)
        size = font_size(tp, first) or 1.0
        # group the runs: a wide gap or another baseline starts a new segment
        cuts = [a]
        bounds = [[runs[0][0], runs[0][2]]]
        for prev, run in zip(runs, runs[1:]):
            gap = run[0] - prev[2]
            shifted = abs((run[1] + run[3]) - (prev[1] + prev[3])) > 0.9 * size
            if gap > WIDE_GAP * size or gap < -0.5 * size or shifted:
                idx = raw.FPDFText_GetCharIndexAtPos(tp, run[0] + 0.3, (run[1] + run[3]) / 2, 1.5, 1.5)
                if cuts[-1] < idx < b:
                    cuts.append(idx)
                    bounds.append([run[0], run[2]])
                    continue
            bounds[-1][1] = max(bounds[-1][1], run[2])
        cuts.append(b)
        for (s, e), (left, right) in zip(zip(cuts, cuts[1:]), bounds):
            part = text[s:e]
            lead = len(part) - len(part.lstrip())
            part = part.strip()
            if not part.strip(HYPHENS):
                continue
            letter = _letter(text, s, e)
            psize = round(size if letter == first else font_size(tp, letter), 1)
            raw.FPDFText_GetLooseCharBox(tp, s + lead, rect)
            top, bottom = height - rect.top, height - rect.bottom
            part = _drop_references(part, s + lead, psize, tp, font_size)
            if not part:
                continue
            last = _letter(text, s, e, backwards=True)
            bold = bold_at(letter) and (last == letter or bold_at(last))
            if LIGATURE_RE.search(part):
                part = LIGATURE_RE.sub(lambda x: LIGATURES[x.group()], part)
            part = part[:-1].replace("\u00ad", "") + part[-1]
            segs.append(Seg(page, part, left, right, top, bottom, psize, bold, width, height))
    return segs


def _letter(text: str, s: int, e: int, backwards: bool = False) -> int:
    """Index of the first (or last) letter in text[s:e], for its font; s when there is none."""
    rng = range(e - 1, s - 1, -1) if backwards else range(s, e)
    for i in rng:
        if text[i].isalpha():
            return i
    return s


def _drop_references(part: str, start: int, size: float, tp, font_size) -> str:
    """Footnote references set as small raised digits after a word ("2022/23,1", "costs.3")."""
    if not REF_ANY.search(part):
        return part
    out, pos = [], 0
    for m in REF_AFTER_WORD.finditer(part):
        k = m.start(2)
        if font_size(tp, start + k) <= 0.75 * size:
            out.append(part[pos:k])
            pos = m.end(2)
    out.append(part[pos:])
    return "".join(out).strip()


def _merge_segments(segs: list[Seg]) -> list[Seg]:
    """Segments that pdfium put on separate lines but that sit on one baseline close together
    (text after a raised footnote number); a bare raised number on its own goes."""
    out: list[Seg] = []
    for s in segs:
        if out:
            p = out[-1]
            same = abs(s.mid - p.mid) < 0.45 * max(p.size, s.size)
            gap = s.left - p.right
            if (s.size <= 0.75 * p.size and s.text.strip(" *†‡").isdigit() and s.bottom < p.bottom
                    and abs(gap) < p.size):
                continue
            if same and -0.5 * p.size <= gap <= WIDE_GAP * p.size and abs(s.size - p.size) < 0.3 * p.size:
                # the size of the text, not of a bullet set larger in front of it
                size = p.size if len(p.text.strip(HYPHENS)) >= len(s.text) else s.size
                out[-1] = Seg(p.page, p.text + " " + s.text, p.left, max(p.right, s.right),
                              min(p.top, s.top), max(p.bottom, s.bottom), size,
                              (p.bold or MARKER_ONLY.match(p.text) is not None) and s.bold,
                              p.page_width, p.page_height)
                continue
        out.append(s)
    return out


def _body_size(segs: list[Seg]) -> float:
    sizes = Counter()
    for s in segs:
        sizes[s.size] += len(s.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


# ---------------------------------------------------------------------------------------------
# page furniture


def _drop_running(segs: list[Seg], body: float, n_pages: int) -> tuple[list[Seg], list[str]]:
    """Page numbers, and segments in the top or bottom margin that repeat on other pages (or, in
    a document too short for repeats, are set small at the very edge). Dates in them are returned:
    a footer often carries the publication date."""
    def margin(s: Seg) -> bool:
        return s.top < s.page_height * 0.075 or s.bottom > s.page_height * 0.925

    def edge(s: Seg) -> bool:
        return s.top < s.page_height * 0.05 or s.bottom > s.page_height * 0.95

    def shape(s: Seg) -> str:
        return re.sub(r"\d+", "#", s.text.lower()).strip()

    pages_with = Counter()
    for s in {(shape(s), s.page) for s in segs if margin(s)}:
        pages_with[s[0]] += 1
    keep, dates = [], []
    for s in segs:
        if margin(s) and (PAGE_NUMBER.match(s.text) or (n_pages >= 2 and pages_with[shape(s)] >= 2)
                          or (n_pages <= 3 and edge(s) and s.size <= 0.9 * body)):
            for part in re.split(r"\s*[|·•]\s*", s.text):
                iso = month_year(part) or (find_date(part) if _mostly_date(part) else None)
                if iso:
                    dates.append(iso)
            continue
        keep.append(s)
    return keep, dates


# ---------------------------------------------------------------------------------------------
# reading order


def _lines(segs: list[Seg], body: float) -> list[Line]:
    by_page: dict[int, list[Seg]] = {}
    for s in segs:
        by_page.setdefault(s.page, []).append(s)
    lines: list[Line] = []
    for page in sorted(by_page):
        lines.extend(_page_lines(by_page[page], body))
    return lines


def _page_lines(segs: list[Seg], body: float) -> list[Line]:
    gutter = _gutter(segs, body)
    if gutter is None:
        groups = [(segs, 0)]
        bounds = {0: _bounds(segs, body)}
    else:
        g0, g1 = gutter
        left = [s for s in segs if s.right <= g0 + 1]
        right = [s for s in segs if s.left >= g1 - 1 and s.right > g0 + 1]
        sided = {id(s) for s in left} | {id(s) for s in right}
        span = [s for s in segs if id(s) not in sided]
        bounds = {0: _bounds(left, body), 1: _bounds(right, body), 2: _bounds(segs, body)}
        # Bands between full-width segments; in each band, the left column then the right.
        span.sort(key=lambda s: s.top)
        groups, above = [], -1.0
        for cut in [*span, None]:
            limit = cut.top if cut else float("inf")
            band_l = [s for s in left if above <= s.mid < limit]
            band_r = [s for s in right if above <= s.mid < limit]
            if band_l:
                groups.append((band_l, 0))
            if band_r:
                groups.append((band_r, 1))
            if cut is not None:
                groups.append(([cut], 2))
                above = cut.mid
    out: list[Line] = []
    for group, col in groups:
        lo, hi = bounds[col]
        for row in _rows(group):
            out.append(_line(row, lo, hi, col))
    _mark_footnotes(out, body)
    return out


def _bounds(segs: list[Seg], body: float) -> tuple[float, float]:
    text = [s for s in segs if abs(s.size - body) <= 0.15 * body] or segs
    if not text:
        return 0.0, 1.0
    return min(s.left for s in text), max(s.right for s in text)


def _gutter(segs: list[Seg], body: float) -> tuple[float, float] | None:
    """The gap between two columns: a left edge in the middle of the page where many lines start,
    which (almost) no body line crosses, with full lines of running text on both sides."""
    text = [s for s in segs if abs(s.size - body) <= 0.15 * body]
    if len(text) < 8:
        return None
    width = text[0].page_width
    starts = Counter(round(s.left) for s in text if 0.3 * width <= s.left <= 0.7 * width)
    allowed = max(1, len(text) // 12)  # full-width lines (a title, an opening paragraph)
    best = None
    for x, _ in starts.most_common(6):
        n = sum(c for y, c in starts.items() if abs(y - x) <= 1)
        edge = x - 2
        crossing = sum(1 for s in text if s.left < edge < s.right)
        if n >= 2 and crossing <= allowed and (best is None or n > best[0]):
            best = (n, edge)
    if best is None:
        return None
    edge = best[1]
    left = [s for s in text if s.right <= edge + 1]
    right = [s for s in text if s.left >= edge - 1]
    if len(left) < 4 or len(right) < 2:
        return None
    # Columns of running text, not the cells of a table: most lines fill their column.
    lw = max(s.right for s in left) - min(s.left for s in left)
    rw = max(s.right for s in right) - min(s.left for s in right)
    if (median(s.right - s.left for s in left) < 0.6 * lw
            or median(s.right - s.left for s in right) < 0.6 * rw):
        return None
    return max(s.right for s in left), edge + 2


def _rows(segs: list[Seg]) -> list[list[Seg]]:
    """Segments on the same baseline, top to bottom, each row left to right."""
    rows: list[list[Seg]] = []
    for s in sorted(segs, key=lambda s: (s.top, s.left)):
        if rows:
            last = rows[-1]
            ref = max(last, key=lambda x: x.size)
            if abs(s.mid - ref.mid) < 0.45 * max(ref.size, s.size):
                last.append(s)
                continue
        rows.append([s])
    return [sorted(r, key=lambda s: s.left) for r in rows]


def _line(row: list[Seg], lo: float, hi: float, col: int) -> Line:
    # a bullet or list number set apart from its text is part of the line, not a cell
    cells: list[Seg] = []
    for s in row:
        if cells and MARKER_ONLY.match(cells[-1].text) and len(cells) == 1:
            first = cells.pop()
            s = Seg(s.page, first.text.strip() + " " + s.text, first.left, s.right,
                    min(first.top, s.top), max(first.bottom, s.bottom), s.size, s.bold,
                    s.page_width, s.page_height)
        cells.append(s)
    main = max(cells, key=lambda s: len(s.text))
    text = " ".join(c.text for c in cells)
    return Line(main.page, text, min(c.top for c in cells), max(c.bottom for c in cells),
                cells[0].left, cells[-1].right, main.size, all(c.bold for c in cells), lo, hi, col,
                [c.text for c in cells] if len(cells) > 1 else [])


def _mark_footnotes(lines: list[Line], body: float) -> None:
    """Lines in small type below all the body text of their page."""
    body_lines = [ln for ln in lines if ln.size >= 0.9 * body]
    if not body_lines:
        return
    floor = max(ln.bottom for ln in body_lines)
    started = False
    for ln in sorted(lines, key=lambda x: x.top):
        if ln.top >= floor - 1 and ln.size <= 0.85 * body:
            if started or FOOTNOTE_START.match(ln.text):
                ln.small = started = True


# ---------------------------------------------------------------------------------------------
# the cover


def _cover(lines: list[Line], body: float, n_pages: int) -> dict:
    """Title, summary and date from page 1 when it is a cover (few lines, a large title); from the
    top of page 1 otherwise (the title and a date line under it)."""
    first = [ln for ln in lines if ln.page == 1]
    if not first:
        return {}
    biggest = max(ln.size for ln in first)
    if biggest < 1.4 * body:
        return {}
    is_cover = n_pages >= 2 and len(first) <= 12 and biggest >= 1.6 * body
    title_lines = [ln for ln in first if ln.size >= biggest - 0.5]
    # the title is the first run of the largest lines
    start = first.index(title_lines[0])
    run = [first[start]]
    for ln in first[start + 1:]:
        if ln.size >= biggest - 0.5 and ln.top - run[-1].bottom < ln.size:
            run.append(ln)
        else:
            break
    out: dict = {"title": " ".join(ln.text for ln in run), "cover": is_cover}
    rest = [ln for ln in first if ln not in run]
    candidates = rest if is_cover else [ln for ln in rest if first.index(ln) <= start + len(run) + 2]
    # lines set alike and close together are one unit (a subtitle over two lines)
    units: list[list[Line]] = []
    for ln in candidates:
        if units and abs(ln.size - units[-1][-1].size) < 0.3 and -0.3 * ln.size <= ln.top - units[-1][-1].bottom < ln.size * 0.8:
            units[-1].append(ln)
        else:
            units.append([ln])
    found_in_text = None
    for unit in units:
        text = " ".join(ln.text for ln in unit)
        iso = _date_line(text)
        if iso:
            out.setdefault("published", iso)
            for ln in unit:
                ln.text = ""
            continue
        # "A report for ... by ..., September 2020": the date of an otherwise wordy cover line
        found_in_text = found_in_text or find_date(text) or month_in(text)
        if is_cover and "summary" not in out and len(text.split()) >= 4:
            out["summary"] = text
    if "published" not in out and found_in_text:
        out["published"] = found_in_text
    if not is_cover:
        for ln in run:
            ln.text = ""  # the title becomes the document's title block
    return out


def _date_line(text: str) -> str | None:
    """'March 2024', 'Published 14 June 2022', 'Briefing | 5 September 2024'."""
    parts = [p for p in re.split(r"\s*[|·•]\s*", text.strip()) if p]
    for part in parts:
        iso = month_year(part)
        if iso:
            return iso
    if len(text) <= 80 and _mostly_date(text):
        return published_date(text)
    return None


def _mostly_date(text: str) -> bool:
    if not find_date(text):
        return False
    rest = re.sub(r"\d{1,2}(st|nd|rd|th)?\s+\w+\s+\d{4}|\w+\s+\d{1,2},?\s+\d{4}|\d{4}-\d\d-\d\d"
                  r"|\d{1,2}/\d{1,2}/\d{4}", "", text)
    return len(rest.split()) <= 4


def _month_from_path(path: str) -> str | None:
    m = re.search(r"/((?:19|20)\d\d)[/-](0[1-9]|1[0-2])/", path.replace("\\", "/"))
    return f"{m.group(1)}-{m.group(2)}-01" if m else None


def _meta_title(title: str | None) -> str | None:
    """The file's own title, unless it is a file name or a placeholder."""
    if not title or len(title.strip()) < 4:
        return None
    t = title.strip()
    if re.search(r"\.(docx?|pdf|indd|pptx?|xlsx?|rtf|odt)$|^microsoft (word|powerpoint)|^untitled|"
                 r"^document\d*$|^slide \d+$|^powerpoint presentation$", t, re.I):
        return None
    return t


# ---------------------------------------------------------------------------------------------
# blocks


def _blocks(lines: list[Line], body: float) -> list[Block]:
    lines = [ln for ln in lines if ln.text.strip()]
    if not lines:
        return []
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:])
            if a.page == b.page and a.column == b.column and not a.small and not b.small
            and abs(a.size - body) < 0.05 * body and abs(b.size - body) < 0.05 * body
            and 0 <= b.top - a.bottom < 3 * body]
    # the gap between lines of one paragraph: the lower quartile, since in a short document
    # with many one-line paragraphs most gaps are gaps between paragraphs
    gap = sorted(gaps)[len(gaps) // 4] if gaps else 2.0
    vocab = _vocabulary(lines)
    blocks: list[Block] = []
    notes: list[Block] = []
    cur: list[Line] = []
    kind = "paragraph"
    counter = 0

    def flush(next_page: int | None = None):
        nonlocal cur
        if cur:
            text = _join_lines([ln.text for ln in cur], vocab)
            level = 1 if kind == "title" else (2 if kind == "heading" else None)
            blocks.append(Block(kind, text, page=cur[0].page, level=level))
        cur = []
        # footnotes of pages that have ended go after the block that was running
        while notes and (next_page is None or notes[0].page < next_page):
            blocks.append(notes.pop(0))

    prev: Line | None = None
    for i, ln in enumerate(lines):
        if ln.small:
            if notes and notes[-1].page == ln.page and not FOOTNOTE_START.match(ln.text):
                notes[-1] = Block("paragraph", _join_lines([notes[-1].text, ln.text], vocab),
                                  page=ln.page)
            else:
                notes.append(Block("paragraph", ln.text, page=ln.page))
            continue
        nxt = next((x for x in lines[i + 1:] if not x.small), None)
        if ln.cells and (_is_row(prev) or _is_row(nxt)):
            flush(ln.page)
            blocks.append(Block("table", " | ".join(c.strip() for c in ln.cells if c.strip()),
                                page=ln.page))
            prev, kind = ln, "table"
            continue
        heading = _is_heading(ln, prev, nxt, body, gap, kind)
        bullet = BULLET.match(ln.text) if not heading else None
        if bullet and not HARD_BULLET.match(ln.text) and prev is not None and not _dash_bullet(ln, prev, kind):
            bullet = None
        numbered = NUMBERED.match(ln.text) if not heading else None
        in_heading = kind in ("title", "heading")
        new_block = (
            prev is None or kind == "table"
            or (_moved(prev, ln) and not _continues(prev, ln, in_heading, heading))
            or (not _moved(prev, ln) and ln.top - prev.bottom > gap + max(2.5, 0.3 * body))
            or heading != in_heading
            or (heading and ln.size != prev.size)
            or bool(bullet) or bool(numbered)
            or (kind == "list_item" and not _moved(prev, ln) and ln.left <= prev.col_left + 1
                and ln.top - prev.bottom > gap + 1)
        )
        if new_block:
            flush(ln.page)
            if heading:
                kind = "heading"
                cur.append(ln)
            elif bullet or numbered:
                kind = "list_item"
                if numbered:
                    counter = int(numbered.group(1))
                    ln.text = f"{counter}. " + ln.text[numbered.end():].strip()
                else:
                    ln.text = "- " + ln.text[bullet.end():].strip()
                cur.append(ln)
            else:
                kind = "paragraph"
                cur.append(ln)
        else:
            cur.append(ln)
        prev = ln
    flush()
    return _drop_pull_quotes(_merge_marker_lines(blocks))


def _is_row(ln: Line | None) -> bool:
    return ln is not None and len(ln.cells) >= 2


def _moved(prev: Line, ln: Line) -> bool:
    """The next line is in another column or on another page."""
    return ln.page != prev.page or ln.column != prev.column or ln.top < prev.top - 1


def _is_heading(ln: Line, prev: Line | None, nxt: Line | None, body: float, gap: float,
                kind: str) -> bool:
    if ln.size >= body * 1.15:
        return True
    if not ln.bold or len(ln.text) > 120 or ln.text.rstrip()[-1:] in ".,;:" or ln.size < 0.9 * body:
        return False
    if nxt is not None and nxt.bold and not _moved(ln, nxt) and nxt.top - ln.bottom <= gap + 2:
        return True  # a heading over two lines
    # a bold line that opens a block; not the bold lead-in of a paragraph that goes on
    starts = (prev is None or _moved(prev, ln) or ln.top - prev.bottom > gap + 1
              or kind in ("heading", "title"))
    return starts


def _dash_bullet(ln: Line, prev: Line, kind: str) -> bool:
    """A line starting with a dash is a list item when it starts a new item, not when a sentence
    broken over two lines goes on with a parenthetical dash."""
    if kind == "list_item":
        return True
    ended = prev.text.rstrip().endswith((".", ":", ";", "?", "!"))
    return ended or ln.top - prev.bottom > 2 or ln.left > prev.left + 2


def _continues(prev: Line, ln: Line, in_heading: bool, heading: bool) -> bool:
    """A paragraph running on into the next column or page: the last line fills its column and
    ends mid-sentence, or the next line starts in lower case."""
    if in_heading or heading or abs(ln.size - prev.size) > 0.3:
        return False
    full = prev.right >= prev.col_right - 0.12 * max(1.0, prev.col_right - prev.col_left)
    open_end = not prev.text.rstrip().endswith((".", ":", "?", "!", "”", "’", '"', ";"))
    starts_lower = ln.text[:1].islower()
    return (full and open_end) or starts_lower


class _vocabulary:
    """The document's words, collected the first time a hyphenated line end needs them."""

    def __init__(self, lines: list[Line]):
        self.lines, self.words = lines, None

    def __contains__(self, word: str) -> bool:
        if self.words is None:
            text = " ".join(ln.text for ln in self.lines).lower()
            self.words = set(re.findall(r"[a-z][a-z-]+[a-z]", text))
        return word in self.words


def _join_lines(parts: list[str], vocab) -> str:
    """Join a block's lines; a hyphen at a line end is dropped when it splits a word and kept when
    it joins a compound."""
    out = ""
    for part in parts:
        part = part.strip()
        if not out:
            out = part
            continue
        m = re.search(r"([A-Za-z]+)[-\ufffe\x02\u00ad]$", out)
        n = re.match(r"([a-z]+)", part)
        if m and n:
            head, tail = m.group(1), n.group(1)
            joined = (head + tail).lower()
            if joined in vocab and f"{head}-{tail}".lower() not in vocab:
                out = out[:-1] + part
            elif f"{head}-{tail}".lower() in vocab or head.lower() in COMPOUND_HEADS:
                out = out[:-1] + "-" + part
            elif tail.endswith(SUFFIXES) or len(head) >= 2:
                out = out[:-1] + part
            else:
                out = out[:-1] + "-" + part
        else:
            out = out.rstrip("\ufffe\x02\u00ad") + " " + part
    return " ".join(out.translate({0xFFFE: "-", 2: "-", 0xAD: None}).split())


def _drop_pull_quotes(blocks: list[Block]) -> list[Block]:
    """A pull quote repeats a sentence of the text in large type: as a heading it would be read
    twice. A long 'heading' found word for word in a paragraph is one."""
    paras = " ".join(" ".join(b.text.split()) for b in blocks if b.kind != "heading")
    return [b for b in blocks if not (b.kind == "heading" and len(b.text) > 60
                                      and " ".join(b.text.split()).strip("“”\"'‘’ ") in paras)]


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


def _common(values: list[str]) -> str | None:
    return Counter(values).most_common(1)[0][0] if values else None


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and " ".join(a.split()).lower() == " ".join(b.split()).lower()

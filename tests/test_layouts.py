"""Layouts nobody here has seen: pages and PDFs laid out the way real CMSs and report tools do.

Each HTML page in ``tests/data/layouts/`` has a ``.json`` next to it with the expected title, date
and the ordered (kind, text) blocks (see the README there). The parser is scored per page on
block-level precision and recall of text (blocks matched in order) and on the kinds of the
matched blocks. Run this file as a script for a table of figures:

    .venv/bin/python tests/test_layouts.py
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LAYOUTS = HERE / "data" / "layouts"
PAGES = sorted(p for p in LAYOUTS.glob("*.html"))

# Per-page floors. The pages are written to be read exactly; the slack is for one block of a page.
MIN_PRECISION = 0.9
MIN_RECALL = 0.9
MIN_KIND_ACCURACY = 0.9


def norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def match(expected: list[tuple[str, str]], got: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """Pairs (i, j) of expected and parsed blocks with the same text, in order (longest common
    subsequence), so that a block in the wrong place or split in two does not count."""
    a = [norm(t) for _, t in expected]
    b = [norm(t) for _, t in got]
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if a[i] == b[j]
                           else max(table[i + 1][j], table[i][j + 1]))
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def score(expected: list[tuple[str, str]], got: list[tuple[str, str]]) -> dict:
    pairs = match(expected, got)
    same_kind = sum(1 for i, j in pairs if expected[i][0] == got[j][0])
    return {
        "expected": len(expected), "got": len(got), "matched": len(pairs), "same_kind": same_kind,
        "precision": len(pairs) / len(got) if got else 0.0,
        "recall": len(pairs) / len(expected) if expected else 1.0,
        "kinds": same_kind / len(pairs) if pairs else 0.0,
        "missing": [expected[i][1] for i in range(len(expected)) if i not in {p for p, _ in pairs}],
        "extra": [got[j][1] for j in range(len(got)) if j not in {q for _, q in pairs}],
    }


def load(page: Path) -> dict:
    spec = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    spec["blocks"] = [tuple(b) for b in spec["blocks"]]
    return spec


def parse_page(page: Path, spec: dict):
    from ics_text.collect.parse import parse_bytes

    return parse_bytes(page.read_bytes(), page.name, url=spec.get("url"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_html_layout(page):
    spec = load(page)
    doc = parse_page(page, spec)
    got = [(b.kind, b.text) for b in doc.blocks]
    s = score(spec["blocks"], got)
    assert norm(doc.title) == norm(spec["title"])
    assert doc.published == spec["published"]
    for field in ("publisher", "type", "summary"):
        if field in spec:
            assert norm(getattr(doc, field)) == norm(spec[field]), field
    for link in spec.get("links_include", []):
        assert link in doc.links
    assert doc.blocks and doc.blocks[0].kind == "title"
    detail = f"missing={s['missing'][:3]} extra={s['extra'][:3]}"
    assert s["precision"] >= MIN_PRECISION, detail
    assert s["recall"] >= MIN_RECALL, detail
    assert s["kinds"] >= MIN_KIND_ACCURACY, [(spec["blocks"][i], got[j]) for i, j in
                                             match(spec["blocks"], got)
                                             if spec["blocks"][i][0] != got[j][0]][:3]


def test_layout_set_overall():
    """Across all pages: blocks matched in order, micro-averaged."""
    totals = {"expected": 0, "got": 0, "matched": 0}
    for page in PAGES:
        spec = load(page)
        s = score(spec["blocks"], [(b.kind, b.text) for b in parse_page(page, spec).blocks])
        for k in totals:
            totals[k] += s[k]
    assert len(PAGES) >= 12
    assert totals["matched"] / totals["got"] >= 0.97
    assert totals["matched"] / totals["expected"] >= 0.97


# =============================================================================================
# PDF layouts. A small typesetter draws reports the way report tools lay them out (a cover page,
# columns, running header and footer, footnotes in small type, tables, justified and hyphenated
# text) and records, as it goes, the blocks a reader would see; the parser must give those back.


class Typesetter:
    """Lays text out on A4 pages with reportlab's canvas and records the expected blocks.

    Marks in the text: ``~`` is a hyphenation point ("organi~sations"), ``[^3]`` a footnote
    reference (drawn as a small raised number, its note at the foot of that page). With
    ``interleave`` each page's lines are written top to bottom across the columns, as some
    producers do, instead of column by column.
    """

    def __init__(self, *, columns=1, size=10.0, leading=13.0, justify=False, header=None,
                 footer=None, page_label="{n}", total=0, footnote_area=0.0, interleave=False,
                 pdf_title=None, font="Helvetica", bold="Helvetica-Bold"):
        import io

        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        self.W, self.H = A4
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=A4)
        if pdf_title:
            self.c.setTitle(pdf_title)
        self.columns, self.size, self.leading, self.justify = columns, size, leading, justify
        self.header, self.footer, self.page_label, self.total = header, footer, page_label, total
        self.font, self.bold, self.interleave = font, bold, interleave
        self.left, self.right, self.top, self.bottom, self.gutter = 56.0, 56.0, 70.0, 64.0, 20.0
        self.footnote_area = footnote_area
        self.page, self.col = 1, 0
        self.y = self.column_top = self.low = self.H - self.top
        self.ops: list = []
        self.expected: list[tuple[str, str]] = []
        self.notes: dict[int, str] = {}
        self.page_notes: list[int] = []
        self.done_notes: list[tuple[str, str]] = []  # notes of finished pages, not yet placed
        self.cover_page = False
        self.full_width = False

    # geometry ----------------------------------------------------------------------------------
    def box(self) -> tuple[float, float]:
        width = self.W - self.left - self.right
        if self.columns == 1 or self.full_width:
            return self.left, self.left + width
        w = (width - self.gutter * (self.columns - 1)) / self.columns
        x0 = self.left + self.col * (w + self.gutter)
        return x0, x0 + w

    def floor(self) -> float:
        return self.bottom + self.footnote_area

    def draw(self, x, y, text, font, size):
        def op(c=self.c):
            c.setFont(font, size)
            c.drawString(x, y, text)
        if self.interleave:
            self.ops.append((-round(y, 1), x, op))
        else:
            op()

    def new_column(self):
        if self.columns > 1 and not self.full_width and self.col < self.columns - 1:
            self.col += 1
            self.y = self.column_top
        else:
            self.new_page()

    def new_page(self):
        for _, _, op in sorted(self.ops, key=lambda o: (o[0], o[1])):
            op()
        self.ops = []
        self._furniture()
        self.c.showPage()
        self.page += 1
        self.col = 0
        self.y = self.column_top = self.low = self.H - self.top
        self.cover_page = False

    def span(self, on: bool):
        """Switch between full-width text and columns on the same page."""
        if on:
            self.y = min(self.y, self.low)
            self.full_width = True
        else:
            self.full_width = False
            self.col = 0
            self.column_top = self.y

    def _furniture(self):
        c = self.c
        if self.page_notes:
            y = self.bottom + self.footnote_area - 16
            c.setLineWidth(0.5)
            c.line(self.left, y + 11, self.left + 120, y + 11)
            for n in self.page_notes:
                c.setFont("Helvetica", 7.5)
                c.drawString(self.left, y, str(n))
                for words in self.wrap(self.notes[n], "Helvetica", 7.5, self.W - self.left - self.right - 10):
                    c.drawString(self.left + 8, y, " ".join(words).replace("~", ""))
                    y -= 9.5
                self.done_notes.append(("paragraph", f"{n} {self.notes[n].replace('~', '')}"))
            self.page_notes = []
        if self.cover_page:
            return
        c.setFont("Helvetica", 8)
        if self.header:
            c.drawRightString(self.W - self.right, self.H - 36, self.header)
        label = self.page_label.format(n=self.page, total=self.total)
        if self.footer:
            c.drawString(self.left, 30, self.footer)
            c.drawRightString(self.W - self.right, 30, label)
        else:
            c.drawCentredString(self.W / 2, 30, label)

    # text --------------------------------------------------------------------------------------
    @staticmethod
    def width(word, font, size) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return stringWidth(re.sub(r"\[\^\d+\]|~", "", word), font, size)

    def wrap(self, text, font, size, width) -> list[list[str]]:
        """Greedy line breaking; a word that does not fit may break at a '~' (drawn as a hyphen)
        or after a hyphen of its own ('long-term')."""
        lines, line = [], []
        space = self.width(" ", font, size)
        for word in text.split():
            used = sum(self.width(w, font, size) for w in line) + space * len(line)
            if used + self.width(word, font, size) <= width or not line:
                line.append(word)
                continue
            cut = None
            for m in reversed(list(re.finditer(r"~|-(?=[a-z])", word))):
                head = word[:m.start()] + "-" if m.group() == "~" else word[:m.end()]
                if used + self.width(head, font, size) <= width:
                    cut = (head, word[m.end():])
                    break
            lines.append(line + [cut[0]] if cut else line)
            line = [cut[1] if cut else word]
        if line:
            lines.append(line)
        return lines

    def write_line(self, x, y, words, font, size, width, last):
        natural = sum(self.width(w, font, size) for w in words)
        space = self.width(" ", font, size)
        if self.justify and not last and len(words) > 1:
            space = (width - natural) / (len(words) - 1)
        for w in words:
            m = re.search(r"\[\^(\d+)\]", w)
            plain = re.sub(r"\[\^\d+\]", "", w).replace("~", "")
            self.draw(x, y, plain, font, size)
            x += self.width(plain, font, size)
            if m:
                n = int(m.group(1))
                self.draw(x + 0.5, y + size * 0.4, str(n), font, size * 0.6)
                self.page_notes.append(n)
                x += self.width(str(n), font, size * 0.6) + 0.5
            x += space

    def block(self, kind, text, *, font=None, size=None, indent=0.0, marker=None,
              space_before=0.0, space_after=6.0, leading=None, shown=None):
        font, size = font or self.font, size or self.size
        leading = leading or (self.leading if size == self.size else size * 1.25)
        self.y -= space_before
        x0, x1 = self.box()
        lines = self.wrap(text, font, size, x1 - x0 - indent)
        for i, words in enumerate(lines):
            if self.y - leading < self.floor():
                self.new_column()
                x0, x1 = self.box()
            self.y -= leading
            self.low = min(self.low, self.y)
            if i == 0 and marker:
                self.draw(x0, self.y, marker, font, size)
            self.write_line(x0 + indent, self.y, words, font, size, x1 - x0 - indent,
                            last=i == len(lines) - 1)
        self.y -= space_after
        plain = re.sub(r"\[\^\d+\]", "", text).replace("~", "")
        self.expected.append((kind, (shown or "") + plain))
        # footnotes of finished pages go after the block that ran over the page break
        self.expected.extend(self.done_notes)
        self.done_notes = []

    def heading(self, text, size=None, bold=True, space_before=10.0):
        self.block("heading", text, font=self.bold if bold else self.font, size=size or self.size,
                   space_before=space_before, space_after=3.0)

    def para(self, text, **kw):
        self.block("paragraph", text, **kw)

    def bullet(self, text, char="•"):
        self.block("list_item", text, indent=12, marker=char, space_after=3, shown="- ")

    def numbered(self, n, text):
        self.block("list_item", text, indent=16, marker=f"{n}.", space_after=3, shown=f"{n}. ")

    def table(self, rows, widths, size=None):
        size = size or self.size - 1
        for r, row in enumerate(rows):
            if self.y - size * 1.7 < self.floor():
                self.new_column()
            x0, _ = self.box()
            self.y -= size * 1.7
            self.low = min(self.low, self.y)
            x = x0
            for cell, w in zip(row, widths):
                self.draw(x, self.y, cell, self.bold if r == 0 else self.font, size)
                x += w
            self.expected.append(("table", " | ".join(row)))
        self.y -= 8

    def heading_at_page_bottom(self, text, size=None):
        """A heading stranded as the last line of a page, its text on the next page."""
        size = size or self.size
        self.y = self.floor() + size * 1.25 + 2
        self.block("heading", text, font=self.bold, size=size, space_after=0)
        self.new_page()

    def cover(self, title_lines, subtitle=None, date=None, extra=None):
        self.cover_page = True
        y = self.H - 260
        for line in title_lines:
            self.draw(self.left, y, line, self.bold, 28)
            y -= 34
        if subtitle:
            self.draw(self.left, y - 12, subtitle, self.font, 15)
        if extra:
            self.draw(self.left, y - 80, extra, self.font, 11)
        if date:
            self.draw(self.left, 120, date, self.font, 12)
        self.expected.append(("title", " ".join(title_lines)))
        if subtitle:
            self.expected.append(("summary", subtitle))
        self.new_page()

    def finish(self) -> bytes:
        self.new_page()
        self.expected.extend(self.done_notes)
        self.c.save()
        return self.buf.getvalue()


def _two_column(total=0):
    """Cover with a two-line title, subtitle and 'March 2024'; two justified columns; numbered
    headings; bullets; a running footer with the publisher and date; paragraphs that run from
    one column to the next and over the page."""
    ts = Typesetter(columns=2, size=9.5, leading=12.5, justify=True, total=total,
                    footer="Shire Counties Forum | Counting the cost | March 2024",
                    pdf_title="Counting the cost: adult social care in rural counties")
    ts.cover(["Counting the cost:", "adult social care in rural counties"],
             subtitle="What three years of rising demand have meant for county budgets",
             date="March 2024", extra="A report for the Shire Counties Forum")
    ts.heading("1 Introduction", size=13)
    ts.para("Adult social care is the largest single item of spending for every county council in "
            "this study. In the three years to 2023/24 it grew faster than any other service, and "
            "faster than the money councils were able to raise from council tax and business rates.")
    ts.para("This report looks at what lies behind that growth in eleven largely rural counties. "
            "It draws on budget returns, interviews with directors of adult social services and a "
            "survey of home care providers operating across the eleven areas.")
    ts.heading("1.1 Background", size=11)
    ts.para("Rural counties have older populations than the country as a whole. In several of the "
            "counties we studied, more than a quarter of residents are over 65, and the number "
            "aged over 85 is expected to double within twenty years. Care is also more expensive to "
            "deliver where clients live far apart and care workers spend much of the day driving.")
    ts.para("At the same time, the funding system has come to rely heavily on council tax. "
            "Counties with low housing growth raise less from each increase in the precept than "
            "urban areas, and the gap between what they raise and what they spend has widened.")
    ts.bullet("Spending on adult social care in the eleven counties rose by 23% in cash terms.")
    ts.bullet("The number of hours of home care commissioned rose by 9% over the same period.")
    ts.bullet("Fees paid to care homes rose faster than general inflation in every county.")
    ts.heading("2 Funding", size=13)
    ts.para("Most of the increase in spending was met by raising council tax to the maximum "
            "allowed without a referendum, by using the adult social care precept and by drawing "
            "on reserves. Directors told us that none of these could be repeated indefinitely, and "
            "that reserves in particular had been built up over many years and could be used only "
            "once.")
    ts.para("Several councils have also reduced spending on services that prevent or delay the "
            "need for care, such as community equipment, day opportunities and support for unpaid "
            "carers. Directors were clear that these reductions would increase costs in the longer "
            "run, but said they had no other way of balancing the budget in the short term.")
    ts.para("Grant funding has risen, but much of it has arrived late in the year and for one year "
            "only. One director described planning a care market on the basis of one-year grants as "
            "like trying to build a house with bricks delivered a few at a time, with no promise "
            "that the next load will come.")
    ts.heading("2.1 Grants", size=11)
    ts.para("The social care grant was worth £4.5bn nationally in 2023/24. The counties in our "
            "study received a smaller share per older resident than metropolitan areas, because the "
            "formula used to allocate it gives weight to deprivation and to the amount each council "
            "can raise from the precept.")
    ts.para("We recommend that any future grant is allocated on the basis of an up-to-date "
            "assessment of need that reflects the extra cost of delivering care in sparsely "
            "populated areas, and that it is confirmed for at least three years at a time.")
    ts.heading("3 Conclusions", size=13)
    ts.para("The counties in this study have kept services running by raising taxes, drawing on "
            "reserves and cutting back on prevention. Each of these has a limit. Without a lasting "
            "settlement for adult social care, the choices facing county councils in the next two "
            "years will be harder than any they have faced so far.")
    data = ts.finish()
    return data, {"title": "Counting the cost: adult social care in rural counties",
                  "published": "2024-03-01", "blocks": ts.expected, "pages": ts.page - 1}


def _footnotes(total=0):
    """Cover with the date only; a running header; 'Page N of M' footers; footnote references as
    raised numbers and the notes in small type at the foot of the page; en-dash bullets;
    hyphenated line ends; a junk title in the file's metadata."""
    ts = Typesetter(size=10.5, leading=14, justify=True, total=total, footnote_area=70,
                    header="Prevention in practice", page_label="Page {n} of {total}",
                    pdf_title="Microsoft Word - prevention_final_v7.docx")
    ts.notes = {
        1: "Figures from councils' revenue outturn returns for 2022/23, in cash terms.",
        2: "The survey was carried out online in September 2023; 118 councils responded.",
        3: "Estimates of return on investment vary widely between studies and should be treated "
           "with caution.",
        4: "Healthy life expectancy at birth, three-year average, 2018 to 2020.",
    }
    ts.cover(["Prevention in practice"], date="November 2023")
    ts.heading("Summary", size=14)
    ts.para("Councils spent around £3.5bn on public health in 2022/23,[^1] a smaller sum in real "
            "terms than a decade earlier. Yet the demands on public health teams have grown, and "
            "the pandemic showed how much depends on them. This paper sets out what councils told "
            "us about prevention, and what would help them do more of it.")
    ts.para("Almost nine in ten councils said that prevention was a priority in their corporate "
            "plan.[^2] Far fewer said they were able to protect spending on it when budgets were "
            "under pressure, and many described a cycle in which money for prevention was the "
            "first to go because its benefits would be felt by other organi~sations, years later.")
    ts.heading("What councils told us", size=14)
    ts.para("Respondents described a wide range of preventive work, from stop smoking services "
            "and weight management to housing adaptations, debt advice and support for people "
            "who are lonely. Much of this work is cheap compared with the services it helps "
            "people avoid, though measuring the savings is difficult.[^3]")
    ts.bullet("Public health grant allocations are often confirmed late in the financial year.", "–")
    ts.bullet("Short-term funding makes it hard to recruit and keep specialist staff.", "–")
    ts.bullet("The benefits of prevention often fall to the NHS rather than to councils.", "–")
    ts.para("Councils with the lowest healthy life expectancy[^4] were the most likely to say that "
            "they had cut preventive services in the past three years. This is the opposite of "
            "what the evidence would suggest, and it risks widening the gap between the healthiest "
            "and least healthy places in the country over the long-term future.")
    ts.heading("What would help", size=14)
    ts.para("Councils asked for three things above all: a public health grant confirmed at least "
            "three years ahead, the freedom to pool budgets with the NHS without lengthy "
            "negotiation, and a shared set of outcome measures so that the value of preventive work "
            "can be seen by everyone who benefits from it, including government departments.")
    ts.para("None of these would cost a great deal. Together they would allow councils to plan "
            "preventive services with the same confidence that the NHS plans its hospitals, and "
            "they would make it far easier to sustain the programmes that work.")
    data = ts.finish()
    return data, {"title": "Prevention in practice", "published": "2023-11-01",
                  "blocks": ts.expected, "pages": ts.page - 1}


def _table_report(total=0):
    """No cover: a title at the top of page 1 and a 'Published' line; headings; a table of figures
    with a bold header row and a caption; a small 'Source' line; a numbered list."""
    ts = Typesetter(size=10, leading=13, total=total)
    ts.block("title", "Home care hours in the Midlands, 2019 to 2023", font=ts.bold, size=20,
             space_after=4)
    ts.draw(ts.left, ts.y - 12, "Published 14 June 2022", ts.font, 10)
    ts.y -= 30
    ts.heading("Key points", size=13)
    ts.para("The number of hours of home care bought by councils in the region rose in every year "
            "of the period, but the number of people receiving care did not. Each person is "
            "receiving more care than before, which reflects the rising needs of people supported "
            "at home rather than in residential care.")
    ts.heading("Hours by council", size=13)
    ts.heading("Table 1: Home care hours commissioned per week, thousands", size=10)
    ts.table([["Council", "2019", "2021", "2023"],
              ["Ashby Vale", "41.2", "44.8", "49.5"],
              ["Brookfield", "28.7", "30.1", "33.0"],
              ["Castlemoor", "19.4", "21.9", "22.6"],
              ["Dunstow", "36.0", "37.2", "41.8"],
              ["Eastmere", "12.3", "13.0", "14.9"]], widths=[160, 90, 90, 90])
    ts.para("Source: council returns to the regional commissioning group.", size=7.5)
    ts.heading("What councils should do", size=13)
    ts.para("We suggest three steps that councils in the region could take together:")
    ts.numbered(1, "agree a common rate for home care that reflects the real cost of travel time;")
    ts.numbered(2, "share information about provider capacity each week, so that gaps can be "
                   "filled before they lead to delayed discharges from hospital; and")
    ts.numbered(3, "invest in reablement, which reduces the hours of care people need in the long "
                   "run.")
    ts.para("The regional group will review progress against these steps in a year's time.")
    data = ts.finish()
    blocks = [("title", "Home care hours in the Midlands, 2019 to 2023")] + ts.expected[1:]
    return data, {"title": blocks[0][1], "published": "2022-06-14", "blocks": blocks,
                  "pages": ts.page - 1}


def _bold_headings(total=0):
    """Cover dated 'February 2025'; headings in bold at the body size; a heading stranded at the
    bottom of a page; numbered paragraphs (2.1, 2.2) as in government reports; a paragraph that
    runs over a page break; a running header."""
    ts = Typesetter(size=10.5, leading=14.5, total=total,
                    header="Neighbourhood health: a progress report",
                    pdf_title="Neighbourhood health: a progress report")
    ts.cover(["Neighbourhood health:", "a progress report"], date="February 2025")
    ts.heading("About this report", space_before=0)
    ts.para("1.1 This report describes the progress made by twelve neighbourhood health teams in "
            "their first year. It is based on interviews with team members, data from the "
            "integrated care boards that fund them and the views of patients who have used their "
            "services.")
    ts.para("1.2 The teams were chosen to cover a range of settings, from inner-city areas with "
            "young and highly mobile populations to coastal towns and remote rural communities.")
    for i in range(3):
        ts.para(f"1.{i + 3} " + [
            "Each team brings together general practice, community nursing, social care and "
            "mental health workers, and most also include staff from local voluntary "
            "organisations. Several have a pharmacist and a housing officer.",
            "The teams have no single model. Some are led by a GP practice, some by a community "
            "trust and one by a council. What they share is a defined population, a shared list "
            "of people at highest risk and a weekly meeting to discuss them.",
            "We did not set out to measure the effect of the teams on hospital use. It is too "
            "early for that, and the numbers involved are small. Instead we looked at how the "
            "teams work and what helps or hinders them."][i])
    ts.heading_at_page_bottom("What has worked")
    ts.para("2.1 Teams that began with a small, well-defined group of patients made faster progress "
            "than those that tried to cover everyone at once. Starting with frail older people "
            "living alone, or with people who had been admitted to hospital several times in a "
            "year, gave staff a shared focus.")
    ts.para("2.2 Access to a shared care record was repeatedly described as essential. Where staff "
            "could not see each other's notes, meetings were spent exchanging information rather "
            "than deciding what to do.")
    ts.heading("What has held teams back")
    ts.para("3.1 Almost every team described problems with estates. Several had no room big enough "
            "for the whole team to meet, and staff from different organisations were often "
            "based in different buildings several miles apart. Two teams had found space in a "
            "library and a community centre, with the help of their council.")
    ts.para("3.2 Funding for the teams is short term. Most were told their budget for the year only "
            "a few weeks before it began, which made it difficult to recruit to permanent posts "
            "and led several staff to leave for more secure jobs elsewhere in the system.")
    data = ts.finish()
    return data, {"title": "Neighbourhood health: a progress report", "published": "2025-02-01",
                  "blocks": ts.expected, "pages": ts.page - 1}


def _interleaved(total=0):
    """No cover: a title, a 'Briefing | date' line and a full-width opening paragraph, then two
    columns written line by line across the page (stream order interleaves the columns), a
    full-width heading between column sections, page numbers only."""
    ts = Typesetter(columns=2, size=9.5, leading=12.5, interleave=True, total=total)
    ts.block("title", "Devolution and health: what the new deals mean", font=ts.bold, size=20,
             space_after=2)
    ts.draw(ts.left, ts.y - 12, "Briefing | 5 September 2024", ts.font, 9)
    ts.y -= 26
    ts.span(True)
    ts.para("Eight areas have now agreed devolution deals that include a role in health. This "
            "briefing explains what the deals cover, how they differ and what questions remain "
            "for councils and integrated care boards.")
    ts.span(False)
    ts.heading("What the deals cover", size=11)
    ts.para("Most of the deals give the new combined authority a duty to work with the integrated "
            "care board on prevention and on the wider determinants of health, such as housing, "
            "transport and employment. None of them transfers NHS budgets or services to local "
            "government, and none changes the accountability of the NHS to ministers.")
    ts.para("Two of the deals go further, creating a joint committee of the combined authority "
            "and the integrated care board with delegated responsibility for a small number of "
            "programmes. In both areas these include work to help people with long-term health "
            "conditions back into employment.")
    ts.para("The deals also promise closer working on data. In principle this could let councils "
            "and the NHS see the same picture of need in each neighbourhood, though the details "
            "have yet to be agreed in any of the eight areas.")
    ts.heading("How they differ", size=11)
    ts.para("The deals reflect the areas that negotiated them. Where an integrated care board "
            "covers the same footprint as the combined authority, the arrangements are simpler "
            "and more ambitious. Where boundaries do not match, the deals tend to set out shared "
            "principles rather than joint decisions.")
    ts.para("Several councils told us that the health elements of their deal had been added late "
            "in negotiations and were less developed than the sections on transport and skills.")
    ts.para("Others said the health sections had been the easiest to agree, because they asked "
            "little of either side. A duty to cooperate, they pointed out, is not the same as a "
            "shared budget or a shared plan, and it will take several years to know whether these "
            "arrangements have changed anything for residents.")
    ts.new_page()
    ts.span(True)
    ts.heading("Questions that remain", size=12)
    ts.span(False)
    ts.para("It is not yet clear how the new duties will be funded, or how progress will be "
            "measured. Without resources of their own, combined authorities will have to rely on "
            "persuasion and on the goodwill of partners who face pressures of their own.")
    ts.para("Nor is it clear how the deals will sit alongside the changes to integrated care "
            "boards now being made, including the merger of several boards and large reductions "
            "in their running costs.")
    ts.para("Finally, the deals say little about social care. Councils remain responsible for it "
            "whatever their devolution arrangements, and several argued that health devolution "
            "without a plan for social care would leave the most difficult questions unanswered. "
            "We will return to this in a later briefing, once the first joint committees have met "
            "and the guidance promised by the Government has been published. Until then, councils "
            "and boards will have to decide for themselves how far to go, and how quickly, with "
            "little to guide them beyond the text of the deals and the goodwill of the people who "
            "negotiated them.")
    data = ts.finish()
    blocks = [("title", "Devolution and health: what the new deals mean")] + ts.expected[1:]
    return data, {"title": blocks[0][1], "published": "2024-09-05", "blocks": blocks,
                  "pages": ts.page - 1}


def _platypus_frames(total=0):
    """reportlab's own page layout engine rather than the typesetter above: a cover template,
    then two frames per page that paragraphs flow through (justified), a bulleted list, a table
    with grid lines and a page-number footer: text written the way a document library writes it."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import (BaseDocTemplate, Frame, ListFlowable, ListItem, NextPageTemplate,
                                    PageBreak, PageTemplate, Paragraph, Spacer, Table, TableStyle)

    W, H = A4
    styles = getSampleStyleSheet()
    body = ParagraphStyle("b", parent=styles["BodyText"], fontSize=9.5, leading=12.5,
                          alignment=TA_JUSTIFY, spaceAfter=6)
    h2 = ParagraphStyle("h", parent=styles["Heading2"], fontSize=13, spaceBefore=8, spaceAfter=4)
    expected: list[tuple[str, str]] = [("title", "Keeping the lights on in local public health"),
                                       ("summary", "A survey of directors of public health, autumn 2022")]
    story = [Spacer(1, 200), Paragraph(expected[0][1], ParagraphStyle("t", fontName="Helvetica-Bold",
                                                                     fontSize=26, leading=32)),
             Spacer(1, 12), Paragraph(expected[1][1], ParagraphStyle("s", fontSize=14, leading=18)),
             Spacer(1, 300), Paragraph("October 2022", ParagraphStyle("d", fontSize=12)),
             NextPageTemplate("body"), PageBreak()]

    def add(kind, text):
        expected.append((kind, text))
        story.append(Paragraph(text, h2 if kind == "heading" else body))

    add("heading", "Introduction")
    for t in (
        "Directors of public health lead some of the most varied teams in local government. In a "
        "single week the same team may commission drug treatment, advise on a planning application, "
        "run a vaccination campaign with the NHS and respond to an outbreak in a care home.",
        "This survey, the third in an annual series, asked directors how their budgets and staffing "
        "had changed over the year and what they expected for the year ahead. Ninety-eight directors "
        "responded, from every region of England and from all types of council.",
        "The picture they paint is of services that have been kept going through the pandemic by the "
        "commitment of their staff, but which are now running on reserves of goodwill that are close "
        "to exhausted. Many described posts left empty to balance the books.",
    ):
        add("paragraph", t)
    add("heading", "Budgets")
    add("paragraph", "Most directors said their public health grant had fallen in real terms. Asked "
                     "which services had been reduced, they most often named the following:")
    items = ["health checks for adults aged 40 to 74", "school nursing and health visiting",
             "weight management and physical activity programmes"]
    story.append(ListFlowable([ListItem(Paragraph(t, body)) for t in items], bulletType="bullet",
                              start="•", leftIndent=14))
    expected += [("list_item", "- " + t) for t in items]
    rows = [["Service", "Reduced", "Protected"], ["Health checks", "41%", "35%"],
            ["School nursing", "33%", "44%"], ["Weight management", "52%", "21%"]]
    table = Table(rows, colWidths=[100, 55, 60])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                               ("FONTSIZE", (0, 0), (-1, -1), 8.5)]))
    story.append(table)
    expected += [("table", " | ".join(r)) for r in rows]
    add("paragraph", "Directors were clear that these reductions would store up costs for the NHS "
                     "and for councils' own adult social care budgets, and several said they had "
                     "been asked to find further savings in the coming year.")
    add("heading", "The year ahead")
    for t in (
        "Asked what would make the biggest difference, directors named a multi-year grant settlement "
        "far more often than any increase in the size of the grant. Planning a smoking cessation "
        "service or a school nursing team on one-year money means short contracts, high turnover "
        "and providers who are reluctant to invest.",
        "Several also asked for the grant conditions to be simplified, so that money could follow "
        "local priorities rather than national categories of spending that no longer match the way "
        "services are organised.",
    ):
        add("paragraph", t)

    def cover(canvas, doc):
        pass

    def page(canvas, doc):
        canvas.setFont("Helvetica", 8)
        canvas.drawCentredString(W / 2, 28, str(doc.page))

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4)
    w = (W - 2 * 56 - 18) / 2
    frames = [Frame(56, 64, w, H - 140, id="left"), Frame(56 + w + 18, 64, w, H - 140, id="right")]
    doc.addPageTemplates([PageTemplate("cover", [Frame(56, 64, W - 112, H - 140)], onPage=cover),
                          PageTemplate("body", frames, onPage=page)])
    doc.build(story)
    return buf.getvalue(), {"title": expected[0][1], "published": "2022-10-01", "blocks": expected,
                            "pages": 0}


PDF_LAYOUTS = {"two_column": _two_column, "footnotes": _footnotes, "table_report": _table_report,
               "bold_headings": _bold_headings, "interleaved": _interleaved,
               "platypus_frames": _platypus_frames}


def build_pdf(name: str) -> tuple[bytes, dict]:
    """Build twice: the first pass counts the pages for 'Page N of M'."""
    _, spec = PDF_LAYOUTS[name]()
    return PDF_LAYOUTS[name](total=spec["pages"])


@pytest.mark.parametrize("name", sorted(PDF_LAYOUTS))
def test_pdf_layout(name):
    from ics_text.collect.parse import parse_bytes

    data, spec = build_pdf(name)
    doc = parse_bytes(data, f"{name}.pdf")
    got = [(b.kind, b.text) for b in doc.blocks]
    s = score(spec["blocks"], got)
    assert norm(doc.title) == norm(spec["title"])
    assert doc.published == spec["published"]
    detail = f"missing={s['missing'][:3]} extra={s['extra'][:3]}"
    assert s["precision"] >= MIN_PRECISION, detail
    assert s["recall"] >= MIN_RECALL, detail
    assert s["kinds"] >= MIN_KIND_ACCURACY
    assert all(b.page for b in doc.blocks)


def report(pages=PAGES) -> None:  # pragma: no cover - a script for people
    totals = {"expected": 0, "got": 0, "matched": 0, "same_kind": 0}
    ok_title = ok_date = 0
    print(f"{'page':34} {'P':>5} {'R':>5} {'kind':>5}  title date")
    for page in pages:
        spec = load(page)
        try:
            doc = parse_page(page, spec)
        except Exception as e:  # noqa: BLE001 - report and go on
            print(f"{page.stem:34} ERROR {e}")
            totals["expected"] += len(spec["blocks"])
            continue
        s = score(spec["blocks"], [(b.kind, b.text) for b in doc.blocks])
        t = norm(doc.title) == norm(spec["title"])
        d = doc.published == spec["published"]
        ok_title += t
        ok_date += d
        for k in totals:
            totals[k] += s[k]
        print(f"{page.stem:34} {s['precision']:5.2f} {s['recall']:5.2f} {s['kinds']:5.2f}  "
              f"{'ok' if t else 'NO':5} {'ok' if d else 'NO (' + str(doc.published) + ')'}")
        if "-v" in sys.argv:
            for m in s["missing"]:
                print("    missing:", m[:100])
            for x in s["extra"]:
                print("    extra:  ", x[:100])
    p = totals["matched"] / max(1, totals["got"])
    r = totals["matched"] / max(1, totals["expected"])
    k = totals["same_kind"] / max(1, totals["matched"])
    print(f"{'ALL (micro)':34} {p:5.3f} {r:5.3f} {k:5.3f}  {ok_title}/{len(pages)} {ok_date}/{len(pages)}"
          f"   F1 {2 * p * r / max(1e-9, p + r):.3f}")


def report_pdfs() -> None:  # pragma: no cover - a script for people
    from ics_text.collect.parse import parse_bytes

    totals = {"expected": 0, "got": 0, "matched": 0, "same_kind": 0}
    print(f"{'pdf layout':34} {'P':>5} {'R':>5} {'kind':>5}  title date")
    for name in sorted(PDF_LAYOUTS):
        data, spec = build_pdf(name)
        doc = parse_bytes(data, f"{name}.pdf")
        s = score(spec["blocks"], [(b.kind, b.text) for b in doc.blocks])
        for k in totals:
            totals[k] += s[k]
        t = norm(doc.title) == norm(spec["title"])
        d = doc.published == spec["published"]
        print(f"{name:34} {s['precision']:5.2f} {s['recall']:5.2f} {s['kinds']:5.2f}  "
              f"{'ok' if t else 'NO':5} {'ok' if d else 'NO (' + str(doc.published) + ')'}")
        if "-v" in sys.argv:
            for m in s["missing"]:
                print("    missing:", m[:110])
            for x in s["extra"]:
                print("    extra:  ", x[:110])
    p = totals["matched"] / max(1, totals["got"])
    r = totals["matched"] / max(1, totals["expected"])
    k = totals["same_kind"] / max(1, totals["matched"])
    print(f"{'ALL (micro)':34} {p:5.3f} {r:5.3f} {k:5.3f}   F1 {2 * p * r / max(1e-9, p + r):.3f}")


if __name__ == "__main__":  # pragma: no cover
    report()
    print()
    report_pdfs()



"""Quote marks paired into quoted spans, paragraph by paragraph (the first layer of ``ics_quotes``).

Every style counts (“ ” ‘ ’ " ' and mixed pairs); a mark's role (open or close) comes from the
characters around it rather than its glyph, because typed text mixes glyphs freely. Apostrophes
(don’t, NHS’s, councils’ budgets) are told apart from closing marks by what follows them. A quote
left open at the end of a paragraph runs to that paragraph's end.

Plain text in, offsets out: no spaCy and no speakers, so :func:`find_quote_spans` serves on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .quote_words import REPORTING_VERBS

DOUBLE = frozenset("\u201c\u201d\"\u201e\u201f\u00ab\u00bb")
SINGLE = frozenset("\u2018\u2019'\u201a\u201b\u2039\u203a")
MARKS = DOUBLE | SINGLE
OPEN_GLYPHS = frozenset("\u201c\u201e\u201f\u00ab\u2018\u201a\u201b\u2039")
CLOSE_GLYPHS = frozenset("\u201d\u00bb\u2019\u203a")
MARK_RE = re.compile("[" + re.escape("".join(sorted(MARKS))) + "]")
# What may stand just before an opening mark / just after a closing one.
_BEFORE_OPEN = frozenset("([{\u2014\u2013-/:;,") | MARKS
_AFTER_CLOSE = frozenset(".,;:!?)]}\u2014\u2013-/\u2026") | MARKS
_YEAR_ELISION = re.compile(r"\d\d(?:s\b|\b)")  # ’90s, '22
_NEXT_WORD = re.compile(r"\s*([A-Za-z]+)")

# Words that may follow a closing single mark after an "s" (where "councils’ budgets" would be an
# apostrophe): function words and verbs start the rest of a sentence; nouns follow a possessive.
_AFTER_QUOTE_WORDS = frozenset((
    "and but or nor to of in on for from with as at by the a an is was were are be been that which "
    "who whom when while because than after before about over into onto this these those its his "
    "her their our we i you he she they it not so also then until unless if whether yet since "
    "though although according despite among amid against through during without within across "
    "per instead rather there here").split()) | frozenset(REPORTING_VERBS)


@dataclass
class QuoteSpan:
    """One top-level quote found by the scanner (absolute offsets)."""

    start: int  # content start
    end: int  # content end
    open: int  # the opening mark (== paragraph start when continued without one)
    close: int  # just after the closing mark, or the paragraph end when left open
    closed: bool


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each block of ``text``: blocks are separated by blank lines."""
    out = []
    pos = 0
    for m in re.finditer(r"\n[ \t\r\f\v]*\n\s*", text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    res = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            res.append((a, b))
    return res


def _mark_events(text: str, ps: int, pe: int) -> list[tuple[int, str, str, str]]:
    """Quote-mark events of one paragraph: (position, family "d"/"s", role, next word).

    role is "open", "close" or "poss" (a single mark after an "s" and before a word: a plural
    possessive unless it closes an open single quote).
    """
    events = []
    for m in MARK_RE.finditer(text, ps, pe):
        i = m.start()
        c = text[i]
        fam = "d" if c in DOUBLE else "s"
        p = text[i - 1] if i > ps else None
        n = text[i + 1] if i + 1 < pe else None
        if fam == "s" and p is not None and n is not None and p.isalnum() and n.isalnum():
            continue  # don't, NHS’s, O’Brien
        left = (p is None or p.isspace() or p in _BEFORE_OPEN) and n is not None and not n.isspace()
        right = p is not None and not p.isspace() and (n is None or n.isspace() or n in _AFTER_CLOSE)
        if left and right:
            if c in OPEN_GLYPHS:
                right = False
            elif c in CLOSE_GLYPHS:
                left = False
            else:
                continue
        if left:
            if fam == "s" and _YEAR_ELISION.match(text, i + 1, pe):
                continue  # ’90s
            events.append((i, fam, "open", ""))
        elif right:
            role, word = "close", ""
            if fam == "s" and p in "sS" and n is not None and n.isspace():
                w = _NEXT_WORD.match(text, i + 1, pe)
                if w:
                    role, word = "poss", w.group(1).lower()
            events.append((i, fam, role, word))
    return events


def _strong_close_ahead(events) -> list[bool]:
    """For each event: whether an unambiguous closing single mark comes before the next opening one.

    One backward pass, so a paragraph full of "trusts' budgets" stays linear.
    """
    out = [False] * len(events)
    ahead = False
    for k in range(len(events) - 1, -1, -1):
        out[k] = ahead
        _, fam, role, _ = events[k]
        if fam == "s":
            if role == "close":
                ahead = True
            elif role == "open":
                ahead = False
    return out


def scan_paragraph(text: str, ps: int, pe: int, carried: bool = False) -> tuple[list[QuoteSpan], bool]:
    """Top-level quotes of the paragraph text[ps:pe], and whether one is left open at its end.

    ``carried``: the previous paragraph ended inside a quote, so a closing mark met before any
    opening one closes a quote that started at this paragraph's beginning.
    """
    events = _mark_events(text, ps, pe)
    strong_ahead = _strong_close_ahead(events) if any(e[2] == "poss" for e in events) else None
    spans: list[QuoteSpan] = []
    stack: list[tuple[str, int]] = []  # (family, content start)

    def emit(cs: int, ce: int, open_at: int, close_at: int, closed: bool) -> None:
        while cs < ce and text[cs].isspace():
            cs += 1
        while ce > cs and text[ce - 1].isspace():
            ce -= 1
        if ce > cs:
            spans.append(QuoteSpan(cs, ce, open_at, close_at, closed))

    for k, (i, fam, role, word) in enumerate(events):
        if role == "poss":
            if stack and stack[-1][0] == "s" and word in _AFTER_QUOTE_WORDS and not strong_ahead[k]:
                role = "close"
            else:
                continue
        if role == "open":
            if stack and stack[-1][0] == fam:
                # the same style opened inside itself: the earlier quote was never closed
                if len(stack) == 1:
                    emit(stack[0][1], i, stack[0][1] - 1, i, False)
                    stack.clear()
                else:
                    stack.pop()
            stack.append((fam, i + 1))
            continue
        # a closing mark
        at = next((j for j in range(len(stack) - 1, -1, -1) if stack[j][0] == fam), None)
        if at is None:
            if not stack and carried and not spans:
                emit(ps, i, ps, i + 1, True)  # closes a quote opened in the previous paragraph
                carried = False
            continue
        if at == 0:
            emit(stack[0][1], i, stack[0][1] - 1, i + 1, True)
            stack.clear()
        else:
            del stack[at:]
    if stack:
        emit(stack[0][1], pe, stack[0][1] - 1, pe, False)
        return spans, True
    return spans, False


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Every top-level quoted span of ``text`` (content offsets), speakers aside."""
    out, carried = [], False
    for ps, pe in paragraphs(text):
        spans, carried = scan_paragraph(text, ps, pe, carried)
        out.extend((s.start, s.end) for s in spans)
    return out

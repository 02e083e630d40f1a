"""Passages: the units analysts read, cut from a Document's blocks.

What is a passage (decided here, used everywhere: store, ``themes assign``, search):
- every paragraph, list item, block quote and the one-line summary is a passage, with its offsets
  into ``doc.text`` (``doc.text[start:end] == text``). A list item keeps its marker ("- ", "3. "),
  because that is how the plain text shows it;
- titles and headings are NOT passages: they are too short to carry a theme on their own and would
  inflate counts. Each passage keeps the nearest heading above it as ``heading`` (context shown with
  citations), and the title is the document's own;
- tables and blocks without a letter in them are skipped;
- a block longer than ``max_chars`` is split between sentences into near-equal chunks, so every
  passage fits the encoder's window (all-MiniLM-L6-v2 reads 256 word pieces, about 1,000 characters)
  and a theme found in it points at a readable span, not a whole page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..records import Document, Passage

PASSAGE_KINDS = ("summary", "paragraph", "list_item", "quote")
HEADING_KINDS = ("title", "heading")
MAX_CHARS = 700

# A sentence ends at . ! ? (and any closing quote or bracket) followed by space and a capital, digit
# or opening quote. Abbreviations that end in a full stop before a name or number are not ends.
_END = re.compile(r"[.!?…][\"'”’)\]]*\s+(?=[A-Z0-9“‘\"'(£])")
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Cllr|Prof|St|No|Nos|Rt|Hon|Sir|vs|etc|e\.g|i\.e|cf|approx|"
                     r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|para|fig|p|pp|vol|ch)|\b[A-Z])\.$")


@dataclass
class PassageSpan:
    """A passage with the context kept alongside it (block kind, heading above, block number)."""

    text: str
    start: int
    end: int
    kind: str
    heading: str | None
    block_seq: int

    def to_passage(self, document_id: int | None = None) -> Passage:
        return Passage(text=self.text, start=self.start, end=self.end, document_id=document_id)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries in ``text`` as (start, end) offsets; the pieces cover the text."""
    spans, begin = [], 0
    for m in _END.finditer(text):
        if _ABBREV.search(text[max(begin, m.start() - 8): m.start() + 1]):
            continue
        cut = m.start() + len(m.group(0).rstrip())
        spans.append((begin, cut))
        begin = m.end()
    if begin < len(text):
        spans.append((begin, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def split_long(text: str, max_chars: int = MAX_CHARS) -> list[tuple[int, int]]:
    """Cut ``text`` into runs of whole sentences of near-equal length, each <= max_chars when possible."""
    if len(text) <= max_chars:
        return [(0, len(text))]
    sents = sentence_spans(text)
    if len(sents) <= 1:
        return [(0, len(text))]
    n = math.ceil(len(text) / max_chars)
    target = len(text) / n
    chunks, cur = [], None
    for s, e in sents:
        if cur is None:
            cur = [s, e]
        elif (e - cur[0] > max_chars) or (cur[1] - cur[0] >= target):
            chunks.append(tuple(cur))
            cur = [s, e]
        else:
            cur[1] = e
    chunks.append(tuple(cur))
    return chunks


def passage_spans(doc: Document, max_chars: int = MAX_CHARS) -> list[PassageSpan]:
    """Every passage of ``doc`` in reading order (see the module notes for what counts)."""
    out: list[PassageSpan] = []
    heading = None
    for seq, block in enumerate(doc.blocks):
        if block.kind == "heading":
            heading = block.text
            continue
        if block.kind not in PASSAGE_KINDS or not any(c.isalpha() for c in block.text):
            continue
        base, text = _locate(doc, block)
        for s, e in split_long(text, max_chars):
            # trim whitespace so offsets point at the words themselves
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                out.append(PassageSpan(text[s:e], base + s, base + e, block.kind, heading, seq))
    return out


def passages(doc: Document, max_chars: int = MAX_CHARS) -> list[Passage]:
    """The passages of ``doc`` as contract records (text, start, end, no themes yet)."""
    return [p.to_passage(doc.id) for p in passage_spans(doc, max_chars)]


def _locate(doc: Document, block) -> tuple[int, str]:
    """The block's offset and text as they stand in ``doc.text`` (robust to stale block offsets)."""
    if doc.text[block.start:block.end] == block.text:
        return block.start, block.text
    at = doc.text.find(block.text)
    if at >= 0:
        return at, block.text
    return block.start, doc.text[block.start:block.end] or block.text

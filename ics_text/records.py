"""The data classes every stage passes along: documents, their blocks, and the findings.

Field names are those of the output contract (``spec/extraction.md``, ``spec/themes.md``), and
are the same in the Python API, the store and every export. ``to_dict()`` gives the contract's
JSON shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

PUBLISHERS = ("NHS Confederation", "Local Government Association", "County Councils Network")
DOC_TYPES = ("press release", "statement", "report", "blog", "briefing", "page")

# Block kinds, in the order a page usually shows them.
BLOCK_KINDS = ("title", "summary", "heading", "paragraph", "list_item", "quote", "table")


class Record:
    """Mixin: contract-shaped dicts and construction from them."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Block(Record):
    """One structural unit of a document's plain text: a heading, paragraph, list item...

    ``start``/``end`` are offsets into ``Document.text``; ``text == document.text[start:end]``.
    A list item's text keeps its marker ("- " or "3. "), as the plain text shows it.
    """

    kind: str
    text: str
    start: int = 0
    end: int = 0
    page: int | None = None  # PDF page number, 1-based
    level: int | None = None  # heading level (1 = title)


@dataclass
class Document(Record):
    """A publication as parsed: metadata, its plain text and the blocks that make it up."""

    source: str  # path or URL as given
    title: str | None = None
    publisher: str | None = None
    published: str | None = None  # YYYY-MM-DD
    type: str | None = None  # one of DOC_TYPES
    url: str | None = None  # canonical URL when known
    summary: str | None = None
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # absolute URLs linked from the main text
    errors: list[str] = field(default_factory=list)
    id: int | None = None  # store id, once stored

    @classmethod
    def from_blocks(cls, source: str, blocks: list[tuple[str, str]] | list[Block], **meta) -> "Document":
        """Lay out ``(kind, text)`` pairs as plain text, one block per paragraph, blank-line separated."""
        parts, laid, pos = [], [], 0
        for b in blocks:
            kind, text = (b.kind, b.text) if isinstance(b, Block) else b
            page = b.page if isinstance(b, Block) else None
            level = b.level if isinstance(b, Block) else None
            text = " ".join(text.split())
            if not text:
                continue
            if parts:
                pos += 2
            laid.append(Block(kind, text, pos, pos + len(text), page, level))
            parts.append(text)
            pos += len(text)
        return cls(source=source, text="\n\n".join(parts), blocks=laid, **meta)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["blocks"] = [asdict(b) for b in self.blocks]
        return d


@dataclass
class Quote(Record):
    text: str
    speaker: str | None = None
    speaker_role: str | None = None
    speaker_org: str | None = None
    cue: str | None = None
    partial: bool = False
    start: int = 0
    end: int = 0


@dataclass
class Statistic(Record):
    text: str
    kind: str  # percent | proportion | money | count
    value: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    per: str | None = None
    period: str | None = None
    subject: str | None = None
    sentence: str | None = None
    start: int = 0
    end: int = 0


@dataclass
class Recommendation(Record):
    text: str
    actor: str | None = None
    target: str | None = None
    kind: str = "call"  # list_item | call
    start: int = 0
    end: int = 0


@dataclass
class Findings(Record):
    """Everything extraction found in one document."""

    quotes: list[Quote] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)


@dataclass
class ThemeScore(Record):
    id: str
    name: str
    score: float


@dataclass
class Passage(Record):
    """A unit analysts read: a paragraph or list item (long ones split by sentence)."""

    text: str
    start: int
    end: int
    themes: list[ThemeScore] = field(default_factory=list)
    document_id: int | None = None
    id: int | None = None


@dataclass
class Theme(Record):
    id: str
    name: str
    description: str = ""
    examples: list[str] = field(default_factory=list)
    threshold: float | None = None

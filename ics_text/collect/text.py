"""Plain-text documents: paragraphs split on blank lines, list items on their markers."""

from __future__ import annotations

import re

from ..records import Document

LIST_MARKER = re.compile(r"^\s*(?:[-*•▪–]\s+|(\d{1,3})[.)]\s+)")


def parse_text(text: str, source: str) -> Document:
    """A title (a short first line without a full stop), then paragraphs and list items.

    List items keep a normalised marker ("- " or "N. ") so the plain text shows them as a list.
    """
    blocks: list[tuple[str, str]] = []
    for para in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        current: list[str] = []
        kind = "paragraph"
        for line in para.split("\n"):
            m = LIST_MARKER.match(line)
            if m:
                if current:
                    blocks.append((kind, " ".join(current)))
                kind = "list_item"
                marker = f"{m.group(1)}. " if m.group(1) else "- "
                current = [marker + line[m.end():].strip()]
            elif line.strip():
                current.append(line.strip())
        if current:
            blocks.append((kind, " ".join(current)))
    title = None
    if blocks and blocks[0][0] == "paragraph" and _is_title(blocks[0][1]):
        title = blocks[0][1]
        blocks[0] = ("title", title)
    return Document.from_blocks(source, blocks, title=title)


def _is_title(line: str) -> bool:
    return len(line) <= 200 and not line.rstrip().endswith((".", ":", ";", ",")) and "\u201c" not in line[:1]

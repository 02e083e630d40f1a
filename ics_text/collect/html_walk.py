"""The walk: the main text of a page, in document order, as typed blocks.

Title, headings, paragraphs, list items (with a "- " or "N. " marker) and table rows, each with
the element it came from and its link text. Paragraphs made with ``<br><br>``, bold lines used as
subheadings and "•" bullets typed as text are recognised. The walk reads the tree as pruning left
it and changes nothing but the nested lists it takes out of their items.
"""

from __future__ import annotations

import re

from .html_nodes import clean

BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "table", "dl",
              "figcaption", "address"}
CONTAINER_TAGS = {"div", "section", "article", "main", "header", "span", "ul", "ol", "body",
                  "blockquote", "figure", "aside", "details", "center", "font", "table", "tbody",
                  "thead", "tfoot", "tr", "td", "th", "dd", "dt"}
# Paragraph-like tags whose text is read with line breaks and bold marked (see _inline_text).
TEXT_TAGS = {"p", "blockquote", "figcaption", "address", "dd", "dt"}
# Control characters that mark bold and link text inside an inline run (stripped from the blocks).
BOLD_OPEN, BOLD_CLOSE, LINK_OPEN, LINK_CLOSE = "\x01", "\x02", "\x03", "\x04"
# A line that starts with a bullet typed as text: a list item.
BULLET_LINE = re.compile(r"^\s*[•·▪‣◦●■\u2043\u25aa\u25e6]\s*")


class WalkBlock:
    """A block found by the walk: kind, text, the element it came from, and its link text."""

    __slots__ = ("kind", "text", "el", "links")

    def __init__(self, kind: str, text: str, el, links: int = 0):
        self.kind, self.text, self.el, self.links = kind, text, el, links


def walk(node, title_el=None) -> list[WalkBlock]:
    """Blocks in document order, each with the element it came from."""
    blocks: list[WalkBlock] = []
    _visit(node, blocks, title_el)
    return [b for b in blocks if b.text]


def _visit(node, blocks, title_el):
    from bs4 import NavigableString, Tag

    inline: list[str] = []

    def flush():
        _emit_inline("".join(inline), node, blocks)
        inline.clear()

    for child in node.children:
        if isinstance(child, NavigableString):
            if child.__class__.__name__ in ("Comment", "Doctype", "ProcessingInstruction", "CData",
                                            "Declaration"):
                continue
            inline.append(" ".join(str(child).split("\n")))  # source line breaks are spaces
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            inline.append("\n")
            continue
        if title_el is not None and child is title_el:
            flush()
            blocks.append(WalkBlock("title", clean(child.get_text(" ")), child))
            continue
        if name in ("ul", "ol"):
            flush()
            _emit_list(child, blocks, title_el)
            continue
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            flush()
            kind = "title" if name == "h1" and title_el is None else "heading"
            blocks.append(WalkBlock(kind, clean(child.get_text(" ")), child))
            continue
        if name == "table" and not _layout_table(child):
            flush()
            _emit_table(child, blocks)
            continue
        if name in BLOCK_TAGS and not _has_blocks(child):
            flush()
            if name in TEXT_TAGS:
                _emit_inline(_inline_text(child), child, blocks)
            else:
                blocks.append(WalkBlock("paragraph", clean(child.get_text(" ")), child,
                                 _link_chars(child)))
            continue
        if name in BLOCK_TAGS or name in CONTAINER_TAGS or _has_blocks(child):
            flush()
            _visit(child, blocks, title_el)
            continue
        inline.append(_inline_piece(child))
    flush()


def _inline_text(tag) -> str:
    """Text of an inline run: <br> as a line break, bold and link text marked so that a bold line
    can be told from a sentence and link text can be counted."""
    from bs4 import NavigableString, Tag

    out: list[str] = []
    for child in tag.children:
        if isinstance(child, NavigableString):
            if child.__class__.__name__ in ("Comment", "Doctype", "ProcessingInstruction", "CData"):
                continue
            out.append(" ".join(str(child).split("\n")))
        elif isinstance(child, Tag):
            out.append("\n" if child.name == "br" else _inline_piece(child))
    return "".join(out)


def _inline_piece(tag) -> str:
    """One inline element's marked text (see _inline_text)."""
    inner = _inline_text(tag)
    if tag.name in ("b", "strong") or (tag.name == "span" and "bold" in
                                       (tag.get("style") or "").replace("700", "bold")):
        inner = BOLD_OPEN + inner + BOLD_CLOSE
    elif tag.name == "a":
        inner = LINK_OPEN + inner + LINK_CLOSE
    if tag.name in BLOCK_TAGS or tag.name in ("div", "section"):
        inner = "\n\n" + inner + "\n\n"
    return inner


def _emit_inline(text: str, el, blocks) -> None:
    """Paragraphs of an inline run: a blank line (two <br>s) separates paragraphs; within one, a
    bold first line is a subheading and lines that start with a bullet character are list items."""
    for part in re.split(r"\n\s*\n", text):
        lines = [ln for ln in part.split("\n") if _strip_marks(ln).strip()]
        if not lines:
            continue
        if len(lines) > 1 and _bold_line(lines[0]):
            blocks.append(WalkBlock("heading", clean(_strip_marks(lines[0])), el))
            lines = lines[1:]
        elif len(lines) == 1 and _bold_line(lines[0]):
            blocks.append(WalkBlock("heading", clean(_strip_marks(lines[0])), el))
            continue
        current: list[str] = []
        kind = "paragraph"
        for line in lines:
            plain = _strip_marks(line)
            m = BULLET_LINE.match(plain)
            if m:
                _add(blocks, kind, current, el)
                kind, current = "list_item", ["- " + plain[m.end():]]
            else:
                current.append(line)
        _add(blocks, kind, current, el)


def _add(blocks, kind, parts, el) -> None:
    if not parts:
        return
    raw = " ".join(parts)
    text = clean(_strip_marks(raw))
    if text:
        blocks.append(WalkBlock(kind, text, el, _marked_link_chars(raw)))
    parts.clear()


def _bold_line(line: str) -> bool:
    """A line wholly in bold, short, not a sentence: authors' subheadings ('Notes to editors')."""
    plain = clean(_strip_marks(line))
    if not plain or len(plain) > 120 or plain[-1] in ".,;:!?\"'”’" or plain[0] in "\"'“‘":
        return False
    outside = re.sub(BOLD_OPEN + r"[^" + BOLD_CLOSE + r"]*" + BOLD_CLOSE, "", line)
    return not _strip_marks(outside).strip() and any(c.isalpha() for c in plain)


def _strip_marks(text: str) -> str:
    return text.translate({ord(BOLD_OPEN): None, ord(BOLD_CLOSE): None,
                           ord(LINK_OPEN): None, ord(LINK_CLOSE): None})


def _marked_link_chars(text: str) -> int:
    return sum(len(clean(_strip_marks(m))) for m in re.findall(LINK_OPEN + r"([^" + LINK_CLOSE +
                                                                   r"]*)" + LINK_CLOSE, text))


def _link_chars(tag) -> int:
    return sum(len(clean(a.get_text(" "))) for a in tag.find_all("a"))


def _emit_list(lst, blocks, title_el):
    """List items keep a marker ("- ", or "N. " in an ordered list) in the plain text."""
    ordered = lst.name == "ol"
    n = int(lst.get("start")) if str(lst.get("start", "")).isdigit() else 1
    for li in lst.find_all("li", recursive=False):
        marker = f"{n}. " if ordered else "- "
        n += 1
        nested = [c.extract() for c in li.find_all(["ul", "ol"], recursive=False)]
        if _has_blocks(li):
            sub: list[WalkBlock] = []
            _visit(li, sub, title_el)
            sub = [b for b in sub if b.text]
            if sub:
                first = sub[0]
                blocks.append(WalkBlock("list_item", marker + first.text, li, first.links))
                blocks.extend(sub[1:])
        else:
            raw = _inline_text(li)
            text = clean(_strip_marks(raw))
            if text:
                blocks.append(WalkBlock("list_item", marker + text, li, _marked_link_chars(raw)))
        for inner in nested:
            _emit_list(inner, blocks, title_el)


def _emit_table(table, blocks) -> None:
    caption = table.find("caption")
    if caption is not None:
        text = clean(caption.get_text(" "))
        if text:
            blocks.append(WalkBlock("paragraph", text, table))
    for tr in table.find_all("tr"):
        cells = [clean(c.get_text(" ")) for c in tr.find_all(["td", "th"])]
        row = " | ".join(c for c in cells if c)
        if row:
            blocks.append(WalkBlock("table", row, tr, _link_chars(tr)))


def _layout_table(table) -> bool:
    """Old sites lay out whole pages with tables: those are containers, not data."""
    return (table.find(["h1", "h2", "p", "table", "ul"]) is not None
            or any(len(td.get_text(strip=True)) > 300 for td in table.find_all("td")))


def _has_blocks(tag) -> bool:
    return tag.find(list(BLOCK_TAGS | {"div", "section", "ul", "ol"})) is not None

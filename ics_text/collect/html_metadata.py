"""Metadata in the body of a page: dates, type labels and the summary, read and then taken out.

Metadata elements (bylines, date lines, "meta" boxes, ``<time>``) give the date and the type
label and leave the text; a standfirst marked by its class becomes the summary. After the walk,
``tidy`` puts the title first and drops short metadata lines near it (type label, date, reading
time, byline), press-release markers ("ENDS") and navigation phrases.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .dates import find_date, published_date
from .html_nodes import INLINE_TAGS, class_words, clean, in_text, inside, is_meta, norm, remove

if TYPE_CHECKING:
    from .html_walk import WalkBlock

# Type labels as pages write them -> our document types.
TYPE_LABELS = {
    "press release": "press release", "news": "press release", "media release": "press release",
    "news release": "press release", "statement": "statement", "press statement": "statement",
    "blog": "blog", "blogs": "blog", "article": "blog", "opinion": "blog", "comment": "blog",
    "report": "report", "publication": "report", "publications": "report", "research": "report",
    "briefing": "briefing", "parliamentary briefing": "briefing",
    "consultation response": "briefing", "briefings and responses": "briefing",
}
# Class words of a standfirst.
SUMMARY_WORDS = {"standfirst", "summary", "intro", "lede", "lead", "strapline", "subtitle",
                 "excerpt", "teaser", "summary-text", "dek", "deck", "subheading", "introduction"}
# Lines near the title that only carry metadata.
BYLINE = re.compile(r"^\W*(?i:(guest blog |blog |article |written )?by\s+(cllr\.? |dr\.? |prof\.? |"
                    r"professor |sir |dame |lord |baroness |the rt hon |mr\.? |mrs\.? |ms\.? )?)[A-Z]")
READING_TIME = re.compile(r"^\W*(reading time:?\s*)?\d+\s*(min|mins|minute|minutes)(\s+read(ing)?)?"
                          r"(\s+time)?\W*$", re.I)
END_MARKER = re.compile(r"^[\s\-–—#*_=.]*(ends?|end of (press )?release)?[\s\-–—#*_=.]*$", re.I)
NAV_PHRASE = re.compile(r"^\W*(back to top|top of page|return to top|skip to (main )?content|"
                        r"print this page|print|share|share this( page| article| post)?|"
                        r"back to news|read more|see all|view all|previous|next|advertisement|"
                        r"advert|sponsored|sponsored content)\W*$", re.I)
# "Page last reviewed: 3 April 2024 Next review due: 3 April 2027", "Last updated 6 May 2023"
REVIEW_LINE = re.compile(r"^\W*(page )?(last (reviewed|updated|modified|edited)|next review( due)?|"
                         r"updated|reviewed|date of (last )?review)\b", re.I)


def take_metadata(scope, title_el) -> dict:
    """Date, time and type label from metadata elements (bylines, date lines, 'meta' boxes); the
    elements then leave the text. <time> elements elsewhere in the scope are read too."""
    found: dict = {}
    roots = [scope]
    if title_el is not None and not inside(title_el, scope) and title_el.parent is not None:
        roots.append(title_el.parent)
    for root in roots:
        gone: set[int] = set()
        for tag in root.find_all(True):
            if id(tag) in gone or not is_meta(tag) or (tag.name in INLINE_TAGS and in_text(tag)):
                continue
            if title_el is not None and (tag is title_el or inside(title_el, tag)):
                continue
            text = clean(tag.get_text(" "))
            if len(text) > 300 or len(tag.find_all("p", limit=4)) > 3:
                continue
            _read_times(tag, found)
            if "text" not in found:
                iso = published_date(text)
                if iso:
                    found["text"] = iso
            label = label_in(text)
            if label:
                found.setdefault("type_label", label)
            remove(tag, gone)
    for root in roots:
        _read_times(root, found, key="time")
    return found


def node_date(node) -> str | None:
    """The publication date an element gives: its datetime, a <time> in it, or its text."""
    times: dict = {}
    _read_times(node, times)
    return (find_date(node.get("datetime") or "") or times.get("datetime")
            or published_date(clean(node.get_text(" "))))


def label_in(text: str) -> str | None:
    """A type label among the parts of a metadata line ("Blogs | 03 October 2022")."""
    for part in re.split(r"\s*[|·•]\s*", text.lower()):
        if part.strip(" :") in TYPE_LABELS:
            return part.strip(" :")
    return None


def _read_times(root, found: dict, key: str = "datetime") -> None:
    if key in found:
        return
    for t in root.find_all(["time", "meta", "span", "div", "abbr"], limit=400):
        if t.name != "time" and not t.get("itemprop", "").startswith("datePublished"):
            continue
        words = class_words(t)
        if words & {"updated", "modified", "changed"} or t.get("itemprop") == "dateModified":
            continue
        iso = find_date(t.get("datetime") or t.get("content") or "")
        if iso:
            found[key] = iso
            return
        if key == "datetime":
            iso = published_date(clean(t.get_text(" ")))
            if iso:
                found.setdefault("text", iso)


def summary_node(scope, title_el):
    """A standfirst marked as such by its class ("standfirst", "summary", "intro", "lede"...) that
    comes before the body text."""
    roots = [scope]
    if title_el is not None and not inside(title_el, scope):
        roots = [title_el.parent.parent or title_el.parent, scope]
    for root in roots:
        if root is None:
            continue
        seen_text = 0
        for tag in root.find_all(["div", "p", "section", "span", "header"]):
            words = class_words(tag)
            n = len(tag.get_text(strip=True))
            if words & SUMMARY_WORDS and 20 < n < 600 and len(tag.find_all("p", limit=4)) <= 2 \
                    and not tag.find(["h1", "h2", "h3"]):
                return tag
            if tag.name == "p" and n >= 200:
                seen_text += n
                if seen_text > 400:  # past the opening of the body: a later "intro" is the body
                    break
    return None


def tidy(walked: list[WalkBlock], title: str | None):
    """Title first, metadata lines out, press-release markers and orphan headings out."""
    blocks = [(b.kind, b.text) for b in walked]
    found: dict = {}
    # The title: the first title block; later <h1>s are headings.
    t = next((i for i, (k, _) in enumerate(blocks) if k == "title"), None)
    if t is None and title:
        want = norm(title)
        t = next((i for i, (_, x) in enumerate(blocks[:8]) if norm(x) == want), None)
    if t is not None:
        found["title"] = blocks[t][1]
        before = blocks[:t]
        after = [("heading", x) if k == "title" else (k, x) for k, x in blocks[t + 1:]]
        # What sits above the title is a label, a date, a byline or a breadcrumb; a long sentence
        # above it is kept (some pages open with a lead above the headline).
        lead = [(k, x) for k, x in before if len(x) >= 100 and re.search(r"[.!?]\W*$", x)]
        for _, x in before:
            metadata_line(x, found)
        blocks = [("title", found["title"])] + lead + after
    out: list[tuple[str, str]] = []
    for i, (kind, text) in enumerate(blocks):
        near_top = i < 8
        if (kind != "title" and near_top and (len(text) <= 80 or BYLINE.match(text))
                and metadata_line(text, found, labels=kind != "heading", dates=kind != "heading" or i < 4)):
            continue
        if kind != "title" and (END_MARKER.match(text) or NAV_PHRASE.match(text)
                                or not any(c.isalnum() for c in text)
                                or (len(text) <= 120 and REVIEW_LINE.match(text) and _mostly_date(text))):
            continue
        out.append((kind, text))
    while out and out[-1][0] == "heading":
        out.pop()
    return out, found


def metadata_line(text: str, found: dict, labels: bool = True, dates: bool = True) -> bool:
    """A short line that only carries metadata: a type label, a date line, a reading time, a
    byline ("By Cllr Jane Smith, spokesperson for ...")."""
    label = text.strip().lower().rstrip(":").strip()
    if labels and label in TYPE_LABELS:
        found.setdefault("type_label", label)
        return True
    if READING_TIME.match(text):
        return True
    if labels and len(text) <= 160 and BYLINE.match(text) and not text.rstrip().endswith((".", "?", "!")):
        return True
    date = find_date(text) if dates else None
    if date and _mostly_date(text):
        iso = published_date(text)
        if iso:
            found.setdefault("published", iso)
        return True
    return False


def _mostly_date(text: str) -> bool:
    """'17 August 2023', 'CCN News 2023 | 04 April 2023', 'Posted on 4 April 2021 by ...'."""
    rest = re.sub(r"\d{1,2}(st|nd|rd|th)?\s+\w+\s+\d{4}|\w+\s+\d{1,2},?\s+\d{4}|\d{4}-\d\d-\d\d"
                  r"|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}:\d\d", "", text)
    return len(rest.split()) <= 6


def type_from(label, url, layout) -> str | None:
    if label and label.lower() in TYPE_LABELS:
        return TYPE_LABELS[label.lower()]
    path = urlsplit(url or "").path
    for prefix, kind in (layout.get("types") or {}).items():
        if re.search(prefix, path):
            return kind
    return None

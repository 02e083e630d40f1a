"""HTML pages: find the main text among the page chrome and keep its structure.

A site profile (``models/sites/*.yaml``, key ``layout``) names the selectors of a known site; any
other page goes through the same general steps with generic selectors and heuristics, and through
trafilatura when no main region can be found at all. The steps:

1. metadata from the head (canonical URL, og: tags, published time);
2. the main region (profile selectors, then landmarks, then the densest text container);
3. chrome inside it removed (cookie notices, share widgets, related links, breadcrumbs...);
4. a walk in document order that emits title, summary, headings, paragraphs and list items,
   while short lines that only carry metadata (type label, date) become metadata.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from ..records import Document
from .dates import find_date
from .profiles import Profile, load_profiles, profile_for_url

BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "table", "dl",
              "figcaption", "address"}
CONTAINER_TAGS = {"div", "section", "article", "main", "header", "span", "ul", "ol", "body",
                  "blockquote", "figure", "aside", "details", "center", "font", "table", "tbody",
                  "thead", "tr", "td", "th"}
ALWAYS_DROP = ["script", "style", "noscript", "template", "svg", "iframe", "form", "button", "select",
               "input", "nav", "footer", "object", "embed", "canvas", "map"]
# Class/id words of page chrome. Matched against whole words of class and id values.
CHROME_WORDS = {
    "cookie", "cookies", "consent", "gdpr", "share", "sharing", "social", "addthis", "sharethis",
    "breadcrumb", "breadcrumbs", "related", "sidebar", "newsletter", "signup", "subscribe", "promo",
    "advert", "advertisement", "ads", "skip", "menu", "navbar", "navigation", "nav", "pagination",
    "pager", "comments", "comment", "tags", "tag", "print", "banner", "alert", "toolbar", "widget",
    "footer", "masthead", "search", "login", "popup", "modal", "feedback", "rating", "author-bio",
}
TYPE_LABELS = {
    "press release": "press release", "news": "press release", "media release": "press release",
    "statement": "statement", "blog": "blog", "article": "blog", "opinion": "blog",
    "comment": "blog", "report": "report", "publication": "report", "publications": "report",
    "research": "report", "briefing": "briefing", "parliamentary briefing": "briefing",
    "consultation response": "briefing", "briefings and responses": "briefing",
}
SUMMARY_WORDS = {"standfirst", "summary", "intro", "lede", "lead", "strapline", "subtitle",
                 "excerpt", "teaser", "summary-text"}


def parse_html(html: str, source: str, url: str | None = None) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    head = _head_metadata(soup)
    url = url or head.get("url")
    profile = profile_for_url(url) or _guess_profile(soup)
    layout = profile.layout if profile else {}
    base = url or head.get("url") or ""

    for tag in soup(ALWAYS_DROP):
        tag.decompose()
    for sel in layout.get("drop", []):
        for tag in soup.select(sel):
            tag.decompose()

    main = _main_region(soup, layout)
    meta: dict = {}
    for field in ("title", "summary", "date", "type_label"):
        for sel in layout.get(field, []):
            node = main.select_one(sel) or soup.select_one(sel)
            if node and node.get_text(strip=True):
                meta[field] = _clean(node.get_text())
                if field != "title":  # the title stays in place as a block
                    node.decompose()
                break
    if "summary" not in meta:
        node = _summary_node(main)
        if node is not None:
            meta["summary"] = _clean(node.get_text())
            node.decompose()
    _drop_chrome(main)

    blocks = _walk(main)
    blocks, found = _split_metadata(blocks, meta.get("title"))
    title = meta.get("title") or found.get("title") or head.get("title")
    summary = meta.get("summary") or found.get("summary")
    if summary and not any(k == "summary" for k, _ in blocks):
        at = 1 if blocks and blocks[0][0] == "title" else 0
        blocks.insert(at, ("summary", summary))
    if title and not any(k == "title" for k, _ in blocks):
        blocks.insert(0, ("title", title))

    if len(" ".join(t for _, t in blocks)) < 200:
        fallback = _trafilatura_blocks(html)
        if len(" ".join(t for _, t in fallback)) > len(" ".join(t for _, t in blocks)):
            blocks = ([("title", title)] if title else []) + fallback

    # The profile's date field, then the page's own declaration, then a <time> in the main text,
    # then a date line near the title. A <time> elsewhere may belong to a related article.
    time_tag = main.find("time", attrs={"datetime": True})
    published = (find_date(meta.get("date") or "") or head.get("published")
                 or find_date(time_tag["datetime"] if time_tag else "") or found.get("published"))
    doc_type = _type_from(meta.get("type_label") or found.get("type_label"), url, layout)
    links = _links(main, base)
    return Document.from_blocks(
        source, blocks, title=title, summary=summary, published=published, type=doc_type,
        publisher=profile.publisher if profile else head.get("site_name"), url=url, links=links)


def _head_metadata(soup) -> dict:
    def meta(*names):
        for n in names:
            tag = soup.find("meta", attrs={"property": n}) or soup.find("meta", attrs={"name": n})
            if tag and tag.get("content"):
                return tag["content"].strip()
        return None

    canonical = soup.find("link", rel="canonical")
    url = (canonical.get("href") if canonical else None) or meta("og:url")
    if url and not urlsplit(url).scheme:
        url = None  # a relative canonical tells us nothing about the host
    published = meta("article:published_time", "date", "dc.date", "DC.date.issued", "dcterms.date")
    title = meta("og:title")
    if not title and soup.title and soup.title.string:
        title = re.split(r"\s+[|–-]\s+", soup.title.string.strip())[0]
    return {"url": url, "title": _clean(title) if title else None,
            "published": find_date(published or ""), "site_name": meta("og:site_name")}


def _guess_profile(soup) -> Profile | None:
    """A saved page without its URL: the site whose hosts its links point to most."""
    hosts: dict[str, int] = {}
    for a in soup.find_all(["a", "link", "img", "script"], limit=2000):
        ref = a.get("href") or a.get("src") or ""
        if ref.startswith("http"):
            host = urlsplit(ref).hostname or ""
            hosts[host] = hosts.get(host, 0) + 1
    best, best_n = None, 2
    for p in load_profiles().values():
        n = sum(c for h, c in hosts.items() if p.owns("//" + h))
        if n > best_n:
            best, best_n = p, n
    return best


def _main_region(soup, layout: dict):
    for sel in layout.get("main", []):
        node = soup.select_one(sel)
        if node and len(node.get_text(strip=True)) > 100:
            return node
    h1 = soup.find("h1")
    for sel in ("main", "[role=main]", "article", "#content", "#main-content", ".main-content",
                "#main", ".content"):
        node = soup.select_one(sel)
        if node and len(node.get_text(strip=True)) > 200 and (h1 is None or h1 in node.descendants):
            return node
    # The element holding most paragraph text, widened to take in the title when it is close by.
    best, best_len = None, 0
    for node in soup.find_all(["div", "section", "article", "td"]):
        n = sum(len(p.get_text(strip=True)) for p in node.find_all("p", recursive=False))
        if n > best_len:
            best, best_len = node, n
    if best is None:
        return soup.body or soup
    node = best
    for _ in range(3):
        if h1 is None or h1 in node.descendants or node.parent is None:
            break
        node = node.parent
    return node if (h1 is None or h1 in node.descendants) else best


def _summary_node(main):
    """A standfirst marked as such by its class ("standfirst", "summary", "intro", ...)."""
    for tag in main.find_all(["div", "p", "section", "span"]):
        if _class_words(tag) & SUMMARY_WORDS and 20 < len(tag.get_text(strip=True)) < 600:
            return tag
    return None


def _class_words(tag) -> set[str]:
    attrs = tag.attrs or {}
    words = set()
    for value in [*(attrs.get("class") or []), attrs.get("id") or ""]:
        words.update(w for w in re.split(r"[^a-z]+", value.lower()) if w)
    return words


def _drop_chrome(main) -> None:
    for tag in main.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "main", "article"):
            continue
        attrs = tag.attrs or {}
        words = _class_words(tag)
        if tag.name == "aside" or attrs.get("role") in ("navigation", "banner", "contentinfo",
                                                         "complementary", "search"):
            words.add("sidebar")
        if words & CHROME_WORDS and not tag.find("h1") and not _is_body(tag):
            tag.decompose()


def _is_body(tag) -> bool:
    """Guard against dropping the article itself when a wrapper has a chrome-like class."""
    return len(tag.find_all("p")) >= 4 and len(tag.get_text(strip=True)) > 800


def _walk(node) -> list[tuple[str, str]]:
    """Blocks in document order: (kind, text)."""
    blocks: list[tuple[str, str]] = []
    _visit(node, blocks)
    return [(k, t) for k, t in blocks if t]


def _visit(node, blocks):
    from bs4 import NavigableString, Tag

    inline: list[str] = []

    def flush():
        # Loose text between blocks; a blank line or two <br>s in a row separate paragraphs.
        for part in re.split(r"\n\s*\n", "".join(inline)):
            text = _clean(part)
            if text:
                blocks.append(("paragraph", text))
        inline.clear()

    for child in node.children:
        if isinstance(child, NavigableString):
            if child.__class__.__name__ in ("Comment", "Doctype", "ProcessingInstruction", "CData"):
                continue
            inline.append(" ".join(str(child).split("\n")))  # source line breaks are spaces
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            inline.append("\n")
            continue
        if name in ("ul", "ol"):
            flush()
            _emit_list(child, blocks)
            continue
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            flush()
            blocks.append(("title" if name == "h1" else "heading", _clean(child.get_text())))
            continue
        if name == "table" and not _layout_table(child):
            flush()
            for tr in child.find_all("tr"):
                cells = [_clean(c.get_text()) for c in tr.find_all(["td", "th"])]
                row = " | ".join(c for c in cells if c)
                if row:
                    blocks.append(("table", row))
            continue
        if name in BLOCK_TAGS and not _has_blocks(child):
            flush()
            blocks.append(("paragraph", _clean(child.get_text())))
            continue
        if name in BLOCK_TAGS or name in CONTAINER_TAGS or _has_blocks(child):
            flush()
            _visit(child, blocks)
            continue
        inline.append(child.get_text())
    flush()


def _emit_list(lst, blocks):
    """List items keep a marker ("- ", or "N. " in an ordered list) in the plain text."""
    ordered = lst.name == "ol"
    n = int(lst.get("start")) if str(lst.get("start", "")).isdigit() else 1
    for li in lst.find_all("li", recursive=False):
        marker = f"{n}. " if ordered else "- "
        n += 1
        nested = [c.extract() for c in li.find_all(["ul", "ol"], recursive=False)]
        if _has_blocks(li):
            sub: list[tuple[str, str]] = []
            _visit(li, sub)
            if sub:
                blocks.append(("list_item", marker + sub[0][1]))
                blocks.extend(sub[1:])
        else:
            blocks.append(("list_item", marker + _clean(li.get_text())))
        for inner in nested:
            _emit_list(inner, blocks)


def _layout_table(table) -> bool:
    """Old sites lay out whole pages with tables: those are containers, not data."""
    return (table.find(["h1", "h2", "p", "table", "ul"]) is not None
            or any(len(td.get_text(strip=True)) > 300 for td in table.find_all("td")))


def _has_blocks(tag) -> bool:
    return tag.find(list(BLOCK_TAGS | {"div", "section", "ul", "ol"})) is not None


def _split_metadata(blocks, title):
    """Short lines around the title that carry metadata (type label, date) leave the text."""
    found: dict = {}
    out: list[tuple[str, str]] = []
    seen_title = False
    for i, (kind, text) in enumerate(blocks):
        near_top = i < 8
        if kind == "title":
            if seen_title:
                out.append(("heading", text))
                continue
            seen_title = True
            found.setdefault("title", text)
            out.append((kind, text))
            continue
        if near_top and len(text) <= 80:
            label = text.strip().lower().rstrip(":")
            if label in TYPE_LABELS and "type_label" not in found:
                found["type_label"] = label
                continue
            date = find_date(text)
            if date and _mostly_date(text):
                found.setdefault("published", date)
                continue
        out.append((kind, text))
    if title and not seen_title:
        out.insert(0, ("title", title))
    return out, found


def _mostly_date(text: str) -> bool:
    """'17 August 2023', 'CCN News 2023 | 04 April 2023', 'Posted on 4 April 2021 by ...'."""
    rest = re.sub(r"\d{1,2}(st|nd|rd|th)?\s+\w+\s+\d{4}|\w+\s+\d{1,2},?\s+\d{4}|\d{4}-\d\d-\d\d"
                  r"|\d{1,2}/\d{1,2}/\d{4}", "", text)
    return len(rest.split()) <= 6


def _type_from(label, url, layout) -> str | None:
    if label and label.lower() in TYPE_LABELS:
        return TYPE_LABELS[label.lower()]
    path = urlsplit(url or "").path
    for prefix, kind in (layout.get("types") or {}).items():
        if re.search(prefix, path):
            return kind
    return None


def _links(main, base: str) -> list[str]:
    links, seen = [], set()
    for a in main.find_all("a", href=True):
        href = a["href"].strip()
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        absolute = urljoin(base, href) if base else href
        if absolute not in seen:
            seen.add(absolute)
            links.append(absolute)
    return links


def _trafilatura_blocks(html: str) -> list[tuple[str, str]]:
    """Generic main-text extraction for pages no heuristic above could read."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(html, output_format="xml", include_comments=False,
                              include_tables=True, favor_recall=True)
    if not xml:
        return []
    root = etree.fromstring(xml.encode("utf-8"))
    blocks = []
    for el in root.iter("head", "p", "item", "row"):
        text = _clean(" ".join(el.itertext()))
        if not text:
            continue
        kind = {"head": "heading", "item": "list_item", "row": "table"}.get(el.tag, "paragraph")
        blocks.append((kind, ("- " + text) if kind == "list_item" else text))
    return blocks


def _clean(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return " ".join(text.split())

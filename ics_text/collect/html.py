"""HTML pages: find the main text among the page chrome and keep its structure.

A site profile (``models/sites/*.yaml``, key ``layout``) names the selectors of a known site; any
other page goes through the same general steps with generic rules, and through trafilatura when
nothing readable is found at all. The steps, and the module that does each:

1. metadata from the head: canonical URL, ``<meta>`` dates and titles, JSON-LD (``datePublished``,
   ``headline``, publisher), microdata and RDFa dates (:mod:`.html_head`);
2. invisible things go: scripts, forms, ``hidden``/``aria-hidden`` and screen-reader-only text,
   dialogs, AMP widgets; a ``<noscript>`` stays only when it holds text the page shows nowhere else
   (:mod:`.html_chrome`);
3. the scope: the profile's main selector, else a landmark (``<main>``, ``role=main``, the largest
   ``<article>``, ``#content``...), else the body (:mod:`.html_scope`);
4. chrome inside the scope goes, by four signs that do not depend on the site: class and id
   words (cookie, share, breadcrumb, related...), ARIA roles, link density (menus, tag lists,
   tables of contents) and repeated teasers (a linked heading, a date and a summary, as in
   "related articles" and "latest news" lists), plus cookie notices recognised by their wording
   (:mod:`.html_chrome`);
5. metadata elements (bylines, date lines, "meta" boxes) give the date and leave the text
   (:mod:`.html_metadata`);
6. a walk in document order emits title, summary, headings, paragraphs, list items and table
   rows, each with the element it came from; paragraphs made with ``<br><br>``, bold lines used as
   subheadings and "•" bullets typed as text are recognised (:mod:`.html_walk`);
7. the content region: the smallest element that holds nearly all the body text (text not in
   links), widened to take in the title; blocks outside it (a contact box, a promo column) go
   (:mod:`.html_scope`);
8. short metadata lines near the title (type label, date, reading time) and press-release
   markers ("ENDS") leave the text (:mod:`.html_metadata`).

This module runs the steps in order and gathers the links.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from ..records import Document
from .dates import date_from_url, find_date
from .html_chrome import drop_chrome, measure, prune
from .html_head import JSONLD_TYPES, head_metadata
from .html_metadata import label_in, metadata_line, node_date, summary_node, take_metadata, tidy, type_from
from .html_nodes import clean, inside, norm
from .html_scope import content_region, find_scope, title_node
from .html_walk import walk
from .profiles import Profile, load_profiles, profile_for_url

# Links to files that hold a publication (a report's PDF), kept whatever part of the page they are in.
DOCUMENT_LINK = re.compile(r"\.(pdf|docx?|xlsx?|odt|ods|pptx?|csv|rtf)(?:[?#]|$)", re.I)


def parse_html(html: str, source: str, url: str | None = None) -> Document:
    """The Document of a page; ``url`` (else the canonical URL) picks the profile and resolves links."""
    try:
        return _parse_html(html, source, url)
    except RecursionError:
        # Thousands of nested elements (broken markup that never closes its tags): read the text
        # without walking the tree.
        return _flat_html(html, source, url)


def _flat_html(html: str, source: str, url: str | None) -> Document:
    """Headings, paragraphs and list items in document order, found without recursion (lxml's own
    tree, and so trafilatura, stops at 256 levels)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "template", "noscript", "nav", "footer", "form"]):
        tag.decompose()
    head = head_metadata(soup)
    leaf = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "figcaption"]
    blocks: list[tuple[str, str]] = []
    for el in soup.find_all(leaf):
        if el.find(leaf):
            continue
        text = clean(el.get_text(" "))
        if text:
            kind = ("heading" if el.name[0] == "h" and el.name != "h1" else "title" if el.name == "h1"
                    else "list_item" if el.name == "li" else "paragraph")
            blocks.append((kind, "- " + text if kind == "list_item" else text))
    if not blocks:
        body = (soup.body or soup).get_text("\n")
        blocks = [("paragraph", clean(p)) for p in re.split(r"\n\s*\n", body) if clean(p)]
    title = next((t for k, t in blocks if k == "title"), None) or head.get("title")
    blocks = [("title", title)] * bool(title) + [b for b in blocks if b[0] != "title"]
    return Document.from_blocks(source, blocks, url=url or head.get("url"), title=title,
                                published=head.get("published") or date_from_url(url),
                                errors=["nested too deeply to read its structure; text only"])


def _parse_html(html: str, source: str, url: str | None = None) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    head = head_metadata(soup)
    url = url or head.get("url")
    profile = profile_for_url(url) or _guess_profile(soup)
    layout = profile.layout if profile else {}
    base = url or head.get("url") or ""

    prune(soup, layout)
    scope = find_scope(soup, layout)
    doc_links = _document_links(scope, base)
    title_el = title_node(soup, scope, layout, head)

    meta: dict = {}
    for field in ("title", "summary", "date", "type_label"):
        for sel in layout.get(field, []):
            node = scope.select_one(sel) or soup.select_one(sel)
            if node and node.get_text(strip=True):
                meta[field] = clean(node.get_text(" "))
                if field == "date":  # "Blogs | 03 October 2022": a label and the date
                    meta["date"] = node_date(node) or meta["date"]
                    label = label_in(clean(node.get_text(" ")))
                    if label:
                        meta.setdefault("type_label", label)
                if field != "title":  # the title stays in place as a block
                    node.decompose()
                break

    sizes = measure(scope)
    drop_chrome(scope, title_el, sizes)
    found_meta = take_metadata(scope, title_el)
    if "summary" not in meta:
        node = summary_node(scope, title_el)
        if node is not None:
            meta["summary"] = clean(node.get_text(" "))
            node.decompose()

    walked = walk(scope, title_el)
    region = content_region(scope, walked, title_el)
    if region is not scope:
        walked = [b for b in walked if inside(b.el, region)]
    blocks, found = tidy(walked, meta.get("title") or head.get("title"))
    if title_el is not None and not inside(title_el, region) and title_el.parent is not None:
        # The title sits outside the region (a hero above <main>): the lines around it carry the
        # date and the type label.
        near = walk(title_el.parent)
        at = next((i for i, b in enumerate(near) if b.el is title_el), 0)
        for b in near[max(0, at - 3):at + 4]:
            if b.el is not title_el and len(b.text) <= 80:
                metadata_line(b.text, found)
    title = meta.get("title") or found.get("title") or head.get("title")
    summary = meta.get("summary") or found.get("summary")
    if summary and not any(k == "summary" for k, _ in blocks):
        blocks.insert(1 if blocks and blocks[0][0] == "title" else 0, ("summary", summary))
    if title and not any(k == "title" for k, _ in blocks):
        blocks = [("title", title)] + [b for b in blocks if norm(b[1]) != norm(title)]

    if len(" ".join(t for _, t in blocks)) < 200:
        fallback = _trafilatura_blocks(html)
        if len(" ".join(t for _, t in fallback)) > len(" ".join(t for _, t in blocks)):
            blocks = ([("title", title)] if title else []) + fallback

    # The profile's date field, then the page's own declarations (meta tags, JSON-LD, microdata),
    # then a <time> in a metadata line or the main text, then a date line near the title, then a
    # date in the URL. A date in a related-article teaser never counts: teasers are gone by now.
    published = (find_date(meta.get("date") or "") or head.get("published")
                 or found_meta.get("datetime") or found_meta.get("time")
                 or found_meta.get("text") or found.get("published") or date_from_url(url))
    label = meta.get("type_label") or found_meta.get("type_label") or found.get("type_label")
    doc_type = type_from(label, url, layout) or JSONLD_TYPES.get(head.get("ld_type") or "")
    links = _links(region, base)
    links += [u for u in doc_links if u not in links]
    publisher = profile.publisher if profile else (head.get("ld_publisher") or head.get("site_name"))
    return Document.from_blocks(
        source, blocks, title=title, summary=summary, published=published, type=doc_type,
        publisher=publisher, url=url, links=links)


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


def _document_links(scope, base: str) -> list[str]:
    """Links to report files anywhere in the scope, buttons and download boxes included."""
    out = []
    for a in scope.find_all("a", href=True):
        href = a["href"].strip()
        if DOCUMENT_LINK.search(href):
            absolute = urljoin(base, href) if base else href
            if absolute not in out:
                out.append(absolute)
    return out


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
        text = clean(" ".join(el.itertext()))
        if not text:
            continue
        kind = {"head": "heading", "item": "list_item", "row": "table"}.get(el.tag, "paragraph")
        blocks.append((kind, ("- " + text) if kind == "list_item" else text))
    return blocks

"""Where a page's main text is: the scope to read, the title element, and the content region.

The scope is the profile's main selector, else a landmark (``<main>``, ``role=main``, the largest
``<article>``, ``#content``...), else the body. After the walk, the content region narrows it to
the smallest element holding nearly all the body text, widened to take in the title. Separate
from :mod:`.html_chrome`: these choose a part of the page and remove nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .html_nodes import class_words, inside, norm

if TYPE_CHECKING:
    from .html_walk import WalkBlock


def find_scope(soup, layout: dict):
    """The profile's main element, else a landmark, else the body."""
    for sel in layout.get("main", []):
        node = soup.select_one(sel)
        if node and len(node.get_text(strip=True)) > 100:
            return node
    for found in (soup.find_all("main"), soup.find_all(attrs={"role": "main"}), soup.find_all("article")):
        sized = [(len(n.get_text(strip=True)), n) for n in found]
        sized = [x for x in sized if x[0] > 200]
        if sized:
            return max(sized, key=lambda x: x[0])[1]
    for key, value in (("id", "content"), ("id", "main-content"), ("class_", "main-content"),
                       ("id", "main"), ("class_", "content"), ("id", "primary"),
                       ("class_", "site-main"), ("itemprop", "articleBody")):
        node = soup.find(attrs={key.rstrip("_"): value}) if key != "class_" else soup.find(class_=value)
        if node and len(node.get_text(strip=True)) > 200:
            return node
    return soup.body or soup


def title_node(soup, scope, layout: dict, head: dict):
    """The element holding the page's title: the profile's selector, else the <h1> that matches the
    declared title best (a site logo is sometimes an <h1> too), else an element whose whole text is
    the declared title."""
    for sel in layout.get("title", []):
        node = scope.select_one(sel) or soup.select_one(sel)
        if node and node.get_text(strip=True):
            return node
    declared = [t for t in (head.get("title"), head.get("page_title")) if t]
    h1s = [h for h in soup.find_all("h1") if h.get_text(strip=True)]
    if h1s:
        def rank(h):
            text = norm(h.get_text(" "))
            exact = any(text == norm(d) for d in declared)
            within = any(text and text in norm(d) for d in declared)
            in_scope = inside(h, scope)
            in_header = any(p.name in ("header",) and (p.get("role") == "banner" or
                            class_words(p) & {"site", "masthead", "logo"}) for p in h.parents)
            return (exact, within and len(text) > 15, in_scope, not in_header)
        return max(h1s, key=rank)  # max keeps the first of equals: document order
    for d in declared:
        want = norm(d)
        for tag in scope.find_all(["h2", "h3", "div", "p", "span", "strong", "td"]):
            if norm(tag.get_text(" ")) == want:
                return tag
    return None


def content_region(scope, blocks: list[WalkBlock], title_el):
    """The smallest element that holds nearly all the body text, widened to the title.

    Body text is text that is not link text, in paragraphs, list items and table rows. Starting
    at the scope we step into a child while it holds 85% of that text. Then, when the title is in
    the scope, we widen to the element holding both (the header with the summary and date lines
    sits between them); when it is not, we widen only while what a step adds reads like body text
    (long paragraphs with few links: a "Notes to editors" box, not a contact card).
    """
    mass: dict[int, int] = {}
    content_like: dict[int, int] = {}
    for b in blocks:
        if b.kind not in ("paragraph", "list_item", "table") or b.el is None:
            continue
        m = max(0, len(b.text) - b.links)
        good = m if len(b.text) >= 80 and b.links < 0.3 * len(b.text) else 0
        node = b.el
        while node is not None:
            mass[id(node)] = mass.get(id(node), 0) + m
            content_like[id(node)] = content_like.get(id(node), 0) + good
            if node is scope:
                break
            node = node.parent
    total = mass.get(id(scope), 0)
    if total < 200:
        return scope
    node = scope
    while True:
        kids = [c for c in node.find_all(True, recursive=False) if mass.get(id(c))]
        best = max(kids, key=lambda c: mass[id(c)], default=None)
        if best is None or mass[id(best)] < 0.85 * total:
            break
        node = best
    if node is scope:
        return scope
    if title_el is not None and inside(title_el, scope):
        while not inside(title_el, node) and node is not scope:
            node = node.parent
        return node
    while node is not scope and node.parent is not None:
        parent = node.parent
        extra = mass.get(id(parent), 0) - mass.get(id(node), 0)
        extra_good = content_like.get(id(parent), 0) - content_like.get(id(node), 0)
        if extra and extra_good < 0.5 * extra:
            break
        node = parent
    return node

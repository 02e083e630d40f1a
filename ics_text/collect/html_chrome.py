"""What the reader of a page never sees, and page chrome: both leave the tree before the walk.

``prune`` drops invisible things (scripts, forms, hidden and screen-reader-only text, dialogs, AMP
widgets, a ``<noscript>`` that repeats the page, footnote marks). ``drop_chrome`` drops chrome
inside the scope by four signs that do not depend on the site: class and id words (cookie, share,
breadcrumb, related...), ARIA roles, link density (menus, tag lists, tables of contents) and
repeated teasers ("related articles" lists), plus cookie notices recognised by their wording.
Both only take elements out (a ``<noscript>`` worth reading is unwrapped); what is left is read
by :mod:`.html_walk`.
"""

from __future__ import annotations

import re

from .html_nodes import INLINE_TAGS, in_text, is_meta, names_of, norm, remove

ALWAYS_DROP = ["script", "style", "template", "svg", "iframe", "form", "button", "select",
               "textarea", "input", "nav", "footer", "object", "embed", "canvas", "map", "video",
               "audio", "dialog", "amp-sidebar", "amp-social-share", "amp-analytics",
               "amp-consent", "amp-user-notification", "amp-ad", "amp-sticky-ad", "amp-pixel",
               "amp-geo", "amp-call-tracking"]
# Class/id words of page chrome, matched against whole words of class, id and data-hook values.
CHROME_WORDS = {
    "cookie", "cookies", "consent", "gdpr", "share", "sharing", "shares", "social", "addthis",
    "sharethis", "sharedaddy", "breadcrumb", "breadcrumbs", "crumbs", "related", "relatedposts",
    "sidebar", "newsletter", "signup", "subscribe", "subscription", "promo", "advert", "ad",
    "advertisement", "ads", "skip", "menu", "navbar", "navigation", "nav", "pagination", "pager",
    "comments", "comment", "tags", "tag", "topics", "categories", "terms", "print", "banner",
    "alert", "toolbar", "footer", "masthead", "search", "login", "popup", "modal", "feedback",
    "rating", "cta", "recommended", "popular", "trending", "mostread", "recent", "disqus",
    "outbrain", "taboola", "likes", "readspeaker", "browsealoud", "toc", "announcement", "rail",
    "aside", "buttons", "button", "logo",
}
# Exact class names of chrome whose words alone are too common to trust ("widget" is also
# Elementor's name for every block of a page, the article included).
CHROME_NAMES = {"widget", "widget-area", "widgets", "site-header", "site-footer", "sidebar"}
# A class name with one of these words describes a layout ("content-sidebar", "has-sidebar",
# "sidebar-grid"), not a piece of chrome.
LAYOUT_WORDS = {"layout", "has", "no", "with", "without", "grid", "template", "wrap", "wrapper",
                "col", "column", "columns"}
# A class name with one of these words (and no chrome word) marks the article itself.
CONTENT_WORDS = {"content", "body", "article", "entry", "main", "story", "richtext"}
HIDDEN_PARTS = ("visually-hidden", "visuallyhidden", "sr-only", "screen-reader", "element-invisible")
BACKLINKS = {"↩", "↩\ufe0e", "↩\ufe0f", "↑", "^", "⤴", "back"}
HIDDEN_CLASSES = {"hidden", "visually-hidden", "visuallyhidden", "sr-only", "screen-reader-text",
                  "screen-reader-only", "screenreader", "element-invisible", "element-hidden",
                  "govuk-visually-hidden", "js-hidden", "d-none", "hide", "offscreen",
                  "elementor-screen-only", "u-hidden", "is-hidden", "rdf-meta"}
COOKIE_TEXT = re.compile(r"\bcookies?\b", re.I)
CONSENT_TEXT = re.compile(r"\b(accept|consent|agree|preferences|settings|privacy|policy|browsing|"
                          r"continu\w+|essential|analytics|store|use)\b", re.I)


def prune(soup, layout: dict) -> None:
    body = soup.body or soup
    noscripts = body.find_all("noscript")
    if noscripts:
        page_text = norm(body.get_text(" "))
        for ns in noscripts:
            text = norm(ns.get_text(" "))
            # Lazy-loaded text is often only in a <noscript> fallback; a warning or a tracking
            # pixel is not text, and a copy of what the page already shows would be read twice.
            if len(text) >= 200 and page_text.count(text[:120]) < 2:
                ns.unwrap()
            else:
                ns.decompose()
    for tag in soup(ALWAYS_DROP):
        tag.decompose()
    gone: set[int] = set()
    for tag in soup.find_all(True):
        if id(tag) in gone or not tag.attrs:
            continue
        attrs = tag.attrs
        style = (attrs.get("style") or "").replace(" ", "").lower()
        if ("hidden" in attrs or attrs.get("aria-hidden") == "true"
                or "display:none" in style or "visibility:hidden" in style
                or attrs.get("role") in ("dialog", "alertdialog") or attrs.get("aria-modal") == "true"
                or any(_hidden_class(c) for c in attrs.get("class") or [])):
            if tag.name not in ("html", "body"):
                remove(tag, gone)
    for sel in layout.get("drop", []):
        for tag in soup.select(sel):
            tag.decompose()
    _drop_note_marks(soup)


def _hidden_class(name: str) -> bool:
    name = name.lower()
    return name in HIDDEN_CLASSES or any(h in name for h in HIDDEN_PARTS)


def _drop_note_marks(soup) -> None:
    """Footnote references (a raised number linking to a note) and the notes' back-links would be
    glued to the text ("comparable.1", "sector. ↩")."""
    gone: set[int] = set()
    for a in soup.find_all("a", href=True):
        if id(a) in gone or not a["href"].startswith("#"):
            continue
        text = a.get_text(strip=True)
        role = a.get("role") or ""
        if role == "doc-backlink" or text in BACKLINKS:
            remove(a, gone)
        elif role == "doc-noteref" or re.fullmatch(r"\[?\d{1,3}\]?|[*†‡]", text):
            sup = a.find_parent("sup")
            if sup is not None and len(sup.get_text(strip=True)) <= 6:
                remove(sup, gone)
            elif role == "doc-noteref":
                remove(a, gone)


def measure(root) -> dict[int, tuple[int, int]]:
    """Characters of text and of link text under every element: {id(tag): (text, links)}."""
    from bs4 import NavigableString, Tag

    sizes: dict[int, tuple[int, int]] = {}
    stack = [(root, False, False)]
    totals: dict[int, list[int]] = {}
    order = []
    while stack:
        tag, in_link, done = stack.pop()
        if done:
            t, l = totals[id(tag)]
            sizes[id(tag)] = (t, l)
            parent = tag.parent
            if parent is not None and id(parent) in totals:
                totals[id(parent)][0] += t
                totals[id(parent)][1] += l
            continue
        totals[id(tag)] = [0, 0]
        order.append(tag)
        stack.append((tag, in_link, True))
        for child in tag.children:
            if isinstance(child, Tag):
                stack.append((child, in_link or child.name == "a", False))
            elif type(child) is NavigableString:
                n = len(child.strip())
                totals[id(tag)][0] += n
                if in_link:
                    totals[id(tag)][1] += n
    return sizes


def _chrome_by_name(tag) -> bool:
    chrome = content = False
    for name in names_of(tag):
        words = set(w for w in re.split(r"[^a-z]+", name) if w)
        if name in CHROME_NAMES or (words & CHROME_WORDS and not words & LAYOUT_WORDS):
            chrome = True
        elif words & CONTENT_WORDS and not words & CHROME_WORDS:
            content = True
    return chrome and not content


def drop_chrome(scope, title_el, sizes) -> None:
    keep = {id(scope)}
    if title_el is not None:
        keep.add(id(title_el))
        keep.update(id(p) for p in title_el.parents)
    total = sizes.get(id(scope), (0, 0))[0]

    def protected(tag) -> bool:
        # the element holding most of the page's text is the article, whatever its class says
        t = sizes.get(id(tag), (0, 0))[0]
        return id(tag) in keep or (t >= 500 and t >= 0.5 * total)

    gone: set[int] = set()
    for tag in scope.find_all(True):
        if id(tag) in gone or tag.name in ("html", "body", "main") or id(tag) in keep:
            continue
        if tag.name in INLINE_TAGS and in_text(tag):
            continue
        attrs = tag.attrs or {}
        text, links = sizes.get(id(tag), (0, 0))
        # By structure: these hold for any site, and the article itself never looks like them.
        if (_teaser_list(tag, sizes) or (not is_meta(tag) and (
                _link_dense(tag, text, links, sizes) or _anchor_only(tag, text, links)))):
            remove(tag, gone)
            continue
        if protected(tag):
            continue
        # By name and role: the words a site uses for its chrome.
        if (tag.name == "aside"
                or attrs.get("role") in ("navigation", "banner", "contentinfo", "complementary",
                                         "search", "dialog", "alertdialog", "menu", "menubar")
                or _chrome_by_name(tag)
                or (tag.name in ("div", "section", "aside") and _cookie_notice(tag, text))):
            remove(tag, gone)


def _link_dense(tag, text: int, links: int, sizes) -> bool:
    """Menus, tag lists, tables of contents, download buttons: mostly link text."""
    if tag.name in ("p", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th") or not links:
        return False
    density = links / max(1, text)
    if density < 0.5:
        return False
    n_links = len(tag.find_all("a", limit=3))
    if n_links >= 2:
        if text - links >= 200 or text >= 3000:
            return False
        # a sentence with two links in it, wrapped in a <div>, is still a sentence
        return not any(sizes_p[0] and sizes_p[1] < 0.5 * sizes_p[0]
                       for sizes_p in (sizes.get(id(p), (0, 0)) for p in tag.find_all("p")))
    return density >= 0.6 and text < 80


def _anchor_only(tag, text: int, links: int) -> bool:
    """'Back to top' and other in-page jumps."""
    if not text or links != text:
        return False
    anchors = tag.find_all("a", limit=2)
    return len(anchors) == 1 and (anchors[0].get("href") or "").startswith("#")


def _teaser_list(tag, sizes) -> bool:
    """A list of teasers: two or more children that each hold a linked title and little else
    (a date, a label, a one-sentence summary); together most of the element's text."""
    if tag.name not in ("div", "section", "ul", "ol", "aside"):
        return False
    text = sizes.get(id(tag), (0, 0))[0]
    if not text:
        return False
    kids = [c for c in tag.find_all(True, recursive=False) if sizes.get(id(c), (0, 0))[0]]
    if len(kids) < 2:
        return False
    teaser_text = n = 0
    for kid in kids:
        if _teaser(kid, sizes):
            n += 1
            teaser_text += sizes[id(kid)][0]
    return n >= 2 and teaser_text >= 0.6 * text


def _teaser(el, sizes) -> bool:
    text = sizes.get(id(el), (0, 0))[0]
    if not text or text > 600 or el.name in ("p", "a", "span", "h2", "h3", "h4", "h5", "h6"):
        return False
    for h in el.find_all(["h2", "h3", "h4", "h5", "h6"]):
        ht, hl = sizes.get(id(h), (0, 0))
        if ht and hl >= 0.6 * ht:
            return True
    if len(el.find_all(True, recursive=False)) < 2:
        return False
    first = list(el.stripped_strings)[:2]
    for a in el.find_all("a", limit=3):
        at = a.get_text(" ", strip=True)
        if len(at) >= 15 and any(s and s in at for s in first):
            return True
    return False


def _cookie_notice(tag, text: int) -> bool:
    if not text or text > 1000 or len(tag.find_all("p", limit=5)) > 4:
        return False
    words = tag.get_text(" ")
    return bool(COOKIE_TEXT.search(words)) and len(CONSENT_TEXT.findall(words)) >= 2

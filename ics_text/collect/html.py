"""HTML pages: find the main text among the page chrome and keep its structure.

A site profile (``models/sites/*.yaml``, key ``layout``) names the selectors of a known site; any
other page goes through the same general steps with generic rules, and through trafilatura when
nothing readable is found at all. The steps:

1. metadata from the head: canonical URL, ``<meta>`` dates and titles, JSON-LD (``datePublished``,
   ``headline``, publisher), microdata and RDFa dates;
2. invisible things go: scripts, forms, ``hidden``/``aria-hidden`` and screen-reader-only text,
   dialogs, AMP widgets; a ``<noscript>`` stays only when it holds text the page shows nowhere else;
3. the scope: the profile's main selector, else a landmark (``<main>``, ``role=main``, the largest
   ``<article>``, ``#content``...), else the body;
4. chrome inside the scope goes, by four signs that do not depend on the site: class and id
   words (cookie, share, breadcrumb, related...), ARIA roles, link density (menus, tag lists,
   tables of contents) and repeated teasers (a linked heading, a date and a summary, as in
   "related articles" and "latest news" lists), plus cookie notices recognised by their wording;
5. metadata elements (bylines, date lines, "meta" boxes) give the date and leave the text;
6. a walk in document order emits title, summary, headings, paragraphs, list items and table
   rows, each with the element it came from; paragraphs made with ``<br><br>``, bold lines used as
   subheadings and "•" bullets typed as text are recognised;
7. the content region: the smallest element that holds nearly all the body text (text not in
   links), widened to take in the title; blocks outside it (a contact box, a promo column) go;
8. short metadata lines near the title (type label, date, reading time) and press-release
   markers ("ENDS") leave the text.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from ..records import Document
from .dates import date_from_url, find_date, published_date
from .profiles import Profile, load_profiles, profile_for_url

BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "table", "dl",
              "figcaption", "address"}
CONTAINER_TAGS = {"div", "section", "article", "main", "header", "span", "ul", "ol", "body",
                  "blockquote", "figure", "aside", "details", "center", "font", "table", "tbody",
                  "thead", "tfoot", "tr", "td", "th", "dd", "dt"}
INLINE_TAGS = {"a", "span", "em", "strong", "b", "i", "u", "small", "time", "abbr", "cite", "sup",
               "sub", "code", "mark", "s", "q", "font", "label", "bdi", "bdo", "dfn", "kbd", "var"}
# Paragraph-like tags whose text is read with line breaks and bold marked (see _inline_text).
TEXT_TAGS = {"p", "blockquote", "figcaption", "address", "dd", "dt"}
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
# Elements that carry metadata: the date is read from them, then they leave the text.
META_WORDS = {"meta", "metadata", "byline", "dateline", "submitted", "posted", "pubdate",
              "published", "dates", "author", "authors", "kicker", "eyebrow", "readtime",
              "postmeta", "entrymeta", "timestamp"}
META_PHRASES = ("post-info", "entry-info", "article-info", "post-date", "entry-date", "reading-time",
                "time-to-read", "read-time", "time-ago", "date-published", "published-date",
                "publish-date", "datepublished")
HIDDEN_PARTS = ("visually-hidden", "visuallyhidden", "sr-only", "screen-reader", "element-invisible")
BACKLINKS = {"↩", "↩\ufe0e", "↩\ufe0f", "↑", "^", "⤴", "back"}
HIDDEN_CLASSES = {"hidden", "visually-hidden", "visuallyhidden", "sr-only", "screen-reader-text",
                  "screen-reader-only", "screenreader", "element-invisible", "element-hidden",
                  "govuk-visually-hidden", "js-hidden", "d-none", "hide", "offscreen",
                  "elementor-screen-only", "u-hidden", "is-hidden", "rdf-meta"}
TYPE_LABELS = {
    "press release": "press release", "news": "press release", "media release": "press release",
    "news release": "press release", "statement": "statement", "press statement": "statement",
    "blog": "blog", "blogs": "blog", "article": "blog", "opinion": "blog", "comment": "blog",
    "report": "report", "publication": "report", "publications": "report", "research": "report",
    "briefing": "briefing", "parliamentary briefing": "briefing",
    "consultation response": "briefing", "briefings and responses": "briefing",
}
JSONLD_TYPES = {"BlogPosting": "blog", "Report": "report"}
SUMMARY_WORDS = {"standfirst", "summary", "intro", "lede", "lead", "strapline", "subtitle",
                 "excerpt", "teaser", "summary-text", "dek", "deck", "subheading", "introduction"}
DOCUMENT_LINK = re.compile(r"\.(pdf|docx?|xlsx?|odt|ods|pptx?|csv|rtf)(?:[?#]|$)", re.I)
COOKIE_TEXT = re.compile(r"\bcookies?\b", re.I)
CONSENT_TEXT = re.compile(r"\b(accept|consent|agree|preferences|settings|privacy|policy|browsing|"
                          r"continu\w+|essential|analytics|store|use)\b", re.I)
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
ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle",
                 "AnalysisNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle", "TechArticle",
                 "PressRelease", "SocialMediaPosting"}
BOLD_OPEN, BOLD_CLOSE, LINK_OPEN, LINK_CLOSE = "\x01", "\x02", "\x03", "\x04"
BULLET_LINE = re.compile(r"^\s*[•·▪‣◦●■\u2043\u25aa\u25e6]\s*")


class _B:
    """A block found by the walk: kind, text, the element it came from, and its link text."""

    __slots__ = ("kind", "text", "el", "links")

    def __init__(self, kind: str, text: str, el, links: int = 0):
        self.kind, self.text, self.el, self.links = kind, text, el, links


def parse_html(html: str, source: str, url: str | None = None) -> Document:
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
    head = _head_metadata(soup)
    leaf = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "figcaption"]
    blocks: list[tuple[str, str]] = []
    for el in soup.find_all(leaf):
        if el.find(leaf):
            continue
        text = _clean(el.get_text(" "))
        if text:
            kind = ("heading" if el.name[0] == "h" and el.name != "h1" else "title" if el.name == "h1"
                    else "list_item" if el.name == "li" else "paragraph")
            blocks.append((kind, "- " + text if kind == "list_item" else text))
    if not blocks:
        body = (soup.body or soup).get_text("\n")
        blocks = [("paragraph", _clean(p)) for p in re.split(r"\n\s*\n", body) if _clean(p)]
    title = next((t for k, t in blocks if k == "title"), None) or head.get("title")
    blocks = [("title", title)] * bool(title) + [b for b in blocks if b[0] != "title"]
    return Document.from_blocks(source, blocks, url=url or head.get("url"), title=title,
                                published=head.get("published") or date_from_url(url),
                                errors=["nested too deeply to read its structure; text only"])


def _parse_html(html: str, source: str, url: str | None = None) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    head = _head_metadata(soup)
    url = url or head.get("url")
    profile = profile_for_url(url) or _guess_profile(soup)
    layout = profile.layout if profile else {}
    base = url or head.get("url") or ""

    _prune(soup, layout)
    scope = _scope(soup, layout)
    doc_links = _document_links(scope, base)
    title_el = _title_node(soup, scope, layout, head)

    meta: dict = {}
    for field in ("title", "summary", "date", "type_label"):
        for sel in layout.get(field, []):
            node = scope.select_one(sel) or soup.select_one(sel)
            if node and node.get_text(strip=True):
                meta[field] = _clean(node.get_text(" "))
                if field == "date":  # "Blogs | 03 October 2022": a label and the date
                    meta["date"] = _node_date(node) or meta["date"]
                    label = _label_in(_clean(node.get_text(" ")))
                    if label:
                        meta.setdefault("type_label", label)
                if field != "title":  # the title stays in place as a block
                    node.decompose()
                break

    sizes = _measure(scope)
    _drop_chrome(scope, title_el, sizes)
    found_meta = _take_metadata(scope, title_el)
    if "summary" not in meta:
        node = _summary_node(scope, title_el)
        if node is not None:
            meta["summary"] = _clean(node.get_text(" "))
            node.decompose()

    walked = _walk(scope, title_el)
    region = _region(scope, walked, title_el)
    if region is not scope:
        walked = [b for b in walked if _inside(b.el, region)]
    blocks, found = _tidy(walked, meta.get("title") or head.get("title"))
    if title_el is not None and not _inside(title_el, region) and title_el.parent is not None:
        # The title sits outside the region (a hero above <main>): the lines around it carry the
        # date and the type label.
        near = _walk(title_el.parent)
        at = next((i for i, b in enumerate(near) if b.el is title_el), 0)
        for b in near[max(0, at - 3):at + 4]:
            if b.el is not title_el and len(b.text) <= 80:
                _metadata_line(b.text, found)
    title = meta.get("title") or found.get("title") or head.get("title")
    summary = meta.get("summary") or found.get("summary")
    if summary and not any(k == "summary" for k, _ in blocks):
        blocks.insert(1 if blocks and blocks[0][0] == "title" else 0, ("summary", summary))
    if title and not any(k == "title" for k, _ in blocks):
        blocks = [("title", title)] + [b for b in blocks if _norm(b[1]) != _norm(title)]

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
    doc_type = _type_from(label, url, layout) or JSONLD_TYPES.get(head.get("ld_type") or "")
    links = _links(region, base)
    links += [u for u in doc_links if u not in links]
    publisher = profile.publisher if profile else (head.get("ld_publisher") or head.get("site_name"))
    return Document.from_blocks(
        source, blocks, title=title, summary=summary, published=published, type=doc_type,
        publisher=publisher, url=url, links=links)


# ---------------------------------------------------------------------------------------------
# metadata in the head


def _head_metadata(soup) -> dict:
    metas: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop")
        if isinstance(key, str) and tag.get("content") and key.lower() not in metas:
            metas[key.lower()] = tag["content"].strip()

    def meta(*names):
        for n in names:
            if metas.get(n.lower()):
                return metas[n.lower()]
        return None

    canonical = soup.find("link", rel="canonical")
    url = (canonical.get("href") if canonical else None) or meta("og:url")
    if url and not urlsplit(url).scheme:
        url = None  # a relative canonical tells us nothing about the host
    ld = _json_ld(soup)
    published = find_date(meta("article:published_time", "og:article:published_time",
                               "govuk:first-published-at", "datePublished", "date", "dc.date",
                               "DC.date", "DC.date.issued", "dcterms.date", "dcterms.created",
                               "dcterms.issued", "citation_publication_date", "citation_date",
                               "pubdate", "publish-date", "publication_date", "parsely-pub-date",
                               "sailthru.date", "article.published") or "")
    published = published or find_date(ld.get("published") or "") or _microdata_date(soup)
    site = meta("og:site_name")
    title = _clean(meta("og:title") or "")
    if site and title.endswith(site) and len(title) > len(site) + 3:
        title = _strip_site(title)  # "Report title — Site name"
    title = title or _clean(ld.get("headline") or "")
    if not title and soup.title and soup.title.string:
        title = _strip_site(_clean(soup.title.string))
    page_title = soup.title.get_text() if soup.title else ""
    return {"url": url, "title": title or None,
            "page_title": _clean(page_title), "published": published,
            "site_name": site, "ld_publisher": ld.get("publisher"),
            "ld_type": ld.get("type")}


def _strip_site(title: str) -> str:
    """'Report title | Site name' -> 'Report title' (the site's name follows a bar or dash)."""
    return re.split(r"\s+[|–—-]\s+", title)[0].strip() or title


def _json_ld(soup) -> dict:
    """The article's date, headline, publisher and type from JSON-LD (a @graph or a list of nodes)."""
    nodes: list[dict] = []

    def collect(item):
        if isinstance(item, list):
            for x in item:
                collect(x)
        elif isinstance(item, dict):
            nodes.append(item)
            if "@graph" in item:
                collect(item["@graph"])

    for script in soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.I)}):
        raw = script.string or script.get_text() or ""
        try:
            collect(json.loads(raw, strict=False))
        except ValueError:
            continue
    if not nodes:
        return {}
    by_id = {n.get("@id"): n for n in nodes if isinstance(n.get("@id"), str)}

    def types(n) -> set[str]:
        t = n.get("@type")
        return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()

    articles = [n for n in nodes if types(n) & ARTICLE_TYPES]
    ranked = articles + [n for n in nodes if n not in articles]
    out: dict = {}
    for n in ranked:
        if "published" not in out and isinstance(n.get("datePublished"), str):
            out["published"] = n["datePublished"]
        if "headline" not in out and isinstance(n.get("headline"), str) and n in articles:
            out["headline"] = n["headline"]
        pub = n.get("publisher")
        if "publisher" not in out and pub:
            pub = pub[0] if isinstance(pub, list) and pub else pub
            if isinstance(pub, dict):
                pub = by_id.get(pub.get("@id"), pub) if "name" not in pub else pub
                if isinstance(pub.get("name"), str):
                    out["publisher"] = pub["name"]
    if articles:
        out["type"] = next(iter(types(articles[0]) & set(JSONLD_TYPES)), None)
    if "publisher" not in out:
        orgs = [n for n in nodes if types(n) & {"Organization", "NGO", "GovernmentOrganization"}]
        if orgs and isinstance(orgs[0].get("name"), str):
            out["publisher"] = orgs[0]["name"]
    return out


def _microdata_date(soup) -> str | None:
    """itemprop="datePublished" (microdata) or a dc:date / dc:created property (RDFa)."""
    for tag in soup.find_all(attrs={"itemprop": re.compile(r"^datePublished$|^dateCreated$")}, limit=5):
        value = tag.get("content") or tag.get("datetime") or tag.get_text(" ")
        iso = find_date(value)
        if iso:
            return iso
    for tag in soup.find_all(attrs={"property": re.compile(r"\bdc:(date|created)\b|dcterms:(created|issued)")},
                             limit=5):
        iso = find_date(tag.get("content") or tag.get("datetime") or "")
        if iso:
            return iso
    return None


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


# ---------------------------------------------------------------------------------------------
# what the reader never sees, and where the main text is


def _prune(soup, layout: dict) -> None:
    body = soup.body or soup
    noscripts = body.find_all("noscript")
    if noscripts:
        page_text = _norm(body.get_text(" "))
        for ns in noscripts:
            text = _norm(ns.get_text(" "))
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
                _decompose(tag, gone)
    for sel in layout.get("drop", []):
        for tag in soup.select(sel):
            tag.decompose()
    _drop_note_marks(soup)


def _decompose(tag, gone: set[int]) -> None:
    """Decompose, remembering the element and its descendants as gone: bs4's own ``decomposed``
    check on a Tag falls through to a search of the whole subtree, which is slow."""
    gone.add(id(tag))
    gone.update(id(d) for d in tag.descendants)
    tag.decompose()


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
            _decompose(a, gone)
        elif role == "doc-noteref" or re.fullmatch(r"\[?\d{1,3}\]?|[*†‡]", text):
            sup = a.find_parent("sup")
            if sup is not None and len(sup.get_text(strip=True)) <= 6:
                _decompose(sup, gone)
            elif role == "doc-noteref":
                _decompose(a, gone)


def _scope(soup, layout: dict):
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


def _title_node(soup, scope, layout: dict, head: dict):
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
            text = _norm(h.get_text(" "))
            exact = any(text == _norm(d) for d in declared)
            within = any(text and text in _norm(d) for d in declared)
            in_scope = _inside(h, scope)
            in_header = any(p.name in ("header",) and (p.get("role") == "banner" or
                            _class_words(p) & {"site", "masthead", "logo"}) for p in h.parents)
            return (exact, within and len(text) > 15, in_scope, not in_header)
        return max(h1s, key=rank)  # max keeps the first of equals: document order
    for d in declared:
        want = _norm(d)
        for tag in scope.find_all(["h2", "h3", "div", "p", "span", "strong", "td"]):
            if _norm(tag.get_text(" ")) == want:
                return tag
    return None


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


# ---------------------------------------------------------------------------------------------
# chrome


def _measure(root) -> dict[int, tuple[int, int]]:
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


def _class_words(tag) -> set[str]:
    attrs = tag.attrs or {}
    words = set()
    for value in [*(attrs.get("class") or []), attrs.get("id") or ""]:
        words.update(w for w in re.split(r"[^a-z]+", value.lower()) if w)
    return words


def _names(tag) -> list[str]:
    """Class names, id and the naming data attributes some builders use instead of classes."""
    attrs = tag.attrs or {}
    names = [c.lower() for c in attrs.get("class") or []]
    for key in ("id", "data-hook", "data-testid"):
        if isinstance(attrs.get(key), str):
            names.append(attrs[key].lower())
    return names


def _chrome_by_name(tag) -> bool:
    chrome = content = False
    for name in _names(tag):
        words = set(w for w in re.split(r"[^a-z]+", name) if w)
        if name in CHROME_NAMES or (words & CHROME_WORDS and not words & LAYOUT_WORDS):
            chrome = True
        elif words & CONTENT_WORDS and not words & CHROME_WORDS:
            content = True
    return chrome and not content


def _is_meta(tag) -> bool:
    for name in _names(tag):
        words = set(w for w in re.split(r"[^a-z]+", name) if w)
        if words & META_WORDS or any(p in name for p in META_PHRASES):
            return True
    prop = (tag.attrs or {}).get("itemprop")
    return isinstance(prop, str) and prop in ("datePublished", "author", "dateModified")


def _drop_chrome(scope, title_el, sizes) -> None:
    from bs4 import Tag

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
        if tag.name in INLINE_TAGS and _in_text(tag):
            continue
        attrs = tag.attrs or {}
        text, links = sizes.get(id(tag), (0, 0))
        # By structure: these hold for any site, and the article itself never looks like them.
        if (_teaser_list(tag, sizes) or (not _is_meta(tag) and (
                _link_dense(tag, text, links, sizes) or _anchor_only(tag, text, links)))):
            _decompose(tag, gone)
            continue
        if protected(tag):
            continue
        # By name and role: the words a site uses for its chrome.
        if (tag.name == "aside"
                or attrs.get("role") in ("navigation", "banner", "contentinfo", "complementary",
                                         "search", "dialog", "alertdialog", "menu", "menubar")
                or _chrome_by_name(tag)
                or (tag.name in ("div", "section", "aside") and _cookie_notice(tag, text))):
            _decompose(tag, gone)


def _in_text(tag) -> bool:
    """An inline element inside running text (a link in a sentence is not a menu)."""
    for p in tag.parents:
        if p.name in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote",
                      "figcaption", "dd", "dt"):
            return True
        if p.name not in INLINE_TAGS:
            return False
    return False


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


# ---------------------------------------------------------------------------------------------
# metadata elements and the summary


def _take_metadata(scope, title_el) -> dict:
    """Date, time and type label from metadata elements (bylines, date lines, 'meta' boxes); the
    elements then leave the text. <time> elements elsewhere in the scope are read too."""
    found: dict = {}
    roots = [scope]
    if title_el is not None and not _inside(title_el, scope) and title_el.parent is not None:
        roots.append(title_el.parent)
    for root in roots:
        gone: set[int] = set()
        for tag in root.find_all(True):
            if id(tag) in gone or not _is_meta(tag) or (tag.name in INLINE_TAGS and _in_text(tag)):
                continue
            if title_el is not None and (tag is title_el or _inside(title_el, tag)):
                continue
            text = _clean(tag.get_text(" "))
            if len(text) > 300 or len(tag.find_all("p", limit=4)) > 3:
                continue
            _read_times(tag, found)
            if "text" not in found:
                iso = published_date(text)
                if iso:
                    found["text"] = iso
            label = _label_in(text)
            if label:
                found.setdefault("type_label", label)
            _decompose(tag, gone)
    for root in roots:
        _read_times(root, found, key="time")
    return found


def _node_date(node) -> str | None:
    """The publication date an element gives: its datetime, a <time> in it, or its text."""
    times: dict = {}
    _read_times(node, times)
    return (find_date(node.get("datetime") or "") or times.get("datetime")
            or published_date(_clean(node.get_text(" "))))


def _label_in(text: str) -> str | None:
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
        words = _class_words(t)
        if words & {"updated", "modified", "changed"} or t.get("itemprop") == "dateModified":
            continue
        iso = find_date(t.get("datetime") or t.get("content") or "")
        if iso:
            found[key] = iso
            return
        if key == "datetime":
            iso = published_date(_clean(t.get_text(" ")))
            if iso:
                found.setdefault("text", iso)


def _summary_node(scope, title_el):
    """A standfirst marked as such by its class ("standfirst", "summary", "intro", "lede"...) that
    comes before the body text."""
    roots = [scope]
    if title_el is not None and not _inside(title_el, scope):
        roots = [title_el.parent.parent or title_el.parent, scope]
    for root in roots:
        if root is None:
            continue
        seen_text = 0
        for tag in root.find_all(["div", "p", "section", "span", "header"]):
            words = _class_words(tag)
            n = len(tag.get_text(strip=True))
            if words & SUMMARY_WORDS and 20 < n < 600 and len(tag.find_all("p", limit=4)) <= 2 \
                    and not tag.find(["h1", "h2", "h3"]):
                return tag
            if tag.name == "p" and n >= 200:
                seen_text += n
                if seen_text > 400:  # past the opening of the body: a later "intro" is the body
                    break
    return None


# ---------------------------------------------------------------------------------------------
# the walk


def _walk(node, title_el=None) -> list[_B]:
    """Blocks in document order, each with the element it came from."""
    blocks: list[_B] = []
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
            blocks.append(_B("title", _clean(child.get_text(" ")), child))
            continue
        if name in ("ul", "ol"):
            flush()
            _emit_list(child, blocks, title_el)
            continue
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            flush()
            kind = "title" if name == "h1" and title_el is None else "heading"
            blocks.append(_B(kind, _clean(child.get_text(" ")), child))
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
                blocks.append(_B("paragraph", _clean(child.get_text(" ")), child,
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
            blocks.append(_B("heading", _clean(_strip_marks(lines[0])), el))
            lines = lines[1:]
        elif len(lines) == 1 and _bold_line(lines[0]):
            blocks.append(_B("heading", _clean(_strip_marks(lines[0])), el))
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
    text = _clean(_strip_marks(raw))
    if text:
        blocks.append(_B(kind, text, el, _marked_link_chars(raw)))
    parts.clear()


def _bold_line(line: str) -> bool:
    """A line wholly in bold, short, not a sentence: authors' subheadings ('Notes to editors')."""
    plain = _clean(_strip_marks(line))
    if not plain or len(plain) > 120 or plain[-1] in ".,;:!?\"'”’" or plain[0] in "\"'“‘":
        return False
    outside = re.sub(BOLD_OPEN + r"[^" + BOLD_CLOSE + r"]*" + BOLD_CLOSE, "", line)
    return not _strip_marks(outside).strip() and any(c.isalpha() for c in plain)


def _strip_marks(text: str) -> str:
    return text.translate({ord(BOLD_OPEN): None, ord(BOLD_CLOSE): None,
                           ord(LINK_OPEN): None, ord(LINK_CLOSE): None})


def _marked_link_chars(text: str) -> int:
    return sum(len(_clean(_strip_marks(m))) for m in re.findall(LINK_OPEN + r"([^" + LINK_CLOSE +
                                                                   r"]*)" + LINK_CLOSE, text))


def _link_chars(tag) -> int:
    return sum(len(_clean(a.get_text(" "))) for a in tag.find_all("a"))


def _emit_list(lst, blocks, title_el):
    """List items keep a marker ("- ", or "N. " in an ordered list) in the plain text."""
    ordered = lst.name == "ol"
    n = int(lst.get("start")) if str(lst.get("start", "")).isdigit() else 1
    for li in lst.find_all("li", recursive=False):
        marker = f"{n}. " if ordered else "- "
        n += 1
        nested = [c.extract() for c in li.find_all(["ul", "ol"], recursive=False)]
        if _has_blocks(li):
            sub: list[_B] = []
            _visit(li, sub, title_el)
            sub = [b for b in sub if b.text]
            if sub:
                first = sub[0]
                blocks.append(_B("list_item", marker + first.text, li, first.links))
                blocks.extend(sub[1:])
        else:
            raw = _inline_text(li)
            text = _clean(_strip_marks(raw))
            if text:
                blocks.append(_B("list_item", marker + text, li, _marked_link_chars(raw)))
        for inner in nested:
            _emit_list(inner, blocks, title_el)


def _emit_table(table, blocks) -> None:
    caption = table.find("caption")
    if caption is not None:
        text = _clean(caption.get_text(" "))
        if text:
            blocks.append(_B("paragraph", text, table))
    for tr in table.find_all("tr"):
        cells = [_clean(c.get_text(" ")) for c in tr.find_all(["td", "th"])]
        row = " | ".join(c for c in cells if c)
        if row:
            blocks.append(_B("table", row, tr, _link_chars(tr)))


def _layout_table(table) -> bool:
    """Old sites lay out whole pages with tables: those are containers, not data."""
    return (table.find(["h1", "h2", "p", "table", "ul"]) is not None
            or any(len(td.get_text(strip=True)) > 300 for td in table.find_all("td")))


def _has_blocks(tag) -> bool:
    return tag.find(list(BLOCK_TAGS | {"div", "section", "ul", "ol"})) is not None


# ---------------------------------------------------------------------------------------------
# the content region


def _region(scope, blocks: list[_B], title_el):
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
    if title_el is not None and _inside(title_el, scope):
        while not _inside(title_el, node) and node is not scope:
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


def _inside(el, ancestor) -> bool:
    if el is None:
        return False
    if el is ancestor:
        return True
    return any(p is ancestor for p in el.parents)


# ---------------------------------------------------------------------------------------------
# tidying the blocks


def _tidy(walked: list[_B], title: str | None):
    """Title first, metadata lines out, press-release markers and orphan headings out."""
    blocks = [(b.kind, b.text) for b in walked]
    found: dict = {}
    # The title: the first title block; later <h1>s are headings.
    t = next((i for i, (k, _) in enumerate(blocks) if k == "title"), None)
    if t is None and title:
        want = _norm(title)
        t = next((i for i, (_, x) in enumerate(blocks[:8]) if _norm(x) == want), None)
    if t is not None:
        found["title"] = blocks[t][1]
        before = blocks[:t]
        after = [("heading", x) if k == "title" else (k, x) for k, x in blocks[t + 1:]]
        # What sits above the title is a label, a date, a byline or a breadcrumb; a long sentence
        # above it is kept (some pages open with a lead above the headline).
        lead = [(k, x) for k, x in before if len(x) >= 100 and re.search(r"[.!?]\W*$", x)]
        for _, x in before:
            _metadata_line(x, found)
        blocks = [("title", found["title"])] + lead + after
    out: list[tuple[str, str]] = []
    for i, (kind, text) in enumerate(blocks):
        near_top = i < 8
        if (kind != "title" and near_top and (len(text) <= 80 or BYLINE.match(text))
                and _metadata_line(text, found, labels=kind != "heading", dates=kind != "heading" or i < 4)):
            continue
        if kind != "title" and (END_MARKER.match(text) or NAV_PHRASE.match(text)
                                or not any(c.isalnum() for c in text)
                                or (len(text) <= 120 and REVIEW_LINE.match(text) and _mostly_date(text))):
            continue
        out.append((kind, text))
    while out and out[-1][0] == "heading":
        out.pop()
    return out, found


def _metadata_line(text: str, found: dict, labels: bool = True, dates: bool = True) -> bool:
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
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())


def _norm(text: str | None) -> str:
    return _clean(text or "").lower()

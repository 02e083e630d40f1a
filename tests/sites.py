"""The three publishers' sites served from the bundled corpus over real HTTP on 127.0.0.1.

Used by the crawler tests and for offline demos:

    python -m tests.sites [--faults] [--port 8801]
    ics-text scrape --publisher all --base-url nhsconfed=http://127.0.0.1:8801 \
        --base-url lga=http://127.0.0.1:8802 --base-url ccn=http://127.0.0.1:8803 --delay 0

Each site gets its own server (its own port), laid out like the live site: the article, report and
PDF paths of ``corpus/<site>/manifest.csv``, listing pages generated from the manifest in the site's
own markup and paging style (nhsconfed ``/news?page=N``; LGA ``/about/news?page=N`` with topic
filters, ``/node/<id>`` aliases and links through mirror hosts; CCN ``/category/ccn-news/page/N/``,
``/feed/`` and a ``/sitemap.xml`` index), a robots.txt with disallowed paths that listings do link
to, and ETag / Last-Modified with 304 answers. Every request is logged (``server.log``), so a test
can check what a crawl asked for.

The fault-injecting mode (``faults=True``, nhsconfed) adds listed pages that answer 429 with
Retry-After, 500 then 200, too slowly, with a redirect loop, a truncated body, 30 MB, a wrong
Content-Type, windows-1252 bytes (declared, and mislabelled as UTF-8), 404, a redirect off-site, a
good redirect, and links to other hosts. :data:`FAULTS` says what a crawl should make of each.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import re
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

ORIGINS = {
    "nhsconfed": "https://www.nhsconfed.org",
    "lga": "https://www.local.gov.uk",
    "ccn": "https://www.countycouncilsnetwork.org.uk",
}
# Listing path -> URL path prefix of the pages it lists.
LISTINGS = {
    "nhsconfed": {"/news": "/news/", "/publications": "/publications/", "/articles": "/articles/"},
    "lga": {"/about/news": "/about/news/", "/parliament/briefings-and-responses":
            "/parliament/briefings-and-responses/", "/publications": "/publications/"},
    "ccn": {"/category/ccn-news/": "/"},
}
ROBOTS = {
    "nhsconfed": "User-agent: *\nDisallow: /search\nDisallow: /user/\nDisallow: /news/embargoed-\n\n"
                 "User-agent: ExampleBadBot\nDisallow: /\n",
    "lga": "# LGA\nUser-agent: *\nDisallow: /search/\nDisallow: /user/\nDisallow: /about/news/draft-\n",
    "ccn": "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\nDisallow: /draft-\n",
}
# A page on each site that robots.txt forbids and a listing, feed or sitemap links to anyway.
DISALLOWED = {
    "nhsconfed": "/news/embargoed-pay-offer-briefing",
    "lga": "/about/news/draft-statement-on-care-fees",
    "ccn": "/draft-preview-of-county-finances/",
}
TOPICS = ["adults-and-social-care", "children-and-young-people", "health-and-wellbeing", "finance"]
PAGE_SIZE = 4

# What a crawl should make of each fault page: ("good", None) or ("bad", words its reason holds).
FAULTS = {
    "/news/fault-too-many-requests": ("good", None),
    "/news/fault-server-error-once": ("good", None),
    "/news/fault-slow": ("bad", "timed out"),
    "/news/fault-redirect-loop": ("bad", "redirect loop"),
    "/news/fault-truncated": ("bad", "truncated"),
    "/news/fault-huge": ("bad", "too large"),
    "/news/fault-wrong-type": ("good", None),
    "/news/fault-windows-1252": ("good", None),
    "/news/fault-windows-1252-mislabelled": ("good", None),
    "/news/fault-missing": ("bad", "404"),
    "/news/fault-offsite-redirect": ("bad", "host not allowed"),
    "/news/fault-moved": ("good", None),  # stored under /news/fault-moved-here
    "/sites/default/files/2030-01/fault-report-served-as-html.pdf": ("good", None),
}
FAULT_DATE = "2030-01-15"  # newest of all, so the faults sit on the first listing page


@dataclass
class Entry:
    url: str  # canonical live URL
    path: str  # URL path
    file: Path
    published: str
    type: str
    title: str
    node: str | None = None  # LGA /node/<id> alias


@dataclass
class Request:
    site: str
    path: str  # path and query as requested
    host: str
    headers: dict
    at: float  # time.monotonic()
    status: int | None = None


def read_manifest(site: str, corpus: Path = CORPUS) -> list[Entry]:
    folder = corpus / site
    entries = []
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        return entries
    with manifest.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row.get("url") or not row.get("path"):
                continue
            entries.append(Entry(url=row["url"], path=urlsplit(row["url"]).path or "/",
                                 file=folder / row["path"], published=row.get("published") or "",
                                 type=row.get("type") or "", title=row.get("title") or ""))
    return entries


# -- page templates (our own words; the fault pages are not corpus documents) -------------------------

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="{charset}">
<title>{title} | NHS Confederation</title>
<link rel="canonical" href="https://www.nhsconfed.org{path}">
<meta property="og:title" content="{title}">
</head>
<body class="path-node page-node-type-news">
<div class="cookie-banner">We use cookies to understand how the site is used. <a href="/cookies">Cookie settings</a></div>
<header class="site-header"><a href="/">NHS Confederation</a>
<nav><a href="/news">News</a> <a href="/publications">Publications</a> <a href="/search?q=">Search</a></nav></header>
<main id="main-content">
<div class="type-label">Press release</div>
<h1>{title}</h1>
<p class="standfirst">{summary}</p>
<p class="date">15 January 2030</p>
{body}
</main>
<footer class="site-footer"><a href="/about-us">About us</a> <a href="/contact-us">Contact us</a></footer>
</body>
</html>
"""

FAULT_PAGES = {
    "/news/fault-too-many-requests": (
        "Members ask for a settled budget before the winter",
        "A survey of trust leaders points to the cost of late funding decisions.",
        ["Trust leaders told the confederation that money confirmed in the autumn arrives too late "
         "to hire the staff a hard winter needs, and that short-term pots cost more to spend well.",
         "Priya Calloway, director of policy at the confederation, said: “Every year we plan "
         "twice, once for the budget we expect and once for the one we get.”"]),
    "/news/fault-server-error-once": (
        "Community services waiting lists keep growing",
        "Figures gathered from providers show longer waits for children’s therapies.",
        ["Providers of community services report that waits for speech and language therapy have "
         "lengthened again this year, with some families waiting more than a year for a first "
         "appointment.", "The confederation wants a national plan for community workforce "
         "growth alongside the plans already written for hospitals."]),
    "/news/fault-moved-here": (
        "Leaders back a shared plan for urgent care",
        "Health and care leaders set out how they will share the load this winter.",
        ["Integrated care boards and councils in three regions have agreed a common approach "
         "to discharging patients who are medically fit to leave hospital.",
         "Leaders said the plan depends on social care having the staff to take people home."]),
    "/news/fault-wrong-type": (
        "Mental health beds remain under pressure",
        "Occupancy stayed above safe levels through the summer, members report.",
        ["Mental health trusts say bed occupancy has stayed well above the level they regard as "
         "safe, which means patients are sent out of area far from their families.",
         "Members want capital funding to replace dormitory wards and add community crisis services."]),
    "/news/fault-windows-1252": (
        "Café-style hubs win £5m for ‘pilot’ sites",
        "A fund of £5m will test drop-in health hubs in town-centre cafés.",
        ["The £5m fund will pay for twelve ‘pilot’ hubs where nurses see people without an "
         "appointment – a model members say reaches men who rarely visit a surgery.",
         "Early results are due in the spring, with a report on costs per visit."]),
    "/news/fault-windows-1252-mislabelled": (
        "Régional pay gaps cost £40m a year in agency fees",
        "Trusts near the capital spend most on ‘bank’ and agency cover.",
        ["Trusts on the edge of the capital spend about £40m a year more on agency staff than "
         "similar trusts elsewhere – money members would rather put into permanent ‘bank’ roles.",
         "The confederation will publish a fuller analysis of regional pay next month."]),
}
FAULT_PDF_TEXT = [
    "Fault report: a PDF served with the wrong content type",
    "This short report exists to test that a crawler sniffs a PDF from its bytes.",
    "Members reported that 7 in 10 trusts expect to overspend this year.",
]


def fault_page(path: str, trap_url: str | None) -> str:
    title, summary, paras = FAULT_PAGES[path]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    if path == "/news/fault-too-many-requests":
        # Links to other hosts: a crawler must never fetch them.
        trap = trap_url or "http://127.0.0.1:9"
        body += (f'\n<p>Read the <a href="{trap}/news/elsewhere">partner commentary</a>, the '
                 f'<a href="https://www.example.org/reports/winter.pdf">partner report</a> and the '
                 f'<a href="/sites/default/files/2030-01/fault-report-served-as-html.pdf">full report</a>.</p>')
    return _PAGE.format(charset="{charset}", title=html.escape(title), summary=html.escape(summary),
                        body=body, path=path)


def _fault_pdf() -> bytes:
    try:
        from io import BytesIO

        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas
    except ImportError:  # reportlab is a dev dependency; a hand-made PDF does as well
        return _tiny_pdf(FAULT_PDF_TEXT)
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 780
    for line in FAULT_PDF_TEXT:
        c.drawString(60, y, line)
        y -= 20
    c.showPage()
    c.save()
    return buf.getvalue()


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF file assembled by hand from its numbered objects (object 1 is the catalogue)."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _tiny_pdf(lines: list[str]) -> bytes:
    text = " ".join(f"({ln.replace('(', '').replace(')', '')}) Tj 0 -20 Td" for ln in lines)
    stream = f"BT /F1 12 Tf 60 780 Td {text} ET".encode("latin-1")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return raw_pdf(objs)


# -- listing pages in each site's markup --------------------------------------------------------------


def _date_long(iso: str) -> str:
    d = datetime.strptime(iso, "%Y-%m-%d")
    return f"{d.day:02d} {d.strftime('%B %Y')}"


def _chrome(site: str, title: str, canonical: str, content: str, body_class: str = "") -> str:
    names = {"nhsconfed": "NHS Confederation", "lga": "Local Government Association",
             "ccn": "County Councils Network"}
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)} | {names[site]}</title>\n"
            f'<link rel="canonical" href="{canonical}">\n</head>\n<body class="{body_class}">\n'
            f'<header class="site-header"><a href="/">{names[site]}</a> <a href="/about">About</a> '
            f'<a href="/search?q=">Search</a> <a href="/user/login">Log in</a></header>\n'
            f"{content}\n<footer><a href=\"/privacy\">Privacy</a> <a href=\"/accessibility\">Accessibility"
            f"</a></footer>\n</body>\n</html>\n")


class SiteData:
    """What one site serves: pages by path, listings, feed and sitemaps, built from the manifest."""

    def __init__(self, site: str, corpus: Path = CORPUS, faults: bool = False,
                 trap_url: str | None = None, mirror_netloc: str | None = None, page_size: int = PAGE_SIZE):
        self.site = site
        self.origin = ORIGINS[site]
        self.faults = faults and site == "nhsconfed"
        self.trap_url = trap_url
        self.mirror_netloc = mirror_netloc
        self.page_size = page_size
        self.entries = [e for e in read_manifest(site, corpus)]
        self.by_path = {e.path: e for e in self.entries}
        self.overrides: dict[str, bytes] = {}  # path -> body, to simulate an edited page
        self.nodes: dict[str, Entry] = {}
        if site == "lga":
            for e in self.entries:
                if e.file.suffix == ".html" and e.file.is_file():
                    m = re.search(r'<link rel="shortlink" href="(?:https?://[^/"]+)?(/node/\d+)"',
                                  e.file.read_text(encoding="utf-8", errors="replace"))
                    if m:
                        e.node = m.group(1)
                        self.nodes[m.group(1)] = e
        self.fault_pdf = _fault_pdf() if self.faults else b""

    # listed items: HTML pages under a listing's prefix, newest first
    def listed(self, prefix: str) -> list[dict]:
        items = []
        for e in self.entries:
            if e.file.suffix != ".html" or not e.path.startswith(prefix):
                continue
            if self.site == "ccn" and e.path.count("/") != 2:
                continue
            items.append({"path": e.path, "title": e.title, "date": e.published, "entry": e})
        if self.site in DISALLOWED and prefix in ("/news/", "/about/news/", "/"):
            dates = sorted(i["date"] for i in items)
            items.append({"path": DISALLOWED[self.site], "title": "An item robots.txt forbids",
                          "date": dates[len(dates) // 2] if dates else "2020-01-01", "entry": None})
        if self.faults and prefix == "/news/":
            for path in FAULTS:
                if path.startswith("/news/"):
                    items.append({"path": path, "title": path.rsplit("/", 1)[1].replace("-", " "),
                                  "date": FAULT_DATE, "entry": None})
        items.sort(key=lambda i: (i["date"], i["path"]), reverse=True)
        return items

    def listing(self, path: str, query: dict) -> str | None:
        if self.site == "ccn":
            m = re.fullmatch(r"(/category/ccn-news/)(?:page/(\d+)/)?", path)
            if not m:
                return None
            page = int(m.group(2) or 1) - 1
            return self._wordpress_listing(page)
        prefix = LISTINGS[self.site].get(path)
        if prefix is None:
            return None
        try:
            page = int(query.get("page", ["0"])[0])
        except ValueError:
            page = 0
        topic = query.get("topic", [None])[0]
        items = self.listed(prefix)
        if topic:  # a topic filter re-lists some of the same items
            items = [i for n, i in enumerate(items) if n % len(TOPICS) == TOPICS.index(topic)] \
                if topic in TOPICS else []
        pages = max(1, -(-len(items) // self.page_size))
        if page >= pages:
            return None
        chunk = items[page * self.page_size:(page + 1) * self.page_size]
        if self.site == "nhsconfed":
            return self._drupal9_listing(path, chunk, page, pages)
        return self._drupal7_listing(path, chunk, page, pages, topic)

    def _drupal9_listing(self, path, chunk, page, pages) -> str:
        rows = []
        for i in chunk:
            rows.append(
                f'<div class="views-row"><article class="node node--type-news node--view-mode-teaser">'
                f'<span class="card__type">News</span><h3 class="card__title"><a href="{i["path"]}">'
                f'{html.escape(i["title"])}</a></h3><time datetime="{i["date"]}T09:00:00Z">'
                f'{_date_long(i["date"])}</time></article></div>')
        pager = ['<nav class="pager" role="navigation"><ul class="pager__items js-pager__items">']
        for n in range(pages):
            cls = " is-active" if n == page else ""
            pager.append(f'<li class="pager__item{cls}"><a href="?page={n}">{n + 1}</a></li>')
        if page + 1 < pages:
            pager.append(f'<li class="pager__item pager__item--next"><a href="?page={page + 1}" '
                         f'rel="next">Next ›</a></li>')
            pager.append(f'<li class="pager__item pager__item--last"><a href="?page={pages - 1}">'
                         f'Last »</a></li>')
        pager.append("</ul></nav>")
        title = path.strip("/").capitalize()
        content = (f'<main id="main-content"><h1>{title}</h1><div class="view view-{title.lower()}">'
                   f'<div class="view-content">{"".join(rows)}</div>{"".join(pager)}</div></main>')
        canonical = self.origin + path + (f"?page={page}" if page else "")
        return _chrome(self.site, title, canonical, content, "path-" + title.lower())

    def _drupal7_listing(self, path, chunk, page, pages, topic) -> str:
        rows = []
        featured = []
        if page == 0 and not topic and path == "/about/news" and len(chunk) >= 2:
            # Promoted items link through mirror hosts with tracking parameters: the same pages.
            a, b = chunk[0]["path"], chunk[1]["path"]
            featured.append(f'<div class="views-row views-row-featured"><div class="views-field '
                            f'views-field-title"><a href="http://local.gov.uk{a}?utm_source=twitter'
                            f'&amp;utm_medium=social#comments">Featured</a></div></div>')
            if self.mirror_netloc:
                featured.append(f'<div class="views-row views-row-featured"><div class="views-field '
                                f'views-field-title"><a href="http://{self.mirror_netloc}{b}?'
                                f'utm_source=newsletter&amp;fbclid=x1y2">Featured</a></div></div>')
        for n, i in enumerate(chunk):
            e = i["entry"]
            href = e.node if (e and e.node and n % 3 == 2) else i["path"]  # some listed by node id
            d = datetime.strptime(i["date"], "%Y-%m-%d")
            rows.append(
                f'<div class="views-row views-row-{n + 1}"><div class="views-field views-field-title">'
                f'<span class="field-content"><a href="{href}">{html.escape(i["title"])}</a></span></div>'
                f'<div class="views-field views-field-created"><span class="date-display-single">'
                f'{d.day} {d.strftime("%b %Y")}</span></div></div>')
        topics = "".join(f'<li><a href="{path}?topic={t}">{t.replace("-", " ").capitalize()}</a></li>'
                         for t in TOPICS)
        q = f"topic={topic}&amp;" if topic else ""
        pager = ['<div class="item-list"><ul class="pager">']
        for n in range(pages):
            if n == page:
                pager.append(f'<li class="pager-current">{n + 1}</li>')
            else:
                pager.append(f'<li class="pager-item"><a href="{path}?{q}page={n}">{n + 1}</a></li>')
        if page + 1 < pages:
            pager.append(f'<li class="pager-next"><a href="{path}?{q}page={page + 1}">next ›</a></li>')
            pager.append(f'<li class="pager-last"><a href="{path}?{q}page={pages - 1}">last »</a></li>')
        pager.append("</ul></div>")
        content = (f'<div class="lga-site-alert">Our annual conference opens for booking soon.</div>'
                   f'<div id="content"><h1 class="page-title">News</h1>'
                   f'<div class="block-facets"><h2>Filter by topic</h2><ul>{topics}</ul></div>'
                   f'<div class="view view-news"><div class="view-header">{"".join(featured)}</div>'
                   f'<div class="view-content">{"".join(rows)}</div>{"".join(pager)}</div></div>')
        canonical = self.origin + path + (f"?page={page}" if page else "")
        return _chrome(self.site, "News", canonical, content, "page-views")

    def _wordpress_listing(self, page: int) -> str | None:
        items = self.listed("/")
        pages = max(1, -(-len(items) // self.page_size))
        if page >= pages:
            return None
        chunk = items[page * self.page_size:(page + 1) * self.page_size]
        base = self.origin + "/category/ccn-news/"
        posts = []
        for n, i in enumerate(chunk):
            url = self.origin + i["path"]
            posts.append(
                f'<article id="post-{1000 + n}" class="post-{1000 + n} post type-post status-publish '
                f'hentry category-ccn-news"><header class="entry-header"><h2 class="entry-title">'
                f'<a href="{url}" rel="bookmark">{html.escape(i["title"])}</a></h2><div class="entry-meta">'
                f'<span class="posted-on"><a href="{url}" rel="bookmark"><time class="entry-date published" '
                f'datetime="{i["date"]}T10:00:00+00:00">{_date_long(i["date"])}</time></a></span></div>'
                f'</header></article>')
        nav = ['<nav class="navigation pagination"><div class="nav-links">']
        for n in range(pages):
            href = base if n == 0 else f"{base}page/{n + 1}/"
            nav.append(f'<span aria-current="page" class="page-numbers current">{n + 1}</span>' if n == page
                       else f'<a class="page-numbers" href="{href}">{n + 1}</a>')
        if page + 1 < pages:
            nav.append(f'<a class="next page-numbers" href="{base}page/{page + 2}/">Next</a>')
        nav.append("</div></nav>")
        content = (f'<main id="main" class="site-main"><header class="page-header"><h1 class="page-title">'
                   f'Category: CCN News</h1></header>{"".join(posts)}{"".join(nav)}</main>')
        canonical = base if page == 0 else f"{base}page/{page + 1}/"
        return _chrome(self.site, "CCN News", canonical, content, "archive category")

    def feed(self) -> str:
        items = self.listed("/")[:10]
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
               '<title>County Councils Network</title><link>' + self.origin + '/</link>']
        for i in items:
            when = datetime.strptime(i["date"], "%Y-%m-%d").replace(hour=10, tzinfo=timezone.utc)
            out.append(f"<item><title>{html.escape(i['title'])}</title><link>{self.origin}{i['path']}</link>"
                       f"<pubDate>{format_datetime(when)}</pubDate></item>")
        out.append("</channel></rss>\n")
        return "".join(out)

    def sitemap(self, path: str) -> str | None:
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if path == "/sitemap.xml":
            return (head + f"<sitemapindex {ns}><sitemap><loc>{self.origin}/post-sitemap.xml</loc></sitemap>"
                    f"<sitemap><loc>{self.origin}/page-sitemap.xml</loc></sitemap></sitemapindex>\n")
        if path == "/post-sitemap.xml":
            urls = "".join(f"<url><loc>{self.origin}{i['path']}</loc><lastmod>{i['date']}</lastmod></url>"
                           for i in self.listed("/"))
            return head + f"<urlset {ns}>{urls}</urlset>\n"
        if path == "/page-sitemap.xml":
            pages = ["/about-ccn/", "/contact-us/", "/policy-areas/health/", "/privacy-policy/"]
            urls = "".join(f"<url><loc>{self.origin}{p}</loc></url>" for p in pages)
            return head + f"<urlset {ns}>{urls}</urlset>\n"
        return None


# -- the server ------------------------------------------------------------------------------------------


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a real bug in the test server: show it


class SiteServer:
    """One site on 127.0.0.1:<port> in a background thread. ``with SiteServer("lga") as s: s.url``."""

    def __init__(self, site: str, corpus: Path = CORPUS, faults: bool = False, trap_url: str | None = None,
                 port: int = 0, mirror: bool = True, slow_seconds: float = 3.0, retry_after: str = "1",
                 page_size: int = PAGE_SIZE):
        self.site = site
        self.log: list[Request] = []
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        self.httpd = _QuietServer(("127.0.0.1", port), _handler_for(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # The same server under another name: "localhost" is a mirror host of this site.
        self.mirror_netloc = f"localhost:{self.port}" if mirror else None
        self.data = SiteData(site, corpus, faults, trap_url, self.mirror_netloc if site == "lga" else None,
                             page_size)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"site-{site}", daemon=True)

    def start(self) -> "SiteServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def attempt(self, path: str) -> int:
        with self._lock:
            self._attempts[path] = self._attempts.get(path, 0) + 1
            return self._attempts[path]

    def paths(self) -> list[str]:
        """Paths (with query) requested so far, in order."""
        return [r.path for r in list(self.log)]


def _handler_for(server: SiteServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "TestSite/1.0"

        def log_message(self, *args):  # quiet: the request log is kept in server.log
            pass

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            req = Request(server.site, self.path, self.headers.get("Host", ""), dict(self.headers),
                          time.monotonic())
            server.log.append(req)
            try:
                self._route(req)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout or a size cap): expected in fault tests

        # -- sending ---------------------------------------------------------------------------

        def _send(self, req, status, body: bytes = b"", ctype="text/html; charset=utf-8",
                  last_modified: str | None = None, headers: dict | None = None, conditional=True):
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"' if conditional and status == 200 else None
            lm = None
            if conditional and status == 200 and last_modified:
                lm = format_datetime(datetime.strptime(last_modified, "%Y-%m-%d").replace(
                    tzinfo=timezone.utc), usegmt=True)
            if etag and self._not_modified(etag, lm):
                status, body = 304, b""
            req.status = status
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            if lm:
                self.send_header("Last-Modified", lm)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD" and status != 304:
                self.wfile.write(body)

        def _not_modified(self, etag, lm) -> bool:
            inm = self.headers.get("If-None-Match")
            if inm:
                return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            ims = self.headers.get("If-Modified-Since")
            if ims and lm:
                try:
                    return parsedate_to_datetime(lm) <= parsedate_to_datetime(ims)
                except (TypeError, ValueError):
                    return False
            return False

        def _redirect(self, req, status, location):
            req.status = status
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        # -- routes ----------------------------------------------------------------------------

        def _route(self, req):
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            data = server.data
            if path == "/robots.txt":
                return self._send(req, 200, ROBOTS[server.site].encode(), "text/plain; charset=utf-8")
            if data.faults and self._fault(req, path):
                return None
            if path in data.overrides:
                return self._send(req, 200, data.overrides[path])
            listing = data.listing(path, query)
            if listing is not None:
                return self._send(req, 200, listing.encode("utf-8"))
            if server.site == "ccn" and path == "/feed/":
                return self._send(req, 200, data.feed().encode("utf-8"), "application/rss+xml; charset=UTF-8")
            if server.site == "ccn" and path.endswith("sitemap.xml"):
                sm = data.sitemap(path)
                if sm is not None:
                    return self._send(req, 200, sm.encode("utf-8"), "application/xml; charset=UTF-8")
            entry = data.nodes.get(path) or data.by_path.get(path)
            if entry is None and path in DISALLOWED.values():
                # Served, so that a crawler ignoring robots.txt would be caught fetching it.
                return self._send(req, 200, fault_page("/news/fault-moved-here", None)
                                  .replace("{charset}", "utf-8").encode())
            if entry is not None and entry.file.is_file():
                body = entry.file.read_bytes()
                ctype = "application/pdf" if entry.file.suffix == ".pdf" else "text/html; charset=utf-8"
                return self._send(req, 200, body, ctype, last_modified=entry.published or None)
            return self._send(req, 404, b"<html><body><h1>Page not found</h1></body></html>")

        def _fault(self, req, path) -> bool:
            if path == "/news/fault-too-many-requests":
                if server.attempt(path) == 1:
                    self._send(req, 429, b"slow down", "text/plain", headers={"Retry-After": server.retry_after},
                               conditional=False)
                else:
                    self._send(req, 200, self._page(path))
                return True
            if path == "/news/fault-server-error-once":
                if server.attempt(path) == 1:
                    self._send(req, 500, b"<h1>Internal error</h1>", conditional=False)
                else:
                    self._send(req, 200, self._page(path))
                return True
            if path == "/news/fault-slow":
                time.sleep(server.slow_seconds)
                self._send(req, 200, self._page("/news/fault-moved-here"))
                return True
            if path == "/news/fault-redirect-loop":
                self._redirect(req, 302, "/news/fault-redirect-loop-b")
                return True
            if path == "/news/fault-redirect-loop-b":
                self._redirect(req, 302, server.url + "/news/fault-redirect-loop")
                return True
            if path == "/news/fault-truncated":
                body = self._page("/news/fault-moved-here")
                req.status = 200
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body) + 20000))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return True
            if path == "/news/fault-huge":
                req.status = 200
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Connection", "close")  # no Content-Length: the size shows only as it streams
                self.end_headers()
                self.wfile.write(b"<!DOCTYPE html><html><head><title>Huge</title></head><body>")
                chunk = b"<p>" + b"padding text " * 5000 + b"</p>\n"
                sent = 0
                while sent < 30 * 1024 * 1024:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                self.close_connection = True
                return True
            if path == "/news/fault-wrong-type":
                self._send(req, 200, self._page(path), "application/pdf")
                return True
            if path == "/sites/default/files/2030-01/fault-report-served-as-html.pdf":
                self._send(req, 200, server.data.fault_pdf, "text/html; charset=utf-8")
                return True
            if path == "/news/fault-windows-1252":
                body = fault_page(path, None).replace("{charset}", "windows-1252")
                self._send(req, 200, body.encode("cp1252"), "text/html; charset=windows-1252")
                return True
            if path == "/news/fault-windows-1252-mislabelled":
                body = fault_page(path, None).replace("{charset}", "utf-8")
                self._send(req, 200, body.encode("cp1252"), "text/html; charset=utf-8")
                return True
            if path == "/news/fault-offsite-redirect":
                self._redirect(req, 301, (server.data.trap_url or "http://127.0.0.1:9") + "/moved-away")
                return True
            if path == "/news/fault-moved":
                self._redirect(req, 301, "https://www.nhsconfed.org/news/fault-moved-here")
                return True
            if path == "/news/fault-moved-here":
                self._send(req, 200, self._page(path))
                return True
            return False

        def _page(self, path: str) -> bytes:
            return fault_page(path, server.data.trap_url).replace("{charset}", "utf-8").encode("utf-8")

    return Handler


class TrapServer:
    """Another host. Pages link to it; a polite crawler of the three sites never asks it anything."""

    def __init__(self):
        self.log: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                trap.log.append(self.path)
                body = b"<html><body><p>Not part of the crawl.</p></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Sites:
    """The three sites (and a trap host) running together."""

    servers: dict[str, SiteServer] = field(default_factory=dict)
    trap: TrapServer | None = None

    def base_urls(self) -> dict[str, str]:
        return {name: s.url for name, s in self.servers.items()}

    def mirrors(self) -> dict[str, list[str]]:
        return {name: [s.mirror_netloc] for name, s in self.servers.items() if s.mirror_netloc}

    def stop(self) -> None:
        for s in self.servers.values():
            s.stop()
        if self.trap:
            self.trap.__exit__()


def serve(faults: bool = False, port: int = 0, corpus: Path = CORPUS, **kwargs) -> Sites:
    """Start the three sites (ports ``port``, ``port+1``, ``port+2`` or free ones) and a trap host."""
    trap = TrapServer().__enter__()
    sites = Sites(trap=trap)
    for n, name in enumerate(ORIGINS):
        sites.servers[name] = SiteServer(name, corpus, faults=faults, trap_url=trap.url,
                                         port=port + n if port else 0, **kwargs).start()
    return sites


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tests.sites",
                                 description="Serve the bundled corpus as the three publishers' sites.")
    ap.add_argument("--port", type=int, default=8801, help="first port (three in a row); 0: any free")
    ap.add_argument("--faults", action="store_true", help="add the fault-injecting pages to nhsconfed")
    args = ap.parse_args(argv)
    sites = serve(faults=args.faults, port=args.port)
    base = " ".join(f"--base-url {n}={u}" for n, u in sites.base_urls().items())
    print("Serving the bundled corpus (Ctrl-C to stop):")
    for name, s in sites.servers.items():
        print(f"  {name:10} {s.url}")
    print(f"\nScrape it with:\n  ics-text scrape --publisher all {base} --delay 0", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sites.stop()


if __name__ == "__main__":
    main()

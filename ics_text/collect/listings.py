"""Links out of the pages a crawl walks through: listing pages, RSS/Atom feeds and XML sitemaps.

Each function returns :class:`Found` links (absolute, not yet normalised) with the date the listing
gives for them, so that ``--since`` can stop paging once a listing reaches older items. Listing pages
are read with the CSS selectors of the site profile (``crawl.listing``); when a redesign leaves none
of them matching, every link of the page is returned undated and the profile's URL patterns decide.
"""

from __future__ import annotations

import email.utils
import gzip
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin

from .dates import find_date

MAX_XML_BYTES = 50 * 1024 * 1024  # sitemaps may be up to 50 MB uncompressed (sitemaps.org)


@dataclass
class Found:
    url: str
    role: str  # "item" (a publication), "next" (the next listing page), "sitemap" (a child sitemap)
    date: str | None = None  # YYYY-MM-DD as the listing shows it


def listing_links(html: str, base: str, rules: dict) -> list[Found]:
    """Items and next-page links of a listing page, by the profile's ``listing`` selectors."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    base_tag = soup.find("base", href=True)
    if base_tag:
        base = urljoin(base, base_tag["href"])
    found: list[Found] = []
    items = soup.select(rules["item"]) if rules.get("item") else []
    for item in items:
        link = _first_href(item, rules.get("link") or "a[href]")
        if link:
            found.append(Found(urljoin(base, link), "item", _item_date(item, rules.get("date"))))
    if not items:
        # The page no longer looks as the profile says: keep its links, let the URL patterns judge.
        for a in soup.select("a[href]"):
            found.append(Found(urljoin(base, a["href"].strip()), "item"))
    for sel in [rules.get("next"), "link[rel~=next]", "a[rel~=next]"]:
        if not sel:
            continue
        for node in soup.select(sel):
            if node.get("href"):
                found.append(Found(urljoin(base, node["href"].strip()), "next"))
    return found


def _first_href(item, selector: str) -> str | None:
    if item.name == "a" and item.get("href"):
        return item["href"].strip()
    for node in item.select(selector):
        if node.get("href") and not node["href"].startswith(("#", "mailto:", "javascript:")):
            return node["href"].strip()
    return None


def _item_date(item, selector: str | None) -> str | None:
    nodes = item.select(selector) if selector else []
    nodes += item.select("time[datetime]")
    for node in nodes:
        date = find_date(node.get("datetime") or "") or find_date(node.get_text(" ", strip=True))
        if date:
            return date
    return None


def feed_links(data: bytes, base: str) -> list[Found]:
    """Entries of an RSS 2.0 or Atom feed with their publication dates."""
    root = _xml(data)
    if root is None:
        return []
    found = []
    for item in root.xpath("//*[local-name()='item']"):
        link = _text(item, "link") or _text(item, "guid")
        if link:
            found.append(Found(urljoin(base, link), "item", _rss_date(_text(item, "pubDate")
                                                                       or _text(item, "date"))))
    for entry in root.xpath("//*[local-name()='entry']"):
        href = None
        for link in entry.xpath("*[local-name()='link']"):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                href = link.get("href")
                break
        if href:
            date = find_date(_text(entry, "published") or _text(entry, "updated") or "")
            found.append(Found(urljoin(base, href), "item", date))
    return found


def sitemap_links(data: bytes, base: str) -> list[Found]:
    """Pages of a sitemap (with lastmod) or the child sitemaps of a sitemap index."""
    root = _xml(data)
    if root is None:
        return []
    found = []
    for node in root.xpath("//*[local-name()='sitemap']"):
        loc = _text(node, "loc")
        if loc:
            found.append(Found(urljoin(base, loc), "sitemap", find_date(_text(node, "lastmod") or "")))
    for node in root.xpath("//*[local-name()='url']"):
        loc = _text(node, "loc")
        if loc:
            found.append(Found(urljoin(base, loc), "item", find_date(_text(node, "lastmod") or "")))
    return found


def _xml(data: bytes):
    from lxml import etree

    if data[:2] == b"\x1f\x8b":  # a .xml.gz sitemap; decompress with a cap (no zip bombs)
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = d.decompress(data, MAX_XML_BYTES)
        except (zlib.error, gzip.BadGzipFile):
            return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        return etree.fromstring(data.lstrip(), parser)
    except etree.XMLSyntaxError:
        return None


def _text(node, name: str) -> str | None:
    for child in node.xpath(f"*[local-name()='{name}']"):
        text = (child.text or "").strip()
        if text:
            return text
    return None


def _rss_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return find_date(value)

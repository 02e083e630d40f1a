"""Metadata in a page's head: canonical URL, ``<meta>`` dates and titles, JSON-LD, microdata, RDFa.

Read from the whole soup before anything is removed, and independent of where the main text is:
the first step of :func:`ics_text.collect.html.parse_html`, and the only metadata the reader of
broken, too deeply nested pages gets.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from .dates import find_date
from .html_nodes import clean

JSONLD_TYPES = {"BlogPosting": "blog", "Report": "report"}
ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle",
                 "AnalysisNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle", "TechArticle",
                 "PressRelease", "SocialMediaPosting"}


def head_metadata(soup) -> dict:
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
    title = clean(meta("og:title") or "")
    if site and title.endswith(site) and len(title) > len(site) + 3:
        title = _strip_site(title)  # "Report title — Site name"
    title = title or clean(ld.get("headline") or "")
    if not title and soup.title and soup.title.string:
        title = _strip_site(clean(soup.title.string))
    page_title = soup.title.get_text() if soup.title else ""
    return {"url": url, "title": title or None,
            "page_title": clean(page_title), "published": published,
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

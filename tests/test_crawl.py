"""The real crawler over real HTTP against the bundled corpus served as the three sites (tests/sites.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from ics_text.collect.crawl import CrawlOptions, Crawler, crawl, linked_documents, reparse
from ics_text.collect.fetch import FetchConfig
from ics_text.store import Store
from sites import DISALLOWED, FAULT_DATE, FAULTS, LISTINGS, ORIGINS, PAGE_SIZE, read_manifest, serve

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
CONFIG = FetchConfig(delay=0.0, read_timeout=0.5, connect_timeout=2, retries=2, backoff=0.05,
                     max_bytes=5 * MB, total_timeout=5)
ALL = ["nhsconfed", "lga", "ccn"]
# A request may be repeated only for these (retries of transient faults).
RETRIED = {"/news/fault-too-many-requests": 2, "/news/fault-server-error-once": 2, "/news/fault-slow": 3,
           "/news/fault-truncated": 3}


def options(sites, **kw) -> CrawlOptions:
    return CrawlOptions(base_url=sites.base_urls(), mirrors=sites.mirrors(), **kw)


def linked_from_site(site: str, url_path: str) -> bool:
    """Is a file linked from some page of the site (so that a crawler can find it)?"""
    for e in read_manifest(site):
        if e.file.suffix == ".html" and e.file.is_file() and url_path in e.file.read_text(
                encoding="utf-8", errors="replace"):
            return True
    return False


def expected(sites=ALL, since: str | None = None) -> dict[str, object]:
    """Canonical URL -> manifest entry of every corpus document a crawl can reach (and store)."""
    out = {}
    for site in sites:
        entries = read_manifest(site)
        pages = {e.url: e for e in entries if e.file.suffix == ".html" and e.file.is_file()
                 and (site != "ccn" or e.path.count("/") == 2)
                 and (since is None or e.published >= since)}
        out.update(pages)
        for e in entries:
            if e.file.suffix == ".pdf" and e.file.is_file() and linked_from_site(site, e.path):
                if since is None or any(e.path in p.file.read_text(encoding="utf-8", errors="replace")
                                        for p in pages.values()):
                    out[e.url] = e
    return out


def good_faults() -> set[str]:
    out = set()
    for path, (verdict, _) in FAULTS.items():
        if verdict == "good":
            out.add(ORIGINS["nhsconfed"] + path.replace("/news/fault-moved", "/news/fault-moved-here")
                    if path == "/news/fault-moved" else ORIGINS["nhsconfed"] + path)
    return out


def current_keys(store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT key FROM documents WHERE is_current = 1")]


def counts_by_path(log) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in log:
        out[r.path] = out.get(r.path, 0) + 1
    return out


# -- one crawl of the three sites with faults injected, inspected by several tests ----------------------


@pytest.fixture(scope="module")
def fault_sites():
    sites = serve(faults=True, slow_seconds=2.0)
    yield sites
    sites.stop()


@pytest.fixture(scope="module")
def first(fault_sites, tmp_path_factory):
    db = tmp_path_factory.mktemp("crawl") / "crawl.db"
    store = Store(db)
    summary = crawl(store, ALL, CONFIG, options(fault_sites))
    logs = {name: list(s.log) for name, s in fault_sites.servers.items()}
    yield SimpleNamespace(store=store, summary=summary, logs=logs, db=db)
    store.close()


def test_every_good_page_is_stored(first):
    keys = set(current_keys(first.store))
    want = set(expected()) | good_faults()
    assert len(want) > 20
    missing = want - keys
    assert not missing, f"not stored: {sorted(missing)}"
    assert first.summary.count("new") == len(keys)


def test_every_bad_page_is_reported_once_with_its_reason(first):
    failed = first.summary.failed
    urls = [u for u, _ in failed]
    assert len(urls) == len(set(urls)), "a failure was reported twice"
    reasons = dict(failed)
    for path, (verdict, words) in FAULTS.items():
        url = ORIGINS["nhsconfed"] + path
        if verdict == "bad":
            assert url in reasons, f"{path} not reported"
            assert words in reasons[url], (path, reasons[url])
        else:
            assert url not in reasons, (path, reasons.get(url))
    known = set(expected()) | good_faults() | {ORIGINS["nhsconfed"] + p for p in FAULTS}
    for url, reason in failed:
        if url not in known:
            # Links to pages outside the bundled corpus: the mirror answers 404, reported as such.
            assert "HTTP 404" in reason, (url, reason)
    assert not set(urls) & set(expected()), "a corpus document failed"


def test_nothing_else_is_fetched(first, fault_sites):
    assert fault_sites.trap.log == [], "a link to another host was followed"
    failed_paths = {u.split("/", 3)[-1] for u, _ in first.summary.failed}
    for site, log in first.logs.items():
        entries = fault_sites.servers[site].data.entries
        allowed = {"/robots.txt"} | {e.path for e in entries} | {e.node for e in entries if e.node}
        if site == "nhsconfed":
            allowed |= set(FAULTS) | {"/news/fault-redirect-loop-b", "/news/fault-moved-here"}
        if site == "ccn":
            allowed |= {"/feed/", "/sitemap.xml", "/post-sitemap.xml", "/page-sitemap.xml"}
        for r in log:
            path = r.path.split("?")[0]
            assert "topic=" not in r.path, "a topic filter listing was fetched"
            assert path != DISALLOWED[site], "a robots.txt-disallowed page was fetched"
            assert not path.startswith(("/search", "/user/", "/about-ccn", "/contact-us", "/policy-areas",
                                        "/privacy")), r.path
            listing = any(path == p or path.startswith(p.rstrip("/") + "/page/") for p in LISTINGS[site])
            assert listing or path in allowed or path.lstrip("/") in failed_paths, \
                f"{site}: unexpected request {r.path}"
        for path, n in counts_by_path(log).items():
            assert n <= RETRIED.get(path, 1), f"{site}: {path} requested {n} times"


def test_robots_disallowed_pages_are_skipped_and_counted(first):
    assert set(first.summary.robots) == {ORIGINS[s] + p for s, p in DISALLOWED.items()}
    assert first.summary.count("robots") == 3


def test_mirror_hosts_aliases_and_tracking_links_are_deduplicated(first):
    keys = current_keys(first.store)
    assert len(keys) == len(set(keys))
    assert not [k for k in keys if "/node/" in k or "localhost" in k or "utm_" in k or "127.0.0.1" in k]
    lga = [k for k in keys if k.startswith(ORIGINS["lga"])]
    assert set(lga) >= {e.url for e in expected(["lga"]).values()}
    # A /node/<id> link was followed and the page stored under the URL its rel=canonical names.
    node_requests = [r.path for r in first.logs["lga"] if r.path.startswith("/node/")]
    assert node_requests
    dups = first.store.conn.execute(
        "SELECT url, reason FROM collect_frontier WHERE outcome = 'duplicate'").fetchall()
    assert any("/node/" in r["reason"] for r in dups)


def test_encodings_and_content_types_are_handled(first):
    docs = {d.url: d for d in first.store.documents()}
    nhs = ORIGINS["nhsconfed"]
    declared = docs[nhs + "/news/fault-windows-1252"]
    assert declared.title == "Café-style hubs win £5m for ‘pilot’ sites"
    assert "twelve ‘pilot’ hubs" in declared.text and "\ufffd" not in declared.text
    mislabelled = docs[nhs + "/news/fault-windows-1252-mislabelled"]
    assert "Régional pay gaps cost £40m" in mislabelled.text and "\ufffd" not in mislabelled.text
    assert "Mental health beds" in docs[nhs + "/news/fault-wrong-type"].title
    pdf = docs[nhs + "/sites/default/files/2030-01/fault-report-served-as-html.pdf"]
    raw, ctype = first.store.raw(pdf.id)
    assert raw.startswith(b"%PDF") and ctype == "application/pdf"
    assert "7 in 10 trusts" in pdf.text


def test_landing_pages_and_their_pdfs_are_linked_not_double_counted(first):
    pairs = {(r["page_key"], r["file_key"]) for r in linked_documents(first.store)}
    nhs = ORIGINS["nhsconfed"]
    assert (nhs + "/news/fault-too-many-requests",
            nhs + "/sites/default/files/2030-01/fault-report-served-as-html.pdf") in pairs
    docs = {d.url: d for d in first.store.documents()}
    # The file takes the landing page's date (its own metadata dates are those of the export).
    assert docs[nhs + "/sites/default/files/2030-01/fault-report-served-as-html.pdf"].published == FAULT_DATE
    for url, entry in expected().items():
        if url.endswith(".pdf"):
            assert any(f == url for _, f in pairs), f"{url} not linked to its landing page"
            assert docs[url].published == entry.published, url
            assert docs[url].type == "report"


def test_raw_responses_are_kept(first):
    conn = first.store.conn
    some = next(e for e in expected().values() if e.file.suffix == ".html")
    row = conn.execute("SELECT * FROM collect_responses WHERE url = ? ORDER BY id DESC", (some.url,)).fetchone()
    assert row["status"] == 200 and row["fetched_at"] and row["fetch_url"].startswith("http://127.0.0.1:")
    headers = {k.lower(): v for k, v in json.loads(row["headers"])}
    assert headers["etag"] and headers["content-type"].startswith("text/html")
    content = conn.execute("SELECT content FROM snapshots WHERE hash = ?", (row["content_hash"],)).fetchone()[0]
    assert bytes(content) == some.file.read_bytes()
    fails = conn.execute("SELECT error FROM collect_responses WHERE url LIKE '%fault-missing'").fetchone()
    assert "404" in fails["error"]


def test_listing_dates_fill_pages_that_show_none(first):
    undated = [d.url for d in first.store.documents() if not d.published]
    assert undated == []


# -- re-crawls on the same store (run after the tests above: they share the module's store) ------------


def test_recrawl_is_conditional_and_stores_no_new_versions(first, fault_sites):
    store = first.store
    versions = store.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    marks = {n: len(s.log) for n, s in fault_sites.servers.items()}
    again = crawl(store, ALL, CONFIG, options(fault_sites))
    assert again.count("new") == 0 and again.count("changed") == 0
    assert store.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == versions
    stored = len(current_keys(store))
    assert again.count("not_modified") >= stored - 2  # all but pages whose answers carry no validators
    assert {u for u, _ in again.failed} == {u for u, _ in first.summary.failed}
    lga = fault_sites.servers["lga"]
    docs = [r for r in lga.log[marks["lga"]:] if r.path.startswith(("/about/news/", "/publications/"))]
    assert docs and all(r.status == 304 and "If-None-Match" in r.headers for r in docs)
    aliases = {e.node for e in lga.data.entries if e.node}
    assert not [r for r in lga.log[marks["lga"]:] if r.path in aliases], \
        "a known /node/ alias was fetched again instead of its page"


def test_a_changed_page_becomes_a_new_version(first, fault_sites):
    store = first.store
    lga = fault_sites.servers["lga"]
    entry = next(e for e in read_manifest("lga") if e.file.suffix == ".html" and "/about/news/" in e.path)
    edited = entry.file.read_bytes().replace(b"</h1>", b"</h1>\n<p>Updated: this release was corrected "
                                                      b"after publication to fix a figure.</p>", 1)
    lga.data.overrides[entry.path] = edited
    if entry.node:
        lga.data.overrides[entry.node] = edited
    try:
        third = crawl(store, ["lga"], CONFIG, options(fault_sites))
    finally:
        lga.data.overrides.clear()
    assert third.count("changed") == 1 and third.count("new") == 0
    rows = store.conn.execute("SELECT version, is_current FROM documents WHERE key = ? ORDER BY version",
                              (entry.url,)).fetchall()
    assert [tuple(r) for r in rows] == [(1, 0), (2, 1)]


def test_reparse_needs_no_fetching(first, fault_sites):
    store = first.store
    marks = {n: len(s.log) for n, s in fault_sites.servers.items()}
    doc = next(store.documents(publisher="lga"))
    store.conn.execute("UPDATE documents SET text = 'damaged', title = 'damaged' WHERE id = ?", (doc.id,))
    summary = reparse(store)
    assert summary.failed == []
    assert doc.id in summary.updated
    # the new parse is a new version over the same snapshot; the damaged one stays as history
    current = next(d for d in store.documents(publisher="lga") if d.url == doc.url)
    assert current.id != doc.id
    assert current.title == doc.title and current.text == doc.text
    assert store.raw(current.id) == store.raw(doc.id)
    assert len(summary.updated) + len(summary.unchanged) == len(current_keys(store))
    assert {n: len(s.log) for n, s in fault_sites.servers.items()} == marks


# -- crawls of the plain sites ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain_sites():
    sites = serve(faults=False)
    yield sites
    sites.stop()


def test_since_stops_paging_listings(plain_sites, tmp_path):
    since = "2023-01-01"
    store = Store(tmp_path / "since.db")
    marks = {n: len(s.log) for n, s in plain_sites.servers.items()}
    summary = crawl(store, ["lga", "ccn"], CONFIG, options(plain_sites, since=since))
    keys = set(current_keys(store))
    assert set(expected(["lga", "ccn"], since=since)) <= keys
    for d in store.documents():
        assert d.published >= since, (d.url, d.published)
    assert summary.failed == [] or all("404" in r for _, r in summary.failed)
    # Listing pages are requested only until one lists nothing as recent as --since.
    lga = plain_sites.servers["lga"]
    requested = [r.path for r in lga.log[marks["lga"]:]]
    for listing, prefix in LISTINGS["lga"].items():
        items = lga.data.listed(prefix)
        pages = [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]
        want = 1
        while want < len(pages) and max(i["date"] for i in pages[want - 1]) >= since:
            want += 1
        got = [p for p in requested if p == listing or p.startswith(listing + "?page=")]
        assert len(got) == want, (listing, got, want)
    assert any(len(lga.data.listed(p)) > PAGE_SIZE * 2 for p in LISTINGS["lga"].values())


def test_max_pages_caps_requests_and_next_run_starts_afresh(plain_sites, tmp_path):
    store = Store(tmp_path / "max.db")
    ccn = plain_sites.servers["ccn"]
    mark = len(ccn.log)
    summary = crawl(store, ["ccn"], CONFIG, options(plain_sites, max_pages=5))
    asked = [r.path for r in ccn.log[mark:] if r.path != "/robots.txt"]
    assert len(asked) == 5
    assert summary.count("dropped") > 0 and summary.count("queued") == 0
    again = Crawler(store, ["ccn"], CONFIG, options(plain_sites, max_pages=3)).run()
    assert again.resumed == []


def test_interrupted_crawl_resumes_without_duplicates(plain_sites, tmp_path):
    """Ctrl-C in the middle (KeyboardInterrupt), then the same crawl again."""
    store = Store(tmp_path / "ctrl-c.db")
    seen = []

    def stop_after_ten(event):
        seen.append(event["url"])
        if len(seen) == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Crawler(store, ["ccn"], CONFIG, options(plain_sites), progress=stop_after_ten).run()
    done = store.conn.execute("SELECT COUNT(*) FROM collect_frontier WHERE state = 'done'").fetchone()[0]
    assert done >= 10
    summary = crawl(store, ["ccn"], CONFIG, options(plain_sites))
    assert summary.resumed == ["ccn"]
    _assert_complete(store, ["ccn"])


KILLED_CRAWL = """
import json, sys
from ics_text.collect.crawl import CrawlOptions, crawl
from ics_text.collect.fetch import FetchConfig
from ics_text.store import Store
a = json.loads(sys.argv[1])
crawl(Store(a["db"]), a["sites"], FetchConfig(delay=a["delay"], read_timeout=2, retries=1, backoff=0.05),
      CrawlOptions(base_url=a["base"], mirrors=a["mirrors"]))
"""


def test_killed_crawl_resumes_with_nothing_lost_or_fetched_twice(plain_sites, tmp_path):
    db = tmp_path / "killed.db"
    sites = ["lga", "ccn"]
    marks = {n: len(s.log) for n, s in plain_sites.servers.items()}
    args = {"db": str(db), "sites": sites, "delay": 0.05, "base": plain_sites.base_urls(),
            "mirrors": plain_sites.mirrors()}
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_CRAWL, json.dumps(args)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    try:
        while sum(len(plain_sites.servers[n].log) - marks[n] for n in sites) < 20:
            assert proc.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)  # no chance to clean up: a crash or kill -9
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    store = Store(db)
    pending = store.conn.execute("SELECT COUNT(*) FROM collect_frontier WHERE state = 'queued'").fetchone()[0]
    assert pending > 0, "the kill came too late to test anything"
    summary = crawl(store, sites, CONFIG, options(plain_sites))
    assert set(summary.resumed) == set(sites)
    _assert_complete(store, sites)
    repeated = []
    for n in sites:
        for path, count in counts_by_path(plain_sites.servers[n].log[marks[n]:]).items():
            if count > 1:
                repeated.append((n, path, count))
    # Only the one request in flight at the kill may be asked again.
    assert len(repeated) <= 1 and all(c == 2 for _, _, c in repeated), repeated


def _assert_complete(store, sites):
    keys = current_keys(store)
    assert len(keys) == len(set(keys))
    assert set(expected(sites)) <= set(keys)
    dup_versions = store.conn.execute("SELECT key FROM documents GROUP BY key HAVING COUNT(*) > 1").fetchall()
    assert dup_versions == []
    assert store.conn.execute("SELECT COUNT(*) FROM collect_frontier WHERE state = 'queued'").fetchone()[0] == 0
    states = {r[0] for r in store.conn.execute("SELECT state FROM collect_runs")}
    assert states == {"done"}


def test_warc_archive_of_the_crawl(plain_sites, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    store = Store(tmp_path / "warc.db")
    crawl(store, ["ccn"], CONFIG, options(plain_sites, warc_dir=str(tmp_path / "warc")))
    files = list((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) == 1
    bodies = {}
    with open(files[0], "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type == "response":
                bodies[rec.rec_headers.get_header("WARC-Target-URI")] = rec.content_stream().read()
    some = next(e for e in expected(["ccn"]).values() if e.file.suffix == ".html")
    url = plain_sites.servers["ccn"].url + some.path
    assert bodies[url] == some.file.read_bytes()


def test_scrape_and_reparse_commands(plain_sites, tmp_path):
    from typer.testing import CliRunner

    from ics_text.cli import app

    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    base = plain_sites.servers["ccn"].url
    result = runner.invoke(app, ["scrape", "--publisher", "ccn", "--base-url", base, "--delay", "0",
                                 "--db", db])
    assert result.exit_code == 0, result.output
    n = len(expected(["ccn"]))
    assert f"new" in result.output and str(n) in result.output
    assert "skipped by robots.txt" in result.output
    with Store(db) as store:
        assert len(current_keys(store)) >= n
    result = runner.invoke(app, ["scrape", "-p", "ccn", "--base-url", f"ccn={base}", "--delay", "0", "--db", db])
    assert result.exit_code == 0, result.output
    assert "304 Not Modified" in result.output
    result = runner.invoke(app, ["reparse", "--db", db])
    assert result.exit_code == 0 and "re-parsed" in result.output
    result = runner.invoke(app, ["scrape", "--publisher", "nope", "--db", db])
    assert result.exit_code == 1
    result = runner.invoke(app, ["scrape", "--base-url", base, "--db", db])
    assert result.exit_code == 1  # one URL for three sites is ambiguous


# -- the pieces: a site's URL rules, listings, feeds and sitemaps ---------------------------------------


def test_site_rules_from_the_profiles():
    from ics_text.collect.crawl import Site
    from ics_text.collect.profiles import load_profiles

    profiles = load_profiles()
    ccn = Site(profiles["ccn"])
    c = ORIGINS["ccn"]
    assert ccn.canonical("http://countycouncilsnetwork.org.uk/a-post?utm_source=x") == c + "/a-post/"
    assert ccn.classify(c + "/a-post/") == "page"
    assert ccn.classify(c + "/about-ccn/") is None and ccn.classify(c + "/category/ccn-news/") is None
    assert ccn.classify(c + "/wp-content/uploads/2023/04/report.pdf") == "file"
    assert ccn.classify("https://partner.example/report.pdf") == "offsite"
    lga = Site(profiles["lga"], base_url="http://127.0.0.1:9999", mirrors=["mirror.example"])
    g = ORIGINS["lga"]
    assert lga.classify(g + "/node/123") == "page"
    assert lga.classify(g + "/about/news?topic=finance") is None
    assert lga.canonical("http://mirror.example/about/news/x/") == g + "/about/news/x"
    assert lga.canonical("http://127.0.0.1:9999/about/news/x") == g + "/about/news/x"
    assert lga.fetch_url(g + "/about/news/x") == "http://127.0.0.1:9999/about/news/x"
    # On a mirror, the site's own hosts map to the mirror; other hosts are refused.
    assert lga.redirect_target(g + "/about/news/y/") == "http://127.0.0.1:9999/about/news/y/"
    assert lga.redirect_target("https://elsewhere.example/x") is None
    assert lga.allowed_hosts() == {"127.0.0.1:9999"}
    # Live, a redirect between the site's own hosts is followed as the site gives it.
    live = Site(profiles["lga"])
    assert live.redirect_target("https://local.gov.uk/about/news/y") == "https://local.gov.uk/about/news/y"
    assert live.allowed_hosts() == {"www.local.gov.uk", "local.gov.uk"}


def test_listing_links_by_selector_and_by_fallback():
    from ics_text.collect.listings import listing_links

    page = """<html><body><nav><a href="/about">About</a></nav>
    <div class="views-row"><h3><a href="/news/one">One</a></h3><span class="date">17 August 2023</span></div>
    <div class="views-row"><h3><a href="/news/two">Two</a></h3><time datetime="2023-07-01T09:00:00Z">1 July</time></div>
    <ul><li class="pager-next"><a href="/news?page=1">next</a></li></ul></body></html>"""
    rules = {"item": ".views-row", "link": "h3 a", "date": ".date", "next": "li.pager-next a"}
    found = listing_links(page, "https://x.org/news", rules)
    assert [(f.url, f.role, f.date) for f in found] == [
        ("https://x.org/news/one", "item", "2023-08-17"), ("https://x.org/news/two", "item", "2023-07-01"),
        ("https://x.org/news?page=1", "next", None)]
    redesigned = listing_links(page.replace("views-row", "card"), "https://x.org/news", rules)
    assert {f.url for f in redesigned if f.role == "item"} >= {"https://x.org/news/one", "https://x.org/about"}
    assert all(f.date is None for f in redesigned if f.role == "item")


def test_feeds_and_sitemaps():
    import gzip

    from ics_text.collect.listings import feed_links, sitemap_links

    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><item><title>A</title>
    <link>https://x.org/a/</link><pubDate>Tue, 04 Apr 2023 10:00:00 +0000</pubDate></item></channel></rss>"""
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>
    <link rel="alternate" href="https://x.org/b/"/><published>2022-02-01T00:00:00Z</published></entry></feed>"""
    assert [(f.url, f.date) for f in feed_links(rss, "https://x.org/feed/")] == [("https://x.org/a/", "2023-04-04")]
    assert [(f.url, f.date) for f in feed_links(atom, "https://x.org/feed/")] == [("https://x.org/b/", "2022-02-01")]
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>
    <loc>https://x.org/post-sitemap.xml</loc><lastmod>2024-01-01</lastmod></sitemap></sitemapindex>"""
    urls = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.org/c/</loc>
    <lastmod>2021-03-04T10:00:00+00:00</lastmod></url></urlset>"""
    assert [(f.url, f.role) for f in sitemap_links(index, "https://x.org/")] == [
        ("https://x.org/post-sitemap.xml", "sitemap")]
    assert [(f.url, f.date) for f in sitemap_links(gzip.compress(urls), "https://x.org/")] == [
        ("https://x.org/c/", "2021-03-04")]
    assert sitemap_links(b"not xml at all", "https://x.org/") == []
    evil = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <urlset><url><loc>&e;</loc></url></urlset>"""
    assert all("root:" not in f.url for f in sitemap_links(evil, "https://x.org/"))


def test_a_second_live_crawl_of_the_same_site_is_refused(plain_sites, tmp_path):
    from ics_text.collect.crawl import CrawlBusy, migrate

    store = Store(tmp_path / "busy.db")
    migrate(store)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        import socket

        store.conn.execute("INSERT INTO collect_runs (site, owner, started_at) VALUES ('ccn', ?, 'now')",
                           (f"{socket.gethostname()}:{sleeper.pid}",))
        with pytest.raises(CrawlBusy):
            crawl(store, ["ccn"], CONFIG, options(plain_sites))
    finally:
        sleeper.kill()
        sleeper.wait()
    # Its owner gone (killed, as after a crash), the run is resumed by the next crawl.
    summary = crawl(store, ["ccn"], CONFIG, options(plain_sites, max_pages=2))
    assert summary.resumed == ["ccn"]

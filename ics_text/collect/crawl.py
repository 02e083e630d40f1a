"""The crawler: walks each publisher's listings, feeds and sitemaps and stores what they list.

A site profile (``models/sites/<name>.yaml``, key ``crawl``) says where to start and which links are
publications; this module holds no site knowledge. The frontier lives in the store, so a crawl that is
interrupted (Ctrl-C, a crash, ``kill -9``) is resumed by running it again: each URL's fetch, parse and
store and the links it adds to the frontier are committed in one transaction, so nothing is lost and
nothing already committed is fetched again (only a request in flight at the moment of the kill is).

Tables (``store.migrate("collect", ...)``):

- ``collect_runs``: one crawl of one site, ``running`` until its frontier is empty;
- ``collect_frontier``: the URLs of a run (canonical form), queued or done, with the outcome;
- ``collect_responses``: every response (status, headers, fetch time; bytes in ``snapshots``);
- ``collect_pages``: per URL, what the last good fetch left: validators for conditional GET, the
  document key it is stored under (aliases such as ``/node/123`` point at the real page) and the links
  found on it, so that a 304 can re-queue them without parsing;
- ``collect_links``: a landing page and the report files it links: one publication in two forms;
- ``collect_robots``: robots.txt files as fetched, re-used for up to a day.
"""

from __future__ import annotations

import json
import os
import re
import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable

from ..records import Document
from ..store import Store
from .fetch import FetchConfig, Fetcher, FetchResult
from .listings import feed_links, listing_links, sitemap_links
from .profiles import Profile, load_profiles
from .urls import netloc_of, normalize, path_and_query

COLLECT_MIGRATIONS = [
    """
    CREATE TABLE collect_runs (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'running',   -- running | done | abandoned
        owner TEXT,                             -- host:pid of the process crawling it
        since TEXT,
        max_pages INTEGER,
        base_url TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE INDEX collect_runs_site ON collect_runs(site, state);
    CREATE TABLE collect_frontier (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES collect_runs(id),
        url TEXT NOT NULL,                      -- canonical URL
        kind TEXT NOT NULL,                     -- listing | feed | sitemap | page | file | offsite
        priority INTEGER NOT NULL,
        depth INTEGER NOT NULL DEFAULT 0,
        referrer TEXT,
        listed TEXT,                            -- the date a listing, feed or sitemap gave it
        state TEXT NOT NULL DEFAULT 'queued',   -- queued | done
        outcome TEXT,   -- new changed unchanged not_modified listing failed robots duplicate offsite dropped
        reason TEXT,
        fetched INTEGER NOT NULL DEFAULT 0,     -- 1 once a request was made for it
        document_id INTEGER REFERENCES documents(id),
        updated_at TEXT,
        UNIQUE (run_id, url)
    );
    CREATE INDEX collect_frontier_next ON collect_frontier(run_id, state, priority, id);
    CREATE TABLE collect_responses (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES collect_runs(id),
        url TEXT NOT NULL,                      -- canonical URL
        fetch_url TEXT NOT NULL,                -- what was requested (a mirror's address, maybe)
        final_url TEXT,
        status INTEGER,
        headers TEXT,                           -- JSON [[name, value], ...] of the final response
        content_hash TEXT REFERENCES snapshots(hash),
        content_type TEXT,
        fetched_at TEXT NOT NULL,
        elapsed REAL,
        attempts INTEGER,
        error TEXT
    );
    CREATE INDEX collect_responses_url ON collect_responses(url, id);
    CREATE TABLE collect_pages (
        url TEXT PRIMARY KEY,                   -- canonical URL
        site TEXT NOT NULL,
        kind TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        key TEXT,                               -- document key (differs from url for an alias)
        document_id INTEGER,
        outlinks TEXT,                          -- JSON [[url, kind, date, role], ...]
        fetched_at TEXT
    );
    CREATE TABLE collect_links (
        page_key TEXT NOT NULL,                 -- a landing page (documents.key)
        file_key TEXT NOT NULL,                 -- a report file it links (documents.key)
        PRIMARY KEY (page_key, file_key)
    );
    CREATE INDEX collect_links_file ON collect_links(file_key);
    CREATE TABLE collect_robots (
        origin TEXT PRIMARY KEY,
        status INTEGER NOT NULL,
        body TEXT NOT NULL,
        fetched REAL NOT NULL
    );
    """,
]

PRIORITY = {"page": 0, "file": 0, "listing": 1, "feed": 1, "sitemap": 1}
NAVIGATION = ("listing", "feed", "sitemap")
DEFAULT_MAX_LISTING_PAGES = 1000
OUTCOMES = ("new", "changed", "unchanged", "not_modified", "listing", "failed", "robots",
            "duplicate", "offsite", "dropped")


def migrate(store: Store) -> None:
    store.migrate("collect", COLLECT_MIGRATIONS)


# -- a site: a profile bound to where it is fetched from ----------------------------------------------


class Site:
    """A publisher's profile plus the address it is crawled at (the live site or a mirror).

    URLs are always named in their canonical live form (``https://www.nhsconfed.org/news/x``), which
    is also the document key; :meth:`fetch_url` turns one into the address actually requested.
    """

    def __init__(self, profile: Profile, base_url: str | None = None, mirrors: Iterable[str] = ()):
        crawl = profile.crawl or {}
        self.profile = profile
        self.name = profile.name
        self.origin = (crawl.get("origin") or f"https://{profile.hosts[0]}").rstrip("/").lower()
        self.base_url = base_url.rstrip("/") if base_url else None
        self.trailing_slash = crawl.get("trailing_slash", "keep")
        self.drop_params = list(crawl.get("drop_params") or [])
        self.host_map: dict[str, str] = {}
        for host in [*profile.hosts, *mirrors]:
            self.host_map[_netloc(host)] = self.origin
        if self.base_url:
            self.host_map[netloc_of(self.base_url)] = self.origin
        self._prefix = _path_prefix(self.base_url)
        self.pages = [re.compile(p) for p in crawl.get("pages") or []]
        self.files = [re.compile(p) for p in crawl.get("files") or []]
        self.exclude = [re.compile(p) for p in crawl.get("exclude") or []]
        self.file_hosts = {_netloc(h) for h in crawl.get("file_hosts") or []}
        self.listing = dict(crawl.get("listing") or {})
        self.follow_depth = int(crawl.get("follow_depth", 1))
        self.max_listing_pages = int(crawl.get("max_listing_pages", DEFAULT_MAX_LISTING_PAGES))

    def canonical(self, url: str, base: str | None = None) -> str | None:
        if self._prefix and url.startswith(self.base_url or "\0"):
            url = self.origin + url[len(self.base_url):]  # a mirror under a path prefix
        return normalize(url, base, host_map=self.host_map, trailing_slash=self.trailing_slash,
                         drop_params=self.drop_params)

    def owns(self, canonical: str) -> bool:
        return canonical == self.origin or canonical.startswith(self.origin + "/")

    def fetch_url(self, canonical: str) -> str:
        if self.base_url and self.owns(canonical):
            return self.base_url + canonical[len(self.origin):]
        return canonical

    def redirect_target(self, url: str) -> str | None:
        """Where to go for a redirect to ``url``, or None to refuse it.

        On the live site a redirect between the site's own hosts is followed as given (the site
        knows its canonical host better than the profile). On a mirror, the site's hosts map to
        the mirror, path kept as given (normalising it could turn a server's ``/x -> /x/`` into a
        loop). Other hosts only for report files (``file_hosts``).
        """
        try:
            netloc = netloc_of(url)
        except ValueError:
            return None
        if self.base_url:
            if url == self.base_url or url.startswith(self.base_url + "/"):
                return url
            if netloc in self.host_map:
                return self.base_url + path_and_query(url)
        elif netloc in self.host_map:
            return url
        return url if netloc in self.file_hosts else None

    def allowed_hosts(self) -> set[str]:
        hosts = {netloc_of(self.base_url or self.origin)} | self.file_hosts
        if not self.base_url:
            hosts |= {_netloc(h) for h in self.profile.hosts}
        return hosts

    def classify(self, canonical: str) -> str | None:
        """'page', 'file', 'offsite' (another host) or None (this site, but not a publication)."""
        if not self.owns(canonical):
            netloc = netloc_of(canonical)
            if netloc in self.file_hosts and any(p.search(path_and_query(canonical)) for p in self.files):
                return "file"
            return "offsite"
        path = path_and_query(canonical)
        if any(p.search(path) for p in self.exclude):
            return None
        if any(p.search(path) for p in self.files):
            return "file"
        if any(p.search(path) for p in self.pages):
            return "page"
        return None

    def seeds(self) -> list[tuple[str, str]]:
        crawl = self.profile.crawl or {}
        out = []
        for key, kind in (("start", "listing"), ("feeds", "feed"), ("sitemaps", "sitemap")):
            for path in crawl.get(key) or []:
                url = self.canonical(path, self.origin + "/")
                if url:
                    out.append((url, kind))
        return out


def _netloc(host: str) -> str:
    return netloc_of(host if "://" in host else "//" + host if host.startswith("//") else "http://" + host)


def _path_prefix(base_url: str | None) -> str:
    if not base_url:
        return ""
    return path_and_query(base_url).rstrip("/")


# -- results ------------------------------------------------------------------------------------------


@dataclass
class CrawlSummary:
    sites: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # outcome -> URLs
    fetched: int = 0  # URLs a response came back for (200 or 304)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), once each
    robots: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # sites whose unfinished run was continued
    runs: list[int] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)


@dataclass
class CrawlOptions:
    since: str | None = None  # YYYY-MM-DD: stop paging listings past this date
    max_pages: int | None = None  # per site: URLs fetched (retries and robots.txt not counted)
    base_url: dict[str, str] | str | None = None  # crawl a site at another address (same paths)
    mirrors: dict[str, list[str]] = field(default_factory=dict)  # more hosts carrying a site
    fresh: bool = False  # abandon an unfinished run instead of resuming it
    warc_dir: str | None = None  # also write every response to a WARC file there


Progress = Callable[[dict], None]


# -- the crawler ----------------------------------------------------------------------------------------


class Crawler:
    """Crawl one or more sites into a store. ``Crawler(store, ["lga"]).run()`` -> CrawlSummary."""

    def __init__(self, store: Store, sites: Iterable[str | Profile], config: FetchConfig | None = None,
                 options: CrawlOptions | None = None, progress: Progress | None = None):
        migrate(store)
        self.store = store
        self.options = options or CrawlOptions()
        profiles = load_profiles()
        self.sites: list[Site] = []
        sites = list(sites)
        if isinstance(self.options.base_url, str) and len(sites) != 1:
            raise ValueError("one base URL for several sites: give {site: URL} instead")
        for s in sites:
            profile = s if isinstance(s, Profile) else profiles.get(s)
            if profile is None:
                raise ValueError(f"no site profile {s!r} (have: {', '.join(sorted(profiles))})")
            if not (profile.crawl or {}).get("start") and not (profile.crawl or {}).get("feeds") \
                    and not (profile.crawl or {}).get("sitemaps"):
                raise ValueError(f"site profile {profile.name!r} has no crawl start, feeds or sitemaps")
            base = self.options.base_url
            if isinstance(base, dict):
                base = base.get(profile.name)
            self.sites.append(Site(profile, base, self.options.mirrors.get(profile.name, ())))
        hosts = set().union(*(s.allowed_hosts() for s in self.sites)) if self.sites else set()
        self.config = (config or FetchConfig()).with_hosts(hosts)
        self.progress = progress
        self.fetcher: Fetcher | None = None
        self.warc = None
        self.runs: dict[str, dict] = {}  # site name -> {"id", "since", "max_pages"}

    # -- public --------------------------------------------------------------------------------

    def run(self) -> CrawlSummary:
        summary = CrawlSummary(sites=[s.name for s in self.sites])
        for site in self.sites:
            resumed = self._open_run(site)
            if resumed:
                summary.resumed.append(site.name)
            summary.runs.append(self.runs[site.name]["id"])
        self.fetcher = Fetcher(self.config, robots_cache=_StoreRobots(self.store))
        if self.options.warc_dir:
            from .warc import WarcRecorder

            self.warc = WarcRecorder(self.options.warc_dir)
        try:
            active = list(self.sites)
            while active:
                pick = self._next(active)
                if pick is None:
                    break
                site, item = pick
                outcome = self._process(site, item)
                if self.progress:
                    self.progress({"site": site.name, "url": item["url"], "kind": item["kind"],
                                   "outcome": outcome, **self._progress_counts()})
        finally:
            self.fetcher.close()
            if self.warc:
                self.warc.close()
        return self._summary(summary)

    # -- runs and the frontier ---------------------------------------------------------------------

    def _open_run(self, site: Site) -> bool:
        """Resume the site's unfinished run, or start one seeded with its listings. True if resumed."""
        conn = self.store.conn
        row = conn.execute("SELECT id, owner, since, max_pages FROM collect_runs WHERE site = ? AND "
                           "state = 'running' ORDER BY id DESC LIMIT 1", (site.name,)).fetchone()
        if row and self.options.fresh:
            with self.store.transaction():
                conn.execute("UPDATE collect_runs SET state = 'abandoned', finished_at = ? WHERE id = ?",
                             (_now(), row["id"]))
            row = None
        if row:
            busy = _live_owner(row["owner"])
            if busy:
                raise CrawlBusy(f"a crawl of {site.name} is already running ({busy}); "
                                "wait for it to finish, or stop it and run again to resume")
            with self.store.transaction():
                conn.execute("UPDATE collect_runs SET owner = ? WHERE id = ?", (_OWNER, row["id"]))
            # A resumed run keeps the limits it was started with, so it ends as it would have.
            self.runs[site.name] = {"id": row["id"], "since": row["since"], "max_pages": row["max_pages"]}
            return True
        with self.store.transaction():
            cur = conn.execute(
                "INSERT INTO collect_runs (site, owner, since, max_pages, base_url, started_at) "
                "VALUES (?,?,?,?,?,?)",
                (site.name, _OWNER, self.options.since, self.options.max_pages, site.base_url, _now()))
            run_id = cur.lastrowid
            for url, kind in site.seeds():
                self._enqueue(run_id, url, kind, 0, None)
        self.runs[site.name] = {"id": run_id, "since": self.options.since,
                                "max_pages": self.options.max_pages}
        return False

    def _enqueue(self, run_id: int, url: str, kind: str, depth: int, referrer: str | None,
                 listed: str | None = None) -> None:
        conn = self.store.conn
        if kind in ("page", "file"):
            alias = conn.execute("SELECT key FROM collect_pages WHERE url = ? AND key IS NOT NULL",
                                 (url,)).fetchone()
            if alias and alias["key"] != url:
                url = alias["key"]  # a known alias (/node/123): go straight to the page it names
        if kind == "offsite":
            conn.execute("INSERT OR IGNORE INTO collect_frontier (run_id, url, kind, priority, depth, "
                         "referrer, state, outcome, reason, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         (run_id, url, kind, 9, depth, referrer, "done", "offsite",
                          "another host: not followed", _now()))
            return
        # Found again: keep the first sighting, but take a date if this listing gives one.
        conn.execute("INSERT INTO collect_frontier (run_id, url, kind, priority, depth, referrer, listed) "
                     "VALUES (?,?,?,?,?,?,?) ON CONFLICT(run_id, url) DO UPDATE SET "
                     "listed = COALESCE(collect_frontier.listed, excluded.listed)",
                     (run_id, url, kind, PRIORITY[kind], depth, referrer, listed))

    def _next(self, active: list[Site]):
        """The next URL: of the sites with work left, the one whose host is free soonest."""
        conn = self.store.conn
        best = None
        for site in list(active):
            run = self.runs[site.name]
            if run["max_pages"] is not None and self._attempted(run["id"]) >= run["max_pages"]:
                with self.store.transaction():
                    conn.execute("UPDATE collect_frontier SET state = 'done', outcome = 'dropped', "
                                 "reason = 'over --max-pages', updated_at = ? WHERE run_id = ? AND "
                                 "state = 'queued'", (_now(), run["id"]))
            item = conn.execute("SELECT * FROM collect_frontier WHERE run_id = ? AND state = 'queued' "
                                "ORDER BY priority, id LIMIT 1", (run["id"],)).fetchone()
            if item is None:
                with self.store.transaction():
                    conn.execute("UPDATE collect_runs SET state = 'done', finished_at = ? WHERE id = ?",
                                 (_now(), run["id"]))
                active.remove(site)
                continue
            wait = self.fetcher.wait_time(site.fetch_url(item["url"]))
            if best is None or wait < best[0]:
                best = (wait, site, dict(item))
        return (best[1], best[2]) if best else None

    def _attempted(self, run_id: int) -> int:
        return self.store.conn.execute("SELECT COUNT(*) FROM collect_frontier WHERE run_id = ? AND "
                                       "fetched = 1", (run_id,)).fetchone()[0]

    # -- one URL -----------------------------------------------------------------------------------------

    def _process(self, site: Site, item: dict) -> str:
        url, kind = item["url"], item["kind"]
        prev = self._previous(url, kind)
        result = self.fetcher.get(site.fetch_url(url), etag=prev.get("etag"),
                                  last_modified=prev.get("last_modified"), redirect=site.redirect_target)
        if result.outcome == "robots":
            return self._finish(item, "robots", result.error, fetched=False)
        if self.warc and result.hops:
            self.warc.record(result, self.config.agent())
        if result.outcome == "failed":
            return self._finish(item, "failed", result.error, result=result)
        if result.outcome == "not_modified":
            if prev.get("outlinks") is None:  # nothing remembered to go on: fetch it whole
                result = self.fetcher.get(site.fetch_url(url), redirect=site.redirect_target)
                if result.outcome != "ok":
                    return self._finish(item, "failed", result.error or "HTTP 304 without a stored copy",
                                        result=result)
            else:
                return self._finish(item, "listing" if kind in NAVIGATION else "not_modified", None,
                                    result=result,
                                    outlinks=prev["outlinks"], document_id=prev.get("document_id"))
        final = site.canonical(result.final_url) or url
        if kind in NAVIGATION:
            outlinks = self._navigation_links(site, kind, result, final)
            return self._finish(item, "listing", None, result=result, outlinks=outlinks)
        return self._store_document(site, item, result, final)

    def _previous(self, url: str, kind: str) -> dict:
        """Validators and links from the last good fetch of ``url``, if its copy is still stored."""
        row = self.store.conn.execute("SELECT * FROM collect_pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return {}
        prev = dict(row)
        prev["outlinks"] = json.loads(row["outlinks"]) if row["outlinks"] is not None else None
        if kind not in NAVIGATION:
            doc = self.store.conn.execute("SELECT id FROM documents WHERE key = ? AND is_current = 1",
                                          (row["key"] or url,)).fetchone()
            if doc is None:
                return {}  # the document is gone: no conditional GET, fetch it whole
            prev["document_id"] = doc["id"]
        return prev

    def _navigation_links(self, site: Site, kind: str, result: FetchResult, base: str) -> list:
        if kind == "listing":
            text = result.content.decode(result.encoding or "utf-8", errors="replace")
            found = listing_links(text, base, site.listing)
        elif kind == "feed":
            found = feed_links(result.content, base)
        else:
            found = sitemap_links(result.content, base)
        out, seen = [], {}
        for f in found:
            url = site.canonical(f.url)
            if not url:
                continue
            if url in seen:  # listed twice (a promoted item): keep the date either sighting gives
                seen[url][2] = seen[url][2] or f.date
                continue
            if f.role == "next":
                if not site.owns(url) or url == base:
                    continue
                link_kind = "listing"
            elif f.role == "sitemap":
                if not site.owns(url):
                    continue
                link_kind = "sitemap"
            else:
                link_kind = site.classify(url)
                if link_kind is None:
                    continue
            seen[url] = [url, link_kind, f.date, f.role]
            out.append(seen[url])
        return out

    def _store_document(self, site: Site, item: dict, result: FetchResult, final: str) -> str:
        from .parse import ParseError, parse_bytes

        url = item["url"]
        if not (result.content_type or "").startswith(("text/html", "application/xhtml", "application/pdf",
                                                       "text/plain")):
            return self._finish(item, "failed", f"not a page or PDF ({result.content_type})",
                                result=result)
        key = final
        html = result.content_type.startswith(("text/html", "application/xhtml"))
        if html:
            named = _canonical_link(result.content, result.encoding)
            named = site.canonical(named, final) if named else None
            if named and site.owns(named) and site.classify(named) in ("page", "file"):
                key = named
        if key != url and self._done_in_run(item["run_id"], key):
            return self._finish(item, "duplicate", f"same page as {key}", result=result, key=key)
        try:
            doc = parse_bytes(result.content, key, result.content_type, url=key)
        except ParseError as e:
            return self._finish(item, "failed", f"parse error: {e}", result=result)
        except Exception as e:  # a parser bug must not stop the crawl; report it against the URL
            return self._finish(item, "failed", f"parse error: {type(e).__name__}: {e}", result=result)
        outlinks = [] if not html else self._page_links(site, doc)
        self._fill_metadata(site, doc, key, item)
        return self._finish(item, None, None, result=result, outlinks=outlinks, key=key, doc=doc)

    def _page_links(self, site: Site, doc: Document) -> list:
        out, seen = [], set()
        for link in doc.links:
            url = site.canonical(link)
            if not url or url in seen:
                continue
            kind = site.classify(url)
            if kind:
                seen.add(url)
                out.append([url, kind, None, "body"])
        return out

    def _fill_metadata(self, site: Site, doc: Document, key: str, item: dict) -> None:
        """What a page cannot say about itself comes from the listing that dated it, its landing page
        (for a report file) and the profile."""
        if item["kind"] == "file":
            fill_from_landing(self.store, doc, key, extra_pages=[item["referrer"]] if item["referrer"] else [])
        if not doc.published and item.get("listed"):
            doc.published = item["listed"]
        if not doc.publisher:
            doc.publisher = site.profile.publisher
        doc.url = key

    def _done_in_run(self, run_id: int, url: str) -> bool:
        row = self.store.conn.execute("SELECT state, outcome FROM collect_frontier WHERE run_id = ? AND url = ?",
                                      (run_id, url)).fetchone()
        return bool(row and row["state"] == "done" and row["outcome"] in
                    ("new", "changed", "unchanged", "not_modified"))

    # -- the one transaction per URL ------------------------------------------------------------------

    def _finish(self, item: dict, outcome: str | None, reason: str | None, *, fetched: bool = True,
                result: FetchResult | None = None, outlinks: list | None = None,
                key: str | None = None, doc: Document | None = None, document_id: int | None = None) -> str:
        """Record the response, store the document, queue its links and mark the URL done: together."""
        conn = self.store.conn
        url, run_id = item["url"], item["run_id"]
        with self.store.transaction():
            content_hash = None
            if result is not None:
                content_hash = self._record_response(run_id, url, result)
            if doc is not None:
                outcome, document_id = self._store(doc, result, key)
                if outcome == "duplicate":
                    reason = "same content as an already stored page"
            if result is not None and result.outcome in ("ok", "not_modified") and outcome != "failed":
                self._remember(item, result, outlinks, key, document_id, content_hash, outcome)
            if key and key != url:
                # The page it really is: mark that done too so it is not fetched again under its name.
                conn.execute(
                    "INSERT INTO collect_frontier (run_id, url, kind, priority, depth, referrer, state, "
                    "outcome, reason, document_id, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(run_id, url) DO UPDATE SET state = 'done', outcome = CASE WHEN "
                    "collect_frontier.state = 'done' THEN collect_frontier.outcome ELSE excluded.outcome END, "
                    "reason = COALESCE(collect_frontier.reason, excluded.reason), updated_at = excluded.updated_at",
                    (run_id, key, item["kind"], PRIORITY.get(item["kind"], 0), item["depth"], url, "done",
                     "duplicate", f"reached as {url}", document_id, _now()))
            if key and item["kind"] == "file":
                conn.execute("UPDATE OR IGNORE collect_links SET file_key = ? WHERE file_key = ?", (key, url))
            if outlinks:
                self._follow(item, outlinks, key or url)
            conn.execute("UPDATE collect_frontier SET state = 'done', outcome = ?, reason = ?, fetched = ?, "
                         "document_id = ?, updated_at = ? WHERE id = ?",
                         (outcome, reason, int(fetched), document_id, _now(), item["id"]))
        return outcome

    def _store(self, doc: Document, result: FetchResult, key: str) -> tuple[str, int]:
        conn = self.store.conn
        cur = conn.execute("SELECT id, title, text, published, type FROM documents WHERE key = ? AND "
                           "is_current = 1", (key,)).fetchone()
        if cur and (cur["text"], cur["title"], cur["published"], cur["type"]) == \
                (doc.text, doc.title, doc.published, doc.type):
            # Same words, different bytes (a rotated token, a new banner): not a new version.
            return "unchanged", cur["id"]
        added = self.store.add(doc, result.content, result.content_type, key=key)
        if added.status == "unchanged":
            return ("unchanged" if added.key == key else "duplicate"), added.id
        return ("new" if added.status == "added" else "changed"), added.id

    def _record_response(self, run_id: int, url: str, result: FetchResult) -> str | None:
        content_hash = self.store.put_snapshot(result.content, result.content_type) if result.content else None
        self.store.conn.execute(
            "INSERT INTO collect_responses (run_id, url, fetch_url, final_url, status, headers, content_hash, "
            "content_type, fetched_at, elapsed, attempts, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, url, result.url, result.final_url, result.status, json.dumps(result.headers),
             content_hash, result.content_type, result.fetched_at or _now(), round(result.elapsed, 3),
             result.attempts, result.error))
        return content_hash

    def _remember(self, item: dict, result: FetchResult, outlinks: list | None, key: str | None,
                  document_id: int | None, content_hash: str | None, outcome: str | None) -> None:
        site = self._site_of(item)
        if result.outcome == "not_modified":
            self.store.conn.execute("UPDATE collect_pages SET fetched_at = ? WHERE url = ?",
                                    (_now(), item["url"]))
            return
        # The URL as reached, and (for an alias) the page it names: the next crawl goes straight to
        # the page, conditionally, with the validators this response carried for the same content.
        urls = [item["url"]]
        if key and key != item["url"] and outcome in ("new", "changed", "unchanged"):
            urls.append(key)
        for url in urls:
            self.store.conn.execute(
                "INSERT INTO collect_pages (url, site, kind, etag, last_modified, content_hash, key, "
                "document_id, outlinks, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE "
                "SET site = excluded.site, kind = excluded.kind, etag = excluded.etag, "
                "last_modified = excluded.last_modified, content_hash = excluded.content_hash, "
                "key = excluded.key, document_id = excluded.document_id, outlinks = excluded.outlinks, "
                "fetched_at = excluded.fetched_at",
                (url, site.name, item["kind"], result.header("etag"), result.header("last-modified"),
                 content_hash, key or item["url"], document_id, json.dumps(outlinks or []), _now()))

    def _follow(self, item: dict, outlinks: list, page_key: str) -> None:
        """Queue the links found on a URL, by the rules of ``--since`` and depth."""
        run = next(r for r in self.runs.values() if r["id"] == item["run_id"])
        since = run["since"]
        depth = item["depth"]
        kind = item["kind"]
        if kind in NAVIGATION:
            dated = [d for _, k, d, role in outlinks if role == "item" and d]
            # Listings run newest first: once a page lists only items older than --since, stop paging.
            exhausted = bool(since and dated and max(dated) < since)
            for url, link_kind, date, role in outlinks:
                if link_kind == "listing":
                    if not exhausted and depth + 1 < self._max_listing_pages(item):
                        self._enqueue(item["run_id"], url, "listing", depth + 1, item["url"])
                elif link_kind == "sitemap":
                    if not (since and date and date < since):
                        self._enqueue(item["run_id"], url, "sitemap", depth, item["url"])
                elif not (since and date and date < since):
                    self._enqueue(item["run_id"], url, link_kind, 0, item["url"],
                                  date if role == "item" and kind != "sitemap" else None)
            return
        if kind != "page":
            return
        for url, link_kind, _, _ in outlinks:
            if link_kind == "file":
                self._enqueue(item["run_id"], url, "file", depth + 1, page_key)
                self.store.conn.execute("INSERT OR IGNORE INTO collect_links VALUES (?, ?)", (page_key, url))
            elif link_kind == "page":
                # Publications linked from a body are followed a little way, but not under --since
                # (their dates are unknown until fetched, and the listings already cover the period).
                if not since and depth < self._follow_depth(item):
                    self._enqueue(item["run_id"], url, "page", depth + 1, page_key)
            elif link_kind == "offsite":
                self._enqueue(item["run_id"], url, "offsite", depth + 1, page_key)

    def _site_of(self, item: dict) -> Site:
        return next(s for s in self.sites if self.runs[s.name]["id"] == item["run_id"])

    def _max_listing_pages(self, item: dict) -> int:
        return self._site_of(item).max_listing_pages

    def _follow_depth(self, item: dict) -> int:
        return self._site_of(item).follow_depth

    # -- summary -------------------------------------------------------------------------------------

    def _progress_counts(self) -> dict:
        ids = [r["id"] for r in self.runs.values()]
        marks = ",".join("?" * len(ids))
        row = self.store.conn.execute(
            f"SELECT SUM(state = 'done' AND outcome != 'offsite'), SUM(state = 'queued') "
            f"FROM collect_frontier WHERE run_id IN ({marks})", ids).fetchone()
        return {"done": row[0] or 0, "queued": row[1] or 0}

    def _summary(self, summary: CrawlSummary) -> CrawlSummary:
        ids = summary.runs
        marks = ",".join("?" * len(ids))
        conn = self.store.conn
        for row in conn.execute(f"SELECT outcome, COUNT(*) FROM collect_frontier WHERE run_id IN ({marks}) "
                                f"AND state = 'done' GROUP BY outcome", ids):
            summary.counts[row[0]] = row[1]
        summary.counts["queued"] = conn.execute(
            f"SELECT COUNT(*) FROM collect_frontier WHERE run_id IN ({marks}) AND state = 'queued'",
            ids).fetchone()[0]
        summary.fetched = sum(summary.count(k) for k in ("new", "changed", "unchanged", "not_modified",
                                                           "listing", "duplicate"))
        summary.failed = [(r[0], r[1]) for r in conn.execute(
            f"SELECT url, reason FROM collect_frontier WHERE run_id IN ({marks}) AND outcome = 'failed' "
            f"ORDER BY id", ids)]
        summary.robots = [r[0] for r in conn.execute(
            f"SELECT url FROM collect_frontier WHERE run_id IN ({marks}) AND outcome = 'robots' ORDER BY id",
            ids)]
        return summary


def crawl(store: Store, sites: Iterable[str], config: FetchConfig | None = None,
          options: CrawlOptions | None = None, progress: Progress | None = None) -> CrawlSummary:
    """Crawl ``sites`` (profile names) into ``store``; resumes each site's unfinished run."""
    return Crawler(store, sites, config, options, progress).run()


# -- landing pages and their report files -------------------------------------------------------------


def fill_from_landing(store: Store, doc: Document, key: str, extra_pages: Iterable[str] = ()) -> None:
    """Give a report file the date of the page that presents it, and its publisher and type if missing.

    The landing page's date wins over one found in the file: a PDF's own dates are often those of
    its export, not of its publication.
    """
    conn = store.conn
    pages = [r[0] for r in conn.execute("SELECT page_key FROM collect_links WHERE file_key = ?", (key,))]
    pages += [p for p in extra_pages if p and p not in pages]
    landing = None
    for page in pages:
        row = conn.execute("SELECT title, publisher, published, type FROM documents WHERE key = ? AND "
                           "is_current = 1", (page,)).fetchone()
        if row and (landing is None or row["type"] == "report"):
            landing = row
    if landing is None:
        return
    doc.published = landing["published"] or doc.published
    doc.publisher = doc.publisher or landing["publisher"]
    if not doc.type and landing["type"] == "report":
        doc.type = "report"


def linked_documents(store: Store) -> list[dict]:
    """Landing pages and the report files they link, as stored documents (current versions)."""
    migrate(store)
    return [dict(r) for r in store.conn.execute(
        "SELECT p.id AS page_id, p.key AS page_key, f.id AS file_id, f.key AS file_key "
        "FROM collect_links l JOIN documents p ON p.key = l.page_key AND p.is_current = 1 "
        "JOIN documents f ON f.key = l.file_key AND f.is_current = 1 ORDER BY p.id, f.id")]


# -- re-parsing stored snapshots --------------------------------------------------------------------------


@dataclass
class ReparseSummary:
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def reparse(store: Store, publisher: str | None = None, since: str | None = None,
            until: str | None = None, progress: Callable[[int], None] | None = None) -> ReparseSummary:
    """Parse every current document again from its stored raw bytes (no fetching).

    Metadata the new parse cannot find (a date or type from a manifest, a report file's landing page)
    is kept from the stored version, so a re-parse never loses what the original import knew.
    """
    from .parse import ParseError, parse_bytes

    migrate(store)
    summary = ReparseSummary()
    keys = {r["id"]: r["key"] for r in store.conn.execute("SELECT id, key FROM documents WHERE is_current = 1")}
    for old in list(store.documents(publisher=publisher, since=since, until=until)):
        try:
            raw, content_type = store.raw(old.id)
            new = parse_bytes(raw, old.source, content_type, url=old.url)
        except ParseError as e:
            summary.failed.append((old.id, str(e)))
        except Exception as e:  # one bad snapshot must not stop the batch
            summary.failed.append((old.id, f"{old.source}: {type(e).__name__}: {e}"))
        else:
            if (content_type or "").startswith("application/pdf") or raw[:5] == b"%PDF-":
                fill_from_landing(store, new, keys.get(old.id, old.url or old.source))
            for name in ("title", "publisher", "published", "type", "url", "summary"):
                if getattr(new, name) in (None, "") and getattr(old, name):
                    setattr(new, name, getattr(old, name))
            same = all(getattr(new, n) == getattr(old, n) for n in
                       ("text", "title", "publisher", "published", "type", "url", "summary"))
            if same:
                summary.unchanged.append(old.id)
            else:
                store.replace_parse(old.id, new)
                summary.updated.append(old.id)
        if progress:
            progress(old.id)
    return summary


# -- helpers ------------------------------------------------------------------------------------------------


class _StoreRobots:
    """robots.txt files kept in the store, so a resumed crawl does not fetch them again."""

    def __init__(self, store: Store):
        self.store = store

    def load(self, origin: str):
        row = self.store.conn.execute("SELECT status, body, fetched FROM collect_robots WHERE origin = ?",
                                      (origin,)).fetchone()
        return (row["status"], row["body"], row["fetched"]) if row else None

    def save(self, origin: str, status: int, body: str, fetched: float) -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO collect_robots VALUES (?,?,?,?) ON CONFLICT(origin) DO UPDATE SET "
                         "status = excluded.status, body = excluded.body, fetched = excluded.fetched",
                         (origin, status, body, fetched))


_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_REL_CANONICAL = re.compile(r"""\brel\s*=\s*["']?[^"'>]*\bcanonical\b""", re.I)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def _canonical_link(content: bytes, encoding: str | None) -> str | None:
    """The page's ``<link rel="canonical">``, read from its head without a full parse."""
    head = content[:65536].decode(encoding or "utf-8", errors="replace")
    end = head.lower().find("</head>")
    if end >= 0:
        head = head[:end]
    for tag in _LINK_TAG.findall(head):
        if _REL_CANONICAL.search(tag):
            m = _HREF.search(tag)
            if m:
                from html import unescape

                return unescape(next(g for g in m.groups() if g is not None)).strip() or None
    return None


class CrawlBusy(Exception):
    """Another live process is crawling the same site into the same store."""


_OWNER = f"{socket.gethostname()}:{os.getpid()}"


def _live_owner(owner: str | None) -> str | None:
    """``owner`` if it names another process on this machine that is still alive."""
    if not owner or owner == _OWNER:
        return None
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or os.name == "nt":  # nt: kill(pid, 0) kills
        return None  # another machine: cannot tell; a shared store across machines is not supported
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return None
    except (PermissionError, OSError):
        return owner
    return owner


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

"""A polite HTTP fetcher: the layers trafilatura users expect, held in one object, robots.txt obeyed.

``Fetcher(FetchConfig(...)).get(url)`` returns a :class:`FetchResult` and never raises for network
trouble: every failure becomes ``outcome == "failed"`` with a one-line ``error``. The layers:

- an identifying User-Agent with a contact URL;
- robots.txt (``urllib.robotparser``) obeyed on every hop, its Crawl-delay / Request-rate honoured;
- one request at a time per host, and at least ``delay`` seconds between two requests to a host;
- connect/read timeouts plus a cap on the whole response time (a slow drip is cut off too);
- redirects followed one hop at a time (capped, loops detected), each hop checked against the
  allowed hosts and robots.txt;
- a size cap, checked on Content-Length and again while streaming (decompressed bytes);
- retries only for transient failures (429, 500/502/503/504, timeouts, resets, truncated bodies)
  with exponential backoff and jitter, honouring Retry-After;
- conditional GET (If-None-Match / If-Modified-Since): a 304 comes back as ``not_modified``;
- the content type sniffed from the bytes (servers mislabel PDFs) and the charset of text
  responses worked out from the header, the ``<meta>`` tag and the bytes, since declarations lie.

State (the HTTP connection pool, per-host clocks, parsed robots.txt) lives on the instance, never in
module globals, so two fetchers (or two tests) never share it.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Protocol
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

from .. import __version__
from .urls import netloc_of, origin_of

DEFAULT_CONTACT = "https://github.com/ics-text/ics-text/blob/main/docs/scraping.md"
ROBOTS_AGENT = "ics-text"

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})  # 501 Not Implemented is not transient
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MB = 1024 * 1024


@dataclass(frozen=True)
class FetchConfig:
    """Every politeness and robustness setting of the fetcher, in one place."""

    user_agent: str | None = None  # the whole header; None: built from agent, version and contact
    contact: str = DEFAULT_CONTACT  # where a site owner can read who we are and reach us
    robots_agent: str = ROBOTS_AGENT  # the token robots.txt groups are matched against
    obey_robots: bool = True
    robots_ttl: float = 24 * 3600  # re-read robots.txt after this long (RFC 9309: at most 24 h)
    delay: float = 1.0  # seconds between two requests to one host (at least)
    max_crawl_delay: float = 120.0  # a robots.txt Crawl-delay is honoured up to this
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest silence while waiting for bytes
    total_timeout: float = 120.0  # longest a whole response may take, body included
    max_redirects: int = 5
    max_bytes: int = 20 * MB  # decompressed body; larger responses are abandoned
    retries: int = 3  # further tries after a transient failure
    backoff: float = 2.0  # first retry wait in seconds; doubles each time, with jitter
    max_backoff: float = 120.0
    max_retry_after: float = 600.0  # a longer Retry-After gives up on the URL instead of waiting
    allowed_hosts: frozenset[str] | None = None  # host[:port] names; None: any host
    accept: str = "text/html,application/xhtml+xml,application/pdf;q=0.9,application/xml;q=0.8,*/*;q=0.5"
    accept_language: str = "en-GB,en;q=0.9"

    def agent(self) -> str:
        return self.user_agent or f"{ROBOTS_AGENT}/{__version__} (+{self.contact})"

    def with_hosts(self, hosts) -> "FetchConfig":
        return replace(self, allowed_hosts=frozenset(h.lower() for h in hosts))


@dataclass
class Hop:
    """One HTTP exchange on the way to the final response (redirects and the final one)."""

    url: str
    status: int
    headers: list[tuple[str, str]]


@dataclass
class FetchResult:
    url: str  # as asked for
    outcome: str  # "ok" | "not_modified" | "robots" | "failed"
    final_url: str = ""  # after redirects
    status: int | None = None  # the last HTTP status, None when no response came
    headers: list[tuple[str, str]] = field(default_factory=list)
    content: bytes = b""
    content_type: str | None = None  # sniffed type, with "; charset=..." for text
    encoding: str | None = None  # the charset the text really is in (text responses)
    error: str | None = None  # one line, for "failed" and "robots"
    fetched_at: str = ""  # ISO 8601, UTC, when the final response started
    elapsed: float = 0.0
    attempts: int = 0  # requests made for this URL, retries and redirects included
    hops: list[Hop] = field(default_factory=list)  # redirects followed, then the final response

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None


class RobotsCache(Protocol):
    """Where parsed robots.txt files are remembered between runs (the crawler keeps them in the store)."""

    def load(self, origin: str) -> tuple[int, str, float] | None: ...  # (status, body, fetched epoch)

    def save(self, origin: str, status: int, body: str, fetched: float) -> None: ...


class _Failure(Exception):
    def __init__(self, reason: str, transient: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after


@dataclass
class _Robots:
    parser: RobotFileParser | None  # None: everything allowed
    delay: float  # seconds between requests that robots.txt asks for (0: none)
    fetched: float
    disallow_all_reason: str | None = None


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0  # monotonic time of the earliest next request


class Fetcher:
    """Fetch URLs politely. Use as a context manager, or call :meth:`close`."""

    def __init__(self, config: FetchConfig | None = None, robots_cache: RobotsCache | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        import httpx

        self.config = config or FetchConfig()
        self.robots_cache = robots_cache
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._guard = threading.Lock()
        c = self.config
        self.client = httpx.Client(
            follow_redirects=False,  # each hop is checked here, against hosts and robots.txt
            timeout=httpx.Timeout(c.read_timeout, connect=c.connect_timeout),
            headers={"User-Agent": c.agent(), "Accept": c.accept, "Accept-Language": c.accept_language},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- public ---------------------------------------------------------------------------------

    def allowed_host(self, url: str) -> bool:
        hosts = self.config.allowed_hosts
        try:
            return hosts is None or netloc_of(url) in hosts
        except ValueError:
            return False

    def wait_time(self, url: str) -> float:
        """Seconds until a request to ``url``'s host would be polite (0: now)."""
        state = self._hosts.get(netloc_of(url))
        return max(0.0, state.next_at - time.monotonic()) if state else 0.0

    def robots_allowed(self, url: str) -> tuple[bool, str | None]:
        """(allowed, reason) for ``url`` under its host's robots.txt (fetched on first use)."""
        if not self.config.obey_robots:
            return True, None
        robots = self._robots_for(url)
        if robots.disallow_all_reason:
            return False, robots.disallow_all_reason
        if robots.parser is None or robots.parser.can_fetch(self.config.robots_agent, url):
            return True, None
        return False, "disallowed by robots.txt"

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            redirect: Callable[[str], str | None] | None = None) -> FetchResult:
        """GET ``url`` (conditionally, given validators), following redirects one checked hop at a time.

        ``redirect`` maps a redirect target to the URL to fetch for it, or None to refuse it
        (the crawler maps a site's hosts onto the mirror it is crawling); by default only the
        allowed hosts are followed.
        """
        started = time.monotonic()
        result = FetchResult(url=url, outcome="failed", final_url=url)
        current, chain = url, [url]
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        try:
            for hop in range(self.config.max_redirects + 1):
                if not self.allowed_host(current):
                    raise _Failure(("redirect to a host not allowed: " if hop else "host not allowed: ")
                                   + netloc_of(current))
                allowed, why = self.robots_allowed(current)
                if not allowed:
                    if hop == 0:
                        result.outcome, result.error = "robots", why
                        return result
                    raise _Failure(f"redirect to {current}: {why}")
                status, headers, body, fetched_at = self._get_with_retries(current, conditional, result)
                result.hops.append(Hop(current, status, headers))
                result.final_url, result.status, result.headers = current, status, headers
                result.fetched_at = fetched_at
                if status in REDIRECT_STATUSES:
                    location = _header(headers, "location")
                    if not location:
                        raise _Failure(f"HTTP {status} redirect without a Location header")
                    target = urljoin(current, location.strip())
                    mapped = redirect(target) if redirect else target
                    if mapped is None:
                        raise _Failure(f"redirect to a host not allowed: {target}")
                    if mapped in chain:
                        raise _Failure("redirect loop: " + " -> ".join(chain + [mapped]))
                    chain.append(mapped)
                    current = mapped
                    continue
                if status == 304:
                    result.outcome = "not_modified"
                    return result
                if not 200 <= status < 300:
                    raise _Failure(f"HTTP {status} {_reason(status)}")
                result.content = body
                result.content_type, result.encoding = describe(body, _header(headers, "content-type"))
                result.outcome = "ok"
                return result
            raise _Failure(f"too many redirects (more than {self.config.max_redirects}): "
                           + " -> ".join(chain))
        except _Failure as f:
            result.outcome, result.error = "failed", f.reason
            return result
        finally:
            result.elapsed = time.monotonic() - started

    # -- one request, with retries ----------------------------------------------------------------

    def _get_with_retries(self, url: str, headers: dict, result: FetchResult):
        c = self.config
        for attempt in range(c.retries + 1):
            result.attempts += 1
            try:
                status, resp_headers, body, fetched_at = self._request(url, headers)
            except _Failure as f:
                if not f.transient:
                    raise
                reason, wait = f.reason, self._backoff(attempt)
            else:
                if status not in RETRY_STATUSES:
                    return status, resp_headers, body, fetched_at
                reason = f"HTTP {status} {_reason(status)}"
                result.status, result.headers, result.final_url = status, resp_headers, url
                retry_after = parse_retry_after(_header(resp_headers, "retry-after"))
                if retry_after is not None and retry_after > c.max_retry_after:
                    raise _Failure(f"{reason} (Retry-After {retry_after:.0f} s is beyond the "
                                   f"{c.max_retry_after:.0f} s cap)")
                wait = retry_after if retry_after is not None else self._backoff(attempt)
            if attempt == c.retries:
                raise _Failure(f"{reason} (gave up after {attempt + 1} tries)")
            self._defer(url, wait)
        raise AssertionError("unreachable")

    def _request(self, url: str, headers: dict):
        import httpx

        c = self.config
        state = self._host(url)
        with state.lock:  # one request at a time per host
            self._wait_turn(url, state)
            fetched_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
            deadline = time.monotonic() + c.total_timeout
            try:
                with self.client.stream("GET", url, headers=headers) as r:
                    status = r.status_code
                    resp_headers = list(r.headers.multi_items())
                    body = b""
                    if 200 <= status < 300:
                        body = self._read_body(r, deadline)
                    return status, resp_headers, body, fetched_at
            except httpx.TimeoutException as e:
                raise _Failure(f"timed out ({_kind_of_timeout(e)})", transient=True) from None
            except httpx.RemoteProtocolError as e:
                msg = str(e)
                if "incomplete" in msg or "peer closed" in msg or "without sending complete" in msg:
                    raise _Failure(f"truncated body ({_short(msg)})", transient=True) from None
                raise _Failure(f"protocol error: {_short(msg)}", transient=True) from None
            except (httpx.ConnectError, httpx.ReadError, httpx.WriteError) as e:
                raise _Failure(f"connection failed: {_short(str(e)) or type(e).__name__}",
                               transient=True) from None
            except httpx.DecodingError as e:
                raise _Failure(f"undecodable response body: {_short(str(e))}") from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as e:
                raise _Failure(f"bad URL: {_short(str(e))}") from None
            except httpx.HTTPError as e:
                raise _Failure(f"{type(e).__name__}: {_short(str(e))}", transient=True) from None
            finally:
                state.next_at = max(state.next_at, time.monotonic() + self._delay_for(url))

    def _read_body(self, r, deadline: float) -> bytes:
        cap = self.config.max_bytes
        declared = r.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise _Failure(f"too large: Content-Length {int(declared) / MB:.1f} MB is over the "
                           f"{cap / MB:g} MB cap")
        buf = bytearray()
        for chunk in r.iter_bytes():
            buf += chunk
            if len(buf) > cap:
                raise _Failure(f"too large: over the {cap / MB:g} MB cap (download abandoned)")
            if time.monotonic() > deadline:
                raise _Failure(f"too slow: body not complete after {self.config.total_timeout:g} s",
                               transient=True)
        return bytes(buf)

    # -- politeness clocks -----------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = netloc_of(url)
        with self._guard:
            return self._hosts.setdefault(key, _Host())

    def _wait_turn(self, url: str, state: _Host) -> None:
        wait = state.next_at - time.monotonic()
        if wait > 0:
            self._sleep(wait)

    def _defer(self, url: str, wait: float) -> None:
        """Nothing goes to this host for ``wait`` seconds (a Retry-After or a backoff)."""
        state = self._host(url)
        state.next_at = max(state.next_at, time.monotonic() + wait)

    def _delay_for(self, url: str) -> float:
        robots = self._robots.get(origin_of(url))
        asked = min(robots.delay, self.config.max_crawl_delay) if robots else 0.0
        return max(self.config.delay, asked)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, so clients spread out."""
        c = self.config
        base = min(c.max_backoff, c.backoff * (2 ** attempt))
        return base / 2 + random.uniform(0, base / 2)

    # -- robots.txt ----------------------------------------------------------------------------------

    def _robots_for(self, url: str) -> _Robots:
        origin = origin_of(url)
        robots = self._robots.get(origin)
        now = time.time()
        if robots and now - robots.fetched < self.config.robots_ttl:
            return robots
        cached = self.robots_cache.load(origin) if self.robots_cache else None
        if cached and now - cached[2] < self.config.robots_ttl:
            robots = self._parse_robots(*cached)
        else:
            status, body = self._download_robots(origin)
            if self.robots_cache and status is not None and status < 500:
                self.robots_cache.save(origin, status, body, now)
            robots = self._parse_robots(status, body, now)
        self._robots[origin] = robots
        return robots

    def _download_robots(self, origin: str) -> tuple[int | None, str]:
        """(status, text) of ``origin``/robots.txt; status None when it could not be reached."""
        url = origin + "/robots.txt"
        probe = FetchResult(url=url, outcome="failed")
        try:
            for _ in range(5):  # RFC 9309: follow at least five redirects
                if not self.allowed_host(url):
                    return 404, ""  # robots.txt elsewhere cannot be read: treat as unavailable
                status, headers, body, _ = self._get_with_retries(url, {}, probe)
                if status in REDIRECT_STATUSES and _header(headers, "location"):
                    url = urljoin(url, _header(headers, "location"))
                    continue
                text = body[:500 * 1024].decode("utf-8", errors="replace") if status == 200 else ""
                return status, text
            return 404, ""
        except _Failure:
            return None, ""

    def _parse_robots(self, status: int | None, body: str, fetched: float) -> _Robots:
        # RFC 9309: 4xx means no rules; 5xx or unreachable means assume everything is disallowed.
        if status is None or status >= 500:
            return _Robots(None, 0.0, fetched, "robots.txt unreachable (server error): not crawling")
        if status in (401, 403):
            return _Robots(None, 0.0, fetched, f"robots.txt answered HTTP {status}: not crawling")
        if status != 200:
            return _Robots(None, 0.0, fetched)
        parser = RobotFileParser()
        parser.parse(body.splitlines())
        delay = crawl_delay(body, self.config.robots_agent)
        rate = parser.request_rate(self.config.robots_agent)
        if rate and rate.requests:
            delay = max(delay, rate.seconds / rate.requests)
        return _Robots(parser, delay, fetched)


# -- helpers ------------------------------------------------------------------------------------------


def crawl_delay(robots_txt: str, agent: str) -> float:
    """The Crawl-delay of the group that applies to ``agent`` (fractions allowed), else of ``*``.

    urllib.robotparser reads only whole seconds; sites write "Crawl-delay: 0.5" too.
    """
    groups: list[tuple[list[str], dict]] = []
    agents: list[str] = []
    in_rules = False
    for raw in robots_txt.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (s.strip() for s in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if in_rules or not groups:
                groups.append(([], {}))
                in_rules = False
            groups[-1][0].append(value.lower())
        elif groups:
            in_rules = True
            if key == "crawl-delay":
                try:
                    groups[-1][1]["delay"] = max(0.0, float(value))
                except ValueError:
                    pass
    agent = agent.lower()
    for names, rules in groups:
        if any(n != "*" and n in agent for n in names):
            return rules.get("delay", 0.0)
    for names, rules in groups:
        if "*" in names:
            return rules.get("delay", 0.0)
    return 0.0


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
# Labels that mean windows-1252 in practice (the WHATWG Encoding Standard maps them so).
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii",
                  "iso_8859-1", "cp819", "ibm819", "windows-1252", "cp1252", "x-cp1252"}
_SINGLE_BYTE = re.compile(r"^(cp|windows-)12\d\d$|^iso-?8859|^latin|^mac|^koi8|^ibm|^cp\d+$", re.I)


def describe(body: bytes, header_type: str | None) -> tuple[str, str | None]:
    """(content type with charset, encoding) of a response, trusting the bytes over the labels."""
    declared = (header_type or "").split(";")[0].strip().lower() or None
    kind = sniff_type(body, declared)
    if kind not in ("text/html", "application/xhtml+xml", "text/plain", "application/xml",
                    "text/xml", "application/rss+xml", "application/atom+xml"):
        return kind, None
    enc = resolve_encoding(body, header_type)
    return f"{kind}; charset={enc}", enc


def sniff_type(body: bytes, declared: str | None) -> str:
    """The media type the bytes really are: PDFs and HTML are recognised whatever the label says."""
    head = body[:1024]
    if head.lstrip().startswith(b"%PDF-") or head.find(b"%PDF-") >= 0:
        return "application/pdf"
    low = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html")) or re.search(rb"<(head|body)[\s>]", low):
        return "text/html"
    if low.startswith(b"<?xml") or low.startswith((b"<rss", b"<feed", b"<urlset", b"<sitemapindex")):
        if declared in ("application/rss+xml", "application/atom+xml", "text/xml"):
            return declared
        return "application/xml"
    if low.startswith(b"\x1f\x8b"):
        return "application/gzip"
    return declared or "application/octet-stream"


def resolve_encoding(body: bytes, header_type: str | None = None) -> str:
    """The charset ``body`` is really in: BOM, then the declarations that fit, then detection.

    A declaration is believed only if the bytes decode under it; a single-byte declaration over
    bytes that are valid multi-byte UTF-8 is taken as the usual mistake (UTF-8 labelled Latin-1).
    """
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    declared = []
    m = _HEADER_CHARSET.search(header_type or "")
    if m:
        declared.append(m.group(1))
    m = _META_CHARSET.search(body[:4096])
    if m:
        declared.append(m.group(1).decode("ascii", "ignore"))
    utf8_ok = _decodes(body, "utf-8")
    has_high = any(b >= 0x80 for b in body)
    for label in declared:
        enc = _codec(label)
        if enc is None:
            continue
        if enc != "utf-8" and _SINGLE_BYTE.search(enc) and utf8_ok and has_high:
            return "utf-8"
        if _decodes(body, enc):
            return enc
    if utf8_ok:
        return "utf-8"
    return _detect(body)


def _codec(label: str) -> str | None:
    import codecs

    label = label.strip().lower()
    if label in _LATIN1_LABELS:
        return "windows-1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "utf-8" if name in ("utf-8", "utf_8") else label


def _decodes(body: bytes, enc: str) -> bool:
    try:
        body.decode(enc)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _detect(body: bytes) -> str:
    """Undeclared, non-UTF-8 bytes: windows-1252 for Western text (what English pages use), unless a
    detector is sure of another script."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
    except Exception:  # the detector is optional; windows-1252 is the web's default for English
        best = None
    guess = best.encoding if best else None
    if guess and not _SINGLE_BYTE.search(guess.replace("_", "-")):
        return guess  # a multi-byte or other-script encoding the detector is confident of
    return "windows-1252" if _decodes(body, "windows-1252") else (guess or "windows-1252")


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _kind_of_timeout(e) -> str:
    return {"ConnectTimeout": "connect", "ReadTimeout": "read", "WriteTimeout": "write",
            "PoolTimeout": "pool"}.get(type(e).__name__, "timeout") + " timeout"


def _short(msg: str, n: int = 160) -> str:
    msg = " ".join(msg.split())
    return msg if len(msg) <= n else msg[: n - 1] + "…"

"""The polite fetcher over real HTTP on 127.0.0.1: robots.txt, delays, retries, caps, redirects, charsets."""

from __future__ import annotations

import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler

import pytest

from ics_text.collect.fetch import (FetchConfig, Fetcher, crawl_delay, describe, parse_retry_after,
                                    resolve_encoding, sniff_type)
from sites import _QuietServer

FAST = dict(delay=0.0, read_timeout=0.5, connect_timeout=2, retries=2, backoff=0.05, total_timeout=5)


class Routes:
    """A small HTTP server: ``routes[path](handler)`` answers; every request is logged with times."""

    def __init__(self, robots: str | None = "User-agent: *\nDisallow: /private/\n"):
        self.routes = {}
        self.log: list[dict] = []
        self.robots = robots
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {}
        routes = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                entry = {"path": self.path, "start": time.monotonic(), "headers": dict(self.headers)}
                routes.log.append(entry)
                with routes._lock:
                    routes.counts[self.path] = routes.counts.get(self.path, 0) + 1
                try:
                    if self.path == "/robots.txt" and routes.robots is not None and "/robots.txt" not in routes.routes:
                        self.reply(200, routes.robots.encode(), "text/plain")
                    elif self.path in routes.routes:
                        routes.routes[self.path](self, routes.counts[self.path])
                    else:
                        self.reply(404, b"not found")
                except (BrokenPipeError, ConnectionResetError):
                    pass
                entry["end"] = time.monotonic()

            def reply(self, status, body=b"", ctype="text/html; charset=utf-8", headers=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def requests(self, path):
        return [e for e in self.log if e["path"] == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Routes()
    yield s
    s.close()


def page(text="Hello") -> bytes:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body><p>{text}</p></body></html>".encode()


def ok(body=None, ctype="text/html; charset=utf-8", headers=None):
    return lambda h, n: h.reply(200, body if body is not None else page(), ctype, headers)


def test_user_agent_identifies_us_with_a_contact(server):
    server.routes["/a"] = ok()
    with Fetcher(FetchConfig(**FAST)) as f:
        assert f.get(server.url + "/a").ok
    ua = server.requests("/a")[0]["headers"]["User-Agent"]
    assert ua.startswith("ics-text/") and "+http" in ua
    with Fetcher(FetchConfig(**FAST, user_agent="my-study/1.0 (+mailto:me@example.org)")) as f:
        f.get(server.url + "/a")
    assert server.requests("/a")[1]["headers"]["User-Agent"] == "my-study/1.0 (+mailto:me@example.org)"
    assert "+https://example.org/about" in FetchConfig(contact="https://example.org/about").agent()


def test_robots_txt_is_obeyed_and_read_once(server):
    server.routes["/private/report"] = ok()
    server.routes["/public"] = ok()
    with Fetcher(FetchConfig(**FAST)) as f:
        r = f.get(server.url + "/private/report")
        assert r.outcome == "robots" and "robots.txt" in r.error
        assert f.get(server.url + "/public").ok
        assert f.get(server.url + "/public").ok
    assert not server.requests("/private/report")
    assert len(server.requests("/robots.txt")) == 1


def test_robots_group_for_our_agent_wins_over_star():
    server = Routes(robots="User-agent: *\nDisallow: /\n\nUser-agent: ics-text\nDisallow: /private/\n")
    try:
        server.routes["/open"] = ok()
        with Fetcher(FetchConfig(**FAST)) as f:
            assert f.get(server.url + "/open").ok
            assert f.get(server.url + "/private/x").outcome == "robots"
    finally:
        server.close()


def test_robots_unavailable_and_server_error():
    missing = Routes(robots=None)  # robots.txt answers 404: no rules
    broken = Routes(robots=None)
    broken.routes["/robots.txt"] = lambda h, n: h.reply(503, b"down")
    try:
        missing.routes["/a"] = ok()
        broken.routes["/a"] = ok()
        with Fetcher(FetchConfig(**FAST)) as f:
            assert f.get(missing.url + "/a").ok
            r = f.get(broken.url + "/a")
        # RFC 9309: an unreachable robots.txt means the whole site is off limits for now.
        assert r.outcome == "robots" and "unreachable" in r.error
        assert not broken.requests("/a")
    finally:
        missing.close()
        broken.close()


def test_per_host_delay_and_fractional_crawl_delay():
    server = Routes(robots="User-agent: *\nCrawl-delay: 0.3\nDisallow: /private/\n")
    try:
        for p in ("/1", "/2", "/3"):
            server.routes[p] = ok()
        with Fetcher(FetchConfig(**{**FAST, "delay": 0.1})) as f:
            for p in ("/1", "/2", "/3"):
                assert f.get(server.url + p).ok
        starts = [server.requests(p)[0]["start"] for p in ("/1", "/2", "/3")]
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        assert min(gaps) >= 0.28, gaps  # the robots.txt Crawl-delay, not our shorter 0.1 s
    finally:
        server.close()
    assert crawl_delay("User-agent: *\nCrawl-delay: 2.5\n", "ics-text") == 2.5
    assert crawl_delay("User-agent: other\nCrawl-delay: 9\n\nUser-agent: ics-text\nCrawl-delay: 1\n",
                       "ics-text") == 1.0
    assert crawl_delay("User-agent: *\nDisallow:\n", "ics-text") == 0.0


def test_one_request_at_a_time_per_host(server):
    def slow(h, n):
        time.sleep(0.15)
        h.reply(200, page())

    for i in range(4):
        server.routes[f"/s{i}"] = slow
    with Fetcher(FetchConfig(**FAST)) as f:
        threads = [threading.Thread(target=f.get, args=(server.url + f"/s{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    spans = sorted((e["start"], e["end"]) for e in server.log if e["path"].startswith("/s"))
    assert len(spans) == 4
    for (s1, e1), (s2, _) in zip(spans, spans[1:]):
        assert s2 >= e1 - 0.01, "two requests to one host overlapped"


def test_429_waits_for_retry_after(server):
    server.routes["/busy"] = lambda h, n: (h.reply(429, b"", headers={"Retry-After": "1"}) if n == 1
                                           else h.reply(200, page("done")))
    with Fetcher(FetchConfig(**FAST)) as f:
        r = f.get(server.url + "/busy")
    assert r.ok and r.attempts == 2
    first, second = server.requests("/busy")
    assert second["start"] - first["start"] >= 0.95


def test_retry_after_beyond_the_cap_gives_up(server):
    server.routes["/later"] = lambda h, n: h.reply(503, b"", headers={"Retry-After": "86400"})
    with Fetcher(FetchConfig(**{**FAST, "max_retry_after": 60})) as f:
        r = f.get(server.url + "/later")
    assert r.outcome == "failed" and "Retry-After" in r.error and r.status == 503
    assert len(server.requests("/later")) == 1


def test_500_then_200_is_retried(server):
    server.routes["/flaky"] = lambda h, n: h.reply(500, b"oops") if n == 1 else h.reply(200, page())
    with Fetcher(FetchConfig(**FAST)) as f:
        assert f.get(server.url + "/flaky").ok
    assert len(server.requests("/flaky")) == 2


def test_persistent_5xx_gives_up_with_growing_backoff(server):
    server.routes["/down"] = lambda h, n: h.reply(502, b"bad gateway")
    with Fetcher(FetchConfig(**{**FAST, "retries": 3, "backoff": 0.1})) as f:
        r = f.get(server.url + "/down")
    assert r.outcome == "failed" and "502" in r.error and "4 tries" in r.error
    starts = [e["start"] for e in server.requests("/down")]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(starts) == 4
    assert gaps[2] > gaps[0]  # exponential: 0.05-0.1 s, then 0.1-0.2, then 0.2-0.4


@pytest.mark.parametrize("status", [400, 403, 404, 410, 501])
def test_permanent_errors_are_not_retried(server, status):
    server.routes["/x"] = lambda h, n: h.reply(status, b"no")
    with Fetcher(FetchConfig(**FAST)) as f:
        r = f.get(server.url + "/x")
    assert r.outcome == "failed" and str(status) in r.error and r.status == status
    assert len(server.requests("/x")) == 1


def test_timeout_is_retried_then_reported(server):
    def slow(h, n):
        time.sleep(1.0)
        h.reply(200, page())

    server.routes["/slow"] = slow
    with Fetcher(FetchConfig(**{**FAST, "retries": 1})) as f:
        r = f.get(server.url + "/slow")
    assert r.outcome == "failed" and "timed out" in r.error
    assert len(server.requests("/slow")) == 2


def test_total_time_cap_stops_a_slow_drip(server):
    def drip(h, n):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(40):
            h.wfile.write(b"x" * 10)
            h.wfile.flush()
            time.sleep(0.05)

    server.routes["/drip"] = drip
    with Fetcher(FetchConfig(**{**FAST, "retries": 0, "total_timeout": 0.5})) as f:
        r = f.get(server.url + "/drip")
    assert r.outcome == "failed" and "too slow" in r.error


def test_truncated_body_is_reported(server):
    def truncated(h, n):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "5000")
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(b"<html><body>only part")
        h.close_connection = True

    server.routes["/cut"] = truncated
    with Fetcher(FetchConfig(**FAST)) as f:
        r = f.get(server.url + "/cut")
    assert r.outcome == "failed" and "truncated" in r.error
    assert len(server.requests("/cut")) == 3  # a reset may be transient: retried


def test_size_cap_on_content_length_and_while_streaming(server):
    big = b"<html><body>" + b"x" * 300_000 + b"</body></html>"
    server.routes["/declared"] = ok(big)

    def streamed(h, n):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"y" * 10_000)
        h.close_connection = True

    server.routes["/streamed"] = streamed
    with Fetcher(FetchConfig(**{**FAST, "max_bytes": 100_000})) as f:
        a = f.get(server.url + "/declared")
        b = f.get(server.url + "/streamed")
        server.routes["/small"] = ok()
        assert f.get(server.url + "/small").ok
    assert a.outcome == "failed" and "Content-Length" in a.error and "cap" in a.error
    assert b.outcome == "failed" and "too large" in b.error
    assert len(server.requests("/declared")) == 1 and len(server.requests("/streamed")) == 1


def test_redirects_are_followed_and_capped(server):
    server.routes["/old"] = lambda h, n: h.reply(301, headers={"Location": "/new"})
    server.routes["/new"] = ok(page("new home"))
    for i in range(10):
        server.routes[f"/hop{i}"] = (lambda i: lambda h, n: h.reply(302, headers={"Location": f"/hop{i + 1}"}))(i)
    server.routes["/loop-a"] = lambda h, n: h.reply(302, headers={"Location": "/loop-b"})
    server.routes["/loop-b"] = lambda h, n: h.reply(302, headers={"Location": server.url + "/loop-a"})
    with Fetcher(FetchConfig(**{**FAST, "max_redirects": 3})) as f:
        r = f.get(server.url + "/old")
        assert r.ok and r.final_url == server.url + "/new" and b"new home" in r.content
        assert [h.status for h in r.hops] == [301, 200]
        r = f.get(server.url + "/hop0")
        assert r.outcome == "failed" and "too many redirects" in r.error
        r = f.get(server.url + "/loop-a")
        assert r.outcome == "failed" and "redirect loop" in r.error
    assert len(server.requests("/hop3")) == 1 and not server.requests("/hop4")
    assert len(server.requests("/loop-a")) == 1


def test_redirects_to_other_hosts_or_forbidden_paths_are_not_followed(server):
    other = Routes()
    try:
        other.routes["/landing"] = ok()
        server.routes["/away"] = lambda h, n: h.reply(302, headers={"Location": other.url + "/landing"})
        server.routes["/hidden"] = lambda h, n: h.reply(302, headers={"Location": "/private/x"})
        config = FetchConfig(**FAST).with_hosts([server.url.split("//")[1]])
        with Fetcher(config) as f:
            r = f.get(server.url + "/away")
            assert r.outcome == "failed" and "not allowed" in r.error
            r = f.get(server.url + "/hidden")
            assert r.outcome == "failed" and "robots.txt" in r.error
            r = f.get(other.url + "/landing")
            assert r.outcome == "failed" and "not allowed" in r.error
        assert other.log == []
        assert not server.requests("/private/x")
    finally:
        other.close()


def test_conditional_get(server):
    def conditional(h, n):
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.send_header("Content-Length", "0")
            h.end_headers()
        else:
            h.reply(200, page(), headers={"ETag": '"v1"', "Last-Modified": "Tue, 04 Apr 2023 10:00:00 GMT"})

    server.routes["/c"] = conditional
    with Fetcher(FetchConfig(**FAST)) as f:
        first = f.get(server.url + "/c")
        again = f.get(server.url + "/c", etag=first.header("etag"), last_modified=first.header("last-modified"))
    assert first.ok and first.header("ETag") == '"v1"'
    assert again.outcome == "not_modified" and again.content == b""
    sent = server.requests("/c")[1]["headers"]
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Tue, 04 Apr 2023 10:00:00 GMT"


def test_wrong_labels_and_charsets_over_http(server):
    text = "<html><head><meta charset='utf-8'><title>t</title></head><body><p>Caf\u00e9 fund of \u00a35m for \u2018pilot\u2019 sites \u2013 agreed.</p></body></html>"
    server.routes["/mislabelled"] = ok(text.encode("cp1252"), "text/html; charset=utf-8")
    server.routes["/pdf-as-html"] = ok(b"%PDF-1.4\n%fake but sniffable\n", "text/html")
    with Fetcher(FetchConfig(**FAST)) as f:
        r = f.get(server.url + "/mislabelled")
        p = f.get(server.url + "/pdf-as-html")
    assert r.encoding == "windows-1252" and r.content_type == "text/html; charset=windows-1252"
    assert "\u00a35m for \u2018pilot\u2019" in r.content.decode(r.encoding)
    assert p.content_type == "application/pdf"


# -- pure helpers -----------------------------------------------------------------------------------------

CP1252 = "<p>Caf\u00e9 \u00a35m \u2018pilot\u2019 \u2013 done</p>".encode("cp1252")
UTF8 = "<p>Caf\u00e9 \u00a35m \u2018pilot\u2019 \u2013 done</p>".encode("utf-8")


@pytest.mark.parametrize("body,header,expected", [
    (UTF8, "text/html; charset=utf-8", "utf-8"),
    (UTF8, "text/html", "utf-8"),
    (CP1252, "text/html; charset=windows-1252", "windows-1252"),
    (CP1252, "text/html; charset=ISO-8859-1", "windows-1252"),  # Latin-1 labels mean windows-1252
    (CP1252, "text/html; charset=utf-8", "windows-1252"),  # declared UTF-8, bytes are not
    (CP1252, "text/html", "windows-1252"),  # nothing declared
    (UTF8, "text/html; charset=iso-8859-1", "utf-8"),  # UTF-8 labelled Latin-1: the usual mistake
    (b'<meta charset="windows-1252">' + CP1252, None, "windows-1252"),  # the meta tag
    (b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">' + CP1252, None, "windows-1252"),
    (b"\xef\xbb\xbf" + UTF8, "text/html; charset=windows-1252", "utf-8"),  # a BOM beats labels
    (CP1252, "text/html; charset=no-such-charset", "windows-1252"),
])
def test_resolve_encoding(body, header, expected):
    assert resolve_encoding(body, header) == expected
    assert "\u00a35m" in body.decode(expected).replace("\ufeff", "")


def test_sniffing_and_describe():
    assert sniff_type(b"%PDF-1.7 ...", "text/html") == "application/pdf"
    assert sniff_type(b"  <!DOCTYPE html><html>", "application/octet-stream") == "text/html"
    assert sniff_type(b"<?xml version='1.0'?><rss>", "application/rss+xml") == "application/rss+xml"
    assert sniff_type(b"\x89PNG\r\n", "image/png") == "image/png"
    assert describe(CP1252, "text/html") == ("text/html; charset=windows-1252", "windows-1252")
    assert describe(b"%PDF-1.4", "text/html; charset=utf-8") == ("application/pdf", None)


def test_parse_retry_after():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("-5") == 0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=90), usegmt=True)
    assert 80 <= parse_retry_after(later) <= 91

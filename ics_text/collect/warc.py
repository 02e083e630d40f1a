"""Optional web-archive copies of every response, in WARC (ISO 28500) via warcio.

The store keeps raw bytes for re-parsing; a WARC file is the standard form other tools read
(pywb, warcio, the Internet Archive's tooling). One gzipped file per crawl process, so a crawl that
is killed leaves earlier files whole and a resumed crawl writes a new one.

httpx hands over decompressed bodies, so the archived response carries the body as received after
content decoding: Content-Encoding and Transfer-Encoding are dropped and Content-Length set to match.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

from .fetch import FetchResult

_DROP = {"content-encoding", "transfer-encoding", "content-length"}


class WarcRecorder:
    def __init__(self, directory: str | Path, prefix: str = "ics-text"):
        from warcio.warcwriter import WARCWriter

        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self.path = self.directory / f"{prefix}-{stamp}.warc.gz"
        self._fh = open(self.path, "wb")
        self._writer = WARCWriter(self._fh, gzip=True)

    def record(self, result: FetchResult, user_agent: str) -> None:
        """Write a request and a response record for each hop of ``result`` (redirects included)."""
        from warcio.statusandheaders import StatusAndHeaders

        for i, hop in enumerate(result.hops):
            last = i == len(result.hops) - 1
            body = result.content if last and result.outcome == "ok" else b""
            headers = [(k, v) for k, v in hop.headers if k.lower() not in _DROP]
            headers.append(("Content-Length", str(len(body))))
            date = _warc_date(result.fetched_at)
            http = StatusAndHeaders(f"{hop.status} {_phrase(hop.status)}", headers, protocol="HTTP/1.1")
            resp = self._writer.create_warc_record(
                hop.url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict={"WARC-Date": date})
            req_http = StatusAndHeaders(f"GET {_target(hop.url)} HTTP/1.1",
                                        [("User-Agent", user_agent), ("Host", _host(hop.url))],
                                        is_http_request=True)
            req = self._writer.create_warc_record(
                hop.url, "request", payload=io.BytesIO(b""), length=0, http_headers=req_http,
                warc_headers_dict={"WARC-Date": date,
                                   "WARC-Concurrent-To": resp.rec_headers.get_header("WARC-Record-ID")})
            self._writer.write_record(resp)
            self._writer.write_record(req)
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def _warc_date(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        when = datetime.now(timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _target(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + ("?" + parts.query if parts.query else "")


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""

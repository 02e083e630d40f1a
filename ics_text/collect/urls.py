"""URL normalisation: one spelling per page, so the same page reached by different URLs is fetched once.

The same publication turns up as ``http://nhsconfed.org/news/x/?utm_source=twitter#top``,
``https://www.nhsconfed.org/news/x`` and, on a mirror host, ``https://mirror.example/news/x``.
:func:`normalize` maps every spelling to one canonical URL:

- scheme and host lower-cased, default ports dropped, ``/./`` and ``/../`` resolved;
- the hosts of a site (``www.`` or not, mirrors) mapped to its canonical origin (``host_map``);
- percent-escapes of unreserved characters decoded, others upper-cased, spaces and non-ASCII escaped;
- a site's trailing-slash convention applied (Drupal: none; WordPress: one) except on file names;
- tracking parameters (``utm_*``, ``fbclid``, ``gclid``...) dropped and the rest sorted;
- the fragment dropped.
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterable, Mapping
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say where a click came from; they never change the page.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "li_fat_id",
    "s_kwcid", "ref_src", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "wickedid",
    "ttclid", "srsltid", "cmpid", "__s",
})
TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_", "matomo_")

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_PATH_SAFE = "/%:@!$&'()*+,;="
_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def is_tracking_param(name: str, extra: Iterable[str] = ()) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES) or low in set(extra)


def normalize(url: str, base: str | None = None, *, host_map: Mapping[str, str] | None = None,
              trailing_slash: str = "keep", drop_params: Iterable[str] = ()) -> str | None:
    """The canonical spelling of ``url`` (resolved against ``base``), or None if it is not http(s).

    ``host_map`` maps a host (``"nhsconfed.org"``) or host:port (``"127.0.0.1:8001"``) to the origin
    its pages are canonically named under (``"https://www.nhsconfed.org"``); ``trailing_slash`` is
    ``"strip"``, ``"add"`` or ``"keep"``; ``drop_params`` names more query parameters to remove.
    """
    url = (url or "").strip()
    if not url:
        return None
    # Whitespace inside a copied URL is a typo, not part of the address.
    url = re.sub(r"[\t\r\n]", "", url)
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    origin = f"{scheme}://{netloc}"
    if host_map:
        origin = host_map.get(netloc) or host_map.get(host) or origin
    path = _normalize_path(parts.path, trailing_slash)
    query = _normalize_query(parts.query, drop_params)
    return origin + path + ("?" + query if query else "")


def _normalize_path(path: str, trailing_slash: str) -> str:
    path = _PCT.sub(_unescape_unreserved, path or "/")
    path = quote(path, safe=_PATH_SAFE + "".join(_UNRESERVED))
    if not path.startswith("/"):
        path = "/" + path
    had_slash = path.endswith("/")
    path = posixpath.normpath(path)
    if path.startswith("//"):  # normpath keeps a leading double slash (POSIX rule); URLs don't
        path = "/" + path.lstrip("/")
    if path == "/":
        return path
    if had_slash:
        path += "/"
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if trailing_slash == "strip":
        path = path.rstrip("/") or "/"
    elif trailing_slash == "add" and not path.endswith("/") and not _FILE_NAME.search(last):
        path += "/"
    return path


def _unescape_unreserved(m: re.Match) -> str:
    ch = chr(int(m.group(1), 16))
    return ch if ch in _UNRESERVED else "%" + m.group(1).upper()


def _normalize_query(query: str, drop_params: Iterable[str]) -> str:
    if not query:
        return ""
    extra = {p.lower() for p in drop_params}
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
             if not is_tracking_param(k, extra)]
    pairs.sort()
    return urlencode(pairs, quote_via=quote, safe="")


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (lower case, default port dropped)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS.get(scheme)) else f"{scheme}://{host}:{port}"


def netloc_of(url: str) -> str:
    """``host[:port]`` of ``url`` (lower case, default port dropped): the unit of politeness."""
    return origin_of(url).split("://", 1)[1]


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + ("?" + parts.query if parts.query else "")


def bare_host(host: str) -> str:
    """``www.example.org`` -> ``example.org`` (hosts only, no scheme)."""
    host = host.lower()
    return host[4:] if host.startswith("www.") else host

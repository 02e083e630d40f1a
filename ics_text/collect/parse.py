"""Turn bytes (a local file or a fetched response) into a Document, whatever the format.

The format is sniffed from the bytes first and the name or Content-Type second, because both lie:
a ``.html`` that is really a PDF, a PDF served as ``text/html``. Problems become a ``ParseError``
whose message is one line naming the source and what is wrong.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..records import Document

MAX_BYTES = int(os.environ.get("ICS_TEXT_MAX_BYTES", 20 * 1024 * 1024))
EXTENSIONS = {".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".txt": "text",
              ".text": "text", ".md": "text"}


class ParseError(Exception):
    """A file or response that cannot be turned into a document; ``str()`` is one line."""


def parse_file(path: str | os.PathLike, **meta) -> Document:
    """Parse a local ``.html``, ``.pdf`` or ``.txt`` file. ``meta`` overrides parsed metadata."""
    source = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise ParseError(f"{source}: is a folder, not a file")
        if size > MAX_BYTES:
            raise ParseError(f"{source}: too large ({size / 1e6:.1f} MB; the limit is "
                             f"{MAX_BYTES / 1e6:.0f} MB, set ICS_TEXT_MAX_BYTES to raise it)")
        data = p.read_bytes()
    except FileNotFoundError:
        raise ParseError(f"{source}: no such file") from None
    except PermissionError:
        raise ParseError(f"{source}: permission denied") from None
    except IsADirectoryError:
        raise ParseError(f"{source}: is a folder, not a file") from None
    return parse_bytes(data, source, **meta)


def parse_bytes(data: bytes, source: str, content_type: str | None = None, url: str | None = None,
                **meta) -> Document:
    """Parse raw bytes. ``source`` names them in messages; ``url`` resolves links and picks a profile."""
    if not data or not data.strip():
        raise ParseError(f"{source}: empty")
    if len(data) > MAX_BYTES:
        raise ParseError(f"{source}: too large ({len(data) / 1e6:.1f} MB; the limit is "
                         f"{MAX_BYTES / 1e6:.0f} MB)")
    kind = sniff(data, source, content_type)
    if kind == "pdf":
        from .pdf import parse_pdf

        doc = parse_pdf(data, source, url=url)
    elif kind == "html":
        from .html import parse_html

        doc = parse_html(decode(data, source, content_type), source, url=url)
    else:
        from .text import parse_text

        doc = parse_text(decode(data, source, content_type), source)
    if url and not doc.url:
        doc.url = url
    for key, value in meta.items():
        if value is not None:
            setattr(doc, key, value)
    if not doc.text.strip():
        raise ParseError(f"{source}: no text found")
    return doc


def sniff(data: bytes, source: str, content_type: str | None = None) -> str:
    """'pdf', 'html' or 'text', from the bytes, then the Content-Type, then the file extension."""
    head = data[:2048].lstrip().lower()
    ext = EXTENSIONS.get(Path(source.split("?")[0]).suffix.lower())
    ctype = (content_type or "").split(";")[0].strip().lower()
    if data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if ext == "pdf" or ctype == "application/pdf":
        raise ParseError(f"{source}: not a valid PDF (no %PDF header)")
    if b"\x00" in data[:8192] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(f"{source}: binary data, not text, HTML or PDF")
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or re.search(rb"<(html|body|head)[\s>]", head):
        return "html"
    if ext == "html" or "html" in ctype:
        return "html"
    return "text"


def decode(data: bytes, source: str, content_type: str | None = None) -> str:
    """Decode with the declared charset when it fits, else UTF-8, else Windows-1252.

    Declarations are often wrong (a page says UTF-8 and is Windows-1252), so a declared charset that
    fails to decode is ignored rather than trusted with replacement characters.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    declared = []
    m = re.search(r"charset=[\"']?([\w.:-]+)", content_type or "", re.I)
    if m:
        declared.append(m.group(1))
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", data[:4096], re.I)
    if m:
        declared.append(m.group(1).decode("ascii", "ignore"))
    for enc in [*declared, "utf-8", "cp1252"]:
        enc = "cp1252" if enc.lower() in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else enc
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            return text
    raise ParseError(f"{source}: undecodable bytes (neither UTF-8 nor Windows-1252 text)")


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or 0x7f <= ord(c) < 0xa0)
    return bad <= max(3, len(sample) // 200)

"""Publication dates as written on UK pages, to ISO ``YYYY-MM-DD``."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d\d)-(\d\d)"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"\.?,?\s+(\d{4})\b", re.I), ("d", "M", "y")),
    (re.compile(r"\b" + _MONTH + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I), ("M", "d", "y")),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), ("d", "m", "y")),  # UK order
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), ("d", "m", "y")),
]
# A month and a year alone ("March 2024"), as on report covers.
MONTH_YEAR = re.compile(r"^\W*" + _MONTH + r"\.?,?\s+((?:19|20)\d\d)\W*$", re.I)
# Words that make the date after them something other than the publication date.
NOT_PUBLISHED = re.compile(r"(updated|modified|revised|reviewed|edited|amended|expires?|closes?|"
                           r"closing|deadline|until|review date)\W*(on|date)?\W*$", re.I)
# Permalinks that carry the date: /2023/04/05/slug/, /2023-04-05-slug, /20230405/.
URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/-]|$)"
                      r"|/((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=/|$)")


def find_date(text: str | None) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD``, or None."""
    found = _dates(text)
    return found[0][1] if found else None


def published_date(text: str | None) -> str | None:
    """The first date in ``text`` that is not marked as an update, review or deadline date.

    "Published 5 April 2023 Last updated 6 May 2023" gives 2023-04-05, "Last updated 6 May 2023"
    alone gives None.
    """
    for start, iso in _dates(text):
        if not NOT_PUBLISHED.search(text[max(0, start - 30):start]):
            return iso
    return None


def month_year(text: str | None) -> str | None:
    """A line that is only a month and a year ("March 2024") as the first day of that month."""
    m = MONTH_YEAR.match((text or "").strip())
    if not m:
        return None
    return date(int(m.group(2)), MONTHS[m.group(1).lower().rstrip(".")], 1).isoformat()


def month_in(text: str | None) -> str | None:
    """A month and year anywhere in ``text`` ("..., September 2020") as the first of that month."""
    m = re.search(r"\b" + _MONTH + r"\.?,?\s+((?:19|20)\d\d)\b", text or "", re.I)
    if not m:
        return None
    return date(int(m.group(2)), MONTHS[m.group(1).lower().rstrip(".")], 1).isoformat()


def date_from_url(url: str | None) -> str | None:
    """The date in a permalink's path, when the site puts one there."""
    if not url:
        return None
    m = URL_DATE.search(urlsplit(url).path)
    if not m:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    try:
        return date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


def _dates(text: str | None) -> list[tuple[int, str]]:
    """Every date in ``text`` as (offset, ISO date), in order of appearance."""
    if not text:
        return []
    found = []
    taken: list[tuple[int, int]] = []
    for pattern, order in PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            parts = dict(zip(order, m.groups()))
            try:
                month = MONTHS[parts["M"].lower().rstrip(".")] if "M" in parts else int(parts["m"])
                iso = date(int(parts["y"]), month, int(parts["d"])).isoformat()
            except (ValueError, KeyError):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), iso))
    # Patterns are tried in a fixed order; "first date" means first in the text, except that an
    # ISO date (the machine-readable form) wins as before.
    iso_first = [f for f in found if re.match(r"\d{4}-\d\d-\d\d", text[f[0]:f[0] + 10])]
    rest = sorted(f for f in found if f not in iso_first)
    return iso_first + rest

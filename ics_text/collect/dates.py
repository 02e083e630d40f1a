"""Publication dates as written on UK pages, to ISO ``YYYY-MM-DD``."""

from __future__ import annotations

import re
from datetime import date

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


def find_date(text: str | None) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD``, or None."""
    if not text:
        return None
    for pattern, order in PATTERNS:
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups()))
            try:
                month = MONTHS[parts["M"].lower().rstrip(".")] if "M" in parts else int(parts["m"])
                return date(int(parts["y"]), month, int(parts["d"])).isoformat()
            except (ValueError, KeyError):
                continue
    return None

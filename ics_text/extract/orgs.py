"""Organisation names: resolve what a text writes ("the LGA's", "NHS Confed") to one canonical name.

The alias table is data (``models/orgs.yaml``: canonical name -> aliases). ``canonical_org`` is
the one call most code needs; ``OrgResolver`` holds a table (the quotes component keeps its own
copy so that a saved pipeline carries it) and also finds known names inside longer text.
Unknown organisations keep their name as written, cleaned of a leading "the" and a possessive.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..paths import models_dir

ORGS_FILE = "orgs.yaml"

# Typographic variants folded before matching: apostrophes, dashes, non-breaking spaces.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2011": "-", "\u2013": "-",
                       "\u00a0": " "})
_LEADING_THE = re.compile(r"^the\s+", re.I)
_POSSESSIVE = re.compile(r"(?:'s|')$", re.I)
_EDGE_PUNCT = " \t\n,.;:!?\"'()[]{}\u201c\u201d\u2018\u2019"
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def clean_org(text: str | None) -> str | None:
    """The name as written, without surrounding punctuation, a leading "the" or a possessive."""
    if not text:
        return None
    s = _SPACES.sub(" ", _fold(text)).strip(_EDGE_PUNCT.replace("'", ""))
    s = _POSSESSIVE.sub("", s).strip(_EDGE_PUNCT)
    s = _LEADING_THE.sub("", s).strip(_EDGE_PUNCT)
    return None if not s or s.lower() == "the" else s


def org_key(text: str) -> str:
    """Lookup key: cleaned, lower case, "&" read as "and"."""
    s = clean_org(text) or ""
    return _SPACES.sub(" ", s.replace("&", " and ")).strip().lower()


def load_aliases(path: str | Path | None = None) -> dict[str, dict[str, list[str]]]:
    """Read the table (default: models/orgs.yaml) as {canonical: {"aliases": [...], "parts": [...]}}.

    In the file an entry is either a list of aliases or a mapping with ``aliases`` and ``parts``
    (boards, networks and committees that belong to the organisation: "Mental Health Network" is
    part of the NHS Confederation).
    """
    import yaml

    p = Path(path) if path else models_dir() / ORGS_FILE
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{p}: expected a mapping of canonical name -> list of aliases")
    return normalise_table(data)


def normalise_table(data: dict) -> dict[str, dict[str, list[str]]]:
    """Either entry form -> {canonical: {"aliases": [...], "parts": [...]}}."""
    out = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out[str(k)] = {"aliases": [str(a) for a in (v.get("aliases") or [])],
                           "parts": [str(a) for a in (v.get("parts") or [])]}
        else:
            out[str(k)] = {"aliases": [str(a) for a in (v or [])], "parts": []}
    return out


class OrgResolver:
    """Canonical names from an alias table, and a finder for known names inside text."""

    def __init__(self, table: dict):
        self.table = normalise_table(table)
        self._by_key: dict[str, str] = {}
        self._parts: set[str] = set()
        forms: set[str] = set()
        for canonical, entry in self.table.items():
            for name in [canonical, *entry["aliases"], *entry["parts"]]:
                key = org_key(name)
                if key:
                    self._by_key.setdefault(key, canonical)
                    forms.add(clean_org(name) or "")
            for name in entry["parts"]:
                self._parts.add(org_key(name))
        forms.discard("")
        self._finder = self._compile(forms)

    @staticmethod
    def _compile(forms: set[str]) -> re.Pattern | None:
        # Abbreviations (mostly capitals: "LGA", "DfE", "NHSE/I") match case-sensitively so that
        # ordinary words ("ons", "ics") do not; longer names match in any case. Longest first so
        # "NHS England and NHS Improvement" wins over "NHS England".
        parts = []
        for f in sorted(forms, key=len, reverse=True):
            body = re.escape(_fold(f)).replace(r"\ ", r"\s+").replace("'", "['\u2019]")
            body = body.replace(r"\s+and\s+", r"\s+(?:and|&)\s+").replace(r"\s+\&\s+", r"\s+(?:and|&)\s+")
            caps = sum(c.isupper() for c in f)
            if caps >= 2 and caps * 2 >= len(f.replace(" ", "")) or len(f) <= 4:
                parts.append(body)
            else:
                parts.append(f"(?i:{body})")
        if not parts:
            return None
        return re.compile(r"(?<![\w&/-])(?:the\s+|The\s+)?(?:" + "|".join(parts) + r")(?:['\u2019]s?)?(?![\w&/-])")

    def known(self, text: str | None) -> str | None:
        """The canonical name when ``text`` is a known alias (or a known part of one), else None."""
        if not text:
            return None
        return self._by_key.get(org_key(text))

    def is_part(self, text: str | None) -> bool:
        """Whether ``text`` names a board or network inside a known organisation."""
        return bool(text) and org_key(text) in self._parts

    def canonical(self, text: str | None) -> str | None:
        """Canonical name for a known organisation, else the name cleaned; None for empty text."""
        return self.known(text) or clean_org(text)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Known organisations named in ``text``: (start, end, canonical), in order.

        A match that is only the start of a longer name ("Confederation of British Industry")
        is skipped.
        """
        if not text or self._finder is None:
            return []
        out = []
        for m in self._finder.finditer(text):
            tail = text[m.end():m.end() + 40]
            if re.match(r"\s+(?:of|for)\s+(?:the\s+)?[A-Z]", tail) and not re.search(r"['\u2019]s?$", m.group()):
                continue
            canonical = self.known(m.group())
            if canonical:
                out.append((m.start(), m.end(), canonical))
        return out


@lru_cache(maxsize=1)
def default_resolver() -> OrgResolver:
    """The resolver over models/orgs.yaml (read once)."""
    return OrgResolver(load_aliases())


def canonical_org(text: str | None) -> str | None:
    """Canonical organisation name: "the LGA's" -> "Local Government Association".

    Unknown organisations keep their name as written, cleaned ("the Trust Leaders Forum's" ->
    "Trust Leaders Forum"). None for empty input.
    """
    return default_resolver().canonical(text)


def find_orgs(text: str) -> list[tuple[int, int, str]]:
    """Known organisations named inside ``text``: (start, end, canonical name)."""
    return default_resolver().find(text)

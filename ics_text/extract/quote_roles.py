"""The role and the organisation in a speaker phrase ("chair of the LGA's Community Wellbeing Board").

:class:`RoleReader` splits the role chunks of a speaker phrase into a role as written and the
organisation it names, canonical where the alias table (:mod:`.orgs`) knows it, and resolves a
short name ("the Alliance", "the network") to the full name the document used before. It needs
only the text and the alias resolver, not the parse or the speakers met so far, which is why it
stands apart from the speaker-phrase reader that calls it.
"""

from __future__ import annotations

import bisect
import re

from .orgs import OrgResolver, clean_org
from .quote_words import ORG_HEADS, RELATIVE_FIRST, ROLE_WORDS, first_word, possessive

_POSITION_WORDS = frozenset((
    "chair chairman chairwoman chairperson chief executive director leader president secretary "
    "minister officer head spokesperson spokesman spokeswoman member manager deputy vice mayor "
    "councillor cabinet portfolio founder partner professor adviser advisor commissioner lead "
    "co-chair ceo").split())
_ORG_LEAD_DROP = frozenset((
    "The A An Today However Meanwhile But And In On At For As With Also Its Their Our Both Each "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Yesterday Last This Next").split())
_PLACE_WORDS = frozenset((
    "North South East West North-East North-West South-East South-West Midlands Northern Southern "
    "Eastern Western Central Greater Inner Outer Upper Lower England Scotland Wales Ireland Britain UK "
    "London Yorkshire Humber Country Region Regions").split())
_PREPOSITIONS = frozenset("of at for from with in on to by across within".split())
_RELATIVE_CLAUSE = re.compile(r",?\s+\b(?:who|which|whose)\b")
_ROLE_DETERMINER = re.compile(r"^(?:(?:a|an|the|one|its|our|their|his|her)\s+)+(?!of\b)(?=\S)", re.I)
_OBJECT_END = re.compile(r"\s+and\s+(?:the|a|an|is|was|its|their)\b|,|\s+and\s+(?=(?:\S+\s+){0,3}?"
                         r"(?:[Ss]pokes|[Cc]hair|[Ll]eader|[Dd]irector|[Mm]ember|[Hh]ead|[Cc]hief|"
                         r"[Pp]resident|[Cc]abinet|[Dd]eputy|[Vv]ice))")
_WHO_IS = re.compile(r"^(?:who|which)\s+(?:is|was|has\s+been)\s+", re.I)
_LEADING_OWNER = re.compile(r"^((?:[A-Z][\w&.-]*\s+){0,5}[A-Z][\w&.-]*|[a-z][\w-]*)['’]s?\s+(.+)$")
_INNER_OWNER = re.compile(r"\b(the\s+)?((?:[A-Z][\w&.-]*\s+){0,5}[A-Z][\w&.-]*|network|association|"
                          r"confederation|alliance|institute|council|forum|board)['’]s?\s+")
_ROLE_PREP = re.compile(r"\s+(?:of|at|for|from|with|in)\s+((?:the|a|an)\s+)?(?=\S)")
# Heads that name a remit inside a role ("chair of the health board" is a role, not the employer).
_REMIT_HEADS = frozenset({"Care", "Executive", "Team", "Service", "Services", "Board", "Panel", "Group",
                          "Committee", "Unit", "Office"})
_REMIT_WORDS = frozenset((
    "health social care adult adults children children's young people public wellbeing finance "
    "resources policy strategy housing education transport planning environment economy economic "
    "growth communities community neighbourhoods services service nursing medicine medical clinical "
    "primary secondary mental learning disabilities disability send workforce digital data people "
    "culture leisure safety resilience inclusion equality diversity integration commissioning "
    "operations performance improvement quality research innovation development partnerships "
    "engagement communications governance legal audit procurement estates sustainability climate "
    "prevention population safeguarding schools skills employment regeneration transformation").split())

_ORG_PHRASE = re.compile(
    r"(?:(?:[A-Z][\w'’&.-]*|of|for|and|the|on)\s+){0,6}?"
    r"(?:[A-Z][\w'’&.-]*\s+)*(?:" + "|".join(sorted(ORG_HEADS - {"Care", "Team", "Executive"}))
    + r")\b(?:\s+(?:of|for|on|in)\s+(?:the\s+)?[A-Z][\w&-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w&-]*){0,5})?")


class RoleReader:
    """Roles and organisations in the text of one document."""

    def __init__(self, text: str, orgs: OrgResolver):
        self.text = text
        self.orgs = orgs
        self._org_index: dict[str, list[tuple[int, str]]] | None = None

    def org_index(self) -> dict[str, list[tuple[int, str]]]:
        """Head word -> [(position, full name)] of multi-word organisation names in the document."""
        if self._org_index is None:
            idx: dict[str, list[tuple[int, str]]] = {}
            for m in _ORG_PHRASE.finditer(self.text):
                name = clean_org(m.group())
                words = name.split() if name else []
                while words and (words[0][0].islower() or words[0] in _ORG_LEAD_DROP
                                 or words[0].lower() in _POSITION_WORDS):
                    words.pop(0)
                if len(words) < 2:
                    continue
                name = " ".join(words)
                for w in words:
                    if w in ORG_HEADS:
                        idx.setdefault(w, []).append((m.start(), name))
            self._org_index = idx
        return self._org_index

    def org_of_phrase(self, phrase: str, pos: int) -> str | None:
        """The canonical organisation a whole phrase names ("the LGA", "the Alliance"), else None."""
        known, cleaned = self._known_or_cleaned(phrase)
        if known or not cleaned:
            return known
        words = cleaned.split()
        if len(words) == 1 and words[0] in ORG_HEADS:
            return self.resolve_short(words[0], pos) or None
        if words[-1] in ORG_HEADS and all(w[0].isupper() or w in ("of", "for", "and", "the", "&", "on")
                                          for w in words):
            return cleaned
        return None

    def _known_or_cleaned(self, phrase: str) -> tuple[str | None, str | None]:
        """(canonical name if the alias table knows the phrase, else None; the phrase cleaned)."""
        known = self.orgs.known(phrase)
        return (known, None) if known else (None, clean_org(phrase))

    def resolve_short(self, head: str, pos: int) -> str | None:
        """'the Alliance' -> the full name with that head word used earlier in the document."""
        cands = self.org_index().get(head)
        if not cands:
            return None
        k = bisect.bisect_right(cands, (pos, "\uffff")) - 1
        name = cands[k][1] if k >= 0 else cands[0][1]
        return self.orgs.canonical(name)

    def resolve_org(self, phrase: str, pos: int) -> str | None:
        """Canonical name for an organisation phrase found in a role."""
        known, cleaned = self._known_or_cleaned(phrase)
        if known or not cleaned:
            return known
        if len(cleaned.split()) == 1 and cleaned in ORG_HEADS:
            return self.resolve_short(cleaned, pos) or cleaned
        return cleaned

    def split_role(self, parts: list[tuple[int, int]]) -> tuple[str | None, str | None]:
        """The role and the organisation it names (canonical), from the role chunks of a subject.

        "the LGA's chair" -> ("chair", LGA); "Chair of the LGA's Community Wellbeing Board" ->
        ("Chair of the Community Wellbeing Board", LGA); "chief executive of the Trust Leaders
        Forum" -> ("chief executive", "Trust Leaders Forum"); "the network's finance spokesperson"
        -> ("finance spokesperson", the document's "... Network").
        """
        text = self.text
        roles, org = [], None
        for x, y in parts:
            s = " ".join(text[x:y].split()).strip(" ,.;:")
            s = _WHO_IS.sub("", s)  # "who is the LGA's resources spokesperson"
            if not s or first_word(s) in RELATIVE_FIRST:
                continue  # "who secured the debate": a description of the occasion, not a role
            s = _RELATIVE_CLAUSE.split(s, 1)[0].strip(" ,")
            words = s.split()
            if org is None and all(w[0].isupper() or w in ("of", "for", "and", "the", "&", "on") for w in words) \
                    and not any(w.lower().strip(",") in _POSITION_WORDS or possessive(w) for w in words) \
                    and self.org_like(s):
                org = self.owner_org(s, x) or self.orgs.canonical(s)  # "..., Wealdshire County Council"
                continue
            r, o = self._split_one(s, x)
            if o and org is None:
                org = o
            if r:
                roles.append(r)
        role = ", ".join(roles) if roles else None
        return role, org

    def _split_one(self, s: str, pos: int) -> tuple[str | None, str | None]:
        if re.match(r"(?:its|their)\s", s, re.I):
            # "Its president, Beverley Ortiz": the organisation named just before
            r, o = self._split_one(s.split(None, 1)[1], pos)
            return r, o or self.recent_org(pos)
        s = _ROLE_DETERMINER.sub("", s)
        m = re.match(r"(?:of|at|from)\s+(.+)$", s)
        if m and self.org_phrase(m.group(1)):
            return None, self.owner_org(m.group(1), pos)  # "Jane Doe, of the University of Leeds,"
        # "LGA's chair", "the network's spokesperson for health", "the team's clinical lead"
        m = _LEADING_OWNER.match(s)
        if m:
            return _ROLE_DETERMINER.sub("", m.group(2)) or None, self.owner_org(m.group(1), pos)
        # "Chair of the LGA's Community Wellbeing Board": drop the owner, keep the rest as written
        for m in _INNER_OWNER.finditer(s):
            org = self.owner_org(m.group(2), pos)
            if org:
                return (s[:m.start()] + (m.group(1) or "") + s[m.end():]).strip() or None, org
        # "chief executive of the Trust Leaders Forum", "partner at Pennant Lowe", "cabinet member
        # for health at the council", "director of the ICS Network at the NHS Confederation": the
        # last preposition whose object is a known organisation, else the first whose object is one
        preps = []
        for m in _ROLE_PREP.finditer(s):
            obj = _OBJECT_END.split(s[m.end():], 1)[0]
            indefinite = m.group(1) is not None and m.group(1).lower().startswith("a")
            preps.append((m, obj, indefinite))
        chosen = next((p for p in reversed(preps) if not p[2] and self.orgs.known(p[1])), None)
        if chosen is None:
            chosen = next((p for p in preps if self.org_phrase(p[1])), None)
        if chosen is not None:
            m, obj, indefinite = chosen
            if self.orgs.is_part(obj):
                # "chief executive of the Mental Health Network": the network is part of the role
                return s[:m.end() + len(obj)].strip(" ,"), self.orgs.known(obj)
            role = s[:m.start()].strip(" ,") or None
            return role, (None if indefinite else self.owner_org(obj, pos))
        # "LGA chair", "NHS Confederation chief executive"
        found = self.orgs.find(s)
        if found and found[0][0] == 0:
            x, y, canon = found[0]
            return s[y:].strip(" ,") or None, canon
        m = re.match(r"((?:[A-Z][\w&.-]*\s+){1,6})(?=[a-z])", s)
        if m and self.org_like(m.group(1).strip()):
            return s[m.end():].strip() or None, self.resolve_org(m.group(1).strip(), pos)
        if found:
            return s, found[0][2]
        return s, None

    def recent_org(self, pos: int) -> str | None:
        """The last organisation named in the few sentences before ``pos``."""
        a = max(0, pos - 400)
        window = self.text[a:pos]
        best = None
        known = self.orgs.find(window)
        for x, _, canon in known:
            best = (x, canon)
        for m in _ORG_PHRASE.finditer(window):
            if any(x <= m.end() and m.start() <= y for x, y, _ in known):
                continue
            name = clean_org(m.group())
            words = name.split() if name else []
            while words and (words[0][0].islower() or words[0] in _ORG_LEAD_DROP):
                words.pop(0)
            if len(words) >= 2 and (best is None or m.start() > best[0]):
                best = (m.start(), self.orgs.canonical(" ".join(words)))
        return best[1] if best else None

    def owner_org(self, phrase: str, pos: int) -> str | None:
        """The organisation a possessor or object names: "the LGA", "the network", "Pennant Lowe"."""
        p = clean_org(phrase) or ""
        p = re.sub(r"^(?:[a-z][\w-]*\s+)+(?=[A-Z])", "", p)  # "independent Commission on ..."
        if not p:
            return None
        known = self.orgs.known(p)
        if known:
            return known
        words = p.split()
        if len(words) == 1 and words[0].capitalize() in ORG_HEADS:
            return self.resolve_short(words[0].capitalize(), pos)  # "the network", "the Alliance"
        if words[0][0].isupper() and self.org_phrase(p):
            return self.orgs.canonical(p)
        return None

    def org_phrase(self, phrase: str) -> bool:
        """Whether a role's object names an organisation rather than a remit ("for adult social care")."""
        p = re.sub(r"^(?:(?:the|a|an)\s+)", "", phrase.strip(" ,"), flags=re.I)
        if not p:
            return False
        if self.orgs.known(p):
            return True
        words = p.split()
        if words[0][0].islower():
            # "the council", "a county council in the Midlands", "the network"
            for i, w in enumerate(words[:4]):
                if w.lower() in _PREPOSITIONS:
                    return False  # "health at the council": the organisation is further on
                if w.capitalize() in ORG_HEADS:
                    return w.capitalize() not in _REMIT_HEADS
            return False
        caps = [w for w in words if w[0].isupper()]
        if any(w in ORG_HEADS for w in caps):
            return True
        # a proper name ("Ashcombe Analytics") rather than a capitalised remit ("Public Health")
        # or a place ("in Kent", "in the North West")
        if len(caps) < 2 and not (len(p) > 1 and p.isupper()) or all(w in _PLACE_WORDS for w in caps):
            return False
        return any(w.lower().strip("'’s") not in ROLE_WORDS and w.lower() not in _REMIT_WORDS for w in caps) \
            and not any(w.lower() in _REMIT_WORDS for w in words[:1])

    def org_like(self, phrase: str) -> bool:
        """Whether a capitalised phrase names an organisation (known, or ends in an org word)."""
        p = clean_org(phrase) or ""
        if not p:
            return False
        if self.orgs.known(p):
            return True
        words = p.split()
        return any(w in ORG_HEADS for w in words)

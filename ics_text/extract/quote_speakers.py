"""Speaker phrases: who a stretch of text names as the speaker (the base of the per-document work).

``parse_subject`` reads the subject of a reporting verb, or a label after a quote, as a name
(honorifics and post-nominals dropped) with its appositive role and organisation, a pronoun, an
organisation ("the LGA") or a description ("one ICB chair"). The NER's PERSON spans help where
present. :class:`SpeakerReader` also holds what the document pass remembers of the speakers met
so far, because a lone surname or "another" is read against them. Roles and organisations are
left to :mod:`.quote_roles`; finding the phrase that names the speaker to :mod:`.quote_attribution`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .quote_roles import RoleReader
from .quote_words import ORG_HEADS, RELATIVE_FIRST, ROLE_WORDS, WORD, first_word, possessive

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .quotes import QuoteExtractor

HONORIFICS = ("Cllr", "Councillor", "Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Professor", "Prof",
              "Lord", "Lady", "Baroness", "Baron", "Sir", "Dame", "Rt Hon", "Right Honourable",
              "Rev", "Revd", "Reverend")
HON_RE = re.compile(r"(?<![\w-])(?:(?:the\s+)?(?:" + "|".join(h.replace(" ", r"\.?\s+") for h in HONORIFICS)
                     + r")\.?\s+)+", re.I)
_POSTNOMINALS = frozenset("MP MBE OBE CBE DBE KBE JP QC KC FRCP FRCS PhD MSP MLA FRS FMedSci".split())
_PARTICLES = frozenset("de da di del della van von der den le la bin al el ap".split())
_PRONOUNS = {"he": "he", "she": "she", "they": "they", "it": "it", "we": "we", "i": "i"}
_PERSON_PRONOUNS = frozenset({"he", "she", "they"})

_NOT_NAME = frozenset(w.capitalize() for w in ROLE_WORDS) | ORG_HEADS | frozenset((
    "The A An NHS UK England Scotland Wales Ireland British English Government Health Social "
    "Local National County District City Borough Metropolitan Royal HM Her His Our Their Its "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Responding Commenting "
    "Speaking However Meanwhile Also But And In On At For Of As With Lord Sir Dame North South East "
    "West Midlands Northern Southern Eastern Western Central Greater Inner Outer Upper Lower Rural "
    "Urban London").split())

# A chunk that starts with one of these is an adverbial ("Responding to the report, ...").
_ADVERBIAL_FIRST = frozenset((
    "in on at for after before during following ahead under with despite given since because "
    "although though while when as if once until by from to into over about across through "
    "however meanwhile today yesterday tomorrow also but and so yet separately elsewhere earlier "
    "later now then previously recently finally similarly likewise instead indeed moreover "
    "overall nationally locally last this next responding commenting speaking writing asked "
    "reacting welcoming launching introducing explaining adding interviewed talking according "
    "addressing presenting announcing unveiling opening closing giving asked interviewed quizzed "
    "pressed").split())
_LEAD_WORDS = re.compile(
    r"(?i:(?:but|and|however|also|so|yet|meanwhile|now|then|today|yesterday|separately|previously|"
    r"recently|later|earlier|finally|indeed|moreover|similarly|likewise|instead|still|again|"
    r"furthermore|additionally|crucially|importantly|overall|elsewhere|here|there|as)\b,?\s+|"
    r"(?:last|this|next|earlier\s+this|later\s+this|early\s+this|late\s+last)\s+(?:week|month|year|"
    r"spring|summer|autumn|winter|weekend|morning|afternoon|evening|time)\b,?\s+|"
    r"(?:on|last|this)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b,?\s+)")
_AFTER_PREPOSITION = re.compile(r"\b(?:in|of|at|from|for|to|with|by|on|across|the|a|an)\s+$")
# Kinds of body rather than one organisation: not a speaker's organisation.
GENERIC_ORGS = frozenset({"Integrated Care Boards", "Integrated Care Systems"})
_TRAILING_SUBJECT_WORDS = frozenset((
    "also has have had was is were are will would then later further previously recently today "
    "yesterday separately however meanwhile again once earlier now too both all herself himself "
    "themselves itself simply just only has").split())
_DESCRIPTION_LOWER = frozenset((
    "one a an another some many several the most few other two three four five six seven eight "
    "nine ten half more each every any no all both our their its this that these those").split())


@dataclass
class Speaker:
    """Who a speaker phrase names: a person with role and organisation, a pronoun, a body, a description."""

    name: str | None
    role: str | None = None
    org: str | None = None
    kind: str = "name"  # name | pronoun | description | org


class SpeakerReader:
    """Speaker phrases in one Doc, and the speakers met so far (the document pass records them)."""

    def __init__(self, doc: Doc, comp: QuoteExtractor):
        self.doc = doc
        self.text = doc.text
        self.comp = comp
        self.orgs = comp.orgs
        self.roles = RoleReader(self.text, self.orgs)
        self._persons: list[tuple[int, int]] | None = None
        self.speakers: list[Speaker] = []  # named speakers, in order of appearance
        self.last: Speaker | None = None

    # -- PERSON entities (listed on first use: most paragraphs have no quotes) --
    def persons_in(self, a: int, b: int) -> list[tuple[int, int]]:
        if self._persons is None:
            self._persons = [(e.start_char, e.end_char) for e in self.doc.ents if e.label_ == "PERSON"]
        out = []
        k = bisect.bisect_left(self._persons, (a, -1))
        # an entity may start a little before the chunk (e.g. "Cllr" tagged in)
        if k > 0 and self._persons[k - 1][1] > a:
            k -= 1
        while k < len(self._persons) and self._persons[k][0] < b:
            out.append(self._persons[k])
            k += 1
        return out

    # -- speaker phrases --
    def parse_subject(self, a: int, b: int) -> Speaker | None:
        """Read text[a:b] as a speaker phrase: [adverbials,] name [, role,] | pronoun | description."""
        text = self.text
        chunks = self.chunks(a, b)
        if not chunks:
            return None
        # trailing "also", "has" ... belong to the verb
        ca, cb = chunks[-1]
        words = list(WORD.finditer(text, ca, cb))
        while words and words[-1].group().lower() in _TRAILING_SUBJECT_WORDS:
            cb = words[-1].start()
            words.pop()
        while cb > ca and text[cb - 1].isspace():
            cb -= 1
        chunks[-1] = (ca, cb)
        chunks = [self.strip_lead(x, y) for x, y in chunks]
        chunks = [(x, y) for x, y in chunks if text[x:y].strip()]
        kept = []
        for x, y in chunks:
            first = first_word(text[x:y])
            if kept and first in RELATIVE_FIRST:
                kept.append((x, y))  # a relative clause after the subject: part of a role
                continue
            if first in _ADVERBIAL_FIRST or (first.endswith("ing") and len(chunks) > 1 and first not in ("king",)):
                if kept:
                    kept.append((x, y))  # "..., speaking at ..., said": keep position, drop later
                continue
            kept.append((x, y))
        if not kept:
            # only adverbials: a name may still be inside ("In a statement Cllr Doe said")
            for x, y in chunks:
                name = self.find_name(x, y)
                if name is not None:
                    return Speaker(name[2], None, None, "name")
            return None
        total_words = sum(len(text[x:y].split()) for x, y in kept)
        if total_words > self.comp.max_subject_words:
            return None
        # a pronoun
        for x, y in kept:
            s = text[x:y].strip().lower()
            if s in _PRONOUNS:
                return Speaker(None, kind="pronoun") if s in _PERSON_PRONOUNS else \
                    Speaker(s, kind="pronoun")
        # a named person
        for n, (x, y) in enumerate(kept):
            name = self.find_name(x, y)
            if name is None:
                continue
            na, nb, full = name
            roles = []
            if n > 0:
                prev = kept[n - 1]
                if first_word(text[prev[0]:prev[1]]) not in _ADVERBIAL_FIRST:
                    roles.append(prev)
            # "LGA chair Cllr Jo Hart": what comes before the name and its honorifics is a role
            head_end = na
            for h in HON_RE.finditer(text, x, na):
                if h.end() == na:
                    head_end = h.start()
            if text[x:head_end].strip():
                roles.append((x, head_end))
            tail = text[nb:y].strip(" ,")
            if tail:
                roles.append((nb, y))
            for z in kept[n + 1:]:
                first = first_word(text[z[0]:z[1]])
                if first in _ADVERBIAL_FIRST and first not in ("for", "at", "of"):
                    break
                roles.append(z)
            role, org = self.roles.split_role(roles)
            return Speaker(full, role, org, "name")
        # an organisation speaking ("the LGA said")
        x, y = kept[0]
        org = self.roles.org_of_phrase(text[x:y].strip(), x)
        if org is not None:
            return Speaker(org, None, org, "org")
        # a description: "one ICB chair", "a spokesperson for the LGA", "leaders"
        desc = None
        for x, y in kept:
            if first_word(text[x:y]) not in RELATIVE_FIRST:
                desc = (x, y)
                break
        if desc is None:
            return None
        s = " ".join(text[desc[0]:desc[1]].split()).strip(" ,.;:")
        if not s or len(s.split()) > 10 or not any(ch.isalpha() for ch in s):
            return None
        if _looks_like_clause(s):
            return None
        if s.lower() in ("another", "others", "other", "some", "one"):
            # "Another said ...": another of the people last quoted ("one respondent")
            head = self.last.name.split(None, 1) if self.last is not None and self.last.kind == "description" \
                and self.last.name else []
            if len(head) == 2 and head[0].lower() in ("one", "a", "an", "another"):
                return Speaker(f"{s.lower()} {head[1]}", None, self.last.org, "description")
            return Speaker(s.lower(), None, None, "description")
        if all(w.lower() in _DESCRIPTION_LOWER for w in s.split()):
            return None  # "the", "one": no description at all
        first = s.split()[0]
        if first.lower() in _DESCRIPTION_LOWER and first[0].isupper():
            s = first.lower() + s[len(first):]
        org = next((c for _, _, c in self.orgs.find(s) if c not in GENERIC_ORGS), None)
        # "One respondent, a director of nursing, wrote": the appositive is the role
        n = kept.index(desc)
        role = None
        if n + 1 < len(kept) and first_word(text[kept[n + 1][0]:kept[n + 1][1]]) not in _ADVERBIAL_FIRST:
            role, org2 = self.roles.split_role([kept[n + 1]])
            org = org or org2
        return Speaker(s, role, org, "description")

    def strip_lead(self, x: int, y: int) -> tuple[int, int]:
        """Drop leading connectives and time phrases: "But he", "Last month one manager"."""
        while True:
            m = _LEAD_WORDS.match(self.text, x, y)
            if not m or m.end() >= y:
                return x, y
            x = m.end()

    def chunks(self, a: int, b: int) -> list[tuple[int, int]]:
        """Comma-separated parts of text[a:b], keeping commas inside known organisation names."""
        text = self.text
        protected = [(a + x, a + y) for x, y, _ in self.orgs.find(text[a:b])]
        out, start = [], a
        depth = 0
        for i in range(a, b):
            c = text[i]
            if c in "([":
                if depth == 0:
                    out.append((start, i))  # a parenthesis ("(Con)", "(pictured)") is left out
                depth += 1
            elif c in ")]":
                depth = max(0, depth - 1)
                if depth == 0:
                    start = i + 1
            elif c in ",;\u2013\u2014" and depth == 0 and not any(x <= i < y for x, y in protected):
                if c in "\u2013\u2014" and not (i > a and text[i - 1].isspace()):
                    continue
                out.append((start, i))
                start = i + 1
        out.append((start, b))
        res = []
        for x, y in out:
            while x < y and (text[x].isspace() or text[x] in ",:;\"'"):
                x += 1
            while y > x and (text[y - 1].isspace() or text[y - 1] in ",:;."):
                y -= 1
            if y > x:
                res.append((x, y))
        return res

    def find_name(self, a: int, b: int) -> tuple[int, int, str] | None:
        """A person's name in text[a:b]: (start, end, name without honorifics or post-nominals)."""
        text = self.text
        seg = text[a:b]
        # 1. after an honorific: "Cllr Dr Amrit Patel", "Mr Oduya"
        for m in HON_RE.finditer(seg):
            if m.end() >= len(seg) or not seg[m.end()].isupper():
                continue
            run = _name_run(seg, m.end())
            if run:
                x, y = run
                return a + x, a + y, seg[x:y]
        # 2. a PERSON entity
        for ea, eb in self.persons_in(a, b):
            ea, eb = max(ea, a), min(eb, b)
            sub = text[ea:eb]
            h = HON_RE.match(sub)
            off = h.end() if h else 0
            run = _name_run(text[ea:eb], off, allow_single=False)
            if run:
                x, y = run
                return ea + x, ea + y, text[ea + x:ea + y]
        # 3. the shape of a name: capitalised words that are not a role or an organisation
        best = None
        for m in re.finditer(r"[A-Z][^\s,;:()]*(?:\s+(?:[A-Z][^\s,;:()]*|(?:" + "|".join(_PARTICLES)
                             + r")(?=\s+[A-Z])))*", seg):
            words = m.group().split()
            # the name is what follows the last role word or organisation head in the run
            cut = 0
            for i, w in enumerate(words):
                bare = w.rstrip(".'’s").rstrip("'’")
                if bare in _NOT_NAME or w.rstrip("'’s") in _NOT_NAME or w.isupper() and len(w) > 1 \
                        or self.orgs.known(w):
                    cut = i + 1
            if cut == 0 and _AFTER_PREPOSITION.search(seg, 0, m.start()):
                continue  # "a director in the North East": a place, not the speaker
            name_words = words[cut:]
            while name_words and name_words[-1] in _POSTNOMINALS:
                name_words.pop()
            if any(possessive(w) for w in name_words[:-1]) or name_words and possessive(name_words[-1]):
                continue
            if 2 <= len(name_words) <= 4 and all(w[0].isupper() or w in _PARTICLES for w in name_words):
                start = m.start() + m.group().index(name_words[0], sum(len(w) + 1 for w in words[:cut]) - 1 if cut else 0)
                # the run may have irregular spacing; recover the exact span
                sub = seg[start:]
                mm = re.match(r"\s*".join(re.escape(w) for w in name_words), sub)
                if mm:
                    best = (a + start, a + start + mm.end(), " ".join(name_words))
                    break
        if best:
            return best
        # 4. a lone capitalised word that is a known speaker's surname ("Patel said")
        s = seg.strip()
        if re.fullmatch(r"[A-Z][\w'’-]+", s) and s not in _NOT_NAME and not self.orgs.known(s):
            for spk in reversed(self.speakers):
                if spk.name and spk.name.split()[-1] == s:
                    k = seg.index(s)
                    return a + k, a + k + len(s), s
        return None


def _looks_like_clause(s: str) -> bool:
    """A description is a noun phrase; words like these mean the subject search went astray."""
    return bool(re.search(r"\b(?:is|are|was|were|has|have|had|will|would|should|could|can|must|"
                          r"that|if|because|when|but)\b", s, re.I))


def _name_run(seg: str, i: int, allow_single: bool = True) -> tuple[int, int] | None:
    """The name starting at seg[i]: capitalised words (and particles), post-nominals dropped."""
    words = list(re.finditer(r"[^\s,;:()]+", seg[i:]))
    taken = []
    for m in words:
        w = m.group()
        bare = w.rstrip(".")
        if w[0].isupper() and bare not in _POSTNOMINALS and not (taken and (bare in ORG_HEADS or bare.lower() in ROLE_WORDS and taken)):
            if possessive(w):
                break
            taken.append(m)
            if len(taken) == 4:
                break
        elif w in _PARTICLES and taken:
            taken.append(m)
        else:
            break
    while taken and taken[-1].group() in _PARTICLES:
        taken.pop()
    if not taken or (len(taken) == 1 and not allow_single):
        return None
    x = i + taken[0].start()
    y = i + taken[-1].end()
    while y > x and seg[y - 1] in ".":
        if len(seg[x:y].split()[-1]) <= 2:  # an initial keeps its full stop
            break
        y -= 1
    return x, y

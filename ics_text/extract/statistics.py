"""Statistics: percentages, shares in words, money and counts, with their context.

A spaCy component (factory ``ics_statistics``) that sets ``doc._.statistics`` to a list of
:class:`ics_text.records.Statistic`, offsets into ``doc.text``. It expects the whole plain text of
one document: blocks separated by a blank line, list items starting "- " or "N. ".

How it works, in three steps that each stay linear in the text:

1. *Find*: compiled regular expressions over ``doc.text`` find the figure cores (``£2.4bn``,
   ``71 per cent``, ``two in three``, ``nine of the 91``, ``a third``, ``1,200``). Overlaps are
   settled by kind (money > percent > proportion > fraction > count), then length.
2. *Filter*: counts are where most false figures hide, so a count must survive the rules of the
   contract's "not statistics" list: years, dates, phone numbers, times, list numbering, lengths
   of time ("12 months", "three-year"), labels ("Section 75", "Covid-19"), ages, addresses, small
   references ("the two organisations") and list counts ("five recommendations"). These use the
   tagger and parser's tokens around the figure, never another model pass.
3. *Describe*: the qualifier ("nearly", "more than") is read backwards from the figure; ``per``
   and money periods ("a year") forwards; the counted noun from the tokens after a count; the
   period and subject from the sentence, through the dependency parse where it helps.

Every word list lives in ``models/statistics.yaml``; matchers are compiled from it once, when the
component is built or read back, as spaCy's ``span_ruler`` rebuilds its matchers from patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import srsly
import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..paths import models_dir
from ..records import Statistic
from . import msgpack  # noqa: F401  (records travel in msgpack: nlp.pipe(n_process=2))

FACTORY = "ics_statistics"
DATA_FILE = "statistics.yaml"
DISK_FILE = "statistics.json"  # what to_disk writes: the data, as JSON

# Error messages, one constant each (spaCy's convention).
E001 = "ics_statistics: data file not found: {path}"
E002 = "ics_statistics: data file {path} is missing the key '{key}'"

# Kinds in the order that settles overlapping candidates (lower wins).
PRIORITY = {"money": 0, "percent": 1, "proportion": 2, "fraction": 3, "count": 4}

DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
PRONOUNS = {"it", "they", "them", "we", "us", "this", "that", "these", "those", "which", "who",
            "he", "she", "i", "you", "there", "what", "one", "some", "many", "most", "all"}
# Dependency labels that stay inside a noun phrase, on the left of its head.
NP_LEFT = {"det", "poss", "compound", "amod", "nmod", "case", "nummod", "quantmod", "predet",
           "punct", "advmod", "npadvmod", "prep"}
# Labels along which a figure is climbed to the verb of its clause (an apposition or a relative
# clause starts another statement, so the climb stops there).
CLIMB = {"nummod", "quantmod", "compound", "amod", "nmod", "advmod", "npadvmod", "pobj", "prep",
         "dobj", "nsubj", "nsubjpass", "attr", "oprd", "dative", "agent", "conj", "acomp", "pcomp",
         "appos_", "cc"}
SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
# "The number of X", "the proportion of X": the subject is X.
QUANTITY_NOUNS = {"number", "numbers", "total", "proportion", "share", "percentage", "majority"}
# Nouns a figure's subject is never: parts of figures, and places a figure sits in text.
NOT_SUBJECTS = {"cent", "percent", "%", "points", "pounds", "notes", "findings", "messages",
                "top", "average", "behalf", "basis", "total", "terms"}

if not Doc.has_extension("statistics"):
    Doc.set_extension("statistics", default=None)




def _words(items) -> str:
    """A regex alternation of word-list items, longest first, spaces as any whitespace."""
    out = sorted({str(i).lower() for i in items}, key=len, reverse=True)
    return "|".join(re.escape(i).replace(r"\ ", r"\s+") for i in out)


def _num(x: float) -> float | int:
    """Whole numbers as int, so JSON shows 71 rather than 71.0."""
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else x


class _Scan:
    """A pattern compiled twice: for lower-cased text (fast) and case-insensitively (fallback)."""

    __slots__ = ("low", "any")

    def __init__(self, pattern: str, flags: int = 0):
        flags &= ~re.IGNORECASE
        self.low = re.compile(pattern, flags)
        self.any = re.compile(pattern, flags | re.IGNORECASE)

    def finditer(self, text: str, low: str | None, *span):
        return self.low.finditer(low, *span) if low is not None else self.any.finditer(text, *span)


@dataclass
class _Cand:
    kind: str
    start: int
    end: int
    value: float
    unit: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    per: str | None = None
    period: str | None = None  # a period read with the figure itself ("£500m a year")
    wordy: bool = False  # the number was written in words
    extra: dict = field(default_factory=dict)


class StatisticsFinder:
    """The ``ics_statistics`` component. ``data`` is the content of ``models/statistics.yaml``."""

    def __init__(self, nlp: Language | None = None, name: str = FACTORY, *,
                 patterns_path: str | Path | None = None, data: dict | None = None):
        self.name = name
        if data is None:
            path = Path(patterns_path) if patterns_path else models_dir() / DATA_FILE
            if not path.exists():
                raise FileNotFoundError(E001.format(path=path))
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            self.source = str(path)
        else:
            self.source = None
        self.data = data
        self._compile()

    # -- building the matchers from the data -------------------------------------------------------

    def _compile(self) -> None:
        d = self.data
        for key in ("number_words", "scales", "currencies", "money_multipliers", "fractions",
                    "qualifiers", "period_patterns", "period_fragments"):
            if key not in d:
                raise ValueError(E002.format(path=self.source or "<data>", key=key))
        I = re.IGNORECASE
        self.number_words = {k.lower(): float(v) for k, v in d["number_words"].items()}
        units = {k: v for k, v in self.number_words.items() if 1 <= v <= 9 and " " not in k}
        tens = {k: v for k, v in self.number_words.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)}
        compound = r"(?:%s)[\s-](?:%s)" % (_words(tens), _words(units))
        self._numword = r"(?:%s|%s)" % (compound, _words(self.number_words))
        num = r"(?:%s|%s)" % (DIGITS, self._numword)
        self.scales = {k.lower(): float(v) for k, v in d["scales"].items()}
        scales = _words(self.scales)
        self.currencies = dict(d["currencies"])
        cur = "[" + "".join(re.escape(c) for c in self.currencies) + "]"
        self.multipliers = {k.lower(): float(v) for k, v in d["money_multipliers"].items()}
        mult = _words(self.multipliers)
        self.fractions = {k.lower(): int(v) for k, v in d["fractions"].items()}
        pct = _words(d.get("percent_markers", ["%", "per cent", "percent"]))
        ppt = _words(d.get("percentage_point_markers", []) or ["percentage points"])
        self.ppt_markers = {m.lower() for m in d.get("percentage_point_markers", [])}
        money_words = d.get("money_words", {}) or {}
        self.money_words = {k.lower(): v for k, v in money_words.items()}
        pence = _words(d.get("pence_words", ["p", "pence"]))
        # A number's left edge: not glued to a word, another number, a currency sign or a dash.
        L = r"(?<![\w.,£$€/#:\u2013-])"
        self.re_money = _Scan(
            L.replace("£$€", "") + r"(?P<cur>%s)\s?(?P<n1>%s)(?:\s?(?P<m1>%s)(?![\w]))?"
            r"(?:\s?[-\u2013]\s?(?:%s)?\s?(?P<n2>%s)(?:\s?(?P<m2>%s)(?![\w]))?)?(?!\w)"
            % (cur, DIGITS, mult, cur, DIGITS, mult), I)
        self.re_money_words = _Scan(
            L + r"(?P<n1>%s)(?:\s(?P<sc>%s))?\s(?P<w>%s)\b"
            % (num, scales, _words(self.money_words) or "pounds"), I)
        self.re_pence = _Scan(L + r"(?P<n1>\d+(?:\.\d+)?)\s?(?P<p>%s)(?![\w'\u2019]|\.\w)" % pence, I)
        self.re_percent = _Scan(
            L + r"(?P<n1>%s)(?:\s?[-\u2013]\s?(?P<n2>%s))?\s?(?P<mk>%s|%s)(?![\w])"
            % (num, num, ppt, pct), I)
        self.re_percent_between = _Scan(
            r"\bbetween\s+(?P<n1>%s)\s+and\s+(?P<n2>%s)\s?(?P<mk>%s|%s)(?![\w])"
            % (num, num, ppt, pct), I)
        tail = r"(?![\w%%]|[.,]\d|\s?(?:%s))" % pct
        self.re_prop_in = _Scan(
            L + r"(?P<n1>%s)(?:\s+|-)(?:(?P<noun>[a-z]+)\s+)?(?:in|out\s+of)(?:\s+|-)(?:every\s+)?(?P<n2>%s)%s"
            % (num, num, tail), I)
        self.re_prop_of = _Scan(
            L + r"(?P<n1>%s)\s+(?:out\s+)?of\s+(?:(?:the|its|their|our|all|these|those)\s+|"
            r"(?:the\s+)?[a-z][\w&.-]*(?:\s[a-z][\w&.-]*){0,3}['\u2019]s?\s+)?"
            r"(?P<n2>%s)%s" % (num, num, tail), I)
        self.re_fraction = _Scan(
            r"(?<![\w.,\u2013-])(?:(?P<fn>an?|%s|\d+)[\s-]+)?(?P<fr>%s)(?![\w\u2013-])"
            % (self._numword, _words(self.fractions)), I)
        self.re_count = _Scan(
            L + r"(?P<n1>%s)(?:\s(?P<sc>%s))?(?![\w%%/:+£$€]|[.,]\d|[-\u2013]\w|\s?(?:%s))"
            % (DIGITS, scales, pct), I)
        self.re_count_words = _Scan(
            r"(?<![\w\u2013-])(?:(?P<n1>%s)(?:\s(?P<sc>%s))?|(?P<a>an?)\s(?P<sca>%s))(?![\w\u2013-])"
            % (self._numword, scales, scales), I)
        self.re_anchor = _Scan(
            r"(?<![\w.,\u2013-])(?:\d|(?:%s|%s)(?!\w)|an?\s+(?=(?:%s|%s)(?!\w)))"
            % (self._numword, _words(self.fractions), scales, _words(self.fractions)), I)
        self.re_fraction_of_scale = re.compile(r"\s+(?:of\s+)?an?\s+(?P<sc>%s)(?![\w-])" % scales, I)
        # Spans where no count may start: years, dates, phone numbers, times, list numbering.
        month = d["period_fragments"]["month"]
        self.re_excluded = _Scan("|".join([
            r"(?<![\w.,£$€])(?:19|20)\d{2}(?:\s?[/\u2013-]\s?(?:(?:19|20)\d{2}|\d{2}))?s?(?![\w%]|[.,]\d)",
            r"\b\d{1,2}(?:st|nd|rd|th)?\s+%s\b" % month,
            r"\b%s\s+\d{1,2}(?:st|nd|rd|th)?\b" % month,
            r"(?:\+44\s?\(?0?\)?\s?|(?<![\w.,])0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)",
            r"\b\d{1,2}[.:]\d{2}\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)",
            r"\b\d{1,2}:\d{2}\b",
            r"\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)",
            r"(?:^|(?<=\n\n))\s*\(?\d{1,3}[.)](?=\s)",
            r"\(\d{1,2}\)",
            r"(?<![\w.,])0\d+",  # a leading zero makes a code, not a quantity
            r"\b\d+\s?/\s?\d+\b",
            r"\b\d+:\d+\b",
        ]), I)
        # Qualifiers, read backwards from a figure's start: an anchored search on a short window.
        quals = _words(d["qualifiers"])
        ints = _words(d.get("qualifier_intensifiers", []) or ["well"])
        # qualifier word -> the words after which it is a preposition
        self.prep_quals = {q.lower(): {w.lower() for w in (heads or [])}
                           for q, heads in (d.get("prepositional_qualifiers") or {}).items()}
        self.word_count_min = float(d.get("word_count_min", 4))
        self.years_before = {w.lower() for w in d.get("measured_years_before", [])}
        self.re_years_after = re.compile(
            r"\s+(?:%s)\b" % (_words(d.get("measured_years_after", [])) or "of life"), re.I)
        self.years_subjects = {w.lower() for w in d.get("measured_years_subjects", [])}
        self.re_vague_after = re.compile(r"\s+(?:or|to)\s+(?:more|fewer|less|%s|\d+)\b" % self._numword, re.I)
        self.re_vague_before = re.compile(r"(?:%s|\d+)\s+(?:or|to)\s+$" % self._numword, re.I)
        self.re_qualifier = re.compile(
            r"(?:^|(?<=[^\w.]))(?P<q>(?:(?:%s)\s+){0,2}(?:%s))\s+$" % (ints, quals), I)
        self.re_age = re.compile(r"\b(?:%s)\s+(?:(?:%s)\s+)?$"
                                 % (_words(d.get("age_words", ["aged"])), quals), I)
        self.re_postfix = re.compile(r"\s+(?P<q>%s)(?![\w-])"
                                     % (_words(d.get("postfix_qualifiers", [])) or "or more"), I)
        self.period_count_min = float(d.get("period_count_min", 100))
        self.re_time_prep = re.compile(r"\b(?:%s)\s+(?:(?:%s)\s+)?$"
                                       % (_words(d.get("time_prepositions", ["in"])), quals), I)
        self.hypothetical = {w.lower() for w in d.get("hypothetical_words", [])}
        self.not_before = {w.lower() for w in d.get("not_figure_after", [])}
        self.rate_words = {w.lower() for w in d.get("rate_words", [])}
        # What may follow a money amount: a rate ("per head") or a period ("a year").
        self.per_nouns = {w.lower() for w in d.get("per_nouns", [])}
        self.time_units = {w.lower() for w in d.get("time_units", [])}
        self.re_after_money = re.compile(
            r"\s?(?P<all>(?P<w>per|a|an|each|every)[\s-]+(?P<noun>[a-z]+))(?![\w-])", I)
        self.list_nouns = {w.lower() for w in d.get("list_nouns", [])}
        self.list_count_max = float(d.get("list_count_max", 20))
        self.reference_words = {w.lower() for w in d.get("reference_words", [])}
        self.reference_max = float(d.get("reference_max", 10))
        self.period_nouns = {w.lower() for w in d.get("period_nouns", [])}
        self.measure_nouns = {w.lower() for w in d.get("measure_nouns", [])}
        self.label_words = {w.lower() for w in d.get("label_words", [])}
        self.address_words = {w.lower() for w in d.get("address_words", [])}
        self.bare_count_min = float(d.get("bare_count_min", 1000))
        self.elliptical_window = int(d.get("elliptical_window", 600))
        self.half_idioms = {w.lower() for w in d.get("half_idiom_nouns", [])}
        frag = d["period_fragments"]
        periods = []
        for p in d["period_patterns"]:
            for key, value in frag.items():
                p = p.replace("{%s}" % key, value)
            periods.append(p)
        # every period starts at a word boundary; saying so first lets the engine skip the rest
        self.re_period = _Scan(r"\b(?:%s)" % "|".join("(?:%s)" % p.replace("(?P<text>", "(?P<t%d>" % i)
                                                       for i, p in enumerate(periods)), I)
        self._period_groups = ["t%d" % i for i in range(len(periods))]

    # -- the spaCy component protocol ---------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        doc._.statistics = self.find(doc)
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"data": self.data})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "StatisticsFinder":
        self.data = srsly.msgpack_loads(data)["data"]
        self._compile()
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / DISK_FILE, self.data)

    def from_disk(self, path, *, exclude=tuple()) -> "StatisticsFinder":
        self.data = srsly.read_json(Path(path) / DISK_FILE)
        self._compile()
        return self

    # -- finding --------------------------------------------------------------------------------------

    def find(self, doc: Doc) -> list[Statistic]:
        text = doc.text
        if not text.strip():
            return []
        # Scanning lower-cased text without re.IGNORECASE is several times faster; where
        # lower-casing changes the length (rare letters), the case-insensitive twins are used.
        low = text.lower()
        low = low if len(low) == len(text) else None
        cands = self._candidates(text, low)
        if not cands:
            return []
        ctx = _Context(doc, self, text, low)
        # Figures a period expression may not overlap ("a quarter" in "a quarter of a million").
        for c in cands:
            if c.kind != "count" or c.extra.get("scaled"):
                ctx.figures[c.start:c.end] = b"\x01" * (c.end - c.start)
        stats: list[Statistic] = []
        last_subject: dict[int, str] = {}  # block start -> last share subject seen in it
        for c in cands:
            if c.kind == "count" and self._excluded(c, text, low):
                continue
            if not self._keep(c, ctx):
                continue
            stat = self._describe(c, ctx, last_subject)
            if stat is not None:
                stats.append(stat)
                if stat.kind == "count" and stat.unit:
                    ctx.last_count = (c.end, stat.unit, c.value)
        return stats

    def _candidates(self, text: str, low: str | None) -> list[_Cand]:
        found: list[_Cand] = []
        nw = self._value
        src = low if low is not None else text
        # Every figure but money starts at a number, a number word, a fraction word or "a(n)"
        # before a scale or fraction: one scan finds those places, and each pattern is tried
        # there only (one pass over the text instead of one per pattern).
        anchors = [m.start() for m in self.re_anchor.finditer(text, low)]
        at = self._at
        if any(sign in text for sign in self.currencies):
            money = self.re_money.finditer(text, low)
        else:
            money = ()
        for m in money:
            n1, n2 = _digits(m["n1"]), _digits(m["n2"]) if m["n2"] else None
            mult = self.multipliers.get((m["m1"] or m["m2"] or "").lower(), 1.0)
            unit = self.currencies.get(m["cur"], "GBP")
            found.append(_Cand("money", m.start(), m.end(), n1 * mult, unit=unit,
                               extra={"upper": n2 * mult if n2 is not None else None}))
        for m in at(self.re_money_words, src, low, anchors):
            v = nw(m["n1"])
            if v is None:
                continue
            v *= self.scales.get((m["sc"] or "").lower(), 1.0)
            found.append(_Cand("money", m.start(), m.end(), v,
                               unit=self.money_words.get(m["w"].lower(), "GBP")))
        for m in at(self.re_pence, src, low, anchors):
            found.append(_Cand("money", m.start(), m.end(), _digits(m["n1"]) / 100.0, unit="GBP"))
        between = self.re_percent_between.finditer(text, low) if "between" in src.lower() else ()
        for matches in (between, at(self.re_percent, src, low, anchors)):
            for m in matches:
                v = nw(m["n1"])
                if v is None:
                    continue
                mk = " ".join(m["mk"].lower().split())
                unit = mk if mk in self.ppt_markers else "%"
                found.append(_Cand("percent", m.start(), m.end(), v, unit=unit,
                                   wordy=not m["n1"][0].isdigit()))
        for rx, form in ((self.re_prop_in, "in"), (self.re_prop_of, "of")):
            for m in at(rx, src, low, anchors):
                a, b = nw(m["n1"]), nw(m["n2"])
                if a is None or not b or b < 2 or a > b or (form == "of" and (a >= b or a < 1)):
                    continue
                if _is_year(m["n2"]) or _is_year(m["n1"]):
                    continue
                if form == "in" and m["noun"] and (b > 100 or m["noun"].lower() in ("in", "out", "of")):
                    continue
                found.append(_Cand("proportion", m.start(), m.end(), round(a / b * 100, 2),
                                   unit="%", numerator=a, denominator=b,
                                   wordy=not m["n1"][0].isdigit(),
                                   extra={"form": form, "noun": m["noun"] if form == "in" else None}))
        for m in at(self.re_fraction, src, low, anchors):
            fr = m["fr"].lower()
            den = self.fractions[fr]
            fn = (m["fn"] or "").lower()
            plural = fr.endswith("s") and fr != "half"
            if fn in ("a", "an", ""):
                if plural or (not fn and fr != "half"):
                    continue
                n = 1.0
            else:
                n = nw(fn)
                if n is None or n < 1 or (n == 1) == plural and fr not in ("half", "halves"):
                    continue
                if n >= den:
                    continue
            scaled = self.re_fraction_of_scale.match(low if low is not None else text, m.end())
            if scaled:  # "half a million", "a quarter of a million people": a count
                found.append(_Cand("count", m.start(), scaled.end(),
                                   n / den * self.scales[scaled["sc"].lower()], wordy=True,
                                   extra={"raw": m.group(0), "scaled": True}))
                continue
            found.append(_Cand("fraction", m.start(), m.end(), round(n / den * 100, 2), unit="%",
                               wordy=True, extra={"fr": fr, "fn": fn}))
        for rx, wordy in ((self.re_count, False), (self.re_count_words, True)):
            for m in at(rx, src, low, anchors):
                groups = m.groupdict()
                if groups.get("a"):  # "a million people"
                    v, sc, raw = 1.0, groups["sca"], groups["a"]
                else:
                    v, sc, raw = nw(m["n1"]), m["sc"], m["n1"]
                if v is None:
                    continue
                v *= self.scales.get((sc or "").lower(), 1.0)
                found.append(_Cand("count", m.start(), m.end(), v, wordy=wordy,
                                   extra={"raw": raw, "scaled": bool(sc)}))
        # Settle overlaps: the stronger kind first, then the longer span. A byte per character
        # marks what is taken, so this stays linear however many figures a document holds.
        found.sort(key=lambda c: (PRIORITY[c.kind], -(c.end - c.start), c.start))
        taken = bytearray(len(text))
        keep = []
        for c in found:
            if taken.find(1, c.start, c.end) != -1:
                continue
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
            keep.append(c)
        keep.sort(key=lambda c: c.start)
        return keep

    @staticmethod
    def _at(scan: "_Scan", src: str, low: str | None, anchors: list[int]):
        rx = scan.low if low is not None else scan.any
        for pos in anchors:
            m = rx.match(src, pos)
            if m:
                yield m

    def _excluded(self, c: _Cand, text: str, low: str | None) -> bool:
        """Is the count part of a year, date, phone number, time or list number? Only a window
        around it is scanned: the exclusions are short, and a scan of the whole text is costly."""
        lo, hi = max(0, c.start - 32), min(len(text), c.end + 32)
        for m in self.re_excluded.finditer(text, low, lo, hi):
            if m.start() < c.end and c.start < m.end():
                return True
        return False

    def _value(self, s: str | None) -> float | None:
        """The value of a number as written: "1,200", "9.89", "twenty-five", "a hundred"."""
        if not s:
            return None
        s = s.strip().lower()
        if s[0].isdigit():
            return _digits(s)
        s = " ".join(s.replace("-", " ").split())
        if s in self.number_words:
            return self.number_words[s]
        parts = s.split()
        if len(parts) == 2 and parts[0] in self.number_words and parts[1] in self.number_words:
            return self.number_words[parts[0]] + self.number_words[parts[1]]
        return None

    # -- filtering ------------------------------------------------------------------------------------

    def _keep(self, c: _Cand, ctx: "_Context") -> bool:
        text = ctx.text
        span = ctx.span(c.start, c.end)
        if span is None:
            return False
        c.extra["span"] = span
        doc = ctx.doc
        nxt = doc[span.end] if span.end < len(doc) else None
        nxt2 = doc[span.end + 1] if span.end + 1 < len(doc) else None
        prev_word = _prev_word(text, c.start)
        if c.kind in ("fraction", "proportion") and prev_word in self.hypothetical:
            return False
        if prev_word in self.not_before:
            return False  # "rounded to the nearest £1m": a unit of precision, not a figure
        if c.kind == "fraction":
            fr = c.extra["fr"]
            if prev_word in ("the", "first", "second", "last", "final", "latter", "former"):
                return False
            # "one and a half", "two and a quarter": part of a mixed number, not a share
            if prev_word == "and" and re.search(r"\b(?:%s)\s+and\s+$" % self._numword,
                                                text[max(0, c.start - 24):c.start], re.I):
                return False
            hedged = bool(self.re_qualifier.search(text[max(0, c.start - 48):c.start]))
            if fr in ("half", "halves"):
                if prev_word == "in" and (nxt is None or nxt.lower_ != "of"):
                    return False  # "cut in half" (but "in half of the areas" is a share)
                if nxt is not None and nxt.lower_ in ("as", "an", "a") and nxt2 is not None \
                        and nxt2.lower_ in self.period_nouns:
                    return False  # "half an hour"
                if nxt is not None and (nxt.lower_ in self.period_nouns or nxt.lower_ == "as"):
                    return False
                if not c.extra["fn"] and nxt is not None:
                    # "half funded by the council" is a manner, "half the story" an idiom; a
                    # share of a group names the group: "half the councils", "half of them".
                    if nxt.tag_ in ("VBN", "VBG") or nxt.pos_ == "ADV" and nxt.lower_ not in ("now", "still"):
                        return False
                    if nxt.pos_ == "DET":
                        noun = next((t for t in ctx.doc[nxt.i + 1:nxt.i + 5]
                                     if t.pos_ in ("NOUN", "PROPN")), None)
                        if noun is None or noun.lower_ in self.half_idioms:
                            return False
            elif not fr.endswith("s"):
                # "a third" is a share only when it is not an ordinal: "a third of councils",
                # "around a quarter said", "a quarter lower", but not "a third runway".
                if nxt is not None and nxt.lower_ != "of" and not hedged and \
                        nxt.tag_ not in ("JJR", "RBR") and nxt.pos_ in ("NOUN", "PROPN", "ADJ", "NUM"):
                    return False
            if nxt is not None and nxt.lower_ == "of" and nxt2 is not None:
                after = text[nxt.idx:nxt.idx + 40].lower().split()
                if len(after) >= 3 and after[1] in ("a", "the", "this", "that", "each") and \
                        after[2].strip(".,;") in self.period_nouns | {"century", "decade"}:
                    return False
            return True
        if c.kind == "proportion" and prev_word in self.label_words:
            return False  # "page 3 of 12"
        if c.kind == "proportion":
            # "one of the five pilot sites" names a member; "only one of the 42 boards" is a share
            if c.extra.get("form") == "of" and c.numerator == 1 and prev_word not in ("only", "just"):
                return False
            # "two in three years" is a length of time, not a share.
            if nxt is not None and nxt.lower_ in self.period_nouns:
                return False
            # "one resident in four" names its group in the middle; "10 beds in 12 wards" is no share
            if c.extra.get("noun") and nxt is not None and nxt.pos_ in ("NOUN", "PROPN"):
                return False
            return True
        if c.kind != "count":
            return True
        return self._keep_count(c, ctx, span, nxt, prev_word)

    def _keep_count(self, c: _Cand, ctx: "_Context", span: Span, nxt: Token | None,
                    prev_word: str) -> bool:
        text, doc = ctx.text, ctx.doc
        raw = c.extra["raw"]
        if c.value < 2:
            return False
        if c.wordy and not c.extra["scaled"]:
            if c.value < self.word_count_min:
                return False
            # "two or three councils", "five or more": a vague range, not a figure
            if self.re_vague_after.match(text, c.end) or \
                    self.re_vague_before.search(text[max(0, c.start - 20):c.start]):
                return False
        measured = self._measured_years(span, nxt, ctx)
        if measured is not None:
            c.unit = measured
            return bool(measured)
        # "12 months" is a length of time; "1,200 hours of staff time" an amount measured
        time_amount = c.value >= self.period_count_min and \
            not self.re_time_prep.search(text[max(0, c.start - 30):c.start])
        if nxt is not None and nxt.lower_ in self.period_nouns and not time_amount:
            return False
        if nxt is not None and nxt.lower_ in self.measure_nouns:
            return False
        if prev_word in self.label_words or prev_word in self.rate_words:
            return False  # "Section 75", "per 100,000 people"
        if self.re_age.search(text[max(0, c.start - 24):c.start]):
            return False
        # A small number right after a capitalised name is part of it ("NHS 111", "Tier 2").
        prev = doc[span.start - 1] if span.start > 0 else None
        if prev is not None and not c.extra["scaled"] and "," not in raw and c.value < 10000 \
                and not prev.is_sent_start and prev.text[:1].isupper() and prev.pos_ == "PROPN" \
                and prev.lower_ not in ctx.finder.label_words and not prev.is_punct:
            return False
        # The counted noun: the run of nouns and adjectives after the number.
        if ctx.tagged:
            unit_tokens = _noun_run(doc, span.end)
        else:  # no tagger in the pipeline: the next plain word, if it is not a function word
            unit_tokens = [nxt] if nxt is not None and nxt.is_alpha and nxt.is_lower and not nxt.is_stop else []
        if unit_tokens:
            head = unit_tokens[-1]
            if head.lower_ in self.measure_nouns or head.lower_ in self.period_nouns and not time_amount:
                return False
            if all(t.text[:1].isupper() for t in unit_tokens if t.is_alpha) and \
                    head.lower_ in self.address_words:
                return False
            c.unit = text[unit_tokens[0].idx:head.idx + len(head)]
        else:
            # A bare number: a count only when large, or when the sentence says what it counts.
            if c.wordy and not c.extra["scaled"]:
                return False
            of_np = ctx.number_of(span)
            if of_np:
                c.unit = of_np
            elif c.value < self.bare_count_min:
                # "surveyed its 37 member authorities; 34 responded": the group counted before
                group = ctx.last_count
                if group is None or c.start - group[0] > self.elliptical_window or not ctx.parsed:
                    return False
                follows = nxt is not None and (nxt.lower_ in ("that", "who", "which") or
                                               nxt.tag_ in ("VBD", "VBZ", "VBP", "MD"))
                if not (span.root.dep_ in SUBJECTS or follows) or group[2] <= c.value:
                    return False
                c.unit = group[1]
        if c.unit and c.value <= self.list_count_max and not c.extra["scaled"]:
            last = c.unit.split()[-1].lower()
            if last in self.list_nouns or last.rstrip("s") in self.list_nouns or \
                    (last.endswith("ies") and last[:-3] + "y" in self.list_nouns):
                return False
        if c.value <= self.reference_max and prev_word in self.reference_words:
            return False
        if c.value <= self.list_count_max and not c.extra["scaled"] and ctx.introduces_list(span):
            return False
        return True

    def _is_qualifier(self, q: str, c: _Cand, ctx: "_Context") -> bool:
        """"over", "about"... before a figure: a hedge, or a preposition that happens to precede it?"""
        if q not in self.prep_quals:
            return True
        span = c.extra["span"]
        doc = ctx.doc
        # "warn over a £2.4bn bill": the figure modifies a noun, so the preposition takes that noun.
        if c.kind in ("money", "percent") and span.end < len(doc) and \
                doc[span.end].pos_ in ("NOUN", "PROPN") and doc[span.end].lower_ not in self.per_nouns:
            return False
        # "warn over £2bn", "talked about 40 councils": the word before takes it as a preposition.
        heads = self.prep_quals[q]
        j = span.start - 1
        while j >= 0 and doc[j].idx + len(doc[j]) > c.start - len(q) - 1:
            j -= 1
        if j >= 0 and (doc[j].lemma_.lower() in heads or doc[j].lower_ in heads):
            return False
        return True

    def _measured_years(self, span: Span, nxt: Token | None, ctx: "_Context") -> str | None:
        """For "N years": None when no years follow, "" for a length of time (not a statistic),
        else the unit, where years are what is measured: "19 fewer years in good health", "the gap
        in life expectancy is almost ten years"."""
        doc, text = ctx.doc, ctx.text
        if nxt is None:
            return None
        i = nxt.i
        if nxt.lower_ in self.years_before and i + 1 < len(doc) and doc[i + 1].lower_ in ("years", "year"):
            i += 1
            adj = True
        elif nxt.lower_ in ("years", "year"):
            adj = False
        else:
            return None
        years = doc[i]
        end = years.idx + len(years)
        tail = self.re_years_after.match(text, end)
        if tail:
            return text[nxt.idx:tail.end()]
        if adj:
            return text[nxt.idx:end]
        verb = None
        if ctx.parsed and years.dep_ in ("attr", "acomp", "dobj", "pobj"):
            verb = ctx.clause_verb(years)
        if verb is not None:
            subj = next((ch for ch in verb.children if ch.dep_ in SUBJECTS), None)
            cues = self.years_subjects
            if subj is not None and any(t.lemma_.lower() in cues or t.lower_ in cues for t in subj.subtree):
                return text[nxt.idx:end]
        return ""

    # -- describing ------------------------------------------------------------------------------------

    def _describe(self, c: _Cand, ctx: "_Context", last_subject: dict) -> Statistic | None:
        text = ctx.text
        start, end = c.start, c.end
        # The qualifier, read backwards from the figure.
        qualifier = None
        m = self.re_qualifier.search(text[max(0, start - 48):start])
        if m and self._is_qualifier(" ".join(m["q"].lower().split()), c, ctx):
            qualifier = " ".join(m["q"].lower().split())
            start = start - (len(text[max(0, start - 48):c.start]) - m.start("q"))
        if qualifier is None and c.kind != "fraction":
            mp = self.re_postfix.match(text, end)
            if mp and c.kind != "count":
                qualifier = " ".join(mp["q"].lower().split())
                end = mp.end("q")
            elif mp and not c.unit:
                qualifier = " ".join(mp["q"].lower().split())
                end = mp.end("q")
        per = period = None
        if c.kind == "money":
            m2 = self.re_after_money.match(text, end)
            if m2:
                noun = m2["noun"].lower()
                word = m2["w"].lower()
                if noun in self.time_units:
                    period = " ".join(m2["all"].split())
                elif word == "per" or noun in self.per_nouns:
                    per = noun
                    end = m2.end("all")
        kind = "proportion" if c.kind == "fraction" else c.kind
        span = c.extra["span"]
        sent_start, sent_end = ctx.sentence_bounds(span, c.start, c.end)
        sentence = text[sent_start:sent_end].strip()
        if period is None:
            period = ctx.period_for(c, span, sent_start, sent_end)
        subject = ctx.subject_for(c, kind, span)
        block = ctx.block_start(c.start)
        if kind in ("percent", "proportion"):
            if subject:
                last_subject[block] = subject
            else:
                subject = last_subject.get(block)
        return Statistic(
            text=text[start:end], kind=kind, value=_num(c.value),
            unit=c.unit if c.kind != "fraction" else "%", qualifier=qualifier,
            numerator=_num(c.numerator) if c.numerator is not None else None,
            denominator=_num(c.denominator) if c.denominator is not None else None,
            per=per, period=period, subject=subject, sentence=sentence, start=start, end=end)


# -- per-document context: tokens, sentences, periods ---------------------------------------------------

class _Context:
    """What the describing rules need from one Doc, computed lazily and cached per sentence."""

    def __init__(self, doc: Doc, finder: StatisticsFinder, text: str, low: str | None = None):
        self.doc = doc
        self.text = text  # Doc.text joins every token on each access: computed once, passed in
        self.low = low
        self.figures = bytearray(len(text))
        self.finder = finder
        # Doc.has_annotation walks every token; the parser and tagger annotate all tokens or
        # none, so the first few tell.
        sample = doc[:32]
        self.parsed = any(t.dep != 0 for t in sample)
        self.tagged = any(t.tag != 0 or t.pos != 0 for t in sample)
        self.sented = self.parsed or any(t.is_sent_start is not None for t in sample[1:])
        self._periods: dict[int, list[tuple[int, int, int, int, str]]] = {}
        self.last_count: tuple[int, str, float] | None = None  # (end, unit, value) of the last count

    def span(self, start: int, end: int) -> Span | None:
        return self.doc.char_span(start, end, alignment_mode="expand")

    def block_start(self, pos: int) -> int:
        i = self.text.rfind("\n\n", 0, pos)
        return 0 if i < 0 else i + 2

    def block_end(self, pos: int) -> int:
        i = self.text.find("\n\n", pos)
        return len(self.text) if i < 0 else i

    def sentence_bounds(self, span: Span, start: int, end: int) -> tuple[int, int]:
        b0, b1 = self.block_start(start), self.block_end(end)
        if self.sented:
            sent = span[0].sent
            s0, s1 = max(b0, sent.start_char), min(b1, sent.end_char)
            if s0 < s1 and s0 <= start and end <= max(s1, end):
                return s0, max(s1, end)
        return b0, b1

    def introduces_list(self, span: Span) -> bool:
        """Is the figure in a lead-in that ends with a colon, followed by list items?"""
        text = self.text
        b1 = self.block_end(span.end_char)
        lead = text[span.end_char:b1].rstrip()
        if not lead.endswith(":") or b1 >= len(text):
            return False
        nxt = text[b1 + 2:b1 + 8]
        return bool(re.match(r"\s*(?:[-*\u2022]\s|\(?\d{1,3}[.)]\s|\(?[a-h][.)]\s)", nxt))

    def number_of(self, span: Span) -> str | None:
        """The X of a "the number of X" earlier in the figure's sentence."""
        doc = self.doc
        lo = span[0].sent.start if self.sented else max(0, span.start - 40)
        for i in range(span.start - 1, lo, -1):
            t = doc[i]
            if t.lower_ == "of" and i > 0 and doc[i - 1].lower_ in ("number", "numbers", "total"):
                obj = next((c for c in t.children if c.dep_ == "pobj"), None) if self.parsed else None
                if obj is None and i + 1 < span.start:
                    obj = _noun_run(doc, i + 1)[-1:] or [None]
                    obj = obj[0]
                if obj is not None and obj.i < span.start:
                    return self.np_text(obj, span, right=True)
        return None

    # periods ---------------------------------------------------------------------------------------

    def periods_in(self, s0: int, s1: int) -> list[tuple[int, int, int, int, str]]:
        """Period expressions in a sentence: (match start, match end, text start, text end, text)."""
        if s0 in self._periods:
            return self._periods[s0]
        out = []
        f = self.finder
        for m in f.re_period.finditer(self.text, self.low, s0, s1):
            g = next((g for g in f._period_groups if m.group(g) is not None), None)
            if g is None:
                continue
            if self.figures.find(1, m.start(g), m.end(g)) != -1:
                continue
            out.append((m.start(), m.end(), m.start(g), m.end(g),
                        " ".join(self.text[m.start(g):m.end(g)].split())))
        self._periods[s0] = out
        return out

    def period_for(self, c: _Cand, span: Span, s0: int, s1: int) -> str | None:
        periods = [p for p in self.periods_in(s0, s1) if not (p[0] < c.end and c.start < p[1])]
        if not periods:
            return None
        text = self.text
        # 1. right after the figure (and its counted noun): "£3.13 billion this year".
        tail = c.end
        if c.unit and c.kind == "count":
            j = text.find(c.unit, c.end, c.end + len(c.unit) + 4)
            if j >= 0:
                tail = j + len(c.unit)
        for p in periods:
            gap = text[tail:p[0]]
            if p[0] >= tail and len(gap) <= 3 and not gap.strip(" ,"):
                return p[4]
        # 2. through the parse: the period hangs off the figure's noun phrase or its clause's verb.
        if self.parsed:
            anchors = self._anchors(span)
            if anchors:
                for p in periods:
                    ps = self.span(p[0], p[1])
                    if ps is None:
                        continue
                    root = ps.root
                    h = root.head
                    if h.i in anchors or (h.dep_ == "prep" and h.head.i in anchors):
                        return p[4]
        # 3. a period that opens the sentence governs all of it: "Last year, councils ...".
        first = periods[0]
        lead = text[s0:first[0]].strip(" \"'\u201c\u2018(")
        if not lead and first[1] <= c.start:
            return first[4]
        return None

    def _anchors(self, span: Span) -> set[int]:
        """Token ids a period may attach to: the figure, its noun, its clause's verb(s)."""
        root = span.root
        out = {t.i for t in span}
        t = root
        head_noun = root
        while t.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod") and t.head is not t:
            t = t.head
            head_noun = t
        out.add(head_noun.i)
        verb = self.clause_verb(root)
        if verb is not None:
            out.add(verb.i)
            v = verb
            for _ in range(4):
                if v.dep_ in ("conj", "advcl", "xcomp") and v.head is not v:
                    v = v.head
                    out.add(v.i)
                else:
                    break
        return out

    def clause_verb(self, tok: Token) -> Token | None:
        t = tok
        for _ in range(8):
            if t.pos_ in ("VERB", "AUX"):
                return t
            if t.dep_ not in CLIMB or t.head is t:
                return None
            t = t.head
        return None

    # subjects --------------------------------------------------------------------------------------

    def np_text(self, head: Token, figure: Span | None = None, right: bool = False,
                maxlen: int = 9) -> str | None:
        """The noun phrase headed by ``head`` as written, without the figure itself."""
        left = head.i
        for ch in head.lefts:
            if ch.dep_ in NP_LEFT and ch.dep_ != "prep":
                left = min(left, ch.left_edge.i)
        right_i = head.i
        if right:
            for ch in head.rights:
                if ch.dep_ == "prep" and ch.lower_ in ("in", "with", "for", "across", "from", "of", "on") \
                        or ch.dep_ in ("conj", "cc"):
                    if ch.right_edge.i - left < maxlen:
                        right_i = max(right_i, ch.right_edge.i)
                    else:
                        break
                elif ch.dep_ in ("punct", "relcl", "acl"):
                    break
        if head.i - left >= maxlen:
            left = head.i - maxlen + 1
        b0, b1 = self.block_start(head.idx), self.block_end(head.idx)
        toks = [t for t in self.doc[left:right_i + 1] if b0 <= t.idx < b1 and not t.is_space]
        # "the number of children with a plan": what is counted is the children
        if len(toks) and head.lower_ in QUANTITY_NOUNS and not right:
            of = next((ch for ch in head.rights if ch.dep_ == "prep" and ch.lower_ == "of"), None)
            obj = next((ch for ch in of.children if ch.dep_ == "pobj"), None) if of is not None else None
            if obj is not None:
                return self.np_text(obj, figure, right=True, maxlen=maxlen)
        if figure is not None:
            inside = [i for i, t in enumerate(toks) if figure.start <= t.i < figure.end]
            if inside:
                toks = toks[inside[-1] + 1:]
        while toks and (toks[0].is_punct or toks[0].lower_ in ("of", "a", "an", "and", "or")
                        or toks[0].like_num):
            toks = toks[1:]
        while toks and (toks[-1].is_punct and toks[-1].text not in ")" or toks[-1].lower_ in ("and", "or")):
            toks = toks[:-1]
        if not toks or not any(t.pos_ in ("NOUN", "PROPN") for t in toks):
            return None
        if len(toks) == 1 and toks[0].lower_ in PRONOUNS:
            return None
        return self.text[toks[0].idx:toks[-1].idx + len(toks[-1])]

    def subject_for(self, c: _Cand, kind: str, span: Span) -> str | None:
        if not self.parsed:
            return c.unit if kind == "count" else None
        doc = self.doc
        nxt = doc[span.end] if span.end < len(doc) else None
        root = span.root
        if kind in ("money", "percent") and nxt is not None and nxt.pos_ in ("NOUN", "PROPN") \
                and root.dep_ in ("compound", "nmod", "amod", "nummod") and root.head.i >= span.end:
            # "a £150m shortfall", "a 5.2% pay rise": the noun the figure describes
            np = self.np_text(root.head, span)
            if np:
                return np
        if kind in ("percent", "proportion"):
            # "71 per cent of respondents", "two-thirds of councils in England"
            if nxt is not None and nxt.lower_ == "of":
                obj = next((ch for ch in nxt.children if ch.dep_ == "pobj"), None)
                if obj is None:
                    run = _noun_run(doc, nxt.i + 1, skip_det=True)
                    obj = run[-1] if run else None
                if obj is not None:
                    np = self.np_text(obj, span, right=True)
                    if np:
                        return np
            # "12 of the 38 member councils", "two in three councils"
            run = _noun_run(doc, span.end)
            if run and run[-1].tag_ in ("NNS", "NNPS") and any(t.head.i == run[-1].i for t in span):
                np = self.np_text(run[-1], span, right=True)
                if np:
                    return np
            # "an increase of 11 per cent", "a real-terms cut of about 30 per cent"
            if kind == "percent" and root.dep_ == "pobj" and root.head.lower_ == "of" and \
                    root.head.head.pos_ == "NOUN" and root.head.head.lower_ not in QUANTITY_NOUNS:
                np = self.np_text(root.head.head, span)
                if np:
                    return np
            # "the grant fell by 24 per cent": the clause's subject, when the figure is not it
            np = self._clause_subject(span)
            if np:
                return np
            # "a survey of county leaders found that nearly two in three believe ..."
            return self._preceding_plural(span)
        if kind == "money":
            # "a funding gap of £8 billion", "a shortfall of up to £1.6 billion"
            if root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.pos_ == "NOUN":
                np = self.np_text(root.head.head, span)
                if np:
                    return np
            # "£1 billion for social care", "spent £600 million last year on transport"
            for t in doc[span.end:min(len(doc), span.end + 8)]:
                if t.is_punct and t.text not in "-\u2013" or t.lower_ in ("and", "but", "while", "which"):
                    break
                if t.lower_ in ("for", "on") and t.dep_ == "prep":
                    obj = next((ch for ch in t.children if ch.dep_ in ("pobj", "pcomp")), None)
                    if obj is not None and obj.pos_ in ("NOUN", "PROPN") and obj.lower_ not in NOT_SUBJECTS:
                        np = self.np_text(obj, span, right=True)
                        if np:
                            return np
            return self._clause_subject(span)
        # counts: who did the counted thing ("clinics handled 1.1 million appointments"), else
        # the counted noun itself
        np = self._clause_subject(span)
        return np or c.unit

    def _clause_subject(self, span: Span) -> str | None:
        root = span.root
        t = root
        for _ in range(8):
            if t.dep_ in SUBJECTS:
                return None  # the figure is (inside) the subject itself
            if t.pos_ in ("VERB", "AUX") or t.head is t:
                break
            if t.dep_ not in CLIMB:
                return None
            t = t.head
        if t.pos_ not in ("VERB", "AUX"):
            return None
        subj = next((ch for ch in t.children if ch.dep_ in SUBJECTS), None)
        if subj is None and t.dep_ in ("conj", "xcomp", "advcl") and t.head.pos_ in ("VERB", "AUX"):
            subj = next((ch for ch in t.head.children if ch.dep_ in SUBJECTS), None)
        if subj is None or subj.lower_ in PRONOUNS or span.start <= subj.i < span.end:
            return None
        if self.block_start(subj.idx) != self.block_start(span.start_char):
            return None
        if subj.lower_ in QUANTITY_NOUNS:
            return self.np_text(subj, span)
        return self.np_text(subj, span, right=True)

    def _preceding_plural(self, span: Span) -> str | None:
        doc = self.doc
        lo = span[0].sent.start if self.sented else max(0, span.start - 40)
        b0 = self.block_start(span.start_char)
        for i in range(span.start - 1, lo - 1, -1):
            t = doc[i]
            if t.idx < b0:
                break
            if t.tag_ in ("NNS", "NNPS") and t.lower_ not in self.finder.period_nouns and \
                    t.lower_ not in self.finder.fractions and t.lower_ not in NOT_SUBJECTS and \
                    (i + 1 >= len(doc) or doc[i + 1].tag_ not in ("NNS", "NN", "NNP", "NNPS")):
                if t.dep_ in ("dobj", "attr", "npadvmod"):
                    continue  # what the clause does ("had cut beds"), not who it is about
                return self.np_text(t, span)
        return None


# -- small helpers ---------------------------------------------------------------------------------

def _digits(s: str) -> float:
    return float(s.replace(",", ""))


def _is_year(s: str | None) -> bool:
    return bool(s) and len(s) == 4 and s.isdigit() and s[:2] in ("19", "20")



_PREV_WORD = re.compile(r"([\w&'-]+)[.:]?[\s\u00a0]*$")


def _prev_word(text: str, pos: int) -> str:
    m = _PREV_WORD.search(text[max(0, pos - 30):pos])
    return m.group(1).lower() if m else ""


def _noun_run(doc: Doc, i: int, skip_det: bool = False) -> list[Token]:
    """Nouns and adjectives from token ``i`` on, ending at the last noun: "trust chief executives"."""
    run: list[Token] = []
    n = len(doc)
    if skip_det:
        while i < n and doc[i].pos_ in ("DET", "NUM") and len(run) == 0 and i < n - 1:
            i += 1
    j = i
    while j < n and len(run) < 6:
        t = doc[j]
        glued = j + 1 < n and not t.whitespace_ and doc[j + 1].text in ("-", "\u2011")
        if t.pos_ in ("NOUN", "PROPN", "ADJ") and not t.is_punct:
            run.append(t)
        elif t.text in ("-", "\u2011") and not t.whitespace_ and run and not run[-1].whitespace_:
            run.append(t)
        elif glued and (t.like_num or t.is_alpha):
            run.append(t)  # the first half of a compound: "two-tier areas", "council-run homes"
        elif t.tag_ in ("VBN", "VBG") and j + 1 < n and (doc[j + 1].pos_ in ("NOUN", "ADJ", "PROPN") or (
                j + 2 < n and not doc[j + 1].whitespace_ and doc[j + 2].text in ("-", "\u2011"))):
            run.append(t)  # "clinical commissioning groups", "trained staff"
        else:
            break
        j += 1
    while run and run[-1].pos_ not in ("NOUN", "PROPN"):
        run.pop()
    return run


@Language.factory(FACTORY, assigns=["doc._.statistics"], default_config={"patterns_path": None})
def make_statistics(nlp: Language, name: str, patterns_path: str | None) -> StatisticsFinder:
    """Build the component; ``patterns_path`` overrides ``models/statistics.yaml``."""
    return StatisticsFinder(nlp, name, patterns_path=patterns_path)

"""Quotes with their speakers: the ``ics_quotes`` spaCy component.

``nlp.add_pipe("ics_quotes")`` sets ``doc._.quotes``: a list of :class:`ics_text.records.Quote`,
offsets into ``doc.text`` (a document's plain text: blocks separated by blank lines).

How it works, in three layers:

1. A character-level scanner pairs quote marks paragraph by paragraph. Every style counts
   (“ ” ‘ ’ " ' and mixed pairs); a mark's role (open or close) comes from the characters around
   it rather than its glyph, because typed text mixes glyphs freely. Apostrophes (don’t, NHS’s,
   councils’ budgets) are told apart from closing marks by what follows them. A quote left open
   at the end of a paragraph runs to that paragraph's end.
2. The text around each quote, cut to its own sentence, is searched for a reporting verb ("said",
   "added", "warned", ...) or an introducing colon, and the subject of that verb is read as a
   speaker phrase: honorifics, a name, an appositive role, an organisation. Labels count too: a
   dash or a parenthesis after the quote ("- Cllr Jo Hart, LGA chair"), or a name line under a
   pull quote. The tagger's part of speech, the parser (for "..., saying:" and whether a quoted
   fragment is a clause) and the NER's PERSON spans help where present; the component also works
   on a Doc that only went through the tokenizer.
3. Document-level resolution: pronouns and "Mr Doe" resolve to the full name given earlier,
   paragraphs that open with a quote mark continue the last speaker, "the Alliance" resolves to
   the full organisation name the document used before, known organisations get their canonical
   name from the alias table (``models/orgs.yaml``, see :mod:`ics_text.extract.orgs`).

Fragments quoted inside reported speech ("said councils were 'very cautious'") are kept as
``partial`` quotes only when the sentence attributes them; scare quotes, quoted titles
("a report called 'Fit for the future'") and labels are not quotes.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

from ..records import Quote
from . import msgpack  # noqa: F401  (records travel in msgpack: nlp.pipe(n_process=2))
from .orgs import OrgResolver, clean_org, load_aliases

FACTORY = "ics_quotes"
EXTENSION = "quotes"

# Defaults, each in one place (the factory's config and the component's signature use these).
DEFAULT_MIN_WORDS = 3  # an unattributed quote needs at least this many words to count
DEFAULT_CONTINUE_PARAGRAPHS = 3  # how far back a paragraph-opening quote looks for its speaker
DEFAULT_MAX_SUBJECT_WORDS = 30  # a longer "subject" before a verb is not a speaker phrase

if not Doc.has_extension(EXTENSION):
    Doc.set_extension(EXTENSION, default=None)



# -- quote marks -----------------------------------------------------------------------------------

DOUBLE = frozenset("\u201c\u201d\"\u201e\u201f\u00ab\u00bb")
SINGLE = frozenset("\u2018\u2019'\u201a\u201b\u2039\u203a")
MARKS = DOUBLE | SINGLE
OPEN_GLYPHS = frozenset("\u201c\u201e\u201f\u00ab\u2018\u201a\u201b\u2039")
CLOSE_GLYPHS = frozenset("\u201d\u00bb\u2019\u203a")
_MARK_RE = re.compile("[" + re.escape("".join(sorted(MARKS))) + "]")
# What may stand just before an opening mark / just after a closing one.
_BEFORE_OPEN = frozenset("([{\u2014\u2013-/:;,") | MARKS
_AFTER_CLOSE = frozenset(".,;:!?)]}\u2014\u2013-/\u2026") | MARKS
_YEAR_ELISION = re.compile(r"\d\d(?:s\b|\b)")  # ’90s, '22
_NEXT_WORD = re.compile(r"\s*([A-Za-z]+)")

REPORTING_VERBS = (
    "said says say saying added adds adding warned warns warning told tells telling explained "
    "explains explaining commented comments stated states noted notes noting argued argues arguing "
    "claimed claims insisted insists insisting stressed stresses stressing emphasised emphasises "
    "emphasising emphasized emphasizes urged urges urging continued continues concluded concludes "
    "acknowledged acknowledges admitted admits asked asks replied replies responded responds wrote "
    "writes observed observes suggested suggests cautioned cautions highlighted highlights "
    "remarked remarks declared declares announced announces agreed agrees recalled recalls "
    "predicted predicts reflected reflects believes believed described describes describing "
    "called calls branded brands labelled labels dubbed welcomed welcomes welcoming revealed "
    "reveals confirmed confirms maintained maintains complained complains conceded concedes "
    "thinks thought feels felt hopes fears promised promises pledged pledges warn tell urge insist "
    "argue claim explain admit respond reply write comment").split()
_PHRASAL_CUES = ("pointed out", "points out", "went on", "goes on", "put it", "puts it", "according to")
# Words that are nouns as often as verbs: a cue only when the tagger says verb.
_NOUN_LIKE_CUES = frozenset("states notes comments claims calls highlights fears hopes labels brands "
                            "concludes responds reflects remarks thought".split())
_CUE_RE = re.compile(r"(?<![\w'’-])(?:" + "|".join(p.replace(" ", r"\s+") for p in _PHRASAL_CUES)
                     + "|" + "|".join(REPORTING_VERBS) + r")(?![\w'’-])", re.I)
# "called on the Government to ...", "calls for": a call, not a quotation.
_ACCORDING_WHO = re.compile(r"\s+(?:(?:the|a|an|one|its|their)\s+)?[A-Z]")
_NOT_CUE_AFTER = re.compile(r"\s+(?:on|upon|for|in)\b", re.I)

# Words that may follow a closing single mark after an "s" (where "councils’ budgets" would be an
# apostrophe): function words and verbs start the rest of a sentence; nouns follow a possessive.
_AFTER_QUOTE_WORDS = frozenset((
    "and but or nor to of in on for from with as at by the a an is was were are be been that which "
    "who whom when while because than after before about over into onto this these those its his "
    "her their our we i you he she they it not so also then until unless if whether yet since "
    "though although according despite among amid against through during without within across "
    "per instead rather there here").split()) | frozenset(REPORTING_VERBS)

# -- names, roles, organisations -------------------------------------------------------------------

HONORIFICS = ("Cllr", "Councillor", "Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Professor", "Prof",
              "Lord", "Lady", "Baroness", "Baron", "Sir", "Dame", "Rt Hon", "Right Honourable",
              "Rev", "Revd", "Reverend")
_HON_RE = re.compile(r"(?<![\w-])(?:(?:the\s+)?(?:" + "|".join(h.replace(" ", r"\.?\s+") for h in HONORIFICS)
                     + r")\.?\s+)+", re.I)
_POSTNOMINALS = frozenset("MP MBE OBE CBE DBE KBE JP QC KC FRCP FRCS PhD MSP MLA FRS FMedSci".split())
_PARTICLES = frozenset("de da di del della van von der den le la bin al el ap".split())
_PRONOUNS = {"he": "he", "she": "she", "they": "they", "it": "it", "we": "we", "i": "i"}
_PERSON_PRONOUNS = frozenset({"he", "she", "they"})

# Words that end or break a run of capitalised words as a person's name.
ROLE_WORDS = frozenset((
    "chair chairman chairwoman chairperson vice deputy chief executive director leader president "
    "secretary minister officer head spokesperson spokesman spokeswoman member members manager "
    "lead principal governor mayor councillor cabinet portfolio holder convenor board trustee "
    "founder partner professor adviser advisor commissioner clinical medical nursing finance "
    "policy strategy operations senior associate assistant interim acting general national "
    "regional programme program co-chair ceo cfo coo mp health care social adult children's "
    "public services service local").split())
ORG_HEADS = frozenset((
    "Association Alliance Network Confederation Council Councils Institute Foundation Fund Trust "
    "Trusts Forum Board Commission Committee Authority Agency Department Ministry Office Service "
    "Services Partnership Group Society College Federation Union Centre Center Providers Employers "
    "Unit Collaborative University Hospital Hospitals Party Assembly Parliament Government Treasury "
    "Panel Institution Company Ltd Limited Charity Coalition Consortium Observatory Academy "
    "Executive Team Care").split())
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
_POSITION_WORDS = frozenset((
    "chair chairman chairwoman chairperson chief executive director leader president secretary "
    "minister officer head spokesperson spokesman spokeswoman member manager deputy vice mayor "
    "councillor cabinet portfolio founder partner professor adviser advisor commissioner lead "
    "co-chair ceo").split())
_ORG_LEAD_DROP = frozenset((
    "The A An Today However Meanwhile But And In On At For As With Also Its Their Our Both Each "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Yesterday Last This Next").split())
# Kinds of body rather than one organisation: not a speaker's organisation.
GENERIC_ORGS = frozenset({"Integrated Care Boards", "Integrated Care Systems"})
_DOCUMENT_SPEAKER = re.compile(
    r"\b(?:report|paper|survey|study|review|document|plan|strategy|analysis|research|briefing|guidance|"
    r"bill|letter|framework|consultation|figures|data|findings|evidence|index|article|blog|book|"
    r"submission|response|publication|policy|white paper|green paper|statement)s?$", re.I)
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
_DASH_ATTRIBUTION = re.compile(r"^\s*,?\s*([\u2013\u2014(]|-{1,2}(?=\s))\s*")
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
_RELATIVE_FIRST = frozenset("who whose which where when whom".split())
_TRAILING_SUBJECT_WORDS = frozenset((
    "also has have had was is were are will would then later further previously recently today "
    "yesterday separately however meanwhile again once earlier now too both all herself himself "
    "themselves itself simply just only has").split())
_DESCRIPTION_LOWER = frozenset((
    "one a an another some many several the most few other two three four five six seven eight "
    "nine ten half more each every any no all both our their its this that these those").split())

_ORG_PHRASE = re.compile(
    r"(?:(?:[A-Z][\w'’&.-]*|of|for|and|the|on)\s+){0,6}?"
    r"(?:[A-Z][\w'’&.-]*\s+)*(?:" + "|".join(sorted(ORG_HEADS - {"Care", "Team", "Executive"}))
    + r")\b(?:\s+(?:of|for|on|in)\s+(?:the\s+)?[A-Z][\w&-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w&-]*){0,5})?")
_WORD = re.compile(r"[^\W_][\w'’.-]*|&")

# Titles and labels in quote marks.
_TITLE_BEFORE = re.compile(r"(?:\b(?:called|entitled|titled|named|headlined|known\s+as|so-called|"
                           r"dubbed|badged|coined|term|phrase|word|words|motto|slogan|hashtag)|#)\s*$", re.I)
_LABEL_AFTER = re.compile(
    r"^\s*(?:report|reports|plan|plans|strategy|programme|program|campaign|initiative|scheme|guide|"
    r"toolkit|framework|model|approach|agenda|review|paper|publication|survey|study|project|fund|"
    r"pilot|series|event|conference|award|awards|principle|principles|test|duty|policy|bill|act|"
    r"document|consultation|pledge|charter|ambition|standard|standards|vision|mission|statement|"
    r"webinar|podcast|blog|briefing|report's|agreement|deal|commitment|category|label|status|"
    r"pathway|service|services|model|offer|approach)\b", re.I)
_TERMINAL = frozenset(".!?\u2026")
_SENT_BOUNDARY = re.compile(r"[.!?\u2026]+[\"'’”)\]]*\s+(?=[A-Z0-9\"'‘“(\[]|$)")
_ABBREVIATIONS = frozenset("mr mrs ms dr prof cllr st no rt hon rev revd vs etc e.g i.e co ltd inc jr sr "
                           "gov sen rep col gen lt capt sgt fig approx jan feb mar apr jun jul aug sep "
                           "sept oct nov dec p pp vol ch para cf al".split())
_LIST_MARKER = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014]|\d{1,3}[.)])\s*$")
_ENDS_WITH_CUE = re.compile(r"(" + _CUE_RE.pattern + r")[\s,]*$", re.I)
# Verbs of opinion or naming: they attribute a fragment but do not introduce a whole quotation.
_WEAK_CUES = frozenset("felt feels thinks thought believes believed hopes fears described describes "
                       "describing called calls branded brands labelled labels dubbed welcomed welcomes "
                       "welcoming promised promises pledged pledges".split())
_ENDS_WITH_THAT = re.compile(r"\bthat$")
_CLAUSE_SUBJ = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})


@dataclass
class _Span:
    """One top-level quote found by the scanner (absolute offsets)."""

    start: int  # content start
    end: int  # content end
    open: int  # the opening mark (== paragraph start when continued without one)
    close: int  # just after the closing mark, or the paragraph end when left open
    closed: bool


@dataclass
class Speaker:
    name: str | None
    role: str | None = None
    org: str | None = None
    kind: str = "name"  # name | pronoun | description | org


@dataclass
class _Attribution:
    cue: str
    speaker: Speaker | None
    pos: int  # where the cue is (for ordering and look-ups)


class QuoteExtractor:
    """The ``ics_quotes`` component: sets ``doc._.quotes``.

    The organisation alias table is part of the component (``self.aliases``), saved with
    ``to_disk``/``to_bytes`` so that a saved pipeline needs nothing outside it.
    """

    def __init__(self, nlp: Language | None = None, name: str = FACTORY, *,
                 min_words: int = DEFAULT_MIN_WORDS,
                 continue_paragraphs: int = DEFAULT_CONTINUE_PARAGRAPHS,
                 max_subject_words: int = DEFAULT_MAX_SUBJECT_WORDS,
                 aliases: dict | None = None):
        self.name = name
        self.min_words = min_words
        self.continue_paragraphs = continue_paragraphs
        self.max_subject_words = max_subject_words
        self.set_aliases(aliases if aliases is not None else load_aliases())

    def set_aliases(self, aliases: dict) -> None:
        self.orgs = OrgResolver(aliases)
        self.aliases = self.orgs.table

    def __call__(self, doc: Doc) -> Doc:
        doc._.set(EXTENSION, _DocQuotes(doc, self).run())
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    # -- serialisation (the alias table and the settings) --
    def _cfg(self) -> dict:
        return {"min_words": self.min_words, "continue_paragraphs": self.continue_paragraphs,
                "max_subject_words": self.max_subject_words}

    def _load_cfg(self, cfg: dict) -> None:
        for k in ("min_words", "continue_paragraphs", "max_subject_words"):
            if k in cfg:
                setattr(self, k, int(cfg[k]))

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"cfg": self._cfg(), "aliases": self.aliases})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "QuoteExtractor":
        msg = srsly.msgpack_loads(data)
        self._load_cfg(msg.get("cfg", {}))
        self.set_aliases(msg.get("aliases", {}))
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self._cfg())
        srsly.write_json(path / "orgs.json", self.aliases)

    def from_disk(self, path, *, exclude=tuple()) -> "QuoteExtractor":
        path = ensure_path(path)
        if (path / "cfg.json").exists():
            self._load_cfg(srsly.read_json(path / "cfg.json"))
        if (path / "orgs.json").exists():
            self.set_aliases(srsly.read_json(path / "orgs.json"))
        return self


@Language.factory(FACTORY, assigns=[f"doc._.{EXTENSION}"],
                  default_config={"min_words": DEFAULT_MIN_WORDS,
                                  "continue_paragraphs": DEFAULT_CONTINUE_PARAGRAPHS,
                                  "max_subject_words": DEFAULT_MAX_SUBJECT_WORDS})
def make_quote_extractor(nlp: Language, name: str, min_words: int, continue_paragraphs: int,
                         max_subject_words: int) -> QuoteExtractor:
    return QuoteExtractor(nlp, name, min_words=min_words, continue_paragraphs=continue_paragraphs,
                          max_subject_words=max_subject_words)


def extract_quotes(doc: Doc, component: QuoteExtractor | None = None) -> list[Quote]:
    """The quotes of a Doc without adding the component to a pipeline."""
    return _DocQuotes(doc, component or QuoteExtractor()).run()


# -- the scanner -----------------------------------------------------------------------------------

def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each block of ``text``: blocks are separated by blank lines."""
    out = []
    pos = 0
    for m in re.finditer(r"\n[ \t\r\f\v]*\n\s*", text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    res = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            res.append((a, b))
    return res


def _mark_events(text: str, ps: int, pe: int) -> list[tuple[int, str, str, str]]:
    """Quote-mark events of one paragraph: (position, family "d"/"s", role, next word).

    role is "open", "close" or "poss" (a single mark after an "s" and before a word: a plural
    possessive unless it closes an open single quote).
    """
    events = []
    for m in _MARK_RE.finditer(text, ps, pe):
        i = m.start()
        c = text[i]
        fam = "d" if c in DOUBLE else "s"
        p = text[i - 1] if i > ps else None
        n = text[i + 1] if i + 1 < pe else None
        if fam == "s" and p is not None and n is not None and p.isalnum() and n.isalnum():
            continue  # don't, NHS’s, O’Brien
        left = (p is None or p.isspace() or p in _BEFORE_OPEN) and n is not None and not n.isspace()
        right = p is not None and not p.isspace() and (n is None or n.isspace() or n in _AFTER_CLOSE)
        if left and right:
            if c in OPEN_GLYPHS:
                right = False
            elif c in CLOSE_GLYPHS:
                left = False
            else:
                continue
        if left:
            if fam == "s" and _YEAR_ELISION.match(text, i + 1, pe):
                continue  # ’90s
            events.append((i, fam, "open", ""))
        elif right:
            role, word = "close", ""
            if fam == "s" and p in "sS" and n is not None and n.isspace():
                w = _NEXT_WORD.match(text, i + 1, pe)
                if w:
                    role, word = "poss", w.group(1).lower()
            events.append((i, fam, role, word))
    return events


def _strong_close_ahead(events) -> list[bool]:
    """For each event: whether an unambiguous closing single mark comes before the next opening one.

    One backward pass, so a paragraph full of "trusts' budgets" stays linear.
    """
    out = [False] * len(events)
    ahead = False
    for k in range(len(events) - 1, -1, -1):
        out[k] = ahead
        _, fam, role, _ = events[k]
        if fam == "s":
            if role == "close":
                ahead = True
            elif role == "open":
                ahead = False
    return out


def scan_paragraph(text: str, ps: int, pe: int, carried: bool = False) -> tuple[list[_Span], bool]:
    """Top-level quotes of the paragraph text[ps:pe], and whether one is left open at its end.

    ``carried``: the previous paragraph ended inside a quote, so a closing mark met before any
    opening one closes a quote that started at this paragraph's beginning.
    """
    events = _mark_events(text, ps, pe)
    strong_ahead = _strong_close_ahead(events) if any(e[2] == "poss" for e in events) else None
    spans: list[_Span] = []
    stack: list[tuple[str, int]] = []  # (family, content start)

    def emit(cs: int, ce: int, open_at: int, close_at: int, closed: bool) -> None:
        while cs < ce and text[cs].isspace():
            cs += 1
        while ce > cs and text[ce - 1].isspace():
            ce -= 1
        if ce > cs:
            spans.append(_Span(cs, ce, open_at, close_at, closed))

    for k, (i, fam, role, word) in enumerate(events):
        if role == "poss":
            if stack and stack[-1][0] == "s" and word in _AFTER_QUOTE_WORDS and not strong_ahead[k]:
                role = "close"
            else:
                continue
        if role == "open":
            if stack and stack[-1][0] == fam:
                # the same style opened inside itself: the earlier quote was never closed
                if len(stack) == 1:
                    emit(stack[0][1], i, stack[0][1] - 1, i, False)
                    stack.clear()
                else:
                    stack.pop()
            stack.append((fam, i + 1))
            continue
        # a closing mark
        at = next((j for j in range(len(stack) - 1, -1, -1) if stack[j][0] == fam), None)
        if at is None:
            if not stack and carried and not spans:
                emit(ps, i, ps, i + 1, True)  # closes a quote opened in the previous paragraph
                carried = False
            continue
        if at == 0:
            emit(stack[0][1], i, stack[0][1] - 1, i + 1, True)
            stack.clear()
        else:
            del stack[at:]
    if stack:
        emit(stack[0][1], pe, stack[0][1] - 1, pe, False)
        return spans, True
    return spans, False


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Every top-level quoted span of ``text`` (content offsets), speakers aside."""
    out, carried = [], False
    for ps, pe in paragraphs(text):
        spans, carried = scan_paragraph(text, ps, pe, carried)
        out.extend((s.start, s.end) for s in spans)
    return out


# -- per-document work -----------------------------------------------------------------------------

class _DocQuotes:
    """Quotes of one Doc: scanning, attribution and resolution, in one linear pass."""

    def __init__(self, doc: Doc, comp: QuoteExtractor):
        self.doc = doc
        self.text = doc.text
        self.comp = comp
        self.orgs = comp.orgs
        self._starts: list[int] | None = None
        self._persons: list[tuple[int, int]] | None = None
        self._org_index: dict[str, list[tuple[int, str]]] | None = None
        # A look at the first tokens is enough: a tagger or parser annotates every token, and
        # Doc.has_annotation would walk the whole Doc when the answer is no.
        head = doc[:64]
        self.tagged = any(t.tag_ for t in head)
        self.parsed = any(t.dep_ for t in head)
        self.speakers: list[Speaker] = []  # named speakers, in order of appearance
        self.last: Speaker | None = None
        self.last_cue: str | None = None
        self.last_para = -10
        self.last_label = False
        self.paras: list[tuple[int, int]] = []
        self.flags: list[tuple[bool, bool, bool]] = []
        self.prev_tail: tuple[int, int] | None = None  # previous paragraph after its last quote
        self.open_rec: Quote | None = None  # the last record, when its quote ran open mid-sentence

    # -- look-ups into the Doc (built lazily: most paragraphs have no quotes) --
    def token_at(self, pos: int):
        if self._starts is None:
            self._starts = self.doc.to_array("IDX").tolist()
        k = bisect.bisect_right(self._starts, pos) - 1
        return self.doc[k] if 0 <= k < len(self.doc) else None

    def tokens_in(self, a: int, b: int):
        if self._starts is None:
            self._starts = self.doc.to_array("IDX").tolist()
        i = bisect.bisect_left(self._starts, a)
        j = bisect.bisect_left(self._starts, b)
        return self.doc[i:j]

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

    # -- the pass --
    def run(self) -> list[Quote]:
        text = self.text
        if not text or not _MARK_RE.search(text):
            return []
        out: list[Quote] = []
        headline_quotes: list[int] = []
        chain: list[int] = []  # records of a quote running over paragraphs with no speaker of its own
        paras = self.paras = paragraphs(text)
        carried = False
        pending: _Attribution | None = None  # "Name, role, said:" closing the previous paragraph
        for pi, (ps, pe) in enumerate(paras):
            has_marks = _MARK_RE.search(text, ps, pe) is not None
            spans, open_end = scan_paragraph(text, ps, pe, carried) if has_marks else ([], False)
            if self.open_rec is not None and text[ps].islower():
                # a paragraph cut in two (a page break in a PDF): the open quote runs on into it
                q = self.open_rec
                if not has_marks:
                    out[-1] = self.open_rec = replace(q, text=text[q.start:pe], end=pe)
                    carried, pending = True, None
                    continue
                if spans and spans[0].open == ps:
                    end = spans[0].end
                    out[-1] = replace(q, text=text[q.start:end], end=end)
                    spans = spans[1:]
            self.open_rec = None
            if spans:
                found = self.paragraph_quotes(pi, ps, pe, spans, pending, carried)
                if found and _is_headline(text, ps, pe):
                    headline_quotes.extend(range(len(out), len(out) + len(found)))
                base = len(out)
                out.extend(found)
                chain = self.run_on(out, chain, base, carried, open_end) if found else []
            else:
                chain = []
            if not open_end:
                self.open_rec = None
            pending = None
            tail_from = spans[-1].close if spans else ps
            self.prev_tail = (tail_from, pe) if tail_from < pe else None
            if not open_end and text[pe - 1] == ":" and tail_from < pe:
                pending = self.intro(tail_from, pe)
            carried = open_end
        for i in headline_quotes:
            self.from_body(out, i)
        return out

    def run_on(self, out: list[Quote], chain: list[int], base: int, carried: bool, open_end: bool) -> list[int]:
        """Give the paragraphs of a quote running over several the speaker named at its end.

        "'First paragraph ... \n\n 'Last paragraph,' said Jane Doe.": the earlier paragraphs
        had no attribution of their own and take Jane Doe's. Returns the new chain.
        """
        explicit, at_start, _ = self.flags[0]
        if chain and carried and at_start and explicit and out[base].speaker:
            q = out[base]
            for j in chain:
                out[j] = replace(out[j], speaker=q.speaker, speaker_role=q.speaker_role,
                                 speaker_org=q.speaker_org, cue=q.cue)
            chain = []
        if not (carried and at_start):
            chain = []
        if open_end and not self.flags[-1][2]:
            if not self.flags[-1][0]:
                return chain + [len(out) - 1]
            return []
        return []

    @staticmethod
    def from_body(out: list[Quote], i: int) -> None:
        """A title that repeats words quoted in the body takes that quote's speaker."""
        q = out[i]
        key = _squash(q.text)
        if len(key) < 12:
            return
        for later in out[i + 1:]:
            if later.speaker and key in _squash(later.text):
                out[i] = replace(q, speaker=later.speaker, speaker_role=later.speaker_role,
                                 speaker_org=later.speaker_org)
                return

    def name_line(self, pi: int) -> Speaker | None:
        """Block ``pi`` when it is only a name with a role ("Amy Chen, social worker, Wealdshire")."""
        if pi >= len(self.paras):
            return None
        a, b = self.paras[pi]
        m = re.match(r"[\u2013\u2014-]*\s*", self.text[a:b])
        a += m.end()
        while b > a and self.text[b - 1] in ". ":
            b -= 1
        if b - a > 150 or _MARK_RE.search(self.text, a, b) or any(True for _ in self.cues(a, b)):
            return None
        sp = self.parse_subject(a, b)
        if sp is not None and sp.kind == "name" and self.find_name(*self.chunks(a, b)[0]) is not None:
            return sp
        return None

    def intro(self, a: int, b: int) -> _Attribution | None:
        """The attribution of a paragraph ending "Name, role, said:" (its last sentence)."""
        a = self.sentence_start(a, b)
        att = self.attribute_before(a, b)
        if att and att.speaker:
            return att
        return None

    def paragraph_quotes(self, pi, ps, pe, spans, pending, carried) -> list[Quote]:
        text = self.text
        out = []
        prev_att: _Attribution | None = None  # attribution of the previous quote in this paragraph
        prev_sentence_open = False  # previous quote's sentence goes on into this one
        prev_partial = False
        inferred = False  # the speaker came from context, not from this quote's own sentence
        self.flags = []  # (explicitly attributed, opens the paragraph, closed) for each record returned
        headline = None  # whether the paragraph is a title or heading (worked out when needed)
        for k, sp in enumerate(spans):
            gap_a = spans[k - 1].close if k else ps
            gap_b = sp.open
            nxt = spans[k + 1].open if k + 1 < len(spans) else pe
            pre_a = self.sentence_start(gap_a, gap_b)
            same_sentence = k > 0 and pre_a == gap_a and prev_sentence_open and prev_att is not None
            pre = text[pre_a:gap_b]
            post_b = self.sentence_end(sp.close, nxt)
            content = text[sp.start:sp.end]
            ends_terminal = content[-1] in _TERMINAL or (sp.close < pe and text[sp.close:sp.close + 1] in _TERMINAL)
            at_para_start = k == 0 and (not text[ps:sp.open].strip() or _LIST_MARKER.match(text[ps:sp.open]) is not None)
            pre_s = pre.strip()
            sentence_start = not pre_s or _LIST_MARKER.match(pre) is not None
            if k > 0 and not same_sentence and pre_a == gap_a and not pre_s:
                sentence_start = True

            # -- is it a quotation at all? --
            if self.is_label(pre, sp, content, pe):
                prev_sentence_open = not ends_terminal
                continue

            # -- who said it: the sentence before the quote, then the one after, then context --
            att, from_post = None, False
            if pre_s:
                att = self.attribute_before(pre_a, gap_b)
            if att is None or att.speaker is None:
                post_att = self.attribute_after(sp.close, post_b, content, ends_terminal)
                if post_att is not None and (att is None or post_att.speaker is not None):
                    att, from_post = post_att, True
            if (att is None or att.speaker is None) and same_sentence and prev_att is not None:
                # "..., adding that it was 'X'": the speaker of the sentence so far
                att = prev_att if att is None else _Attribution(att.cue, prev_att.speaker, att.pos)

            if att is None and pre_s and not same_sentence and headline is None:
                headline = _is_headline(text, ps, pe)
            if att is None and pre_s and not same_sentence and headline:
                # headline style, verb left out: "Health leaders 'deeply concerned' over ..."
                sub = self.parse_subject(pre_a, gap_b) if len(pre_s.split()) <= 6 else None
                if sub is not None and (sub.kind in ("name", "org") or
                                        sub.kind == "description" and _PERSONISH.search(sub.name)):
                    att = _Attribution(None, sub, gap_b)

            # -- a whole quotation or a fragment inside reported speech? --
            ends_colon = pre_s.endswith(":")
            cue_end = _ENDS_WITH_CUE.search(pre_s) if pre_s else None
            ends_cue = cue_end is not None and cue_end.group(1).lower() not in _WEAK_CUES
            if same_sentence:
                # "'Councils,' said Cllr Soman, 'are ...'": the attribution only interrupts the quote
                interrupted = att is not None and att is not prev_att and not from_post and \
                    (pre_s.endswith(",") or ends_colon)
                partial = prev_partial if interrupted else True
            else:
                partial = not (sentence_start or ends_colon or ends_cue)
                if partial and (_ENDS_WITH_THAT.search(pre_s) or pre_s.endswith(",") and att is not None) \
                        and self.is_clause(sp.start, sp.end):
                    partial = False
                post_lead = text[sp.close:post_b].lstrip(" \t")
                if not partial and sentence_start and not from_post and not ends_terminal and \
                        content[-1] not in ",;:" and post_lead[:1].islower() and len(content.split()) < 6:
                    partial = True  # "'Very cautious' was how one leader put it"

            speaker = None
            if att is not None and att.speaker is not None:
                if att.speaker.kind == "pronoun" and att.speaker.name is None:
                    ante = self.antecedent(spans[k - 1].close if k else ps, sp.open, att.pos)
                    if ante is None and k == 0 and self.prev_tail is not None:
                        ante = self.antecedent(*self.prev_tail, -1)
                    if ante is not None:
                        att = _Attribution(att.cue, ante, att.pos)
                speaker = self.resolve(att.speaker, sp.start)
            if partial:
                if speaker is None or speaker.kind == "description" and _DOCUMENT_SPEAKER.search(speaker.name):
                    # "The paper describes a 'postcode lottery'": nobody is quoted
                    prev_sentence_open = not ends_terminal
                    continue
            else:
                inferred = att is None
                if att is None and prev_att is not None and not pre_s:
                    att = prev_att
                    speaker = att.speaker
                if att is None and pending is not None and k == 0 and at_para_start:
                    att, inferred = pending, False
                    speaker = self.resolve(att.speaker, sp.start)
                if att is None and at_para_start and len(spans) == 1 and not text[sp.close:pe].strip(" .,"):
                    # a pull quote: the whole block, with a name line under it
                    sub = self.name_line(pi + 1)
                    if sub is not None:
                        att, inferred = _Attribution(None, sub, sp.start), False
                        speaker = self.resolve(sub, sp.start)
                if att is None and at_para_start and self.last is not None and not self.last_label and \
                        pi - self.last_para <= self.comp.continue_paragraphs and self.looks_spoken(content, sp):
                    att = _Attribution(self.last_cue or "said", self.last, sp.start)
                    speaker = self.last
                if speaker is None and not self.looks_spoken(content, sp):
                    prev_sentence_open = not ends_terminal
                    continue
            if speaker is not None:
                self.last, self.last_cue, self.last_para = speaker, att.cue, pi
                # a quote labelled with its source ("- ICB chair", a name line) does not run on
                self.last_label = att.cue is None or att.cue in "\u2013\u2014--"
            prev_att = _Attribution(att.cue, speaker, att.pos) if att else None
            prev_partial = partial
            prev_sentence_open = not ends_terminal
            out.append(Quote(text=content, speaker=speaker.name if speaker else None,
                             speaker_role=speaker.role if speaker else None,
                             speaker_org=speaker.org if speaker else None,
                             cue=att.cue if att else None, partial=partial, start=sp.start, end=sp.end))
            self.flags.append((partial or not inferred, at_para_start, sp.closed))
            if not sp.closed and content[-1] not in _TERMINAL and content[-1] not in ":":
                self.open_rec = out[-1]
        return out

    def antecedent(self, lo: int, hi: int, cue_pos: int) -> Speaker | None:
        """Who "he"/"she" is when the paragraph named someone since the last quote.

        "One director told me that her council ... 'People volunteered,' she said.": the subject
        of the latest reporting verb in text[lo:hi] that is a name or a description.
        """
        found = [m for m in self.cues(lo, hi) if m.start() != cue_pos]
        for m in reversed(found):
            a = self.sentence_start(lo, m.start())
            sp = self.subject_of(m, a, self.sentence_end(m.end(), hi))
            if sp is not None and (sp.kind == "name" or sp.kind == "description" and _PERSONISH.search(sp.name)):
                return sp
        return None

    # -- sentence limits inside a gap between quotes --
    def _boundaries(self, a: int, b: int):
        text = self.text
        for m in _SENT_BOUNDARY.finditer(text, a, b):
            j = m.start()
            w = re.search(r"([\w.]+)$", text[max(a, j - 12):j])
            if w and (w.group(1).lower().rstrip(".") in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", w.group(1))):
                continue
            yield m.end()

    def sentence_start(self, a: int, b: int) -> int:
        s = a
        for s2 in self._boundaries(a, b):
            s = s2
        return s

    def sentence_end(self, a: int, b: int) -> int:
        for s2 in self._boundaries(a, b):
            return s2
        return b

    # -- quotation or label --
    def is_label(self, pre: str, sp: _Span, content: str, pe: int) -> bool:
        """Quoted titles, names of things and scare quotes around a term."""
        if _TITLE_BEFORE.search(pre):
            return True
        words = content.split()
        if len(words) <= 8 and content[-1] not in _TERMINAL and content[-1] not in ",;:" and \
                _LABEL_AFTER.match(self.text, sp.close, pe) and not pre.rstrip().endswith(":"):
            return True
        if 2 <= len(words) <= 10 and content[-1] not in _TERMINAL and not pre.rstrip().endswith(":"):
            long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
            if long_words and all(w[0].isupper() for w in long_words) and words[0][0].isupper() and \
                    len(long_words) >= 2:
                return True
        return False

    def looks_spoken(self, content: str, sp: _Span) -> bool:
        """An unattributed quote still counts when it reads like speech, not a term or title."""
        words = content.split()
        if len(words) < self.comp.min_words:
            return False
        return content[-1] in _TERMINAL or content[-1] in ",;:" or not sp.closed or len(words) >= 6

    def is_clause(self, a: int, b: int) -> bool:
        """Whether text[a:b] has a subject and a verb of its own (a reported clause, not a fragment)."""
        if not self.parsed:
            return len(self.text[a:b].split()) >= 5
        for t in self.tokens_in(a, b):
            if t.dep_ in _CLAUSE_SUBJ and a <= t.head.idx < b and t.head.pos_ in ("VERB", "AUX"):
                return True
        return False

    # -- reporting verbs and their subjects --
    def cues(self, a: int, b: int):
        text = self.text
        for m in _CUE_RE.finditer(text, a, b):
            word = m.group().lower()
            if word in ("called", "calls") and _NOT_CUE_AFTER.match(text, m.end(), b):
                continue
            if word.startswith("according") and not _ACCORDING_WHO.match(text, m.end(), b):
                continue  # "shared out according to population"
            if self.tagged and (word in _NOUN_LIKE_CUES or word.endswith("ing") or word == "believed"):
                t = self.token_at(m.start())
                if t is not None and t.pos_ not in ("VERB", "AUX"):
                    continue
            yield m

    def attribute_before(self, a: int, b: int) -> _Attribution | None:
        """Attribution in the sentence text[a:b] that comes before a quote (or ends with a colon)."""
        text = self.text
        found = list(self.cues(a, b))
        if not found:
            frag = text[a:b].rstrip()
            if frag.endswith(":"):
                sp = self.parse_subject(a, a + len(frag) - 1)
                if sp is not None and sp.kind in ("name", "org"):
                    return _Attribution(":", sp, a + len(frag) - 1)
            return None
        m = found[-1]
        cue = _cue_text(m.group())
        tail = text[m.end():b].strip(" \t,")
        if len(found) > 1 and not text[a:b].rstrip().endswith(":") and not cue.endswith("ing"):
            # a fragment inside reported speech: the sentence's first reporting verb is the one that
            # attributes it ("Leaders told us they felt 'abandoned'")
            for f in found:
                if f.group().lower().endswith("ing"):
                    continue
                sp = self.subject_of(f, a, b)
                if sp is not None:
                    return _Attribution(_cue_text(f.group()), sp, f.start())
        if cue.endswith("ing") and cue not in ("according to",):
            # "Cllr Doe warned that ..., describing it as 'acute'": the finite verb's subject
            sp = None
            finite = [f for f in found[:-1] if not f.group().lower().endswith("ing")]
            if finite:
                sp = self.subject_of(finite[-1], a, b)
            if sp is None:
                sp = self.participle_subject(m.start(), a)
            return _Attribution(cue, sp, m.start())
        return _Attribution(cue, self.subject_of(m, a, b), m.start())

    def attribute_after(self, a: int, b: int, content: str, ends_terminal: bool) -> _Attribution | None:
        """Attribution in the sentence text[a:b] that follows a quote: '..., said Jane Doe.'"""
        text = self.text
        frame = text[a:b]
        lead = frame.lstrip(" \t,:;\u2013\u2014-")
        if not lead:
            return None
        dash = _DASH_ATTRIBUTION.match(frame)
        if dash and not _CUE_RE.search(frame):
            # "'...' - Cllr Dana Price, LGA chair", "'...' (ICB chief executive)"
            end = a + dash.end() + frame[dash.end():].index(")") if dash.group(1) == "(" and ")" in frame \
                else self._clause_end(a + dash.end(), b)
            sp = self.parse_subject(a + dash.end(), end)
            if sp is not None and (sp.kind in ("name", "org") or
                                   sp.kind == "description" and _PERSONISH.search(sp.name)):
                return _Attribution(dash.group(1) if dash.group(1) != "(" else None, sp, a + dash.start(1))
            return None
        if ends_terminal and content[-1] == "." and lead[:1].isupper() and not lead.lower().startswith("said"):
            return None  # the quote closed its sentence; what follows is a new one
        for m in self.cues(a, b):
            cue = _cue_text(m.group())
            before = text[a:m.start()]
            if len(before.split()) > self.comp.max_subject_words:
                return None
            sp = self.subject_of(m, a, b, after_quote=True)
            return _Attribution(cue, sp, m.start())
        return None

    def subject_of(self, m: re.Match, a: int, b: int, after_quote: bool = False) -> Speaker | None:
        """The speaker of the cue ``m``: the text before it, or after it when inverted."""
        text = self.text
        cue = m.group().lower()
        sa = a
        before = text[sa:m.start()]
        if cue.startswith("according"):
            return self.parse_subject(m.end(), self._clause_end(m.end(), b))
        if before.strip(" \t,:;\u2013\u2014-") and not (after_quote and _only_joiner(before)):
            if len(before.split()) > self.comp.max_subject_words:
                # a long run-up: keep its last clause
                cut = max(before.rfind(","), before.rfind(";"))
                if cut < 0:
                    return None
                sa = sa + cut + 1
            sp = self.parse_subject(sa, m.start())
            if sp is not None:
                return sp
            if not after_quote:
                return None
        # inverted: "said Jane Doe, chief executive of ..."
        return self.parse_subject(m.end(), self._clause_end(m.end(), b))

    def _clause_end(self, a: int, b: int) -> int:
        """End of an inverted subject: a colon, a full stop, or the end of the frame."""
        text = self.text
        end = b
        for ch in ":;":
            j = text.find(ch, a, b)
            if j >= 0:
                end = min(end, j)
        while end > a and text[end - 1] in " .\u2026":
            end -= 1
        return end

    def participle_subject(self, pos: int, a: int) -> Speaker | None:
        """The subject of the verb a participle cue hangs from ("The LGA welcomed it, saying: ...")."""
        if not self.parsed:
            return None
        t = self.token_at(pos)
        if t is None:
            return None
        h = t.head
        for _ in range(4):
            subj = [c for c in h.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subj:
                s = subj[0]
                lo, hi = s.left_edge.idx, s.right_edge.idx + len(s.right_edge)
                if lo >= a:
                    return self.parse_subject(lo, hi)
                return None
            if h.head is h:
                break
            h = h.head
        return None

    # -- speaker phrases --
    def parse_subject(self, a: int, b: int) -> Speaker | None:
        """Read text[a:b] as a speaker phrase: [adverbials,] name [, role,] | pronoun | description."""
        text = self.text
        chunks = self.chunks(a, b)
        if not chunks:
            return None
        # trailing "also", "has" ... belong to the verb
        ca, cb = chunks[-1]
        words = list(_WORD.finditer(text, ca, cb))
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
            first = _first_word(text[x:y])
            if kept and first in _RELATIVE_FIRST:
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
                if _first_word(text[prev[0]:prev[1]]) not in _ADVERBIAL_FIRST:
                    roles.append(prev)
            # "LGA chair Cllr Jo Hart": what comes before the name and its honorifics is a role
            head_end = na
            for h in _HON_RE.finditer(text, x, na):
                if h.end() == na:
                    head_end = h.start()
            if text[x:head_end].strip():
                roles.append((x, head_end))
            tail = text[nb:y].strip(" ,")
            if tail:
                roles.append((nb, y))
            for z in kept[n + 1:]:
                first = _first_word(text[z[0]:z[1]])
                if first in _ADVERBIAL_FIRST and first not in ("for", "at", "of"):
                    break
                roles.append(z)
            role, org = self.split_role(roles)
            return Speaker(full, role, org, "name")
        # an organisation speaking ("the LGA said")
        x, y = kept[0]
        org = self.org_of_phrase(text[x:y].strip(), x)
        if org is not None:
            return Speaker(org, None, org, "org")
        # a description: "one ICB chair", "a spokesperson for the LGA", "leaders"
        desc = None
        for x, y in kept:
            if _first_word(text[x:y]) not in _RELATIVE_FIRST:
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
        if n + 1 < len(kept) and _first_word(text[kept[n + 1][0]:kept[n + 1][1]]) not in _ADVERBIAL_FIRST:
            role, org2 = self.split_role([kept[n + 1]])
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
        for m in _HON_RE.finditer(seg):
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
            h = _HON_RE.match(sub)
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
            if any(_possessive(w) for w in name_words[:-1]) or name_words and _possessive(name_words[-1]):
                continue
            if 2 <= len(name_words) <= 4 and all(w[0].isupper() or w in _PARTICLES for w in name_words):
                start = m.start() + m.group().index(name_words[0], sum(len(w) + 1 for w in words[:cut]) - 1 if cut else 0)
                end = start + len(" ".join(name_words))
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
            if not s or _first_word(s) in _RELATIVE_FIRST:
                continue  # "who secured the debate": a description of the occasion, not a role
            s = _RELATIVE_CLAUSE.split(s, 1)[0].strip(" ,")
            words = s.split()
            if org is None and all(w[0].isupper() or w in ("of", "for", "and", "the", "&", "on") for w in words) \
                    and not any(w.lower().strip(",") in _POSITION_WORDS or _possessive(w) for w in words) \
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

    # -- resolution against earlier speakers --
    def resolve(self, sp: Speaker, pos: int) -> Speaker | None:
        if sp.kind == "pronoun":
            if sp.name in (None,) and self.last is not None:
                return self.last
            if sp.name in ("it", "we") and self.last is not None and self.last.kind == "org":
                return self.last
            return None
        if sp.kind == "name" and sp.name:
            parts = sp.name.split()
            known = None
            if len(parts) == 1:
                for s in reversed(self.speakers):
                    if s.name and s.name.split()[-1] == parts[0]:
                        known = s
                        break
                if known is None:
                    full = self.person_with_surname(parts[0], pos)
                    if full:
                        sp = replace(sp, name=full[0])
                        if not (sp.role or sp.org):
                            # "Tom Easterbrook, director of ..., said the plan ..." earlier on
                            first = self.describe_person(full[1], full[2], full[0])
                            if first is not None:
                                sp = replace(sp, role=first.role, org=first.org)
            else:
                for s in reversed(self.speakers):
                    if s.name == sp.name:
                        known = s
                        break
            if known is not None:
                merged = replace(known, role=sp.role or known.role, org=sp.org or known.org)
                if sp.role or sp.org:
                    self._update(known, merged)
                return merged
            self.speakers.append(sp)
            return sp
        if sp.kind == "description" and sp.name:
            low = sp.name.lower()
            if low.startswith("the ") and not sp.name.endswith("s"):
                want = low[4:]
                for s in reversed(self.speakers):
                    if s.role and s.role.lower().startswith(want):
                        return s
        return sp

    def _update(self, old: Speaker, new: Speaker) -> None:
        for i, s in enumerate(self.speakers):
            if s is old:
                self.speakers[i] = new

    def person_with_surname(self, surname: str, pos: int) -> tuple[str, int, int] | None:
        """(full name, start, end) of the last PERSON entity with this surname before ``pos``."""
        if self._persons is None:
            self.persons_in(0, 0)
        for a, b in reversed(self._persons or []):
            if a >= pos:
                continue
            words = _HON_RE.sub("", self.text[a:b]).split()
            if len(words) >= 2 and words[-1].rstrip("'’s") == surname:
                return " ".join(w.rstrip("'’s") if i == len(words) - 1 else w for i, w in enumerate(words)), a, b
        return None

    def describe_person(self, a: int, b: int, name: str) -> Speaker | None:
        """Role and organisation given where a person was introduced ("X, role, said that ...")."""
        text = self.text
        ps = text.rfind("\n", 0, a) + 1
        pe = text.find("\n", b)
        pe = len(text) if pe < 0 else pe
        sa = self.sentence_start(ps, a)
        se = self.sentence_end(b, pe)
        for m in self.cues(b, se):
            sp = self.subject_of(m, sa, se)
            if sp is not None and sp.kind == "name" and sp.name == name:
                return sp
            break
        return None


# -- small helpers ---------------------------------------------------------------------------------

_PERSONISH = re.compile(
    r"^(?:one|another|a|an)\b|\b(?:chair\w*|chief|director|leader|leaders|manager|executive|officer|"
    r"head|member|councillor|spokes\w+|minister|secretary|nurse|nurses|doctor|doctors|gp|gps|worker|"
    r"workers|resident|residents|carer|carers|patient|patients|parent|parents|respondent|respondents|"
    r"clinician|clinicians|staff|colleague|colleagues|mayor|president|adviser|lead|leads|provider|"
    r"providers|owner|owners|therapist|practitioner|practitioners|commissioner|commissioners)\b", re.I)


def _is_headline(text: str, ps: int, pe: int) -> bool:
    """A short block without a full stop at its end: a title or heading."""
    return text[pe - 1] not in _TERMINAL and pe - ps < 300 and len(text[ps:pe].split()) <= 25

def _squash(s: str) -> str:
    """Lower case letters and digits only: to compare a title's quote with the body's."""
    return "".join(ch for ch in s.lower() if ch.isalnum())


def _cue_text(s: str) -> str:
    return " ".join(s.split()).lower()


def _first_word(s: str) -> str:
    m = _WORD.search(s)
    return m.group().lower() if m else ""


def _only_joiner(s: str) -> bool:
    return not s.strip(" \t,:;\u2013\u2014-")


def _possessive(w: str) -> bool:
    return w.endswith(("'s", "’s")) or (w.endswith(("'", "’")) and len(w) > 1)


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
            if _possessive(w):
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

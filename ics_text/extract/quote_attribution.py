"""Who said a quote: reporting verbs, introducing colons and labels around it (the second layer).

The sentence before a quote, cut at sentence boundaries, is searched for a reporting verb
("said", "warned", ...) or a closing colon, then the sentence after it ("..., said Jane Doe."),
then a dash or parenthesis label ("- Cllr Jo Hart, LGA chair"); the verb's subject is read as a
speaker phrase. The tagger tells verbs from nouns ("notes", "claims") and the parser finds the
subject of "..., saying:" and whether a quoted fragment is a clause; without them the rules still
work on a Doc that only went through the tokenizer. Whether a quoted span is a quotation at all
(not a title, a label or a scare-quoted term) is decided here too, from the same sentence.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .quote_speakers import Speaker, SpeakerReader
from .quote_words import REPORTING_VERBS, TERMINAL

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .quote_marks import QuoteSpan
    from .quotes import QuoteExtractor

_PHRASAL_CUES = ("pointed out", "points out", "went on", "goes on", "put it", "puts it", "according to")
# Words that are nouns as often as verbs: a cue only when the tagger says verb.
_NOUN_LIKE_CUES = frozenset("states notes comments claims calls highlights fears hopes labels brands "
                            "concludes responds reflects remarks thought".split())
CUE_RE = re.compile(r"(?<![\w'’-])(?:" + "|".join(p.replace(" ", r"\s+") for p in _PHRASAL_CUES)
                     + "|" + "|".join(REPORTING_VERBS) + r")(?![\w'’-])", re.I)
_ACCORDING_WHO = re.compile(r"\s+(?:(?:the|a|an|one|its|their)\s+)?[A-Z]")  # "according to the LGA"
# "called on the Government to ...", "calls for": a call, not a quotation.
_NOT_CUE_AFTER = re.compile(r"\s+(?:on|upon|for|in)\b", re.I)
_DASH_ATTRIBUTION = re.compile(r"^\s*,?\s*([\u2013\u2014(]|-{1,2}(?=\s))\s*")

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
_SENT_BOUNDARY = re.compile(r"[.!?\u2026]+[\"'’”)\]]*\s+(?=[A-Z0-9\"'‘“(\[]|$)")
_ABBREVIATIONS = frozenset("mr mrs ms dr prof cllr st no rt hon rev revd vs etc e.g i.e co ltd inc jr sr "
                           "gov sen rep col gen lt capt sgt fig approx jan feb mar apr jun jul aug sep "
                           "sept oct nov dec p pp vol ch para cf al".split())
_CLAUSE_SUBJ = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})

# A description that names people ("one director", "carers"), not a document or a body.
PERSONISH = re.compile(
    r"^(?:one|another|a|an)\b|\b(?:chair\w*|chief|director|leader|leaders|manager|executive|officer|"
    r"head|member|councillor|spokes\w+|minister|secretary|nurse|nurses|doctor|doctors|gp|gps|worker|"
    r"workers|resident|residents|carer|carers|patient|patients|parent|parents|respondent|respondents|"
    r"clinician|clinicians|staff|colleague|colleagues|mayor|president|adviser|lead|leads|provider|"
    r"providers|owner|owners|therapist|practitioner|practitioners|commissioner|commissioners)\b", re.I)


@dataclass
class Attribution:
    """A reporting cue ("said", ":", a dash; None for a name line) and the speaker it gives."""

    cue: str
    speaker: Speaker | None
    pos: int  # where the cue is (for ordering and look-ups)


class Attributor(SpeakerReader):
    """Attribution of the quotes of one Doc, on top of its speaker phrases."""

    def __init__(self, doc: Doc, comp: QuoteExtractor):
        super().__init__(doc, comp)
        self._starts: list[int] | None = None
        # A look at the first tokens is enough: a tagger or parser annotates every token, and
        # Doc.has_annotation would walk the whole Doc when the answer is no.
        head = doc[:64]
        self.tagged = any(t.tag_ for t in head)
        self.parsed = any(t.dep_ for t in head)

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
    def is_label(self, pre: str, sp: QuoteSpan, content: str, pe: int) -> bool:
        """Quoted titles, names of things and scare quotes around a term."""
        if _TITLE_BEFORE.search(pre):
            return True
        words = content.split()
        if len(words) <= 8 and content[-1] not in TERMINAL and content[-1] not in ",;:" and \
                _LABEL_AFTER.match(self.text, sp.close, pe) and not pre.rstrip().endswith(":"):
            return True
        if 2 <= len(words) <= 10 and content[-1] not in TERMINAL and not pre.rstrip().endswith(":"):
            long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
            if long_words and all(w[0].isupper() for w in long_words) and words[0][0].isupper() and \
                    len(long_words) >= 2:
                return True
        return False

    def looks_spoken(self, content: str, sp: QuoteSpan) -> bool:
        """An unattributed quote still counts when it reads like speech, not a term or title."""
        words = content.split()
        if len(words) < self.comp.min_words:
            return False
        return content[-1] in TERMINAL or content[-1] in ",;:" or not sp.closed or len(words) >= 6

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
        for m in CUE_RE.finditer(text, a, b):
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

    def attribute_before(self, a: int, b: int) -> Attribution | None:
        """Attribution in the sentence text[a:b] that comes before a quote (or ends with a colon)."""
        text = self.text
        found = list(self.cues(a, b))
        if not found:
            frag = text[a:b].rstrip()
            if frag.endswith(":"):
                sp = self.parse_subject(a, a + len(frag) - 1)
                if sp is not None and sp.kind in ("name", "org"):
                    return Attribution(":", sp, a + len(frag) - 1)
            return None
        m = found[-1]
        cue = _cue_text(m.group())
        if len(found) > 1 and not text[a:b].rstrip().endswith(":") and not cue.endswith("ing"):
            # a fragment inside reported speech: the sentence's first reporting verb is the one that
            # attributes it ("Leaders told us they felt 'abandoned'")
            for f in found:
                if f.group().lower().endswith("ing"):
                    continue
                sp = self.subject_of(f, a, b)
                if sp is not None:
                    return Attribution(_cue_text(f.group()), sp, f.start())
        if cue.endswith("ing") and cue not in ("according to",):
            # "Cllr Doe warned that ..., describing it as 'acute'": the finite verb's subject
            sp = None
            finite = [f for f in found[:-1] if not f.group().lower().endswith("ing")]
            if finite:
                sp = self.subject_of(finite[-1], a, b)
            if sp is None:
                sp = self.participle_subject(m.start(), a)
            return Attribution(cue, sp, m.start())
        return Attribution(cue, self.subject_of(m, a, b), m.start())

    def attribute_after(self, a: int, b: int, content: str, ends_terminal: bool) -> Attribution | None:
        """Attribution in the sentence text[a:b] that follows a quote: '..., said Jane Doe.'"""
        text = self.text
        frame = text[a:b]
        lead = frame.lstrip(" \t,:;\u2013\u2014-")
        if not lead:
            return None
        dash = _DASH_ATTRIBUTION.match(frame)
        if dash and not CUE_RE.search(frame):
            # "'...' - Cllr Dana Price, LGA chair", "'...' (ICB chief executive)"
            end = a + dash.end() + frame[dash.end():].index(")") if dash.group(1) == "(" and ")" in frame \
                else self._clause_end(a + dash.end(), b)
            sp = self.parse_subject(a + dash.end(), end)
            if sp is not None and (sp.kind in ("name", "org") or
                                   sp.kind == "description" and PERSONISH.search(sp.name)):
                return Attribution(dash.group(1) if dash.group(1) != "(" else None, sp, a + dash.start(1))
            return None
        if ends_terminal and content[-1] == "." and lead[:1].isupper() and not lead.lower().startswith("said"):
            return None  # the quote closed its sentence; what follows is a new one
        for m in self.cues(a, b):
            cue = _cue_text(m.group())
            before = text[a:m.start()]
            if len(before.split()) > self.comp.max_subject_words:
                return None
            sp = self.subject_of(m, a, b, after_quote=True)
            return Attribution(cue, sp, m.start())
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

    def antecedent(self, lo: int, hi: int, cue_pos: int) -> Speaker | None:
        """Who "he"/"she" is when the paragraph named someone since the last quote.

        "One director told me that her council ... 'People volunteered,' she said.": the subject
        of the latest reporting verb in text[lo:hi] that is a name or a description.
        """
        found = [m for m in self.cues(lo, hi) if m.start() != cue_pos]
        for m in reversed(found):
            a = self.sentence_start(lo, m.start())
            sp = self.subject_of(m, a, self.sentence_end(m.end(), hi))
            if sp is not None and (sp.kind == "name" or sp.kind == "description" and PERSONISH.search(sp.name)):
                return sp
        return None


def _cue_text(s: str) -> str:
    return " ".join(s.split()).lower()


def _only_joiner(s: str) -> bool:
    return not s.strip(" \t,:;\u2013\u2014-")

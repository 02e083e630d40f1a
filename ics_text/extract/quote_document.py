"""The pass over one document that turns quoted spans into quote records (the third layer).

Paragraphs go in order: each one's spans (:mod:`.quote_marks`) get their attribution
(:mod:`.quote_attribution`), and what only the document as a whole tells is settled here:
pronouns and "Mr Doe" resolve to the full name given earlier, a paragraph that opens with a quote
mark continues the last speaker, a quote running over several paragraphs takes the speaker named
at its end, a pull quote takes the name line under it, a "said:" closing a paragraph attributes
the quote that opens the next, and a headline's quote takes the speaker of the body's.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..records import Quote
from .quote_attribution import CUE_RE, PERSONISH, Attribution, Attributor
from .quote_marks import MARK_RE, paragraphs, scan_paragraph
from .quote_speakers import HON_RE, Speaker
from .quote_words import TERMINAL

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .quotes import QuoteExtractor

_DOCUMENT_SPEAKER = re.compile(
    r"\b(?:report|paper|survey|study|review|document|plan|strategy|analysis|research|briefing|guidance|"
    r"bill|letter|framework|consultation|figures|data|findings|evidence|index|article|blog|book|"
    r"submission|response|publication|policy|white paper|green paper|statement)s?$", re.I)
_LIST_MARKER = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014]|\d{1,3}[.)])\s*$")
_ENDS_WITH_CUE = re.compile(r"(" + CUE_RE.pattern + r")[\s,]*$", re.I)
# Verbs of opinion or naming: they attribute a fragment but do not introduce a whole quotation.
_WEAK_CUES = frozenset("felt feels thinks thought believes believed hopes fears described describes "
                       "describing called calls branded brands labelled labels dubbed welcomed welcomes "
                       "welcoming promised promises pledged pledges".split())
_ENDS_WITH_THAT = re.compile(r"\bthat$")


class DocQuotes(Attributor):
    """Quotes of one Doc: scanning, attribution and resolution, in one linear pass."""

    def __init__(self, doc: Doc, comp: QuoteExtractor):
        super().__init__(doc, comp)
        self.last_cue: str | None = None
        self.last_para = -10
        self.last_label = False
        self.paras: list[tuple[int, int]] = []
        self.flags: list[tuple[bool, bool, bool]] = []
        self.prev_tail: tuple[int, int] | None = None  # previous paragraph after its last quote
        self.open_rec: Quote | None = None  # the last record, when its quote ran open mid-sentence

    # -- the pass --
    def run(self) -> list[Quote]:
        text = self.text
        if not text or not MARK_RE.search(text):
            return []
        out: list[Quote] = []
        headline_quotes: list[int] = []
        chain: list[int] = []  # records of a quote running over paragraphs with no speaker of its own
        paras = self.paras = paragraphs(text)
        carried = False
        pending: Attribution | None = None  # "Name, role, said:" closing the previous paragraph
        for pi, (ps, pe) in enumerate(paras):
            has_marks = MARK_RE.search(text, ps, pe) is not None
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
        if b - a > 150 or MARK_RE.search(self.text, a, b) or any(True for _ in self.cues(a, b)):
            return None
        sp = self.parse_subject(a, b)
        if sp is not None and sp.kind == "name" and self.find_name(*self.chunks(a, b)[0]) is not None:
            return sp
        return None

    def intro(self, a: int, b: int) -> Attribution | None:
        """The attribution of a paragraph ending "Name, role, said:" (its last sentence)."""
        a = self.sentence_start(a, b)
        att = self.attribute_before(a, b)
        if att and att.speaker:
            return att
        return None

    def paragraph_quotes(self, pi, ps, pe, spans, pending, carried) -> list[Quote]:
        text = self.text
        out = []
        prev_att: Attribution | None = None  # attribution of the previous quote in this paragraph
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
            ends_terminal = content[-1] in TERMINAL or (sp.close < pe and text[sp.close:sp.close + 1] in TERMINAL)
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
                att = prev_att if att is None else Attribution(att.cue, prev_att.speaker, att.pos)

            if att is None and pre_s and not same_sentence and headline is None:
                headline = _is_headline(text, ps, pe)
            if att is None and pre_s and not same_sentence and headline:
                # headline style, verb left out: "Health leaders 'deeply concerned' over ..."
                sub = self.parse_subject(pre_a, gap_b) if len(pre_s.split()) <= 6 else None
                if sub is not None and (sub.kind in ("name", "org") or
                                        sub.kind == "description" and PERSONISH.search(sub.name)):
                    att = Attribution(None, sub, gap_b)

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
                        att = Attribution(att.cue, ante, att.pos)
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
                        att, inferred = Attribution(None, sub, sp.start), False
                        speaker = self.resolve(sub, sp.start)
                if att is None and at_para_start and self.last is not None and not self.last_label and \
                        pi - self.last_para <= self.comp.continue_paragraphs and self.looks_spoken(content, sp):
                    att = Attribution(self.last_cue or "said", self.last, sp.start)
                    speaker = self.last
                if speaker is None and not self.looks_spoken(content, sp):
                    prev_sentence_open = not ends_terminal
                    continue
            if speaker is not None:
                self.last, self.last_cue, self.last_para = speaker, att.cue, pi
                # a quote labelled with its source ("- ICB chair", a name line) does not run on
                self.last_label = att.cue is None or att.cue in "\u2013\u2014--"
            prev_att = Attribution(att.cue, speaker, att.pos) if att else None
            prev_partial = partial
            prev_sentence_open = not ends_terminal
            out.append(Quote(text=content, speaker=speaker.name if speaker else None,
                             speaker_role=speaker.role if speaker else None,
                             speaker_org=speaker.org if speaker else None,
                             cue=att.cue if att else None, partial=partial, start=sp.start, end=sp.end))
            self.flags.append((partial or not inferred, at_para_start, sp.closed))
            if not sp.closed and content[-1] not in TERMINAL and content[-1] not in ":":
                self.open_rec = out[-1]
        return out

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
            words = HON_RE.sub("", self.text[a:b]).split()
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


def _is_headline(text: str, ps: int, pe: int) -> bool:
    """A short block without a full stop at its end: a title or heading."""
    return text[pe - 1] not in TERMINAL and pe - ps < 300 and len(text[ps:pe].split()) <= 25

def _squash(s: str) -> str:
    """Lower case letters and digits only: to compare a title's quote with the body's."""
    return "".join(ch for ch in s.lower() if ch.isalnum())

"""Recommendations: list items under a recommendations lead-in, and calls ("X urged Y to Z").

A spaCy component (factory ``ics_recommendations``) that sets ``doc._.recommendations`` to a list of
:class:`ics_text.records.Recommendation`, offsets into ``doc.text``. It expects the whole plain text
of one document: blocks separated by a blank line, list items starting "- " or "N. ".

Two kinds, as the contract describes them:

- ``list_item``: the items of a list introduced as recommendations, calls or asks ("We recommend
  that the Government:", "Our asks", a "Recommendations" heading). The actor is the lead-in's
  subject when it names someone, else the publisher (``doc._.publisher``, which the pipeline sets
  from the document's metadata), else whoever the document's own calls come from. The target is
  the body the lead-in addresses, else the one the title addresses ("four asks for the next
  government").
- ``call``: "X called on / urged / is calling for / wants Y to Z", "we recommend that Y Z", and
  "Y must / should Z" in the text's own voice (the publisher's, or a quoted speaker's): Y an
  institution ("The Government must fund ..."), or any subject in the passive ("their role should
  be strengthened"). ``text`` is the action clause Z. Someone else's recommendations reported in
  the text ("the review recommended ...", "it said that systems should ...") are descriptions.

Headlines are skipped: they restate the calls the body makes. The word lists live in
``models/recommendations.yaml``. The dependency parse gives subjects; the rest is a left-to-right
reading of tokens, which survives the small model's parse errors better than deep tree patterns.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..paths import models_dir
from ..records import Recommendation
from .orgs import canonical_org, default_resolver

FACTORY = "ics_recommendations"
RULES_FILE = "recommendations.yaml"

# List item markers as the plain text shows them ("- ", "3. "), plus bullets from raw text.
ITEM_MARKER = re.compile(r"^(?:[-*\u2022\u25aa\u2013]\s+|\(?\d{1,3}[.)]\s+|\(?[a-h][.)]\s+)")
HONORIFICS = {"cllr", "councillor", "dr", "mr", "mrs", "ms", "miss", "mx", "professor", "prof", "sir",
              "dame", "lord", "lady", "baroness", "baron", "rt", "hon"}
PRONOUNS = {"it", "they", "them", "he", "she", "him", "her", "you", "i", "me", "this", "that", "these",
            "those", "which", "who", "one", "everyone", "people", "us", "we", "itself", "themselves"}
# Verbs under which a "should" clause is the subject's own view ("we believe the Government should").
OPINION_VERBS = {"believe", "think", "argue", "say", "feel", "consider", "insist", "recommend", "suggest",
                 "propose", "be", "agree", "urge", "want", "conclude", "maintain", "add", "stress",
                 "warn", "know", "mean", "remain", "hope", "expect", "accept", "make"}
CONDITIONAL_MARKS = {"if", "whether", "unless", "because", "although", "while", "as", "so", "since", "though",
                     "until", "once", "when", "before", "after"}
GOVERNMENT = re.compile(r"(?:the\s+)?(?:uk\s+|next\s+|new\s+|incoming\s+|current\s+|central\s+|future\s+|"
                        r"national\s+)?government|ministers?|whitehall", re.I)
LEAD_IN_OBJECT = re.compile(r"\b(?:(?:wants?|wanted|urges?|urged|urging|asks?|asked|asking|calls?\s+(?:up)?on|"
                            r"called\s+(?:up)?on|calling\s+(?:up)?on)\s+(.{2,60}?)\s+to\b|"
                            r"recommend(?:s|ed|ing)?\s+that\s+(.{2,60}?)\s*(?:should|must|:\s*$))", re.I)
MODAL_END = re.compile(r"\b(?:should|must|needs? to|ought to)\s*:\s*$", re.I)
# How far back (characters) "the Alliance" or "the two organisations" look for the names they stand for.
WINDOW = 6000
# Closing quote marks, punctuation and space trimmed from the end of an action clause.
TRAILING = ".,;:!?\u201d\u2019\"' \u2026)\n\t"


# The records live in ``doc.user_data`` as plain dicts, so that a Doc carrying them can be
# serialised (``Doc.to_bytes``, ``nlp.pipe(n_process=2)``); ``doc._.recommendations`` reads them back.
USER_DATA_KEY = "ics_recommendations"


def _get_recommendations(doc: Doc) -> list[Recommendation] | None:
    data = doc.user_data.get(USER_DATA_KEY)
    return None if data is None else [Recommendation.from_dict(d) for d in data]


def _register_extensions() -> None:
    if not Doc.has_extension("recommendations"):
        Doc.set_extension("recommendations", getter=_get_recommendations)
    # The document's publisher: the default actor of its recommendations. Set it before the
    # pipeline runs (ics_text.extract.pipeline does, from the document's metadata).
    if not Doc.has_extension("publisher"):
        Doc.set_extension("publisher", default=None)


_register_extensions()


# -- rules ------------------------------------------------------------------------------------------

@dataclass
class Rules:
    lead_in: list[re.Pattern]
    heading: list[re.Pattern]
    numbered_prefix: re.Pattern
    call_strong: set[str]
    call_weak: set[str]
    call_on: set[str]
    call_for: set[str]
    recommend: set[str]
    passive: set[str]
    parties: re.Pattern
    self_refs: set[str]
    doc_refs: set[str]
    org_nouns: set[str]
    member_nouns: set[str]
    institution_nouns: set[str]
    implied_targets: dict[str, str]
    expectation: set[str]
    remarks: set[str]
    trailing: list[re.Pattern]

    def is_lead_in(self, text: str) -> bool:
        return text.rstrip().endswith(":") and any(p.search(text) for p in self.lead_in)


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> Rules:
    """The word lists from ``models/recommendations.yaml`` (or ``path``), compiled once."""
    data = yaml.safe_load(Path(path or models_dir() / RULES_FILE).read_text(encoding="utf-8"))
    comp = lambda xs: [re.compile(x, re.I) for x in xs]  # noqa: E731
    return Rules(
        lead_in=comp(data["lead_in_patterns"]),
        heading=comp(data["heading_patterns"]),
        numbered_prefix=re.compile(data["numbered_prefix"], re.I),
        call_strong=set(data["call_verbs_strong"]),
        call_weak=set(data["call_verbs_weak"]),
        call_on=set(data["call_on_verbs"]),
        call_for=set(data["call_for_verbs"]),
        recommend=set(data["recommend_verbs"]),
        passive=set(data["passive_call_verbs"]),
        parties=re.compile(r"(?:%s)$" % "|".join(data["parties"]), re.I),
        self_refs=set(data["self_references"]),
        doc_refs=set(data["document_references"]),
        org_nouns=set(data.get("organisation_nouns", [])),
        member_nouns=set(data.get("member_nouns", [])),
        institution_nouns=set(data.get("institution_nouns", [])),
        implied_targets={k.lower(): v for k, v in (data.get("implied_targets") or {}).items()},
        expectation=set(data["expectation_verbs"]),
        remarks=set(data.get("remark_participles", [])),
        trailing=comp(data["trailing_adjuncts"]),
    )


# -- who: subjects, actors and targets ----------------------------------------------------------------

@dataclass
class Who:
    """A resolved subject: the name to report, and whether it speaks in the text's own voice."""

    name: str | None
    own: bool  # the publisher, "we", the report itself, a quoted speaker: not a third party
    known: bool = False  # a named organisation from the alias table


@dataclass
class _Context:
    """What earlier sentences established: who "it", "she" and "the report" stand for."""

    voice: str | None = None
    it: Who | None = None  # the last sentence's (non-person) subject
    last_person: str | None = None
    last_target: str | None = None  # the last institution that was a subject ("It should also ...")
    last_actor: str | None = None  # the last organisation named as a subject or caller


# -- the component ----------------------------------------------------------------------------------

@Language.factory(
    FACTORY,
    assigns=["doc._.recommendations"],
    requires=["token.dep", "token.tag", "token.lemma"],
    default_config={"default_actor": None, "modal_asks": True, "rules_path": None},
)
def make_recommendations(nlp: Language, name: str, default_actor: str | None, modal_asks: bool,
                         rules_path: str | None):
    return RecommendationFinder(nlp, name, default_actor=default_actor, modal_asks=modal_asks,
                                rules_path=rules_path)


@dataclass
class _Unit:
    """One line of the plain text: a heading, a paragraph or a list item."""

    start: int  # offset of the line's text
    end: int
    text: str
    item: bool  # starts with a list marker
    body: int  # offset where the text after the marker begins
    block_start: bool  # first line of its blank-line separated block


class RecommendationFinder:
    """Finds recommendation list items and calls in a document (see the module docstring)."""

    def __init__(self, nlp: Language | None = None, name: str = FACTORY, default_actor: str | None = None,
                 modal_asks: bool = True, rules_path: str | None = None):
        self.name = name
        self.default_actor = default_actor
        self.modal_asks = modal_asks
        self.rules_path = rules_path
        self.rules = load_rules(rules_path)
        self._text = ""  # the current document's text and entities (see find)
        self._ents: list[tuple[int, int, str]] = []
        self._quote_records: list = []
        self._quote_starts: list[int] = []

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[USER_DATA_KEY] = [r.to_dict() for r in self.find(doc)]
        return doc

    def find(self, doc: Doc) -> list[Recommendation]:
        # Doc.text is rebuilt from the tokens on every access: read it once per document.
        self._text = doc.text
        self._ents = [(e.start, e.end, e.label_) for e in doc.ents]
        self._quote_records = sorted(_quote_records(doc), key=lambda q: q.start)
        self._quote_starts = [q.start for q in self._quote_records]
        voice = doc._.publisher or self.default_actor
        units = _units(self._text)
        items = self._list_items(doc, units, voice)
        covered = [(r.start, r.end) for r in items]
        calls = self._calls(doc, covered, voice)
        # Without a publisher, list items speak with the voice of the document's own calls.
        fallback = voice or next((c.actor for c in calls if c.actor), None)
        for r in items:
            if r.actor is None:
                r.actor = fallback
        return sorted(items + calls, key=lambda r: r.start)

    # -- list items -------------------------------------------------------------------------------

    def _list_items(self, doc: Doc, units: list[_Unit], voice: str | None) -> list[Recommendation]:
        rules = self.rules
        found: list[Recommendation] = []
        taken: set[int] = set()
        title_target: list[str | None] = []  # computed on first need
        for i, u in enumerate(units):
            body_text = self._text[u.body:u.end]
            m = rules.numbered_prefix.match(body_text)
            if m and i not in taken:
                # "Recommendation 3: ..." is a recommendation by itself.
                s = u.body + m.end()
                if s < u.end:
                    found.append(Recommendation(self._text[s:u.end], None, None, "list_item", s, u.end))
                    taken.add(i)
                continue
            colon = not u.item and rules.is_lead_in(u.text)
            heading = not u.item and _heading_like(u.text) and any(p.search(u.text.strip()) for p in rules.heading)
            if not (colon or heading):
                continue
            members = [j for j in self._items_after(units, i, section=heading and not colon) if j not in taken]
            if not members:
                continue
            actor, target = self._lead_in_parties(doc, u, voice)
            if target is None and heading and not colon:
                # "Recommendations" then "The report makes five recommendations to NHS England."
                for k in range(i + 1, members[0]):
                    if any(p.search(units[k].text) for p in rules.lead_in):
                        actor2, target = self._lead_in_parties(doc, units[k], voice)
                        actor = actor2 or actor
                        break
            if target is None:
                if not title_target:
                    title_target.append(self._title_target(doc, units))
                target = title_target[0]
            for j in members:
                taken.add(j)
                it = units[j]
                s, e = _strip_span(self._text, it.body, it.end)
                if e > s:
                    found.append(Recommendation(self._text[s:e], actor, self._item_target(doc, s, e) or target,
                                                "list_item", s, e))
        return found

    def _items_after(self, units: list[_Unit], i: int, section: bool) -> list[int]:
        """Indexes of the list items a lead-in introduces.

        After "...:" the items that follow directly; under a heading, every item until the next
        heading (an introductory paragraph may come first).
        """
        out = []
        for j in range(i + 1, len(units)):
            u = units[j]
            if u.item:
                out.append(j)
                continue
            if not section:
                break
            if _heading_like(u.text) and u.block_start:
                break
            if self.rules.is_lead_in(u.text):
                break  # its own lead-in takes over
        return out

    def _lead_in_parties(self, doc: Doc, u: _Unit, voice: str | None) -> tuple[str | None, str | None]:
        """(actor, target) named in a lead-in such as "The LGA recommends that the Government:"."""
        span = doc.char_span(u.start, u.end, alignment_mode="expand")
        if span is None:
            return voice, None
        actor: str | None = None
        target: str | None = None
        subj_end = span.start
        modal_end = bool(MODAL_END.search(u.text))
        for tok in span:
            if tok.dep_ not in ("nsubj", "nsubjpass"):
                continue
            phrase = _subject_phrase(tok, span)
            party = self._party(phrase.text)
            if modal_end and party:
                target = party  # "The Government should:"
                subj_end = phrase.end
            else:
                who = self._who_phrase(doc, phrase, _Context(voice=voice), None)
                actor = who.name if who else None
                if who is not None:  # "Our recommendations to the Government are:" names no one
                    subj_end = phrase.end
            break
        if target is None:
            # "wants all parties to commit to:", "calling on NHS England to:": the object as written
            m = LEAD_IN_OBJECT.search(u.text)
            obj = m and (m.group(1) or m.group(2))
            if obj and obj.lower() not in PRONOUNS:
                target = self._party(obj) or canonical_org(obj)
        if target is None:
            after = max(subj_end, span.start)
            for cand in self._party_mentions(doc, doc[after:span.end]):
                if cand != actor:
                    target = cand
                    break
        return actor or voice, target

    def _party_mentions(self, doc: Doc, span: Span) -> list[str]:
        """Institutions named in a span, in order: noun phrases, known organisations, "government"."""
        found: list[tuple[int, str]] = []
        for chunk in _noun_phrases(span):
            party = self._party(chunk.text)
            if party:
                found.append((chunk.start_char, party))
        text = span.text
        for s, _e, org in default_resolver().find(text):
            found.append((span.start_char + s, org))
        for m in GOVERNMENT.finditer(text):
            if not text[m.end():m.end() + 1].isalnum() and (m.start() == 0 or not text[m.start() - 1].isalnum()):
                found.append((span.start_char + m.start(), "Government"))
        return [p for _, p in sorted(found, key=lambda x: x[0])]

    def _title_target(self, doc: Doc, units: list[_Unit]) -> str | None:
        """The body a document's title or first paragraph addresses its asks to, if it names one."""
        for u in units[:2]:
            m = re.search(r"\b(?:asks?|recommendations?|calls?|demands?|priorities|proposals?)\s+"
                          r"(?:for|to|of|on)\b", u.text, re.I)
            if not m:
                continue
            span = doc.char_span(u.start + m.end(), u.end, alignment_mode="expand")
            mentions = self._party_mentions(doc, span) if span is not None else []
            if mentions:
                return mentions[0]
        return None

    def _item_target(self, doc: Doc, s: int, e: int) -> str | None:
        """An item that names its own addressee: "The Government should ...", "NHS England and the
        Department of Health and Social Care cut the number of ...", "HM Treasury agrees ..."."""
        text = self._text[s:e]
        m = re.match(r"^(.{2,80}?)\s+(?:should|must|needs? to)\s+\w", text)
        if m:
            return self._party(m.group(1))
        words = text.split(" ", 12)[:12]
        for n in range(min(len(words) - 1, 10), 0, -1):  # the longest opening that names a body
            nxt = words[n]
            if nxt[:1].islower() and nxt.isalpha() and words[n - 1][-1:].isalnum():
                party = self._party(" ".join(words[:n]))
                if party:
                    return party
        return None

    # -- calls ------------------------------------------------------------------------------------

    def _calls(self, doc: Doc, covered: list[tuple[int, int]], voice: str | None) -> list[Recommendation]:
        quotes = self._quote_records
        found: list[Recommendation] = []
        ctx = _Context(voice=voice)
        covered = sorted(covered)
        covered_starts = [c[0] for c in covered]
        for sent in _sentences(doc):
            # list items already taken (sorted spans: look at the ones starting before the sentence ends)
            i = bisect.bisect_left(covered_starts, sent.end_char) - 1
            inside = i >= 0 and any(s < sent.end_char and sent.start_char < e for s, e in covered[max(0, i - 2):i + 1])
            if not inside and not _is_heading_block(self._text, sent) and not sent.text.rstrip().endswith(":"):
                for r in self._sentence_calls(doc, sent, quotes, ctx):
                    # calls come in text order: only the last few can overlap
                    if not any(r.start < f.end and f.start < r.end for f in found[-4:]):
                        found.append(r)
            self._after(doc, sent, quotes, ctx)
        return found

    def _sentence_calls(self, doc: Doc, sent: Span, quotes, ctx: _Context) -> list[Recommendation]:
        rules = self.rules
        out: list[Recommendation] = []
        toks = list(sent)
        for k, tok in enumerate(toks):
            lemma = tok.lemma_.lower()
            low = tok.lower_
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            nxt_low = nxt.lower_ if nxt is not None else ""
            rec = None
            if lemma in rules.passive and tok.tag_ == "VBN" and _is_passive(tok):
                rec = self._passive_call(doc, sent, toks, k, quotes, ctx)
            elif lemma in rules.call_on and nxt_low in ("on", "upon") and _verbish(tok):
                rec = self._object_call(doc, sent, toks, k, k + 2, quotes, ctx, weak=False)
            elif lemma in rules.call_for and nxt_low == "for" and _verbish(tok):
                rec = self._for_call(doc, sent, toks, k, quotes, ctx)
            elif (lemma in rules.call_strong or lemma in rules.call_weak) and tok.pos_ in ("VERB", "AUX") \
                    and not _is_passive(tok):
                rec = self._object_call(doc, sent, toks, k, k + 1, quotes, ctx, weak=lemma in rules.call_weak)
            elif lemma in rules.recommend and tok.pos_ == "VERB" and not _is_passive(tok):
                rec = self._recommend_call(doc, sent, toks, k, quotes, ctx)
            elif self.modal_asks and (tok.tag_ == "MD" and low in ("must", "should")
                                      or low in ("needs", "need") and nxt_low == "to" and tok.pos_ == "VERB"
                                      or low == "ought" and nxt_low == "to"):
                rec = self._modal_ask(doc, sent, toks, k, quotes, ctx)
            if isinstance(rec, list):
                out.extend((r, tok) for r in rec)
            elif rec is not None:
                out.append((rec, tok))
        # "urged ministers to A, and called on NHS England to B": A ends where the next call begins.
        for (rec, t1), (_nxt, trigger) in zip(out, out[1:]):
            if trigger is t1:
                continue
            cut = _clause_start(trigger)
            if rec.start < cut < rec.end:
                s, e = _trim_clause(self._text, rec.start, cut, [])
                e = s + len(re.sub(r"(?:[\s,;]+(?:and|but|while|as well as|also))+\s*$", "", self._text[s:e]))
                s, e = _trim_clause(self._text, s, e, [])
                rec.text, rec.end = self._text[s:e], e
        return [rec for rec, _ in out]

    def _object_call(self, doc, sent, toks, k, obj_start, quotes, ctx, weak) -> Recommendation | None:
        """ "X urged / called on / wants Y to Z"."""
        trigger = toks[k]
        if _negated(trigger):
            return None
        to = _to_verb(toks, obj_start, limit=16)
        if to is None or to == obj_start:
            return None
        target_span = doc[toks[obj_start].i:toks[to].i]
        target_text = target_span.text.strip(" ,")
        if not target_text or target_text.lower() in PRONOUNS:
            return None
        target = self._party(target_text)
        if weak and target is None and not self._institution(target_span):
            return None  # "want this plan to succeed" is a hope, not a call
        who = self._who_subject(doc, trigger, quotes, ctx)
        if who is None:
            return None
        if weak and not (who.own or who.known) or weak and trigger.tag_ in ("VBD", "VBN") and not (who.own and target):
            # "the plan asks the NHS to ...", "NHS England has asked trusts to ...", "we asked a
            # consultancy to ...": instructions reported, not asks of the publisher's own
            return None
        return self._make_split(doc, sent, toks, to + 1, who.name, target or canonical_org(target_text))

    def _for_call(self, doc, sent, toks, k, quotes, ctx) -> Recommendation | None:
        """ "X calls for Z" (Z a noun phrase), or "X calls for Y to Z"."""
        trigger = toks[k]
        if _negated(trigger) or k + 2 >= len(toks):
            return None
        who = self._who_subject(doc, trigger, quotes, ctx)
        if who is None:
            return None
        to = _to_verb(toks, k + 2, limit=12)
        target = None
        if to is not None and to > k + 2:
            target = self._party(doc[toks[k + 2].i:toks[to].i].text)
            if target:
                return self._make_split(doc, sent, toks, to + 1, who.name, target)
            # "for the full cost to be met by the Treasury": the agent is who is asked
            m = re.match(r"\s*be\s+\w+\s+by\s+((?:the\s+)?[A-Z][\w'\u2019&]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'\u2019&]*)*)",
                         self._text[toks[to].idx + 2:sent.end_char])
            if m:
                target = self._party(m.group(1))
        return self._make(doc, sent, toks[k + 2].idx, who.name, target, "call")

    def _recommend_call(self, doc, sent, toks, k, quotes, ctx) -> Recommendation | None:
        """ "We recommend that the Government funds ..." (our own recommendations only)."""
        trigger = toks[k]
        if _negated(trigger) or k + 1 >= len(toks):
            return None
        who = self._who_subject(doc, trigger, quotes, ctx)
        if who is None or not who.own:
            return None  # "the review recommended ...": a description of someone else's advice
        j = k + 1
        if toks[j].lower_ != "that":
            # "we recommend a national review": the noun phrase is the ask ("proposes a new deal"
            # summarises a document rather than asking)
            if trigger.lemma_.lower() == "recommend" and toks[j].tag_ in ("VBG", "DT", "JJ", "NN", "NNS", "PRP$", "CD"):
                return self._make(doc, sent, toks[j].idx, who.name, None, "call")
            return None
        j += 1
        for m in range(j + 1, min(len(toks), j + 14)):
            t = toks[m]
            if t.pos_ in ("VERB", "AUX") and t.tag_ in ("VB", "VBZ", "VBP", "MD"):
                target = self._party(doc[toks[j].i:t.i].text)
                start = toks[m + 1].idx if t.tag_ == "MD" and m + 1 < len(toks) else t.idx
                return self._make(doc, sent, start, who.name, target, "call")
            if t.is_punct and t.text not in "-\u2011":
                break
        return None

    def _passive_call(self, doc, sent, toks, k, quotes, ctx) -> Recommendation | None:
        """ "The Government is being urged to Z": the subject is the target."""
        trigger = toks[k]
        if _negated(trigger):
            return None
        start = k + 1
        if trigger.lemma_.lower() == "call":
            if start >= len(toks) or toks[start].lower_ not in ("on", "upon"):
                return None
            start += 1
        to = _to_verb(toks, start, limit=3)
        subj = next((c for c in trigger.children if c.dep_ in ("nsubjpass", "nsubj")), None)
        if to is None or subj is None:
            return None
        target = self._party(_subject_phrase(subj, sent).text)
        if target is None:
            return None
        agent = next((c for c in trigger.children if c.dep_ == "agent"), None)
        pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        who = self._who_token(doc, pobj, trigger, quotes, ctx) if pobj is not None else None
        actor = who.name if who else self._speaker_voice(trigger.idx, quotes, ctx)
        return self._make(doc, sent, toks[to + 1].idx, actor, target, "call")

    def _modal_ask(self, doc, sent, toks, k, quotes, ctx) -> Recommendation | None:
        """ "The Government must fund ...", "their role should be strengthened": an ask in the text's
        own voice (or a quoted speaker's), not a reported one, a question or a condition."""
        modal = toks[k]
        j = k + (2 if modal.lower_ in ("need", "needs", "ought") else 1)
        while j < len(toks) and j <= k + 3 and (toks[j].pos_ == "ADV" or toks[j].dep_ == "neg"):
            j += 1  # "must now fund", "should not cut"
        if j >= len(toks):
            return None
        verb = toks[j]
        if not verb.is_alpha or not (verb.tag_ == "VB" or verb.is_lower and verb.tag_[:2] in ("NN", "JJ", "VB")):
            return None
        if modal.lower_ in ("need", "needs") and (modal.tag_ not in ("VBZ", "VBP") or verb.tag_ != "VB"):
            return None
        lemma = verb.lemma_.lower() if verb.tag_ == "VB" else verb.lower_
        participle = None
        if lemma == "be":
            participle = next((t for t in toks[j + 1:j + 3] if t.tag_ == "VBN"), None)
        if participle is not None and participle.lemma_.lower() in self.rules.remarks:
            return None
        if participle is None and lemma in self.rules.expectation:
            return None
        if lemma == "have" and any(t.tag_ == "VBN" for t in toks[j + 1:j + 3]):
            return None  # "should have done": hindsight, not an ask
        if sent.text.rstrip().rstrip("\u201d\u2019\"'").endswith("?"):
            return None
        if lemma == "have" and j + 1 < len(toks) and toks[j + 1].lower_ == "to":
            return None  # "should not have to phone three people": a complaint about today
        if modal.lower_ in ("need", "needs", "ought"):
            head = modal  # "needs to" is the finite verb of its clause
        else:
            head = modal.head if modal.dep_ in ("aux", "auxpass") and modal.head.pos_ in ("VERB", "AUX") else None
        speaker = self._speaker_voice(modal.idx, quotes, ctx)
        if head is not None:
            if any(c.dep_ == "mark" and c.lower_ in CONDITIONAL_MARKS for c in head.children):
                return None
            clause = head.head if head.dep_ == "conj" else head
            if head.dep_ not in ("ROOT", "conj", "ccomp") or clause.dep_ not in ("ROOT", "ccomp"):
                return None
            if clause.dep_ == "ccomp":
                opinion = clause.head
                if opinion.lemma_.lower() not in OPINION_VERBS:
                    return None
                if any(c.dep_ == "mark" and c.lower_ in CONDITIONAL_MARKS for c in clause.children):
                    return None
                # "it said that systems should ...": whose view is it? ("That is why ..." is ours.)
                if opinion.lemma_.lower() != "be":
                    osubj = _find_subject(opinion)
                    if osubj is not None and osubj.lower_ not in ("that", "this", "what", "there"):
                        who = self._who_token(doc, osubj, opinion, quotes, ctx)
                        if who is None or not who.own:
                            return None
                        speaker = who.name or speaker
            subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
            if subj is None and head.dep_ == "conj":
                subj = next((c for c in head.head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
        else:
            # a parse that missed the verb ("bodies should weight allocations"): the words before
            prev = toks[k - 1] if k > 0 else None
            subj = prev if prev is not None and prev.pos_ in ("NOUN", "PROPN", "PRON") else None
        if subj is None or subj.i > modal.i:
            return None
        low = subj.lower_
        if low in ("we", "i", "you", "us", "one", "who", "which", "what", "that") and participle is None:
            return None  # a commitment or a general remark, not an ask of someone
        if low in ("it", "they", "this", "these"):
            # "Ministers should act ... Third, they must give ...": only when the pronoun plainly
            # stands for an institution named as the last subject ("It now needs to fund it" after
            # "The Government's own plan says ..." stays a remark)
            target = ctx.last_target
            if not target and participle is None:
                return None
        elif low == "there":
            target = None  # "There should be a single national data set"
        else:
            target = self._party(_subject_phrase(subj, sent).text) if participle is None else None
        start = verb.idx
        neg = next((t for t in toks[k + 1:j] if t.dep_ == "neg" or t.lower_ in ("not", "never")), None)
        if neg is not None and participle is None:
            start = neg.idx
        rec = self._make(doc, sent, start, speaker, target, "call")
        if rec is not None and target:
            ctx.last_target = target
        return rec

    # -- parts --------------------------------------------------------------------------------------

    def _make_split(self, doc, sent, toks, v, actor, target) -> list[Recommendation]:
        """Calls whose action starts at token ``v``; "to A, and to B" makes two calls."""
        # Each coordinated action is its own call: "to A(,) and to B", "for A, and for B".
        starts, cuts = [v], []
        for m in range(v + 1, len(toks) - 2):
            t, n1, n2 = toks[m], toks[m + 1], toks[m + 2]
            if t.lower_ != "and" or toks[m - 1].lower_ in ("between", "both"):
                continue
            if n1.lower_ == "to" and (n2.tag_ == "VB" or n2.pos_ == "ADV" and m + 3 < len(toks)
                                      and toks[m + 3].tag_ == "VB"):
                starts.append(m + 2)
            elif n1.lower_ == "for" and toks[m - 1].text == "," and toks[v - 1].lower_ == "for" \
                    or n1.lower_ == "for" and toks[v - 2].lower_ == "for":
                starts.append(m + 2)  # "calling for the Government to A, and for B"
            else:
                continue
            cuts.append(toks[m - 1].idx if toks[m - 1].text == "," else t.idx)
        out = []
        for n, st in enumerate(starts):
            end_char = self._clause_end(toks[st].idx, cuts[n] if n < len(cuts) else sent.end_char)
            s, e = _trim_clause(self._text, toks[st].idx, end_char, self.rules.trailing)
            if e - s >= 3 and re.search(r"[A-Za-z]{2}", self._text[s:e]):
                out.append(Recommendation(self._text[s:e], actor, target, "call", s, e))
        return out

    def _clause_end(self, start: int, end: int) -> int:
        """An action that starts inside a quote ends with the quote ("...," said X)."""
        q = self._quote_at(start)
        return min(end, q.end) if q is not None else end

    def _quote_at(self, char: int):
        """The quote record whose text holds offset ``char``, if any (quotes do not nest: the few
        that start last before ``char`` are enough to look at)."""
        i = bisect.bisect_right(self._quote_starts, char) - 1
        for q in self._quote_records[max(0, i - 2):i + 1]:
            if q.start <= char < q.end:
                return q
        return None

    def _make(self, doc, sent, start, actor, target, kind) -> Recommendation | None:
        s, e = _trim_clause(self._text, start, self._clause_end(start, sent.end_char), self.rules.trailing)
        if e - s < 3 or not re.search(r"[A-Za-z]{2}", self._text[s:e]):
            return None
        return Recommendation(self._text[s:e], actor, target, kind, s, e)

    def _after(self, doc: Doc, sent: Span, quotes, ctx: _Context) -> None:
        """Remember the sentence's subject: what a later "It ..." or "She ..." stands for."""
        root = sent.root
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None:
            return
        low = subj.lower_
        if low in ("it", "they", "he", "she", "we", "i"):
            return  # the referent stays what it was
        phrase = _subject_phrase(subj, sent)
        ctx.last_target = self._party(phrase.text)
        person = _person(phrase, self._ents)
        if person:
            ctx.last_person = person
            return
        who = self._who_phrase(doc, phrase, ctx, subj.idx, quotes)
        ctx.it = who if who is not None else Who(None, False)
        if who is not None and who.name and _proper(phrase, self._ents):
            ctx.last_actor = who.name

    def _who_subject(self, doc: Doc, trigger: Token, quotes, ctx: _Context) -> Who | None:
        """Who a trigger verb's subject is. A subject that is nobody (a parse that hung the verb on
        the wrong clause) gives way to the next clause up ("X said ... and urged ...")."""
        candidates = _subjects_up(trigger)
        if not candidates:
            return self._who_token(doc, None, trigger, quotes, ctx)
        for subj in candidates:
            who = self._who_token(doc, subj, trigger, quotes, ctx)
            if who is not None:
                return who
        return None

    def _who_token(self, doc: Doc, subj: Token | None, trigger: Token, quotes, ctx: _Context) -> Who | None:
        """Resolve a subject token: pronouns, "we", "the report", "the network", names. None: nobody."""
        if subj is None:
            # "... and urged ministers to ..." without a parsed subject: the voice of the text
            return Who(self._speaker_voice(trigger.idx, quotes, ctx), True)
        low = subj.lower_
        if low in ("we", "i", "us"):
            return Who(self._speaker_voice(trigger.idx, quotes, ctx), True)
        if low in ("it", "they"):
            if ctx.it is not None:
                return ctx.it if ctx.it.name or ctx.it.own else None
            return Who(ctx.voice, True)
        if low in ("he", "she"):
            return Who(ctx.last_person, True) if ctx.last_person else None
        if low in PRONOUNS:
            return None
        return self._who_phrase(doc, _subject_phrase(subj, trigger.sent), ctx, subj.idx, quotes)

    def _who_phrase(self, doc: Doc, phrase: Span, ctx: _Context, at: int | None, quotes=None) -> Who | None:
        text = phrase.text.strip()
        head = _head_word(text.lower())
        if head in self.rules.self_refs:
            return Who(self._speaker_voice(at, quotes or [], ctx) if at is not None else ctx.voice, True)
        if head in self.rules.doc_refs and not _known_org(text):
            # "the report", "this briefing", "our survey": the document's own voice. With more words
            # ("the white paper", "the independent review") it is someone else's document.
            if re.fullmatch(r"(?:this|our)\s+.*|(?:the|its)\s+\w+", text, re.I | re.S):
                return Who(ctx.voice or ctx.last_actor, True)
            owner = next((o for _s, _e, o in default_resolver().find(text)), None)
            if owner:
                return Who(owner, ctx.voice is None or owner == ctx.voice)
            return None
        if head in self.rules.member_nouns and not _known_org(text) and not _person(phrase, self._ents):
            # "health leaders", "councils": the members the publisher speaks for
            return Who(ctx.voice or ctx.last_actor, True) if (ctx.voice or ctx.last_actor) else None
        if head in self.rules.org_nouns and not _known_org(text) and len(_clean_np(text).split()) == 1:
            # "the Alliance", "the network": the full name the document used before, else its voice
            full = _full_name(self._text[max(0, at - WINDOW):at] if at is not None else "", _clean_np(text))
            return Who(full or ctx.voice or ctx.last_actor, True)
        if head in self.rules.org_nouns and not _known_org(text) and not _proper(phrase, self._ents):
            if head.endswith("s") and at is not None:
                # "the two organisations": the two organisations the text last named
                pair = _last_orgs(self._text[max(0, at - WINDOW):at], 2)
                if len(pair) == 2:
                    return Who(" and ".join(pair), True)
            return Who(ctx.voice or ctx.last_actor, True)
        org = _known_org(text)
        if org:
            return Who(org, ctx.voice is None or org == ctx.voice or org in (ctx.voice or ""), known=True)
        person = _person(phrase, self._ents)
        if person:
            # a spokesperson calls on behalf of their organisation, when the text says which
            return Who(_org_of(person, phrase, quotes or []) or person, True)
        party = self._party(text)
        if party:
            return Who(party, ctx.voice is None)
        if _proper(phrase, self._ents):
            name = canonical_org(text)  # an organisation the alias table does not know, as written
            return Who(name, ctx.voice is None)
        return None

    def _party(self, text: str) -> str | None:
        """The canonical name of an institution that can be asked to act ("the Government" -> "Government")."""
        t = _clean_np(text)
        if not t:
            return None
        org = _known_org(t)
        if org:
            return org
        low = t.lower()
        if GOVERNMENT.fullmatch(low):
            return "Government"
        if low in self.rules.implied_targets:
            return self.rules.implied_targets[low]
        if self.rules.parties.match(t):
            return t
        # "the Government and NHS England", "NHS England and the Department of Health and Social Care"
        masked, names = t, {}
        for i, (a, b, org) in enumerate(reversed(default_resolver().find(t))):
            key = f"ORG{i}X"
            names[key] = org
            masked = masked[:a] + key + masked[b:]
        parts = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", masked)
        if len(parts) > 1:
            resolved = [names.get(p.strip()) or self._party(p) for p in parts]
            return " and ".join(resolved) if all(resolved) else None
        return None

    def _institution(self, span: Span) -> bool:
        """A noun phrase naming a body ("the independent review of children's social care")."""
        head = None
        for t in span:  # the head noun comes before any preposition ("review" of ...)
            if t.pos_ == "ADP" or t.is_punct:
                break
            if t.pos_ in ("NOUN", "PROPN"):
                head = t
        if head is None:
            return False
        return head.lower_ in self.rules.institution_nouns or head.tag_ in ("NNP", "NNPS") \
            and not head.is_upper or head.ent_type_ == "ORG"

    def _speaker_voice(self, char: int | None, quotes, ctx: _Context) -> str | None:
        """Inside a quote: the quoted speaker's organisation (or the speaker); else the text's voice."""
        q = self._quote_at(char) if char is not None else None
        if q is not None:
            return q.speaker_org or ctx.voice or q.speaker
        return ctx.voice


# -- helpers ------------------------------------------------------------------------------------------

def _units(text: str) -> list[_Unit]:
    """The text's lines with their offsets; blank lines separate blocks."""
    units = []
    pos = 0
    block_start = True
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            block_start = True
            pos += len(line) + 1
            continue
        s = pos + (len(line) - len(line.lstrip()))
        e = s + len(stripped)
        m = ITEM_MARKER.match(stripped)
        units.append(_Unit(s, e, stripped, bool(m), s + (m.end() if m else 0), block_start))
        block_start = False
        pos += len(line) + 1
    return units


def _sentences(doc: Doc) -> Iterable[Span]:
    """The parser's sentences, cut at line breaks: a sentence never runs from one block into the next."""
    for sent in doc.sents:
        start = sent.start
        for tok in sent:
            if tok.is_space and "\n" in tok.text:
                if tok.i > start:
                    yield doc[start:tok.i]
                start = tok.i + 1
        if start < sent.end:
            yield doc[start:sent.end]


def _is_heading_block(text: str, sent: Span) -> bool:
    """A one-line block without closing punctuation: a title or heading."""
    s = text.rfind("\n", 0, sent.start_char) + 1
    e = text.find("\n", sent.end_char)
    line = text[s:e if e >= 0 else len(text)].strip()
    if not line or ITEM_MARKER.match(line):
        return False
    return len(line.split()) <= 25 and not line.endswith((".", "!", "?", ":", ";", "\u201d", '"', "'", "\u2019"))


def _known_org(text: str) -> str | None:
    """The canonical name when the alias table knows ``text`` (whole), else None."""
    return default_resolver().known(text)


def _heading_like(text: str) -> bool:
    t = text.strip()
    return 0 < len(t.split()) <= 12 and not t.endswith((".", "?", "!", ";", ",")) and t[:1].isupper()


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _trim_clause(text: str, s: int, e: int, trailing: list[re.Pattern]) -> tuple[int, int]:
    """The action clause without provenance (", in a report published ...") or closing punctuation."""
    clause = text[s:e]
    for p in trailing:
        m = p.search(clause)
        if m and m.start() > 10:
            clause = clause[:m.start()]
    e = s + len(clause)
    while e > s and text[e - 1] in TRAILING:
        e -= 1
    return _strip_span(text, s, e)


def _verbish(tok: Token) -> bool:
    """A verb, or a word the tagger called a noun but that reads as one here ("It also calls on")."""
    prev = tok.nbor(-1) if tok.i > tok.sent.start else None
    if prev is not None and prev.tag_ in ("DT", "CD", "JJ", "PRP$", "POS"):
        return False  # "these four asks for ...", "the calls for ..."
    if tok.pos_ in ("VERB", "AUX"):
        return tok.dep_ not in ("pobj", "dobj", "compound")
    return prev is not None and (prev.pos_ in ("PRON", "PROPN", "ADV", "AUX") or prev.dep_ == "nsubj")


def _negated(tok: Token) -> bool:
    if any(c.dep_ == "neg" for c in tok.children):
        return True
    before = tok.doc[max(tok.sent.start, tok.i - 3):tok.i].text.lower()
    if re.search(r"\b(?:rather than|instead of|without|not)\s*(?:\w+\s+)?$", before):
        return True  # "rather than asking systems to find them"
    head = tok.head if tok.dep_ in ("xcomp", "conj") and tok.head is not tok else None
    if head is None:
        return False
    return head.lemma_ in ("stop", "refuse", "fail", "decline") or any(c.dep_ == "neg" for c in head.children)


def _to_verb(toks: list[Token], start: int, limit: int) -> int | None:
    """Index of the "to" of "to <verb>" within ``limit`` tokens from ``start`` (no clause break first)."""
    for m in range(start, min(len(toks) - 1, start + limit)):
        t = toks[m]
        if t.lower_ == "to":
            n = toks[m + 1]
            if n.tag_ == "VB" or n.pos_ in ("VERB", "AUX") and n.tag_ in ("VB", "VBP"):
                return m
            if n.pos_ == "ADV" and m + 2 < len(toks) and toks[m + 2].tag_ == "VB":
                return m  # "to urgently review" keeps the adverb
        if t.text in (";", ":", ".", "?", "!") or t.tag_ == "MD" or t.pos_ == "VERB" and t.tag_ in ("VBD", "VBZ"):
            return None
    return None


def _clause_start(trigger: Token) -> int:
    """Where a trigger's own clause starts: its subject, auxiliaries, "and" (char offset)."""
    first = trigger
    for c in trigger.lefts:
        if c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "advmod", "cc", "neg", "punct") and c.i < first.i:
            first = c.left_edge if c.dep_.startswith("nsubj") else c
    if trigger.dep_ == "conj":  # the "and" before a conjoined verb hangs off the first verb
        prev = trigger.doc[first.i - 1] if first.i > 0 else None
        if prev is not None and prev.dep_ == "cc":
            first = prev
    return first.idx


def _org_of(person: str, phrase: Span, quotes) -> str | None:
    """The organisation a person speaks for: from their apposition ("X, chair of the LGA's board")
    or from their quotes' ``speaker_org``."""
    root = phrase.root
    for c in root.children:
        if c.dep_ == "appos":
            found = default_resolver().find(root.doc[c.left_edge.i:c.right_edge.i + 1].text)
            if found:
                return found[0][2]
    surname = person.split()[-1]
    for q in quotes:
        if q.speaker and q.speaker_org and q.speaker.split()[-1] == surname:
            return q.speaker_org
    return None


def _full_name(before: str, word: str) -> str | None:
    """The last full name in ``before`` that ends with ``word``: "the Alliance" -> "Wessex Care Alliance"."""
    found = re.findall(r"\b((?:[A-Z][\w\u2019']*\s+(?:(?:of|for|and)\s+)?){1,5}%s)\b" % re.escape(word.capitalize()),
                       before)
    return canonical_org(found[-1]) if found else None


def _last_orgs(text: str, n: int) -> list[str]:
    """The ``n`` known organisations named last in ``text``, in the order they were first named."""
    found = default_resolver().find(text)
    recent: list[str] = []
    for _s, _e, org in reversed(found):
        if org not in recent:
            recent.append(org)
        if len(recent) == n:
            break
    first = {org: i for i, (_s, _e, org) in reversed(list(enumerate(found)))}
    return sorted(recent, key=lambda o: first[o])


def _is_passive(tok: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children)


def _subjects_up(tok: Token) -> list[Token]:
    """Subjects of the verb and of the clauses above it, nearest first."""
    out = []
    t = tok
    for _ in range(5):
        subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            out.append(subj)
        if t.dep_ in ("xcomp", "conj", "advcl", "ccomp") and t.head is not t:
            t = t.head
        else:
            break
    return out


def _find_subject(tok: Token) -> Token | None:
    """The subject of a verb, following xcomp/conj/advcl links up ("will continue to press")."""
    t = tok
    for _ in range(4):
        subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            return subj
        if t.dep_ in ("xcomp", "conj", "advcl") and t.head is not t:
            t = t.head
        else:
            return None
    return None


def _subject_phrase(tok: Token, bound: Span) -> Span:
    """A subject noun phrase without its appositions or relative clauses: "Cllr Jane Smith"."""
    left = tok.left_edge.i
    right = tok.i
    for c in tok.rights:
        if c.dep_ in ("prep", "pobj", "compound", "flat", "cc", "conj", "nummod", "amod") and not c.is_punct:
            gap = tok.doc[right + 1:c.i]  # "Institute for Local Care", "the LGA and ADASS"
            if any(t.is_punct for t in gap):
                break
            right = max(right, c.right_edge.i)
        else:
            break
    left = max(left, bound.start)
    right = min(right, bound.end - 1)
    span = tok.doc[left:right + 1]
    for t in span:  # cut at a comma inside (a wrongly attached apposition)
        if t.text == "," and t.i > tok.i:
            return tok.doc[left:t.i]
    return span


def _noun_phrases(span: Span) -> list[Span]:
    try:
        return list(span.noun_chunks)
    except (ValueError, NotImplementedError):
        return []


def _ents_in(phrase: Span, ents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Entities inside a span, from the document's sorted list (``Span.ents`` rebuilds ``Doc.ents``
    each time, which makes long documents quadratic)."""
    i = bisect.bisect_left(ents, (phrase.start, -1, ""))
    out = []
    while i < len(ents) and ents[i][0] < phrase.end:
        if ents[i][1] <= phrase.end:
            out.append(ents[i])
        i += 1
    return out


def _proper(phrase: Span, ents: list[tuple[int, int, str]]) -> bool:
    return phrase.root.tag_ in ("NNP", "NNPS") or any(e[2] in ("ORG", "PERSON", "NORP", "GPE")
                                                       for e in _ents_in(phrase, ents))


def _person(phrase: Span, ents: list[tuple[int, int, str]]) -> str | None:
    """A person's name from a phrase: a PERSON entity, or the words after an honorific."""
    words = phrase.text.replace("\u2019", "'").split()
    honorific = bool(words) and words[0].lower().rstrip(".") in HONORIFICS
    doc = phrase.doc
    ents = [doc[a:b] for a, b, label in _ents_in(phrase, ents) if label == "PERSON"]
    if honorific:
        name = phrase.text
    elif ents and len(ents[0].text.split()) >= 2 and not _known_org(ents[0].text):
        name = ents[0].text
    else:
        return None
    parts = [re.sub(r"['\u2019]s?$", "", w) for w in name.split() if w.lower().rstrip(".") not in HONORIFICS]
    return " ".join(p for p in parts if p) or None


def _head_word(text: str) -> str:
    words = re.findall(r"[a-z]+", text)
    return words[-1] if words else ""


def _clean_np(text: str) -> str:
    """Drop a leading determiner and a trailing possessive: "the LGA's" -> "LGA"."""
    t = " ".join(text.replace("\u2019", "'").split()).strip(" ,.;:")
    t = ITEM_MARKER.sub("", t)
    t = re.sub(r"^(?:the|a|an|our|its|their|his|her|all|every|each)\s+", "", t, flags=re.I)
    return re.sub(r"'s?$", "", t)


def _quote_records(doc: Doc) -> list:
    """The quotes component's records when it ran before us (speakers and offsets), else none."""
    if Doc.has_extension("quotes"):
        return list(doc._.quotes or [])
    return []

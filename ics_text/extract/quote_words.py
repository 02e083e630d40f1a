"""The words and word tests that the layers of the quote finder share.

Reporting verbs (the scanner reads them after a closing mark, attribution looks for them), role
words and organisation heads (they break a run of capitalised words as a name, and they make a
phrase a role or an organisation), and small tests on single words. They live apart so that each
layer (:mod:`.quote_marks`, :mod:`.quote_roles`, :mod:`.quote_speakers`,
:mod:`.quote_attribution`) depends on this list rather than on another layer.
"""

from __future__ import annotations

import re

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

# Words that end or break a run of capitalised words as a person's name.
ROLE_WORDS = frozenset((
    "chair chairman chairwoman chairperson vice deputy chief executive director leader president "
    "secretary minister officer head spokesperson spokesman spokeswoman member members manager "
    "lead principal governor mayor councillor cabinet portfolio holder convenor board trustee "
    "founder partner professor adviser advisor commissioner clinical medical nursing finance "
    "policy strategy operations senior associate assistant interim acting general national "
    "regional programme program co-chair ceo cfo coo mp health care social adult children's "
    "public services service local").split())
# Last words of an organisation's name ("... Network", "... County Council").
ORG_HEADS = frozenset((
    "Association Alliance Network Confederation Council Councils Institute Foundation Fund Trust "
    "Trusts Forum Board Commission Committee Authority Agency Department Ministry Office Service "
    "Services Partnership Group Society College Federation Union Centre Center Providers Employers "
    "Unit Collaborative University Hospital Hospitals Party Assembly Parliament Government Treasury "
    "Panel Institution Company Ltd Limited Charity Coalition Consortium Observatory Academy "
    "Executive Team Care").split())
# First words of a relative clause: what follows a name is a description, not a role.
RELATIVE_FIRST = frozenset("who whose which where when whom".split())
# A word as the speaker rules see it: letters, digits, apostrophes, dots and hyphens inside.
WORD = re.compile(r"[^\W_][\w'’.-]*|&")
# What ends a sentence.
TERMINAL = frozenset(".!?\u2026")


def first_word(s: str) -> str:
    """The first word of ``s``, lower-cased ("" when there is none)."""
    m = WORD.search(s)
    return m.group().lower() if m else ""


def possessive(w: str) -> bool:
    """Whether a word is a possessive ("LGA's", "councils'")."""
    return w.endswith(("'s", "’s")) or (w.endswith(("'", "’")) and len(w) > 1)

"""The ics_quotes component: quote marks, speakers, roles, organisations, and bad input.

Every text here is written for these tests (invented people and bodies). The component is built
through ``nlp.add_pipe("ics_quotes")`` on the real English model.
"""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

import ics_text.extract.quotes  # noqa: E402,F401  (registers the factory)
from ics_text.extract.quotes import FACTORY, find_quote_spans  # noqa: E402
from ics_text.records import Quote  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    from ics_text.extract.pipeline import model_name

    nlp = spacy.load(model_name())
    nlp.add_pipe(FACTORY)
    return nlp


def quotes(nlp, text: str) -> list[Quote]:
    doc = nlp(text)
    found = doc._.quotes
    for q in found:
        assert isinstance(q, Quote)
        assert text[q.start:q.end] == q.text, "offsets must point at the quote's own text"
    return found


def one(nlp, text: str) -> Quote:
    found = quotes(nlp, text)
    assert len(found) == 1, [q.text for q in found]
    return found[0]


# -- speaker before the quote ----------------------------------------------------------------------

def test_name_role_said_colon(nlp):
    q = one(nlp, "Harriet Ojo, chief executive of the Fenland Care Network, said: “Our staff have given "
                 "everything this winter and they need to know help is coming.”")
    assert q.text.startswith("Our staff have given everything")
    assert (q.speaker, q.speaker_role, q.speaker_org, q.cue, q.partial) == (
        "Harriet Ojo", "chief executive", "Fenland Care Network", "said", False)


def test_adverbial_before_the_speaker(nlp):
    q = one(nlp, "Responding to the figures, Cllr Petra Lind, the LGA’s spokesperson for housing, said: "
                 "‘Every month without a decision costs families their homes.’")
    assert (q.speaker, q.speaker_role, q.speaker_org) == (
        "Petra Lind", "spokesperson for housing", "Local Government Association")


def test_role_before_the_name(nlp):
    q = one(nlp, "NHS Confederation chief executive Tomas Reyes said: “Leaders are ready to deliver, "
                 "but they cannot do it with one hand tied behind their backs.”")
    assert (q.speaker, q.speaker_role, q.speaker_org) == ("Tomas Reyes", "chief executive", "NHS Confederation")


def test_colon_without_a_verb(nlp):
    q = one(nlp, "Cllr Bea Fordham, chair of the CCN’s health panel: ‘We need a settlement that lasts "
                 "longer than a single year.’")
    assert q.cue == ":"
    assert q.speaker == "Bea Fordham"
    assert q.speaker_org == "County Councils Network"


def test_paragraph_ending_said_colon_introduces_the_next(nlp):
    text = ("Orla Penhale, director of the Coastal Health Alliance, said:\n\n"
            "“Community teams are stretched thinner than at any point I can remember.”")
    q = one(nlp, text)
    assert (q.speaker, q.speaker_role, q.speaker_org, q.cue) == (
        "Orla Penhale", "director", "Coastal Health Alliance", "said")


# -- speaker after the quote -----------------------------------------------------------------------

def test_said_name_role_after_the_quote(nlp):
    q = one(nlp, "“We cannot keep patching the roof while it rains,” said Helen Brask, chief executive "
                 "of the Fenland Care Network.")
    assert q.text == "We cannot keep patching the roof while it rains,"
    assert (q.speaker, q.speaker_role, q.speaker_org, q.cue, q.partial) == (
        "Helen Brask", "chief executive", "Fenland Care Network", "said", False)


def test_name_role_said_after_the_quote(nlp):
    q = one(nlp, "‘Budgets are stretched to breaking point,’ Cllr Joan Wexley, the LGA’s community "
                 "wellbeing spokesperson, said.")
    assert (q.speaker, q.speaker_role, q.speaker_org) == (
        "Joan Wexley", "community wellbeing spokesperson", "Local Government Association")


def test_quote_interrupted_by_its_attribution(nlp):
    a, b = quotes(nlp, "“Councils,” said Cllr Ravi Soman, “are the backbone of local prevention work.”")
    assert a.text == "Councils," and b.text == "are the backbone of local prevention work."
    assert a.speaker == b.speaker == "Ravi Soman"
    assert not a.partial and not b.partial


def test_quote_closing_its_sentence_is_not_attributed_to_the_next_one(nlp):
    text = ("Jane Corlett, the LGA’s chair, said: “We welcome the plan.” The Department of Health "
            "said it would publish details next month.")
    q = one(nlp, text)
    assert q.speaker == "Jane Corlett" and q.speaker_org == "Local Government Association"


# -- quotes over several paragraphs ----------------------------------------------------------------

def test_quote_left_open_runs_on_over_paragraphs(nlp):
    text = ("Cllr Dr Nadia Berwick, chair of the Wessex Councils Partnership, said: ‘Prevention is "
            "cheaper than cure. We keep saying it because it keeps being true.\n\n"
            "‘Every pound taken from public health turns up later as a bill for the NHS.\n\n"
            "‘Ministers know this. The question is whether they will act on it.'\n\n"
            "The partnership represents 14 councils.")
    found = quotes(nlp, text)
    assert [q.text.split()[0] for q in found] == ["Prevention", "Every", "Ministers"]
    assert all(q.speaker == "Nadia Berwick" for q in found)
    assert all(q.speaker_org == "Wessex Councils Partnership" for q in found)
    assert not any(q.partial for q in found)
    assert found[-1].text.endswith("act on it.")


def test_each_paragraph_closed_and_reopened(nlp):
    text = ("Maria Okafor, president of the Society of Care Directors, said:\n\n"
            "“Demand keeps rising faster than any of us planned for.”\n\n"
            "“Staff are exhausted, and many are leaving for better-paid work.”\n\n"
            "The society surveyed 150 directors in the spring.")
    found = quotes(nlp, text)
    assert len(found) == 2
    assert all(q.speaker == "Maria Okafor" and q.speaker_role == "president" for q in found)


def test_speaker_named_at_the_end_of_a_quote_over_paragraphs(nlp):
    text = ("Jane Holt, leader of the council, said: “We welcome the review.”\n\n"
            "The review was published on Monday.\n\n"
            "“Nobody who works in social care will be surprised by these findings. They confirm what "
            "we have said for years.\n\n"
            "“What matters now is whether anyone acts on them,” said Tom Raikes, chair of the Care "
            "Providers Forum.")
    first, second, third = quotes(nlp, text)
    assert first.speaker == "Jane Holt"
    assert second.speaker == third.speaker == "Tom Raikes"
    assert second.speaker_org == "Care Providers Forum"


def test_paragraph_cut_in_two_mid_quote_stays_one_quote(nlp):
    # a page break in a PDF splits a paragraph: the second part starts in lower case
    text = ("Cllr Ian Moss said: ‘If we want carers to stay in the job, the work has to be paid "
            "properly\n\nrather than left to providers who are already on the edge.’ He urged "
            "ministers to act.")
    q = one(nlp, text)
    assert q.text.startswith("If we want carers") and q.text.endswith("on the edge.")
    assert q.speaker == "Ian Moss"


# -- later references to a speaker -----------------------------------------------------------------

def test_he_added_resolves_to_the_last_speaker(nlp):
    text = ("Dr Owen Tierney, medical director at NHS England, said: “Waiting lists are falling.”\n\n"
            "“We are not complacent about the months ahead,” he added.")
    a, b = quotes(nlp, text)
    assert b.speaker == "Owen Tierney" and b.cue == "added" and not b.partial
    assert b.speaker_org == "NHS England" and b.speaker_role == "medical director"


def test_mr_x_also_warned_resolves_to_the_full_name(nlp):
    text = ("Samuel Adeyemi, chair of the County Councils Network, said: “Counties need a fair deal.”\n\n"
            "Mr Adeyemi also warned: “Without it, some services will simply close.”")
    a, b = quotes(nlp, text)
    assert b.speaker == "Samuel Adeyemi" and b.cue == "warned"
    assert b.speaker_org == "County Councils Network"


def test_pronoun_after_an_indirect_mention(nlp):
    text = ("Rowena Tait, chief executive of the Midland Trusts Forum, said the Government must set out "
            "a clear plan for the transition.\n\n"
            "“Every reorganisation costs money before it saves any,” she said.")
    q = one(nlp, text)
    assert q.speaker == "Rowena Tait" and q.speaker_org == "Midland Trusts Forum"


def test_surname_resolves_to_a_person_named_earlier(nlp):
    text = ("The review was led by Professor Alan Whitcombe, who chaired the panel.\n\n"
            "‘The evidence points one way,’ Professor Whitcombe said.")
    assert one(nlp, text).speaker == "Alan Whitcombe"


def test_the_role_resolves_to_the_speaker_who_holds_it(nlp):
    text = ("Lena Farrow, chief executive of the Riverside Care Trust, said: “We are ready.”\n\n"
            "“The money has to follow,” the chief executive added.")
    assert [q.speaker for q in quotes(nlp, text)] == ["Lena Farrow", "Lena Farrow"]


# -- unnamed speakers ------------------------------------------------------------------------------

def test_unnamed_speaker_keeps_its_description(nlp):
    q = one(nlp, "Asked about the reforms, one ICB chair said: “We have spent the whole year on "
                 "paperwork.”")
    assert q.speaker == "one ICB chair" and q.cue == "said"
    assert q.speaker_org is None  # "ICB" names a kind of body here, not an organisation


def test_reported_clause_in_quote_marks_is_whole(nlp):
    q = one(nlp, "One finance director told the survey that “the cost of agency staff has doubled in "
                 "two years”.")
    assert (q.speaker, q.cue, q.partial) == ("one finance director", "told", False)


def test_pronoun_resolves_to_a_description_in_the_same_paragraph(nlp):
    q = quotes(nlp, "One ward manager told us that her team had lost six nurses. “We are running on "
                    "goodwill now,” she said.")[-1]
    assert q.speaker == "one ward manager"


# -- partial quotes --------------------------------------------------------------------------------

def test_partial_quote_in_reported_speech(nlp):
    text = ("Cllr Amir Haddad, chair of the Northfield Councils Alliance, said: ‘We have done all we can.’\n\n"
            "He added that the latest settlement was ‘a sticking plaster’ for a much deeper wound.")
    a, b = quotes(nlp, text)
    assert b.text == "a sticking plaster"
    assert (b.speaker, b.cue, b.partial) == ("Amir Haddad", "added", True)


def test_partial_quote_attributed_after(nlp):
    q = one(nlp, "Councils are ‘at breaking point’, the Local Government Association said.")
    assert q.partial and q.speaker_org == "Local Government Association" and q.cue == "said"


def test_partial_with_participle(nlp):
    q = one(nlp, "Cllr Greta Mills warned that the plan would fail without more specialist staff, "
                 "describing the shortage as ‘acute’.")
    assert q.partial and q.speaker == "Greta Mills"


# -- quote-mark styles and apostrophes -------------------------------------------------------------

@pytest.mark.parametrize("opening, closing", [
    ("“", "”"), ("‘", "’"), ('"', '"'), ("'", "'"), ("‘", "'"), ("“", '"'), ('"', "”"),
])
def test_every_quote_mark_style(nlp, opening, closing):
    q = one(nlp, f"Dana Kell, director of the Upland Care Forum, said: {opening}Rural areas cannot "
                 f"wait another decade for a fair funding formula.{closing}")
    assert q.text == "Rural areas cannot wait another decade for a fair funding formula."
    assert q.speaker == "Dana Kell"


def test_apostrophes_are_not_quote_marks(nlp):
    text = ("The NHS’s plan and councils’ role don’t yet match, and it’s a gap that trusts' boards "
            "and the sector's leaders in the ’90s style of planning have long noted.")
    assert quotes(nlp, text) == []
    assert find_quote_spans(text) == []


def test_plural_possessive_inside_a_quote(nlp):
    q = one(nlp, "Nina Roy, director of finance at the Hallam Trust, said: 'Our trusts' reserves are "
                 "gone, and councils’ budgets are no better. We don't know what comes next.'")
    assert q.text.startswith("Our trusts' reserves are gone")
    assert q.text.endswith("what comes next.")


def test_quote_opening_with_a_plural_possessive(nlp):
    q = one(nlp, "Cllr Rhian Evans said: ‘Councils’ public health teams do more with less every year. "
                 "That cannot go on.’")
    assert q.text.startswith("Councils’ public health teams") and q.text.endswith("cannot go on.")


def test_closing_mark_after_a_plural(nlp):
    found = quotes(nlp, "Cllr Ann Hale said: ‘The money should go to councils’, adding that the rest "
                        "was ‘for the NHS to spend’.")
    assert [q.text for q in found] == ["The money should go to councils", "for the NHS to spend"]
    assert found[1].partial and found[1].speaker == "Ann Hale"


def test_nested_quotes_stay_inside(nlp):
    q = one(nlp, "Priya Sand, the CCN’s finance spokesperson, said: ‘When the minister told us “help is "
                 "on its way”, we believed him. We are still waiting.’")
    assert q.text.startswith("When the minister told us “help is on its way”, we believed him.")


# -- honorifics, roles and organisations ------------------------------------------------------------

@pytest.mark.parametrize("written, name", [
    ("Cllr Dr Amrit Patel", "Amrit Patel"),
    ("Professor Sir Colin Marsh", "Colin Marsh"),
    ("Prof. Ellen Ward", "Ellen Ward"),
    ("Baroness Ruth Kingsley", "Ruth Kingsley"),
    ("Lord Harold Penn", "Harold Penn"),
    ("Dame Irene Cole", "Irene Cole"),
    ("Mrs Joy Adeleke", "Joy Adeleke"),
    ("Ms Cara Lund", "Cara Lund"),
    ("Rt Hon Alan Fenwick MP", "Alan Fenwick"),
])
def test_honorifics_are_stripped(nlp, written, name):
    q = one(nlp, f"{written}, chair of the Fenland Care Network, said: “Local leaders know their places "
                 f"better than anyone in Whitehall.”")
    assert q.speaker == name


@pytest.mark.parametrize("subject, role, org", [
    ("Cllr Tim Rowe, chair of the LGA’s Community Wellbeing Board,", "chair of the Community Wellbeing Board",
     "Local Government Association"),
    ("Kate Imrie, director of policy at NHS Confed,", "director of policy", "NHS Confederation"),
    ("Ravi Jones, chief executive of the Mental Health Network,", "chief executive of the Mental Health Network",
     "NHS Confederation"),
    ("Owen Pike, the DHSC’s chief scientific adviser,", "chief scientific adviser",
     "Department of Health and Social Care"),
    ("Cllr Sue Baines, CCN spokesperson for adult social care,", "spokesperson for adult social care",
     "County Councils Network"),
    ("Mia Stroud, a partner at Pennant Rowe and the report’s lead author,", "partner", "Pennant Rowe"),
    ("Cllr Lee Ash, cabinet member for health at the council,", "cabinet member for health", None),
])
def test_role_and_organisation(nlp, subject, role, org):
    q = one(nlp, f"{subject} said: “The next spending review has to put prevention first.”")
    assert (q.speaker_role, q.speaker_org) == (role, org)


def test_short_reference_resolves_to_the_full_name_used_before(nlp):
    text = ("The Institute for Rural Care has published its annual review of county services.\n\n"
            "Priya Lang, director of the Institute, said the findings were “sobering but not surprising”.")
    q = one(nlp, text)
    assert (q.speaker, q.speaker_role, q.speaker_org, q.partial) == (
        "Priya Lang", "director", "Institute for Rural Care", True)


def test_organisation_speaking(nlp):
    q = one(nlp, "The County Councils Network welcomed the announcement, saying: “This is a step in the "
                 "right direction for rural areas.”")
    assert q.speaker == q.speaker_org == "County Councils Network"
    assert q.cue == "saying"


@pytest.mark.parametrize("verb", ["said", "added", "warned", "told reporters", "insisted", "explained"])
def test_cue_is_the_reporting_verb(nlp, verb):
    q = one(nlp, f"“Nobody should have to wait a year for an assessment,” Cllr Aled Hughes {verb}.")
    assert q.cue == verb.split()[0]
    assert q.speaker == "Aled Hughes"


def test_according_to(nlp):
    q = one(nlp, "According to Lydia Marsh, head of policy at the NHS Confederation, “the system is "
                 "running hot all year round now”.")
    assert (q.speaker, q.speaker_org, q.cue) == ("Lydia Marsh", "NHS Confederation", "according to")


def test_according_to_a_formula_is_not_a_speaker(nlp):
    q = one(nlp, "Cllr Tom Reade said the grant, shared out according to population, had been ‘a fairer "
                 "approach’ than the last one.")
    assert q.speaker == "Tom Reade" and q.partial


def test_headline_with_the_verb_left_out(nlp):
    q = quotes(nlp, "Care leaders ‘deeply worried’ as winter pressures build\n\nThe survey closes today.")[0]
    assert (q.speaker, q.partial, q.cue) == ("Care leaders", True, None)


def test_fragment_takes_the_sentence_s_first_reporting_verb(nlp):
    q = one(nlp, "Ward managers told us they felt ‘abandoned’ by national bodies.")
    assert (q.speaker, q.cue, q.partial) == ("Ward managers", "told", True)


def test_organisation_after_of(nlp):
    q = one(nlp, "Professor Jane Dower, of the University of Leeds, said: “The data tell a clear story.”")
    assert (q.speaker, q.speaker_role, q.speaker_org) == ("Jane Dower", None, "University of Leeds")


# -- quotes labelled with their source -------------------------------------------------------------

def test_dash_and_parenthesis_labels(nlp):
    text = ("Leaders described the pressure in their own words:\n\n"
            "- “We have been starved of capital for a decade.” (Trust chief executive)\n\n"
            "- “Nobody is listening to the people who run services.” – Cllr Dana Price, LGA chair\n\n"
            "- “The paperwork never stops, whatever anyone promises.”")
    a, b, c = quotes(nlp, text)
    assert (a.speaker, a.cue) == ("Trust chief executive", None)
    assert (b.speaker, b.speaker_role, b.speaker_org, b.cue) == (
        "Dana Price", "chair", "Local Government Association", "–")
    assert c.speaker is None  # a labelled quote does not run on into the next item


def test_pull_quote_with_a_name_line(nlp):
    text = ("The new service launched in May.\n\n"
            "“We saved three days per assessment, and families noticed the difference.”\n\n"
            "Amy Chen, social worker, Wealdshire County Council\n\n"
            "The council plans to extend it next year.")
    q = one(nlp, text)
    assert (q.speaker, q.speaker_role, q.speaker_org) == ("Amy Chen", "social worker", "Wealdshire County Council")


def test_title_quote_takes_the_speaker_of_the_body(nlp):
    text = ("‘Councils have a crisis now’: CCN responds to the school places plan\n\n"
            "Cllr Keith Lanyon, the County Councils Network’s spokesperson for children’s services, said: "
            "‘The plan is for the next decade, and councils have a crisis now.’")
    title, body = quotes(nlp, text)
    assert title.speaker == body.speaker == "Keith Lanyon"
    assert title.speaker_org == "County Councils Network"


# -- not quotations --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The LGA published a report called “Fit for the future” last week.",
    "Ministers have promised an end to the so-called ‘cliff edge’ in funding.",
    "The ‘Better Care Together’ programme now covers twelve areas.",
    "The plan is known as ‘Healthy Places, Fairer Lives’ in most councils.",
    "Councils have been told to follow the ‘home first’ approach.",
    "The paper describes a ‘postcode lottery’ in care.",
    "Some call it ‘reform’; others call it cuts.",
])
def test_titles_and_scare_quotes_are_not_quotes(nlp, text):
    assert quotes(nlp, text) == []


def test_quote_without_speaker_when_nobody_can_be_found(nlp):
    q = one(nlp, "A sign on the ward door read: “Please be patient with our staff, they are doing their best.”")
    assert q.text.startswith("Please be patient") and q.speaker is None


# -- malformed input -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "", " ", "\n\n\n", "'", "“”", "‘’’’", '"""', ":", "said:", "“", "He said:\n\n", "’s", "s’ s’ s’",
    "“‘”’\"'" * 20, "He said ‘this is\n\n“and this\n\n’’’’\n\n\"\"\"\n\n‘",
    "\n\n".join(["“unclosed", "closed”", "‘half", "”", "'", "said: '"] * 30),
])
def test_malformed_input_does_not_crash(nlp, text):
    assert isinstance(quotes(nlp, text), list)


def test_ten_thousand_paragraphs(nlp):
    # tokenizer-only Doc (the component needs no tagger or parser) so the test stays quick
    paras = []
    for i in range(10_000):
        if i % 5 == 0:
            paras.append(f"Cllr Jo Hart{i % 7}, chair of the board, said: “Point number {i} matters.")
        elif i % 5 == 1:
            paras.append(f"“It still matters {i} times,” she added.")
        elif i % 5 == 2:
            paras.append(f"Councils’ plans and trusts' budgets ‘{i} unbalanced \" marks")
        else:
            paras.append(f"Plain paragraph {i} with no quote at all.")
    text = "\n\n".join(paras)
    doc = nlp.get_pipe(FACTORY)(nlp.make_doc(text))
    found = doc._.quotes
    assert len(found) >= 4000
    assert all(text[q.start:q.end] == q.text for q in found)


def test_works_on_a_tokenizer_only_doc(nlp):
    text = "“We are ready,” said Cllr Jo Hart, leader of Wessex County Council."
    q = nlp.get_pipe(FACTORY)(nlp.make_doc(text))._.quotes[0]
    assert (q.speaker, q.speaker_role, q.speaker_org) == ("Jo Hart", "leader", "Wessex County Council")


# -- the component as a spaCy component ------------------------------------------------------------

def test_serialisation_round_trips(nlp, tmp_path):
    comp = nlp.get_pipe(FACTORY)
    text = "Kit Moor, the FCN’s chair, said: “Small bodies count too, and always have.”"

    blank = spacy.blank("en")
    other = blank.add_pipe(FACTORY, config={"min_words": 5})
    other.set_aliases({"Fenland Care Network": ["FCN"]})
    restored = blank.add_pipe(FACTORY, name="restored")
    restored.from_bytes(other.to_bytes())
    assert restored.min_words == 5
    assert restored.orgs.known("FCN") == "Fenland Care Network"
    assert restored.orgs.known("LGA") is None

    other.to_disk(tmp_path / "quotes")
    again = blank.add_pipe(FACTORY, name="again").from_disk(tmp_path / "quotes")
    assert again.orgs.known("the FCN's") == "Fenland Care Network" and again.min_words == 5
    doc = again(blank.make_doc(text))
    assert doc._.quotes[0].speaker_org == "Fenland Care Network"
    assert comp(blank.make_doc(text))._.quotes[0].speaker_org == "FCN"  # not in the shipped table


def test_whole_pipeline_to_disk_and_back(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert FACTORY in loaded.pipe_names
    text = "Harriet Ojo, the LGA’s chair, said: “We are ready to help.”"
    assert loaded(text)._.quotes == nlp(text)._.quotes


def test_pipe_with_two_processes(nlp):
    texts = ["“We are ready,” said Cllr Jo Hart.", "Ruth Bell, CCN chair, said: ‘Counties matter.’",
             "No quotes here."] * 4
    one_proc = [d._.quotes for d in nlp.pipe(texts)]
    two_proc = [d._.quotes for d in nlp.pipe(texts, n_process=2, batch_size=4)]
    assert one_proc == two_proc
    assert one_proc[1][0].speaker_org == "County Councils Network"

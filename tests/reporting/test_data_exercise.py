"""The regional data exercise page: completeness worked out by hand, with the small-number rule.

Essex (881) records 6 children: all with a first name, 5 born (1 unborn with a due date). Suffolk
(935) records 8 children, all born, none with a due date. Southend and Thurrock record none.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as Dec

import pytest
from django.urls import reverse

from cases import models as m
from cases.permissions import CASE_MODELS
from reporting.selectors import disclosure_control
from reporting.services import completeness
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db
URL = reverse("data_exercise")
LAS = ["Essex", "Southend-on-Sea", "Suffolk", "Thurrock", "Region"]  # the LAs by name, then the region


@pytest.fixture
def region(la_a, la_b):
    essex = f.FamilyFactory(local_authority=la_a)
    for number in range(5):
        f.ChildFactory(family=essex, la_child_id=f"E{number}")
    f.ChildFactory(family=essex, la_child_id="E-unborn", date_of_birth=None, expected_due_date=dt.date(2027, 1, 9))
    suffolk = f.FamilyFactory(local_authority=la_b)
    for number in range(8):
        f.ChildFactory(family=suffolk, la_child_id=f"S{number}")


def _child_block(figures):
    return next(block for block in figures.blocks if block.model == "Child")


def _row(block, field):
    return next(row for row in block.rows if row.field == field).cells


def test_it_works_out_each_share_and_withholds_small_numbers(region):
    figures = completeness.regional_completeness()

    assert [heading for _key, heading in figures.scopes] == LAS
    child = _child_block(figures)
    c = completeness.SUPPRESSED

    # Records: 6, 0, 8, 0 and 14 in the region, none from 1 to 4.
    assert child.records == [Dec(6), Dec(0), Dec(8), Dec(0), Dec(14)]
    # Every child has a first name: 100% where there are children, nothing where there are none.
    assert _row(child, "first_name") == [Dec("100.0"), None, Dec("100.0"), None, Dec("100.0")]
    # Date of birth: Essex 5 of 6 (1 without: withheld), the region 13 of 14 (1 without: withheld).
    # Then, as a reader would: the region's 14 less its 13 gives its 1, so the 13 goes; the LAs' 5 + 8
    # give the 13, so Essex's 5 goes too (the smallest). Suffolk's 8 of 8 gives nothing away.
    assert _row(child, "date_of_birth") == [c, None, Dec("100.0"), None, c]
    # Due date: Essex 1 of 6 and the region 1 of 14 withheld (and with them the region's 13 and Essex's
    # 5 without one); Suffolk 0 of 8 is a true zero, shown.
    assert _row(child, "expected_due_date") == [c, None, Dec("0.0"), None, c]
    assert figures.suppressed


def test_it_withholds_records_of_one_to_four_and_shares_built_on_them(region):
    figures = completeness.regional_completeness()

    family = next(block for block in figures.blocks if block.model == "Family")
    c = completeness.SUPPRESSED
    # One family in each of two LAs: 1, 1 and 2 in the region are all withheld.
    assert family.records == [c, 0, c, 0, c]
    assert _row(family, "team") == [c, None, c, None, c]


def test_it_secondary_suppresses_what_the_region_would_give_away():
    """Worked through by hand as a reader would: the region's count and Suffolk's give Essex's."""
    table = completeness.completeness_table(
        [m.LocalAuthority(pk=1, name="A"), m.LocalAuthority(pk=2, name="B")],
        {("Child", None): {1: 20, 2: 30}, ("Child", "first_name"): {1: 18, 2: 30}},
    )[0]
    withheld = disclosure_control(table, threshold=5)

    # A: 2 without a first name (primary); its share with it. The region's 2 without (primary).
    assert ("empty", "Child", "first_name", 1) in withheld
    assert ("share", "Child", "first_name", 1) in withheld
    assert ("share", "Child", "first_name", "region") in withheld
    # Then the region's 48 with a first name, then A's 18 (the region's 48 less B's 30 would give it);
    # B's 30 of 30 gives nobody away (0 without): shown, and so are the numbers of records.
    assert ("filled", "Child", "first_name", "region") in withheld
    assert ("filled", "Child", "first_name", 1) in withheld
    assert ("share", "Child", "first_name", 2) not in withheld
    assert ("filled", "Child", "first_name", 2) not in withheld
    assert not {("records", "Child", scope) for scope in (1, 2, "region")} & withheld


def test_it_shows_the_page_to_analysts_and_board_members(client, analyst, board_member, region):
    for user in (analyst, board_member):
        sign_in(client, user)
        response = client.get(URL)

        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-row="date_of_birth"' in page
        assert "[c]" in page
        assert 'id="suppression-note"' in page
        assert "E-unborn" not in page


def test_it_shows_the_figures_in_the_table_as_worked_out(client, analyst, region):
    sign_in(client, analyst)

    response = client.get(URL)

    child = next(block for block in response.context["blocks"] if block["anchor"] == "child")
    assert child["records"] == ["6", "0", "8", "0", "14"]
    rows = {row["field"]: row["cells"] for row in child["rows"]}
    assert rows["first_name"] == ["100.0%", "\N{EN DASH}", "100.0%", "\N{EN DASH}", "100.0%"]
    assert rows["expected_due_date"] == ["[c]", "\N{EN DASH}", "0.0%", "\N{EN DASH}", "[c]"]


@pytest.mark.parametrize("persona", ["social_worker", "team_manager", "other_la_user"])
def test_it_refuses_la_staff(client, persona, request):
    sign_in(client, request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403


def test_it_reads_in_one_query_per_model(client, analyst, region, django_assert_max_num_queries):
    sign_in(client, analyst)
    # One count query per case model, the LAs, and the signed-in request's own (session, user, device).
    with django_assert_max_num_queries(len(CASE_MODELS) + 8):
        assert client.get(URL).status_code == 200

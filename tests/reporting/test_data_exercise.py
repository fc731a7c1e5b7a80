"""The regional data exercise: completeness worked out by hand, stored nightly, shown with the small-number rule.

Essex (881) records 6 children: all with a first name, 5 born (1 unborn with a due date). Suffolk
(935) records 8 children, all born, none with a due date. Southend and Thurrock record none.
The figures are computed and stored first (``completeness_compute``, as the nightly task does);
the page and its CSV read the stored snapshot.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as Dec

import django.apps
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import models as m
from cases.permissions import CASE_MODELS
from cases.row_security import guarded_tables
from reporting import selectors
from reporting.models import CompletenessFigure, CompletenessSnapshot, MetricRun
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


def shown_figures():
    """Compute and store the figures (as the nightly task does), then read them as the page does."""
    completeness.completeness_compute()
    return selectors.completeness_figures()


def test_it_works_out_each_share_and_withholds_small_numbers(region):
    figures = shown_figures()

    assert [heading for _key, heading in figures.scopes] == LAS
    child = _child_block(figures)
    c = selectors.SUPPRESSED

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
    figures = shown_figures()

    family = next(block for block in figures.blocks if block.model == "Family")
    c = selectors.SUPPRESSED
    # One family in each of two LAs: 1, 1 and 2 in the region are all withheld.
    assert family.records == [c, 0, c, 0, c]
    assert _row(family, "team") == [c, None, c, None, c]


def test_it_secondary_suppresses_what_the_region_would_give_away():
    """Worked through by hand as a reader would: the region's count and Suffolk's give Essex's."""
    table = selectors.completeness_table(
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
    completeness.completeness_compute()
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
    completeness.completeness_compute()
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


# ---------------------------------------------------------------------------
# The stored snapshot
# ---------------------------------------------------------------------------


def stored(snapshot, model, field=""):
    """(LA short name or region, records, filled, share) of one stored row, in the page's order."""
    rows = snapshot.figures.filter(model=model, field=field).select_related("local_authority")
    return sorted(
        ((r.local_authority.short_name if r.local_authority else "Region", r.records, r.filled, r.share) for r in rows),
        key=lambda row: LAS.index(row[0]),
    )


def test_it_stores_each_count_and_share_worked_out_by_hand(region):
    snapshot = completeness.completeness_compute(trigger=MetricRun.Trigger.TEST)

    assert snapshot.trigger == "test"
    assert snapshot.as_at == timezone.localdate(snapshot.computed_at)
    assert snapshot.duration_seconds is not None
    # Records of children: 6, 0, 8, 0, and their sum 14 for the region; no field, no share.
    assert stored(snapshot, "Child") == [
        ("Essex", 6, None, None),
        ("Southend-on-Sea", 0, None, None),
        ("Suffolk", 8, None, None),
        ("Thurrock", 0, None, None),
        ("Region", 14, None, None),
    ]
    # Stored as counted, unsuppressed: 5 of 6 born is 83.3333%, 13 of 14 is 92.8571%; no records, no share.
    assert stored(snapshot, "Child", "date_of_birth") == [
        ("Essex", 6, 5, Dec("83.3333")),
        ("Southend-on-Sea", 0, 0, None),
        ("Suffolk", 8, 8, Dec("100.0000")),
        ("Thurrock", 0, 0, None),
        ("Region", 14, 13, Dec("92.8571")),
    ]
    # 1 of 6 with a due date is 16.6667%, 0 of 8 is a true 0, 1 of 14 is 7.1429%.
    assert stored(snapshot, "Child", "expected_due_date") == [
        ("Essex", 6, 1, Dec("16.6667")),
        ("Southend-on-Sea", 0, 0, None),
        ("Suffolk", 8, 0, Dec("0.0000")),
        ("Thurrock", 0, 0, None),
        ("Region", 14, 1, Dec("7.1429")),
    ]
    assert stored(snapshot, "Family") == [
        ("Essex", 1, None, None),
        ("Southend-on-Sea", 0, None, None),
        ("Suffolk", 1, None, None),
        ("Thurrock", 0, None, None),
        ("Region", 2, None, None),
    ]
    due = snapshot.figures.get(model="Child", field="expected_due_date", local_authority__isnull=True)
    assert (due.model_label, due.field_label) == (
        "Child",
        str(m.Child._meta.get_field("expected_due_date").verbose_name),
    )
    # Every exercise field of every record type, for the 4 LAs and the region, after its records row.
    expected_rows = sum(
        len(completeness.exercise_fields(model)) + 1 for model in CASE_MODELS if completeness.exercise_fields(model)
    )
    assert snapshot.figures.count() == expected_rows * 5
    positions = list(snapshot.figures.filter(local_authority__isnull=True).values_list("model", "field", "position"))
    assert positions[0][:2] == ("Family", "")
    assert [p for _model, _field, p in positions] == list(range(expected_rows))


def test_it_applies_the_small_number_rule_when_shown_not_when_stored(region, settings):
    completeness.completeness_compute()
    settings.PLO_SMALL_NUMBER_THRESHOLD = 10

    child = _child_block(selectors.completeness_figures())

    # With a threshold of 10, Suffolk's 8 children are withheld, and Essex's 6 (the region's 14 less 8 would give it).
    c = selectors.SUPPRESSED
    assert child.records == [c, Dec(0), c, Dec(0), Dec(14)]
    assert CompletenessFigure.objects.get(model="Child", field="", local_authority__dfe_code="935").records == 8


def test_it_keeps_the_previous_snapshot_when_a_recompute_fails_midway(region, monkeypatch):
    first = completeness.completeness_compute()
    f.ChildFactory(family=m.Family.objects.get(local_authority__dfe_code="881"), la_child_id="E-new")
    build = completeness.completeness_model_figures
    calls = []

    def fails_on_the_third_model(**kwargs):
        calls.append(kwargs["model"])
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return build(**kwargs)

    monkeypatch.setattr(completeness, "completeness_model_figures", fails_on_the_third_model)
    with pytest.raises(RuntimeError, match="worker lost"):
        completeness.completeness_compute()

    # Two record types' figures had been written in the run's transaction: none of them stayed.
    assert len(calls) == 3
    assert list(CompletenessSnapshot.objects.values_list("pk", flat=True)) == [first.pk]
    assert set(CompletenessFigure.objects.values_list("snapshot_id", flat=True)) == {first.pk}
    assert _child_block(selectors.completeness_figures()).records[0] == Dec(6)

    monkeypatch.setattr(completeness, "completeness_model_figures", build)
    second = completeness.completeness_compute()
    figures = selectors.completeness_figures()
    assert figures.snapshot == second
    assert _child_block(figures).records[0] == Dec(7)
    # The earlier snapshot is kept, for comparison.
    assert _child_block(selectors.completeness_figures(snapshot_id=first.pk)).records[0] == Dec(6)


def test_it_says_when_the_figures_will_be_computed_before_the_first_run(client, analyst, region):
    sign_in(client, analyst)

    for params in ({}, {"format": "csv"}):
        response = client.get(URL, params)

        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="no-figures-yet"' in page
        assert "computed every night at 02:45" in page
        assert "<table" not in page
        assert 'id="figures-as-at"' not in page


def test_it_shows_when_the_figures_are_as_at_and_were_computed(client, analyst, region):
    snapshot = completeness.completeness_compute()
    CompletenessSnapshot.objects.filter(pk=snapshot.pk).update(
        as_at=dt.date(2026, 12, 6), computed_at=dt.datetime(2026, 12, 6, 2, 45, 12, tzinfo=dt.UTC)
    )
    sign_in(client, analyst)

    page = client.get(URL).content.decode()

    assert "Figures as at 6 December 2026, computed 6 December 2026 at 02:45." in page
    assert 'id="no-figures-yet"' not in page


def test_it_downloads_the_figures_as_shown_as_csv(client, analyst, region):
    snapshot = completeness.completeness_compute()
    sign_in(client, analyst)

    response = client.get(URL, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="plo-data-exercise-{snapshot.as_at:%Y-%m-%d}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Record type", "Field", "Field code", *LAS]
    by_code = {(row[0], row[2]): row[3:] for row in rows[1:]}
    assert by_code["Child", ""] == ["6", "0", "8", "0", "14"]
    assert by_code["Child", "first_name"] == ["100.0%", "\N{EN DASH}", "100.0%", "\N{EN DASH}", "100.0%"]
    assert by_code["Child", "date_of_birth"] == ["[c]", "\N{EN DASH}", "100.0%", "\N{EN DASH}", "[c]"]
    assert by_code["Family", ""] == ["[c]", "0", "[c]", "0", "[c]"]
    assert "E-unborn" not in response.content.decode()


def test_it_shows_an_earlier_snapshot_for_comparison(client, analyst, region):
    first = completeness.completeness_compute()
    f.ChildFactory(family=m.Family.objects.get(local_authority__dfe_code="881"), la_child_id="E-new")
    completeness.completeness_compute()
    sign_in(client, analyst)

    latest = client.get(URL)
    earlier = client.get(URL, {"snapshot": first.pk})

    assert next(b for b in latest.context["blocks"] if b["anchor"] == "child")["records"][0] == "7"
    assert next(b for b in earlier.context["blocks"] if b["anchor"] == "child")["records"][0] == "6"
    assert 'id="earlier-figures"' in latest.content.decode()
    assert "See the latest figures" in earlier.content.decode()
    csv_rows = client.get(URL, {"snapshot": first.pk, "format": "csv"}).content.decode().splitlines()
    assert "Child,Records,,6,0,8,0,14" in csv_rows


@pytest.mark.parametrize("value", ["abc", "-1", "999999"])
def test_it_finds_no_such_snapshot(client, analyst, region, value):
    completeness.completeness_compute()
    sign_in(client, analyst)

    assert client.get(URL, {"snapshot": value}).status_code == 404


def test_it_reads_only_the_stored_snapshot_in_a_fixed_number_of_queries(
    client, analyst, region, django_assert_max_num_queries
):
    completeness.completeness_compute()
    sign_in(client, analyst)
    guarded = {g.table for g in guarded_tables(django.apps.apps)}

    # The snapshot, its figures with their LAs, the earlier snapshots, and the signed-in request's own
    # (session, user, device): whatever the number of records.
    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert not [table for table in guarded if f'"{table}"' in read]
    assert '"reporting_completenessfigure"' in read

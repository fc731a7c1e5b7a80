"""One row presenter for a case: the case list, the tracker list, its exports and the meeting item page.

Dates are relative to today, since the pages judge "overdue" against the real date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import presenters, thresholds
from cases.selectors import tracker
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CLOSED = "Closed: no open pre-proceedings or care proceedings."


def in_court(la, *, issued_days_ago: int = 10, hearing_in_days: int | None = 1, **family) -> m.Family:
    """A case issued ``issued_days_ago`` days ago with nobody allocated, a CMH listed ``hearing_in_days`` ahead."""
    family = f.FamilyFactory(local_authority=la, social_worker=None, **family)
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2019, 5, 1))
    proceedings = f.ProceedingsFactory(family=family, issue_date=TODAY - dt.timedelta(days=issued_days_ago))
    f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    if hearing_in_days is not None:
        f.HearingFactory(
            proceedings=proceedings,
            hearing_type=m.HearingType.objects.get(code="cmh"),
            listed_date=TODAY + dt.timedelta(days=hearing_in_days),
            status=c.HearingStatus.LISTED,
        )
    return family


def rows_for(user, families) -> list[presenters.CaseRow]:
    flags = tracker.worded_flags(thresholds.current())
    cases = tracker.tracker_cases([family.pk for family in families], user=user, today=TODAY)
    return list(presenters.case_rows(cases, today=TODAY, flags=flags))


def test_it_presents_an_open_case_with_its_flags_reason_next_due_and_weeks(la_a, chair):
    family = in_court(la_a, issued_days_ago=10)
    (row,) = rows_for(chair, [family])
    assert row["case"].pk == family.pk
    assert row["closed"] is False
    assert [flag.code for flag in row["flags"]] == ["no_social_worker"]
    assert row["reason"] == "No allocated social worker."
    assert row["weeks"] == 1  # 10 days
    # The CMH listed tomorrow comes before the IRH (week 20) and the timetable end (week 26).
    assert (row["next_due"].label, row["next_due"].date, row["next_due"].overdue) == (
        "Next hearing",
        TODAY + dt.timedelta(days=1),
        False,
    )


def test_it_presents_a_closed_family_with_no_flags_and_nothing_due(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    (row,) = presenters.case_rows([family], today=TODAY, flags=tracker.worded_flags(thresholds.current()))
    assert row == {"case": family, "closed": True, "flags": [], "reason": CLOSED, "next_due": None, "weeks": None}


def test_it_finds_the_next_hearings_of_many_rows_in_one_query(la_a, chair):
    families = [in_court(la_a, hearing_in_days=n) for n in (1, 2, 3)]
    cases = list(tracker.tracker_cases([family.pk for family in families], user=chair, today=TODAY))
    closed = f.FamilyFactory(local_authority=la_a)
    flags = tracker.worded_flags(thresholds.current())
    with CaptureQueriesContext(connection) as queries:
        rows = list(presenters.case_rows([*cases, closed], today=TODAY, flags=flags))
    assert len(queries) == 1
    assert [row["next_due"].date for row in rows[:3]] == [TODAY + dt.timedelta(days=n) for n in (1, 2, 3)]
    assert rows[3]["closed"] is True
    with CaptureQueriesContext(connection) as queries:
        list(presenters.case_rows([closed], today=TODAY, flags=flags))
    assert len(queries) == 0  # nothing in court: no hearing to look up


def test_it_exports_the_rows_the_tracker_shows(client, la_a, chair):
    family = in_court(la_a, issued_days_ago=10, name="Exportfamily", la_reference="EXP-1")
    sign_in(client, chair)
    response = client.get(reverse("tracker:list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    (line,) = [row for row in rows if row[0] == "EXP-1"]
    cells = dict(zip(rows[0], line, strict=True))
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert (cells["Family"], cells["Weeks elapsed"], cells["Status"]) == ("Exportfamily", "1", "Red")
    assert (cells["Next due"], cells["Next due date"], cells["Overdue"]) == ("Next hearing", tomorrow, "No")
    assert (cells["Reason"], cells["Flags"]) == ("No allocated social worker.", "No allocated social worker")
    assert family.children.get().first_name in cells["Children"]


def test_it_shows_a_case_closed_since_the_agenda_as_closed_at_the_meeting(client, la_a, chair):
    family = in_court(la_a, hearing_in_days=None)
    item = f.MeetingItemFactory(meeting__local_authority=la_a, meeting__meeting_date=TODAY, family=family, position=1)
    part = m.ChildProceedings.objects.get(proceedings__family=family)
    part.final_outcome_id, part.final_outcome_date = "care_order", TODAY
    part.save()  # the application concludes: the case leaves the tracker
    sign_in(client, chair)
    response = client.get(reverse("tracker:meeting_item", args=[item.meeting_id, 1]))
    assert response.status_code == 200
    assert (response.context["reason"], response.context["flags"], response.context["next_due"]) == (CLOSED, [], None)
    assert CLOSED in response.content.decode()


def test_it_shows_the_children_the_same_way_on_the_case_list_tracker_and_meeting_page(client, la_a, chair):
    family = in_court(la_a)
    f.ChildFactory(
        family=family,
        first_name="Wren",
        last_name="Unborn",
        date_of_birth=None,
        expected_due_date=TODAY + dt.timedelta(weeks=8),
    )
    born = family.children.get(date_of_birth__isnull=False)
    item = f.MeetingItemFactory(meeting__local_authority=la_a, meeting__meeting_date=TODAY, family=family, position=1)
    # Born first (by date of birth), then the unborn child, marked so.
    cell = f"{born}, Wren Unborn (unborn)"
    sign_in(client, chair)
    for url, params in (
        (reverse("cases:list"), {"scope": "all"}),
        (reverse("tracker:list"), {}),
        (reverse("tracker:meeting_item", args=[item.meeting_id, 1]), {}),
    ):
        html = client.get(url, params).content.decode()
        assert cell in html, url

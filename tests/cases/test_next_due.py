"""What is due next on a case: every item at its boundaries, the same answer on every page, and no
overflow whatever date is stored.

Dates are worked out by hand from the reference thresholds: initial meeting 10 days after the
letter (or the start), review every 6 weeks, family group meeting by week 6, decision at 16 weeks,
pre-birth plan by week 35 of 40 (5 weeks before the due date), CMH on day 12-18 (day 1 the issue
date), IRH by week 20, time limit 26 weeks. Pre-proceedings start on Monday 5 January 2026; care
proceedings are issued on Wednesday 4 March 2026.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import next_due, selectors
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
DAY = dt.timedelta(days=1)
START = D(2026, 1, 5)
ISSUE = D(2026, 3, 4)


def pp_family(la, *, worker=None, **episode) -> m.Family:
    """A family in pre-proceedings from START: no letter, meeting or family group meeting yet."""
    family = f.FamilyFactory(local_authority=la, social_worker=worker or f.UserFactory(local_authority=la))
    child = f.ChildFactory(family=family, date_of_birth=D(2020, 1, 1))
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=START, start_date=START, **episode)
    return family


def court_family(la, *, worker=None) -> tuple[m.Family, m.Proceedings, m.ChildProceedings]:
    """A family in care proceedings issued on ISSUE, with no hearing yet."""
    family = f.FamilyFactory(local_authority=la, social_worker=worker or f.UserFactory(local_authority=la))
    child = f.ChildFactory(family=family, date_of_birth=D(2020, 1, 1))
    proceedings = f.ProceedingsFactory(family=family, issue_date=ISSUE)
    return family, proceedings, f.ChildProceedingsFactory(proceedings=proceedings, child=child)


def due(family: m.Family, *, today: dt.date) -> dict[str, next_due.DueItem]:
    """The family's due items by label, from its stored facts and next listed hearing."""
    return {item.label: item for item in selectors.case_due_items(family=family, today=today)}


def assert_due_on(family: m.Family, label: str, date: dt.date, *, window_start: dt.date | None = None) -> None:
    """Due on ``date``: not overdue the day before or on the day, overdue the day after."""
    for today, overdue in ((date - DAY, False), (date, False), (date + DAY, True)):
        item = due(family, today=today)[label]
        assert (item.date, item.overdue, item.window_start) == (date, overdue, window_start), today


def hearing(proceedings, kind: str, listed: dt.date, status: str = "listed", **fields) -> m.Hearing:
    if status in ("adjourned", "vacated"):
        fields.setdefault("reason_id", "court_no_courtroom")
    return f.HearingFactory(proceedings=proceedings, hearing_type_id=kind, listed_date=listed, status=status, **fields)


# ---------------------------------------------------------------------------------------------
# Pre-proceedings items
# ---------------------------------------------------------------------------------------------


def test_it_asks_for_the_letter_before_proceedings_at_the_start_until_it_is_sent(la_a):
    family = pp_family(la_a)
    assert_due_on(family, "Letter before proceedings", D(2026, 1, 5))
    m.PreProceedingsEpisode.objects.filter(family=family).update(lbp_sent_date=D(2026, 1, 9))
    assert "Letter before proceedings" not in due(family, today=START)


def test_it_asks_for_the_initial_meeting_ten_days_after_the_letter_or_the_start(la_a):
    family = pp_family(la_a)
    # No letter yet: 10 days from the start.
    assert_due_on(family, "Initial pre-proceedings meeting", D(2026, 1, 15))
    episode = family.episodes.get()
    m.PreProceedingsEpisode.objects.filter(pk=episode.pk).update(lbp_sent_date=D(2026, 1, 9))
    assert_due_on(family, "Initial pre-proceedings meeting", D(2026, 1, 19))
    # A review meeting is not the initial one.
    f.MeetingFactory(episode=episode, kind=c.MeetingKind.REVIEW, meeting_date=D(2026, 1, 16))
    assert "Initial pre-proceedings meeting" in due(family, today=START)
    f.MeetingFactory(episode=episode, kind=c.MeetingKind.INITIAL, meeting_date=D(2026, 1, 20))
    assert "Initial pre-proceedings meeting" not in due(family, today=START)


def test_it_asks_for_a_review_meeting_six_weeks_after_the_last_meeting_once_the_initial_one_is_held(la_a):
    family = pp_family(la_a)
    assert "Review meeting" not in due(family, today=START)
    episode = family.episodes.get()
    f.MeetingFactory(episode=episode, kind=c.MeetingKind.INITIAL, meeting_date=D(2026, 1, 20))
    assert_due_on(family, "Review meeting", D(2026, 3, 3))
    f.MeetingFactory(episode=episode, kind=c.MeetingKind.REVIEW, meeting_date=D(2026, 2, 24))
    assert_due_on(family, "Review meeting", D(2026, 4, 7))


def test_it_asks_for_the_family_group_meeting_by_week_six_until_it_is_held(la_a):
    family = pp_family(la_a)
    assert_due_on(family, "Family group meeting held", D(2026, 2, 16))
    m.PreProceedingsEpisode.objects.filter(family=family).update(
        fgdm_offered=True, fgdm_offered_date=D(2026, 1, 12), fgdm_facilitated=True, fgdm_held_date=D(2026, 2, 2)
    )
    assert "Family group meeting held" not in due(family, today=START)


def test_it_asks_for_the_step_decision_at_the_local_threshold(la_a):
    assert_due_on(pp_family(la_a), "Step-down or issue decision", D(2026, 4, 27))


def test_it_asks_for_the_pre_birth_plan_five_weeks_before_the_earliest_unborn_childs_due_date(la_a):
    family = pp_family(la_a)
    assert "Pre-birth plan shared with parents" not in due(family, today=START)
    f.ChildFactory(family=family, date_of_birth=None, expected_due_date=D(2026, 7, 20))
    f.ChildFactory(family=family, date_of_birth=None, expected_due_date=D(2026, 6, 15))
    assert_due_on(family, "Pre-birth plan shared with parents", D(2026, 5, 11))
    # Born: the next unborn child's plan is due.
    m.Child.objects.filter(family=family, expected_due_date=D(2026, 6, 15)).update(
        date_of_birth=D(2026, 4, 1), expected_due_date=None
    )
    assert_due_on(family, "Pre-birth plan shared with parents", D(2026, 6, 15))
    m.Child.objects.filter(family=family, date_of_birth=None).update(
        date_of_birth=D(2026, 5, 1), expected_due_date=None
    )
    assert "Pre-birth plan shared with parents" not in due(family, today=START)


def test_it_shows_pre_proceedings_items_only_while_in_pre_proceedings(la_a):
    family = pp_family(la_a)
    f.ChildFactory(family=family, date_of_birth=None, expected_due_date=D(2026, 7, 20))
    assert {
        "Letter before proceedings",
        "Initial pre-proceedings meeting",
        "Family group meeting held",
        "Step-down or issue decision",
        "Pre-birth plan shared with parents",
    } == set(due(family, today=START))
    # Proceedings issued while the episode is still open: the case is in court now.
    f.ChildProceedingsFactory(proceedings=f.ProceedingsFactory(family=family, issue_date=ISSUE))
    assert set(due(family, today=START)) == {
        "Case management hearing",
        "Issues resolution hearing listed",
        "Final hearing by timetable end",
    }


# ---------------------------------------------------------------------------------------------
# Proceedings items
# ---------------------------------------------------------------------------------------------


def test_it_gives_the_case_management_hearing_window_of_day_12_to_day_18(la_a):
    family, proceedings, _ = court_family(la_a)
    assert_due_on(family, "Case management hearing", D(2026, 3, 21), window_start=D(2026, 3, 15))
    # Listed (for any date), held or adjourned: no longer due.
    cmh = hearing(proceedings, "cmh", D(2026, 3, 25))
    assert "Case management hearing" not in due(family, today=ISSUE)
    m.Hearing.objects.filter(pk=cmh.pk).update(status="adjourned", reason_id="court_no_courtroom")
    assert "Case management hearing" not in due(family, today=ISSUE)
    # Vacated without a new date: due again; vacated and re-listed (a new listing): not.
    m.Hearing.objects.filter(pk=cmh.pk).update(status="vacated", vacated_on=ISSUE)
    assert due(family, today=ISSUE)["Case management hearing"].date == D(2026, 3, 21)
    hearing(proceedings, "cmh", D(2026, 3, 27), replaces=cmh)
    assert "Case management hearing" not in due(family, today=ISSUE)


def test_it_asks_for_the_issues_resolution_hearing_to_be_listed_by_week_20(la_a):
    family, proceedings, _ = court_family(la_a)
    assert_due_on(family, "Issues resolution hearing listed", D(2026, 7, 22))
    irh = hearing(proceedings, "irh", D(2026, 8, 5))
    assert "Issues resolution hearing listed" not in due(family, today=ISSUE)
    m.Hearing.objects.filter(pk=irh.pk).update(status="vacated", reason_id="court_no_courtroom", vacated_on=ISSUE)
    assert due(family, today=ISSUE)["Issues resolution hearing listed"].date == D(2026, 7, 22)


def test_it_asks_for_the_final_hearing_by_the_timetable_end_moved_by_extensions(la_a):
    family, _, part = court_family(la_a)
    assert_due_on(family, "Final hearing by timetable end", D(2026, 9, 2))
    assert due(family, today=ISSUE)["Final hearing by timetable end"].detail == "The statutory time limit"
    f.ExtensionFactory(child_proceedings=part, granted_date=D(2026, 8, 20), new_end_date=D(2026, 10, 14))
    assert_due_on(family, "Final hearing by timetable end", D(2026, 10, 14))
    assert due(family, today=ISSUE)["Final hearing by timetable end"].detail == next_due.EXTENDED


def test_it_shows_the_next_listed_or_re_listed_hearing_from_today(la_a):
    family, proceedings, _ = court_family(la_a)
    assert "Next hearing" not in due(family, today=ISSUE)
    hearing(proceedings, "cmh", D(2026, 3, 16), status="held")
    hearing(proceedings, "fact_finding", D(2026, 4, 10))
    # Vacated before the day and re-listed for 20 April: the new listing is the next hearing.
    old = hearing(proceedings, "interim_care", D(2026, 4, 1), status="vacated", vacated_on=D(2026, 3, 16))
    moved = hearing(proceedings, "interim_care", D(2026, 4, 20), replaces=old)
    hearing(proceedings, "irh", D(2026, 3, 30), status="vacated", vacated_on=D(2026, 3, 16))  # not re-listed
    assert due(family, today=D(2026, 3, 16))["Next hearing"] == next_due.DueItem(
        "Next hearing", D(2026, 4, 10), False, "Listed"
    )
    assert due(family, today=D(2026, 4, 10))["Next hearing"].date == D(2026, 4, 10)
    assert due(family, today=D(2026, 4, 11))["Next hearing"].date == D(2026, 4, 20)
    m.Hearing.objects.filter(pk=moved.pk).update(status="held")
    assert "Next hearing" not in due(family, today=D(2026, 4, 11))


def test_it_shows_a_next_hearing_only_in_court(la_a):
    row = m.TrackerRow.objects.get(pk=pp_family(la_a).pk)
    labels = {item.label for item in next_due.due_items(row, today=START, next_hearing=D(2026, 2, 1))}
    assert "Next hearing" not in labels


# ---------------------------------------------------------------------------------------------
# Items at any stage, order, closed cases
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["pre_proceedings", "proceedings"])
def test_it_shows_the_earliest_open_assessment_and_meeting_action_at_either_stage(la_a, stage):
    family = pp_family(la_a) if stage == "pre_proceedings" else court_family(la_a)[0]
    assert not {"Assessment report", "Meeting action"} & set(due(family, today=START))
    episode = f.EpisodeFactory(family=family, start_date=None) if stage == "proceedings" else family.episodes.get()
    for due_date, completed in ((D(2026, 1, 20), D(2026, 1, 19)), (D(2026, 2, 9), None), (D(2026, 2, 1), None)):
        f.AssessmentFactory(
            family=family, episode=episode, instructed_date=D(2026, 1, 5), due_date=due_date, completed_date=completed
        )
    item = f.MeetingItemFactory(meeting__local_authority=la_a, family=family)
    f.MeetingActionFactory(item=item, due_date=D(2026, 1, 25), completed_date=D(2026, 1, 24))
    f.MeetingActionFactory(item=item, due_date=D(2026, 2, 2))
    assert_due_on(family, "Assessment report", D(2026, 2, 1))
    assert_due_on(family, "Meeting action", D(2026, 2, 2))
    m.Assessment.objects.filter(family=family).update(completed_date=D(2026, 2, 3))
    m.MeetingAction.objects.filter(family=family).update(completed_date=D(2026, 2, 3))
    assert not {"Assessment report", "Meeting action"} & set(due(family, today=START))


def test_it_lists_items_by_date_then_in_plo_order_and_gives_the_first_as_next_due(la_a):
    family = pp_family(la_a)
    # Due on the same day as the decision (27 April): listed after it.
    f.AssessmentFactory(family=family, episode=family.episodes.get(), due_date=D(2026, 4, 27))
    f.MeetingActionFactory(item=f.MeetingItemFactory(meeting__local_authority=la_a, family=family), due_date=START)
    items = selectors.case_due_items(family=family, today=D(2026, 1, 10))
    assert [(item.label, item.date) for item in items] == [
        ("Letter before proceedings", D(2026, 1, 5)),
        ("Meeting action", D(2026, 1, 5)),
        ("Initial pre-proceedings meeting", D(2026, 1, 15)),
        ("Family group meeting held", D(2026, 2, 16)),
        ("Step-down or issue decision", D(2026, 4, 27)),
        ("Assessment report", D(2026, 4, 27)),
    ]
    assert [item.overdue for item in items] == [True, True, False, False, False, False]
    row = m.TrackerRow.objects.get(pk=family.pk)
    assert next_due.next_due(row, today=D(2026, 1, 10)) == items[0]


def test_it_shows_nothing_due_on_a_closed_case(la_a):
    family = pp_family(la_a, step_decision_date=D(2026, 3, 2), outcome=c.PPOutcome.STEP_DOWN)
    f.AssessmentFactory(family=family, episode=family.episodes.get(), due_date=D(2026, 4, 1))
    assert selectors.case_due_items(family=family, today=START) == []


# ---------------------------------------------------------------------------------------------
# One answer on every page
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["pre_proceedings", "proceedings"])
def test_it_shows_the_same_next_due_on_the_case_list_the_tracker_and_the_case_page(
    client, la_a, social_worker, monkeypatch, stage
):
    today = D(2026, 3, 20)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today)
    if stage == "pre_proceedings":
        # Letter sent 9 January, no initial meeting: the initial meeting was due on 19 January.
        family = pp_family(la_a, worker=social_worker, lbp_sent_date=D(2026, 1, 9))
        expected = ("Initial pre-proceedings meeting", D(2026, 1, 19), True)
    else:
        family, proceedings, _ = court_family(la_a, worker=social_worker)
        hearing(proceedings, "cmh", D(2026, 3, 16), status="held")
        hearing(proceedings, "interim_care", D(2026, 4, 2))
        expected = ("Next hearing", D(2026, 4, 2), False)
    sign_in(client, social_worker)

    def listed(url) -> tuple:
        [row] = [row for row in client.get(url).context["rows"] if row["case"].pk == family.pk]
        return (row["next_due"].label, row["next_due"].date, row["next_due"].overdue)

    first = client.get(reverse("cases:detail", args=[family.pk])).context["due_items"][0]
    assert (first.label, first.date, first.overdue) == expected
    assert listed(reverse("cases:list")) == expected
    assert listed(reverse("tracker:list")) == expected


# ---------------------------------------------------------------------------------------------
# Dates at the edges of what Python can hold
# ---------------------------------------------------------------------------------------------


def test_it_keeps_the_tracker_exports_and_meetings_working_with_far_future_and_ancient_dates(client, la_a, chair):
    family = pp_family(la_a)
    f.AssessmentFactory(family=family, episode=family.episodes.get(), due_date=D(2026, 2, 1))
    f.MeetingActionFactory(item=f.MeetingItemFactory(meeting__local_authority=la_a, family=family))
    unborn = f.ChildFactory(family=family, date_of_birth=None, expected_due_date=D(2026, 6, 15))
    other = pp_family(la_a)
    with connection.cursor() as cursor:  # as a bulk load might store them, triggers on
        cursor.execute("UPDATE cases_assessment SET due_date = '9999-12-31' WHERE family_id = %s", [family.pk])
        cursor.execute("UPDATE cases_meetingaction SET due_date = '9999-12-31' WHERE family_id = %s", [family.pk])
        cursor.execute("UPDATE cases_child SET expected_due_date = '0001-01-02' WHERE id = %s", [unborn.pk])
    row = m.TrackerRow.objects.get(pk=family.pk)
    # The day after 31/12/9999 and five weeks before 2/1/0001 stop at the ends of the calendar.
    assert (row.next_assessment_due, row.overdue_assessment_from) == (D(9999, 12, 31), D(9999, 12, 31))
    assert (row.next_action_due, row.overdue_action_from) == (D(9999, 12, 31), D(9999, 12, 31))
    assert row.pre_birth_plan_due == D(1, 1, 1)

    sign_in(client, chair)
    url = reverse("tracker:list")
    page = client.get(url)
    assert {row["case"].pk for row in page.context["rows"]} == {family.pk, other.pk}
    rows = list(csv.reader(io.StringIO(b"".join(client.get(url, {"export": "csv"}).streaming_content).decode())))
    assert {row[0] for row in rows[1:]} == {family.la_reference, other.la_reference}
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    assert sheet.max_row == 4  # the marking, the headings and the two cases
    assert client.get(reverse("cases:detail", args=[family.pk])).status_code == 200

    today = timezone.localdate()
    response = client.post(
        reverse("tracker:meeting_new"),
        {
            "scope": c.ScopeKind.LA,
            "meeting_date_day": today.day,
            "meeting_date_month": today.month,
            "meeting_date_year": today.year,
            "proposal": "all",
        },
    )
    meeting = m.TrackerMeeting.objects.get(chair=chair)
    assert response.status_code == 302
    assert set(meeting.items.values_list("family_id", flat=True)) == {family.pk, other.pk}
    assert client.get(reverse("tracker:meeting", args=[meeting.pk])).status_code == 200
    position = meeting.items.get(family=family).position
    assert client.get(reverse("tracker:meeting_item", args=[meeting.pk, position])).status_code == 200

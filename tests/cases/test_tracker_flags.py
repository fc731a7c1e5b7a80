"""Drift flags and RAG status: a case that should raise each flag, and one just short of it.

Today is 1 June 2026 throughout. Thresholds come from the reference table: pre-proceedings 16
weeks, review every 6 weeks, family network meeting by week 6, IRH by week 20, 26-week limit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import models as m
from cases import services
from cases.selectors import tracker
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def weeks_ago(n: float) -> dt.date:
    return TODAY - dt.timedelta(days=round(n * 7))


def pp_case(la, *, start_weeks_ago=2, worker=True, **episode):
    family = f.FamilyFactory(local_authority=la, social_worker=f.UserFactory(local_authority=la) if worker else None)
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2020, 1, 1))
    start = weeks_ago(start_weeks_ago)
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=start, start_date=start, **episode)
    return family


def court_case(la, *, issued_weeks_ago=10, irh=False):
    family = f.FamilyFactory(local_authority=la, social_worker=f.UserFactory(local_authority=la))
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2020, 1, 1))
    proceedings = f.ProceedingsFactory(family=family, issue_date=weeks_ago(issued_weeks_ago))
    part = f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    if irh:
        f.HearingFactory(
            proceedings=proceedings,
            hearing_type=m.HearingType.objects.get(code="irh"),
            listed_date=TODAY + dt.timedelta(days=10),
            status="listed",
        )
    return family, part


def flags(user, family) -> set[str]:
    """The flags on the family's row, which the list's facts rows and family rows must agree on."""
    row = tracker.tracker_queryset(user=user, today=TODAY).get(pk=family.pk)
    facts = tracker.tracker_facts(user=user, today=TODAY).get(pk=family.pk)
    codes = {flag.code for flag in tracker.row_flags(row)}
    assert {flag.code for flag in tracker.row_flags(facts)} == codes
    assert (facts.rag, facts.days_elapsed) == (row.rag, row.days_elapsed)
    return codes


def test_it_flags_proceedings_past_26_weeks_plus_extensions(la_a, chair):
    past, _ = court_case(la_a, issued_weeks_ago=27, irh=True)
    extended, part = court_case(la_a, issued_weeks_ago=27, irh=True)
    issue = part.proceedings.issue_date
    f.ExtensionFactory(
        child_proceedings=part, granted_date=issue + dt.timedelta(weeks=25), new_end_date=TODAY + dt.timedelta(days=7)
    )
    assert "s31_past_limit" in flags(chair, past)
    assert "s31_past_limit" not in flags(chair, extended)
    # Extended but 26 weeks old: still at risk of passing its new date.
    assert "s31_at_risk" in flags(chair, extended)


def test_it_flags_no_irh_by_week_20_and_at_risk(la_a, chair):
    no_irh, _ = court_case(la_a, issued_weeks_ago=21)
    with_irh, _ = court_case(la_a, issued_weeks_ago=21, irh=True)
    young, _ = court_case(la_a, issued_weeks_ago=19)
    assert {"no_irh_by_20", "s31_at_risk"} <= flags(chair, no_irh)
    assert not {"no_irh_by_20", "s31_at_risk"} & flags(chair, with_irh)
    assert not {"no_irh_by_20", "s31_at_risk"} & flags(chair, young)


def test_it_flags_pre_proceedings_over_the_local_threshold(la_a, chair):
    assert "pp_over_threshold" in flags(chair, pp_case(la_a, start_weeks_ago=17))
    assert "pp_over_threshold" not in flags(chair, pp_case(la_a, start_weeks_ago=15))


def test_it_moves_the_flags_when_a_threshold_changes(la_a, chair):
    seventeen_weeks = pp_case(la_a, start_weeks_ago=17)
    assert "pp_over_threshold" in flags(chair, seventeen_weeks)
    # An LA policy of 18 weeks: 17 weeks in is no longer over it; at 19 weeks it is.
    m.Threshold.objects.filter(code="pp_threshold_weeks").update(value=18)
    assert "pp_over_threshold" not in flags(chair, seventeen_weeks)
    assert "pp_over_threshold" in flags(chair, pp_case(la_a, start_weeks_ago=19))


def test_it_flags_no_review_meeting_within_the_interval(la_a, chair):
    no_meeting = pp_case(la_a, start_weeks_ago=8)
    recent = pp_case(la_a, start_weeks_ago=8)
    f.MeetingFactory(episode=recent.episodes.get(), meeting_date=weeks_ago(2), kind="review")
    stale = pp_case(la_a, start_weeks_ago=12)
    f.MeetingFactory(episode=stale.episodes.get(), meeting_date=weeks_ago(7), kind="initial")
    new = pp_case(la_a, start_weeks_ago=3)
    assert "no_review" in flags(chair, no_meeting)
    assert "no_review" not in flags(chair, recent)
    assert "no_review" in flags(chair, stale)
    assert "no_review" not in flags(chair, new)


def test_it_flags_no_family_network_meeting_held(la_a, chair):
    none_held = pp_case(la_a, start_weeks_ago=7)
    held = pp_case(
        la_a,
        start_weeks_ago=7,
        fgdm_offered=True,
        fgdm_offered_date=weeks_ago(6),
        fgdm_facilitated=True,
        fgdm_held_date=weeks_ago(5),
    )
    early = pp_case(la_a, start_weeks_ago=5)
    assert "no_family_network_meeting" in flags(chair, none_held)
    assert "no_family_network_meeting" not in flags(chair, held)
    assert "no_family_network_meeting" not in flags(chair, early)


def test_it_flags_repeat_episodes_babies_and_unborn_children(la_a, chair):
    repeat = pp_case(la_a, previous_care_proceedings=True)
    baby = pp_case(la_a)
    baby.children.update(date_of_birth=TODAY - dt.timedelta(days=200))
    unborn = pp_case(la_a)
    unborn.children.update(date_of_birth=None, expected_due_date=TODAY + dt.timedelta(days=60))
    plain = pp_case(la_a)
    assert "repeat_episode" in flags(chair, repeat)
    assert "baby_or_unborn" in flags(chair, baby)
    assert "baby_or_unborn" in flags(chair, unborn)
    assert not {"repeat_episode", "baby_or_unborn"} & flags(chair, plain)


def test_it_flags_overdue_assessments_and_actions(la_a, chair):
    case = pp_case(la_a)
    episode = case.episodes.get()
    f.AssessmentFactory(family=case, episode=episode, instructed_date=weeks_ago(2), due_date=TODAY - dt.timedelta(1))
    done = pp_case(la_a)
    f.AssessmentFactory(
        family=done,
        episode=done.episodes.get(),
        instructed_date=weeks_ago(2),
        due_date=TODAY - dt.timedelta(1),
        completed_date=TODAY - dt.timedelta(2),
    )
    assert "overdue_assessment" in flags(chair, case)
    assert "overdue_assessment" not in flags(chair, done)

    item = f.MeetingItemFactory(meeting__local_authority=la_a, family=case)
    f.MeetingActionFactory(item=item, due_date=TODAY - dt.timedelta(1))
    assert "overdue_action" in flags(chair, case)
    m.MeetingAction.objects.update(completed_date=TODAY)
    assert "overdue_action" not in flags(chair, case)


def test_it_flags_no_allocated_social_worker(la_a, chair):
    assert "no_social_worker" in flags(chair, pp_case(la_a, worker=False))
    assert "no_social_worker" not in flags(chair, pp_case(la_a))


def test_it_gives_a_red_amber_green_status_with_its_reason(la_a, chair):
    red = pp_case(la_a, start_weeks_ago=17)
    amber = pp_case(la_a, previous_pre_proceedings=True)
    green = pp_case(la_a)
    rows = {row.pk: row for row in tracker.tracker_queryset(user=chair, today=TODAY)}
    assert rows[red.pk].rag == "red"
    assert rows[amber.pk].rag == "amber"
    assert tracker.row_reason(rows[amber.pk]) == "Repeat episode."
    assert rows[green.pk].rag == "green"
    assert tracker.row_reason(rows[green.pk]) == "On track: no flags raised."


def test_it_lists_only_open_cases_of_the_users_la(la_a, la_b, chair):
    open_case = pp_case(la_a)
    closed = pp_case(la_a, step_decision_date=weeks_ago(1), outcome="step_down")
    elsewhere = pp_case(la_b)
    ids = set(tracker.tracker_queryset(user=chair, today=TODAY).values_list("pk", flat=True))
    assert open_case.pk in ids
    assert closed.pk not in ids
    assert elsewhere.pk not in ids


def test_it_filters_sorts_and_exports_the_tracker(client, la_a, chair, la_b, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    over = pp_case(la_a, start_weeks_ago=20)
    recent = pp_case(la_a, start_weeks_ago=2)
    court, _ = court_case(la_a, issued_weeks_ago=30)
    pp_case(la_b, start_weeks_ago=20)
    sign_in(client, chair)
    url = reverse("tracker:list")

    def listed(**params):
        return [row["case"].pk for row in client.get(url, params).context["rows"]]

    assert set(listed()) == {over.pk, recent.pk, court.pk}
    assert listed(flag="pp_over_threshold") == [over.pk]
    assert listed(stage="proceedings") == [court.pk]
    assert listed(sort="weeks_asc")[0] == recent.pk
    assert set(listed(weeks="12-20")) == set()  # the one at exactly 20 weeks is in 20-26
    assert listed(weeks="20-26") == [over.pk]

    response = client.get(url, {"flag": "pp_over_threshold", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "LA reference"
    assert [row[0] for row in rows[1:]] == [over.la_reference]
    assert "Pre-proceedings over the local threshold" in rows[1][-1]

    response = client.get(url, {"export": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 5  # the marking, the headings, three cases
    assert {sheet.cell(row=r, column=1).value for r in range(3, 6)} == {
        over.la_reference,
        recent.la_reference,
        court.la_reference,
    }


def test_it_filters_by_allocation_and_follows_a_reallocation(client, la_a, chair, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    north = m.Area.objects.create(local_authority=la_a, name="Test North")
    south = m.Area.objects.create(local_authority=la_a, name="Test South")
    team_n = m.Team.objects.create(local_authority=la_a, area=north, name="Test North team")
    team_s = m.Team.objects.create(local_authority=la_a, area=south, name="Test South team")
    first = pp_case(la_a)
    second = pp_case(la_a)
    m.Family.objects.filter(pk=first.pk).update(team=team_n)
    m.Family.objects.filter(pk=second.pk).update(team=team_s)
    sign_in(client, chair)
    url = reverse("tracker:list")

    def listed(**params):
        return {row["case"].pk for row in client.get(url, params).context["rows"]}

    assert listed(area=north.pk) == {first.pk}
    assert listed(team=team_s.pk) == {second.pk}
    assert listed(social_worker=first.social_worker_id) == {first.pk}
    # Moving the family to another team and worker moves it in the filtered list at once.
    m.Family.objects.filter(pk=first.pk).update(team=team_s, social_worker=second.social_worker)
    assert listed(area=north.pk) == set()
    assert listed(team=team_s.pk) == {first.pk, second.pk}
    assert listed(social_worker=second.social_worker_id) == {first.pk, second.pk}
    m.Family.objects.filter(pk=first.pk).update(social_worker=None)
    assert listed(flag="no_social_worker") == {first.pk}


def test_it_pins_the_tracker_queries_whatever_the_number_of_cases(client, la_a, chair):
    sign_in(client, chair)
    url = reverse("tracker:list")
    pp_case(la_a)
    court_case(la_a)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        pp_case(la_a, start_weeks_ago=n + 1)
        court_case(la_a, issued_weeks_ago=n + 5, irh=n % 2 == 0)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    # Session, user, thresholds, count, page, children, the filter choices (areas, teams, workers)
    # and the read audit's insert.
    assert len(few) <= 20


def test_it_keeps_the_tracker_from_aggregate_only_roles(client, board_member, analyst):
    for user in (board_member, analyst):
        sign_in(client, user)
        assert client.get(reverse("tracker:list")).status_code == 403
        assert client.get(reverse("tracker:meetings")).status_code == 403


def test_it_keeps_the_tracker_facts_current_through_bulk_writes(la_a, chair):
    family, part = court_case(la_a, issued_weeks_ago=21)
    assert "no_irh_by_20" in flags(chair, family)
    # A bulk insert that bypasses the services (as an import would) still refreshes the facts.
    m.Hearing.objects.bulk_create(
        [
            m.Hearing(
                local_authority=la_a,
                proceedings=part.proceedings,
                hearing_type_id="irh",
                listed_date=TODAY + dt.timedelta(days=3),
                status="listed",
            )
        ]
    )
    assert "no_irh_by_20" not in flags(chair, family)
    m.Hearing.objects.filter(proceedings=part.proceedings, hearing_type_id="irh").update(
        status="vacated", vacated_on=TODAY, reason_id="court_no_courtroom"
    )
    assert "no_irh_by_20" in flags(chair, family)
    # Concluding the application in bulk takes the case off the tracker.
    m.Proceedings.objects.filter(pk=part.proceedings_id).update(concluded_date=TODAY)
    assert not tracker.tracker_queryset(user=chair, today=TODAY).filter(pk=family.pk).exists()


def test_it_keeps_every_stored_fact_equal_to_its_definition_through_ordinary_writes(la_a, la_b, chair):
    # Checked after every write, so a write that no trigger covers cannot hide behind a later one.
    first = pp_case(la_a, start_weeks_ago=9)
    assert services.facts_drift() == []
    court, part = court_case(la_a, issued_weeks_ago=25, irh=True)
    assert services.facts_drift() == []
    writes = [
        lambda: f.MeetingFactory(episode=first.episodes.get(), meeting_date=weeks_ago(3)),
        lambda: f.AssessmentFactory(family=first, episode=first.episodes.get(), due_date=weeks_ago(1)),
        lambda: f.ExtensionFactory(child_proceedings=part),
        lambda: f.MeetingActionFactory(
            item=f.MeetingItemFactory(family=court), family=court, local_authority=la_a, due_date=weeks_ago(1)
        ),
        lambda: pp_case(la_b, worker=False),
        lambda: f.ChildFactory(family=first, date_of_birth=None, expected_due_date=TODAY + dt.timedelta(weeks=8)),
        lambda: m.Hearing.objects.filter(proceedings=part.proceedings).delete(),
        lambda: m.Family.objects.filter(pk=first.pk).update(social_worker=None),
    ]
    for number, write in enumerate(writes, start=1):
        write()
        assert services.facts_drift() == [], f"write {number}"
    assert m.TrackerRow.objects.count() == 3


def test_it_reports_facts_changed_behind_the_triggers_and_rebuilds_them(la_a, chair):
    from django.core.management import CommandError, call_command

    family = pp_case(la_a, start_weeks_ago=3)
    with connection.cursor() as cursor:
        # A raw load with triggers off (as the demo seed does) leaves the stored facts behind.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE cases_preproceedingsepisode SET start_date = start_date - 140, gateway_meeting_date = "
            "gateway_meeting_date - 140 WHERE family_id = %s",
            [family.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert services.facts_drift() == [family.pk]
    assert "pp_over_threshold" not in flags(chair, family)
    with pytest.raises(CommandError, match=f"1 families' stored tracker facts differ .*{family.pk}"):
        call_command("tracker_facts")
    call_command("tracker_facts", "--rebuild")
    assert services.facts_drift() == []
    assert "pp_over_threshold" in flags(chair, family)

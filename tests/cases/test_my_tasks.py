"""My tasks: every item due across the signed-in user's caseload, from the one next-due engine.

Dates are worked out by hand from the reference thresholds (as in test_next_due): for pre-proceedings
started on a day S, the letter before proceedings is due on S, the initial meeting S + 10 days, the
family group meeting by week 6 (S + 42 days) and the step decision at 16 weeks (S + 112 days).
Today is Saturday 10 January 2026.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from cases import constants as c
from cases import models as m
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 1, 10)
URL = reverse("tasks:list")

LBP = "Letter before proceedings"
INITIAL = "Initial pre-proceedings meeting"
FGDM = "Family group meeting held"
DECISION = "Step-down or issue decision"
ACTION = "Meeting action"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


def pp_family(la, *, name: str, start: dt.date, worker=None, team=None) -> m.Family:
    """A family in pre-proceedings from ``start``, with nothing recorded yet but the start."""
    fields = {"team": team} if team is not None else {}
    family = f.FamilyFactory(local_authority=la, social_worker=worker, name=name, **fields)
    child = f.ChildFactory(family=family, first_name=f"Kid{name}", date_of_birth=D(2020, 1, 1))
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=start, start_date=start)
    return family


def action(family: m.Family, *, due: dt.date, meeting=None, done=None, what: str = "Book it", owner=None):
    item = f.MeetingItemFactory(
        meeting=meeting or f.TrackerMeetingFactory(local_authority=family.local_authority, meeting_date=D(2026, 1, 6)),
        family=family,
    )
    return f.MeetingActionFactory(
        item=item, due_date=due, completed_date=done, description=what, owner=owner, owner_note="" if owner else "Legal"
    )


@pytest.fixture
def caseload(la_a, la_b, social_worker, other_la_user):
    """Two cases of the social worker's, a colleague's in the same team, one in another team, and
    one of another LA."""
    ashdown = pp_family(la_a, name="Ashdown", start=D(2026, 1, 5), worker=social_worker)
    brook = pp_family(la_a, name="Brook", start=D(2026, 1, 8), worker=social_worker)
    action(ashdown, due=D(2026, 1, 20), what="Book the viability assessment")
    action(ashdown, due=D(2026, 1, 7), done=D(2026, 1, 7), what="Already done")
    colleague = f.UserFactory(username="sw.colleague", local_authority=la_a, team=social_worker.team)
    carver = pp_family(la_a, name="Carver", start=D(2026, 1, 9), worker=colleague)
    other_team = la_a.teams.exclude(pk=social_worker.team_id).order_by("name").first()
    dunmore = pp_family(
        la_a,
        name="Dunmore",
        start=D(2026, 1, 9),
        worker=f.UserFactory(local_authority=la_a, team=other_team),
        team=other_team,
    )
    elsewhere = pp_family(la_b, name="Elsewhere", start=D(2026, 1, 5), worker=other_la_user)
    return {"ashdown": ashdown, "brook": brook, "carver": carver, "dunmore": dunmore, "elsewhere": elsewhere}


def listed(response) -> list[tuple[str, str, dt.date, bool]]:
    """The rows shown: (family name, item label, due date, overdue)."""
    return [(task.case.name, task.item.label, task.item.date, task.item.overdue) for task in response.context["tasks"]]


def test_a_social_worker_sees_every_item_due_on_their_own_cases_earliest_first(client, social_worker, caseload):
    sign_in(client, social_worker)
    response = client.get(URL)
    assert response.status_code == 200
    assert listed(response) == [
        ("Ashdown", LBP, D(2026, 1, 5), True),
        ("Brook", LBP, D(2026, 1, 8), True),
        ("Ashdown", INITIAL, D(2026, 1, 15), False),
        ("Brook", INITIAL, D(2026, 1, 18), False),
        ("Ashdown", ACTION, D(2026, 1, 20), False),
        ("Ashdown", FGDM, D(2026, 2, 16), False),
        ("Brook", FGDM, D(2026, 2, 19), False),
        ("Ashdown", DECISION, D(2026, 4, 27), False),
        ("Brook", DECISION, D(2026, 4, 30), False),
    ]
    html = response.content.decode()
    # Each case links to its case page; the action says what must be done; nobody else's case shows.
    assert f'href="{reverse("cases:detail", args=[caseload["ashdown"].pk])}"' in html
    assert f'href="{reverse("cases:detail", args=[caseload["brook"].pk])}"' in html
    assert "Book the viability assessment" in html
    assert "Already done" not in html
    for name in ("Carver", "Dunmore", "Elsewhere"):
        assert name not in html
    assert "2 overdue" in html


def test_a_team_manager_sees_their_teams_cases_and_never_another_teams_or_las(client, team_manager, caseload):
    assert team_manager.team == caseload["ashdown"].team
    sign_in(client, team_manager)
    response = client.get(URL, {"kind": "lbp_due"})
    assert listed(response) == [
        ("Ashdown", LBP, D(2026, 1, 5), True),
        ("Brook", LBP, D(2026, 1, 8), True),
        ("Carver", LBP, D(2026, 1, 9), True),
    ]
    html = response.content.decode()
    assert "Social worker" in html  # whose case each is
    assert "Dunmore" not in html
    assert "Elsewhere" not in html


def test_a_chair_sees_the_cases_on_their_open_agendas_and_the_open_actions_of_their_meetings(
    client, chair, caseload, la_a
):
    open_meeting = f.TrackerMeetingFactory(local_authority=la_a, chair=chair, meeting_date=D(2026, 1, 12))
    f.MeetingItemFactory(meeting=open_meeting, family=caseload["carver"])
    closed = f.TrackerMeetingFactory(local_authority=la_a, chair=chair, meeting_date=D(2026, 1, 6))
    closed.closed_at = dt.datetime(2026, 1, 6, 16, tzinfo=dt.UTC)
    closed.save()
    # An action agreed at the chair's closed meeting still shows; the case itself (Dunmore) does not.
    action(caseload["dunmore"], due=D(2026, 1, 14), meeting=closed, what="Chase the report")
    # Another chair's meeting: neither its case nor its actions.
    action(caseload["brook"], due=D(2026, 1, 13), what="Not the chair's")
    sign_in(client, chair)
    response = client.get(URL)
    assert listed(response) == [
        ("Carver", LBP, D(2026, 1, 9), True),
        ("Dunmore", ACTION, D(2026, 1, 14), False),
        ("Carver", INITIAL, D(2026, 1, 19), False),
        ("Carver", FGDM, D(2026, 2, 20), False),
        ("Carver", DECISION, D(2026, 5, 1), False),
    ]
    assert "Not the chair" not in response.content.decode()


def test_an_action_owned_by_a_user_is_in_their_tasks_whoever_the_case_is_allocated_to(client, social_worker, caseload):
    action(caseload["dunmore"], due=D(2026, 1, 13), owner=social_worker, what="Send the chronology")
    sign_in(client, social_worker)
    response = client.get(URL)
    dunmore = [row for row in listed(response) if row[0] == "Dunmore"]
    assert dunmore == [("Dunmore", ACTION, D(2026, 1, 13), False)]  # the action only, not the case's items
    assert "Send the chronology. Owner: you" in response.content.decode()


def test_another_las_user_sees_only_their_own_las_cases(client, other_la_user, caseload):
    sign_in(client, other_la_user)
    names = {name for name, *_ in listed(client.get(URL))}
    assert names == {"Elsewhere"}


def test_it_sorts_by_case_and_filters_overdue_due_soon_and_kind(client, social_worker, caseload):
    sign_in(client, social_worker)
    by_case = listed(client.get(URL, {"sort": "case"}))
    assert [(name, label) for name, label, *_ in by_case] == [
        ("Ashdown", LBP),
        ("Ashdown", INITIAL),
        ("Ashdown", ACTION),
        ("Ashdown", FGDM),
        ("Ashdown", DECISION),
        ("Brook", LBP),
        ("Brook", INITIAL),
        ("Brook", FGDM),
        ("Brook", DECISION),
    ]
    assert [row[:2] for row in listed(client.get(URL, {"show": "overdue"}))] == [("Ashdown", LBP), ("Brook", LBP)]
    # Overdue, or due by 17 January (today + 7).
    assert [row[:2] for row in listed(client.get(URL, {"show": "soon", "days": "7"}))] == [
        ("Ashdown", LBP),
        ("Brook", LBP),
        ("Ashdown", INITIAL),
    ]
    # Due by 18 January (today + 8): the day itself is in.
    assert len(listed(client.get(URL, {"show": "soon", "days": "8"}))) == 4
    assert listed(client.get(URL, {"kind": "action"})) == [("Ashdown", ACTION, D(2026, 1, 20), False)]
    response = client.get(URL, {"kind": "fgdm_due", "sort": "case"})
    assert [row[:2] for row in listed(response)] == [("Ashdown", FGDM), ("Brook", FGDM)]
    assert "2 of 9 items shown" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"show": "soon", "days": "soon"}, "Enter the days to look ahead as a whole number, like 7"),
        ({"show": "soon", "days": "-1"}, "The days to look ahead must be 0 or more"),
        ({"kind": "nonsense"}, "Choose a kind from the list"),
        ({"sort": "nonsense"}, "Choose a sort by from the list"),
    ],
)
def test_a_wrong_filter_is_named_and_the_list_still_shows(client, social_worker, caseload, query, message):
    sign_in(client, social_worker)
    response = client.get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert response.context["tasks"]  # the other choices apply, the wrong one falls back to its default


def test_it_lists_any_caseload_in_the_same_number_of_queries(client, social_worker, la_a, django_assert_num_queries):
    sign_in(client, social_worker)
    family = pp_family(la_a, name="Firstone", start=D(2026, 1, 5), worker=social_worker)
    # Owned by users: each action shows its owner's name.
    action(family, due=D(2026, 1, 20), owner=f.UserFactory(local_authority=la_a))
    # A case in court, so the next hearings are looked up too.
    court = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name="Courtcase")
    proceedings = f.ProceedingsFactory(family=court, issue_date=D(2026, 1, 2))
    f.ChildProceedingsFactory(proceedings=proceedings, child=f.ChildFactory(family=court))
    f.HearingFactory(proceedings=proceedings, listed_date=D(2026, 1, 14), status=c.HearingStatus.LISTED)
    client.get(URL)  # the session's first request does one-off work

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        more = pp_family(la_a, name=f"Morefamily{n}", start=D(2026, 1, 5), worker=social_worker)
        action(more, due=D(2026, 1, 21), owner=f.UserFactory(local_authority=la_a))
        court = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name=f"Morecourt{n}")
        proceedings = f.ProceedingsFactory(family=court, issue_date=D(2026, 1, 2))
        f.ChildProceedingsFactory(proceedings=proceedings, child=f.ChildFactory(family=court))
        f.HearingFactory(proceedings=proceedings, listed_date=D(2026, 1, 15), status=c.HearingStatus.LISTED)
    with django_assert_num_queries(few):
        response = client.get(URL)
    assert len(response.context["tasks"]) > 20
    assert "Next hearing" in {task.item.label for task in response.context["tasks"]}


def test_it_lists_the_same_items_as_the_app_role_under_row_level_security(client, social_worker, caseload, as_app_role):
    sign_in(client, social_worker)
    response = client.get(URL)
    assert response.status_code == 200
    assert {name for name, *_ in listed(response)} == {"Ashdown", "Brook"}
    assert len(listed(response)) == 9


def test_the_page_is_in_the_read_audit_with_the_families_it_shows(client, social_worker, caseload):
    sign_in(client, social_worker)
    client.get(URL)
    read = m.ReadAudit.objects.get()
    assert read.route_name == "tasks:list"
    assert sorted(read.family_ids) == sorted([caseload["ashdown"].pk, caseload["brook"].pk])
    assert sorted(read.child_ids) == sorted(
        m.Child.objects.filter(family__in=[caseload["ashdown"], caseload["brook"]]).values_list("pk", flat=True)
    )


def test_the_menu_links_to_my_tasks_and_marks_it_current(client, social_worker, caseload):
    sign_in(client, social_worker)
    html = client.get(URL).content.decode()
    assert re.search(r'href="/tasks/" aria-current="page">My tasks</a>', html)


def test_a_board_member_cannot_open_my_tasks(client, board_member):
    sign_in(client, board_member)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("tasks:reminders")).status_code == 403


# ---------------------------------------------------------------------------------------------
# The reminder setting
# ---------------------------------------------------------------------------------------------


def test_a_user_turns_the_daily_reminder_off_and_on_again(client, social_worker):
    assert social_worker.task_reminders is True
    sign_in(client, social_worker)
    page = client.get(reverse("tasks:reminders")).content.decode()
    assert 'value="yes" checked' in page
    response = client.post(reverse("tasks:reminders"), {"task_reminders": "no"})
    assert response.status_code == 302
    assert response.url == URL
    social_worker.refresh_from_db()
    assert social_worker.task_reminders is False
    followed = client.get(URL).content.decode()
    assert "Daily task reminders turned off" in followed
    assert re.search(r"reminders are <strong>off</strong>", followed)
    client.post(reverse("tasks:reminders"), {"task_reminders": "yes"})
    social_worker.refresh_from_db()
    assert social_worker.task_reminders is True


@pytest.mark.parametrize("value", [None, "maybe"])
def test_the_reminder_setting_needs_an_answer_and_saves_nothing_without_one(client, social_worker, value):
    sign_in(client, social_worker)
    response = client.post(reverse("tasks:reminders"), {} if value is None else {"task_reminders": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose whether to get the daily email" in html
    social_worker.refresh_from_db()
    assert social_worker.task_reminders is True

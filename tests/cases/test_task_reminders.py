"""The daily task reminder: one email a day to each person with something overdue or due soon,
sent through Django's SMTP backend to a real local SMTP server (``smtp_inbox``).

Today is Saturday 10 January 2026 and reminders list seven days ahead (due by 17 January). The
social worker's case (pre-proceedings from 5 January) has the letter before proceedings overdue
(5 January), the initial meeting due on 15 January and an action due on 16 January, and beyond
the week the family group meeting (16 February) and the step decision (27 April).
"""

from __future__ import annotations

import datetime as dt
import re
import socket

import pytest
from django.conf import settings
from django.urls import reverse

from cases import models as m
from cases import tasks as celery_tasks
from cases.constants import Role
from cases.services import reminders
from plo_tracker.lib import tenancy
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 1, 10)
SITE = "https://plo-tracker.example.test"


@pytest.fixture(autouse=True)
def _settings(settings, monkeypatch):
    settings.PLO_SITE_URL = SITE
    settings.PLO_REMINDER_DAYS = 7
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


def pp_family(la, *, worker, name: str, start: dt.date, child: str) -> m.Family:
    family = f.FamilyFactory(
        local_authority=la, social_worker=worker, name=name, la_reference=f"REF-{name[:3].upper()}"
    )
    kid = f.ChildFactory(family=family, first_name=child, last_name=name, date_of_birth=D(2020, 1, 1))
    f.EpisodeFactory(family=family, children=[kid], gateway_meeting_date=start, start_date=start)
    return family


@pytest.fixture
def case(la_a, social_worker):
    family = pp_family(la_a, worker=social_worker, name="Ashdown", start=D(2026, 1, 5), child="Rosalind")
    # The meeting's chair has no email address, so gets no reminder of the action (nor can).
    chair = f.UserFactory(username="chair.noemail", role=Role.QUADRANT_CHAIR, local_authority=la_a, email="")
    item = f.MeetingItemFactory(
        meeting=f.TrackerMeetingFactory(local_authority=la_a, meeting_date=D(2026, 1, 6), chair=chair), family=family
    )
    # Its wording names the child: free text never goes into the email.
    f.MeetingActionFactory(
        item=item, due_date=D(2026, 1, 16), description="Ask Rosalind's school for a report", owner=social_worker
    )
    return family


def run() -> dict[str, int]:
    """The Celery task, as beat starts it (run here in-process)."""
    return celery_tasks.send_task_reminders.apply().get()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_it_emails_the_items_overdue_and_due_this_week_with_references_and_links(smtp_inbox, social_worker, case):
    assert run() == {"sent": 1, "nothing_due": 0, "failed": 0}
    assert smtp_inbox.recipients == [[social_worker.email]]
    (message,) = smtp_inbox.messages
    assert message["Subject"] == "PLO Tracker: 1 overdue, 2 due by 17 Jan"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    body = body_of(message)
    link = f"{SITE}/cases/{case.pk}/"
    assert f"- Letter before proceedings: By 5 Jan 2026. Case REF-ASH: {link}" in body
    assert f"- Initial pre-proceedings meeting: By 15 Jan 2026. Case REF-ASH: {link}" in body
    assert f"- Meeting action: By 16 Jan 2026. Case REF-ASH: {link}" in body
    assert body.index("Overdue (1):") < body.index("Letter before") < body.index("Due by 17 January 2026 (2):")
    # Beyond the week: not listed.
    assert "Family group meeting" not in body
    assert "Step-down" not in body
    assert f"{SITE}{reverse('tasks:list')}" in body
    assert f"{SITE}{reverse('tasks:reminders')}" in body


def test_the_email_names_no_child_and_no_family(smtp_inbox, social_worker, case):
    run()
    (message,) = smtp_inbox.messages
    text = (message["Subject"] + "\n" + message.as_string() + "\n" + body_of(message)).casefold()
    for child in m.Child.objects.all():
        assert child.first_name.casefold() not in text
        assert child.last_name.casefold() not in text
    assert case.name.casefold() not in text
    assert "school" not in text  # the action's own wording


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(
    smtp_inbox, social_worker, case, monkeypatch
):
    run()
    assert run() == {"sent": 0, "nothing_due": 0, "failed": 0}
    assert len(smtp_inbox.messages) == 1
    social_worker.refresh_from_db()
    assert social_worker.task_reminder_sent_on == TODAY
    # Sending again for today, even with the user picked before the first run recorded its day.
    assert (
        reminders.send_one(user_id=social_worker.pk, local_authority_id=social_worker.local_authority_id, today=TODAY)
        is False
    )
    assert len(smtp_inbox.messages) == 1
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY + dt.timedelta(days=1))
    assert run()["sent"] == 1
    assert len(smtp_inbox.messages) == 2


def test_it_sends_nothing_to_those_who_opted_out_are_inactive_or_have_nothing_due(
    smtp_inbox, social_worker, case, la_a
):
    social_worker.task_reminders = False
    social_worker.save()
    inactive = f.UserFactory(username="sw.left", local_authority=la_a, is_active=False)
    pp_family(la_a, worker=inactive, name="Bellamy", start=D(2026, 1, 5), child="Oona")
    idle = f.UserFactory(username="sw.idle", local_authority=la_a)
    # Only things due after the week: the decision, family meeting and initial meeting are weeks away.
    pp_family(la_a, worker=idle, name="Corrie", start=D(2026, 2, 2), child="Pip")
    m.PreProceedingsEpisode.objects.filter(family__name="Corrie").update(lbp_sent_date=D(2026, 2, 2))
    board = f.UserFactory(username="board.member", role=Role.BOARD_MEMBER, local_authority=None, team=None)
    assert board.email
    assert run() == {"sent": 0, "nothing_due": 1, "failed": 0}
    assert smtp_inbox.messages == []
    idle.refresh_from_db()
    assert idle.task_reminder_sent_on is None


def test_each_person_gets_only_their_own_las_and_caseloads_items(smtp_inbox, social_worker, case, la_b, other_la_user):
    pp_family(la_b, worker=other_la_user, name="Dunmore", start=D(2026, 1, 2), child="Wilf")
    assert run()["sent"] == 2
    assert_each_gets_their_own(smtp_inbox, {social_worker.email: "REF-ASH", other_la_user.email: "REF-DUN"})


def assert_each_gets_their_own(inbox, expected: dict[str, str]) -> None:
    """Each recipient's email lists their own case's reference and no other."""
    by_recipient = {rcpt[0]: body_of(message) for rcpt, message in zip(inbox.recipients, inbox.messages, strict=True)}
    assert set(by_recipient) == set(expected)
    for recipient, reference in expected.items():
        shown = set(re.findall(r"REF-[A-Z]{3}", by_recipient[recipient]))
        assert shown == {reference}, recipient


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_send_is_not_recorded_so_the_next_run_sends_it(smtp_inbox, social_worker, case, settings):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _closed_port()
    assert run() == {"sent": 0, "nothing_due": 0, "failed": 1}
    social_worker.refresh_from_db()
    assert social_worker.task_reminder_sent_on is None
    settings.EMAIL_PORT = port
    assert run()["sent"] == 1
    assert len(smtp_inbox.messages) == 1


def test_the_reminder_runs_every_morning_from_the_beat_schedule():
    from plo_tracker.celery import app

    (entry,) = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "cases.send_task_reminders"
    ]
    assert entry["schedule"].hour == {6}
    assert entry["schedule"].minute == {30}
    assert entry["schedule"].day_of_week == set(range(7))
    assert "cases.send_task_reminders" in app.tasks


def test_it_sends_each_las_reminders_as_the_app_role_under_row_level_security(
    smtp_inbox, social_worker, case, la_b, other_la_user, as_app_role
):
    # Made as the superuser above; from here the task runs as the app role, one LA shown at a time.
    with tenancy.local_authority(la_b.pk):
        pp_family(la_b, worker=other_la_user, name="Dunmore", start=D(2026, 1, 2), child="Wilf")
    assert run() == {"sent": 2, "nothing_due": 0, "failed": 0}
    assert_each_gets_their_own(smtp_inbox, {social_worker.email: "REF-ASH", other_la_user.email: "REF-DUN"})

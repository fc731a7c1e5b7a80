"""Task reminders: each user's one daily email of what is overdue or due soon on their caseload.

The items are My tasks' (``cases.selectors.tasks``, from the one next-due engine), overdue or due
within ``PLO_REMINDER_DAYS`` days. The email names each item, its date and its case's LA reference
with a link to the case page (``PLO_SITE_URL``): never a child's or a family's name, and none of
the free text recorded on a case (a meeting action's wording may name a child).

Sent to active people in an LA role who have an email address and have not turned reminders off,
and only when something is listed. At most one a day: the day sent is stored on the user in the
same transaction that sends it, with the user's row locked, so a second run that day (a retry, a
second worker) finds it and sends nothing. A failure to send leaves the day unset, so the next
run tries again; one person's failure does not stop the others'.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from cases import constants as c
from cases import models as m
from cases.selectors import tasks
from plo_tracker.lib import tenancy

logger = logging.getLogger(__name__)

# The people with a caseload (service accounts never sign in to the pages, nor get email).
REMINDED_ROLES = (c.Role.SOCIAL_WORKER, c.Role.TEAM_MANAGER, c.Role.QUADRANT_CHAIR, c.Role.LA_ADMIN)


@dataclass(frozen=True)
class RunSummary:
    sent: int
    nothing_due: int
    failed: int


def reminders_set(*, user: m.User, enabled: bool) -> m.User:
    """Turn the user's daily task reminder email on or off."""
    user.task_reminders = enabled
    user.save(update_fields=["task_reminders"])
    logger.info("Task reminders turned %s for user %s", "on" if enabled else "off", user.pk)
    return user


def digest(*, user: m.User, today: dt.date, days: int | None = None) -> EmailMessage | None:
    """The user's email of items overdue or due within ``days`` (``PLO_REMINDER_DAYS``); None if none."""
    days = settings.PLO_REMINDER_DAYS if days is None else days
    listed = tasks.due_soon(tasks.task_list(user=user, today=today), today=today, days=days)
    if not listed:
        return None
    context = {
        "service_name": settings.PLO_SERVICE_NAME,
        "site_url": settings.PLO_SITE_URL,
        "today": today,
        "days": days,
        "horizon": today + dt.timedelta(days=days),
        "overdue": [task for task in listed if task.item.overdue],
        "soon": [task for task in listed if not task.item.overdue],
    }
    subject = " ".join(render_to_string("cases/email/task_reminder_subject.txt", context).split())
    body = render_to_string("cases/email/task_reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def candidates():
    """Everyone who may get a reminder today, before looking at what is due."""
    return (
        m.User.objects.filter(
            is_active=True, task_reminders=True, role__in=REMINDED_ROLES, local_authority__isnull=False
        )
        .exclude(email="")
        .order_by("pk")
    )


def send_one(*, user_id: int, local_authority_id: int, today: dt.date) -> bool | None:
    """Send one user's reminder unless it was sent today: True if sent, None if nothing was due.

    In one transaction that shows the user's LA's rows only (row-level security), with the user's
    row locked until the day sent is stored.
    """
    with tenancy.local_authority(local_authority_id):
        user = (
            m.User.objects.select_for_update(of=("self",))
            .select_related("local_authority")
            .filter(pk=user_id, is_active=True, task_reminders=True)
            .first()
        )
        if user is None or user.task_reminder_sent_on == today:
            return False
        message = digest(user=user, today=today)
        if message is None:
            return None
        message.send()
        user.task_reminder_sent_on = today
        user.save(update_fields=["task_reminder_sent_on"])
    return True


def send_task_reminders(*, today: dt.date) -> RunSummary:
    """Send today's reminders to everyone due one (``candidates``), each at most once a day."""
    sent = nothing = failed = 0
    people = candidates().exclude(task_reminder_sent_on=today).values_list("pk", "local_authority_id")
    for user_id, local_authority_id in people:
        try:
            result = send_one(user_id=user_id, local_authority_id=local_authority_id, today=today)
        except Exception:
            # Logged; the others still get theirs, and the next run tries this one again.
            failed += 1
            logger.exception("Could not send the task reminder to user %s", user_id)
            continue
        if result:
            sent += 1
        elif result is None:
            nothing += 1
    return RunSummary(sent=sent, nothing_due=nothing, failed=failed)

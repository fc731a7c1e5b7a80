"""Tracker meetings: open a meeting for a scope, record each case's step, close the meeting.

Every write goes through the validated save path of case records (``records.record_save``) with
the ``RUN_MEETINGS`` capability: a record of another LA is refused with a 403, never re-homed, and
every record is validated before anything is saved. Recording a case at a meeting (decision,
review date, note, new actions, actions marked done) is one service call in one transaction: if
any part is invalid nothing is saved and ``MeetingStepError`` names every problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases.flags import row_flag_codes
from cases.permissions import RUN_MEETINGS, ensure, ensure_own_record
from cases.selectors.meetings import scoped_tracker
from cases.services.records import history_context, record_save, record_stamp, record_validate

CLOSED_MESSAGE = "This meeting is closed: its record can no longer change."


@dataclass(frozen=True)
class NewAction:
    """An action agreed for a case at a meeting: what, who owns it, and by when."""

    description: str
    owner: str
    due_date: dt.date | None


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}


class MeetingStepError(ValidationError):
    """Every broken rule of one meeting step: the decision's, each new action's (by its position in
    the list given) and each action marked done (by its id). Nothing was saved."""

    def __init__(
        self,
        *,
        decision: ValidationError | None = None,
        actions: dict[int, ValidationError] | None = None,
        completed: dict[int, ValidationError] | None = None,
    ):
        self.decision = decision
        self.actions = actions or {}
        self.completed = completed or {}
        parts = [("", decision)]
        parts += [(f"actions.{index}.", error) for index, error in self.actions.items()]
        parts += [(f"completed.{pk}.", error) for pk, error in self.completed.items()]
        flat: dict[str, list[str]] = {}
        for prefix, error in parts:
            for name, messages in _messages(error).items() if error is not None else ():
                flat.setdefault(f"{prefix}{name}", []).extend(messages)
        super().__init__(flat)


def _problem(*, user, instance: m.CaseRecord) -> ValidationError | None:
    """The record's broken rules, if any (a record the user may not write raises PermissionDenied)."""
    try:
        record_validate(user=user, instance=instance, capability=RUN_MEETINGS)
    except ValidationError as error:
        return error
    return None


def _closed(meeting_id: int) -> bool:
    """Whether the meeting is closed, read under a row lock so a step and a close cannot interleave."""
    return (
        m.TrackerMeeting.objects.select_for_update().filter(pk=meeting_id).values_list("closed_at", flat=True).get()
        is not None
    )


def _new_action(item: m.MeetingItem, new: NewAction) -> m.MeetingAction:
    return m.MeetingAction(
        item=item,
        family_id=item.family_id,
        local_authority_id=item.local_authority_id,
        description=new.description,
        owner=new.owner,
        due_date=new.due_date,
    )


@transaction.atomic
def meeting_open(*, user, scope: str, meeting_date: dt.date, area=None, team=None) -> m.TrackerMeeting:
    """Open a meeting of the user's LA and set its agenda: every open case in scope, red first, then longest waiting."""
    ensure(user, RUN_MEETINGS)
    with history_context(user):
        meeting = m.TrackerMeeting(
            local_authority_id=user.local_authority_id,
            scope=scope,
            area=area if scope == c.ScopeKind.AREA else None,
            team=team if scope == c.ScopeKind.TEAM else None,
            meeting_date=meeting_date,
            chair=user,
        )
        record_save(user=user, instance=meeting, capability=RUN_MEETINGS)
        rows = scoped_tracker(
            user=user, today=meeting_date, scope=scope, area_id=meeting.area_id, team_id=meeting.team_id
        ).order_by("rag_order", "started_on", "pk")
        # The agenda is written in bulk: its rows are the meeting LA's own open cases (the tracker
        # is scoped to the user), numbered here, so validating each of thousands of items one by
        # one would only re-check that; the unique constraints in the database are the backstop.
        items = []
        for position, row in enumerate(rows, start=1):
            item = m.MeetingItem(
                meeting=meeting,
                family_id=row.pk,
                local_authority_id=meeting.local_authority_id,
                position=position,
                stage=row.stage,
                rag=row.rag,
                flags=row_flag_codes(row),
            )
            record_stamp(user=user, instance=item)
            items.append(item)
        m.MeetingItem.objects.bulk_create(items)
    return meeting


@transaction.atomic
def meeting_item_record(
    *,
    user,
    item: m.MeetingItem,
    decision: str,
    review_date: dt.date | None,
    note: str,
    new_actions: Sequence[NewAction] = (),
    completed: Iterable[m.MeetingAction] = (),
    completed_date: dt.date | None = None,
) -> m.MeetingItem:
    """Record one case at a meeting: decision, review date, note, new actions and actions done; all or nothing."""
    ensure(user, RUN_MEETINGS)
    ensure_own_record(user, item)
    if _closed(item.meeting_id):
        raise MeetingStepError(decision=ValidationError(CLOSED_MESSAGE))
    item.decision, item.review_date, item.note = decision, review_date, note
    item.decided_at = timezone.now()
    actions = [_new_action(item, new) for new in new_actions]
    done = list(completed)
    for action in done:
        action.completed_date = completed_date or timezone.localdate()

    decision_error = _problem(user=user, instance=item)
    action_errors = {
        index: error for index, action in enumerate(actions) if (error := _problem(user=user, instance=action))
    }
    completed_errors = {}
    for action in done:
        ensure_own_record(user, action)
        if action.family_id != item.family_id:
            completed_errors[action.pk] = ValidationError("This action is for another case.")
        elif error := _problem(user=user, instance=action):
            completed_errors[action.pk] = error
    if decision_error or action_errors or completed_errors:
        raise MeetingStepError(decision=decision_error, actions=action_errors, completed=completed_errors)

    # Every record was checked above, in this transaction: save them all.
    with history_context(user):
        for record in (item, *actions, *done):
            record.save()
    return item


def meeting_item_decide(
    *, user, item: m.MeetingItem, decision: str, review_date: dt.date | None, note: str
) -> m.MeetingItem:
    """Record the meeting's decision for one case (a step with no actions)."""
    return meeting_item_record(user=user, item=item, decision=decision, review_date=review_date, note=note)


@transaction.atomic
def action_create(
    *, user, item: m.MeetingItem, description: str, owner: str, due_date: dt.date | None
) -> m.MeetingAction:
    """Agree an action for a case at an open meeting."""
    ensure(user, RUN_MEETINGS)
    ensure_own_record(user, item)
    if _closed(item.meeting_id):
        raise ValidationError(CLOSED_MESSAGE)
    with history_context(user):
        action = _new_action(item, NewAction(description=description, owner=owner, due_date=due_date))
        return record_save(user=user, instance=action, capability=RUN_MEETINGS)


@transaction.atomic
def action_complete(*, user, action: m.MeetingAction, completed_date: dt.date) -> m.MeetingAction:
    """Mark an action of the user's LA done."""
    with history_context(user):
        action.completed_date = completed_date
        return record_save(user=user, instance=action, capability=RUN_MEETINGS)


@transaction.atomic
def meeting_close(*, user, meeting: m.TrackerMeeting) -> m.TrackerMeeting:
    """Close the meeting: its record is final from now on (it can still be read and printed)."""
    ensure(user, RUN_MEETINGS)
    ensure_own_record(user, meeting)
    if _closed(meeting.pk):
        meeting.refresh_from_db(fields=["closed_at"])
        return meeting
    with history_context(user):
        meeting.closed_at = timezone.now()
        return record_save(user=user, instance=meeting, capability=RUN_MEETINGS)

"""Tracker meetings: open a meeting for a scope, choose its agenda and attendees, record each case's
step, close the meeting.

Every write goes through the validated save path of case records (``records.record_save``) with
the ``RUN_MEETINGS`` capability: a record of another LA is refused with a 403, never re-homed, and
every record is validated before anything is saved. Recording a case at a meeting (decision,
review date, note, new actions, actions marked done) is one service call in one transaction: if
any part is invalid nothing is saved and ``MeetingStepError`` names every problem.

The agenda is the chair's: ``meeting_open`` proposes one (every open case in scope, or only the
flagged ones, or none), and until the meeting closes the chair adds cases of the LA
(``agenda_add``), and reorders, times and removes them (``agenda_arrange``). A case already
decided or with actions agreed stays on the agenda. Closing with cases not yet discussed needs
``confirmed=True`` (``MeetingCloseUnconfirmedError`` lists them otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases.flags import row_flag_codes
from cases.permissions import RUN_MEETINGS, ensure, ensure_own_record
from cases.selectors.meetings import scoped_tracker
from cases.services.records import history_context, record_save, record_stamp, record_validate

CLOSED_MESSAGE = "This meeting is closed: its record can no longer change."

# What the agenda of a new meeting proposes: the chair adds, removes and reorders from there.
PROPOSE_ALL, PROPOSE_FLAGGED, PROPOSE_NONE = "all", "flagged", "none"
PROPOSALS = (PROPOSE_ALL, PROPOSE_FLAGGED, PROPOSE_NONE)


@dataclass(frozen=True)
class NewAction:
    """An action agreed for a case at a meeting: what, who owns it, and by when."""

    description: str
    owner: m.User | None
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


def _snapshot(item: m.MeetingItem, row) -> None:
    """The case as the tracker shows it when it joins the agenda (stage, status, flags)."""
    item.stage, item.rag, item.flags = row.stage, row.rag, row_flag_codes(row)


@transaction.atomic
def meeting_open(
    *, user, scope: str, meeting_date: dt.date, area=None, team=None, proposal: str = PROPOSE_ALL
) -> m.TrackerMeeting:
    """Open a meeting of the user's LA and propose its agenda: the open cases in scope (all of them, or
    only those with a flag or not green, or none), red first, then longest waiting."""
    ensure(user, RUN_MEETINGS)
    if proposal not in PROPOSALS:
        raise ValidationError({"proposal": "Choose which cases the agenda starts with."})
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
        if proposal == PROPOSE_NONE:
            rows = []
        elif proposal == PROPOSE_FLAGGED:
            rows = [row for row in rows if row.rag != "green" or row_flag_codes(row)]
        items = []
        for position, row in enumerate(rows, start=1):
            item = m.MeetingItem(
                meeting=meeting, family_id=row.pk, local_authority_id=meeting.local_authority_id, position=position
            )
            _snapshot(item, row)
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
    *, user, item: m.MeetingItem, description: str, owner: m.User | None, due_date: dt.date | None
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


class MeetingCloseUnconfirmedError(ValidationError):
    """Cases on the agenda were not discussed: closing needs the chair's confirmation. Nothing was saved."""

    def __init__(self, undiscussed: list[m.MeetingItem]):
        self.undiscussed = undiscussed
        count = len(undiscussed)
        super().__init__(
            f"{count} {'case was' if count == 1 else 'cases were'} not discussed: confirm to close the meeting."
        )


def undiscussed_items(meeting: m.TrackerMeeting) -> list[m.MeetingItem]:
    """The agenda items with no decision recorded, in agenda order, with their case."""
    return list(meeting.items.filter(decision="").select_related("family").order_by("position"))


@transaction.atomic
def meeting_close(*, user, meeting: m.TrackerMeeting, confirmed: bool = False) -> m.TrackerMeeting:
    """Close the meeting: its record is final from now on (it can still be read and printed).

    With cases not discussed, the chair must confirm (``confirmed``): otherwise
    ``MeetingCloseUnconfirmedError`` lists them and the meeting stays open."""
    ensure(user, RUN_MEETINGS)
    ensure_own_record(user, meeting)
    if _closed(meeting.pk):
        meeting.refresh_from_db(fields=["closed_at"])
        return meeting
    if not confirmed and (undiscussed := undiscussed_items(meeting)):
        raise MeetingCloseUnconfirmedError(undiscussed)
    with history_context(user):
        meeting.closed_at = timezone.now()
        return record_save(user=user, instance=meeting, capability=RUN_MEETINGS)


# -- the agenda and attendees, until the meeting closes ------------------------------------------


def _open_meeting(user, meeting: m.TrackerMeeting) -> None:
    """The user may change this meeting of their LA, and it is open (locked until the transaction ends)."""
    ensure(user, RUN_MEETINGS)
    ensure_own_record(user, meeting)
    if _closed(meeting.pk):
        raise ValidationError(CLOSED_MESSAGE)


@transaction.atomic
def agenda_add(*, user, meeting: m.TrackerMeeting, family: m.Family) -> m.MeetingItem:
    """Put an open case of the LA at the end of the agenda (another LA's case is refused with a 403)."""
    _open_meeting(user, meeting)
    ensure_own_record(user, family)
    if meeting.items.filter(family=family).exists():
        raise ValidationError({"family": f"The {family.name} family is already on the agenda."})
    row = scoped_tracker(user=user, today=meeting.meeting_date, scope=c.ScopeKind.LA, area_id=None, team_id=None)
    row = row.filter(pk=family.pk).first()
    if row is None:
        raise ValidationError({"family": "Choose a case in pre-proceedings or proceedings."})
    last = meeting.items.order_by("-position").values_list("position", flat=True).first() or 0
    item = m.MeetingItem(
        meeting=meeting, family=family, local_authority_id=meeting.local_authority_id, position=last + 1
    )
    _snapshot(item, row)
    with history_context(user):
        return record_save(user=user, instance=item, capability=RUN_MEETINGS)


@dataclass(frozen=True)
class AgendaRow:
    """The chair's choice for one case of the agenda: its place (any number: the agenda is
    renumbered from 1 in that order, ties kept in the present order), its start time, or removal."""

    item: m.MeetingItem
    order: int | None
    start_time: dt.time | None
    remove: bool = False


class AgendaError(ValidationError):
    """The agenda items that cannot change as asked (by item id). Nothing was saved."""

    def __init__(self, problems: dict[int, list[str]]):
        self.problems = problems
        super().__init__([message for messages in problems.values() for message in messages])


@transaction.atomic
def agenda_arrange(*, user, meeting: m.TrackerMeeting, rows: Sequence[AgendaRow]) -> list[m.MeetingItem]:
    """Reorder, time and remove cases of the agenda in one go; all or nothing.

    ``rows`` covers every item of the agenda. A case with a decision or actions recorded cannot be
    removed (its record would be lost)."""
    _open_meeting(user, meeting)
    items = {item.pk: item for item in meeting.items.annotate(action_count=Count("actions"))}
    given = {row.item.pk: row for row in rows}
    if set(given) != set(items):
        raise ValidationError("The agenda has changed since the page was loaded: check it and try again.")
    problems: dict[int, list[str]] = {}
    for pk, row in given.items():
        item = items[pk]
        if row.remove and (item.decision or item.action_count):
            problems[pk] = [
                f"The {row.item.family.name} family has a decision or actions recorded: it stays on the agenda."
            ]
    if problems:
        raise AgendaError(problems)

    def place(row: AgendaRow) -> tuple[int, int]:
        present = items[row.item.pk].position
        return (present if row.order is None else row.order, present)

    kept = sorted((row for row in given.values() if not row.remove), key=place)
    saved = []
    with history_context(user):
        for pk, row in given.items():
            if row.remove:
                ensure_own_record(user, items[pk])
                items[pk].delete()
        # The position's uniqueness is checked when the transaction commits: the new order is a
        # renumbering from 1, so it holds then.
        for position, row in enumerate(kept, start=1):
            item = items[row.item.pk]
            if (item.position, item.start_time) == (position, row.start_time):
                saved.append(item)
                continue
            item.position, item.start_time = position, row.start_time
            ensure_own_record(user, item)
            record_stamp(user=user, instance=item)
            # Every rule but the position's uniqueness, which holds at commit (see above).
            item.full_clean(exclude=["position"])
            item.save(update_fields=["position", "start_time", "updated_at", "updated_by"])
            saved.append(item)
    return saved


@transaction.atomic
def attendee_add(
    *, user, meeting: m.TrackerMeeting, attendee: m.User | None = None, name: str = "", role: str = ""
) -> m.MeetingAttendee:
    """Record who attends the meeting: a user of the LA, or a name with a role."""
    _open_meeting(user, meeting)
    record = m.MeetingAttendee(
        meeting=meeting, local_authority_id=meeting.local_authority_id, user=attendee, name=name, role=role
    )
    with history_context(user):
        return record_save(user=user, instance=record, capability=RUN_MEETINGS)


@transaction.atomic
def attendee_remove(*, user, attendee: m.MeetingAttendee) -> None:
    """Take someone off the meeting's attendees (recorded in the history)."""
    _open_meeting(user, attendee.meeting)
    ensure_own_record(user, attendee)
    with history_context(user):
        attendee.delete()

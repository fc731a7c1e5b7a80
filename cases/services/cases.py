"""Writes to case data. Views, imports and the API call these; nothing else saves case records.

Every write validates the whole record (model ``clean()`` and field rules) before saving, runs in
one transaction, stamps who made the change, and adds the user to the change history context
(the triggers record old and new values). A failed rule raises ``ValidationError`` naming the
field, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pghistory
from django.db import transaction
from django.db.models import Max

from cases import constants as c
from cases import models as m
from cases.permissions import ensure_can_write


def _save(*, user, instance: m.CaseRecord, family: m.Family | None = None) -> m.CaseRecord:
    """Validate and save one record of the user's LA, stamped with who changed it."""
    ensure_can_write(user)
    if family is not None:
        instance.local_authority_id = family.local_authority_id
    if instance.local_authority_id != user.local_authority_id:
        raise PermissionError("A record can only be saved in the user's own local authority.")
    if instance.pk is None:
        instance.created_by = user
    instance.updated_by = user
    instance.full_clean()
    instance.save()
    return instance


def _context(user):
    return pghistory.context(user=user.pk, username=user.get_username())


@transaction.atomic
def case_create(*, user, family: m.Family, child: m.Child) -> m.Family:
    """Open a new case: the family (with its allocated team and social worker) and its first child."""
    with _context(user):
        if family.social_worker_id is None and user.role == c.Role.SOCIAL_WORKER:
            family.social_worker = user
        _save(user=user, instance=family, family=family)
        child.family = family
        _save(user=user, instance=child, family=family)
    return family


@transaction.atomic
def child_save(*, user, child: m.Child) -> m.Child:
    """Add or correct a child of a case."""
    with _context(user):
        return _save(user=user, instance=child, family=child.family)


@transaction.atomic
def episode_save(*, user, episode: m.PreProceedingsEpisode, children: Iterable[m.Child] | None = None):
    """Start, update or correct a pre-proceedings episode (gateway decision to step decision)."""
    with _context(user):
        _save(user=user, instance=episode, family=episode.family)
        if children is not None:
            episode.children.set([child for child in children if child.family_id == episode.family_id])
    return episode


@transaction.atomic
def pp_meeting_save(*, user, meeting: m.PreProceedingsMeeting) -> m.PreProceedingsMeeting:
    """Record or correct an initial or review pre-proceedings meeting."""
    with _context(user):
        return _save(user=user, instance=meeting, family=meeting.episode.family)


@transaction.atomic
def proceedings_save(*, user, proceedings: m.Proceedings, children: Iterable[m.Child]) -> m.Proceedings:
    """Record or correct a care application and the children in it (one timetable each)."""
    with _context(user):
        if proceedings.pk is None and proceedings.episode_id is None:
            proceedings.episode = (
                proceedings.family.episodes.filter(outcome=c.PPOutcome.ISSUE).order_by("-step_decision_date").first()
            )
        _save(user=user, instance=proceedings, family=proceedings.family)
        existing = {part.child_id for part in proceedings.child_parts.all()}
        for child in children:
            if child.pk not in existing and child.family_id == proceedings.family_id:
                _save(
                    user=user,
                    instance=m.ChildProceedings(proceedings=proceedings, child=child),
                    family=proceedings.family,
                )
    return proceedings


@transaction.atomic
def hearing_save(*, user, hearing: m.Hearing) -> m.Hearing:
    """List, update or correct a hearing (held, adjourned or vacated with a reason, re-listed)."""
    with _context(user):
        return _save(user=user, instance=hearing, family=hearing.proceedings.family)


@transaction.atomic
def extension_save(*, user, extension: m.Extension) -> m.Extension:
    """Record or correct an extension of one child's timetable."""
    with _context(user):
        return _save(user=user, instance=extension, family=extension.child_proceedings.proceedings.family)


@transaction.atomic
def child_order_save(*, user, part: m.ChildProceedings) -> m.ChildProceedings:
    """Record a child's interim and final plans and final order; conclude the application with its last child."""
    with _context(user):
        _save(user=user, instance=part, family=part.proceedings.family)
        proceedings_refresh_concluded(user=user, proceedings=part.proceedings)
    return part


def proceedings_refresh_concluded(*, user, proceedings: m.Proceedings) -> None:
    """An application concludes on the date of its last child's final outcome (none while any is open)."""
    parts = proceedings.child_parts.all()
    open_parts = parts.filter(final_outcome__isnull=True).exists()
    concluded = None if open_parts else parts.aggregate(last=Max("final_outcome_date"))["last"]
    if proceedings.concluded_date != concluded:
        proceedings.concluded_date = concluded
        proceedings.updated_by = user
        proceedings.save(update_fields=["concluded_date", "updated_by", "updated_at"])


@transaction.atomic
def assessment_save(*, user, assessment: m.Assessment) -> m.Assessment:
    """Instruct, update or complete an assessment, linked to the current episode or proceedings."""
    with _context(user):
        family = assessment.family
        if not assessment.episode_id and not assessment.proceedings_id:
            assessment.proceedings = family.proceedings.filter(concluded_date__isnull=True).first()
            if assessment.proceedings is None:
                assessment.episode = family.episodes.order_by("-gateway_meeting_date").first()
        if assessment.due_date is None and assessment.instructed_date and assessment.assessment_type_id:
            weeks = assessment.assessment_type.target_weeks
            if weeks:
                assessment.due_date = assessment.instructed_date + dt.timedelta(weeks=weeks)
        return _save(user=user, instance=assessment, family=family)


@transaction.atomic
def delay_event_save(*, user, event: m.DelayEvent) -> m.DelayEvent:
    """Record or correct days lost, linked to the current proceedings or episode."""
    with _context(user):
        family = event.family
        if not event.proceedings_id and not event.episode_id:
            event.proceedings = family.proceedings.filter(concluded_date__isnull=True).first()
            if event.proceedings is None:
                event.episode = family.episodes.order_by("-gateway_meeting_date").first()
        return _save(user=user, instance=event, family=family)

"""Writes to case data. Views, imports and the API call these; nothing else saves case records.

Every write validates the whole record (model ``clean()`` and field rules) before saving, runs in
one transaction, stamps who made the change, and adds the user to the change history context
(the triggers record old and new values). A failed rule raises ``ValidationError`` naming the
field, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases.permissions import WRITE_CASES, ensure, ensure_own_record

# Case data goes through the one validated save path (WRITE_CASES is its default capability).
from cases.services.records import history_context as _context
from cases.services.records import record_save as _save


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
def family_save(*, user, family: m.Family) -> m.Family:
    """Add or correct a family (case): its reference, name, allocated team and social worker."""
    with _context(user):
        return _save(user=user, instance=family, family=family)


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


def episode_children_add(*, user, links: Iterable[tuple[m.PreProceedingsEpisode, m.Child]]) -> None:
    """Add children to saved episodes, many at once (an import): as ``episode_save``'s ``children``,
    only a child of the episode's family, and only in the user's LA."""
    ensure(user, WRITE_CASES)
    through = m.PreProceedingsEpisode.children.through
    rows = []
    for episode, child in links:
        ensure_own_record(user, episode)
        if child.family_id == episode.family_id:
            rows.append(through(preproceedingsepisode_id=episode.pk, child_id=child.pk))
    with _context(user):
        through.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


REOPEN_REFUSED = (
    "Only a closed family can be reopened for a repeat episode: this case is still before its first legal "
    "gateway decision, in pre-proceedings or proceedings, or waiting for its care application."
)


def reopen_refusal(family: m.Family) -> str:
    """Why ``family`` cannot be reopened for a repeat episode, or "" when it can: it must be closed,
    its last episode or application concluded or stepped down (``case_stage`` "ended").

    ``case_stage`` reads the episodes oldest first, as ``case_get`` loads them: a family loaded
    otherwise has them read again in that order (two queries).
    """
    from cases.selectors.cases import case_stage

    if "episodes" not in getattr(family, "_prefetched_objects_cache", {}):
        family = m.Family.objects.prefetch_related(
            Prefetch("episodes", queryset=m.PreProceedingsEpisode.objects.order_by("gateway_meeting_date", "pk")),
            Prefetch("proceedings", queryset=m.Proceedings.objects.order_by("issue_date", "pk")),
        ).get(pk=family.pk)
    return "" if case_stage(family).code == "ended" else REOPEN_REFUSED


@transaction.atomic
def family_reopen(*, user, episode: m.PreProceedingsEpisode, children: Iterable[m.Child]):
    """Reopen a closed family for a repeat episode: a new pre-proceedings episode of the same family.

    Not a new family: the earlier episodes and applications stay on it. The episode counts as a
    repeat (REFERENCE.md 4, "Repeat and long episodes": the tracker's repeat-episode flag and the
    monthly count read ``previous_pre_proceedings`` and ``previous_care_proceedings``), which are
    set from the family's earlier records whatever the form sent. The family is locked from the
    check to the save, so of two reopenings sent at once the second is refused.
    """
    family = m.Family.objects.visible_to(user).select_for_update().get(pk=episode.family_id)
    refusal = reopen_refusal(family)
    if refusal:
        raise ValidationError(refusal)
    episode.gateway_outcome = c.GatewayOutcome.START_PRE_PROCEEDINGS
    episode.previous_pre_proceedings = episode.previous_pre_proceedings or family.episodes.exists()
    episode.previous_care_proceedings = episode.previous_care_proceedings or family.proceedings.exists()
    return episode_save(user=user, episode=episode, children=children)


@transaction.atomic
def pp_meeting_save(*, user, meeting: m.PreProceedingsMeeting) -> m.PreProceedingsMeeting:
    """Record or correct an initial or review pre-proceedings meeting."""
    with _context(user):
        return _save(user=user, instance=meeting, family=meeting.episode.family)


@transaction.atomic
def proceedings_save(*, user, proceedings: m.Proceedings, children: Iterable[m.Child]) -> m.Proceedings:
    """Record or correct a care application and the children in it (one timetable each).

    ``children`` are all the application's children: new ones are added, and one already in it
    cannot be left out (``Proceedings.children_errors``).
    """
    children = list(children)
    errors = proceedings.children_errors(children)
    if errors:
        raise ValidationError(errors)
    with _context(user):
        if proceedings.pk is None and proceedings.episode_id is None:
            proceedings.episode = (
                proceedings.family.episodes.filter(outcome=c.PPOutcome.ISSUE).order_by("-step_decision_date").first()
            )
        _save(user=user, instance=proceedings, family=proceedings.family)
        existing = {part.child_id for part in proceedings.child_parts.all()}
        for child in children:
            if child.pk not in existing:
                _save(
                    user=user,
                    instance=m.ChildProceedings(proceedings=proceedings, child=child),
                    family=proceedings.family,
                )
    return proceedings


@transaction.atomic
def hearing_save(*, user, hearing: m.Hearing) -> m.Hearing:
    """List a hearing, or correct a listing (its outcome included)."""
    with _context(user):
        return _save(user=user, instance=hearing, family=hearing.proceedings.family)


@transaction.atomic
def hearing_outcome_record(
    *, user, hearing: m.Hearing, relisted_for: dt.date | None = None, relisted_on: dt.date | None = None
) -> m.Hearing | None:
    """Record what came of a listed hearing and, when it is re-listed, the new listing that replaces it.

    One step: the outcome and the re-listing are saved together or not at all. Returns the new
    listing, or None when the hearing was not re-listed. A re-listing's errors name the outcome
    form's fields (``constants.RELISTING_FIELDS``). The outcome's own rules are the model's
    (``Hearing.outcome_errors``), asked of the listing as stored, which stays locked until the end:
    of two outcomes sent at once, the second finds the first and is refused.
    """
    stored = m.Hearing.objects.select_for_update().get(pk=hearing.pk)
    errors = stored.outcome_errors(status=hearing.status, relisted_for=relisted_for)
    if errors:
        raise ValidationError(errors)
    with _context(user):
        family = hearing.proceedings.family
        _save(user=user, instance=hearing, family=family)
        if relisted_for is None:
            return None
        relisting = m.Hearing(
            proceedings=hearing.proceedings,
            hearing_type=hearing.hearing_type,
            listed_on=relisted_on or timezone.localdate(),
            listed_date=relisted_for,
            replaces=hearing,
        )
        try:
            return _save(user=user, instance=relisting, family=family)
        except ValidationError as error:
            raise ValidationError(
                {c.RELISTING_FIELDS.get(name, name): messages for name, messages in error.message_dict.items()}
            ) from None


@transaction.atomic
def extension_save(*, user, extension: m.Extension) -> m.Extension:
    """Record or correct an extension of one child's timetable."""
    with _context(user):
        return _save(user=user, instance=extension, family=extension.child_proceedings.proceedings.family)


@transaction.atomic
def child_order_save(*, user, part: m.ChildProceedings) -> m.ChildProceedings:
    """Record a child's interim and final plans and final order (the application concludes with its last child)."""
    with _context(user):
        _save(user=user, instance=part, family=part.proceedings.family)
    # A database trigger sets the application's concluded date (migration 0012), for every writer
    # alike: read back what it set.
    part.proceedings.refresh_from_db(fields=["concluded_date"])
    return part


@transaction.atomic
def assessment_save(*, user, assessment: m.Assessment) -> m.Assessment:
    """Instruct, update or complete an assessment, linked to the current episode or proceedings."""
    with _context(user):
        assessment.link_to_current_stage()
        # The target due date is worked out only from an instructed date within its bounds: one of
        # 31/12/9999 would overflow, and validation refuses it on the field.
        instructed_ok = assessment.instructed_date and "instructed_date" not in assessment.date_bound_errors()
        if assessment.due_date is None and instructed_ok and assessment.assessment_type_id:
            weeks = assessment.assessment_type.target_weeks
            if weeks:
                assessment.due_date = assessment.instructed_date + dt.timedelta(weeks=weeks)
        return _save(user=user, instance=assessment, family=assessment.family)


@transaction.atomic
def delay_event_save(*, user, event: m.DelayEvent) -> m.DelayEvent:
    """Record or correct days lost, linked to the current proceedings or episode."""
    with _context(user):
        event.link_to_current_stage()
        return _save(user=user, instance=event, family=event.family)

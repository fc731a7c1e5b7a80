"""Retention: removing closed cases once their LA's retention period has passed, and legal holds.

Each LA keeps a case for its retention period (``LocalAuthority.retention_years``, else the
``PLO_RETENTION_YEARS`` setting) after it closes (``cases.selectors.retention``); then the purge
removes the case: the family, its children and every record about them, and their change history
too, since history rows hold the same names and dates. A case on legal hold is never removed.

The purge writes counts only (per LA, per model), never a name or reference. Tracker meetings stay
(they name no child); the agenda items and actions about a removed case go. The read audit keeps its
own retention (``PLO_AUDIT_RETENTION_DAYS``): it holds record numbers, not names.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models, transaction

from cases import models as m
from cases.permissions import SET_LEGAL_HOLD, ensure
from cases.selectors.retention import families_past_retention, retention_cutoff
from cases.services.records import history_context, record_stamp
from plo_tracker.lib import tenancy

logger = logging.getLogger(__name__)

# Every case record removed with its case: (model, the column that links a row to its parent,
# the parent model). Parents come before their children; removal runs from the end. The same
# column is in the model's history table, so the history of rows deleted earlier (a child recorded
# by mistake and removed) is found through its parent too.
PERSON_LINK = "memberships__family_id"
PURGE_TREE: tuple[tuple[type[m.CaseRecord], str, type[m.CaseRecord] | None], ...] = (
    (m.Family, "id", None),
    (m.Child, "family_id", m.Family),
    (m.PreProceedingsEpisode, "family_id", m.Family),
    (m.PreProceedingsMeeting, "episode_id", m.PreProceedingsEpisode),
    (m.Proceedings, "family_id", m.Family),
    (m.ChildProceedings, "proceedings_id", m.Proceedings),
    (m.Extension, "child_proceedings_id", m.ChildProceedings),
    (m.Hearing, "proceedings_id", m.Proceedings),
    (m.Assessment, "family_id", m.Family),
    (m.DelayEvent, "family_id", m.Family),
    (m.MeetingItem, "family_id", m.Family),
    (m.MeetingAction, "family_id", m.Family),
    # A parent or carer belongs to no one family: removed with the last of their families (below).
    (m.Person, PERSON_LINK, m.Family),
    (m.FamilyMember, "family_id", m.Family),
    (m.Professional, "family_id", m.Family),
    (m.CaseNote, "family_id", m.Family),
    (m.DocumentLink, "family_id", m.Family),
)
# Rows Django removes with an episode: its links to its children (no history of their own).
LINK_TABLES = frozenset({m.PreProceedingsEpisode.children.through._meta.label})


def history_model(model: type[m.CaseRecord]) -> type[models.Model]:
    """The django-pghistory event model that holds ``model``'s change history."""
    return model._meta.get_field("history").related_model


@dataclass
class PurgeSummary:
    """What the purge removed (or, in a dry run, would remove) for one LA: counts, never names."""

    local_authority: str
    retention_years: int
    cutoff: dt.date
    cases: int = 0
    held: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    history: dict[str, int] = field(default_factory=dict)

    def describe(self, *, dry_run: bool) -> str:
        """One line for the log and the command's output."""
        verb = "would remove" if dry_run else "removed"
        cases = f"{self.cases} {'case' if self.cases == 1 else 'cases'}"
        counts = ", ".join(f"{label} {count}" for label, count in self.rows.items() if count) or "none"
        history = ", ".join(f"{label} {count}" for label, count in self.history.items() if count) or "none"
        return (
            f"{self.local_authority}: {verb} {cases} closed before {self.cutoff:%-d %B %Y} "
            f"({self.retention_years}-year retention period); {self.held} more kept on legal hold. "
            f"Records: {counts}. Change history rows: {history}."
        )


def _purge_plan(family_ids: list[int]) -> list[tuple[type[m.CaseRecord], set[int]]]:
    """Each model of ``PURGE_TREE`` with the ids of its rows to remove, live rows and history alike."""
    ids: dict[type[m.CaseRecord], set[int]] = {}
    for model, link, parent in PURGE_TREE:
        parents = set(family_ids) if parent is None else ids[parent]
        if link == PERSON_LINK:
            ids[model] = _people_of_only(parents)
            continue
        lookup = {f"{link}__in": parents}
        live = model.objects.filter(**lookup).values_list("pk", flat=True)
        past = history_model(model).objects.filter(**lookup).values_list("pgh_obj_id", flat=True)
        ids[model] = set(live) | set(past)
    return list(ids.items())


def _people_of_only(family_ids: set[int]) -> set[int]:
    """The people linked to these families and to no other: they go with them, history and all."""
    members = m.FamilyMember.objects.filter(family_id__in=family_ids).values("person_id")
    kept = m.FamilyMember.objects.exclude(family_id__in=family_ids).values("person_id")
    return set(m.Person.objects.filter(pk__in=members).exclude(pk__in=kept).values_list("pk", flat=True))


def _delete(model: type[m.CaseRecord], ids: set[int]) -> Counter:
    """Delete the rows; Django's count of what went, per model label."""
    removed: Counter = Counter()
    if model is m.Hearing:
        # A re-listing protects the listing it replaces: remove the latest listings first.
        remaining = m.Hearing.objects.filter(pk__in=ids)
        while remaining.exists():
            _, counts = remaining.filter(relisted_as__isnull=True).delete()
            removed.update(counts)
        return removed
    _, counts = model.objects.filter(pk__in=ids).delete()
    removed.update(counts)
    return removed


def _remove(plan: list[tuple[type[m.CaseRecord], set[int]]], summary: PurgeSummary) -> None:
    """Delete the planned rows (children first), then their history, checking nothing else went."""
    removed: Counter = Counter()
    for model, ids in reversed(plan):
        removed.update(_delete(model, ids))
    unplanned = {label: count for label, count in removed.items() if label not in summary.rows and count}
    unplanned = {label: count for label, count in unplanned.items() if label not in LINK_TABLES}
    differs = {label for label, count in summary.rows.items() if removed.get(label, 0) != count}
    if unplanned or differs:
        # Rolls the purge back: a record this module does not know about would have gone with a case.
        raise RuntimeError(f"The purge would remove other rows than planned: {sorted(unplanned) + sorted(differs)}.")
    # The deletes above wrote "delete" events into the history: they go with the rest.
    for model, ids in plan:
        history_model(model).objects.filter(pgh_obj_id__in=ids).delete()


def closed_cases_purge(*, today: dt.date, dry_run: bool = False) -> list[PurgeSummary]:
    """Remove every closed case past its LA's retention period (not on legal hold), with its history.

    One transaction per LA. With ``dry_run``, count what would go and change nothing. Logs one
    line of counts per LA; returns the same as summaries.
    """
    # As the app role, row-level security would show no LA's cases: the purge would quietly find none.
    tenancy.require_every_local_authority("The retention purge")
    summaries = []
    for local_authority in m.LocalAuthority.objects.order_by("name"):
        due = families_past_retention(local_authority=local_authority, today=today)
        family_ids = list(due.filter(legal_hold=False).values_list("pk", flat=True))
        summary = PurgeSummary(
            local_authority=local_authority.short_name,
            retention_years=local_authority.retention_period_years,
            cutoff=retention_cutoff(local_authority=local_authority, today=today),
            cases=len(family_ids),
            held=due.filter(legal_hold=True).count(),
        )
        with transaction.atomic():
            plan = _purge_plan(family_ids)
            for model, ids in plan:
                summary.rows[model._meta.label] = model.objects.filter(pk__in=ids).count()
                summary.history[model._meta.label] = history_model(model).objects.filter(pgh_obj_id__in=ids).count()
            if not dry_run and family_ids:
                _remove(plan, summary)
        logger.info("Retention purge%s: %s", " (dry run)" if dry_run else "", summary.describe(dry_run=dry_run))
        summaries.append(summary)
    return summaries


def family_legal_hold_set(*, user, family_ids: Iterable[int], held: bool) -> int:
    """Place families on legal hold (``held``) or release them, stamped with who did it; how many changed.

    An LA administrator changes their own LA's families only (others are left alone); a superuser any.
    """
    ensure(user, SET_LEGAL_HOLD)
    families = m.Family.objects.filter(pk__in=list(family_ids)).exclude(legal_hold=held)
    if not user.is_superuser:
        families = families.filter(local_authority_id=user.local_authority_id)
    changed = 0
    with transaction.atomic(), history_context(user):
        for family in families.select_for_update():
            family.legal_hold = held
            record_stamp(user=user, instance=family)
            family.save(update_fields=["legal_hold", "updated_by", "updated_at"])
            changed += 1
    return changed

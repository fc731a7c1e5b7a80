"""The tracker's per-case facts (a database view, stored in a table kept current by triggers)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models.organisations import LocalAuthority, Team
from cases.models.records import Family, ScopedQuerySet


class TrackerRow(models.Model):
    """Facts about each open case that the tracker's flags need, computed set-based by a database view.

    One row per family with an open pre-proceedings episode or open proceedings (the latest of each).
    The ``cases_trackerrow`` view (migration 0006) defines the facts; they are stored in
    ``cases_trackerfacts``, which statement-level triggers on every source table refresh for the
    families a write touches (migration 0007), so the tracker list reads stored rows. The family's
    team and social worker are copied in too (migration 0008), so the list can filter, sort and page
    on this table alone; so are the dates each flag is raised from (migration 0009), each
    next-due item is due (migration 0011) and the PLO timetable's targets (migration 0016). Every
    stored date is one Python can hold. Read-only from Django: nothing else writes to it.
    """

    family = models.OneToOneField(
        Family, primary_key=True, on_delete=models.DO_NOTHING, related_name="tracker_row", db_column="family_id"
    )
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    episode_id = models.BigIntegerField(null=True)
    episode_start = models.DateField(null=True)
    fgdm_held = models.BooleanField()
    proceedings_id = models.BigIntegerField(null=True)
    issue_date = models.DateField(null=True)
    last_meeting = models.DateField(null=True)
    extended_to = models.DateField(null=True)
    has_irh = models.BooleanField()
    next_assessment_due = models.DateField(null=True)
    next_action_due = models.DateField(null=True)
    repeat_episode = models.BooleanField()
    youngest_dob = models.DateField(null=True, help_text="Date of birth of the youngest child born.")
    has_unborn = models.BooleanField()
    team = models.ForeignKey(Team, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False)
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )

    # When each flag is raised (inclusive) and, for two, lowered (exclusive); NULL: cannot be raised.
    # Migration 0009 defines them; ``cases.selectors.tracker`` compares them with today.
    started_on = models.DateField(null=True)
    timetable_end = models.DateField(null=True)
    s31_past_limit_from = models.DateField(null=True)
    pp_over_threshold_from = models.DateField(null=True)
    overdue_action_from = models.DateField(null=True)
    no_social_worker_from = models.DateField(null=True)
    s31_at_risk_from = models.DateField(null=True)
    s31_at_risk_until = models.DateField(null=True)
    no_irh_by_20_from = models.DateField(null=True)
    no_review_from = models.DateField(null=True)
    overdue_assessment_from = models.DateField(null=True)
    no_family_network_meeting_from = models.DateField(null=True)
    repeat_episode_from = models.DateField(null=True)
    baby_or_unborn_from = models.DateField(null=True)
    baby_or_unborn_until = models.DateField(null=True)

    # When each next-due item is due; NULL: not due (done, or not at that stage). Migration 0011
    # defines them from the case and the thresholds; ``cases.next_due`` turns them into items.
    lbp_due = models.DateField(null=True)
    initial_meeting_due = models.DateField(null=True)
    review_due = models.DateField(null=True)
    fgdm_due = models.DateField(null=True)
    decision_due = models.DateField(null=True)
    pre_birth_plan_due = models.DateField(null=True)
    cmh_window_start = models.DateField(null=True)
    cmh_due = models.DateField(null=True)
    irh_due = models.DateField(null=True)

    # The PLO targets while in court (migration 0016): the CMH window, the IRH week; the final
    # hearing's is ``timetable_end``. Then when each timetable check's flag is raised.
    cmh_window_first = models.DateField(null=True)
    cmh_window_last = models.DateField(null=True)
    irh_by = models.DateField(null=True)
    cmh_outside_window_from = models.DateField(null=True)
    irh_after_week_from = models.DateField(null=True)
    no_final_by_20_from = models.DateField(null=True)
    final_after_end_from = models.DateField(null=True)
    timetabled_beyond_from = models.DateField(null=True)
    # A parent or carer of the case had pre-proceedings or proceedings with another family that
    # started before this case (migration 0027: the people around a case).
    parent_previous_proceedings_from = models.DateField(null=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "cases_trackerfacts"

    def __str__(self) -> str:
        return f"Tracker facts for family {self.family_id}"

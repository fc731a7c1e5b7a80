"""Thresholds come from the reference table: change one and next due, the flags and their words follow.

Cases as in test_next_due: pre-proceedings from Monday 5 January 2026 (no letter, meeting or
family group meeting; an unborn child due on 15 June 2026), proceedings issued on Wednesday
4 March 2026 (no hearing). Every date is worked out by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import constants as c
from cases import flags, forms, selectors, services, thresholds
from cases import models as m
from cases.selectors import tracker
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
DAY = dt.timedelta(days=1)
START = D(2026, 1, 5)
ISSUE = D(2026, 3, 4)


def pp_family(la) -> m.Family:
    family = f.FamilyFactory(local_authority=la, social_worker=f.UserFactory(local_authority=la))
    child = f.ChildFactory(family=family, date_of_birth=D(2020, 1, 1))
    f.ChildFactory(family=family, date_of_birth=None, expected_due_date=D(2026, 6, 15))
    episode = f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=START, start_date=START)
    f.MeetingFactory(episode=episode, kind=c.MeetingKind.INITIAL, meeting_date=D(2026, 1, 20))
    return family


def pp_family_without_meeting(la) -> m.Family:
    family = pp_family(la)
    m.PreProceedingsMeeting.objects.filter(episode__family=family).delete()
    return family


def court_family(la) -> m.Family:
    family = f.FamilyFactory(local_authority=la, social_worker=f.UserFactory(local_authority=la))
    child = f.ChildFactory(family=family, date_of_birth=D(2020, 1, 1))
    f.ChildProceedingsFactory(proceedings=f.ProceedingsFactory(family=family, issue_date=ISSUE), child=child)
    return family


def set_threshold(code: str, value: int) -> None:
    # An update of the row, as an administrator would make it: the triggers refresh every case.
    assert m.Threshold.objects.filter(code=code).update(value=value) == 1


def due_on(family, label: str, *, window: bool = False) -> dt.date | None:
    items = {item.label: item for item in selectors.case_due_items(family=family, today=START)}
    item = items.get(label)
    return (item.window_start if window else item.date) if item else None


def raised(user, family, code: str, today: dt.date) -> bool:
    row = tracker.tracker_facts(user=user, today=today).get(pk=family.pk)
    return code in flags.row_flag_codes(row)


# code, new value, case, next-due label, due before and after the change, flag raised from (after)
CHANGES = [
    ("pp_threshold_weeks", 18, pp_family, "Step-down or issue decision", D(2026, 4, 27), D(2026, 5, 11)),
    ("pp_review_interval_weeks", 4, pp_family, "Review meeting", D(2026, 3, 3), D(2026, 2, 17)),
    (
        "pp_initial_meeting_days",
        14,
        pp_family_without_meeting,
        "Initial pre-proceedings meeting",
        D(2026, 1, 15),
        D(2026, 1, 19),
    ),
    ("fgdm_by_weeks", 8, pp_family, "Family group meeting held", D(2026, 2, 16), D(2026, 3, 2)),
    ("pre_birth_plan_week", 36, pp_family, "Pre-birth plan shared with parents", D(2026, 5, 11), D(2026, 5, 18)),
    ("full_term_weeks", 41, pp_family, "Pre-birth plan shared with parents", D(2026, 5, 11), D(2026, 5, 4)),
    ("cmh_latest_day", 20, court_family, "Case management hearing", D(2026, 3, 21), D(2026, 3, 23)),
    ("irh_by_week", 18, court_family, "Issues resolution hearing listed", D(2026, 7, 22), D(2026, 7, 8)),
    ("s31_limit_weeks", 30, court_family, "Final hearing by timetable end", D(2026, 9, 2), D(2026, 9, 30)),
]

# code -> (flag, the first day it is raised after the change)
FLAG_DAYS = {
    "pp_threshold_weeks": ("pp_over_threshold", D(2026, 5, 12)),
    "pp_review_interval_weeks": ("no_review", D(2026, 2, 18)),
    "fgdm_by_weeks": ("no_family_network_meeting", D(2026, 3, 3)),
    "irh_by_week": ("no_irh_by_20", D(2026, 7, 8)),
    "s31_limit_weeks": ("s31_past_limit", D(2026, 10, 1)),
}


@pytest.mark.parametrize(("code", "value", "make", "label", "before", "after"), CHANGES, ids=[c[0] for c in CHANGES])
def test_it_moves_next_due_and_the_flags_when_a_threshold_changes(la_a, chair, code, value, make, label, before, after):
    family = make(la_a)
    assert due_on(family, label) == before
    set_threshold(code, value)
    assert due_on(family, label) == after
    if code in FLAG_DAYS:
        flag, first_day = FLAG_DAYS[code]
        assert not raised(chair, family, flag, first_day - DAY)
        assert raised(chair, family, flag, first_day)
    assert services.facts_drift() == []


def test_it_moves_the_case_management_hearing_window_with_its_earliest_day(la_a):
    family = court_family(la_a)
    assert due_on(family, "Case management hearing", window=True) == D(2026, 3, 15)
    set_threshold("cmh_earliest_day", 10)
    assert due_on(family, "Case management hearing", window=True) == D(2026, 3, 13)


def test_it_moves_the_at_risk_flag_with_the_irh_week_and_the_time_limit(la_a, chair):
    family = court_family(la_a)
    m.Hearing.objects.create(
        local_authority=la_a,
        proceedings=family.proceedings.get(),
        hearing_type_id="irh",
        listed_date=D(2026, 7, 1),
        status="listed",
    )
    # With an IRH listed, at risk from week 26 (2 September); from week 24 (19 August) at 24 weeks.
    assert not raised(chair, family, "s31_at_risk", D(2026, 9, 1))
    assert raised(chair, family, "s31_at_risk", D(2026, 9, 2))
    set_threshold("s31_limit_weeks", 24)
    assert not raised(chair, family, "s31_at_risk", D(2026, 8, 18))
    assert raised(chair, family, "s31_at_risk", D(2026, 8, 19))


def test_it_words_the_flags_with_the_thresholds_in_force_on_every_page(client, la_a, chair, monkeypatch):
    today = D(2026, 10, 5)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today)
    court_family(la_a)
    set_threshold("s31_limit_weeks", 30)
    set_threshold("irh_by_week", 18)
    past, irh = "Proceedings past 30 weeks and extensions", "No IRH listed by week 18"
    final = "No final hearing listed by week 18"
    sign_in(client, chair)

    page = client.get(reverse("tracker:list"))
    [row] = page.context["rows"]
    assert [flag.label for flag in row["flags"]] == [past, irh, final]
    assert row["reason"] == f"{past}; {irh}; {final}."
    fields = page.context["filters"].form.fields
    assert {past, irh, final} <= {label for _, label in fields["flag"].choices}
    assert [band for band, _ in fields["weeks"].choices][1:] == ["0-12", "12-18", "18-30", "30-40", "40+"]
    hints = {flag.code: flag.hint for flag in page.context["flags"]}
    assert hints["s31_at_risk"] == "Week 18 with no IRH, week 30, or timetabled beyond 30 weeks."

    export = client.get(reverse("tracker:list"), {"export": "csv"})
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert lines[1][-1] == f"{past}; {irh}; {final}"

    listed = client.get(reverse("cases:list"), {"scope": "all"}).context["rows"]
    assert [flag.label for flag in listed[0]["flags"]] == [past, irh, final]

    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=today)
    detail = client.get(reverse("tracker:meeting", args=[meeting.pk])).content.decode()
    assert f"{past}; {irh}; {final}" in detail
    # (The printed record is compact: decisions and actions of the cases discussed, no flags.)
    item = client.get(reverse("tracker:meeting_item", args=[meeting.pk, 1]))
    assert [flag.label for flag in item.context["flags"]] == [past, irh, final]


def test_it_limits_an_extension_and_the_timetable_by_the_thresholds(la_a):
    family = court_family(la_a)
    part = m.ChildProceedings.objects.get(proceedings__family=family)
    # 26 weeks from 4 March 2026: 2 September; an extension of 6 weeks ends on 14 October.
    assert part.current_end_date() == D(2026, 9, 2)
    extension = m.Extension(
        local_authority=la_a,
        child_proceedings=part,
        granted_date=D(2026, 8, 20),
        new_end_date=D(2026, 10, 14),
        reason="Assessment needs six more weeks.",
    )
    extension.clean()
    set_threshold("extension_max_weeks", 4)
    with pytest.raises(ValidationError, match="up to 4 weeks: the new end date must be on or before 30 September 2026"):
        extension.clean()
    set_threshold("s31_limit_weeks", 28)
    assert part.current_end_date() == D(2026, 9, 16)
    extension.clean()  # 16 September + 4 weeks = 14 October


def test_it_states_the_thresholds_and_assessment_targets_in_the_forms(la_a):
    family = court_family(la_a)
    set_threshold("s31_limit_weeks", 30)
    set_threshold("extension_max_weeks", 6)
    m.AssessmentType.objects.filter(code="parenting").update(target_weeks=9)
    proceedings_form = forms.ProceedingsForm(family=family)
    assert proceedings_form.intro == "The care application (Section 31): day 1 of the 30 weeks is the issue date."
    assert proceedings_form.fields["children"].help_text.startswith("Each child has their own 30-week timetable")
    extension_form = forms.ExtensionForm(family=family, proceedings=family.proceedings.get())
    assert "up to 6 weeks" in extension_form.intro
    hint = forms.AssessmentForm(family=family).fields["due_date"].help_text
    assert "Parenting assessment, 9 weeks" in hint
    assert "Viability assessment of a family or connected carer, 2 weeks" in hint
    assert "Cognitive assessment" not in hint  # no target: its due date is entered


def test_it_refuses_to_work_without_a_threshold_and_assumes_no_figure(la_a):
    family = court_family(la_a)
    m.Threshold.objects.filter(code="cmh_latest_day").delete()
    with pytest.raises(thresholds.ThresholdError, match="cmh_latest_day"):
        thresholds.current()
    # No figure is assumed in the facts either: the window end is simply not known.
    row = m.TrackerRow.objects.get(pk=family.pk)
    assert (row.cmh_window_start, row.cmh_due) == (D(2026, 3, 15), None)
    assert "Case management hearing" not in {i.label for i in selectors.case_due_items(family=family, today=START)}

"""A valid submission of every milestone form and the new-case form, for a case in each stage.

``stage_records`` builds a case at a stage (legal gateway decision only, pre-proceedings or
proceedings) with a record of every kind that stage has. ``submission`` gives, for a form, a
stage and new or correct, the URL, what to post, and every field's value once saved, worked out by
hand. The every-milestone test posts them as they are; the dates test spoils one date at a time.
All names and references are synthetic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from cases import constants as c
from cases import models as m
from tests import factories as f

D = dt.date

STAGES = ("gateway", "pre-proceedings", "proceedings")

# (form, stage, new or correct): every milestone form where it applies, and the new-case form.
SUBMISSIONS: list[tuple[str, str, str]] = [
    *[("child", stage, mode) for stage in STAGES for mode in ("new", "correct")],
    ("episode", "gateway", "new"),
    *[("episode", stage, "correct") for stage in STAGES],
    ("letter", "pre-proceedings", "new"),
    ("letter", "pre-proceedings", "correct"),
    ("letter", "proceedings", "correct"),
    ("family-meeting", "pre-proceedings", "new"),
    ("family-meeting", "pre-proceedings", "correct"),
    ("family-meeting", "proceedings", "correct"),
    ("pp-meeting", "pre-proceedings", "new"),
    ("pp-meeting", "pre-proceedings", "correct"),
    ("pp-meeting", "proceedings", "correct"),
    ("decision", "pre-proceedings", "new"),
    ("decision", "proceedings", "correct"),
    ("proceedings", "gateway", "new"),
    ("proceedings", "proceedings", "new"),
    ("proceedings", "proceedings", "correct"),
    ("hearing", "proceedings", "new"),
    ("hearing", "proceedings", "correct"),
    ("hearing-outcome", "proceedings", "record"),
    ("hearing-outcome", "proceedings", "vacate"),
    ("extension", "proceedings", "new"),
    ("extension", "proceedings", "correct"),
    ("child-order", "proceedings", "new"),
    ("child-order", "proceedings", "correct"),
    *[("assessment", stage, mode) for stage in STAGES for mode in ("new", "correct")],
    # Progress steps on a pending record: an assessment's completion, an offered FGDM held or not.
    ("assessment-completion", "pre-proceedings", "record"),
    ("assessment-completion", "proceedings", "record"),
    ("family-meeting-outcome", "pre-proceedings", "record"),
    ("family-meeting-outcome", "pre-proceedings", "not-held"),
    *[("delay", stage, mode) for stage in STAGES for mode in ("new", "correct")],
    ("case", "born", "new"),
    ("case", "unborn", "new"),
]


def submission_id(entry: tuple[str, str, str]) -> str:
    return "-".join(entry)


def stage_records(stage: str, *, la: m.LocalAuthority, worker: m.User) -> dict:
    """A case at the stage, with a record of every kind the stage has."""
    family = f.FamilyFactory(local_authority=la, social_worker=worker, name="Formcheck")
    child = f.ChildFactory(family=family, first_name="Ava", date_of_birth=D(2022, 6, 1))
    records: dict = {"worker": worker, "family": family, "child": child}
    if stage == "gateway":
        # The legal gateway decided to continue the current plan: no pre-proceedings yet.
        episode = f.EpisodeFactory(
            family=family,
            children=[child],
            gateway_meeting_date=D(2025, 1, 6),
            gateway_outcome=c.GatewayOutcome.CONTINUE_PLAN,
            start_date=None,
        )
        records.update(episode=episode, stage_link={"episode": episode})
    elif stage == "pre-proceedings":
        episode = f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=D(2025, 1, 6))
        records.update(
            episode=episode,
            stage_link={"episode": episode},
            **{"pp-meeting": f.MeetingFactory(episode=episode, meeting_date=D(2025, 1, 20))},
        )
    else:
        second = f.ChildFactory(family=family, first_name="Ben", date_of_birth=D(2023, 9, 4))
        episode = f.EpisodeFactory(
            family=family,
            children=[child, second],
            gateway_meeting_date=D(2025, 1, 6),
            lbp_sent_date=D(2025, 1, 10),
            fgdm_offered=True,
            fgdm_offered_date=D(2025, 1, 10),
            fgdm_facilitated=True,
            fgdm_held_date=D(2025, 2, 3),
            step_decision_date=D(2025, 4, 1),
            outcome=c.PPOutcome.ISSUE,
            court_application_date=D(2025, 4, 1),
            letter_initiating_cp_date=D(2025, 4, 2),
        )
        proceedings = f.ProceedingsFactory(family=family, episode=episode, issue_date=D(2025, 4, 7))
        part = f.ChildProceedingsFactory(
            proceedings=proceedings, child=child, interim_plan=c.CarePlan.FAMILY_OR_FRIENDS
        )
        records.update(
            second=second,
            episode=episode,
            proceedings=proceedings,
            stage_link={"proceedings": proceedings},
            part=part,
            empty_part=f.ChildProceedingsFactory(proceedings=proceedings, child=second),
            hearing=f.HearingFactory(proceedings=proceedings, listed_date=D(2025, 4, 21)),
            listed_hearing=f.HearingFactory(
                proceedings=proceedings,
                hearing_type_id="irh",
                listed_on=D(2025, 4, 21),
                listed_date=D(2025, 9, 1),
                status=c.HearingStatus.LISTED,
            ),
            # 26 weeks from 7 April 2025 end on 6 October 2025; this moves the end to 17 November.
            extension=f.ExtensionFactory(
                child_proceedings=part, granted_date=D(2025, 9, 22), new_end_date=D(2025, 11, 17)
            ),
            **{"pp-meeting": f.MeetingFactory(episode=episode, meeting_date=D(2025, 1, 20))},
        )
    link = records["stage_link"]
    records["assessment"] = f.AssessmentFactory(
        family=family, episode=link.get("episode"), proceedings=link.get("proceedings"), instructed_date=D(2025, 2, 3)
    )
    records["delay"] = f.DelayEventFactory(
        family=family, episode=link.get("episode"), proceedings=link.get("proceedings"), event_date=D(2025, 2, 10)
    )
    return records


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day some months on, or that month's last day when it is shorter (worked out by hand)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return D(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def long_date(day: dt.date) -> str:
    """A date as messages say it: 1 December 2031."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def records_for(kind: str, stage: str, *, la: m.LocalAuthority, worker: m.User) -> dict:
    """The case a form is posted for (the new-case form needs only who opens it)."""
    return {"worker": worker} if kind == "case" else stage_records(stage, la=la, worker=worker)


def date_post(name: str, value: dt.date | None) -> dict[str, str]:
    """The three boxes of a GOV.UK date input."""
    if value is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}


@dataclass
class Submission:
    """What to post to a form, and what must then be stored."""

    url: str
    data: dict
    model: type[m.CaseRecord]
    # The record the form saves: the new one (found among those not there before) or the corrected one.
    saved: Callable[[set[int]], m.CaseRecord]
    expected: dict
    # Run before posting a correction, so there is something to correct (e.g. the letter's date).
    prepare: Callable[[], None] = field(default=lambda: None)
    # The record a correction changes, or None for a new one.
    existing: m.CaseRecord | None = None
    # New records a step on an existing record makes too (a hearing's re-listing).
    creates: int = 0


def _new_one(model, **filters):
    return lambda before: model.objects.filter(**filters).exclude(pk__in=before).get()


def _refreshed(record):
    def saved(before):
        record.refresh_from_db()
        return record

    return saved


def _url(family, kind, record=None) -> str:
    if record is None:
        return reverse("cases:milestone_new", args=[family.pk, kind])
    return reverse("cases:milestone_edit", args=[family.pk, kind, record.pk])


def _post(values: dict, dates: dict) -> dict:
    data = {"submission": uuid.uuid4().hex}
    for name, value in values.items():
        data[name] = value
    for name, value in dates.items():
        data.update(date_post(name, value))
    return data


def stage_link(records: dict) -> dict:
    """The episode and proceedings a new assessment or delay in the stage is linked to."""
    link = records.get("stage_link", {})
    return {"episode": link.get("episode"), "proceedings": link.get("proceedings")}


def _child(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    today = timezone.localdate()
    child = records["child"]
    if mode == "new" and stage == "gateway":
        # An unborn child: an expected due date two months ahead, no date of birth.
        due = today + dt.timedelta(days=60)
        values = {
            "first_name": "",
            "last_name": "Formcheck",
            "la_child_id": "FC-UNBORN",
            "sex": "U",
            "ethnicity": "NOBT",
        }
        dates = {"date_of_birth": None, "expected_due_date": due}
    elif mode == "new":
        values = {
            "first_name": "Mia",
            "last_name": "Formcheck",
            "la_child_id": "FC-NEW",
            "sex": "F",
            "ethnicity": "WBRI",
        }
        dates = {"date_of_birth": D(2024, 5, 17), "expected_due_date": None}
    else:
        values = {
            "first_name": "Avery",
            "last_name": "Formcheck-Smith",
            "la_child_id": child.la_child_id,
            "sex": "M",
            "ethnicity": "MWBC",
        }
        dates = {"date_of_birth": D(2022, 7, 2), "expected_due_date": None}
    return Submission(
        url=_url(family, "child", child if mode == "correct" else None),
        data=_post(values, dates),
        model=m.Child,
        saved=_new_one(m.Child, family=family) if mode == "new" else _refreshed(child),
        expected={**values, **dates, "family": family},
        existing=child if mode == "correct" else None,
    )


def _episode(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    episode = records.get("episode")
    if mode == "new":
        # After "continue the current plan", a second gateway meeting starts pre-proceedings.
        values = {
            "gateway_outcome": c.GatewayOutcome.START_PRE_PROCEEDINGS,
            "children": [records["child"].pk],
            "previous_pre_proceedings": "on",
            "parents_legal_representation": c.LegalRepresentation.SOME,
        }
        dates = {"gateway_meeting_date": D(2025, 3, 3), "start_date": D(2025, 3, 3)}
        expected = {
            **dates,
            "gateway_outcome": c.GatewayOutcome.START_PRE_PROCEEDINGS,
            "children": {records["child"].pk},
            "pre_birth": False,
            "previous_pre_proceedings": True,
            "previous_care_proceedings": False,
            "parents_legal_representation": c.LegalRepresentation.SOME,
            "family": family,
        }
        return Submission(
            url=_url(family, "episode"),
            data=_post(values, dates),
            model=m.PreProceedingsEpisode,
            saved=_new_one(m.PreProceedingsEpisode, family=family),
            expected=expected,
        )
    children = [child.pk for child in episode.children.all()]
    if stage == "gateway":
        outcome, dates = c.GatewayOutcome.CONTINUE_PLAN, {"gateway_meeting_date": D(2025, 1, 7), "start_date": None}
    else:
        # Still on or before the letter (10 January) and the first meeting (20 January).
        outcome = c.GatewayOutcome.START_PRE_PROCEEDINGS
        dates = {"gateway_meeting_date": D(2025, 1, 3), "start_date": D(2025, 1, 6)}
    values = {
        "gateway_outcome": outcome,
        "children": children,
        "pre_birth": "on",
        "previous_care_proceedings": "on",
        "parents_legal_representation": c.LegalRepresentation.ALL,
    }
    expected = {
        **dates,
        "gateway_outcome": outcome,
        "children": set(children),
        "pre_birth": True,
        "previous_pre_proceedings": False,
        "previous_care_proceedings": True,
        "parents_legal_representation": c.LegalRepresentation.ALL,
    }
    return Submission(
        url=_url(family, "episode", episode),
        data=_post(values, dates),
        model=m.PreProceedingsEpisode,
        saved=_refreshed(episode),
        expected=expected,
        existing=episode,
    )


def _letter(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    episode = records.get("episode")
    date = {"new": D(2025, 1, 9), "correct": D(2025, 1, 13)}[mode]

    def letter_sent():
        m.PreProceedingsEpisode.objects.filter(pk=episode.pk, lbp_sent_date=None).update(lbp_sent_date=D(2025, 1, 8))

    return Submission(
        url=_url(family, "letter", episode if mode == "correct" else None),
        data=_post({}, {"lbp_sent_date": date}),
        model=m.PreProceedingsEpisode,
        saved=_refreshed(episode),
        expected={"lbp_sent_date": date},
        prepare=letter_sent if mode == "correct" else lambda: None,
        existing=episode,
    )


def _family_meeting(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    episode = records.get("episode")
    if mode == "new":
        values = {"fgdm_offered": "True", "fgdm_facilitated": ""}
        dates = {"fgdm_offered_date": D(2025, 1, 10), "fgdm_held_date": None}
        expected = {**dates, "fgdm_offered": True, "fgdm_facilitated": None}
    else:
        values = {"fgdm_offered": "True", "fgdm_facilitated": "True"}
        dates = {"fgdm_offered_date": D(2025, 1, 13), "fgdm_held_date": D(2025, 2, 10)}
        expected = {**dates, "fgdm_offered": True, "fgdm_facilitated": True}

    def offered():
        m.PreProceedingsEpisode.objects.filter(pk=episode.pk, fgdm_offered=None).update(
            fgdm_offered=True, fgdm_offered_date=D(2025, 1, 10)
        )

    return Submission(
        url=_url(family, "family-meeting", episode if mode == "correct" else None),
        data=_post(values, dates),
        model=m.PreProceedingsEpisode,
        saved=_refreshed(episode),
        expected=expected,
        prepare=offered if mode == "correct" else lambda: None,
        existing=episode,
    )


def _pp_meeting(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    episode = records.get("episode")
    meeting = records["pp-meeting"]
    if mode == "new":
        values = {"kind": c.MeetingKind.REVIEW, "note": "Review of the written plan."}
        dates = {"meeting_date": D(2025, 2, 17)}
    else:
        values = {"kind": c.MeetingKind.INITIAL, "note": "Date corrected from the minutes."}
        dates = {"meeting_date": D(2025, 1, 21)}
    return Submission(
        url=_url(family, "pp-meeting", meeting if mode == "correct" else None),
        data=_post(values, dates),
        model=m.PreProceedingsMeeting,
        saved=_new_one(m.PreProceedingsMeeting, episode=episode) if mode == "new" else _refreshed(meeting),
        expected={**values, **dates, "episode": episode},
        existing=meeting if mode == "correct" else None,
    )


def _decision(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    episode = records.get("episode")
    if mode == "new":
        values = {"outcome": c.PPOutcome.STEP_DOWN}
        dates = {
            "step_decision_date": D(2025, 4, 1),
            "court_application_date": None,
            "letter_initiating_cp_date": None,
        }
    else:
        values = {"outcome": c.PPOutcome.ISSUE}
        dates = {
            "step_decision_date": D(2025, 3, 31),
            "court_application_date": D(2025, 4, 1),
            "letter_initiating_cp_date": D(2025, 4, 3),
        }
    return Submission(
        url=_url(family, "decision", episode if mode == "correct" else None),
        data=_post(values, dates),
        model=m.PreProceedingsEpisode,
        saved=_refreshed(episode),
        expected={**values, **dates},
        existing=episode,
    )


def _proceedings(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    episode = records.get("episode")
    if mode == "new" and stage == "gateway":
        # A short-notice application straight from the legal gateway: no episode issued it.
        values = {
            "court": "ipswich",
            "court_case_number": "IP25C00001",
            "judge": "HHJ Testjudge",
            "short_notice": "on",
            "short_notice_reason": c.ShortNoticeReason.IMMEDIATE_SAFETY,
            "children": [records["child"].pk],
        }
        dates = {"issue_date": D(2025, 2, 10), "guardian_allocated_date": D(2025, 2, 12)}
        expected = {
            **dates,
            "court_id": "ipswich",
            "court_case_number": "IP25C00001",
            "judge": "HHJ Testjudge",
            "short_notice": True,
            "short_notice_reason": c.ShortNoticeReason.IMMEDIATE_SAFETY,
            "child_parts": {records["child"].pk},
            "episode": None,
            "family": family,
        }
    elif mode == "new":
        # A second application (the younger child), linked to the episode that decided to issue.
        values = {
            "court": "chelmsford",
            "court_case_number": "CM25C99999",
            "judge": "",
            "short_notice_reason": "",
            "children": [records["second"].pk],
        }
        dates = {"issue_date": D(2025, 6, 2), "guardian_allocated_date": None}
        expected = {
            **dates,
            "court_id": "chelmsford",
            "court_case_number": "CM25C99999",
            "judge": "",
            "short_notice": False,
            "short_notice_reason": "",
            "child_parts": {records["second"].pk},
            "episode": episode,
            "family": family,
        }
    else:
        proceedings = records["proceedings"]
        both = [records["child"].pk, records["second"].pk]
        values = {
            "court": "colchester",
            "court_case_number": proceedings.court_case_number,
            "judge": "District Judge Testname",
            "short_notice_reason": "",
            "children": both,
        }
        dates = {"issue_date": D(2025, 4, 7), "guardian_allocated_date": D(2025, 4, 9)}
        expected = {
            **dates,
            "court_id": "colchester",
            "court_case_number": proceedings.court_case_number,
            "judge": "District Judge Testname",
            "short_notice": False,
            "short_notice_reason": "",
            "child_parts": set(both),
            "episode": episode,
        }
        return Submission(
            url=_url(family, "proceedings", proceedings),
            data=_post(values, dates),
            model=m.Proceedings,
            saved=_refreshed(proceedings),
            expected=expected,
            existing=proceedings,
        )
    return Submission(
        url=_url(family, "proceedings"),
        data=_post(values, dates),
        model=m.Proceedings,
        saved=_new_one(m.Proceedings, family=family),
        expected=expected,
    )


def _hearing(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    today = timezone.localdate()
    proceedings, hearing = records["proceedings"], records["hearing"]
    if mode == "new":
        # Listed today for a month ahead: a hearing's date may be in the future.
        values = {"hearing_type": "irh", "note": "IRH listed."}
        dates = {"listed_on": today, "listed_date": today + dt.timedelta(days=30)}
        expected = {
            **dates,
            "hearing_type_id": "irh",
            "status": "listed",
            "vacated_on": None,
            "reason": None,
            "orders_made": [],
            "replaces": None,
            "note": "IRH listed.",
        }
    else:
        # Corrected: it was vacated two days before the day, not held.
        values = {
            "hearing_type": "cmh",
            "status": c.HearingStatus.VACATED,
            "reason": "expert_late_report",
            "orders_made": [],
            "note": "Expert report not filed.",
        }
        dates = {"listed_on": D(2025, 4, 8), "listed_date": D(2025, 4, 22), "vacated_on": D(2025, 4, 20)}
        expected = {
            **dates,
            "hearing_type_id": "cmh",
            "status": "vacated",
            "reason_id": "expert_late_report",
            "orders_made": [],
            "note": "Expert report not filed.",
        }
    return Submission(
        url=_url(family, "hearing", hearing if mode == "correct" else None),
        data=_post(values, dates),
        model=m.Hearing,
        saved=_new_one(m.Hearing, proceedings=proceedings) if mode == "new" else _refreshed(hearing),
        expected={**expected, "proceedings": proceedings},
        existing=hearing if mode == "correct" else None,
    )


def _hearing_outcome(stage: str, mode: str, records: dict) -> Submission:
    """The outcome of the listed IRH: adjourned on the day with interim orders and re-listed
    ("record"), or vacated before the day and not re-listed ("vacate")."""
    family, hearing = records["family"], records["listed_hearing"]
    if mode == "vacate":
        values = {"status": c.HearingStatus.VACATED, "reason": "court_no_courtroom", "note": ""}
        dates = {"vacated_on": D(2025, 8, 20), "relisted_for": None, "relisted_on": None}
        return Submission(
            url=_url(family, "hearing-outcome", hearing),
            data=_post(values, dates),
            model=m.Hearing,
            saved=_refreshed(hearing),
            expected={
                "status": "vacated",
                "reason_id": "court_no_courtroom",
                "orders_made": [],
                "note": "",
                "vacated_on": D(2025, 8, 20),
                "relisted_for": None,
                "relisted_on": None,
            },
            existing=hearing,
        )
    values = {
        "status": c.HearingStatus.ADJOURNED,
        "reason": "judiciary_insufficient_time",
        "orders_made": [c.HearingOrder.INTERIM_CARE, c.HearingOrder.DIRECTIONS],
        "note": "Not reached: listed for a full day.",
    }
    dates = {"vacated_on": None, "relisted_for": D(2025, 9, 29), "relisted_on": D(2025, 9, 1)}
    return Submission(
        url=_url(family, "hearing-outcome", hearing),
        data=_post(values, dates),
        model=m.Hearing,
        saved=_refreshed(hearing),
        expected={
            "status": "adjourned",
            "reason_id": "judiciary_insufficient_time",
            "orders_made": ["interim_care", "directions"],
            "note": "Not reached: listed for a full day.",
            "vacated_on": None,
            # The re-listing: a new IRH listing made on 1 September for 29 September.
            "relisted_for": D(2025, 9, 29),
            "relisted_on": D(2025, 9, 1),
        },
        existing=hearing,
        creates=1,
    )


def _extension(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    part, extension = records["part"], records["extension"]
    reason = "The connected carer assessment of the grandmother needs six more weeks."
    if mode == "new":
        # The end is 17 November 2025 after the first extension: up to 8 weeks more is 12 January 2026.
        dates = {"granted_date": D(2025, 11, 10), "new_end_date": D(2026, 1, 12)}
    else:
        # Measured from the end before it, 6 October 2025: 8 weeks is 1 December 2025.
        dates = {"granted_date": D(2025, 9, 29), "new_end_date": D(2025, 12, 1)}
    return Submission(
        url=_url(family, "extension", extension if mode == "correct" else None),
        data=_post({"child_proceedings": str(part.pk), "reason": reason}, dates),
        model=m.Extension,
        saved=_new_one(m.Extension, child_proceedings=part) if mode == "new" else _refreshed(extension),
        expected={**dates, "child_proceedings": part, "reason": reason},
        existing=extension if mode == "correct" else None,
    )


def _child_order(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    if mode == "new":
        # The younger child's part has nothing recorded yet: the interim plan comes first.
        part = records["empty_part"]
        values = {
            "interim_plan": c.CarePlan.LONG_TERM_FOSTERING,
            "interim_plan_approved": "True",
            "final_plan": "",
            "final_plan_approved": "",
            "final_outcome": "",
        }
        dates = {"final_outcome_date": None}
        expected = {
            **dates,
            "interim_plan": c.CarePlan.LONG_TERM_FOSTERING,
            "interim_plan_approved": True,
            "final_plan": "",
            "final_plan_approved": None,
            "final_outcome": None,
        }
    else:
        part = records["part"]
        values = {
            "interim_plan": c.CarePlan.FAMILY_OR_FRIENDS,
            "interim_plan_approved": "False",
            "final_plan": c.CarePlan.SGO,
            "final_plan_approved": "True",
            "final_outcome": "sgo",
        }
        dates = {"final_outcome_date": D(2025, 10, 6)}
        expected = {
            **dates,
            "interim_plan": c.CarePlan.FAMILY_OR_FRIENDS,
            "interim_plan_approved": False,
            "final_plan": c.CarePlan.SGO,
            "final_plan_approved": True,
            "final_outcome_id": "sgo",
        }
    return Submission(
        url=_url(family, "child-order", part),
        data=_post(values, dates),
        model=m.ChildProceedings,
        saved=_refreshed(part),
        expected=expected,
        existing=part,
    )


def _assessment(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    linked = stage_link(records)
    assessment = records["assessment"]
    if mode == "new":
        # No due date given: the viability target of 2 weeks makes it 17 February 2025.
        values = {
            "assessment_type": "viability",
            "provider": c.AssessmentProvider.REGIONAL_HUB,
            "subject": "Maternal aunt",
            "outcome": "",
        }
        dates = {"instructed_date": D(2025, 2, 3), "due_date": None, "completed_date": None}
        expected = {
            **dates,
            "due_date": D(2025, 2, 17),
            "assessment_type_id": "viability",
            "provider": c.AssessmentProvider.REGIONAL_HUB,
            "subject": "Maternal aunt",
            "outcome": "",
            **linked,
            "family": family,
        }
    else:
        values = {
            "assessment_type": "parenting",
            "provider": c.AssessmentProvider.ISW,
            "subject": "Mother and father",
            "outcome": c.AssessmentOutcome.POSITIVE,
        }
        dates = {"instructed_date": D(2025, 2, 4), "due_date": D(2025, 4, 1), "completed_date": D(2025, 3, 28)}
        expected = {
            **dates,
            "assessment_type_id": "parenting",
            "provider": c.AssessmentProvider.ISW,
            "subject": "Mother and father",
            "outcome": c.AssessmentOutcome.POSITIVE,
            **linked,
        }
    return Submission(
        url=_url(family, "assessment", assessment if mode == "correct" else None),
        data=_post(values, dates),
        model=m.Assessment,
        saved=_new_one(m.Assessment, family=family) if mode == "new" else _refreshed(assessment),
        expected=expected,
        existing=assessment if mode == "correct" else None,
    )


def _assessment_completion(stage: str, mode: str, records: dict) -> Submission:
    """The instructed assessment (3 February 2025, not completed) completed on 28 March, positive."""
    family, assessment = records["family"], records["assessment"]
    dates = {"completed_date": D(2025, 3, 28)}
    return Submission(
        url=_url(family, "assessment-completion", assessment),
        data=_post({"outcome": c.AssessmentOutcome.POSITIVE}, dates),
        model=m.Assessment,
        saved=_refreshed(assessment),
        expected={**dates, "outcome": c.AssessmentOutcome.POSITIVE},
        existing=assessment,
    )


def _family_meeting_outcome(stage: str, mode: str, records: dict) -> Submission:
    """The family group meeting offered on 10 January 2025: held on 10 February ("record"), or not held."""
    family, episode = records["family"], records["episode"]

    def offered():
        m.PreProceedingsEpisode.objects.filter(pk=episode.pk).update(
            fgdm_offered=True, fgdm_offered_date=D(2025, 1, 10), fgdm_facilitated=None, fgdm_held_date=None
        )

    held = mode == "record"
    dates = {"fgdm_held_date": D(2025, 2, 10) if held else None}
    return Submission(
        url=_url(family, "family-meeting-outcome", episode),
        data=_post({"fgdm_facilitated": str(held)}, dates),
        model=m.PreProceedingsEpisode,
        saved=_refreshed(episode),
        expected={**dates, "fgdm_facilitated": held, "fgdm_offered": True, "fgdm_offered_date": D(2025, 1, 10)},
        prepare=offered,
        existing=episode,
    )


def _delay(stage: str, mode: str, records: dict) -> Submission:
    family = records.get("family")
    linked = stage_link(records)
    event = records["delay"]
    if mode == "new":
        values = {
            "delayed_item": c.DelayedItem.ASSESSMENT,
            "days_lost": "21",
            "reason": "la_poor_kinship",
            "note": "Kinship assessment redone.",
        }
        dates = {"event_date": D(2025, 3, 10)}
        expected = {**dates, "delayed_item": "assessment", "days_lost": 21, "reason_id": "la_poor_kinship"}
    else:
        values = {
            "delayed_item": c.DelayedItem.HEARING,
            "days_lost": "28",
            "reason": "expert_late_report",
            "note": "Days lost corrected.",
        }
        dates = {"event_date": D(2025, 2, 11)}
        expected = {**dates, "delayed_item": "hearing", "days_lost": 28, "reason_id": "expert_late_report"}
    return Submission(
        url=_url(family, "delay", event if mode == "correct" else None),
        data=_post(values, dates),
        model=m.DelayEvent,
        saved=_new_one(m.DelayEvent, family=family) if mode == "new" else _refreshed(event),
        expected={**expected, "note": values["note"], **linked},
        existing=event if mode == "correct" else None,
    )


def _case(stage: str, mode: str, records: dict) -> Submission:
    today = timezone.localdate()
    worker = records["worker"]
    unborn = stage == "unborn"
    values = {
        "name": "Newcase",
        "la_reference": "NC-0001",
        "team": str(worker.team_id),
        "child_first_name": "" if unborn else "Noah",
        "child_last_name": "Newcase",
        "child_la_id": "NC-C0001",
        "child_sex": "U" if unborn else "M",
        "child_ethnicity": "NOBT" if unborn else "WIRI",
    }
    dates = {
        "child_date_of_birth": None if unborn else D(2021, 11, 30),
        "child_expected_due_date": today + dt.timedelta(days=100) if unborn else None,
    }
    expected = {
        "name": "Newcase",
        "la_reference": "NC-0001",
        "team_id": worker.team_id,
        "social_worker": worker,
        "local_authority_id": worker.local_authority_id,
        "children": {
            (
                values["child_first_name"],
                "Newcase",
                "NC-C0001",
                dates["child_date_of_birth"],
                dates["child_expected_due_date"],
                values["child_sex"],
                values["child_ethnicity"],
            )
        },
    }
    return Submission(
        url=reverse("cases:new"),
        data=_post(values, dates),
        model=m.Family,
        saved=_new_one(m.Family, la_reference="NC-0001"),
        expected=expected,
    )


BUILDERS: dict[str, Callable[[str, str, dict], Submission]] = {
    "child": _child,
    "episode": _episode,
    "letter": _letter,
    "family-meeting": _family_meeting,
    "pp-meeting": _pp_meeting,
    "decision": _decision,
    "proceedings": _proceedings,
    "hearing": _hearing,
    "hearing-outcome": _hearing_outcome,
    "extension": _extension,
    "child-order": _child_order,
    "assessment": _assessment,
    "assessment-completion": _assessment_completion,
    "family-meeting-outcome": _family_meeting_outcome,
    "delay": _delay,
    "case": _case,
}


def submission(kind: str, stage: str, mode: str, records: dict) -> Submission:
    """The valid post for a form at a stage (new or correct), and every field's value once saved."""
    return BUILDERS[kind](stage, mode, records)


def stored(record: m.CaseRecord, name: str):
    """A field's stored value; for a relation to children, the set of children's ids."""
    if name == "children" and isinstance(record, m.Family):
        return set(
            record.children.values_list(
                "first_name", "last_name", "la_child_id", "date_of_birth", "expected_due_date", "sex", "ethnicity"
            )
        )
    if name == "children":
        return set(record.children.values_list("pk", flat=True))
    if name == "child_parts":
        return set(record.child_parts.values_list("child_id", flat=True))
    if name in ("relisted_for", "relisted_on"):
        relisting = m.Hearing.objects.filter(replaces=record).first()
        if relisting is None:
            return None
        return relisting.listed_date if name == "relisted_for" else relisting.listed_on
    return getattr(record, name)

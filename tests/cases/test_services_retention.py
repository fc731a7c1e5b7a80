"""Retention: closed cases past their LA's retention period are removed with their history, unless on
legal hold; the purge reports counts per LA and per model, never names."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from cases import constants as c
from cases import models as m
from cases import services
from cases.permissions import CASE_MODELS
from cases.services.retention import PURGE_TREE, history_model
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
# Treated as today. Essex keeps closed cases 6 years (the setting), Suffolk 3 (its own period):
# cut-offs 15 June 2020 and 15 June 2023. A case closed on the cut-off day is kept that day.
TODAY = D(2026, 6, 15)
ESSEX_CUTOFF = D(2020, 6, 15)
SUFFOLK_CUTOFF = D(2023, 6, 15)


@pytest.fixture(autouse=True)
def _retention(settings, la_b):
    settings.PLO_RETENTION_YEARS = 6
    m.LocalAuthority.objects.filter(pk=la_b.pk).update(retention_years=3)


def case(la, name: str, *, decided: dt.date | None = None, concluded: dt.date | None = None, **family) -> m.Family:
    """A family with a child, and an episode decided on ``decided`` and/or an application concluded on ``concluded``
    (an episode or application without its date is open)."""
    record = f.FamilyFactory(local_authority=la, name=name, la_reference=f"REF-{name.upper()}", **family)
    child = f.ChildFactory(family=record, first_name=f"Kid{name}", last_name=name, la_child_id=f"CID-{name.upper()}")
    if decided is not None or concluded is None:
        f.EpisodeFactory(
            family=record,
            children=[child],
            gateway_meeting_date=D(2016, 1, 4),
            step_decision_date=decided,
            outcome=c.PPOutcome.STEP_DOWN if decided else "",
        )
    if concluded is not None:
        proceedings = f.ProceedingsFactory(family=record, issue_date=D(2017, 2, 6), concluded_date=concluded)
        f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    return record


def full_case(la, name: str, *, concluded: dt.date) -> m.Family:
    """A closed case with a record of every kind about it, and the history of a child removed earlier."""
    record = case(la, name, decided=D(2016, 3, 1), concluded=concluded)
    episode = record.episodes.get()
    proceedings = record.proceedings.get()
    part = proceedings.child_parts.get()
    f.MeetingFactory(episode=episode, meeting_date=D(2016, 1, 18))
    f.ExtensionFactory(child_proceedings=part)
    reason = m.DelayReason.objects.get(code="expert_late_report")
    first = f.HearingFactory(proceedings=proceedings, status=c.HearingStatus.ADJOURNED, reason=reason)
    second = f.HearingFactory(proceedings=proceedings, replaces=first, listed_date=D(2017, 3, 20))
    f.HearingFactory(proceedings=proceedings, replaces=second, listed_date=D(2017, 4, 24))
    f.AssessmentFactory(family=record, episode=episode)
    f.DelayEventFactory(family=record, proceedings=proceedings)
    item = f.MeetingItemFactory(family=record, meeting=f.TrackerMeetingFactory(local_authority=la))
    f.MeetingActionFactory(item=item)
    # The people around the case (a parent of this family only), a note and a document link.
    f.FamilyMemberFactory(family=record)
    f.ProfessionalFactory(family=record)
    f.CaseNoteFactory(family=record)
    f.DocumentLinkFactory(family=record)
    # Recorded by mistake and removed: only its history is left, and it names the child.
    f.ChildFactory(family=record, first_name="Mistaken", last_name=name).delete()
    return record


def names_of(*families: m.Family) -> set[str]:
    """Every name and reference that must never reach the log."""
    words = set()
    for family in families:
        words |= {family.name, family.la_reference}
        for child in m.Child.objects.filter(family=family):
            words |= {child.first_name, child.last_name, child.la_child_id}
    return words | {"Mistaken"}


def test_it_knows_every_case_record_but_the_meetings_themselves():
    # Tracker meetings name no child: they stay, their items and actions about a removed case go.
    assert {model for model, _link, _parent in PURGE_TREE} == set(CASE_MODELS) - {m.TrackerMeeting}


def test_it_finds_closed_cases_past_their_las_retention_period(la_a, la_b):
    due = {
        case(la_a, "Ashdown", decided=D(2020, 6, 14)),  # one day before the cut-off
        case(la_a, "Birch", decided=D(2016, 2, 1), concluded=D(2020, 6, 12)),  # the latest date counts
        case(la_b, "Cedar", concluded=D(2023, 6, 14)),  # Suffolk's 3 years
    }
    kept = {
        case(la_a, "Dunmow", decided=D(2020, 6, 15)),  # on the cut-off: kept today
        case(la_a, "Elmstead", decided=D(2016, 2, 1), concluded=D(2021, 2, 1)),  # concluded later
        case(la_b, "Glemsford", concluded=D(2023, 6, 15)),
        case(la_b, "Hadleigh", concluded=D(2020, 1, 1), legal_hold=True),
    }
    # Open: proceedings not concluded, though the episode was decided long ago ...
    in_court = case(la_a, "Fingringhoe", decided=D(2016, 2, 1))
    f.ChildProceedingsFactory(proceedings=f.ProceedingsFactory(family=in_court, issue_date=D(2016, 3, 7)))
    # ... and an episode still open, though the application ended long ago.
    in_pre_proceedings = case(la_a, "Ingatestone", concluded=D(2018, 1, 1))
    f.EpisodeFactory(family=in_pre_proceedings, gateway_meeting_date=D(2024, 1, 8))
    kept |= {in_court, in_pre_proceedings}

    summaries = {s.local_authority: s for s in services.closed_cases_purge(today=TODAY, dry_run=True)}

    assert (summaries["Essex"].cases, summaries["Essex"].held, summaries["Essex"].cutoff) == (2, 0, ESSEX_CUTOFF)
    assert (summaries["Suffolk"].cases, summaries["Suffolk"].held, summaries["Suffolk"].cutoff) == (
        1,
        1,
        SUFFOLK_CUTOFF,
    )
    assert summaries["Suffolk"].retention_years == 3
    assert m.Family.objects.count() == len(due) + len(kept)  # a dry run changes nothing

    services.closed_cases_purge(today=TODAY)
    assert set(m.Family.objects.all()) == kept


def event_counts() -> dict[str, int]:
    return {model._meta.label: history_model(model).objects.count() for model, _link, _parent in PURGE_TREE}


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model, _link, _parent in PURGE_TREE}


def test_it_removes_a_case_with_its_history_and_counts_it_first_in_a_dry_run(la_a, caplog):
    gone = full_case(la_a, "Ashdown", concluded=D(2019, 5, 1))
    kept = full_case(la_a, "Birch", concluded=D(2022, 5, 1))
    held = full_case(la_a, "Cressing", concluded=D(2019, 5, 1))
    admin_user = f.UserFactory(role=c.Role.LA_ADMIN, local_authority=la_a)
    services.family_legal_hold_set(user=admin_user, family_ids=[held.pk], held=True)
    # Worked out from full_case: 1 family, 1 child (a second was removed earlier: history only),
    # 1 episode, 1 pre-proceedings meeting, 1 application, 1 child's part, 1 extension, 3 listings
    # (each re-listing the one before), 1 assessment, 1 delay, 1 agenda item, 1 action, 1 parent
    # and their link, 1 professional, 1 note, 1 document link.
    expected_rows = {
        "cases.Family": 1,
        "cases.Child": 1,
        "cases.PreProceedingsEpisode": 1,
        "cases.PreProceedingsMeeting": 1,
        "cases.Proceedings": 1,
        "cases.ChildProceedings": 1,
        "cases.Extension": 1,
        "cases.Hearing": 3,
        "cases.Assessment": 1,
        "cases.DelayEvent": 1,
        "cases.MeetingItem": 1,
        "cases.MeetingAction": 1,
        "cases.Person": 1,
        "cases.FamilyMember": 1,
        "cases.Professional": 1,
        "cases.CaseNote": 1,
        "cases.DocumentLink": 1,
    }
    rows_before, events_before = row_counts(), event_counts()
    # The three cases are built alike; the legal hold added one family update event to one of them.
    # So one case's history is a third of each model's, the family's being (events - 1) / 3.
    extra = {"cases.Family": 1}
    case_history = {}
    for label, count in events_before.items():
        assert (count - extra.get(label, 0)) % 3 == 0, label
        case_history[label] = (count - extra.get(label, 0)) // 3
    # Children: two inserts and one delete; the family: its insert.
    assert (case_history["cases.Child"], case_history["cases.Family"]) == (3, 1)

    caplog.set_level(logging.INFO, logger="cases.services.retention")
    (dry,) = [s for s in services.closed_cases_purge(today=TODAY, dry_run=True) if s.local_authority == "Essex"]
    assert (dry.cases, dry.held, dry.rows, dry.history) == (1, 1, expected_rows, case_history)
    assert (row_counts(), event_counts()) == (rows_before, events_before)  # a dry run changes nothing

    (real,) = [s for s in services.closed_cases_purge(today=TODAY) if s.local_authority == "Essex"]
    assert (real.cases, real.held, real.rows, real.history) == (1, 1, expected_rows, case_history)

    # One case's rows and history are gone (the deletes' own history events too); the others are whole.
    assert row_counts() == {label: rows_before[label] - expected_rows[label] for label in rows_before}
    assert event_counts() == {label: events_before[label] - case_history[label] for label in events_before}
    assert not m.Family.objects.filter(pk=gone.pk).exists()
    assert not m.FamilyEvent.objects.filter(pgh_obj_id=gone.pk).exists()
    assert not m.ChildEvent.objects.filter(last_name="Ashdown").exists()
    assert set(m.Family.objects.all()) == {kept, held}
    assert m.TrackerMeeting.objects.count() == 3  # meetings stay; their items about the case went
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_trackerfacts WHERE family_id = %s", [gone.pk])
        assert cursor.fetchone() == (0,)

    # The log: counts per LA and per model, never a name or reference.
    lines = [record.getMessage() for record in caplog.records if record.name == "cases.services.retention"]
    essex = [line for line in lines if "Essex:" in line]
    assert len(essex) == 2  # the dry run and the real run
    assert essex[0].startswith("Retention purge (dry run): Essex: would remove 1 case closed before 15 June 2020")
    assert essex[1].startswith("Retention purge: Essex: removed 1 case closed before 15 June 2020")
    assert "1 more kept on legal hold" in essex[1]
    assert "cases.Hearing 3" in essex[1]
    assert "Change history rows: cases.Family 1, cases.Child 3" in essex[1]
    log = "\n".join(lines)
    for word in names_of(kept, held) | {"Ashdown", "REF-ASHDOWN", "KidAshdown", "CID-ASHDOWN"}:
        assert word not in log, word


def test_it_reports_counts_from_the_command_and_changes_nothing_in_a_dry_run(la_a, capsys):
    gone = case(la_a, "Ashdown", decided=D(2019, 5, 1))
    call_command("purge_closed_cases", "--dry-run", "--as-of", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "Essex: would remove 1 case closed before 15 June 2020 (6-year retention period); 0 more kept" in out
    assert "Records: cases.Family 1, cases.Child 1, cases.PreProceedingsEpisode 1. Change history" in out
    assert "Suffolk: would remove 0 cases closed before 15 June 2023 (3-year retention period)" in out
    assert "Dry run: 1 closed case would be removed. Nothing was changed." in out
    assert m.Family.objects.filter(pk=gone.pk).exists()
    for word in names_of(gone):
        assert word not in out

    call_command("purge_closed_cases", "--as-of", TODAY.isoformat())
    assert "Removed 1 closed case." in capsys.readouterr().out
    assert not m.Family.objects.filter(pk=gone.pk).exists()


@pytest.mark.parametrize(
    ("as_of", "message"),
    [("15/06/2026", "--as-of must be a date as YYYY-MM-DD"), ("2999-01-01", "--as-of must be today or earlier")],
)
def test_it_refuses_a_bad_or_future_as_of_date(la_a, as_of, message):
    gone = case(la_a, "Ashdown", decided=D(2019, 5, 1))
    with pytest.raises(CommandError, match=message):
        call_command("purge_closed_cases", "--as-of", as_of)
    assert m.Family.objects.filter(pk=gone.pk).exists()


@pytest.mark.parametrize(
    ("unlisted", "error"),
    [(m.Child, ProtectedError), (m.PreProceedingsMeeting, RuntimeError)],
    ids=["protected", "cascaded"],
)
def test_it_removes_nothing_when_a_record_it_does_not_know_would_go(la_a, monkeypatch, unlisted, error):
    gone = full_case(la_a, "Ashdown", concluded=D(2019, 5, 1))
    rows_before, events_before = row_counts(), event_counts()
    # As if a case model were added and not listed: a protected row stops the purge, and so does
    # a row that would go by cascade; either way the LA's purge is rolled back.
    monkeypatch.setattr(
        "cases.services.retention.PURGE_TREE", tuple(entry for entry in PURGE_TREE if entry[0] is not unlisted)
    )
    with pytest.raises(error):
        services.closed_cases_purge(today=TODAY)
    assert m.Family.objects.filter(pk=gone.pk).exists()
    assert (row_counts(), event_counts()) == (rows_before, events_before)


def test_it_lets_la_administrators_hold_their_own_las_cases_only(la_a, la_b, social_worker):
    own, other = case(la_a, "Ashdown"), case(la_b, "Birch")
    admin_user = f.UserFactory(role=c.Role.LA_ADMIN, local_authority=la_a)
    assert services.family_legal_hold_set(user=admin_user, family_ids=[own.pk, other.pk], held=True) == 1
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.legal_hold, own.updated_by, other.legal_hold) == (True, admin_user, False)
    # Already held: nothing to change.
    assert services.family_legal_hold_set(user=admin_user, family_ids=[own.pk], held=True) == 0
    with pytest.raises(PermissionDenied, match="Only LA administrators"):
        services.family_legal_hold_set(user=social_worker, family_ids=[own.pk], held=False)
    assert services.family_legal_hold_set(user=admin_user, family_ids=[own.pk], held=False) == 1
    own.refresh_from_db()
    assert own.legal_hold is False
    # The change history says who did it.
    event = m.FamilyEvent.objects.filter(pgh_obj_id=own.pk, pgh_label="update").order_by("pgh_id").first()
    assert event.legal_hold is True
    assert event.pgh_context.metadata["user"] == admin_user.pk


def test_it_refuses_a_retention_period_outside_1_to_100_years(la_a):
    la_a.retention_years = 0
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        la_a.full_clean()
    la_a.retention_years = 101
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        la_a.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        m.LocalAuthority.objects.filter(pk=la_a.pk).update(retention_years=101)

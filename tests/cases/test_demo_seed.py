"""seed_demo: deterministic, valid by the schema's own rules, and realistic in shape."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from cases import constants as c
from cases import demo
from cases import models as m
from cases.permissions import CASE_MODELS

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 10, 31)


def fingerprint() -> list:
    return list(
        m.Proceedings.objects.order_by("id").values_list("court_case_number", "issue_date", "concluded_date")
    ) + list(m.Child.objects.order_by("id").values_list("first_name", "last_name", "date_of_birth"))


def test_it_is_deterministic_for_a_seed(django_db_blocker):
    demo.seed_demo(seed=7, scale=0.2, years=2, as_of=AS_OF)
    first = fingerprint()
    for model in reversed(CASE_MODELS):
        model._base_manager.all().delete()
    m.PreProceedingsEpisode.children.through.objects.all().delete()
    demo.seed_demo(seed=7, scale=0.2, years=2, as_of=AS_OF)
    # Ids move on, values repeat exactly.
    assert fingerprint() == first


def test_it_generates_rows_that_pass_every_schema_rule():
    demo.seed_demo(seed=3, scale=0.3, years=3, as_of=AS_OF)
    rnd = random.Random(1)
    # Tracker meetings are recorded by chairs in meeting mode, not generated.
    seeded = [model for model in CASE_MODELS if model not in (m.TrackerMeeting, m.MeetingItem, m.MeetingAction)]
    for model in seeded:
        rows = list(model._base_manager.all())
        assert rows, f"no {model.__name__} rows"
        for row in rnd.sample(rows, min(60, len(rows))):
            # Validation as of the seed's date: nothing may be after it.
            for name in ("date_of_birth", "listed_date"):
                if getattr(row, name, None) and getattr(row, name) > AS_OF:
                    break
            else:
                row.full_clean()


def test_it_has_the_shapes_the_region_sees():
    summary = demo.seed_demo(seed=1, scale=1, years=3, as_of=AS_OF)
    # About 390 care applications a year at scale 1, shared by population (Essex the largest).
    issued_last_year = m.Proceedings.objects.filter(issue_date__gt=AS_OF - dt.timedelta(days=365)).count()
    assert 300 <= issued_last_year <= 480
    by_la = dict(m.Proceedings.objects.values_list("local_authority__dfe_code").annotate(n=Count("id")))
    assert by_la["881"] > by_la["935"] > by_la["883"] >= by_la["882"] * 0.8
    # About half of decided episodes stepped down; durations near the region's 55 weeks.
    assert 0.4 <= summary.step_down_rate <= 0.62
    assert 42 <= summary.s31_mean_weeks <= 62
    assert 0.03 <= summary.s31_within_26_share <= 0.3
    # Pre-birth cases, unborn children, repeat episodes, sibling groups, short notice.
    assert m.PreProceedingsEpisode.objects.filter(pre_birth=True).exists()
    assert m.Child.objects.filter(date_of_birth__isnull=True, expected_due_date__isnull=False).exists()
    assert m.PreProceedingsEpisode.objects.filter(previous_pre_proceedings=True).exists()
    assert m.Family.objects.annotate(n=Count("children")).filter(n__gte=2).exists()
    assert m.Proceedings.objects.filter(short_notice=True).exclude(short_notice_reason="").exists()
    # Adjourned and vacated hearings carry reasons; extensions exist; delays are coded.
    for status in (c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED):
        hearings = m.Hearing.objects.filter(status=status)
        assert hearings.exists()
        assert not hearings.filter(reason__isnull=True).exists()
    assert m.Extension.objects.exists()
    assert m.DelayEvent.objects.values("reason__driver").distinct().count() >= 6
    # Open work today: pre-proceedings and proceedings.
    assert summary.open_episodes > 50
    assert summary.open_proceedings > 100


def test_every_seeded_row_has_its_insert_event():
    demo.seed_demo(seed=2, scale=0.1, years=1, as_of=AS_OF)
    for model in CASE_MODELS:
        event_model = model.pgh_event_models["insert"]
        assert event_model.objects.filter(pgh_label="insert").count() == model._base_manager.count()


def test_the_command_refuses_to_seed_twice_and_checks_its_options():
    out = StringIO()
    call_command("seed_demo", "--scale", "0.1", "--years", "1", "--as-of", "2026-10-31", stdout=out)
    assert "Care proceedings concluded" in out.getvalue()
    with pytest.raises(CommandError, match="already holds case data"):
        call_command("seed_demo", "--scale", "0.1", "--years", "1")
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "already loaded" in out.getvalue()
    with pytest.raises(CommandError, match="--as-of must be a date"):
        call_command("seed_demo", "--as-of", "31/10/2026")
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", "--scale", "0")

"""The case page (issue 17 item 3): status with its reasons, the flags and weeks elapsed as the
tracker works them out, episodes under their own headings, tracker meeting decisions and notes on
the timeline, a newest-first timeline, and a query count that does not grow."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import constants as c
from cases import models as m
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date


def section(html: str, element_id: str) -> str:
    """The HTML of the summary-list value with this id."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</dd>", start)]


def text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment.split(">", 1)[1]).split())


@pytest.fixture
def repeat_case(la_a, social_worker):
    """An Essex family back in pre-proceedings: stepped down in 2023, in proceedings in 2024, and a
    repeat episode started 121 days ago (17 weeks and 2 days) with the letter sent and no meeting."""
    today = timezone.localdate()
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name="Casepage")
    child = f.ChildFactory(family=family, first_name="Ivy", date_of_birth=D(2021, 3, 14))
    first = f.EpisodeFactory(
        family=family,
        children=[child],
        gateway_meeting_date=D(2023, 1, 9),
        step_decision_date=D(2023, 5, 2),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    proceedings = f.ProceedingsFactory(
        family=family, issue_date=D(2024, 2, 5), court_case_number="CM24C00777", concluded_date=D(2024, 7, 29)
    )
    f.ChildProceedingsFactory(
        proceedings=proceedings, child=child, final_outcome_id="care_order", final_outcome_date=D(2024, 7, 29)
    )
    start = today - dt.timedelta(days=121)
    current = f.EpisodeFactory(
        family=family,
        children=[child],
        gateway_meeting_date=start,
        lbp_sent_date=start,
        previous_pre_proceedings=True,
        previous_care_proceedings=True,
    )
    return {"family": family, "child": child, "first": first, "proceedings": proceedings, "current": current}


def test_it_shows_the_status_its_reasons_the_flags_and_weeks_as_the_tracker_does(client, repeat_case, social_worker):
    # Worked out by hand from the thresholds in the reference table: 121 days is 17 whole weeks; past
    # the local 16 weeks (day 113 on) is red; no review meeting in 6 weeks (day 43 on), no family
    # network meeting by week 6 and a previous episode are amber; Ivy is over one, so no baby flag.
    sign_in(client, social_worker)
    family = repeat_case["family"]
    response = client.get(reverse("cases:detail", args=[family.pk]))
    assert response.status_code == 200
    row = response.context["row"]
    assert row["weeks"] == 17
    assert [flag.code for flag in row["flags"]] == [
        "pp_over_threshold",
        "no_review",
        "no_family_network_meeting",
        "repeat_episode",
    ]
    assert row["case"].rag == "red"
    html = response.content.decode()
    assert text(section(html, "status")) == (
        "Red Pre-proceedings over the local threshold; No review meeting within the interval;"
        " No family network meeting held; Repeat episode."
    )
    started = timezone.localdate() - dt.timedelta(days=121)
    assert text(section(html, "weeks")) == (f"17 weeks In pre-proceedings since the start date, {started:%-d %B %Y}")
    flags = text(section(html, "flags"))
    assert flags.startswith("Pre-proceedings over the local threshold (red) Longer than the local policy of 16 weeks.")
    assert "Repeat episode (amber) Previous pre-proceedings or care proceedings." in flags
    assert "Baby" not in flags
    # The same figures as the tracker's row for the case.
    sign_in(client, social_worker)
    tracked = next(r for r in client.get(reverse("tracker:list")).context["rows"] if r["case"].pk == family.pk)
    assert (tracked["weeks"], tracked["reason"], tracked["case"].rag) == (17, row["reason"], "red")


def test_it_shows_green_with_no_flags_and_the_week_in_court(client, la_a, social_worker):
    # Issued 20 days ago: week 2 (20 // 7); the CMH on day 14 is inside days 12-18 (the issue date is
    # day 1), an IRH and a final hearing are not due yet; the child was born in 2021: green.
    today = timezone.localdate()
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name="Greencase")
    child = f.ChildFactory(family=family, date_of_birth=D(2021, 3, 14))
    proceedings = f.ProceedingsFactory(family=family, issue_date=today - dt.timedelta(days=20))
    f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    f.HearingFactory(proceedings=proceedings, listed_date=proceedings.issue_date + dt.timedelta(days=13), status="held")
    sign_in(client, social_worker)
    html = client.get(reverse("cases:detail", args=[family.pk])).content.decode()
    assert text(section(html, "status")) == "Green On track: no flags raised."
    assert text(section(html, "weeks")).startswith("2 weeks In care proceedings since the issue date")
    assert text(section(html, "flags")) == "None raised"


def test_it_marks_a_closed_family_closed_with_no_weeks_or_flags(client, repeat_case, social_worker):
    current = repeat_case["current"]
    current.step_decision_date = timezone.localdate()
    current.outcome = c.PPOutcome.STEP_DOWN
    current.save()
    sign_in(client, social_worker)
    html = client.get(reverse("cases:detail", args=[repeat_case["family"].pk])).content.decode()
    assert text(section(html, "status")) == "Closed Closed: no open pre-proceedings or care proceedings."
    assert 'id="weeks"' not in html
    assert 'id="flags"' not in html


def test_it_lists_current_and_earlier_episodes_under_their_own_headings(client, repeat_case, social_worker):
    sign_in(client, social_worker)
    response = client.get(reverse("cases:detail", args=[repeat_case["family"].pk]))
    episodes = response.context["episodes"]
    started = timezone.localdate() - dt.timedelta(days=121)
    assert [e.title for e in episodes.current] == [f"Pre-proceedings from {started:%-d %B %Y}"]
    assert episodes.current[0].repeat is True
    # Earlier: the latest first.
    assert [e.title for e in episodes.earlier] == ["Care proceedings CM24C00777", "Pre-proceedings from 9 January 2023"]
    assert dict(episodes.earlier[0].rows) == {
        "Issued": "5 February 2024, Chelmsford Justice Centre (designated family centre)",
        "Children": "Ivy Casepage",
        "Final orders": "Ivy Casepage: Care order, 29 July 2024",
        "Concluded": "29 July 2024",
    }
    assert dict(episodes.earlier[1].rows)["Decision"] == "Stepped down (child protection or child in need), 2 May 2023"
    html = response.content.decode()
    current = html[html.index('id="episodes-current"') : html.index('id="episodes-earlier"')]
    earlier = html[html.index('id="episodes-earlier"') : html.index('id="timeline"')]
    assert "Repeat episode" in current
    assert "CM24C00777" not in current
    assert "CM24C00777" in earlier
    assert "9 January 2023" in earlier


def test_it_says_when_there_is_no_current_or_earlier_episode(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    f.ChildFactory(family=family)
    sign_in(client, social_worker)
    html = client.get(reverse("cases:detail", args=[family.pk])).content.decode()
    assert 'id="episodes-current-none"' in html
    assert 'id="episodes-earlier-none"' in html
    assert 'id="reopen"' not in html  # never opened: nothing to reopen


@pytest.fixture
def decided(repeat_case, la_a):
    """Two tracker meeting decisions on the case, one with a note, and a meeting action done."""
    family = repeat_case["family"]
    today = timezone.localdate()
    earlier = f.MeetingItemFactory(
        family=family,
        meeting=f.TrackerMeetingFactory(local_authority=la_a, meeting_date=today - dt.timedelta(days=60)),
        decision=c.MeetingDecision.CONTINUE,
        review_date=today - dt.timedelta(days=30),
        note="Parenting assessment due back first.",
    )
    later = f.MeetingItemFactory(
        family=family,
        meeting=f.TrackerMeetingFactory(local_authority=la_a, meeting_date=today - dt.timedelta(days=7)),
        decision=c.MeetingDecision.ESCALATE,
    )
    # On an agenda with no decision yet: not on the timeline.
    f.MeetingItemFactory(family=family, meeting=f.TrackerMeetingFactory(local_authority=la_a, meeting_date=today))
    f.MeetingActionFactory(
        item=earlier,
        description="Book the viability assessment.",
        due_date=today - dt.timedelta(days=50),
        completed_date=today - dt.timedelta(days=52),
    )
    return {"earlier": earlier, "later": later}


def test_it_puts_tracker_meeting_decisions_and_notes_on_the_timeline(client, repeat_case, decided, social_worker):
    sign_in(client, social_worker)
    response = client.get(reverse("cases:detail", args=[repeat_case["family"].pk]))
    today = timezone.localdate()
    meeting = [(e.date, e.title, e.detail) for e in response.context["timeline"] if e.kind == "meeting"]
    review = today - dt.timedelta(days=30)
    assert meeting == [
        (
            today - dt.timedelta(days=60),
            "Tracker meeting decision: Continue with a review date",
            f"Review on {review:%-d %B %Y}. Parenting assessment due back first.",
        ),
        (
            today - dt.timedelta(days=52),
            "Meeting action done: Book the viability assessment.",
            f"Agreed at the tracker meeting of {today - dt.timedelta(days=60):%-d %B %Y}",
        ),
        (today - dt.timedelta(days=7), "Tracker meeting decision: Escalate to a senior manager", ""),
    ]
    html = response.content.decode()
    assert "Parenting assessment due back first." in html[html.index('id="timeline-list"') :]


def test_it_shows_the_timeline_newest_first_on_request_without_javascript(client, repeat_case, decided, social_worker):
    sign_in(client, social_worker)
    url = reverse("cases:detail", args=[repeat_case["family"].pk])
    oldest = client.get(url)
    newest = client.get(url, {"order": "newest"})
    oldest_dates = [entry.date for entry in oldest.context["timeline"]]
    newest_dates = [entry.date for entry in newest.context["timeline"]]
    assert oldest_dates == sorted(oldest_dates)
    assert newest_dates == sorted(oldest_dates, reverse=True)
    assert oldest_dates[0] == D(2021, 3, 14)  # Ivy born
    # A plain link toggles the order (no script), each way.
    assert f'href="{url}?order=newest#timeline">Show newest first</a>' in oldest.content.decode()
    assert f'href="{url}#timeline">Show oldest first</a>' in newest.content.decode()
    html = newest.content.decode()
    listed = html[html.index('id="timeline-list"') :]
    assert listed.index("Tracker meeting decision: Escalate") < listed.index("Ivy Casepage born")


def test_it_audits_the_read_of_the_case_page(client, repeat_case, social_worker):
    sign_in(client, social_worker)
    before = m.ReadAudit.objects.count()
    client.get(reverse("cases:detail", args=[repeat_case["family"].pk]), {"order": "newest"})
    assert m.ReadAudit.objects.count() == before + 1
    read = m.ReadAudit.objects.latest("pk")
    assert (read.family_ids, read.child_ids) == ([repeat_case["family"].pk], [repeat_case["child"].pk])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_pins_the_case_page_queries_whatever_the_number_of_episodes_and_decisions(
    client, repeat_case, decided, social_worker, la_a
):
    sign_in(client, social_worker)
    family = repeat_case["family"]
    url = reverse("cases:detail", args=[family.pk]) + "?order=newest"
    few = count_queries(client, url)
    for year in range(2015, 2021):
        f.EpisodeFactory(
            family=family,
            gateway_meeting_date=D(year, 1, 5),
            step_decision_date=D(year, 3, 1),
            outcome=c.PPOutcome.STEP_DOWN,
        )
        closed = f.ProceedingsFactory(family=family, issue_date=D(year, 4, 1), concluded_date=D(year, 9, 1))
        f.ChildProceedingsFactory(proceedings=closed)
        item = f.MeetingItemFactory(
            family=family,
            meeting=f.TrackerMeetingFactory(local_authority=la_a, meeting_date=D(year, 6, 1)),
            decision=c.MeetingDecision.STEP_DOWN,
            note=f"Decided in {year}.",
        )
        f.MeetingActionFactory(item=item, due_date=D(year, 6, 8), completed_date=D(year, 6, 5))
    response = client.get(url)
    assert len(response.context["episodes"].earlier) == 2 + 12
    assert count_queries(client, url) == few


def test_it_names_the_owner_of_each_open_action_as_a_person(client, repeat_case, decided, social_worker, la_a):
    owner = f.UserFactory(local_authority=la_a, first_name="Priya", last_name="Shah")
    f.MeetingActionFactory(
        item=decided["later"],
        description="Share the parenting assessment with the guardian.",
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    sign_in(client, social_worker)
    content = client.get(reverse("cases:detail", args=[repeat_case["family"].pk])).content.decode()
    assert "Share the parenting assessment with the guardian. (Priya Shah), due" in content
    assert owner.username not in content

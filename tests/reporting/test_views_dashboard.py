"""The dashboard: figures from the nightly metrics for the scopes a user may see, nothing identifiable."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import models as m
from cases.constants import Role
from reporting.services import metrics
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db


def last_month() -> dt.date:
    return metrics.add_months(metrics.month_start(timezone.localdate()), -1)


def concluded(la, team, days: int, day_of_month: int = 10):
    end = last_month().replace(day=day_of_month)
    family = f.FamilyFactory(local_authority=la, team=team, name="Secretname")
    p = f.ProceedingsFactory(family=family, issue_date=end - dt.timedelta(days=days), concluded_date=end)
    f.ChildProceedingsFactory(proceedings=p)
    return p


@pytest.fixture
def figures(la_a, la_b):
    mid = m.Team.objects.get(name="Chelmsford Family Support")
    north = m.Team.objects.get(name="Colchester Family Support")
    concluded(la_a, mid, 190)
    concluded(la_a, north, 176)
    for days in (363, 300, 330):
        concluded(la_b, f.team_of(la_b), days)
    compute()
    return {"mid": mid, "north": north}


def compute():
    month = last_month()
    metrics.metrics_compute(window=metrics.Window(metrics.add_months(month, -12), month, timezone.localdate()))


def headline(response, code):
    return next(h for h in response.context["data"].headlines if h.metric.code == code)


def test_it_shows_headline_figures_with_their_comparisons(client, chair, figures):
    sign_in(client, chair)
    response = client.get(reverse("dashboard"))
    duration = headline(response, "s31_duration_mean")
    # Essex: (190 + 176) / 2 / 7 = 26.1 weeks; the region adds Suffolk's 363, 300 and 330 days:
    # 1359 / 5 / 7 = 38.8 weeks. Essex is 26.142857 - 38.828571 = 12.7 lower.
    assert duration.display == "26.1 weeks"
    comparisons = dict((label, value) for label, value, _ in duration.comparisons)
    assert comparisons["Region"] == "38.8 weeks"
    assert comparisons["Last month"] == "no data"
    content = response.content.decode()
    assert "26.1 weeks" in content
    assert "this month lower by 12.7, better" in content  # vs the region
    assert "Secretname" not in content  # aggregates only


def test_it_offers_the_users_la_areas_and_teams_only(client, chair, figures, la_b):
    sign_in(client, chair)
    mid_area = figures["mid"].area
    response = client.get(reverse("dashboard"), {"s": f"area:{mid_area.pk}"})
    assert headline(response, "s31_duration_mean").display == "27.1 weeks"  # 190 days
    assert client.get(reverse("dashboard"), {"s": f"la:{la_b.pk}"}).status_code == 404
    assert client.get(reverse("dashboard"), {"s": "region:"}).status_code == 404
    keys = [scope.key for scope in response.context["scopes"]]
    assert keys[0] == f"la:{chair.local_authority_id}"
    assert all(not key.startswith("la:") or key == keys[0] for key in keys)


def test_it_gives_analysts_the_region_and_every_la(client, analyst, figures, la_b):
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"))
    assert response.context["scope"].type == "region"
    assert headline(response, "s31_duration_mean").display == "38.8 weeks"  # 1359 / 5 / 7, on 5 applications
    response = client.get(reverse("dashboard"), {"s": f"la:{la_b.pk}"})
    # Suffolk's 3 applications (993 / 3 / 7 = 47.3 weeks) are too few to show outside Suffolk.
    assert headline(response, "s31_duration_mean").display == "[c]"
    assert headline(response, "s31_concluded").display == "[c]"


def test_it_keeps_board_members_and_anonymous_users_out(client, board_member):
    assert client.get(reverse("dashboard")).status_code == 302
    sign_in(client, board_member)
    assert client.get(reverse("dashboard")).status_code == 403


def test_it_downloads_each_charts_data_as_csv(client, chair, figures):
    sign_in(client, chair)
    response = client.get(reverse("dashboard"), {"csv": "duration"})
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Month,")
    assert lines[-1].startswith(last_month().strftime("%b %Y"))
    assert "26.1" in lines[-1]
    assert client.get(reverse("dashboard"), {"csv": "nonsense"}).status_code == 404


def test_it_pins_the_dashboard_queries_whatever_the_number_of_cases(client, chair, figures, la_a):
    sign_in(client, chair)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    for days in range(150, 250, 10):
        concluded(la_a, figures["mid"], days)
    compute()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("dashboard"))
    # Two of them the signed-in user's authenticator app (django-otp) and the LA set for the
    # transaction (row-level security); one the current forecast model (none here: not shown); one the
    # LAs' names (the other LAs compared with).
    assert len(many) == len(few) <= 15


@pytest.fixture
def southend():
    """One Southend application concluded last month after 473 days (67.6 weeks), and nothing else."""
    la = f.la("882")
    concluded(la, f.team_of(la), 473)
    compute()
    return la


@pytest.fixture
def southend_worker(southend):
    return f.UserFactory(username="sw.southend", role=Role.SOCIAL_WORKER, local_authority=southend)


def test_it_suppresses_a_count_of_one_and_its_mean_on_an_analysts_dashboard_and_csv(client, analyst, southend):
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"), {"s": f"la:{southend.pk}"})
    assert headline(response, "s31_concluded").display == "[c]"
    duration = headline(response, "s31_duration_mean")
    assert duration.display == "[c]"
    assert dict((label, value) for label, value, _ in duration.comparisons)["Region"] == "[c]"
    assert all(change == "" for _, _, change in duration.comparisons)  # a difference would give it away
    content = response.content.decode()
    assert "67.6" not in content
    assert 'id="suppression-note"' in content
    chart = response.context["charts"]["duration"]
    assert "No data" not in chart.summary
    assert "suppressed" in chart.summary
    csv = client.get(reverse("dashboard"), {"s": f"la:{southend.pk}", "csv": "duration"}).content.decode()
    assert csv.splitlines()[-1] == f"{last_month():%b %Y},[c],[c]"  # Southend, region
    assert "67.6" not in csv


def test_it_shows_an_la_user_their_own_figures_unsuppressed_but_the_region_suppressed(client, southend_worker):
    sign_in(client, southend_worker)
    response = client.get(reverse("dashboard"))
    assert headline(response, "s31_concluded").display == "1"
    duration = headline(response, "s31_duration_mean")
    assert duration.display == "67.6 weeks"  # 473 / 7
    assert dict((label, value) for label, value, _ in duration.comparisons)["Region"] == "[c]"
    csv = client.get(reverse("dashboard"), {"csv": "duration"}).content.decode()
    assert csv.splitlines()[-1] == f"{last_month():%b %Y},67.6,[c]"


def test_it_never_serves_an_la_users_exact_figures_to_an_analyst_from_the_cache(
    client, analyst, southend_worker, southend
):
    sign_in(client, southend_worker)
    assert headline(client.get(reverse("dashboard")), "s31_concluded").display == "1"
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"), {"s": f"la:{southend.pk}"})
    assert headline(response, "s31_concluded").display == "[c]"


def test_it_words_labels_and_the_limit_line_from_the_thresholds(client, chair, figures):
    sign_in(client, chair)
    m.Threshold.objects.filter(code="s31_limit_weeks").update(value=27)
    response = client.get(reverse("dashboard"))
    content = response.content.decode()
    assert headline(response, "s31_within_26_share").metric.label == "Concluded within 27 weeks"
    assert "27-week limit" in str(response.context["charts"]["duration"].svg)
    assert "26-week" not in content
    assert "{" not in "".join(h.metric.label + h.metric.definition for h in response.context["data"].headlines)


def comparator_rows(content: str) -> list[str]:
    """The rows of the page's comparators table as text, one space between words."""
    table = content[
        content.index('id="comparators-table"') : content.index("</table>", content.index('id="comparators-table"'))
    ]
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in re.split(r"<tr\b[^>]*>", table)[2:]
    ]


def test_it_shows_only_national_figures_as_national_and_labels_the_others(client, analyst, figures):
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"), {"s": "region:"})
    national = {
        h.metric.code: value
        for h in response.context["data"].headlines
        for label, value, _ in h.comparisons
        if label.startswith("National")
    }
    # REFERENCE.md's national figures (England): MoJ 2024-25 duration (the latest; Cafcass's 44 weeks is
    # 2023-24) and share within 26 weeks, and the national application rate, which is uncertain. The
    # region's baseline (55 weeks, 7.0), Tri-borough's hearings (8.8, 4.0) and Essex's 49% are not national.
    assert national == {
        "s31_duration_mean": "40.0 weeks",
        "s31_within_26_share": "34.0%",
        "s31_application_rate": "9.2 (uncertain)",
    }
    content = response.content.decode()
    assert content.count("<dt>National (England):</dt>") == 3
    assert "Source: MoJ national average, MoJ Family Court Statistics Quarterly (38-41), 2024-25." in content
    assert "Source: National application rate, Trailblazer card; equals Cafcass 2013-14 rate, 2023-24; uncertain" in (
        content
    )
    rows = comparator_rows(content)
    for row in [
        "Average duration of care proceedings National (England): Cafcass national average Cafcass statistics via "
        "Trailblazer card, 2023-24 44.0 weeks",
        "National (England): MoJ national average MoJ Family Court Statistics Quarterly (38-41), 2024-25 40.0 weeks",
        "Regional baseline: Essex & Suffolk Trailblazer card (Cafcass statistics), 2023-24 55.0 weeks",
        "Good-practice exemplar: North Somerset Trailblazer good practice guide, 2024 31.8 weeks",
        "Good-practice exemplar: Tri-borough pilot Tri-borough care proceedings pilot, 2013 27.0 weeks",
        "Concluded within 26 weeks National (England): MoJ national share within 26 weeks MoJ Family Court "
        "Statistics Quarterly (32-36%), 2024-25 34.0%",
        "Hearings per concluded application Good-practice exemplar: Tri-borough pilot, before Tri-borough care "
        "proceedings pilot, 2013 8.8",
        "Good-practice exemplar: Tri-borough pilot, after Tri-borough care proceedings pilot, 2013 4.0",
        "Care application rate per 10,000 children National (England): National application rate Trailblazer "
        "card; equals Cafcass 2013-14 rate, 2023-24; uncertain figure 9.2 (uncertain)",
        "Regional baseline: Essex & Suffolk Trailblazer card, 2023-24 7.0",
        "Step-down rate Essex's own figure Ofsted focused visit to Essex (January 2025), 2024 49.0%",
    ]:
        assert row in rows, row
    assert len(rows) == 11


def test_it_names_a_series_whose_figures_are_all_suppressed_in_the_chart_summary(client, analyst, la_a, southend):
    # Essex: 5 applications concluded last month after 182 days (26.0 weeks), so the region (6) is drawn.
    for _ in range(5):
        concluded(la_a, f.team_of(la_a), 182)
    compute()
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"), {"s": f"la:{southend.pk}"})
    chart = response.context["charts"]["duration"]
    assert chart.summary.startswith("Southend-on-Sea City Council: every figure recorded is suppressed ([c]).")
    assert "1 figure is suppressed ([c])" in chart.summary  # last month's; the other 12 months recorded nothing


def test_it_says_no_data_where_nothing_was_recorded(client, analyst):
    compute()  # the months exist, with nothing recorded in any of them
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"), {"s": f"la:{f.la('883').pk}"})
    assert headline(response, "s31_duration_mean").display == "No data"
    assert headline(response, "s31_concluded").display == "0"
    assert headline(response, "s31_application_rate").display == "0.0"  # no application: a rate of 0, not [c]
    assert response.context["charts"]["duration"].summary == "No data for this period."
    content = response.content.decode()
    assert "[c]" not in content
    assert 'id="suppression-note"' not in content


# -- comparisons with the other LAs, denominators, "no change", the month picker, the four LAs ----------


@pytest.fixture
def four_las(figures):
    """On top of ``figures`` (Essex 190 and 176 days, Suffolk 363, 300 and 330 days): six Thurrock
    applications concluded last month after 200 days each (28.6 weeks)."""
    thurrock = f.la("883")
    for _ in range(6):
        concluded(thurrock, f.team_of(thurrock), 200)
    compute()
    return thurrock


def test_it_compares_an_la_with_each_other_la_of_the_region(client, chair, four_las):
    sign_in(client, chair)
    duration = headline(client.get(reverse("dashboard")), "s31_duration_mean")
    comparisons = {label: (value, change) for label, value, change in duration.comparisons}
    # Essex 26.1 weeks against: Southend none; Suffolk's 3 applications too few to show outside it;
    # Thurrock 200 / 7 = 28.6 weeks (26.1 - 28.6 = 2.5 lower); the region (366 + 993 + 1200) / 11 / 7 = 33.2.
    assert comparisons["Southend-on-Sea"] == ("no data", "")
    assert comparisons["Suffolk"] == ("[c]", "")
    assert comparisons["Thurrock"] == ("28.6 weeks", "lower by 2.5, better")
    assert comparisons["Region"] == ("33.2 weeks", "lower by 7.1, better")
    assert "Essex" not in comparisons


def test_it_shows_what_each_average_and_share_is_built_on(client, chair, analyst, four_las):
    sign_in(client, chair)
    response = client.get(reverse("dashboard"))
    assert headline(response, "s31_duration_mean").base == "based on 2 applications concluded in the month"
    # 1 of Essex's 2 within 182 days (176): 50.0%, of 2.
    within = headline(response, "s31_within_26_share")
    assert (within.display, within.base) == ("50.0%", "based on 2 applications concluded in the month")
    assert headline(response, "s31_concluded").base == ""  # a count is its own denominator
    assert "Based on 2 applications concluded in the month" in response.content.decode()
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"))
    # The region's count of concluded applications is withheld (secondary suppression), so its average
    # shows without the denominator that would give the count away.
    assert headline(response, "s31_concluded").display == "[c]"
    region = headline(response, "s31_duration_mean")
    assert (region.display, region.base) == ("33.2 weeks", "")


def test_it_withholds_a_denominator_whose_count_is_withheld(la_a):
    from reporting import selectors

    month = last_month()
    key = ("s31_concluded", "la", la_a.pk, "", month)
    figures = selectors.Figures(
        values={key: Decimal(7), ("s31_duration_mean", "la", la_a.pk, "", month): Decimal("30.0")},
        cases={},
        threshold=5,
    )
    figures.__dict__["withheld"] = frozenset()
    assert selectors.based_on(figures, "s31_duration_mean", "la", la_a.pk, month, Decimal("30.0")) == (
        "based on 7 applications concluded in the month"
    )
    # Withheld by secondary suppression: the average may show, its denominator would give the count away.
    figures.__dict__["withheld"] = frozenset({key})
    assert selectors.based_on(figures, "s31_duration_mean", "la", la_a.pk, month, Decimal("30.0")) == ""


def test_it_says_no_change_when_two_figures_read_the_same():
    from reporting import catalogue, selectors

    mean = selectors.Headline(
        metric=catalogue.get("s31_duration_mean"), value=Decimal("26.14"), last_month=None, last_year=None, region=None
    )
    assert mean.change(Decimal("26.11")) == "no change"  # both read 26.1 weeks
    assert mean.change(Decimal("26.16")) == "lower by 0.1, better"  # 26.1 against 26.2
    count = selectors.Headline(
        metric=catalogue.get("s31_open"), value=Decimal(12), last_month=None, last_year=None, region=None
    )
    assert count.change(Decimal(12)) == "no change"
    assert count.change(Decimal(9)) == "higher by 3"  # open cases: neither better nor worse


def test_it_shows_an_earlier_month_from_the_month_picker(client, chair, la_a, figures):
    earlier = metrics.add_months(last_month(), -1)
    end = earlier.replace(day=10)
    family = f.FamilyFactory(local_authority=la_a, team=figures["mid"])
    p = f.ProceedingsFactory(family=family, issue_date=end - dt.timedelta(days=140), concluded_date=end)
    f.ChildProceedingsFactory(proceedings=p)
    compute()
    sign_in(client, chair)
    latest = client.get(reverse("dashboard"))
    assert latest.context["period"] == last_month()
    assert latest.context["periods"][:2] == [last_month(), earlier]
    response = client.get(reverse("dashboard"), {"period": f"{earlier:%Y-%m}"})
    assert response.context["period"] == earlier
    assert headline(response, "s31_duration_mean").display == "20.0 weeks"  # 140 / 7
    content = response.content.decode()
    assert f'<option value="{earlier:%Y-%m}" selected>' in content
    assert f"period={earlier:%Y-%m}&amp;csv=duration" in content
    csv = client.get(reverse("dashboard"), {"period": f"{earlier:%Y-%m}", "csv": "duration"}).content.decode()
    assert csv.splitlines()[-1].startswith(f"{earlier:%b %Y},20,")
    assert client.get(reverse("dashboard"), {"period": "2001-01"}).status_code == 404
    assert client.get(reverse("dashboard"), {"period": "nonsense"}).status_code == 404


def test_it_gives_analysts_the_four_las_side_by_side_suppressed(client, analyst, chair, four_las):
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"))
    data = response.context["data"]
    assert data.las == ["Essex", "Southend-on-Sea", "Suffolk", "Thurrock"]
    rows = {h.metric.code: cells for h, cells in data.side_by_side}
    # Essex's 2 and Suffolk's 3 are too few to show outside them; Southend has none.
    assert rows["s31_duration_mean"] == ["[c]", "no data", "[c]", "28.6 weeks", "33.2 weeks"]
    # The region is not compared with itself.
    labels = [label for label, _, _ in headline(response, "s31_duration_mean").comparisons]
    assert labels == ["Last month", "Same month last year", "National (England)"]
    content = response.content.decode()
    assert 'id="side-by-side"' in content
    assert "26.1 weeks" not in content  # Essex's exact figure
    # An LA's own staff get their comparisons in the headlines, not the region's table.
    sign_in(client, chair)
    assert client.get(reverse("dashboard")).context["data"].side_by_side == []

"""The PLO timetable checks on the tracker, the case page and the RAG status: each one raised, and just missed.

One application throughout, issued on Monday 5 January 2026 (day 1), with the thresholds of the
reference table: CMH between day 12 and day 18, IRH by week 20, a 26-week time limit. Worked out
by hand:

- day n is 5 January + (n - 1) days: day 11 = 15 January, day 12 = 16 January, day 18 = 22 January,
  day 19 = 23 January;
- week 20 = 5 January + 20 x 7 = 140 days: 26 days to 31 January, 28 in February (54), 31 in March
  (85), 30 in April (115), 25 into May: 25 May 2026;
- the timetable end = 5 January + 26 x 7 = 182 days = 25 May + 42 days = 6 July 2026;
- an 8-week extension moves it to 6 July + 56 days = 31 August 2026 (25 days to 31 July, 31 in August);
- week 5 = 5 January + 35 days = 9 February 2026.

Each case has a social worker and a child born in 2020, so no other flag is raised before week 20.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from cases import models as m
from cases.selectors import tracker
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
ISSUE = D(2026, 1, 5)
WEEK_5 = D(2026, 2, 9)
WEEK_20 = D(2026, 5, 25)
END = D(2026, 7, 6)
EXTENDED_END = D(2026, 8, 31)

CMH_OUTSIDE = "CMH listed outside days 12 to 18"
NO_IRH = "No IRH listed by week 20"
IRH_AFTER = "IRH listed after week 20"
NO_FINAL = "No final hearing listed by week 20"
FINAL_AFTER = "Final hearing listed after the timetable end"
BEYOND = "Timetabled beyond 26 weeks"
AT_RISK = "Proceedings at risk of passing 26 weeks"
ON_TRACK = "On track: no flags raised."


def court_case(la, *, extended: bool = False):
    family = f.FamilyFactory(local_authority=la, social_worker=f.UserFactory(local_authority=la))
    child = f.ChildFactory(family=family, date_of_birth=D(2020, 1, 1))
    proceedings = f.ProceedingsFactory(family=family, issue_date=ISSUE)
    part = f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    if extended:
        f.ExtensionFactory(child_proceedings=part, granted_date=D(2026, 6, 1), new_end_date=EXTENDED_END)
    return family, proceedings


def listing(proceedings, code: str, listed_date: dt.date, *, status: str = "listed", vacated_on=None):
    return f.HearingFactory(
        proceedings=proceedings,
        hearing_type=m.HearingType.objects.get(code=code),
        listed_on=ISSUE,
        listed_date=listed_date,
        status=status,
        vacated_on=vacated_on,
        reason_id="court_no_courtroom" if status == "vacated" else None,
    )


def flags(user, family, today: dt.date) -> set[str]:
    """The flags on the case's tracker row, the same on the facts table and the family rows."""
    facts = tracker.tracker_facts(user=user, today=today).get(pk=family.pk)
    row = tracker.tracker_queryset(user=user, today=today).get(pk=family.pk)
    codes = {flag.code for flag in tracker.row_flags(facts)}
    assert {flag.code for flag in tracker.row_flags(row)} == codes
    return codes


def reason(user, family, today: dt.date) -> str:
    return tracker.row_reason(tracker.tracker_facts(user=user, today=today).get(pk=family.pk))


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


class CasePage:
    """The case page as at ``today``: its status, each timetable row and its warnings, in words."""

    def __init__(self, client, monkeypatch, family, today: dt.date):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today)
        response = client.get(reverse("cases:detail", args=[family.pk]))
        assert response.status_code == 200
        self.html = response.content.decode()

    def row(self, code: str) -> str:
        match = re.search(rf'<div class="govuk-summary-list__row" data-hearing="{code}">(.*?)</dd>', self.html, re.S)
        assert match, f"no timetable row for {code}"
        # A warning's icon and its "Warning" for screen readers, left out to read the row as words.
        row = re.sub(r'<span class="govuk-warning-text__icon" aria-hidden="true">!</span>', "", match.group(1))
        return text(row.replace('<span class="govuk-visually-hidden">Warning</span>', ""))

    def warnings(self) -> list[str]:
        found = re.findall(r'<strong class="govuk-warning-text__text">(.*?)</strong>', self.html, re.S)
        return [text(warning).removeprefix("Warning ") for warning in found]

    @property
    def status(self) -> str:
        match = re.search(r'<dd class="govuk-summary-list__value" id="status">(.*?)</dd>', self.html, re.S)
        return text(match.group(1)) if match else ""


@pytest.fixture
def page(client, chair, monkeypatch):
    sign_in(client, chair)
    return lambda family, today: CasePage(client, monkeypatch, family, today)


def test_it_checks_the_cmh_is_listed_between_day_12_and_day_18(la_a, chair, page):
    cases = {}
    for day, listed_date in ((11, D(2026, 1, 15)), (12, D(2026, 1, 16)), (18, D(2026, 1, 22)), (19, D(2026, 1, 23))):
        cases[day], proceedings = court_case(la_a)
        # Day 11's was held: a hearing that took place still counts as listed.
        listing(proceedings, "cmh", listed_date, status="held" if day == 11 else "listed")
    # A CMH listed for day 19 but vacated on 20 January, re-listed for day 15 (19 January): in time.
    moved, proceedings = court_case(la_a)
    listing(proceedings, "cmh", D(2026, 1, 23), status="vacated", vacated_on=D(2026, 1, 20))
    listing(proceedings, "cmh", D(2026, 1, 19))

    for day in (11, 19):
        assert "cmh_outside_window" in flags(chair, cases[day], WEEK_5)
        assert reason(chair, cases[day], WEEK_5) == f"{CMH_OUTSIDE}."
    for family in (cases[12], cases[18], moved):
        assert "cmh_outside_window" not in flags(chair, family, WEEK_5)
        assert reason(chair, family, WEEK_5) == ON_TRACK

    late = page(cases[19], WEEK_5)
    assert late.status == f"Amber {CMH_OUTSIDE}."
    assert late.row("cmh") == (
        "Case management hearing Target: Between day 12 and day 18 (16 January 2026 to 22 January 2026) "
        f"Listed for: 23 January 2026 (listed) {CMH_OUTSIDE}"
    )
    assert late.warnings() == [CMH_OUTSIDE]
    in_time = page(moved, WEEK_5)
    assert in_time.status == f"Green {ON_TRACK}"
    # The vacated listing is not shown: only the listing as it stands.
    assert in_time.row("cmh") == (
        "Case management hearing Target: Between day 12 and day 18 (16 January 2026 to 22 January 2026) "
        "Listed for: 19 January 2026 (listed)"
    )
    assert in_time.warnings() == []


def test_it_checks_an_irh_is_listed_by_week_20_and_for_a_date_by_then(la_a, chair, page):
    cases = {}
    for name, irh in (("none", None), ("on week 20", WEEK_20), ("day after", D(2026, 5, 26)), ("vacated", "v")):
        cases[name], proceedings = court_case(la_a)
        listing(proceedings, "final", D(2026, 6, 29))  # in time, so only the IRH checks are raised
        if irh == "v":
            listing(proceedings, "irh", D(2026, 5, 18), status="vacated", vacated_on=D(2026, 5, 1))
        elif irh:
            listing(proceedings, "irh", irh)
    day_before = WEEK_20 - dt.timedelta(days=1)

    # No IRH (or only a vacated one): raised from week 20 (25 May), with the case at risk.
    for name in ("none", "vacated"):
        assert not {"no_irh_by_20", "s31_at_risk"} & flags(chair, cases[name], day_before)
        assert {"no_irh_by_20", "s31_at_risk"} <= flags(chair, cases[name], WEEK_20)
        assert reason(chair, cases[name], WEEK_20) == f"{AT_RISK}; {NO_IRH}."
    # Listed for 25 May: in time. Listed for 26 May: after week 20, raised as soon as it is listed.
    assert flags(chair, cases["on week 20"], WEEK_20) == set()
    assert "irh_after_week" in flags(chair, cases["day after"], WEEK_5)
    assert flags(chair, cases["day after"], WEEK_20) == {"irh_after_week"}
    assert reason(chair, cases["day after"], WEEK_20) == f"{IRH_AFTER}."

    late = page(cases["day after"], WEEK_20)
    assert late.status == f"Amber {IRH_AFTER}."
    assert late.row("irh") == (
        "Issues resolution hearing Target: By 25 May 2026 (20 weeks from issue) "
        f"Listed for: 26 May 2026 (listed) {IRH_AFTER}"
    )
    assert late.warnings() == [IRH_AFTER]
    vacated = page(cases["vacated"], WEEK_20)
    assert vacated.row("irh") == (
        f"Issues resolution hearing Target: By 25 May 2026 (20 weeks from issue) Listed for: not listed {NO_IRH}"
    )
    assert vacated.warnings() == [NO_IRH]
    assert page(cases["on week 20"], WEEK_20).warnings() == []


def test_it_checks_a_final_hearing_is_listed_by_week_20_for_a_date_by_the_timetable_end(la_a, chair, page):
    cases = {}
    for name, final, extended in (
        ("none", None, False),
        ("vacated", "v", False),
        ("on the end", END, False),
        ("day after", D(2026, 7, 7), False),
        ("day after, extended", D(2026, 7, 7), True),
        ("on the extended end", EXTENDED_END, True),
        ("after the extended end", D(2026, 9, 1), True),
    ):
        cases[name], proceedings = court_case(la_a, extended=extended)
        listing(proceedings, "irh", D(2026, 5, 18))  # in time, so only the final hearing's checks are raised
        if final == "v":
            listing(proceedings, "final", D(2026, 6, 29), status="vacated", vacated_on=D(2026, 5, 1))
        elif final:
            listing(proceedings, "final", final)
    day_before = WEEK_20 - dt.timedelta(days=1)

    for name in ("none", "vacated"):
        assert flags(chair, cases[name], day_before) == set()
        assert flags(chair, cases[name], WEEK_20) == {"no_final_by_20"}
        assert reason(chair, cases[name], WEEK_20) == f"{NO_FINAL}."
    for name in ("on the end", "day after, extended", "on the extended end"):
        assert flags(chair, cases[name], WEEK_20) == set(), name
    # After the timetable end: the final hearing's check, timetabled beyond, and at risk from issue.
    for name in ("day after", "after the extended end"):
        assert flags(chair, cases[name], WEEK_5) == {"final_after_end", "timetabled_beyond", "s31_at_risk"}, name
        assert reason(chair, cases[name], WEEK_5) == f"{AT_RISK}; {BEYOND}; {FINAL_AFTER}."

    late = page(cases["day after"], WEEK_20)
    assert late.row("final") == (
        "Final hearing Target: By 6 July 2026 (26 weeks from issue), listed by 25 May 2026 (20 weeks from issue) "
        f"Listed for: 7 July 2026 (listed) {FINAL_AFTER}"
    )
    assert late.warnings() == [
        FINAL_AFTER,
        f"{BEYOND}. A hearing is listed for a date after the timetable end (26 weeks and any extensions),"
        " which has not passed yet.",
    ]
    extended = page(cases["day after, extended"], WEEK_20)
    assert extended.row("final") == (
        "Final hearing Target: By 31 August 2026 (the timetable end as extended by the court), listed by "
        "25 May 2026 (20 weeks from issue) Listed for: 7 July 2026 (listed)"
    )
    assert extended.warnings() == []
    assert page(cases["after the extended end"], WEEK_20).warnings()[0] == FINAL_AFTER
    none = page(cases["vacated"], WEEK_20)
    assert none.row("final").endswith(f"Listed for: not listed {NO_FINAL}")
    assert none.status == f"Amber {NO_FINAL}."


def test_it_puts_a_case_timetabled_beyond_26_weeks_at_risk_from_week_5(la_a, chair, page):
    beyond, proceedings = court_case(la_a)
    listing(proceedings, "fact_finding", D(2026, 7, 7))
    on_the_end, proceedings = court_case(la_a)
    listing(proceedings, "fact_finding", END)
    vacated, proceedings = court_case(la_a)
    listing(proceedings, "fact_finding", D(2026, 7, 7), status="vacated", vacated_on=D(2026, 2, 2))

    assert flags(chair, beyond, WEEK_5) == {"timetabled_beyond", "s31_at_risk"}
    assert reason(chair, beyond, WEEK_5) == f"{AT_RISK}; {BEYOND}."
    # Not on the day before issue; the risk ends when the timetable end passes (then it is past the limit).
    assert flags(chair, beyond, ISSUE - dt.timedelta(days=1)) == set()
    # "Already" beyond its end: raised on the end day itself, lowered the day after, when it is past the limit.
    assert {"timetabled_beyond", "s31_at_risk"} <= flags(chair, beyond, END)
    assert "s31_at_risk" not in flags(chair, beyond, D(2026, 7, 7))
    assert "timetabled_beyond" not in flags(chair, beyond, D(2026, 7, 7))
    assert "s31_past_limit" in flags(chair, beyond, D(2026, 7, 7))
    for family in (on_the_end, vacated):
        assert flags(chair, family, WEEK_5) == set()

    shown = page(beyond, WEEK_5)
    assert shown.status == f"Amber {AT_RISK}; {BEYOND}."
    assert shown.warnings() == [
        f"{BEYOND}. A hearing is listed for a date after the timetable end (26 weeks and any extensions),"
        " which has not passed yet."
    ]
    assert page(vacated, WEEK_5).warnings() == []


def test_it_filters_the_tracker_by_each_timetable_check(client, la_a, chair, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: WEEK_20)
    late_cmh, proceedings = court_case(la_a)
    listing(proceedings, "cmh", D(2026, 1, 23))
    listing(proceedings, "irh", D(2026, 5, 26))
    beyond, proceedings = court_case(la_a)
    listing(proceedings, "cmh", D(2026, 1, 16))
    listing(proceedings, "irh", D(2026, 5, 18))
    listing(proceedings, "final", D(2026, 7, 7))
    sign_in(client, chair)
    url = reverse("tracker:list")

    def listed(code):
        return {row["case"].pk for row in client.get(url, {"flag": code}).context["rows"]}

    assert listed("cmh_outside_window") == {late_cmh.pk}
    assert listed("irh_after_week") == {late_cmh.pk}
    assert listed("no_final_by_20") == {late_cmh.pk}
    assert listed("final_after_end") == {beyond.pk}
    assert listed("timetabled_beyond") == {beyond.pk}
    assert listed("no_irh_by_20") == set()
    page = client.get(url)
    choices = {label for _, label in page.context["filters"].form.fields["flag"].choices}
    assert {CMH_OUTSIDE, IRH_AFTER, NO_FINAL, FINAL_AFTER, BEYOND} <= choices
    rows = {row["case"].pk: row for row in page.context["rows"]}
    assert rows[late_cmh.pk]["reason"] == f"{CMH_OUTSIDE}; {IRH_AFTER}; {NO_FINAL}."
    assert rows[beyond.pk]["reason"] == f"{AT_RISK}; {BEYOND}; {FINAL_AFTER}."
    assert {rows[late_cmh.pk]["case"].rag, rows[beyond.pk]["case"].rag} == {"amber"}


def test_it_moves_the_checks_with_the_thresholds(la_a, chair):
    family, proceedings = court_case(la_a)
    listing(proceedings, "cmh", D(2026, 1, 23))  # day 19
    listing(proceedings, "irh", D(2026, 5, 26))  # 141 days after issue
    assert {"cmh_outside_window", "irh_after_week"} <= flags(chair, family, WEEK_5)
    # CMH by day 19 and IRH by week 21 (5 January + 147 days = 1 June): both now in time.
    m.Threshold.objects.filter(code="cmh_latest_day").update(value=19)
    m.Threshold.objects.filter(code="irh_by_week").update(value=21)
    assert not {"cmh_outside_window", "irh_after_week"} & flags(chair, family, WEEK_5)
    row = m.TrackerRow.objects.get(pk=family.pk)
    assert (row.cmh_window_first, row.cmh_window_last, row.irh_by) == (D(2026, 1, 16), D(2026, 1, 23), D(2026, 6, 1))


def test_it_shows_no_timetable_out_of_court(la_a, chair, page):
    family = f.FamilyFactory(local_authority=la_a, social_worker=f.UserFactory(local_authority=la_a))
    child = f.ChildFactory(family=family, date_of_birth=D(2020, 1, 1))
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=D(2026, 1, 5), start_date=D(2026, 1, 5))
    shown = page(family, WEEK_5)
    assert 'id="timetable"' not in shown.html
    assert shown.status == f"Green {ON_TRACK}"
    row = m.TrackerRow.objects.get(pk=family.pk)
    assert (row.cmh_window_first, row.cmh_window_last, row.irh_by, row.no_final_by_20_from) == (None,) * 4

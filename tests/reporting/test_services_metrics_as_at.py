"""The "as at" figures use only what was known by the month's last day (REFERENCE.md 4, "Listed as at a date").

The month under test is March 2026 (last day 31 March 2026, written L below), computed long after
it ended. Thresholds are the reference data's: the time limit 26 weeks = 182 days, the longest
extension 8 weeks = 56 days, the IRH by week 20 = 140 days. A timetable's end as at L is the issue
date + 182 days + 56 days for each extension granted on or before L; "past the limit" is an age
at L over 182 + 56 x those extensions, that is, L after that end.

Seven open Essex applications (one family each):

    case  issued       age at L  what is recorded
    A     21 Dec 2025  100 days  final hearing listed on 10 Jan for 9 Jul 2026, after its end 21 Jun 2026
    B     1 Nov 2025   150 days  IRH listed on 1 Feb for 10 Apr; final listed on 15 Apr (after L) for 1 Jun,
                                 after its end 2 May 2026
    C     1 Nov 2025   150 days  IRH listed on 1 Feb for 10 Apr, vacated on 20 Mar (before L)
    D     1 Nov 2025   150 days  IRH listed on 1 Feb for 10 Apr, vacated on 5 Apr (after L)
    E     22 Sep 2025  190 days  one extension, granted on 2 Apr (after L); no hearing
    F     22 Sep 2025  190 days  extensions granted on 2 Mar and 20 Apr (after L); final listed on 10 Mar
                                 for 25 May 2026, after its end as at L (22 Sep 2025 + 238 days = 18 May 2026)
    G     30 Jan 2026   60 days  CMH listed on 31 Jan for 12 Feb, held

At L: past the limit E only (190 > 182: its extension came later). At risk A (timetabled beyond,
at 14.3 weeks), C (150 >= 140 and its IRH was vacated by L) and F (190 >= 182, not past as
190 <= 182 + 56, and timetabled beyond): 3. Not B (its IRH counts; its final hearing was listed
after L), not D (its IRH was still listed at L), not E (past), not G. Timetabled beyond: A and F,
2 of 7 open = 28.6%.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cases import models as m
from cases import services
from reporting.models import MetricRun, MetricValue
from reporting.services import metrics
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
L = D(2026, 3, 31)
MARCH, APRIL = D(2026, 3, 1), D(2026, 4, 1)
AS_OF = D(2026, 11, 30)


def compute(first: dt.date = MARCH, last: dt.date = APRIL) -> MetricRun:
    run = metrics.metrics_compute(window=metrics.Window(first, last, AS_OF), trigger=MetricRun.Trigger.TEST)
    assert run.status == MetricRun.Status.SUCCEEDED, run.error
    return run


def value(la, metric: str, period: dt.date = MARCH):
    row = MetricValue.objects.filter(
        metric=metric, scope_type="la", scope_id=la.pk, period=period, dimension=""
    ).first()
    return None if row is None else row.value


def hearing_type(code: str) -> m.HearingType:
    return m.HearingType.objects.get(code=code)


def application(la, issue: dt.date, *, concluded: dt.date | None = None):
    family = f.FamilyFactory(local_authority=la)
    p = f.ProceedingsFactory(family=family, issue_date=issue, concluded_date=concluded)
    part = f.ChildProceedingsFactory(proceedings=p)
    return p, part


def listing(p, code: str, *, made: dt.date, for_date: dt.date, status: str = "listed", **extra):
    return f.HearingFactory(
        proceedings=p, hearing_type=hearing_type(code), listed_on=made, listed_date=for_date, status=status, **extra
    )


@pytest.fixture
def cases(la_a):
    a, _ = application(la_a, D(2025, 12, 21))
    listing(a, "final", made=D(2026, 1, 10), for_date=D(2026, 7, 9))

    b, _ = application(la_a, D(2025, 11, 1))
    b_irh = listing(b, "irh", made=D(2026, 2, 1), for_date=D(2026, 4, 10))
    b_final = listing(b, "final", made=D(2026, 4, 15), for_date=D(2026, 6, 1))

    c, _ = application(la_a, D(2025, 11, 1))
    listing(
        c,
        "irh",
        made=D(2026, 2, 1),
        for_date=D(2026, 4, 10),
        status="vacated",
        vacated_on=D(2026, 3, 20),
        reason_id="court_no_courtroom",
    )

    d, _ = application(la_a, D(2025, 11, 1))
    listing(
        d,
        "irh",
        made=D(2026, 2, 1),
        for_date=D(2026, 4, 10),
        status="vacated",
        vacated_on=D(2026, 4, 5),
        reason_id="court_no_courtroom",
    )

    e, e_part = application(la_a, D(2025, 9, 22))
    f.ExtensionFactory(child_proceedings=e_part, granted_date=D(2026, 4, 2), new_end_date=D(2026, 5, 18))

    p_f, f_part = application(la_a, D(2025, 9, 22))
    f.ExtensionFactory(child_proceedings=f_part, granted_date=D(2026, 3, 2), new_end_date=D(2026, 5, 18))
    f.ExtensionFactory(child_proceedings=f_part, granted_date=D(2026, 4, 20), new_end_date=D(2026, 7, 13))
    listing(p_f, "final", made=D(2026, 3, 10), for_date=D(2026, 5, 25))

    g, _ = application(la_a, D(2026, 1, 30))
    listing(g, "cmh", made=D(2026, 1, 31), for_date=D(2026, 2, 12), status="held")
    return {"la": la_a, "b_irh": b_irh, "b_final": b_final, "d": d, "e": e, "f": p_f}


def test_it_works_out_the_months_figures_from_what_was_known_at_its_last_day(cases):
    compute()
    la = cases["la"]
    assert value(la, "s31_open") == 7
    assert value(la, "s31_past_limit") == 1  # E
    assert value(la, "s31_at_risk") == 3  # A, C, F
    assert value(la, "s31_timetabled_beyond") == 2  # A, F
    share = MetricValue.objects.get(metric="s31_timetabled_beyond_share", scope_type="la", scope_id=la.pk, period=MARCH)
    assert (share.numerator, share.denominator) == (2, 7)
    assert round(share.value, 1) == Decimal("28.6")  # 100 x 2 / 7 = 28.57
    # The region holds Essex's applications only.
    assert MetricValue.objects.get(metric="s31_timetabled_beyond", scope_type="region", period=MARCH).value == 2


def test_it_takes_april_as_at_its_own_last_day(cases):
    compute()
    la = cases["la"]
    # At 30 April: A 130 days, B/C/D 180, E/F 220, G 90. E's extension (2 April) now counts: end 22 Sep 2025 +
    # 238 = 18 May, not past (220 <= 238), at risk (220 >= 182). F has two (end + 294 = 13 Jul): its 25 May
    # final is no longer beyond; at risk by age. B's final (listed 15 Apr for 1 Jun, after 2 May): beyond. D's
    # IRH was vacated on 5 April: at risk. C: at risk. A: beyond. So at risk A-F = 6, beyond A and B = 2.
    assert value(la, "s31_past_limit", APRIL) == 0
    assert value(la, "s31_at_risk", APRIL) == 6
    assert value(la, "s31_timetabled_beyond", APRIL) == 2


def test_a_listing_made_after_the_month_does_not_change_it(cases):
    compute()
    la = cases["la"]
    before = (value(la, "s31_at_risk"), value(la, "s31_timetabled_beyond"))
    assert before == (3, 2)
    # G gets a final hearing listed on 2 April for 1 December 2026, after its end (30 Jan + 182 = 31 Jul 2026).
    g = m.Proceedings.objects.get(issue_date=D(2026, 1, 30))
    listing(g, "final", made=D(2026, 4, 2), for_date=D(2026, 12, 1))
    compute()
    assert (value(la, "s31_at_risk"), value(la, "s31_timetabled_beyond")) == before
    # April (last day 30 April) sees it: G is at risk and timetabled beyond as well, 6 + 1 and 2 + 1.
    assert (value(la, "s31_at_risk", APRIL), value(la, "s31_timetabled_beyond", APRIL)) == (7, 3)


def month_rows(period: dt.date) -> set[tuple]:
    return set(
        MetricValue.objects.filter(period=period).values_list(
            "metric", "scope_type", "scope_id", "dimension", "value", "numerator", "denominator"
        )
    )


def test_re_listing_and_moving_listings_after_the_month_leaves_its_stored_figures_as_they_were(cases, social_worker):
    first = compute()
    march = month_rows(MARCH)
    april = month_rows(APRIL)
    la = cases["la"]
    # On 2 April B's IRH (10 April) is vacated and re-listed for 28 April, the new listing made that day.
    irh = cases["b_irh"]
    irh.status, irh.vacated_on, irh.reason_id = "vacated", D(2026, 4, 2), "court_no_courtroom"
    relisted = services.hearing_outcome_record(
        user=social_worker, hearing=irh, relisted_for=D(2026, 4, 28), relisted_on=D(2026, 4, 2)
    )
    assert (relisted.replaces, relisted.listed_on) == (irh, D(2026, 4, 2))
    # B's final hearing, listed after the month, is corrected: listed on 3 May (not 15 April) for 8 June.
    final = cases["b_final"]
    final.listed_on, final.listed_date = D(2026, 5, 3), D(2026, 6, 8)
    services.hearing_save(user=social_worker, hearing=final)
    # F's final hearing is re-listed on 15 April for 1 June, after F's end as at 31 March.
    f_final = m.Hearing.objects.get(proceedings=cases["f"])
    f_final.status, f_final.vacated_on, f_final.reason_id = "vacated", D(2026, 4, 15), "court_no_courtroom"
    services.hearing_outcome_record(
        user=social_worker, hearing=f_final, relisted_for=D(2026, 6, 1), relisted_on=D(2026, 4, 15)
    )

    second = compute()
    assert second.pk != first.pk
    # March's stored figures, every metric and scope, are exactly as they were.
    assert month_rows(MARCH) == march
    # April's are not: at 30 April B has an IRH (the re-listing, 28 April) and no final hearing listed yet
    # (listed on 3 May), so it is neither beyond nor at risk (180 days, under 182): at risk 6 - 1 = 5, beyond A
    # only. F's re-listing (1 June) is within its end as at 30 April (13 July): still not beyond.
    assert month_rows(APRIL) != april
    assert value(la, "s31_at_risk", APRIL) == 5
    assert value(la, "s31_timetabled_beyond", APRIL) == 1


def test_a_vacated_listing_counts_until_the_day_it_was_vacated(cases):
    compute()
    la = cases["la"]
    # D's IRH, vacated on 5 April, was listed at 31 March: D is not at risk in March (3 at risk: A, C, F).
    assert value(la, "s31_at_risk") == 3
    # Vacated on 31 March instead: it no longer counts on that day, so D (150 days >= 140, no IRH) is at risk too.
    m.Hearing.objects.filter(proceedings=cases["d"]).update(vacated_on=L)
    compute()
    assert value(la, "s31_at_risk") == 4
    # Vacated on 1 April: listed at 31 March again.
    m.Hearing.objects.filter(proceedings=cases["d"]).update(vacated_on=D(2026, 4, 1))
    compute()
    assert value(la, "s31_at_risk") == 3


def test_an_extension_granted_after_the_month_does_not_count_in_it(cases):
    compute()
    la = cases["la"]
    # E: 190 days at 31 March, its extension granted on 2 April: past (190 > 182 + 56 x 0).
    assert value(la, "s31_past_limit") == 1
    # F: one extension by 31 March (end 18 May), the second (20 April) does not count: 25 May is beyond.
    assert value(la, "s31_timetabled_beyond") == 2
    # E's extension granted on 31 March instead counts: E is no longer past (190 <= 238) but at risk (190 >= 182).
    m.Extension.objects.filter(child_proceedings__proceedings=cases["e"]).update(granted_date=L)
    compute()
    assert value(la, "s31_past_limit") == 0
    assert value(la, "s31_at_risk") == 4  # A, C, E, F


def test_a_case_past_the_limit_is_not_timetabled_beyond(la_a):
    # Issued 1 Sep 2025: 211 days at 31 March, past (211 > 182), with a final hearing listed for 1 May: it counts as
    # past the limit, not as timetabled beyond or at risk.
    p, _ = application(la_a, D(2025, 9, 1))
    listing(p, "final", made=D(2026, 1, 5), for_date=D(2026, 5, 1))
    # Issued 1 Oct 2025 (181 days at 31 March, end 1 April): a final hearing listed for 2 April is beyond by a day;
    # one listed for 1 April, its end, is not.
    q, _ = application(la_a, D(2025, 10, 1))
    listing(q, "final", made=D(2026, 1, 5), for_date=D(2026, 4, 2))
    r, _ = application(la_a, D(2025, 10, 1))
    listing(r, "final", made=D(2026, 1, 5), for_date=D(2026, 4, 1))
    compute(MARCH, MARCH)
    assert value(la_a, "s31_past_limit") == 1
    assert value(la_a, "s31_timetabled_beyond") == 1  # q
    # At risk: q (beyond) and r (181 days >= 140, no IRH).
    assert value(la_a, "s31_at_risk") == 2


def test_hearings_per_concluded_application_count_those_that_took_place_by_its_conclusion(la_a):
    # Concluded 20 March: CMH held 5 January, IRH adjourned on the day 2 March, a hearing vacated before the day,
    # a listing with no outcome recorded, final held 20 March, and a hearing recorded as held after the conclusion
    # (10 April). Took place by the conclusion: CMH, IRH, final = 3 (one application: 3.0).
    p, _ = application(la_a, D(2025, 12, 1), concluded=D(2026, 3, 20))
    listing(p, "cmh", made=D(2025, 12, 2), for_date=D(2026, 1, 5), status="held")
    listing(p, "irh", made=D(2026, 1, 5), for_date=D(2026, 3, 2), status="adjourned", reason_id="expert_late_report")
    listing(
        p,
        "irh",
        made=D(2026, 1, 5),
        for_date=D(2026, 2, 16),
        status="vacated",
        vacated_on=D(2026, 2, 10),
        reason_id="court_no_courtroom",
    )
    listing(p, "other", made=D(2026, 1, 5), for_date=D(2026, 3, 9))
    listing(p, "final", made=D(2026, 3, 2), for_date=D(2026, 3, 20), status="held")
    listing(p, "other", made=D(2026, 3, 25), for_date=D(2026, 4, 10), status="held")
    compute(D(2026, 2, 1), MARCH)
    assert value(la_a, "hearings_per_case") == 3
    # Lost hearings by the date they were listed for: the adjournment in March, the vacation in February.
    assert value(la_a, "hearings_adjourned") == 1
    assert value(la_a, "hearings_vacated") is None
    assert value(la_a, "hearings_vacated", D(2026, 2, 1)) == 1


def test_the_dashboard_shows_the_new_figure_its_share_and_its_definition(client, chair, analyst, cases):
    compute(MARCH, MARCH)  # the latest month with figures
    sign_in(client, chair)
    response = client.get(reverse("dashboard"), {"s": f"la:{cases['la'].pk}"})
    headlines = {h.metric.code: h for h in response.context["data"].headlines}
    assert headlines["s31_timetabled_beyond"].display == "2"
    assert headlines["s31_timetabled_beyond_share"].display == "28.6%"
    assert headlines["s31_at_risk"].display == "3"
    page = response.content.decode()
    assert "Open applications timetabled beyond 26 weeks" in page
    assert "Share of open applications timetabled beyond 26 weeks" in page
    assert "the issue date plus 182 days, plus 56 days for each extension granted" in page
    assert "Timetabled beyond 26 weeks" in response.context["charts"]["open"].headers

    # An analyst sees Essex's figures suppressed: 2 is under 5, and the share would give the 2 away (2 / 7 open).
    client.logout()
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"), {"s": f"la:{cases['la'].pk}"})
    headlines = {h.metric.code: h for h in response.context["data"].headlines}
    assert headlines["s31_timetabled_beyond"].display == "[c]"
    assert headlines["s31_timetabled_beyond_share"].display == "[c]"
    assert headlines["s31_open"].display == "7"


def test_the_board_pack_shows_the_new_figure_and_its_share(la_a, la_b, tmp_path):
    from reporting.services import board_packs
    from tests.reporting.test_services_board_packs import line_with, pdf_text

    # Essex: five applications issued 21 December 2025 (100 days at 31 March, end 21 June 2026), each with a final
    # hearing listed on 10 January for 9 July 2026, and three issued 30 January 2026 with no hearing: 8 open,
    # 5 timetabled beyond (5 / 8 = 62.5%), the same 5 at risk. Suffolk: six such of 10 open (60.0%). Region: 11 of
    # 18 = 61.1%. Southend-on-Sea and Thurrock: none open, so no share.
    for la, beyond, other in ((la_a, 5, 3), (la_b, 6, 4)):
        for _ in range(beyond):
            p, _ = application(la, D(2025, 12, 21))
            listing(p, "final", made=D(2026, 1, 10), for_date=D(2026, 7, 9))
        for _ in range(other):
            application(la, D(2026, 1, 30))
    compute(MARCH, MARCH)
    pack = board_packs.board_pack_generate(month=MARCH)
    text = pdf_text(pack, tmp_path)
    # Labels may wrap in the narrow headline tables: the figures are on the label's first line.
    essex = line_with(text, "Open applications timetabled beyond", after="Essex: headline figures").split()
    assert essex[-4] == "5"  # this month, then last month, last year and national
    # The care proceedings table: region, then Essex, Southend-on-Sea, Suffolk, Thurrock.
    count = line_with(text, "Open applications timetabled beyond", after="Care proceedings by local authority")
    assert count.split()[-5:] == ["11", "5", "0", "6", "0"]
    share = line_with(text, "Share of open applications timetabled", after="Care proceedings by local authority")
    assert share.split()[-5:] == ["61.1%", "62.5%", "\N{EN DASH}", "60.0%", "\N{EN DASH}"]
    at_risk = line_with(text, "Open applications at risk", after="Care proceedings by local authority")
    assert at_risk.split()[-5:] == ["11", "5", "0", "6", "0"]
    glossary = " ".join(text[text.rindex("Glossary: what each figure means") :].split())
    assert (
        "Open applications timetabled beyond 26 weeks Open applications not past the limit with a hearing listed at "
        "the month's last day (the listing made on or before that day and not vacated on or before it) for a date "
        "after the end of their timetable: the issue date plus 182 days, plus 56 days for each extension granted"
    ) in glossary

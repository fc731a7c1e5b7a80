"""Disclosure control: no suppressed figure can be worked out from the figures shown beside it.

Two kinds of test. Hand-worked tables through ``reporting.selectors.disclosure_control``, the one
selector that applies primary and secondary suppression. And an attack: data built through the
factories, the metrics computed, then the analyst's dashboard (every scope), its CSV downloads and
the board pack rendered, read as a reader would read them (the page's HTML, the CSV text, the PDF's
text), and every [c] tried against its totals, the other cells of its row or column and its
percentages. The attack knows only what a figure means (a count of the region is the sum of its
LAs' counts; the Cafcass bands add up to the applications concluded; a share is its numerator over
its denominator), not how the selector works.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import thresholds
from reporting import catalogue
from reporting.charts import SUPPRESSED as WITHHELD
from reporting.models import MetricValue, ScopeType
from reporting.selectors import BUILT_ON, Figures, Line, Table, disclosure_control
from reporting.services import board_packs, metrics
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

SUPPRESSED = "[c]"
DASH = "\N{EN DASH}"
LAS = ["Essex", "Southend-on-Sea", "Suffolk", "Thurrock"]  # the pack's columns after the region, by name
SCOPES = ["Region", *LAS]
DFE = {"Essex": "881", "Southend-on-Sea": "882", "Suffolk": "935", "Thurrock": "883"}
COUNTS = {metric.code for metric in catalogue.METRICS if metric.unit == catalogue.Unit.COUNT}


def last_month() -> dt.date:
    return metrics.add_months(metrics.month_start(timezone.localdate()), -1)


# ---------------------------------------------------------------------------
# The data: one month's figures with small numbers in every table
# ---------------------------------------------------------------------------


def concluded(la, days: int):
    end = last_month().replace(day=10)
    family = f.FamilyFactory(local_authority=la)
    proceedings = f.ProceedingsFactory(family=family, issue_date=end - dt.timedelta(days=days), concluded_date=end)
    f.ChildProceedingsFactory(proceedings=proceedings)


def still_open(la):
    family = f.FamilyFactory(local_authority=la)
    issued = metrics.add_months(last_month(), -3)  # 13 weeks or so at the month's end: not at risk
    f.ChildProceedingsFactory(proceedings=f.ProceedingsFactory(family=family, issue_date=issued))


def decided(la, days: int, outcome: str):
    end = last_month().replace(day=10)
    start = end - dt.timedelta(days=days)
    f.EpisodeFactory(
        family=f.FamilyFactory(local_authority=la),
        gateway_meeting_date=start,
        start_date=start,
        step_decision_date=end,
        outcome=outcome,
    )


def open_episode(la):
    start = metrics.add_months(last_month(), -1).replace(day=5)
    f.EpisodeFactory(family=f.FamilyFactory(local_authority=la), gateway_meeting_date=start, start_date=start)


def viability(la, *, on_time: bool):
    completed = last_month().replace(day=20)
    instructed = completed - dt.timedelta(days=10 if on_time else 30)  # target: 2 weeks
    f.AssessmentFactory(
        family=f.FamilyFactory(local_authority=la),
        episode=None,
        assessment_type=m.AssessmentType.objects.get(code="viability"),
        instructed_date=instructed,
        completed_date=completed,
        due_date=None,
    )


@pytest.fixture
def region():
    """The month's figures, by hand (Essex, Southend, Suffolk, Thurrock; the region is their sum):

    Applications concluded: 13, 1, 6, 7 (region 27). By Cafcass band (26 weeks or less: 182 days or
    fewer; 27 to 29 weeks; 30 weeks or more: 210 days or more):
        26 weeks or less   1, 0, 3, 5   (region 9)
        27 to 29 weeks     0, 0, 1, 2   (region 3)
        30 weeks or more  12, 1, 2, 0   (region 15)
    so Essex's share within 26 weeks is 1 / 13 = 7.7%: the issue's example, a count of one given away.
    Open applications at the month's end: 8, 5, 2, 6 (region 21), none at risk.
    Pre-proceedings decided: Essex 10 (5 stepped down, 5 issued; 2 over the 16 weeks), Suffolk 6 (all
    stepped down, none over); open episodes: Essex 3, Thurrock 7 (region 10).
    Viability assessments completed: Essex 6 (5 on time, 1 late), Suffolk 1 (on time): region 7.
    """
    essex, southend, suffolk, thurrock = (f.la(DFE[name]) for name in LAS)
    for la, days in [(essex, 150)] + [(essex, 250)] * 12 + [(southend, 473)]:
        concluded(la, days)
    for days in (170, 170, 170, 196, 300, 300):
        concluded(suffolk, days)
    for days in (160, 160, 160, 160, 160, 200, 200):
        concluded(thurrock, days)
    for la, n in ((essex, 8), (southend, 5), (suffolk, 2), (thurrock, 6)):
        for _ in range(n):
            still_open(la)
    for n in range(10):
        decided(essex, 150 if n < 2 else 60, c.PPOutcome.STEP_DOWN if n % 2 else c.PPOutcome.ISSUE)
    for _ in range(6):
        decided(suffolk, 60, c.PPOutcome.STEP_DOWN)
    for la, n in ((essex, 3), (thurrock, 7)):
        for _ in range(n):
            open_episode(la)
    for n in range(6):
        viability(essex, on_time=n > 0)
    viability(suffolk, on_time=True)
    month = last_month()
    metrics.metrics_compute(window=metrics.Window(metrics.add_months(month, -23), month, timezone.localdate()))
    return {name: f.la(DFE[name]) for name in LAS}


# ---------------------------------------------------------------------------
# Reading what a reader sees: the dashboard's HTML, its CSV text, the pack's text
# ---------------------------------------------------------------------------

# (metric code, dimension, scope name, month) -> the figure as printed
Shown = dict[tuple[str, str, str, dt.date], str]


def record(shown: Shown, where: str, key: tuple, text: str) -> None:
    """Note a figure; the same figure must read the same wherever it is shown."""
    text = text.strip()
    if key in shown and shown[key] != text:
        pytest.fail(f"{key} reads {shown[key]!r} in one place and {text!r} in {where}")
    shown[key] = text


def bare(text: str) -> str:
    """A figure's number as printed, without its unit ("34.6 weeks" -> "34.6", "7.7%" -> "7.7")."""
    text = text.strip()
    if text in ("no data", "No data"):
        return DASH  # the dashboard's words for the pack's and the CSV's en dash
    if text in (SUPPRESSED, DASH):
        return text
    return text.split()[0].rstrip("%").replace(",", "")


def read_dashboard(client, scope_key: str, scope_name: str, month: dt.date, shown: Shown) -> None:
    """Every headline figure of a dashboard page, and its comparisons, and every CSV download's rows."""
    content = client.get(reverse("dashboard"), {"s": scope_key}).content.decode()
    cards = re.findall(r'data-metric="([^"]+)">(.*?)</dl>', content, flags=re.S)
    assert cards, "no headline figures on the page"
    last_month_, last_year = metrics.add_months(month, -1), metrics.add_months(month, -12)
    for code, card in cards:
        value = re.search(r'app-metric__value">([^<]*)<', card).group(1)
        record(shown, "the dashboard", (code, "", scope_name, month), bare(html.unescape(value)))
        for label, text in re.findall(r"<dt>([^<]*):</dt> <dd>([^<]*)", card):
            where = {"Last month": (scope_name, last_month_), "Same month last year": (scope_name, last_year)}.get(
                label, (label, month) if label in SCOPES else None
            )
            if where:
                record(shown, "the dashboard", (code, "", *where), bare(html.unescape(text)))
        # The denominator a figure is said to be built on is that count's figure ("Based on 13 applications ...").
        base = re.search(r'app-metric__base">Based on ([\d,]+) ', card)
        counts = catalogue.get(code).base.counts if base else ()
        if len(counts) == 1:
            (count, dimension), number = counts[0], base.group(1).replace(",", "")
            record(shown, "a denominator on the dashboard", (count, dimension, scope_name, month), number)
    read_side_by_side(content, month, shown)
    # Each download's columns after the month, by their headings: the scope's series, and the region's.
    labels = {metric.worded(thresholds.current()).label: metric.code for metric in catalogue.METRICS}
    series = {"Open": "s31_open", "At risk": "s31_at_risk"}
    series_pp = {"Open": "pp_open", "Over threshold": "pp_open_over_threshold"}
    for download, codes in (("duration", {}), ("open", series), ("pre_proceedings", series_pp)):
        text = client.get(reverse("dashboard"), {"s": scope_key, "csv": download}).content.decode()
        header, *rows = list(csv.reader(io.StringIO(text)))
        columns = []
        for heading in header[1:]:
            name = "Region" if heading.startswith("Region") else scope_name
            code = "s31_duration_mean" if download == "duration" else codes.get(heading, labels.get(heading))
            columns.append((code, name))
        for row in rows:
            when = dt.datetime.strptime(row[0], "%b %Y").replace(tzinfo=dt.UTC).date()
            for (code, name), cell in zip(columns, row[1:], strict=True):
                if code:  # a series named by neither the chart nor the catalogue is not read
                    record(shown, f"the {download} CSV", (code, "", name, when), bare(cell))


def pdf_text(pack) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", pack.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout


FIGURE = re.compile(r"^(\[c\]|\N{EN DASH}|[\d,]+(\.\d+)?%?)$")


def table_rows(text: str, caption: str, labels: dict[str, tuple[str, str]], columns: int) -> dict:
    """{(code, dimension): cells} for the rows of the table under a caption, found by their labels.

    A row is a label then at least ``columns`` figures; a long label may wrap onto the next line, so
    the words before the last ``columns`` figures are the label or its start.
    """
    found = {}
    for line in text[text.index(caption) :].splitlines()[1:]:
        words = [word for word in line.split() if word != "(uncertain)"]  # a national figure's mark
        figures = words[-columns:]
        if len(words) <= columns or not all(FIGURE.match(word) for word in figures):
            continue
        start = " ".join(words[:-columns])
        matches = [label for label in labels if label == start or label.startswith(start + " ")]
        if matches:
            key = labels[min(matches, key=len)]  # the label itself before a longer one it begins
            found.setdefault(key, figures)
        if len(found) == len(labels):
            break
    assert len(found) == len(labels), f"{caption}: found {sorted(found)}"
    return found


def label(code: str) -> str:
    return catalogue.get(code).worded(thresholds.current()).label


def read_pack(month: dt.date, shown: Shown) -> str:
    pack = board_packs.board_pack_generate(month=month)
    text = pdf_text(pack)
    labels = {label(code): (code, "") for code in board_packs.PROCEEDINGS}
    for (code, dim), cells in table_rows(text, "Care proceedings by local authority", labels, 5).items():
        for name, cell in zip(SCOPES, cells, strict=True):
            record(shown, "the pack", (code, dim, name, month), bare(cell))
    labels = {label(code): (code, "") for code in board_packs.PRE_PROCEEDINGS}
    for (code, dim), cells in table_rows(text, "Pre-proceedings by local authority", labels, 5).items():
        for name, cell in zip(SCOPES, cells, strict=True):
            record(shown, "the pack", (code, dim, name, month), bare(cell))
    bands = {"26 weeks or less": ("s31_duration_band", "le26"), "27 to 29 weeks": ("s31_duration_band", "27_29")}
    bands["30 weeks or more"] = ("s31_duration_band", "ge30")
    for (code, dim), cells in table_rows(text, "Concluded applications by Cafcass duration band", bands, 5).items():
        for name, cell in zip(SCOPES, cells, strict=True):
            record(shown, "the pack", (code, dim, name, month), bare(cell))
    # Assessments: a row of counts per type, then a row of shares on time.
    lines = text[text.index("Assessments completed, and share on time, by type") :].splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("Viability"))
    completed = [word for word in lines[index].split() if FIGURE.match(word)][-5:]
    shares = next(line for line in lines[index + 1 :] if line.strip().startswith("on time"))
    on_time = [word for word in shares.split() if FIGURE.match(word)][-5:]
    for name, count, share in zip(SCOPES, completed, on_time, strict=True):
        record(shown, "the pack", ("assessments_completed", "viability", name, month), bare(count))
        record(shown, "the pack", ("assessments_on_time_share", "viability", name, month), bare(share))
    # Each scope's headline table: this month, last month, the same month last year.
    headline_labels = {label(code): code for code in board_packs.HEADLINES}
    captions = ["Headline figures, region", *(f"{name}: headline figures" for name in LAS)]
    when = [month, metrics.add_months(month, -1), metrics.add_months(month, -12)]
    for name, caption in zip(SCOPES, captions, strict=True):
        rows = table_rows(text, caption, {label: (code, "") for label, code in headline_labels.items()}, 4)
        for (code, dim), cells in rows.items():
            for period, cell in zip(when, cells[:3], strict=True):
                record(shown, "the pack", (code, dim, name, period), bare(cell))
    return text


# ---------------------------------------------------------------------------
# The attack
# ---------------------------------------------------------------------------


def number(text: str) -> Decimal | None:
    """A shown figure's value; an en dash (nothing recorded) is none; None for [c]."""
    if text == SUPPRESSED:
        return None
    if text == DASH:
        return Decimal(0)
    return Decimal(text)


def lines_of(shown: Shown) -> list[tuple[tuple, list[tuple]]]:
    """(total, parts) for every sum a reader can check: the region and its LAs, the bands and their total."""
    result = []
    for code, dim, name, when in shown:
        if name == "Region" and code in COUNTS:
            parts = [(code, dim, la, when) for la in LAS]
            if all(part in shown for part in parts):
                result.append(((code, dim, name, when), parts))
        if code == "s31_concluded":
            parts = [("s31_duration_band", band, name, when) for band, _ in catalogue.S31_BANDS]
            if all(part in shown for part in parts):
                result.append(((code, dim, name, when), parts))
    return result


# (share, numerator, denominator): a share shown with its denominator gives its numerator.
def shares_of(shown: Shown) -> list[tuple[tuple, tuple, tuple]]:
    return [
        (key, ("s31_duration_band", "le26", key[2], key[3]), ("s31_concluded", "", key[2], key[3]))
        for key in shown
        if key[0] == "s31_within_26_share"
    ]


def derive(shown: Shown, known: dict | None = None) -> dict[tuple, tuple[Decimal, str]]:
    """Every [c] a reader can work out (with how), repeating until nothing more comes out.

    ``known``: figures the reader knows already (an LA's own staff know their LA's figures exactly).
    """
    values = {key: number(text) for key, text in shown.items()}
    values.update(known or {})
    derived: dict[tuple, tuple[Decimal, str]] = {}
    lines, shares = lines_of(shown), shares_of(shown)

    def learn(cell, value, how) -> None:
        nonlocal found
        values[cell], derived[cell], found = value, (value, how), True

    found = True
    while found:
        found = False
        for total, parts in lines:
            unknown = [cell for cell in (total, *parts) if values[cell] is None]
            if len(unknown) == 1:
                (cell,) = unknown
                others = sum(values[part] for part in parts if part != cell)
                learn(cell, others if cell == total else values[total] - others, f"from {total} and its parts")
        for share, numerator, denominator in shares:
            if numerator not in values or denominator not in values:
                continue  # not shown at all: nothing to work out
            rate, top, bottom = values[share], values[numerator], values[denominator]
            if rate is not None and bottom is not None and top is None:
                learn(numerator, (rate * bottom / 100).quantize(Decimal(1)), f"{share} of {denominator}")
            elif rate and top is not None and bottom is None:
                learn(denominator, (top * 100 / rate).quantize(Decimal(1)), f"{numerator} over {share}")
    return {key: how for key, how in derived.items() if key not in (known or {})}


def read_side_by_side(content: str, month: dt.date, shown: Shown) -> None:
    """The four LAs side by side (the region's page): every cell, by its column's name."""
    if 'id="side-by-side"' not in content:
        return
    start = content.index('id="side-by-side"')
    table = content[start : content.index("</table>", start)]
    names = [html.unescape(name) for name in re.findall(r'header--numeric">([^<]*)</th>', table)]
    rows = re.findall(r'data-figure="([^"]+)">(.*?)</tr>', table, flags=re.S)
    assert names[-1] == "Region", "the side-by-side table was not read"
    assert len(rows) > 10, "the side-by-side table was not read"
    for code, row in rows:
        cells = re.findall(r'cell--numeric">([^<]*)</td>', row)
        for name, cell in zip(names, cells, strict=True):
            record(shown, "the side-by-side table", (code, "", name, month), bare(html.unescape(cell)))


def own_figures(la, name: str, shown: Shown) -> dict:
    """What an LA's own staff know exactly, from their own records: every count of their LA."""
    rows = MetricValue.objects.filter(scope_type=ScopeType.LA, scope_id=la.pk, metric__in=COUNTS)
    stored = {(row.metric, row.dimension, row.period): row.value for row in rows}
    return {
        key: stored.get((key[0], key[1], key[3]), Decimal(0)) for key in shown if key[2] == name and key[0] in COUNTS
    }


def everything_shown_to_an_analyst(client, analyst, region) -> Shown:
    month = last_month()
    shown: Shown = {}
    sign_in(client, analyst)
    read_dashboard(client, "region:", "Region", month, shown)
    for name, la in region.items():
        read_dashboard(client, f"la:{la.pk}", name, month, shown)
    read_pack(month, shown)
    return shown


def test_no_suppressed_figure_of_the_analysts_dashboard_its_csvs_or_the_pack_can_be_worked_out(client, analyst, region):
    shown = everything_shown_to_an_analyst(client, analyst, region)
    month = last_month()
    # Nothing suppressed can be worked out from what is shown, by anyone...
    assert derive(shown) == {}
    # ... nor can an LA's own staff, who know their own figures, work out another LA's count of 1 to 4.
    for name, la in region.items():
        worked_out = derive(shown, known=own_figures(la, name, shown))
        small = {key: how for key, how in worked_out.items() if key[2] in LAS and 0 < how[0] < 5}
        assert small == {}, name

    # The figures the issue names are suppressed: Southend's one application, its 67.6 weeks; Essex's one
    # application within 26 weeks, and its share of 1 / 13 = 7.7%.
    assert shown[("s31_concluded", "", "Southend-on-Sea", month)] == SUPPRESSED
    assert shown[("s31_duration_mean", "", "Southend-on-Sea", month)] == SUPPRESSED
    assert shown[("s31_duration_band", "le26", "Essex", month)] == SUPPRESSED
    assert shown[("s31_within_26_share", "", "Essex", month)] == SUPPRESSED
    assert "67.6" not in shown.values()
    # Not by suppressing everything: the region's and Essex's totals are shown.
    assert shown[("s31_concluded", "", "Region", month)] == "27"
    assert shown[("s31_concluded", "", "Essex", month)] == "13"
    # Essex's mean: (150 + 12 x 250) / 13 / 7 = 3150 / 91 = 34.6 weeks.
    assert shown[("s31_duration_mean", "", "Essex", month)] == "34.6"
    # Open: 21, 8, then Southend 5, Suffolk 2 and Thurrock 6 withheld: Suffolk's 2 (a small count), Southend's 5
    # (the next smallest), Thurrock's 6 (else Southend's staff, who know their 5, have Suffolk's 2: 21 - 8 - 5 - 6).
    row = [shown[("s31_open", "", name, month)] for name in SCOPES]
    assert row == ["21", "8", SUPPRESSED, SUPPRESSED, SUPPRESSED]
    # Pre-proceedings decided in the month: 16, 10, 0, 6, 0: nothing small, all shown; 2 of Essex's 10 over the
    # threshold is a count of 2, so the share (20.0%) is withheld, and the region's (2 of 16) with it. Suffolk's 0
    # of 6 gives nobody away. The step-down rate: Essex 5 / 10 = 50.0%, Suffolk 6 / 6 = 100.0%, region 11 / 16.
    assert [shown[("pp_decided", "", name, month)] for name in SCOPES] == ["16", "10", "0", "6", "0"]
    assert [shown[("pp_over_threshold_share", "", name, month)] for name in SCOPES] == [
        SUPPRESSED,
        SUPPRESSED,
        DASH,
        "0.0",
        DASH,
    ]
    assert [shown[("pp_step_down_rate", "", name, month)] for name in SCOPES] == ["68.8", "50.0", DASH, "100.0", DASH]


def test_an_las_own_staff_still_see_their_las_figures_exactly(client, region):
    southend = region["Southend-on-Sea"]
    worker = f.UserFactory(username="sw.southend", role=c.Role.SOCIAL_WORKER, local_authority=southend)
    sign_in(client, worker)
    shown: Shown = {}
    read_dashboard(client, f"la:{southend.pk}", "Southend-on-Sea", last_month(), shown)
    month = last_month()
    assert shown[("s31_concluded", "", "Southend-on-Sea", month)] == "1"
    assert shown[("s31_duration_mean", "", "Southend-on-Sea", month)] == "67.6"  # 473 / 7
    assert shown[("s31_open", "", "Southend-on-Sea", month)] == "5"
    # The region reads as it does for everyone else: the same table, the same cells withheld.
    assert shown[("s31_concluded", "", "Region", month)] == "27"
    assert shown[("s31_within_26_share", "", "Region", month)] == SUPPRESSED


# ---------------------------------------------------------------------------
# The selector, on tables worked by hand
# ---------------------------------------------------------------------------


def control(counts: dict, lines, *, threshold: int = 5, insiders=None, **table) -> set:
    """The cells withheld from a table of counts and its lines, each (total, parts) or (total, parts, options)."""
    values = {cell: Decimal(value) for cell, value in counts.items()}
    made = [Line(line[0], tuple(line[1]), **(line[2] if len(line) > 2 else {})) for line in lines]
    return set(disclosure_control(Table(values, made, insiders=insiders or {}, **table), threshold=threshold))


@pytest.mark.parametrize(("count", "withheld"), [(0, False), (1, True), (4, True), (5, False), (900, False)])
def test_it_withholds_a_count_from_one_to_four(count, withheld):
    assert control({"a": count}, []) == ({"a"} if withheld else set())


def test_it_takes_the_threshold_it_is_given():
    assert control({"a": 2, "b": 3}, [], threshold=3) == {"a"}


def test_it_withholds_the_next_smallest_cell_of_a_column_with_a_total():
    # Essex's concluded applications by band (the issue): 13 = 1 + 0 + 12. The 1 is withheld; alone, it would be
    # 13 - 0 - 12, so the smallest other cell that is not zero is withheld too: the 12. The zero stays: it gives
    # nobody away, and withholding it would protect nothing (a reader would still have 1 + 0 = 13 - 12).
    cells = {"total": 13, "le26": 1, "27_29": 0, "ge30": 12}
    assert control(cells, [("total", ["le26", "27_29", "ge30"])]) == {"le26", "ge30"}


def test_it_withholds_the_next_smallest_la_so_the_region_gives_nothing_away():
    # Region 27 = Essex 13 + Southend 1 + Suffolk 6 + Thurrock 7: Southend's 1, then the smallest other, Suffolk's 6.
    cells = {"region": 27, "essex": 13, "southend": 1, "suffolk": 6, "thurrock": 7}
    line = [("region", ["essex", "southend", "suffolk", "thurrock"])]
    assert control(cells, line) == {"southend", "suffolk"}
    # Suffolk's own staff know their 6, and would have Southend's 1 = 27 - 13 - 6 - 7: Thurrock's 7 goes too.
    # Then each LA's staff still face two unknowns (Southend's: Suffolk and Thurrock; Thurrock's: the other two).
    insiders = {name: frozenset({name}) for name in ("essex", "southend", "suffolk", "thurrock")}
    assert control(cells, line, insiders=insiders) == {"southend", "suffolk", "thurrock"}


def test_it_protects_both_ways_in_a_table_with_row_and_column_totals():
    #            X    Y   total
    #   a        2    6     8      a-X (2) is withheld; row a: then a-Y (6, smaller than 8).
    #   b        5    9    14      column Y: a-Y alone, so b-Y (9, smaller than 15); column X: a-X alone,
    #   total    7   15    22      so b-X (5, smaller than 7); row b then has two. The totals all stay.
    cells = {"aX": 2, "aY": 6, "a": 8, "bX": 5, "bY": 9, "b": 14, "X": 7, "Y": 15, "all": 22}
    lines = [("a", ["aX", "aY"]), ("b", ["bX", "bY"]), ("X", ["aX", "bX"]), ("Y", ["aY", "bY"]), ("all", ["a", "b"])]
    lines.append(("all", ["X", "Y"]))
    assert control(cells, lines) == {"aX", "aY", "bX", "bY"}


def test_it_never_withholds_a_zero_to_protect_another_cell():
    # 10 = 3 + 0 + 7: the 3, then the 7; the 0 is shown (a true zero, not disclosive).
    assert control({"t": 10, "a": 3, "b": 0, "c": 7}, [("t", ["a", "b", "c"])]) == {"a", "c"}


def test_it_withholds_a_twelve_month_figure_rather_than_one_of_its_months():
    # 12 months of 5 applications but one of 3: 58 in the 12 months. The 3 is withheld; alone, it would be 58 less
    # the others, so the 12-month figure is withheld (a month already published stays as it was).
    months = {f"m{n}": 5 for n in range(11)} | {"m11": 3}
    cells = {"year": 58, **months}
    assert control(cells, [("year", list(months), {"withhold_total": True})]) == {"m11", "year"}


def test_it_withholds_a_figure_with_what_it_is_built_on():
    # Region 20 = Essex 12 + Southend 1 + Suffolk 7: Southend's 1, then Suffolk's 7 to protect it. A share of
    # Suffolk's 7 goes with it (it would give the 7 back), Essex's stays; Southend's, on 1 case, is withheld anyway.
    cells = {"region": 20, "essex": 12, "southend": 1, "suffolk": 7}
    table = {
        "built_on": {"suffolk share": ["suffolk"], "essex share": ["essex"]},
        "few_cases": frozenset({"southend share"}),
    }
    withheld = control(cells, [("region", ["essex", "southend", "suffolk"])], **table)
    assert withheld == {"southend", "suffolk", "suffolk share", "southend share"}


D = dt.date
MARCH = D(2026, 3, 1)


def figures(rows: dict, *, threshold: int = 5) -> Figures:
    """Figures for March from {(metric, scope, dimension): value or (value, numerator, denominator)}.

    Scopes: "region", or an LA's id (1 to 4).
    """
    values, cases, fractions = {}, {}, {}
    for (metric, scope, dimension), value in rows.items():
        key = (metric, "region" if scope == "region" else "la", None if scope == "region" else scope, dimension, MARCH)
        value, numerator, denominator = value if isinstance(value, tuple) else (value, value, None)
        values[key] = Decimal(value)
        spec = catalogue.get(metric)
        if spec.cases is not None:
            fractions[key] = (Decimal(numerator), Decimal(denominator))
            cases[key] = fractions[key][0 if spec.cases == catalogue.Cases.NUMERATOR else 1]
    return Figures(values=values, cases=cases, threshold=threshold, fractions=fractions)


def test_it_withholds_a_share_whose_numerator_is_withheld():
    # Essex: 13 concluded, 1 within 26 weeks (7.7%): the 1 is withheld, and so the share. Suffolk: 10 concluded,
    # 5 within (50.0%), 5 at 30 weeks or more: nothing small, all shown.
    rows = {}
    for la, (n, within, over) in {1: (13, 1, 12), 3: (10, 5, 5)}.items():
        rows |= {("s31_concluded", la, ""): n, ("s31_duration_band", la, "le26"): within}
        rows |= {("s31_duration_band", la, "27_29"): 0, ("s31_duration_band", la, "ge30"): over}
        rows[("s31_within_26_share", la, "")] = (Decimal(100 * within) / n, within, n)
    shown = figures(rows)
    assert shown.shown("s31_within_26_share", "la", 1, MARCH) is WITHHELD
    assert shown.shown("s31_duration_band", "la", 1, MARCH, "ge30") is WITHHELD  # 13 - 0 - 12 = 1 otherwise
    assert shown.shown("s31_concluded", "la", 1, MARCH) == 13
    assert shown.shown("s31_within_26_share", "la", 3, MARCH) == 50


@pytest.mark.parametrize(("over", "shown"), [(0, True), (2, False), (5, True), (9, False), (10, True)])
def test_it_withholds_a_share_that_would_give_away_a_small_count_on_either_side(over, shown):
    # Of 10 episodes decided, ``over`` over the threshold: the share gives away both ``over`` and 10 - ``over``.
    rate = Decimal(10 * over)
    result = figures({("pp_decided", 1, ""): 10, ("pp_over_threshold_share", 1, ""): (rate, over, 10)})
    assert (result.shown("pp_over_threshold_share", "la", 1, MARCH) == rate) is shown


def test_it_withholds_another_las_rate_so_the_regions_rate_gives_nothing_away():
    # Applications in 12 months (a rate per 10,000 over a published population gives them away): region 40 =
    # Essex 20 + Southend 3 + Suffolk 10 + Thurrock 7. Southend's 3 is a small count, so its rate is withheld;
    # then the next smallest LA's (Thurrock, 7), else 40 - 20 - 10 - 7 = 3; then Suffolk's (10), else Thurrock's
    # staff, who know their 7, would have Southend's 3 all the same.
    rows = {}
    for scope, n, population in (("region", 40, 400000), (1, 20, 200000), (2, 3, 50000), (3, 10, 100000)):
        rows[("s31_application_rate", scope, "")] = (Decimal(10000 * n) / population, n, population)
    rows[("s31_application_rate", 4, "")] = (Decimal(10000 * 7) / 50000, 7, 50000)
    result = figures(rows)
    assert [result.shown("s31_application_rate", "la", la, MARCH) is WITHHELD for la in (1, 2, 3, 4)] == [
        False,
        True,
        True,
        True,
    ]


def test_it_shows_the_same_cells_withheld_whoever_sees_the_exact_figures():
    rows = {("s31_concluded", "region", ""): 27, ("s31_concluded", 1, ""): 13, ("s31_concluded", 2, ""): 1}
    rows |= {("s31_concluded", 3, ""): 6, ("s31_concluded", 4, ""): 7}
    analyst = figures(rows)
    southend = dataclasses.replace(analyst, exact=frozenset({("la", 2)}))
    assert southend.shown("s31_concluded", "la", 2, MARCH) == 1  # their own
    for scope_type, scope_id in (("region", None), ("la", 1), ("la", 3), ("la", 4)):
        assert southend.shown("s31_concluded", scope_type, scope_id, MARCH) == analyst.shown(
            "s31_concluded", scope_type, scope_id, MARCH
        )


def test_every_rate_in_the_catalogue_says_what_it_is_built_on():
    # A new rate or average must say which counts it is withheld with (``BUILT_ON``), or it would be protected
    # by the small-number rule alone.
    rates = {metric.code for metric in catalogue.METRICS if metric.cases is not None}
    assert rates <= set(BUILT_ON)

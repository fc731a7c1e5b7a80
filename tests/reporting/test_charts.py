"""Server-side SVG charts: well-formed, accessible, honest about their data. No database needed."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from reporting.charts import (
    ALL_SUPPRESSED,
    NO_DATA,
    RECORDED_SUPPRESSED,
    SUPPRESSED,
    Chart,
    Series,
    bar_chart,
    line_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [
    "Dec 2025",
    "Jan 2026",
    "Feb 2026",
    "Mar 2026",
    "Apr 2026",
    "May 2026",
    "Jun 2026",
    "Jul 2026",
    "Aug 2026",
    "Sep 2026",
    "Oct 2026",
    "Nov 2026",
]
DASH = "\N{EN DASH}"  # how tables show a missing value
DURATION = [48.2, 49.0, 49.5, 50.1, 51.2, 52.8, 53.4, 52.9, 52.0, 51.6, 50.8, 51.0]


def parse(chart: Chart) -> ET.Element:
    """Parse the SVG; raises if it is not well-formed XML."""
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own output, not untrusted input


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in el.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def gridline_y(root: ET.Element, value: float) -> float:
    (line,) = [
        el
        for el in root.iter(f"{SVG}line")
        if el.get("data-value") is not None and float(el.get("data-value")) == value
    ]
    return float(line.get("y1"))


def markers(root: ET.Element, series: int) -> list[ET.Element]:
    (group,) = [g for g in by_class(root, "plo-chart__series") if g.get("data-series") == str(series)]
    return by_class(group, "plo-chart__marker")


def duration_chart() -> Chart:
    return line_chart(
        title="Average duration of care proceedings",
        categories=MONTHS,
        series=[Series("Average duration", DURATION)],
        unit="weeks",
        reference_line=(26, "26-week limit"),
    )


def test_it_produces_well_formed_accessible_svg():
    chart = duration_chart()
    root = parse(chart)

    assert isinstance(chart.svg, SafeString)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("font-family") == "Arial, sans-serif"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("640", "260", "0 0 640 260")
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Average duration of care proceedings"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text == chart.summary


def test_it_gives_each_chart_its_own_ids():
    first, second = parse(duration_chart()), parse(duration_chart())

    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_it_places_a_point_at_the_height_of_its_value_on_the_axis():
    root = parse(
        line_chart(title="Cases", categories=["Q1", "Q2", "Q3", "Q4"], series=[Series("Open", [10, 20, 30, 40])])
    )
    zero, top = gridline_y(root, 0), gridline_y(root, 40)

    # 30 is three quarters of the way from the 0 gridline to the 40 gridline.
    point = markers(root, 0)[2]
    assert float(point.get("cy")) == pytest.approx(zero + (top - zero) * 30 / 40, abs=0.01)
    assert float(markers(root, 0)[0].get("cx")) < float(point.get("cx"))


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([48.2, 53.4], [0, 20, 40, 60]),
        ([7], [0, 2, 4, 6, 8]),
        ([1], [0, 0.2, 0.4, 0.6, 0.8, 1]),
        ([0.9], [0, 0.2, 0.4, 0.6, 0.8, 1]),
        ([230], [0, 50, 100, 150, 200, 250]),
        ([1234], [0, 250, 500, 750, 1000, 1250]),
        ([0, 0], [0, 0.2, 0.4, 0.6, 0.8, 1]),
    ],
)
def test_it_starts_the_axis_at_zero_with_four_to_six_nice_ticks(values, ticks):
    root = parse(line_chart(title="t", categories=[str(i) for i in range(len(values))], series=[Series("s", values)]))

    drawn = sorted(float(line.get("data-value")) for line in root.iter(f"{SVG}line") if line.get("data-value"))
    assert drawn == pytest.approx(ticks)


def test_it_extends_the_axis_to_show_the_reference_line():
    root = parse(duration_chart())
    zero, sixty = gridline_y(root, 0), gridline_y(root, 60)

    (line,) = by_class(root, "plo-chart__reference")
    assert line.get("stroke-dasharray")
    assert float(line.get("y1")) == pytest.approx(zero + (sixty - zero) * 26 / 60, abs=0.01)
    assert "26-week limit" in texts(root)


def test_it_escapes_ampersands_and_angle_brackets_in_labels():
    chart = line_chart(
        title="Cases & <children>",
        categories=["Q1 & Q2", "<Q3>"],
        series=[Series("Essex & <Suffolk>", [1, 2])],
        reference_line=(1.5, "<limit> & more"),
    )
    root = parse(chart)

    assert "<children>" not in chart.svg
    assert "&amp; &lt;Suffolk&gt;" in chart.svg
    assert root.find(f"{SVG}title").text == "Cases & <children>"
    assert {"Q1 & Q2", "<Q3>", "Essex & <Suffolk>", "<limit> & more"} <= set(texts(root))


def test_it_summarises_the_change_the_latest_value_and_the_highest():
    chart = duration_chart()

    assert chart.summary == (
        "Average duration rose from 48.2 weeks in December 2025 to 51.0 weeks in November 2026; "
        "the highest was 53.4 weeks in June 2026."
    )


def test_it_summarises_a_fall_and_other_series():
    chart = line_chart(
        title="Durations",
        categories=["Jan 2026", "Feb 2026", "Mar 2026"],
        series=[Series("Average", [30, 28, 25]), Series("Median", [20, None, 22])],
        unit="weeks",
    )

    assert chart.summary == (
        "Average fell from 30 weeks in January 2026 to 25 weeks in March 2026. "
        "Median rose from 20 weeks in January 2026 to 22 weeks in March 2026."
    )


def test_it_returns_the_data_as_table_rows():
    chart = line_chart(
        title="Cases",
        categories=["Jan 2026", "Feb 2026", "Mar 2026"],
        series=[Series("Average", [1234.5, None, 12]), Series("Open", [1500, 1620, None])],
        unit="weeks",
        category_label="Month",
    )

    assert chart.headers == ["Month", "Average (weeks)", "Open (weeks)"]
    assert chart.rows == [
        ["Jan 2026", "1,234.5", "1,500"],
        ["Feb 2026", DASH, "1,620"],
        ["Mar 2026", "12.0", DASH],
    ]


def test_it_leaves_gaps_for_missing_values():
    root = parse(line_chart(title="t", categories=list("abcdef"), series=[Series("s", [1, 2, None, 4, 5, None])]))

    (path,) = by_class(root, "plo-chart__line")
    # Two runs of values, so the line starts twice: "M" begins a segment, "L" continues one.
    assert [command[0] for command in path.get("d").split(" ") if command[0].isalpha()] == ["M", "L", "M", "L"]
    assert [marker.get("data-index") for marker in markers(root, 0)] == ["0", "1", "3", "4"]


def test_it_tells_series_apart_without_colour():
    chart = line_chart(
        title="t",
        categories=["a", "b"],
        series=[Series("One", [1, 2]), Series("Two", [2, 3]), Series("Three", [3, 4])],
    )
    root = parse(chart)
    legend = by_class(root, "plo-chart__legend-item")

    legend_shapes = [by_class(item, "plo-chart__marker")[0].get("data-shape") for item in legend]
    legend_dashes = [item.find(f"{SVG}line").get("stroke-dasharray") for item in legend]
    assert legend_shapes == ["circle", "square", "triangle"]
    assert len(set(legend_dashes)) == 3
    assert [texts(item) for item in legend] == [["One"], ["Two"], ["Three"]]
    for index, shape in enumerate(legend_shapes):
        assert {marker.get("data-shape") for marker in markers(root, index)} == {shape}
        (path,) = by_class(by_class(root, "plo-chart__series")[index], "plo-chart__line")
        assert path.get("stroke-dasharray") == legend_dashes[index]


def test_it_thins_category_labels_but_keeps_the_latest():
    months = [f"{month} {year}" for year in (2024, 2025, 2026) for month in ("Jan", "Feb", "Mar", "Apr", "May", "Jun")]
    root = parse(line_chart(title="t", categories=months, series=[Series("s", list(range(len(months))))]))

    shown = [text for text in texts(root) if text in months]
    assert 2 <= len(shown) <= 12
    assert shown[-1] == "Jun 2026"


def test_it_prints_each_bar_value_as_text():
    chart = bar_chart(
        title="Days lost by delay driver",
        categories=["Expert assessments", "Late filing", "Interpreters", "Other"],
        values=[1234, 987, 12, None],
        unit="days",
    )
    root = parse(chart)

    assert [text for el in by_class(root, "plo-chart__value") for text in el.itertext()] == [
        "1,234 days",
        "987 days",
        "12 days",
        "No data",
    ]
    widths = [float(bar.get("width")) for bar in by_class(root, "plo-chart__bar")]
    assert widths[0] > widths[1] > widths[2] > 0
    assert widths[1] / widths[0] == pytest.approx(987 / 1234, abs=0.01)
    assert chart.summary == (
        "Expert assessments is highest at 1,234 days, followed by Late filing at 987 days; "
        "Interpreters is lowest at 12 days. 1 category has no data."
    )
    assert chart.rows == [
        ["Expert assessments", "1,234"],
        ["Late filing", "987"],
        ["Interpreters", "12"],
        ["Other", DASH],
    ]


def test_it_shortens_long_bar_labels_and_keeps_the_full_text_in_a_title():
    long_label = "Independent social work assessment of the extended family & <connected> carers " * 2
    root = parse(bar_chart(title="t", categories=[long_label, "Short"], values=[5, 3]))

    categories = by_class(root, "plo-chart__category")
    assert categories[0].find(f"{SVG}title").text == long_label
    lines = [tspan.text for tspan in categories[0].iter(f"{SVG}tspan")]
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert texts(categories[1]) == ["Short"]


def test_it_draws_vertical_bars_with_values_above():
    root = parse(bar_chart(title="t", categories=["Essex", "Suffolk"], values=[10, 20.5], horizontal=False, unit="%"))

    short, tall = by_class(root, "plo-chart__bar")
    assert float(tall.get("height")) > float(short.get("height"))
    assert [text for el in by_class(root, "plo-chart__value") for text in el.itertext()] == ["10%", "20%"]
    assert root.get("height") == "260"


@pytest.mark.parametrize(
    "make",
    [
        lambda: line_chart(title="t", categories=["Jan 2026", "Feb 2026"], series=[Series("s", [None, None])]),
        lambda: line_chart(title="t", categories=[], series=[Series("s", [])]),
        lambda: line_chart(title="t", categories=[], series=[]),
        lambda: bar_chart(title="t", categories=["a"], values=[None]),
        lambda: bar_chart(title="t", categories=[], values=[], horizontal=False),
    ],
)
def test_it_says_when_there_is_no_data(make):
    chart = make()
    root = parse(chart)

    assert NO_DATA in texts(root)
    assert chart.summary == "No data for this period."
    assert root.find(f"{SVG}desc").text == chart.summary


def test_it_exports_the_table_as_csv():
    chart = line_chart(
        title="t",
        categories=["Dec 2025", "Jan 2026"],
        series=[Series("Average, all LAs", [48.2, None])],
        unit="weeks",
    )

    assert chart.csv() == f'Month,"Average, all LAs (weeks)"\r\nDec 2025,48.2\r\nJan 2026,{DASH}\r\n'
    assert list(csv.reader(io.StringIO(chart.csv()))) == [chart.headers, *chart.rows]


def test_it_stops_spreadsheets_running_labels_as_formulas():
    chart = bar_chart(title="t", categories=["=HYPERLINK(1)", "-5"], values=[1, -2])

    assert chart.csv().splitlines()[1:] == ["'=HYPERLINK(1),1", "-5,-2"]


def test_it_rejects_series_that_do_not_match_the_categories():
    with pytest.raises(ValueError, match="3 values for 2 categories"):
        line_chart(title="t", categories=["a", "b"], series=[Series("s", [1, 2, 3])])


def test_it_marks_a_suppressed_point_as_suppressed_not_as_no_data():
    chart = line_chart(
        title="Average duration",
        categories=["Jul 2026", "Aug 2026", "Sep 2026"],
        series=[Series("Southend", [31.0, SUPPRESSED, None])],
        unit="weeks",
    )
    root = parse(chart)

    assert chart.rows == [["Jul 2026", "31"], ["Aug 2026", "[c]"], ["Sep 2026", DASH]]
    assert chart.csv().splitlines()[2] == "Aug 2026,[c]"
    (mark,) = by_class(root, "plo-chart__suppressed")
    assert mark.get("data-index") == "1"
    assert "[c]" in texts(mark)
    assert "suppressed" in mark.find(f"{SVG}title").text
    assert len(markers(root, 0)) == 1  # only July is drawn
    assert NO_DATA not in texts(root)
    assert chart.summary == "Southend was 31 weeks in July 2026. 1 figure is suppressed ([c]): too few cases to show."


def test_it_says_a_chart_of_suppressed_figures_is_suppressed():
    for chart in (
        line_chart(title="t", categories=["Jan 2026", "Feb 2026"], series=[Series("s", [SUPPRESSED, SUPPRESSED])]),
        bar_chart(title="t", categories=["a", "b"], values=[SUPPRESSED, SUPPRESSED]),
    ):
        root = parse(chart)
        assert NO_DATA not in texts(root)
        assert ALL_SUPPRESSED in texts(root)
        assert chart.summary == f"{ALL_SUPPRESSED}."


def test_it_says_what_was_suppressed_and_what_recorded_nothing_when_nothing_can_be_drawn():
    chart = line_chart(
        title="t", categories=["Jan 2026", "Feb 2026", "Mar 2026"], series=[Series("s", [SUPPRESSED, None, SUPPRESSED])]
    )
    root = parse(chart)
    assert NO_DATA not in texts(root)
    assert RECORDED_SUPPRESSED in texts(root)
    assert chart.summary == (
        "Every figure recorded here is suppressed ([c]): too few cases to show. "
        "2 figures are suppressed and 1 has no data (nothing recorded)."
    )
    assert chart.rows == [["Jan 2026", "[c]"], ["Feb 2026", DASH], ["Mar 2026", "[c]"]]


def test_it_names_first_a_series_with_every_figure_suppressed():
    chart = line_chart(
        title="Average duration",
        categories=["Jul 2026", "Aug 2026"],
        series=[Series("Southend", [SUPPRESSED, None]), Series("Region", [40.0, 42.0])],
        unit="weeks",
    )
    assert chart.summary == (
        "Southend: every figure recorded is suppressed ([c]). Region rose from 40 weeks in July 2026 to 42 weeks in "
        "August 2026, the highest in the period. 1 figure is suppressed ([c]): too few cases to show."
    )


def test_it_labels_a_suppressed_bar_with_c():
    chart = bar_chart(title="t", categories=["Court", "Experts", "Other"], values=[40, SUPPRESSED, None], unit="days")
    root = parse(chart)

    assert [text for el in by_class(root, "plo-chart__value") for text in el.itertext()] == [
        "40 days",
        "[c]",
        "No data",
    ]
    assert chart.rows[1] == ["Experts", "[c]"]
    assert (
        chart.summary == "Court: 40 days. 1 category has no data. 1 figure is suppressed ([c]): too few cases to show."
    )

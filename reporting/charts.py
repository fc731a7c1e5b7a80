"""Server-side SVG charts for the dashboard and the PDF board packs: no JavaScript, no chart library.

Every chart comes with a plain-English summary (the SVG's <desc>, and text for the page) and the
same data as a table, because a chart alone fails users of screen readers and anyone who needs the
exact figures. Series are told apart by dash pattern and marker shape as well as colour, and bar
values are printed, so colour is never the only signal (WCAG 1.4.1), including in greyscale print.

A value may be ``SUPPRESSED`` (withheld by the small-number rule, ``reporting.selectors``): the
table and CSV show ``[c]``, the chart marks the point ``[c]`` rather than drawing it, and the summary
says how many figures are suppressed. "No data" is only ever said of a true absence.
"""

from __future__ import annotations

import csv
import enum
import io
import math
import re
import textwrap
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "ALL_SUPPRESSED",
    "NO_DATA",
    "NO_VALUE",
    "RECORDED_SUPPRESSED",
    "SUPPRESSED",
    "SUPPRESSED_TEXT",
    "Chart",
    "Series",
    "bar_chart",
    "line_chart",
]

NO_DATA = "No data for this period"
# Shown in table cells with no value: an en dash, as GOV.UK tables do.
NO_VALUE = "\N{EN DASH}"
# How a suppressed figure reads wherever it is shown (the ONS and DfE convention).
SUPPRESSED_TEXT = "[c]"
ALL_SUPPRESSED = "Every figure here is suppressed ([c]): too few cases to show"
# When the figures that exist are all suppressed and the other categories recorded nothing.
RECORDED_SUPPRESSED = "Every figure recorded here is suppressed ([c]): too few cases to show"


class Withheld(enum.Enum):
    """A figure that exists but may not be shown. An enum, so it survives pickling (the cache) as itself."""

    SUPPRESSED = SUPPRESSED_TEXT


SUPPRESSED = Withheld.SUPPRESSED
Value = float | None | Withheld

# GOV.UK Design System colours.
BLUE = "#1d70b8"
ORANGE = "#f47738"
GREEN = "#00703c"
RED = "#d4351c"
SECONDARY_TEXT = "#505a5f"
BORDER = "#b1b4b6"
TEXT = "#0b0c0c"

# Colour, dash pattern, marker shape per series. Red is kept for reference lines (limits), and the
# fourth series uses the secondary text colour; beyond four, styles repeat.
_SERIES_STYLES = (
    (BLUE, None, "circle"),
    (ORANGE, "8 4", "square"),
    (GREEN, "2 4", "triangle"),
    (SECONDARY_TEXT, "10 4 2 4", "diamond"),
)

_FONT_SIZE = 14
_LINE_HEIGHT = 18
# Characters are measured by estimate (no font metrics on the server); 0.6em per character is wider
# than Arial's average, so estimates err towards fewer labels rather than overlapping ones.
_CHAR_WIDTH = 0.6 * _FONT_SIZE
_MAX_X_LABELS = 12
_MONTHS = {
    "Jan": "January",
    "Feb": "February",
    "Mar": "March",
    "Apr": "April",
    "May": "May",
    "Jun": "June",
    "Jul": "July",
    "Aug": "August",
    "Sep": "September",
    "Oct": "October",
    "Nov": "November",
    "Dec": "December",
}
# Characters XML 1.0 does not allow even when escaped: a stray one would make the whole SVG invalid.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a label and one value per category (None for no data, or SUPPRESSED)."""

    label: str
    values: list[Value]


@dataclass(frozen=True)
class Chart:
    """A rendered chart: inline SVG, its title, a plain-English summary and the data as a table."""

    svg: str
    title: str
    summary: str
    headers: list[str]
    rows: list[list[str]]

    def csv(self) -> str:
        """The table as CSV text: headers, then rows."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_csv_cell(cell) for cell in self.headers])
        writer.writerows([_csv_cell(cell) for cell in row] for row in self.rows)
        return buffer.getvalue()


# --- Public builders -----------------------------------------------------------------------------


def line_chart(
    *,
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str = "",
    reference_line: tuple[float, str] | None = None,
    width: int = 640,
    height: int = 260,
    category_label: str = "Month",
) -> Chart:
    """Line chart of one or more series over ordered categories (usually months), with summary and table."""
    categories = [str(category) for category in categories]
    values = [[_clean(value) for value in item.values] for item in series]
    for item, item_values in zip(series, values, strict=True):
        if len(item_values) != len(categories):
            raise ValueError(f"Series {item.label!r} has {len(item_values)} values for {len(categories)} categories")
    decimals = [_decimals(item_values) for item_values in values]
    headers = [category_label, *(_header(item.label, unit) for item in series)]
    rows = [
        [category, *(_format_number(item_values[i], d) for item_values, d in zip(values, decimals, strict=True))]
        for i, category in enumerate(categories)
    ]
    uid = _new_id()
    flat = [value for item_values in values for value in item_values]
    if not any(_plotted(value) for value in flat):
        return _empty_chart(uid=uid, title=title, width=width, height=height, headers=headers, rows=rows, values=flat)

    summary = _line_summary(title, categories, series, values, decimals, unit) + _suppressed_sentence(flat)
    body = _LineChartLayout(
        categories=categories,
        series=series,
        values=values,
        decimals=decimals,
        unit=unit,
        reference_line=reference_line,
        width=width,
        height=height,
    ).draw()
    svg = _svg(uid=uid, title=title, summary=summary, width=width, height=height, body=body)
    return Chart(svg=svg, title=title, summary=summary, headers=headers, rows=rows)


def bar_chart(
    *,
    title: str,
    categories: list[str],
    values: list[Value],
    unit: str = "",
    horizontal: bool = True,
    width: int = 640,
    height: int | None = None,
    value_format: str = "{:,.0f}",
    category_label: str = "Category",
    value_label: str = "Value",
) -> Chart:
    """Bar chart in the order given (e.g. ranked delay drivers), each bar labelled with its value."""
    categories = [str(category) for category in categories]
    cleaned = [_clean(value) for value in values]
    if len(cleaned) != len(categories):
        raise ValueError(f"{len(cleaned)} values for {len(categories)} categories")
    decimals = _decimals(cleaned)
    headers = [category_label, _header(value_label, unit)]
    rows = [[category, _format_number(value, decimals)] for category, value in zip(categories, cleaned, strict=True)]
    if height is None:
        height = _HorizontalBarLayout.natural_height(len(categories)) if horizontal else 260
    uid = _new_id()
    if not any(_plotted(value) for value in cleaned):
        return _empty_chart(
            uid=uid,
            title=title,
            width=width,
            height=height,
            headers=headers,
            rows=rows,
            values=cleaned,
        )

    def label(value: float) -> str:
        return _with_unit(value_format.format(value), unit)

    summary = _bar_summary(categories, cleaned, label)
    layout_class = _HorizontalBarLayout if horizontal else _VerticalBarLayout
    body = layout_class(categories=categories, values=cleaned, label=label, width=width, height=height).draw()
    svg = _svg(uid=uid, title=title, summary=summary, width=width, height=height, body=body)
    return Chart(svg=svg, title=title, summary=summary, headers=headers, rows=rows)


# --- Numbers and words ---------------------------------------------------------------------------


def _clean(value: Value) -> Value:
    """A float, SUPPRESSED as it is, or None for missing, NaN and infinite values (which cannot be plotted)."""
    if value is None or value is SUPPRESSED:
        return value
    value = float(value)
    return value if math.isfinite(value) else None


def _plotted(value: Value) -> bool:
    """Whether a cleaned value is drawn (a number), rather than missing or suppressed."""
    return isinstance(value, float)


def _decimals(values: Iterable[Value]) -> int:
    """0 if every value is whole, else 1: one column always shows the same number of decimals."""
    return 0 if all(value.is_integer() for value in values if _plotted(value)) else 1


def _suppressed_sentence(values: list[Value]) -> str:
    """' 2 figures are suppressed ([c]): too few cases to show.' when any are, else ''."""
    count = sum(value is SUPPRESSED for value in values)
    if not count:
        return ""
    return f" {count} {'figure is' if count == 1 else 'figures are'} suppressed ([c]): too few cases to show."


def _format_number(value: Value, decimals: int) -> str:
    """Thousands separators and fixed decimals; an en dash for no data, [c] for a suppressed figure."""
    if value is SUPPRESSED:
        return SUPPRESSED_TEXT
    if value is None:
        return NO_VALUE
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def _with_unit(text: str, unit: str) -> str:
    """'48.2 weeks', but '12.5%'."""
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _header(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def _spoken(category: str) -> str:
    """'Dec 2025' as 'December 2025', so summaries read well aloud; other labels unchanged."""
    match = re.fullmatch(r"([A-Z][a-z]{2}) (\d{4})", category)
    if match and match[1] in _MONTHS:
        return f"{_MONTHS[match[1]]} {match[2]}"
    return category


def _line_summary(
    title: str,
    categories: list[str],
    series: list[Series],
    values: list[list[Value]],
    decimals: list[int],
    unit: str,
) -> str:
    """First sentence: the first series' change and peak. Then one sentence for each other series' change.

    A series with nothing drawn because its figures are suppressed is named first, so that its
    absence from the chart is never read as "no data".
    """
    sentences = []
    others = []
    withheld = []
    for item, item_values, d in zip(series, values, decimals, strict=True):
        points = [(i, value) for i, value in enumerate(item_values) if _plotted(value)]
        name = item.label or title
        if not points:
            if SUPPRESSED in item_values:
                recorded = "recorded " if None in item_values else ""
                withheld.append(f"{name}: every figure {recorded}is suppressed ({SUPPRESSED_TEXT}).")
            continue

        def say(value: float, d: int = d) -> str:
            return _with_unit(_format_number(value, d), unit)

        (first_i, first), (last_i, last) = points[0], points[-1]
        if len(points) == 1:
            change = f"{name} was {say(last)} in {_spoken(categories[last_i])}"
        elif last == first:
            change = f"{name} was {say(last)} in both {_spoken(categories[first_i])} and {_spoken(categories[last_i])}"
        else:
            verb = "rose" if last > first else "fell"
            change = (
                f"{name} {verb} from {say(first)} in {_spoken(categories[first_i])} "
                f"to {say(last)} in {_spoken(categories[last_i])}"
            )
        if sentences:
            others.append(change)
            continue
        if len(points) > 1:
            # The latest peak when tied: the more recent month is the more useful one to name.
            peak_i, peak = max(points, key=lambda point: (point[1], point[0]))
            if peak_i == last_i:
                change += ", the highest in the period"
            elif peak_i != first_i:  # a peak at the start has just been named
                change += f"; the highest was {say(peak)} in {_spoken(categories[peak_i])}"
        sentences.append(change + ".")
    sentences += [f"{change}." for change in others]
    return " ".join(withheld + sentences)


def _bar_summary(categories: list[str], values: list[Value], label: Callable[[float], str]) -> str:
    """Name the highest, the next highest and the lowest, and how many categories have no data."""
    ranked = sorted(
        ((value, category) for category, value in zip(categories, values, strict=True) if _plotted(value)),
        key=lambda pair: -pair[0],
    )
    (top, top_name), (low, low_name) = ranked[0], ranked[-1]
    if len(ranked) == 1:
        summary = f"{top_name}: {label(top)}."
    elif len(ranked) == 2:
        summary = f"{top_name} is highest at {label(top)}; {low_name} is lowest at {label(low)}."
    else:
        second, second_name = ranked[1]
        summary = (
            f"{top_name} is highest at {label(top)}, followed by {second_name} at {label(second)}; "
            f"{low_name} is lowest at {label(low)}."
        )
    missing = sum(value is None for value in values)
    if missing:
        summary += f" {missing} {'category has' if missing == 1 else 'categories have'} no data."
    return summary + _suppressed_sentence(values)


def _csv_cell(cell: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (CSV injection); numbers pass unchanged."""
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(cell.replace(",", ""))
        except ValueError:
            return "'" + cell
    return cell


# --- Axis scale ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """A value axis from lo to hi with 'nice' ticks (1, 2, 2.5 or 5 x 10^n apart)."""

    lo: float
    hi: float
    ticks: list[float]
    decimals: int

    @classmethod
    def for_values(cls, values: Iterable[float]) -> _Scale:
        """The smallest nice step giving at most 6 ticks; that step always gives at least 4."""
        values = list(values)
        lo, hi = min([0.0, *values]), max([0.0, *values])
        if hi == lo:
            hi = lo + 1
        exponent = math.floor(math.log10((hi - lo) / 6)) - 1
        while True:
            for multiple in (1, 2, 2.5, 5):
                step = multiple * 10.0**exponent
                bottom = math.floor(lo / step + 1e-9) * step
                top = math.ceil(hi / step - 1e-9) * step
                count = round((top - bottom) / step) + 1
                if count <= 6:
                    ticks = [_round(bottom + i * step) for i in range(count)]
                    # 2.5 x 10^n needs one more decimal than its exponent suggests (0.25, 2.5).
                    decimals = max(0, -exponent + (1 if multiple == 2.5 else 0))
                    return cls(lo=ticks[0], hi=ticks[-1], ticks=ticks, decimals=decimals)
            exponent += 1

    def fraction(self, value: float) -> float:
        """Where value lies on the axis, 0 at lo and 1 at hi."""
        return (value - self.lo) / (self.hi - self.lo)

    def label(self, tick: float) -> str:
        return _format_number(tick, self.decimals)


def _round(value: float) -> float:
    # Removes float noise such as 0.30000000000000004 from computed ticks.
    return round(value, 10) + 0.0


# --- SVG primitives ------------------------------------------------------------------------------


def _new_id() -> str:
    """A unique id prefix, so several charts on one page never share <title>/<desc> ids."""
    return f"chart-{uuid.uuid4().hex[:12]}"


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _xml(text: str) -> str:
    return escape(_XML_INVALID.sub("", text))


def _el(tag: str, attrs: dict[str, object], content: str | None = None) -> str:
    """An SVG element; attribute values are quoted and escaped, content must already be escaped."""
    rendered = "".join(
        f" {name}={quoteattr(_num(value) if isinstance(value, float) else _XML_INVALID.sub('', str(value)))}"
        for name, value in attrs.items()
        if value is not None
    )
    return f"<{tag}{rendered}/>" if content is None else f"<{tag}{rendered}>{content}</{tag}>"


def _text(x: float, y: float, text: str, **attrs: object) -> str:
    """A <text> element; attribute names as in _hyphenate."""
    return _el("text", {"x": float(x), "y": float(y), **_hyphenate(attrs)}, _xml(text))


def _hyphenate(attrs: dict[str, object]) -> dict[str, object]:
    """Keyword names as SVG attribute names: text_anchor -> text-anchor, class_ -> class."""
    return {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}


def _title(text: str) -> str:
    return _el("title", {}, _xml(text))


def _text_width(text: str) -> float:
    return len(text) * _CHAR_WIDTH


def _svg(*, uid: str, title: str, summary: str, width: int, height: int, body: list[str]) -> SafeString:
    """The root element: an accessible image named by its <title> and described by its <desc>."""
    root = {
        "xmlns": "http://www.w3.org/2000/svg",
        "width": int(width),
        "height": int(height),
        "viewBox": f"0 0 {int(width)} {int(height)}",
        "role": "img",
        "aria-labelledby": f"{uid}-title {uid}-desc",
        "font-family": "Arial, sans-serif",
        "font-size": _FONT_SIZE,
        # Page CSS ".plo-chart { max-width: 100%; height: auto; }" makes it scale down to narrow containers,
        # keeping its proportions through the viewBox. Not an inline style: WeasyPrint 70 then sizes the
        # SVG as a square.
        "class": "plo-chart",
    }
    content = (
        _el("title", {"id": f"{uid}-title"}, _xml(title))
        + _el("desc", {"id": f"{uid}-desc"}, _xml(summary))
        + "".join(body)
    )
    # Safe to embed: every text node and attribute value was escaped by _xml/_el as it was built.
    return mark_safe(_el("svg", root, content))  # noqa: S308


def _empty_chart(
    *, uid: str, title: str, width: int, height: int, headers: list[str], rows: list[list[str]], values: list[Value]
) -> Chart:
    """A frame with one message: no data only when nothing was recorded; suppressed when what was is withheld."""
    withheld, missing = values.count(SUPPRESSED), values.count(None)
    if not withheld:
        message = summary = NO_DATA
    elif not missing:
        message = summary = ALL_SUPPRESSED
    else:
        message = RECORDED_SUPPRESSED
        summary = (
            f"{message}. {withheld} {'figure is' if withheld == 1 else 'figures are'} suppressed and {missing} "
            f"{'has' if missing == 1 else 'have'} no data (nothing recorded)"
        )
    summary = f"{summary}."
    body = [
        _el(
            "rect", {"x": 0.5, "y": 0.5, "width": width - 1.0, "height": height - 1.0, "fill": "none", "stroke": BORDER}
        ),
        _text(width / 2, height / 2 + 5, message, text_anchor="middle", fill=SECONDARY_TEXT),
    ]
    svg = _svg(uid=uid, title=title, summary=summary, width=width, height=height, body=body)
    return Chart(svg=svg, title=title, summary=summary, headers=headers, rows=rows)


def _marker(shape: str, x: float, y: float, colour: str, title: str | None = None, **attrs: object) -> str:
    """A point marker; the shape, not just the colour, says which series it belongs to."""
    content = _title(title) if title else None
    common = {"fill": colour, "stroke": "#ffffff", "stroke-width": 1.0, **_hyphenate(attrs)}
    if shape == "circle":
        return _el("circle", {"cx": float(x), "cy": float(y), "r": 4.5, **common}, content)
    if shape == "square":
        return _el("rect", {"x": x - 4.0, "y": y - 4.0, "width": 8.0, "height": 8.0, **common}, content)
    if shape == "triangle":
        points = [(x, y - 5.5), (x + 5.5, y + 4), (x - 5.5, y + 4)]
    else:  # diamond
        points = [(x, y - 5.5), (x + 5.5, y), (x, y + 5.5), (x - 5.5, y)]
    return _el("polygon", {"points": " ".join(f"{_num(px)},{_num(py)}" for px, py in points), **common}, content)


def _shown_label_indexes(count: int, spacing: float, label_width: float) -> list[int]:
    """Which category labels to print so they neither overlap nor exceed 12, always keeping the last."""
    if count <= 1:
        return list(range(count))
    step = max(math.ceil(count / _MAX_X_LABELS), math.ceil((label_width + 8) / max(spacing, 1e-9)))
    # Counted back from the latest category: in a time series the latest month must be labelled.
    return sorted(range(count - 1, -1, -step))


def _y_axis(scale: _Scale, *, left: float, right: float, top: float, bottom: float) -> list[str]:
    """Horizontal gridlines with tick labels; the zero line darker as the baseline."""
    parts = []
    for tick in scale.ticks:
        y = bottom - scale.fraction(tick) * (bottom - top)
        colour = SECONDARY_TEXT if tick == 0 else BORDER
        parts.append(
            _el(
                "line",
                {"x1": left, "x2": right, "y1": y, "y2": y, "stroke": colour, "stroke-width": 1.0, "data-value": tick},
                None,
            )
        )
        parts.append(_text(left - 6, y + 5, scale.label(tick), text_anchor="end", fill=SECONDARY_TEXT))
    return parts


# --- Line chart ----------------------------------------------------------------------------------


class _LineChartLayout:
    """Positions and draws a line chart: legend, value axis, category labels, lines and markers."""

    def __init__(
        self,
        *,
        categories: list[str],
        series: list[Series],
        values: list[list[Value]],
        decimals: list[int],
        unit: str,
        reference_line: tuple[float, str] | None,
        width: int,
        height: int,
    ) -> None:
        self.categories = categories
        self.series = series
        self.values = values
        self.decimals = decimals
        self.unit = unit
        self.reference_line = reference_line
        self.width = width
        self.height = height
        present = [value for item_values in values for value in item_values if _plotted(value)]
        if reference_line is not None:
            present.append(float(reference_line[0]))
        self.scale = _Scale.for_values(present)

    def draw(self) -> list[str]:
        legend, legend_bottom = self._legend()
        # Room above the plot for the unit caption, and for half the top tick label in any case.
        top = legend_bottom + (_LINE_HEIGHT + 20 if self.unit else 12)
        left = 12 + max(_text_width(self.scale.label(tick)) for tick in self.scale.ticks)
        # Room for half of the last category label, which is centred on the last point.
        right = self.width - max(16, _text_width(self.categories[-1]) / 2 + 4)
        bottom = self.height - 30
        xs = self._xs(left, right)
        parts = [*legend]
        if self.unit:
            parts.append(_text(8, top - 16, self.unit, fill=SECONDARY_TEXT))
        parts += _y_axis(self.scale, left=left, right=right, top=top, bottom=bottom)
        parts += self._x_labels(xs, bottom, right - left)
        if self.reference_line is not None:
            parts += self._reference(left, right, top, bottom)
        for index, item in enumerate(self.series):
            parts += self._series(index, item, xs, top, bottom)
        return parts

    def _xs(self, left: float, right: float) -> list[float]:
        count = len(self.categories)
        if count == 1:
            return [(left + right) / 2]
        return [left + i * (right - left) / (count - 1) for i in range(count)]

    def _y(self, value: float, top: float, bottom: float) -> float:
        return bottom - self.scale.fraction(value) * (bottom - top)

    def _legend(self) -> tuple[list[str], float]:
        """Legend items in rows across the top: a sample of each line with its marker, then its label."""
        if not any(item.label for item in self.series):
            return [], 0.0
        parts, x, row = [], 8.0, 0
        for index, item in enumerate(self.series):
            colour, dash, shape = _SERIES_STYLES[index % len(_SERIES_STYLES)]
            item_width = 30 + _text_width(item.label) + 20
            if x > 8 and x + item_width > self.width - 8:
                x, row = 8.0, row + 1
            y = 12.0 + row * (_LINE_HEIGHT + 4)
            parts.append(
                _el(
                    "g",
                    {"class": "plo-chart__legend-item", "data-series": index},
                    _el(
                        "line",
                        {
                            "x1": x,
                            "x2": x + 24,
                            "y1": y,
                            "y2": y,
                            "stroke": colour,
                            "stroke-width": 2.5,
                            "stroke-dasharray": dash,
                        },
                    )
                    + _marker(shape, x + 12, y, colour, class_="plo-chart__marker", data_shape=shape)
                    + _text(x + 30, y + 5, item.label, fill=TEXT),
                )
            )
            x += item_width
        return parts, 12.0 + row * (_LINE_HEIGHT + 4) + 8

    def _x_labels(self, xs: list[float], bottom: float, plot_width: float) -> list[str]:
        spacing = plot_width / max(len(xs) - 1, 1)
        label_width = max(_text_width(category) for category in self.categories)
        parts = []
        for i in _shown_label_indexes(len(xs), spacing, label_width):
            parts.append(_el("line", {"x1": xs[i], "x2": xs[i], "y1": bottom, "y2": bottom + 4.0, "stroke": BORDER}))
            parts.append(_text(xs[i], bottom + 20, self.categories[i], text_anchor="middle", fill=SECONDARY_TEXT))
        return parts

    def _reference(self, left: float, right: float, top: float, bottom: float) -> list[str]:
        value, label = self.reference_line
        y = self._y(float(value), top, bottom)
        # Label above the line, unless that would run into the legend.
        label_y = y - 6 if y - 6 - _FONT_SIZE > top - 12 else y + 16
        return [
            _el(
                "line",
                {
                    "x1": left,
                    "x2": right,
                    "y1": y,
                    "y2": y,
                    "stroke": RED,
                    "stroke-width": 2.0,
                    "stroke-dasharray": "6 4",
                    "class": "plo-chart__reference",
                },
            ),
            _text(right, label_y, label, text_anchor="end", fill=RED),
        ]

    def _series(self, index: int, item: Series, xs: list[float], top: float, bottom: float) -> list[str]:
        """The line, broken at missing values, a marker with a tooltip at every value, [c] where suppressed."""
        colour, dash, shape = _SERIES_STYLES[index % len(_SERIES_STYLES)]
        commands, markers, pen_down = [], [], False
        for i, value in enumerate(self.values[index]):
            if value is SUPPRESSED:
                # Said at the foot of the plot, stacked by series, so a gap is never read as "no data".
                pen_down = False
                # The series' marker, then [c] in text colour (the series colours are too light for text).
                tooltip = f"{item.label}, {self.categories[i]}: suppressed (too few cases to show)"
                y = bottom - 12 - index * _LINE_HEIGHT
                mark = _marker(shape, xs[i] - 9, y, colour) + _text(
                    xs[i] - 2, y + 5, SUPPRESSED_TEXT, fill=SECONDARY_TEXT
                )
                markers.append(_el("g", {"class": "plo-chart__suppressed", "data-index": i}, _title(tooltip) + mark))
                continue
            if value is None:
                pen_down = False  # a gap: the next value starts a new segment
                continue
            x, y = xs[i], self._y(value, top, bottom)
            commands.append(f"{'L' if pen_down else 'M'}{_num(x)} {_num(y)}")
            pen_down = True
            tooltip = f"{item.label}, {self.categories[i]}: " + _with_unit(
                _format_number(value, self.decimals[index]), self.unit
            )
            markers.append(
                _marker(shape, x, y, colour, tooltip, class_="plo-chart__marker", data_shape=shape, data_index=i)
            )
        path = _el(
            "path",
            {
                "d": " ".join(commands),
                "fill": "none",
                "stroke": colour,
                "stroke-width": 2.5,
                "stroke-dasharray": dash,
                "stroke-linejoin": "round",
                "class": "plo-chart__line",
            },
        )
        return [_el("g", {"class": "plo-chart__series", "data-series": index}, path + "".join(markers))]


# --- Bar charts ----------------------------------------------------------------------------------


class _BarLayout:
    """What both bar orientations share: the data, the value label format and the value scale."""

    def __init__(
        self,
        *,
        categories: list[str],
        values: list[Value],
        label: Callable[[float], str],
        width: int,
        height: int,
    ) -> None:
        self.categories = categories
        self.values = values
        self.label = label
        self.width = width
        self.height = height
        self.scale = _Scale.for_values(value for value in values if _plotted(value))


class _HorizontalBarLayout(_BarLayout):
    """Bars across the page, one row per category: label on the left, value at the bar end."""

    ROW = 36
    BAR = 24
    TOP = 8
    AXIS = 30

    @classmethod
    def natural_height(cls, count: int) -> int:
        """Height for ``count`` rows, so bars stay the same thickness whatever the number of categories."""
        return cls.TOP + max(count, 1) * cls.ROW + cls.AXIS

    def draw(self) -> list[str]:
        longest = max(_text_width(category) for category in self.categories)
        # Labels take what they need up to 40% of the width; longer ones wrap onto two lines.
        label_width = min(longest, 0.4 * self.width)
        chars_per_line = max(4, int(label_width // _CHAR_WIDTH))
        value_width = max(_text_width(self.label(value)) for value in self.values if _plotted(value)) + 12
        left = 8 + label_width + 10
        right = self.width - 8 - value_width
        row = (self.height - self.TOP - self.AXIS) / max(len(self.categories), 1)
        bottom = self.TOP + row * len(self.categories)
        parts = self._x_axis(left, right, bottom)
        for i, (category, value) in enumerate(zip(self.categories, self.values, strict=True)):
            middle = self.TOP + row * (i + 0.5)
            parts.append(self._category_label(category, 8 + label_width, middle, chars_per_line))
            parts.append(self._bar(value, left, right, middle, max(2.0, min(self.BAR, row - 4))))
        return parts

    def _x(self, value: float, left: float, right: float) -> float:
        return left + self.scale.fraction(value) * (right - left)

    def _x_axis(self, left: float, right: float, bottom: float) -> list[str]:
        """Vertical gridlines with tick labels below the bars."""
        parts = []
        for tick in self.scale.ticks:
            x = self._x(tick, left, right)
            colour = SECONDARY_TEXT if tick == 0 else BORDER
            parts.append(_el("line", {"x1": x, "x2": x, "y1": float(self.TOP), "y2": bottom, "stroke": colour}))
            parts.append(_text(x, bottom + 18, self.scale.label(tick), text_anchor="middle", fill=SECONDARY_TEXT))
        return parts

    def _category_label(self, category: str, x: float, middle: float, chars_per_line: int) -> str:
        """Right-aligned label, wrapped to two lines and cut with an ellipsis; the full text in <title>."""
        lines = textwrap.wrap(category, chars_per_line, max_lines=2, placeholder="…") or [category]
        first_y = middle + 5 - (len(lines) - 1) * _LINE_HEIGHT / 2
        tspans = "".join(
            _el("tspan", {"x": float(x), "y": first_y + n * _LINE_HEIGHT}, _xml(line)) for n, line in enumerate(lines)
        )
        text = _el("text", {"text-anchor": "end", "fill": TEXT}, tspans)
        return _el("g", {"class": "plo-chart__category"}, _title(category) + text)

    def _bar(self, value: Value, left: float, right: float, middle: float, thickness: float) -> str:
        if value is SUPPRESSED:
            return _text(left + 6, middle + 5, SUPPRESSED_TEXT, fill=SECONDARY_TEXT, class_="plo-chart__value")
        if value is None:
            return _text(left + 6, middle + 5, "No data", fill=SECONDARY_TEXT, class_="plo-chart__value")
        zero, end = self._x(0.0, left, right), self._x(value, left, right)
        rect = _el(
            "rect",
            {
                "x": min(zero, end),
                "y": middle - thickness / 2,
                "width": abs(end - zero),
                "height": float(thickness),
                "fill": BLUE,
                "class": "plo-chart__bar",
            },
        )
        # The value sits beyond the end of the bar: on the right, or on the left for a negative one.
        anchor, x = ("start", end + 6) if value >= 0 else ("end", end - 6)
        text = _text(x, middle + 5, self.label(value), text_anchor=anchor, fill=TEXT, class_="plo-chart__value")
        return rect + text


class _VerticalBarLayout(_BarLayout):
    """Columns along the bottom, value above each column, labels shortened (full text in <title>)."""

    TOP = 24
    AXIS = 30

    def draw(self) -> list[str]:
        left = 12 + max(_text_width(self.scale.label(tick)) for tick in self.scale.ticks)
        right = self.width - 8
        top, bottom = float(self.TOP), float(self.height - self.AXIS)
        slot = (right - left) / len(self.categories)
        parts = _y_axis(self.scale, left=left, right=right, top=top, bottom=bottom)
        # Thin the labels only when a column is too narrow for even a six-character label.
        shown = set(_shown_label_indexes(len(self.categories), slot, _text_width("x" * 6)))
        max_chars = max(3, int((slot * self._label_step(shown) - 8) // _CHAR_WIDTH))
        for i, (category, value) in enumerate(zip(self.categories, self.values, strict=True)):
            middle = left + slot * (i + 0.5)
            parts.append(self._column(value, middle, min(slot * 0.7, 60), top, bottom))
            if i in shown:
                short = category if len(category) <= max_chars else category[: max_chars - 1].rstrip() + "…"
                text = _text(middle, bottom + 20, short, text_anchor="middle", fill=SECONDARY_TEXT)
                parts.append(_el("g", {"class": "plo-chart__category"}, _title(category) + text))
        return parts

    def _label_step(self, shown: set[int]) -> int:
        indexes = sorted(shown)
        return indexes[1] - indexes[0] if len(indexes) > 1 else 1

    def _y(self, value: float, top: float, bottom: float) -> float:
        return bottom - self.scale.fraction(value) * (bottom - top)

    def _column(self, value: Value, middle: float, thickness: float, top: float, bottom: float) -> str:
        zero = self._y(0.0, top, bottom)
        if value is None or value is SUPPRESSED:
            return _text(
                middle,
                zero - 6,
                _format_number(value, 0),
                text_anchor="middle",
                fill=SECONDARY_TEXT,
                class_="plo-chart__value",
            )
        end = self._y(value, top, bottom)
        rect = _el(
            "rect",
            {
                "x": middle - thickness / 2,
                "y": min(zero, end),
                "width": float(thickness),
                "height": abs(zero - end),
                "fill": BLUE,
                "class": "plo-chart__bar",
            },
        )
        y = end - 6 if value >= 0 else end + 16
        text = _text(middle, y, self.label(value), text_anchor="middle", fill=TEXT, class_="plo-chart__value")
        return rect + text

"""Reads of the stored figures for the dashboard, its CSV downloads and the board pack, with the small-number rule.

Everything comes from ``MetricValue`` rows written overnight (and, for the board pack's data-quality
page, aggregate counts), in a fixed number of queries whatever the number of cases.

Small numbers (REFERENCE.md section 4): any figure shown outside the LA's own case workers (board
members, regional analysts, region-wide figures on any dashboard, their CSV downloads, the board
pack, the API's aggregates) has counts from 1 to the threshold minus one suppressed, and any rate or
average built on fewer cases than the threshold (primary suppression); and then, wherever a
suppressed figure could be worked out from a total and the other cells of its row or column, or
from a percentage and its denominator, more (secondary suppression). ``disclosure_control`` is the
one rule, applied to the whole table of the region and its LAs (``regional_figures``), so that a
figure is withheld alike wherever it is shown; ``Figures.shown`` is what every page, download and
pack asks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from cases import constants as c
from cases import models as m
from cases import permissions
from cases.thresholds import Thresholds
from plo_tracker.lib.dates import add_months, month_start
from reporting import catalogue
from reporting.charts import SUPPRESSED, SUPPRESSED_TEXT, Withheld
from reporting.models import CompletenessSnapshot, MetricValue, PeriodSnapshot, ScopeType

HEADLINES = [
    "s31_duration_mean",
    "s31_within_26_share",
    "s31_concluded",
    "s31_open",
    "s31_at_risk",
    "s31_timetabled_beyond",
    "s31_timetabled_beyond_share",
    "s31_past_limit",
    "hearings_per_case",
    "s31_application_rate",
    "pp_open",
    "pp_open_over_threshold",
    "pp_step_down_rate",
    "pp_duration_mean",
]
# The heading of the column or line that holds national figures (England) only.
NATIONAL = "National (England)"
TRENDS = ["s31_duration_mean", "s31_open", "s31_at_risk", "s31_timetabled_beyond", "pp_open", "pp_open_over_threshold"]
DRIVERS = "delay_days_by_driver"

# (metric, scope type, scope id, dimension, period)
Key = tuple[str, str, int | None, str, dt.date]
# What a page may show of a figure: its value, None for no data, or SUPPRESSED.
Shown = Decimal | None | Withheld


def small_number_threshold() -> int:
    """The configured threshold (``PLO_SMALL_NUMBER_THRESHOLD``; settings refuse a bad value)."""
    return settings.PLO_SMALL_NUMBER_THRESHOLD


# ---------------------------------------------------------------------------
# Disclosure control: primary and secondary suppression of a table of figures
# ---------------------------------------------------------------------------

Cell = Hashable


@dataclass(frozen=True)
class Line:
    """A total and the cells that add up to it: a row or a column of a table (the region and its LAs; the
    Cafcass bands and the applications concluded), or a 12-month figure and its months.

    ``withhold_total``: when a cell of the line must be withheld too, withhold the total, never one of its
    parts. A 12-month figure is withheld rather than one of its months, so that a month's figure, once
    published, reads the same in every later pack.
    """

    total: Cell
    parts: tuple[Cell, ...]
    withhold_total: bool = False

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Table:
    """What disclosure control needs to know of a table of figures.

    ``counts``: every count and its true value, those shown and those only a rate gives away (a share's
    numerator, when its denominator is shown). ``lines``: the sums a reader can check. ``built_on``: each
    rate or average (or a count it gives away) and the cells withheld with it: it is withheld whenever
    any of them is. ``few_cases``: the rates and averages built on fewer cases than the threshold.
    ``insiders``: who knows some cells exactly, and which: an LA's own staff know their LA's figures.
    """

    counts: Mapping[Cell, Decimal]
    lines: Sequence[Line] = ()
    built_on: Mapping[Cell, Sequence[Cell]] = field(default_factory=dict)
    few_cases: frozenset[Cell] = frozenset()
    insiders: Mapping[Hashable, frozenset[Cell]] = field(default_factory=dict)


def disclosure_control(table: Table, *, threshold: int) -> frozenset[Cell]:
    """The cells to show as [c]: the one rule for every aggregate shown outside an LA's own staff.

    Primary suppression: a count from 1 to ``threshold - 1``, and a rate or average built on fewer cases
    than ``threshold`` (``few_cases``), with everything built on them.

    Secondary suppression: a reader may add up and subtract along every line, over and over. Wherever
    that works out a withheld cell (other than a true zero, which gives nobody away), the smallest other
    non-zero cell of the line still shown is withheld too (the usual ONS and GSS practice), until
    nothing withheld can be worked out. An insider (an LA's own staff, who know their LA's figures) may
    work out cells withheld only to protect others, but never another LA's count from 1 to
    ``threshold - 1``.
    """
    counts = table.counts
    primary = {cell for cell, value in counts.items() if value and 0 < value < threshold}
    dependents: dict[Cell, list[Cell]] = defaultdict(list)
    for figure, cells in table.built_on.items():
        for cell in cells:
            dependents[cell].append(figure)
    hidden: set[Cell] = set()

    def withhold(cells: Iterable[Cell]) -> None:
        stack = list(cells)
        while stack:
            cell = stack.pop()
            if cell not in hidden:
                hidden.add(cell)
                stack.extend(dependents[cell])

    withhold(sorted(primary | set(table.few_cases), key=repr))
    attackers = [frozenset(), *table.insiders.values()]
    # What an insider may not work out: another insider's small count (the region's total less their own is
    # the sum of the others, which names none of them).
    others = primary & set().union(*table.insiders.values())
    for lines in _connected(table):
        lines_of: dict[Cell, list[Line]] = defaultdict(list)
        for line in lines:
            for cell in line.cells:
                lines_of[cell].append(line)
        beyond_reach: set[tuple[Cell, frozenset]] = set()
        while True:
            breach = _first_breach(lines_of, hidden, attackers, counts, others, skip=beyond_reach)
            if breach is None:
                break
            cell, derived, own = breach
            pick = _complement(derived[cell], cell, hidden=hidden, own=own, derived=derived, counts=counts)
            if pick is None:
                # Nothing shown left to withhold (every other cell is the reader's own or zero): withholding
                # more could not stop it. Not seen with the region's tables; noted so the others are checked.
                beyond_reach.add((cell, own))
            else:
                withhold([pick])
    return frozenset(hidden)


def _connected(table: Table) -> list[list[Line]]:
    """The table's lines in groups that share no cell, directly or through a rate (each is solved alone)."""
    parent: dict[Cell, Cell] = {}

    def root(cell: Cell) -> Cell:
        parent.setdefault(cell, cell)
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    def join(cells: Iterable[Cell]) -> None:
        cells = list(cells)
        for cell in cells[1:]:
            parent[root(cell)] = root(cells[0])

    for line in table.lines:
        join(line.cells)
    for figure, cells in table.built_on.items():
        join([figure, *cells])
    groups: dict[Cell, list[Line]] = {}
    for line in table.lines:
        groups.setdefault(root(line.total), []).append(line)
    return list(groups.values())


def _worked_out(lines_of: Mapping[Cell, list[Line]], hidden: set, own: frozenset) -> dict[Cell, Line]:
    """Every withheld cell a reader who knows ``own`` can work out along the lines, with the line that gives it:
    a line with one cell unknown gives that cell, which may leave another line with one unknown, and so on."""
    unknown: dict[Line, set[Cell]] = {}
    for cell, lines in lines_of.items():
        if cell in hidden and cell not in own:
            for line in lines:
                unknown.setdefault(line, set()).add(cell)
    derived: dict[Cell, Line] = {}
    queue = deque(line for line, cells in unknown.items() if len(cells) == 1)
    while queue:
        line = queue.popleft()
        if len(unknown[line]) != 1:
            continue
        (cell,) = unknown[line]
        derived[cell] = line
        for other in lines_of[cell]:
            unknown[other].discard(cell)
            if len(unknown[other]) == 1:
                queue.append(other)
    return derived


def _first_breach(lines_of, hidden, attackers, counts, protected, *, skip):
    """(cell, how each cell was worked out, what the reader knew) for the first cell a reader must not work out."""
    for own in attackers:
        derived = _worked_out(lines_of, hidden, own)
        for cell in derived:
            # Anyone: nothing withheld but a true zero. An insider: no other insider's small count.
            if counts.get(cell) and (not own or cell in protected) and (cell, own) not in skip:
                return cell, derived, own
    return None


def _complement(line: Line, cell: Cell, *, hidden, own, derived, counts, seen=None) -> Cell | None:
    """The cell to withhold so that ``cell`` can no longer be worked out along ``line``."""
    seen = seen if seen is not None else set()
    seen.add(line)
    shown = [other for other in line.cells if other != cell and other not in hidden and other not in own]
    shown = [other for other in shown if counts.get(other)]  # a zero withheld protects nothing
    index = {other: position for position, other in enumerate(line.parts)}
    smallest = min(shown, key=lambda other: (counts[other], other == line.total, index.get(other, 0)), default=None)
    if shown and (not line.withhold_total or line.total in shown):
        return line.total if line.withhold_total else smallest
    # Every other cell of the line is withheld and worked out elsewhere: withhold there instead.
    for other in line.cells:
        if other != cell and other in derived and derived[other] not in seen:
            pick = _complement(derived[other], other, hidden=hidden, own=own, derived=derived, counts=counts, seen=seen)
            if pick is not None:
                return pick
    return smallest


# How each rate or average is built, for disclosure control: ``on``, the counts shown beside it that it is
# withheld with (metric, dimension; None for its own dimension); ``numerator``, its stored numerator is a
# count it gives away to a reader who knows its denominator; ``rest``, so is its denominator less its
# numerator (a share of a count not shown itself). A share's ``Metric.share_of`` count is one of its ``on``.
#
# A share gives its counts away exactly (numerator = share x denominator), so it is withheld whenever either
# is. An average gives away no count (weeks are not cases): it is withheld on fewer cases than the threshold,
# and otherwise shown, also when its count is withheld only to protect another's (REFERENCE.md: "any rate or
# average built on fewer than 5 cases"). A rate per 10,000 children is a count over a published population,
# so it is treated as its count.
@dataclass(frozen=True)
class BuiltOn:
    on: tuple[tuple[str, str | None], ...] = ()
    numerator: bool = False
    rest: bool = False


AN_AVERAGE = BuiltOn()
BUILT_ON: dict[str, BuiltOn] = {
    "s31_duration_mean": AN_AVERAGE,
    "s31_duration_median": AN_AVERAGE,
    "s31_within_26_share": BuiltOn(on=(("s31_concluded", ""), ("s31_duration_band", "le26"))),
    "hearings_per_case": AN_AVERAGE,
    "s31_open_age_mean": AN_AVERAGE,
    "s31_timetabled_beyond_share": BuiltOn(on=(("s31_open", ""),)),
    "s31_application_rate": BuiltOn(numerator=True),  # applications in 12 months
    "pp_duration_mean": AN_AVERAGE,
    "pp_duration_median": AN_AVERAGE,
    "pp_over_threshold_share": BuiltOn(on=(("pp_decided", ""),), numerator=True, rest=True),
    "pp_open_duration_mean": AN_AVERAGE,
    "pp_step_down_rate": BuiltOn(on=(("pp_decided", "step_down"), ("pp_decided", "issue"))),
    "assessments_on_time_share": BuiltOn(on=(("assessments_completed", None),), numerator=True, rest=True),
}
# The count a breakdown adds up to, where it is not the metric's own total (its empty dimension).
BREAKDOWN_TOTAL = {"s31_duration_band": "s31_concluded"}
# 12-month figures and the monthly counts they add up (a rate's numerator is named "<code>.numerator").
ROLLING = {"s31_application_rate.numerator": "s31_issued", "s31_children_12m": "s31_children_issued"}


def _cell(code: str, key: Key) -> Key:
    """A figure's key for another code, same scope, dimension and month."""
    return (code, *key[1:])


def _adds_up(counts: Mapping[Cell, Decimal], total: Cell, parts: Iterable[Cell]) -> bool:
    return counts.get(total, 0) == sum(counts.get(part, 0) for part in parts)


def regional_table(figures: Figures) -> Table:
    """The region's and its LAs' figures as a table for ``disclosure_control``: every count, every rate and
    what it gives away, and every sum a reader can check, kept only where the stored figures add up (a
    sum that does not hold gives a reader nothing)."""
    counts: dict[Cell, Decimal] = {}
    built_on: dict[Cell, list[Cell]] = {}
    few_cases = set()
    shares: list[tuple[Key, Key, Key | None]] = []  # (rate, numerator cell, rest cell)
    for key, value in figures.values.items():
        spec = catalogue.BY_CODE.get(key[0])
        if spec is None:
            continue
        if spec.unit == catalogue.Unit.COUNT:
            counts[key] = value or Decimal(0)
            continue
        if spec.cases is None or value is None:
            continue  # days lost are summed, not counted: the small-number rule does not apply
        cases = figures.cases.get(key)
        if cases is None or 0 < cases < figures.threshold:
            few_cases.add(key)
        built = BUILT_ON.get(key[0], BuiltOn())
        on = [*built.on, *([(spec.share_of, None)] if spec.share_of else [])]
        cells = [(code, key[1], key[2], key[3] if dimension is None else dimension, key[4]) for code, dimension in on]
        for count in cells:
            counts.setdefault(count, Decimal(0))  # a count with no row written: none were counted
        numerator, denominator = figures.fractions.get(key, (None, None))
        top = rest = None
        if built.numerator and numerator is not None:
            top = _cell(f"{key[0]}.numerator", key)
            counts[top] = numerator
            cells.append(top)
            if built.rest and denominator is not None:
                rest = _cell(f"{key[0]}.rest", key)
                counts[rest] = denominator - numerator
                cells.append(rest)
            shares.append((key, top, rest))
        built_on[key] = cells
        for implicit in (top, rest):
            if implicit is not None:
                built_on[implicit] = [key]
    lines = _lines(counts, shares=shares, built_on=built_on)
    las = {cell[2] for cell in counts if cell[1] == ScopeType.LA}
    insiders = {la: frozenset(cell for cell in counts if cell[1] == ScopeType.LA and cell[2] == la) for la in las}
    return Table(counts=counts, lines=lines, built_on=built_on, few_cases=frozenset(few_cases), insiders=insiders)


def _lines(counts: dict[Cell, Decimal], *, shares, built_on) -> list[Line]:
    """Every sum among the counts: region and LAs, breakdowns and totals, shares' parts, 12-month figures."""
    las = sorted({cell[2] for cell in counts if cell[1] == ScopeType.LA})
    candidates: list[Line] = []
    by_group: dict[tuple, set] = defaultdict(set)  # (code, scope type, scope id, month) -> dimensions
    for code, scope_type, scope_id, dimension, period in list(counts):
        by_group[code, scope_type, scope_id, period].add(dimension)
    seen_scope = set()
    for code, scope_type, _scope_id, dimension, period in sorted(counts, key=repr):
        # The region is the sum of its LAs (every case counts in one LA).
        if scope_type in (ScopeType.REGION, ScopeType.LA) and (code, dimension, period) not in seen_scope:
            seen_scope.add((code, dimension, period))
            total = (code, ScopeType.REGION, None, dimension, period)
            candidates.append(Line(total, tuple((code, ScopeType.LA, la, dimension, period) for la in las)))
    for (code, scope_type, scope_id, period), dimensions in sorted(by_group.items(), key=repr):
        breakdown = sorted(dimension for dimension in dimensions if dimension)
        if breakdown:
            total = (BREAKDOWN_TOTAL.get(code, code), scope_type, scope_id, "", period)
            candidates.append(Line(total, tuple((code, scope_type, scope_id, d, period) for d in breakdown)))
        rolled = ROLLING.get(code)
        if rolled:
            months = tuple((rolled, scope_type, scope_id, "", add_months(period, -back)) for back in range(11, -1, -1))
            candidates.append(Line((code, scope_type, scope_id, "", period), months, withhold_total=True))
    # A share's numerator and the rest add up to its denominator, when that is a count shown beside it.
    for rate, top, rest in shares:
        for on in built_on[rate]:
            if rest is not None and on not in (top, rest):
                candidates.append(Line(on, (top, rest)))
    return [line for line in candidates if _adds_up(counts, line.total, line.parts)]


@dataclass(frozen=True)
class Figures:
    """Stored figures for some scopes and months, and the one rule deciding what of them may be shown.

    ``cases`` holds, for each average or rate, how many cases it is built on, and ``fractions`` its stored
    numerator and denominator. ``exact`` names the scopes, as (scope type, scope id), whose figures this
    viewer sees unsuppressed: an LA's own staff looking at their LA, area or team. Everything else goes
    through ``disclosure_control`` (``withheld``): primary and secondary suppression over the whole table,
    so a figure reads the same on every page, download and pack that shows it.
    """

    values: dict[Key, Decimal | None]
    cases: dict[Key, Decimal | None]
    threshold: int
    exact: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)
    fractions: dict[Key, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)

    def value(self, metric: str, scope_type: str, scope_id: int | None, period: dt.date, dimension: str = ""):
        """The stored figure, not suppressed: for working with, never for showing outside the LA."""
        value = self.values.get((metric, scope_type, scope_id, dimension, period))
        if value is None and dimension == "" and catalogue.get(metric).unit == catalogue.Unit.COUNT:
            return Decimal(0)  # no row written for a count means none were counted
        return value

    @cached_property
    def withheld(self) -> frozenset[Cell]:
        """Every figure to show as [c] outside the exact scopes (``disclosure_control``)."""
        return disclosure_control(regional_table(self), threshold=self.threshold)

    def shown(self, metric: str, scope_type: str, scope_id: int | None, period: dt.date, dimension: str = "") -> Shown:
        """The figure as this viewer may see it: its value, None for no data, or SUPPRESSED."""
        catalogue.get(metric)  # an unknown code is an error, not a figure
        value = self.value(metric, scope_type, scope_id, period, dimension)
        if value is None or (scope_type, scope_id) in self.exact:
            return value
        return SUPPRESSED if (metric, scope_type, scope_id, dimension, period) in self.withheld else value


def _read(rows: QuerySet[MetricValue], *, threshold: int, exact: Iterable[tuple[str, int | None]] = ()) -> Figures:
    """Figures from metric value rows (one query)."""
    values, cases, fractions = {}, {}, {}
    for metric, scope_type, scope_id, dimension, period, value, numerator, denominator in rows.values_list(
        "metric", "scope_type", "scope_id", "dimension", "period", "value", "numerator", "denominator"
    ):
        key = (metric, scope_type, scope_id, dimension, period)
        values[key] = value
        spec = catalogue.BY_CODE.get(metric)  # a code no longer in the catalogue is never shown
        if spec is not None and spec.cases is not None:
            cases[key] = numerator if spec.cases == catalogue.Cases.NUMERATOR else denominator
            fractions[key] = (numerator, denominator)
    return Figures(values=values, cases=cases, threshold=threshold, exact=frozenset(exact), fractions=fractions)


def regional_figures(*, first: dt.date, last: dt.date, exact: Iterable[tuple[str, int | None]] = ()) -> Figures:
    """The region's and every LA's stored figures for the months ``first`` to ``last`` (one query).

    Every output that shows these figures reads them through here, so that disclosure control sees the
    same table and withholds the same cells everywhere: the dashboard for any scope, its CSV downloads,
    the board pack. The monthly counts behind a 12-month figure come from 11 months further back.
    """
    rows = MetricValue.objects.filter(scope_type__in=[ScopeType.REGION, ScopeType.LA]).filter(
        Q(period__gte=first, period__lte=last)
        | Q(metric__in=set(ROLLING.values()), period__gte=add_months(first, -11), period__lte=last)
    )
    return _read(rows, threshold=small_number_threshold(), exact=exact)


# ---------------------------------------------------------------------------
# Comparators
# ---------------------------------------------------------------------------

# National figures first, then the region's baseline, LAs' own figures and exemplars; within a kind, in the
# reference data's order (a pilot's "before" figure before its "after").
_KIND_ORDER = list(c.ComparatorKind)


@dataclass(frozen=True)
class Comparators:
    """The reference comparators by metric, and the one rule for which figure is shown under "National".

    Only a national figure (England) is ever shown under "National": the latest vintage when there
    are several. The region's baseline, an LA's own figure and exemplars are shown only with their
    ``heading``, which says what they are (REFERENCE.md section 4, "Comparators").
    """

    rows: list[m.NationalComparator]

    def national(self, metric: str) -> m.NationalComparator | None:
        """The national figure (England) to show under "National" for a metric, or None."""
        national = [row for row in self.rows if row.metric == metric and row.kind == c.ComparatorKind.NATIONAL]
        return max(national, key=lambda row: (row.vintage, row.label), default=None)

    def for_metric(self, metric: str) -> list[m.NationalComparator]:
        """Every comparator for a metric, national first, each to be shown with its heading."""
        return [row for row in self.rows if row.metric == metric]


def marked(comparator: m.NationalComparator, text: str) -> str:
    """A comparator's value as printed, with "(uncertain)" where the source's figure is doubtful."""
    return f"{text} (uncertain)" if comparator.uncertain else text


def comparators() -> Comparators:
    """Every comparator, by metric and kind (one query)."""
    rows = sorted(m.NationalComparator.objects.all(), key=lambda row: (row.metric, _KIND_ORDER.index(row.kind), row.pk))
    return Comparators(rows=rows)


# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    type: str
    id: int | None
    label: str
    local_authority_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id or ''}"


def scopes_for(user) -> list[Scope]:
    """The scopes whose figures the user may see (``permissions.can_see_aggregates``), widest first:
    the region and every LA for regional roles; an LA user's LA, its areas and its teams."""
    if not permissions.SEE_DASHBOARD(user):
        return []
    candidates = [Scope(ScopeType.REGION, None, "Region (all four local authorities)")]
    candidates += [Scope(ScopeType.LA, la.pk, la.name, la.pk) for la in m.LocalAuthority.objects.order_by("name")]
    candidates += [
        Scope(ScopeType.AREA, area.pk, f"{area.name} (area)", area.local_authority_id)
        for area in m.Area.objects.order_by("name")
    ]
    candidates += [
        Scope(ScopeType.TEAM, team.pk, f"{team.name} (team)", team.local_authority_id)
        for team in m.Team.objects.order_by("name")
    ]
    return [
        scope
        for scope in candidates
        if permissions.can_see_aggregates(user, scope_type=scope.type, local_authority_id=scope.local_authority_id)
    ]


def sees_exact_figures(user, scope: Scope) -> bool:
    """Whether the user sees this scope's figures unsuppressed: only the LA's own staff, for their own LA."""
    return permissions.is_own_la_scope(user, scope_type=scope.type, local_authority_id=scope.local_authority_id)


def _snapshots(today: dt.date):
    return (
        PeriodSnapshot.objects.filter(period__lt=month_start(today))
        .order_by("-period")
        .values_list("period", "run_id", "run__started_at")
    )


def _versioned(row) -> tuple[dt.date, str]:
    period, run_id, started = row
    return period, f"{run_id}-{started.timestamp():.6f}"


def latest_period(today: dt.date) -> tuple[dt.date, str] | tuple[None, None]:
    """The latest complete month with stored figures, and a version naming the run that wrote them."""
    row = _snapshots(today).first()
    return _versioned(row) if row else (None, None)


def periods(today: dt.date) -> list[tuple[dt.date, str]]:
    """Every complete month with stored figures, latest first, each with the version of its run."""
    return [_versioned(row) for row in _snapshots(today)]


@dataclass
class Headline:
    metric: catalogue.Metric
    value: Shown
    last_month: Shown
    last_year: Shown
    region: Shown
    # The national figure for England (``Comparators.national``), and every comparator for the metric.
    national: m.NationalComparator | None = None
    comparators: list[m.NationalComparator] = field(default_factory=list)
    # The same figure of each other LA of the region, by name (for an LA's own figures).
    other_las: list[tuple[str, Shown]] = field(default_factory=list)
    # What the figure is built on, in words ("based on 40 applications concluded in the month"), or "".
    base: str = ""
    # Whether the region's figure is a comparison (not for the region itself).
    compare_region: bool = True

    def format(self, value: Shown) -> str:
        if value is SUPPRESSED:
            return SUPPRESSED_TEXT
        if value is None:
            return "no data"
        unit = self.metric.unit
        number = f"{value:,.0f}" if unit == catalogue.Unit.COUNT else f"{value:,.1f}"
        return {catalogue.Unit.PERCENT: f"{number}%", catalogue.Unit.WEEKS: f"{number} weeks"}.get(unit, number)

    def rounded(self, value: Decimal) -> Decimal:
        """The value as the page shows it: whole counts, one decimal place for everything else."""
        places = Decimal(1) if self.metric.unit == catalogue.Unit.COUNT else Decimal("0.1")
        return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)

    def change(self, other: Shown) -> str:
        """Difference from another figure in words (never colour alone): 'higher by 2.1, worse', 'no change'.

        Worked out on the figures as shown, so two figures that read the same are 'no change', never
        'higher by 0.0'."""
        # Nothing against a suppressed figure: the difference would give it away.
        if self.value is None or other is None or SUPPRESSED in (self.value, other):
            return ""
        difference = self.rounded(self.value) - self.rounded(other)
        if difference == 0:
            return "no change"
        amount = f"{abs(difference):,.0f}" if self.metric.unit == catalogue.Unit.COUNT else f"{abs(difference):,.1f}"
        better = ""
        if self.metric.higher_is_better is not None:
            better = ", better" if (difference > 0) == self.metric.higher_is_better else ", worse"
        return f"{'higher' if difference > 0 else 'lower'} by {amount}{better}"

    @property
    def display(self) -> str:
        return "No data" if self.value is None else self.format(self.value)

    def format_comparator(self, comparator: m.NationalComparator) -> str:
        """A comparator's value in the metric's unit, marked when the figure is doubtful."""
        return marked(comparator, self.format(comparator.value))

    @property
    def comparisons(self) -> list[tuple[str, str, str]]:
        """(what, its value, how this month compares) for last month, last year, region and national (England)."""
        rows = [
            ("Last month", self.last_month),
            ("Same month last year", self.last_year),
            *self.other_las,
            *([("Region", self.region)] if self.compare_region else []),
        ]
        result = [(label, self.format(value), self.change(value)) for label, value in rows]
        if self.national is not None:
            national = self.national
            result.append((NATIONAL, self.format_comparator(national), self.change(national.value)))
        return result

    @property
    def comparator_rows(self) -> list[tuple[str, str, str]]:
        """(what it is, its value, its source and vintage) for every comparator of the metric."""
        return [
            (comparator.heading, self.format_comparator(comparator), comparator.citation)
            for comparator in self.comparators
        ]


@dataclass
class DashboardData:
    scope: Scope
    period: dt.date
    months: list[dt.date]
    headlines: list[Headline]
    series: dict[str, list[Shown]]
    region_series: dict[str, list[Shown]]
    drivers: list[tuple[str, Decimal]]
    threshold: int
    # For the region: each headline figure for every LA side by side, then the region's (as shown).
    las: list[str] = field(default_factory=list)
    side_by_side: list[tuple[Headline, list[str]]] = field(default_factory=list)

    @property
    def has_comparators(self) -> bool:
        return any(h.comparators for h in self.headlines)

    @property
    def suppressed(self) -> bool:
        """Whether any figure on the page is suppressed (the page then explains [c])."""
        shown = [value for h in self.headlines for value in (h.value, h.last_month, h.last_year, h.region)]
        shown += [value for h in self.headlines for _, value in h.other_las]
        shown += [text for _, row in self.side_by_side for text in row if text == SUPPRESSED_TEXT]
        shown += [value for values in (*self.series.values(), *self.region_series.values()) for value in values]
        return SUPPRESSED in shown


def dashboard_data(*, scope: Scope, period: dt.date, exact: bool, limits: Thresholds) -> DashboardData:
    """Headline figures with their comparisons, 13-month trends and the delay drivers for a scope.

    ``exact`` (from ``sees_exact_figures``): the scope's own figures unsuppressed. Everything else, the
    region's figures included, is the region's table through disclosure control (``regional_figures``),
    the same table the board pack reads, so a figure is withheld alike on every page, download and pack.
    """
    first = add_months(period, -12)
    months = [add_months(first, n) for n in range(13)]
    own = [(scope.type, scope.id)] if exact else []
    region = regional_figures(first=first, last=period, exact=own)
    threshold = region.threshold
    figures = region
    if scope.type not in (ScopeType.REGION, ScopeType.LA):
        # An area or a team: seen by its own LA's staff only, exactly (``can_see_aggregates``).
        metrics = sorted(set(HEADLINES) | set(TRENDS) | {code for code, _ in _base_counts()})
        scope_rows = MetricValue.objects.filter(
            scope_type=scope.type, scope_id=scope.id, period__gte=first, period__lte=period
        ).filter(Q(metric__in=metrics) | Q(metric=DRIVERS))
        figures = _read(scope_rows, threshold=threshold, exact=own)
    # Days lost are summed, not counted or averaged: the small-number rule does not apply to them.
    driver_days: dict[str, Decimal] = defaultdict(Decimal)
    for (metric, scope_type, scope_id, dimension, when), value in figures.values.items():
        if metric == DRIVERS and dimension and (scope_type, scope_id) == (scope.type, scope.id) and when >= first:
            driver_days[dimension] += value or 0
    reference = comparators()

    def scope_figure(code: str, month: dt.date) -> Shown:
        return figures.shown(code, scope.type, scope.id, month)

    def region_figure(code: str, month: dt.date) -> Shown:
        return region.shown(code, ScopeType.REGION, None, month)

    local_authorities = list(m.LocalAuthority.objects.order_by("name").values_list("pk", "short_name"))
    others = [(pk, name) for pk, name in local_authorities if scope.type == ScopeType.LA and pk != scope.id]
    headlines = []
    for code in HEADLINES:
        if code == "s31_application_rate" and scope.type in (ScopeType.AREA, ScopeType.TEAM):
            continue  # population is known per LA only
        value = scope_figure(code, period)
        headlines.append(
            Headline(
                metric=catalogue.get(code).worded(limits),
                value=value,
                last_month=scope_figure(code, add_months(period, -1)),
                last_year=scope_figure(code, add_months(period, -12)),
                region=region_figure(code, period),
                national=reference.national(code),
                comparators=reference.for_metric(code),
                other_las=[(name, region.shown(code, ScopeType.LA, pk, period)) for pk, name in others],
                base=based_on(figures, code, scope.type, scope.id, period, value),
                compare_region=scope.type != ScopeType.REGION,
            )
        )
    side_by_side = []
    if scope.type == ScopeType.REGION:
        for headline in headlines:
            cells = [region.shown(headline.metric.code, ScopeType.LA, pk, period) for pk, _ in local_authorities]
            side_by_side.append((headline, [headline.format(cell) for cell in [*cells, headline.value]]))
    labels = dict(m.DelayDriver.objects.values_list("code", "label"))
    drivers = sorted(((labels.get(code, code), days) for code, days in driver_days.items()), key=lambda x: -x[1])
    return DashboardData(
        scope=scope,
        period=period,
        months=months,
        headlines=headlines,
        series={code: [scope_figure(code, month) for month in months] for code in TRENDS},
        region_series={code: [region_figure(code, month) for month in months] for code in TRENDS},
        drivers=drivers,
        threshold=threshold,
        las=[name for _, name in local_authorities] if side_by_side else [],
        side_by_side=side_by_side,
    )


def _base_counts() -> set[tuple[str, str]]:
    """Every stored count a headline figure is built on (``catalogue.Base``)."""
    return {count for code in HEADLINES if (base := catalogue.get(code).base) for count in base.counts}


def based_on(figures: Figures, code: str, scope_type: str, scope_id: int | None, period: dt.date, value: Shown) -> str:
    """The denominator of a shown average, share or rate in words: "based on 40 applications concluded
    in the month". Nothing when the figure is not shown, or when a count it is built on is withheld: the
    denominator would give that count away (the same disclosure control as every figure)."""
    base = catalogue.get(code).base
    if base is None or value is None or value is SUPPRESSED:
        return ""
    if not base.counts:
        # A rate per 10,000: its own cases (the numerator) and the population it is a rate of.
        numerator, population = figures.fractions.get((code, scope_type, scope_id, "", period), (None, None))
        if numerator is None:
            return ""
        words = f"based on {numerator:,.0f} {base.words}"
        return f"{words}, in a child population of {population:,.0f}" if population else words
    counts = [figures.shown(count, scope_type, scope_id, period, dimension) for count, dimension in base.counts]
    if any(count is SUPPRESSED or count is None for count in counts):
        return ""
    return f"based on {sum(counts):,.0f} {base.words}"


# ---------------------------------------------------------------------------
# Board pack
# ---------------------------------------------------------------------------


def _data_quality_checks(*, today: dt.date, limits: Thresholds) -> dict[str, QuerySet]:
    """Each data-quality check of ``catalogue.DATA_QUALITY`` as a queryset of the records it counts."""
    open_proceedings = m.Proceedings.objects.open()
    open_episodes = m.PreProceedingsEpisode.objects.open()
    return {
        "dq_open_no_hearing": open_proceedings.filter(~Exists(m.Hearing.objects.filter(proceedings=OuterRef("pk")))),
        "dq_open_past_limit_no_extension": open_proceedings.filter(issue_date__lt=today - limits.s31_limit).filter(
            ~Exists(m.Extension.objects.filter(child_proceedings__proceedings=OuterRef("pk")))
        ),
        "dq_lost_hearing_no_reason": m.Hearing.objects.filter(
            status__in=[c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED], reason__isnull=True
        ),
        "dq_episode_no_initial_meeting": open_episodes.filter(
            ~Exists(m.PreProceedingsMeeting.objects.filter(episode=OuterRef("pk"), kind="initial"))
        ),
        "dq_assessment_no_due_or_target": m.Assessment.objects.filter(
            due_date__isnull=True, assessment_type__target_weeks__isnull=True
        ),
        "dq_family_no_social_worker": m.Family.objects.filter(social_worker__isnull=True).filter(
            Q(pk__in=open_proceedings.values("family_id")) | Q(pk__in=open_episodes.values("family_id"))
        ),
    }


def board_pack_figures(*, month: dt.date, today: dt.date, limits: Thresholds) -> Figures:
    """The region's and each LA's figures for the pack's 13 months, plus the month's data-quality counts.

    Nothing in the pack is exact: it goes to board members, so every figure goes through disclosure
    control, over the same table as the dashboard's.
    """
    figures = regional_figures(first=add_months(month, -12), last=month)
    # Live counts of records for data teams, as at today, held as the pack month's figures per LA.
    counted = {}
    for code, queryset in _data_quality_checks(today=today, limits=limits).items():
        counts = queryset.values("local_authority_id").annotate(n=Count("pk")).values_list("local_authority_id", "n")
        counted.update({(code, ScopeType.LA, la_id, "", month): Decimal(n) for la_id, n in counts})
    return dataclasses.replace(figures, values={**figures.values, **counted})


# ---------------------------------------------------------------------------
# The regional data exercise: the stored snapshot, with the small-number rule
# ---------------------------------------------------------------------------

# The region's scope key, beside each LA's id.
REGION = "region"
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class FieldRow:
    model: str
    field: str
    label: str
    cells: list  # Shown share (percent, one decimal) for each scope, in ``Completeness.scopes`` order


@dataclass(frozen=True)
class ModelBlock:
    model: str
    label: str
    records: list  # Shown count of records for each scope
    rows: list[FieldRow]


@dataclass(frozen=True)
class Completeness:
    scopes: list[tuple[object, str]]  # (scope key, heading): each LA, then the region
    blocks: list[ModelBlock]
    snapshot: CompletenessSnapshot | None = None

    @property
    def suppressed(self) -> bool:
        return any(
            value is SUPPRESSED
            for block in self.blocks
            for value in [*block.records, *(v for row in block.rows for v in row.cells)]
        )


def completeness_table(local_authorities: Sequence, counts: Mapping) -> tuple[Table, dict]:
    """The data exercise's counts as a table for ``disclosure_control``, and each share's value by its cell.

    ``counts``: {(model name, field or None): {LA id: count}}, records of the model (field None), then
    those with each field filled in, in the data dictionary's order.
    """
    threshold = small_number_threshold()
    scopes = [la.pk for la in local_authorities]
    cells: dict = {}
    lines: list[Line] = []
    built_on: dict = {}
    few_cases = set()
    shares = {}
    for (model, field_name), by_la in counts.items():
        if field_name is not None:
            continue
        records = {scope: Decimal(by_la.get(scope, 0)) for scope in scopes}
        records[REGION] = sum(records.values(), Decimal(0))
        for scope, value in records.items():
            cells["records", model, scope] = value
        lines.append(
            Line(("records", model, REGION), tuple(("records", model, s) for s in scopes), withhold_total=True)
        )
        for (other, name), filled_by_la in counts.items():
            if other != model or name is None:
                continue
            full = {scope: Decimal(filled_by_la.get(scope, 0)) for scope in scopes}
            full[REGION] = sum(full.values(), Decimal(0))
            # The region's line first: where a small count is in an LA and so in the region, disclosure
            # control then withholds the region's other part before an LA's, keeping the other LAs' figures.
            for scope in [REGION, *scopes]:
                cells["filled", model, name, scope] = full[scope]
                cells["empty", model, name, scope] = records[scope] - full[scope]
                lines.append(
                    Line(("records", model, scope), (("filled", model, name, scope), ("empty", model, name, scope)))
                )
                share = ("share", model, name, scope)
                built_on[share] = [("filled", model, name, scope), ("empty", model, name, scope)]
                if 0 < records[scope] < threshold:
                    few_cases.add(share)
                shares[share] = (full[scope] * 100 / records[scope]) if records[scope] else None
            for kind in ("filled", "empty"):
                parts = tuple((kind, model, name, s) for s in scopes)
                lines.append(Line((kind, model, name, REGION), parts, withhold_total=True))
    table = Table(counts=cells, lines=lines, built_on=built_on, few_cases=frozenset(few_cases))
    return table, shares


def completeness_snapshots(*, limit: int = 12) -> list[CompletenessSnapshot]:
    """The latest stored data exercise snapshots, newest first."""
    return list(CompletenessSnapshot.objects.order_by("-computed_at", "-pk")[:limit])


def completeness_figures(*, snapshot_id: int | None = None) -> Completeness | None:
    """A stored data exercise snapshot (default: the latest) as shown: every LA and the region, small numbers withheld.

    Two queries whatever the number of records: the snapshot and its figures (with their LAs). None when
    there is no such snapshot. The stored counts go through ``disclosure_control`` here, with today's
    threshold, so the figures read ``[c]`` exactly as every other aggregate does.
    """
    snapshots = CompletenessSnapshot.objects.order_by("-computed_at", "-pk")
    snapshot = (snapshots.filter(pk=snapshot_id) if snapshot_id is not None else snapshots).first()
    if snapshot is None:
        return None
    figures = list(snapshot.figures.select_related("local_authority").order_by("position", "pk"))
    local_authorities = sorted(
        {figure.local_authority_id: figure.local_authority for figure in figures if figure.local_authority_id}.values(),
        key=lambda la: la.name,
    )
    # The counts as ``completeness_table`` takes them: each LA's (the region is their sum), in the stored order.
    counts: dict[tuple[str, str | None], dict[int, int]] = {}
    for figure in figures:
        key = (figure.model, figure.field or None)
        counts.setdefault(key, {})
        if figure.local_authority_id is not None:
            counts[key][figure.local_authority_id] = figure.filled if figure.field else figure.records
    table, _shares = completeness_table(local_authorities, counts)
    withheld = disclosure_control(table, threshold=small_number_threshold())
    scope_keys = [*(la.pk for la in local_authorities), REGION]

    def shown(cell, value) -> Shown:
        if value is None:
            return None
        return SUPPRESSED if cell in withheld else value

    stored = {(fig.model, fig.field, fig.local_authority_id or REGION): fig for fig in figures}
    blocks: dict[str, ModelBlock] = {}
    for figure in figures:
        if figure.local_authority_id is not None:
            continue  # one pass per row of the page: the region's figure stands for the row
        name = figure.model
        if not figure.field:
            records = [shown(("records", name, s), Decimal(stored[name, "", s].records)) for s in scope_keys]
            blocks[name] = ModelBlock(model=name, label=figure.model_label, records=records, rows=[])
            continue
        cells = []
        for s in scope_keys:
            value = stored[name, figure.field, s].share
            value = value.quantize(ONE_DECIMAL, ROUND_HALF_UP) if value is not None else None
            cells.append(shown(("share", name, figure.field, s), value))
        blocks[name].rows.append(FieldRow(model=name, field=figure.field, label=figure.field_label, cells=cells))
    headings = [(la.pk, la.short_name) for la in local_authorities] + [(REGION, "Region")]
    return Completeness(scopes=headings, blocks=list(blocks.values()), snapshot=snapshot)

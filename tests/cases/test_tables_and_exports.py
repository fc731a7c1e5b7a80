"""Lists that work on a phone and exports ready to work with.

- The case list's and tracker's tables sit in a focusable, named scroll region, so on a small screen
  the table scrolls sideways inside it rather than widening the page (the browser test measures it).
- Pagination is the GOV.UK component with page numbers: the first and last page, the current page
  and one either side, an ellipsis for a run of skipped pages (a run of one is shown as its number),
  the current page marked ``aria-current="page"``, every link keeping the filters.
- The Excel export: OFFICIAL-SENSITIVE in row 1 and in the printed header and footer, the headings
  in row 2 frozen with a filter, columns wide enough for their headings, dates as dates (dd/mm/yyyy).

Pre-proceedings start on Monday 5 January 2026 with no letter sent: the letter before proceedings is
due that day, so that is each case's next due.
"""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse

from cases.templatetags.govuk_pagination import page_items
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 5)
TODAY = dt.date(2026, 1, 10)
ELLIPSIS = "⋯"
VOID = {"br", "input", "img", "hr", "meta", "link", "source", "wbr", "path"}


def pp_case(la, *, worker=None, name=None):
    family = f.FamilyFactory(
        local_authority=la,
        social_worker=worker or f.UserFactory(local_authority=la),
        **({"name": name} if name else {}),
    )
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2020, 1, 1))
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=START, start_date=START)
    return family


class _Page(HTMLParser):
    """The elements around each element with an id, and the pagination's items in order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.ancestors: dict[str, list[tuple[str, dict]]] = {}
        self.items: list[dict] = []  # {"label", "href", "current"} per list item of the pagination
        self.rel: dict[str, str] = {}  # "prev"/"next" -> href
        self._item: dict | None = None
        self.feed(html)

    def _inside(self, css: str) -> bool:
        return any(css in attrs.get("class", "").split() for _, attrs in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if "id" in attrs:
            self.ancestors[attrs["id"]] = list(self.stack)
        if self._inside("govuk-pagination"):
            if tag == "li" and "govuk-pagination__item" in attrs.get("class", ""):
                self._item = {"label": "", "href": None, "current": None, "class": attrs["class"]}
                self.items.append(self._item)
            if tag == "a" and self._item is not None:
                self._item["href"] = attrs["href"]
                self._item["current"] = attrs.get("aria-current")
            if tag == "a" and attrs.get("rel") in ("prev", "next"):
                self.rel[attrs["rel"]] = attrs["href"]
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "li":
            self._item = None
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self._item is not None:
            self._item["label"] += data.strip()

    def labels(self) -> list[str]:
        return [item["label"] for item in self.items]

    def current(self) -> list[str]:
        return [item["label"] for item in self.items if item["current"] == "page"]


# ---------------------------------------------------------------------------------------------
# Tables scroll inside their container
# ---------------------------------------------------------------------------------------------


def test_it_puts_the_case_list_table_in_a_focusable_named_scroll_region(client, la_a, social_worker):
    pp_case(la_a, worker=social_worker)
    sign_in(client, social_worker)
    assert_in_scroll_region(client.get(reverse("cases:list")).content.decode(), "cases", "cases-caption")


def test_it_puts_the_tracker_table_in_a_focusable_named_scroll_region(client, la_a, chair):
    pp_case(la_a)
    sign_in(client, chair)
    assert_in_scroll_region(client.get(reverse("tracker:list")).content.decode(), "tracker", "tracker-caption")


def assert_in_scroll_region(html: str, table: str, caption: str) -> None:
    page = _Page(html)
    tag, attrs = page.ancestors[table][-1]
    assert tag == "div"
    assert "app-table-scroll" in attrs["class"].split()
    assert (attrs.get("tabindex"), attrs.get("role"), attrs.get("aria-labelledby")) == ("0", "region", caption)
    # Its name is the table's caption, inside the table.
    assert page.ancestors[caption][-1][0] == "table"
    assert 'style="' not in html  # the Content-Security-Policy allows no inline styles


# ---------------------------------------------------------------------------------------------
# Pagination with page numbers
# ---------------------------------------------------------------------------------------------


def numbers(number: int, num_pages: int) -> list[int | None]:
    return [item.number for item in page_items(number, num_pages)]


def test_it_numbers_the_first_a_middle_and_the_last_of_twelve_pages():
    # Page 1: itself and page 2, then pages 3-11 skipped, then the last.
    assert numbers(1, 12) == [1, 2, None, 12]
    # Page 6: the first, 2-4 skipped, 5 6 7, 8-11 skipped, the last.
    assert numbers(6, 12) == [1, None, 5, 6, 7, None, 12]
    # Page 12: the first, 2-10 skipped, 11 and itself.
    assert numbers(12, 12) == [1, None, 11, 12]
    # Page 4: only page 2 is skipped before 3, so it is shown rather than an ellipsis.
    assert numbers(4, 12) == [1, 2, 3, 4, 5, None, 12]
    assert numbers(9, 12) == [1, None, 8, 9, 10, 11, 12]
    assert [item.current for item in page_items(6, 12)] == [False, False, False, True, False, False, False]


def test_it_numbers_short_runs_without_an_ellipsis():
    assert numbers(1, 1) == [1]
    assert numbers(2, 2) == [1, 2]
    assert numbers(1, 3) == [1, 2, 3]
    assert numbers(3, 5) == [1, 2, 3, 4, 5]


def test_it_shows_numbered_pages_on_the_tracker_with_the_current_one_marked(client, la_a, chair, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    monkeypatch.setattr("cases.views.tracker.PAGE_SIZE", 1)
    for _ in range(12):
        pp_case(la_a)
    sign_in(client, chair)
    url = reverse("tracker:list")

    def pagination(number: int) -> _Page:
        return _Page(client.get(url, {"sort": "weeks_asc", "page": number}).content.decode())

    first, middle, last = pagination(1), pagination(6), pagination(12)
    assert first.labels() == ["1", "2", ELLIPSIS, "12"]
    assert first.current() == ["1"]
    assert "prev" not in first.rel
    assert first.rel["next"] == "?sort=weeks_asc&page=2"

    assert middle.labels() == ["1", ELLIPSIS, "5", "6", "7", ELLIPSIS, "12"]
    assert middle.current() == ["6"]
    # Each link keeps the sort (and any filter) and goes to its own page.
    assert [item["href"] for item in middle.items if item["href"]] == [
        f"?sort=weeks_asc&page={n}" for n in (1, 5, 6, 7, 12)
    ]
    assert (middle.rel["prev"], middle.rel["next"]) == ("?sort=weeks_asc&page=5", "?sort=weeks_asc&page=7")
    ellipses = [item for item in middle.items if item["label"] == ELLIPSIS]
    assert all(item["href"] is None and "govuk-pagination__item--ellipsis" in item["class"] for item in ellipses)

    assert last.labels() == ["1", ELLIPSIS, "11", "12"]
    assert last.current() == ["12"]
    assert "next" not in last.rel
    # The current page is the GOV.UK current item (white on blue), not a bare label.
    [current] = [item for item in last.items if item["current"]]
    assert "govuk-pagination__item--current" in current["class"]


def test_it_shows_numbered_pages_on_the_case_list(client, la_a, social_worker, monkeypatch):
    monkeypatch.setattr("cases.views.cases.PAGE_SIZE", 1)
    for _ in range(3):
        pp_case(la_a, worker=social_worker)
    sign_in(client, social_worker)
    page = _Page(client.get(reverse("cases:list"), {"page": 2}).content.decode())
    assert page.labels() == ["1", "2", "3"]
    assert page.current() == ["2"]
    assert (page.rel["prev"], page.rel["next"]) == ("?page=1", "?page=3")


# ---------------------------------------------------------------------------------------------
# The Excel export
# ---------------------------------------------------------------------------------------------


def tracker_sheet(client, **params):
    from openpyxl import load_workbook

    response = client.get(reverse("tracker:list"), {"export": "xlsx", **params})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def test_it_exports_a_marked_frozen_filtered_sized_sheet_with_real_dates(client, la_a, chair, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    first, second = pp_case(la_a, name="Exportone"), pp_case(la_a, name="Exporttwo")
    sign_in(client, chair)
    sheet = tracker_sheet(client)

    # Row 1: the marking; row 2: the headings; then one row per case.
    assert sheet["A1"].value == "OFFICIAL-SENSITIVE"
    assert sheet["A1"].font.b
    headings = [cell.value for cell in sheet[2]]
    assert headings[:3] == ["LA reference", "Family", "Children"]
    assert headings[-1] == "Flags"
    assert len(headings) == 14  # A to N
    assert {sheet["A3"].value, sheet["A4"].value} == {first.la_reference, second.la_reference}
    assert sheet.max_row == 4

    # The marking and headings stay in view; the filter covers the headings and both cases.
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:N4"
    assert sheet.print_title_rows == "$1:$2"
    # On paper too: the marking on every page's header and footer.
    assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    assert sheet.oddFooter.center.text == "OFFICIAL-SENSITIVE"

    # Every heading fits its column; the long text columns are wider.
    letters = "ABCDEFGHIJKLMN"
    widths = {heading: sheet.column_dimensions[letter].width for letter, heading in zip(letters, headings, strict=True)}
    assert all(widths[heading] >= len(heading) + 1 for heading in headings), widths
    assert min(widths["Children"], widths["Reason"], widths["Flags"]) >= 30

    # "Next due date" (column L): the letter before proceedings, due on 5 January 2026, as a date.
    assert headings[11] == "Next due date"
    assert sheet["K3"].value == "Letter before proceedings"
    date_cell = sheet["L3"]
    assert date_cell.is_date
    assert date_cell.number_format == "dd/mm/yyyy"
    assert date_cell.value == dt.datetime(2026, 1, 5)


def test_it_exports_a_date_excel_cannot_hold_as_text_and_typed_formulas_as_text(client, la_a, chair, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    family = pp_case(la_a, name="=HYPERLINK(1)")
    unborn = f.ChildFactory(family=family, date_of_birth=None, expected_due_date=dt.date(2026, 6, 15))
    with connection.cursor() as cursor:  # as a bad bulk load might store it, triggers on
        cursor.execute("UPDATE cases_child SET expected_due_date = '0001-01-02' WHERE id = %s", [unborn.pk])
    sign_in(client, chair)
    sheet = tracker_sheet(client)
    # The pre-birth plan, five weeks before 2 January of year 1, stops at 1 January of year 1.
    assert sheet["L3"].value == "0001-01-01"
    assert sheet["B3"].value == "'=HYPERLINK(1)"

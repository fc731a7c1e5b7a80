"""Every list endpoint reads in the same number of queries whatever the number of rows it lists.

The list endpoints come from the router; what a record of each one's kind is, is written here by
hand (``MAKERS``). Each list is read with 2 records of its kind and with 6: the number of queries
must not change, and the list must show the 4 new records (so the count is of real rows). A list
registered with no entry here fails.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import models as m
from reporting import catalogue
from reporting import models as rm
from tests.api import records
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    """Many users are made here: hash their (unused) passwords quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_serial = itertools.count(1)


def copy_of(model) -> Callable[[Any], Any]:
    """A new row of a reference table, copied from one the data migrations loaded."""

    def make(_la):
        row = model.objects.order_by("pk").first()
        if isinstance(model._meta.pk, type(m.Court._meta.pk)):
            row.pk = f"{row.pk}_copy{next(_serial)}"[: model._meta.pk.max_length]
        else:
            row.pk = None
        row.label = f"{row.label} (copy {next(_serial)})"  # labels are unique in some tables
        row._state.adding = True
        row.save(force_insert=True)
        return row

    return make


def team(la):
    return m.Team.objects.create(local_authority=la, area=la.areas.order_by("pk").first(), name=f"Team {next(_serial)}")


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def metric_value(la):
    """A stored figure of the LA for last month (a metric code not used by the figures made before)."""
    run = rm.MetricRun.objects.first() or rm.MetricRun.objects.create(status=rm.MetricRun.Status.SUCCEEDED)
    used = set(rm.MetricValue.objects.values_list("metric", flat=True))
    code = next(code for code in catalogue.BY_CODE if code not in used)
    return rm.MetricValue.objects.create(
        run=run, period=last_month(), metric=code, scope_type="la", scope_id=la.pk, local_authority=la, value=40
    )


# basename -> the function making one record of its kind in an LA (None: the list is not of rows).
MAKERS: dict[str, Callable[[Any], Any] | None] = {
    "families": records.family,
    "children": records.child,
    "people": records.person,
    "family_members": records.family_member,
    "professionals": records.professional,
    "case_notes": records.case_note,
    "document_links": records.document_link,
    "pp_episodes": records.episode,
    "pp_meetings": records.pp_meeting,
    "assessments": records.assessment,
    "delay_events": records.delay_event,
    "proceedings": records.proceedings,
    "child_proceedings": records.child_proceedings,
    "extensions": records.extension,
    "hearings": records.hearing,
    "tracker": records.tracker_row,
    "meetings": records.tracker_meeting,
    "meeting_items": records.meeting_item,
    "meeting_actions": records.meeting_action,
    "imports": records.import_run,
    "courts": copy_of(m.Court),
    "hearing_types": copy_of(m.HearingType),
    "order_outcomes": copy_of(m.OrderOutcome),
    "assessment_types": copy_of(m.AssessmentType),
    "delay_drivers": copy_of(m.DelayDriver),
    "delay_reasons": copy_of(m.DelayReason),
    "thresholds": copy_of(m.Threshold),
    "comparators": copy_of(m.NationalComparator),
    "metrics": metric_value,
    "metric_scopes": team,
    # Built from the models' definitions in code, not read from rows.
    "data_dictionary": None,
    "metric_definitions": None,
}

# Lists that need a parameter to show the records made: the month of the figures.
PARAMS = {"metrics": {"period": f"{last_month():%Y-%m}"}}


def list_routes() -> list[str]:
    from cases.api.urls import router

    return [
        basename
        for _prefix, viewset, basename in router.registry
        if any(route.mapping.get("get") == "list" for route in router.get_routes(viewset) if not route.detail)
    ]


def test_it_has_a_maker_for_every_list_endpoint():
    lists = set(list_routes())
    assert sorted(lists - set(MAKERS)) == [], "list endpoints with no entry in MAKERS"
    assert sorted(set(MAKERS) - lists) == [], "entries in MAKERS for lists not registered"


def shown(body) -> int:
    """How many rows a list shows (a page's results, a plain list, or the metrics' figures)."""
    if isinstance(body, list):
        return len(body)
    return len(body["results"])


@pytest.mark.parametrize("basename", list_routes())
def test_it_lists_in_as_many_queries_with_6_records_as_with_2(basename, la_a, writer):
    assert basename in MAKERS, f"{basename} has no entry in MAKERS"
    make = MAKERS[basename]
    if make is None:
        pytest.skip(f"{basename} lists definitions from code, not rows")
    client = token_client(writer)
    url = reverse(f"api:{basename}-list")
    params = {"page_size": 1000, **PARAMS.get(basename, {})}
    client.get(url, params)  # warm-up: anything read once per process
    for _ in range(2):
        make(la_a)
    with CaptureQueriesContext(connection) as two:
        first = client.get(url, params)
    assert first.status_code == 200, first.content
    for _ in range(4):
        make(la_a)
    with CaptureQueriesContext(connection) as six:
        second = client.get(url, params)
    assert second.status_code == 200, second.content
    assert shown(second.json()) == shown(first.json()) + 4, "the list shows the 4 new records"
    assert len(six) == len(two), "\n".join(query["sql"] for query in six.captured_queries)

"""Query parameters are read strictly, and the schema describes what the API answers.

A filter that is given is applied or refused with a 400 naming it: never ignored, so a case system
with a bad value does not take the whole table, nor store a watermark nothing will ever pass.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from cases import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def refused(response, attr: str) -> bool:
    body = response.json()
    return response.status_code == 400 and [error["attr"] for error in body["errors"]] == [attr]


@pytest.mark.parametrize(
    "value",
    ["", "yesterday", "1899-12-31T23:00:00Z", "2026-13-01T00:00:00Z"],
    ids=["empty", "words", "before 1900", "no such month"],
)
def test_it_refuses_a_changes_watermark_it_cannot_read_or_that_is_out_of_bounds(api, value):
    assert refused(api.get("/api/v1/families/", {"updated_since": value}), "updated_since")


def test_it_refuses_a_watermark_in_the_future_beyond_clock_skew(api):
    ahead = timezone.now() + dt.timedelta(days=2)
    assert refused(api.get("/api/v1/children/", {"updated_since": ahead.isoformat()}), "updated_since")
    # Within a day ahead (a client's clock running fast) is read: nothing has changed since.
    soon = timezone.now() + dt.timedelta(hours=2)
    response = api.get("/api/v1/children/", {"updated_since": soon.isoformat()})
    assert (response.status_code, response.json()["results"]) == (200, [])


def test_it_reads_a_watermark_with_any_offset_python_reads_as_the_same_moment_in_utc(api, la_a):
    # 2026-01-01 00:00 at +20:03 is 2025-12-31 03:57 UTC (PostgreSQL itself reads offsets only to 15:59).
    with time_machine.travel(dt.datetime(2025, 12, 31, 3, 56, tzinfo=dt.UTC), tick=False):
        f.FamilyFactory(local_authority=la_a, la_reference="BEFORE")
    with time_machine.travel(dt.datetime(2025, 12, 31, 3, 58, tzinfo=dt.UTC), tick=False):
        f.FamilyFactory(local_authority=la_a, la_reference="AFTER")
    response = api.get("/api/v1/families/", {"updated_since": "2026-01-01T00:00:00+20:03"})
    assert response.status_code == 200
    assert [row["la_reference"] for row in response.json()["results"]] == ["AFTER"]


def test_it_refuses_a_true_or_false_filter_given_anything_else(api):
    assert refused(api.get("/api/v1/thresholds/", {"statutory": "null"}), "statutory")
    assert refused(api.get("/api/v1/courts/", {"active": ""}), "active")
    # Read, it filters: the statutory ones are the 26-week limit, its final hearing and the 8-week extension.
    codes = [row["code"] for row in api.get("/api/v1/thresholds/", {"statutory": "true"}).json()["results"]]
    assert codes == ["extension_max_weeks", "final_by_week", "s31_limit_weeks"]


@pytest.mark.parametrize("path", ["/api/v1/courts/", "/api/v1/comparators/", "/api/v1/families/"])
@pytest.mark.parametrize("size", ["null", "0", "1001", "-3", ""])
def test_it_refuses_a_page_size_outside_1_to_1000_on_every_paged_list(api, path, size):
    assert refused(api.get(path, {"page_size": size}), "page_size")


def test_it_refuses_an_empty_link_filter_instead_of_listing_everything(api, la_a):
    f.ChildFactory(family=f.FamilyFactory(local_authority=la_a))
    assert refused(api.get("/api/v1/children/", {"family": ""}), "family")


def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_it_describes_the_api_without_reading_thresholds_from_the_database():
    m.Threshold.objects.all().delete()
    described = schema()
    flag = next(p for p in described["paths"]["/api/v1/tracker/"]["get"]["parameters"] if p["name"] == "flag")
    assert "overdue_action" in str(flag["schema"])


def test_it_describes_the_page_size_error_and_one_object_for_a_months_figures():
    described = schema()
    components = described["components"]["schemas"]
    errors = components["FamiliesListValidationError"]["properties"]["errors"]["items"]
    # drf-standardized-errors names one component per field that can be wrong.
    names = {ref["$ref"].rsplit("/", 1)[-1] for ref in components[errors["$ref"].rsplit("/", 1)[-1]]["oneOf"]}
    assert {"FamiliesListPageSizeErrorComponent", "FamiliesListUpdatedSinceErrorComponent"} <= names
    ok = described["paths"]["/api/v1/metrics/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Metrics"}


def test_it_offers_no_forecast_band_on_the_tracker_while_the_api_has_no_forecast(api):
    parameters = schema()["paths"]["/api/v1/tracker/"]["get"]["parameters"]
    assert "band" not in [parameter["name"] for parameter in parameters]
    assert api.get("/api/v1/tracker/").status_code == 200

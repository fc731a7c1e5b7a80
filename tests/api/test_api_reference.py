"""Reference data and the data dictionary through the API: read-only, for any caller, in code order."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cases import models as m

pytestmark = pytest.mark.django_db


def test_it_lists_reference_codes_in_code_order_for_any_token(api, reader):
    body = api.get("/api/v1/hearing-types/", {"page_size": 3}).json()
    codes = sorted(m.HearingType.objects.values_list("code", flat=True))
    assert [row["code"] for row in body["results"]] == codes[:3]
    reason = m.DelayReason.objects.select_related("driver").first()
    one = api.get(f"/api/v1/delay-reasons/{reason.code}/").json()
    assert (one["label"], one["driver"]) == (reason.label, reason.driver.code)
    limit = api.get("/api/v1/thresholds/s31_limit_weeks/").json()
    assert (limit["value"], limit["unit"]) == ("26.00", "weeks")
    assert api.post("/api/v1/courts/", {"code": "x", "label": "X"}, format="json").status_code == 405
    assert not m.ReadAudit.objects.exists()


def test_it_refuses_reference_data_without_credentials():
    assert APIClient().get("/api/v1/courts/").status_code == 401


def test_it_publishes_the_data_dictionary_to_anyone():
    client = APIClient()
    entries = client.get("/api/v1/data-dictionary/").json()
    family = next(entry for entry in entries if entry["name"] == "Family")
    assert "la_reference" in [field["name"] for field in family["fields"]]
    assert client.get("/api/v1/data-dictionary/Family/").json()["name"] == "Family"
    assert client.get("/api/v1/data-dictionary/Nothing/").status_code == 404

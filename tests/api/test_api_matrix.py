"""Every API endpoint x every kind of caller, built from the URL conf.

The operations come from the router (``cases.api.urls.router``): each registered endpoint's list,
detail, create, partial update and extra actions. What each endpoint needs is written here by hand
(``ENDPOINTS``), and so is what each kind of caller holds (``HOLDS``), read from the permission
rules as they are meant to be, not from the viewsets: a route registered without an entry here fails,
so a new endpoint is covered (or the test says it is not) as soon as it is added.

Expected: anonymous 401; signed in without the read capability 403; with it 200; a write without the
write capability 403; another LA's record on a detail route (GET and PATCH) 404. Every answer under
``/api/`` is JSON, errors in the one error format, for unknown URLs, wrong methods and server errors too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from cases import dictionary
from cases import models as m
from cases.api.urls import router
from cases.constants import Role
from reporting import catalogue
from tests import factories as f
from tests.api import records
from tests.api.conftest import service_account, session_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    """Many users are made here: hash their (unused) passwords quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CREATE, PATCH = "create", "partial_update"
BOTH = (CREATE, PATCH)

# Capabilities, by name, as the tables below use them. "public" needs nothing, not even signing in.
PUBLIC, SIGNED_IN, IDENTIFIABLE, DASHBOARD = "public", "signed_in", "see_identifiable", "see_dashboard"
WRITE, MEETINGS, IMPORTS = "write_cases", "run_meetings", "import_trackers"
BAD_CREDENTIALS = "bad_credentials"


@dataclass(frozen=True)
class Endpoint:
    """What one endpoint needs, written by hand."""

    read: str
    write: str | None = None  # None: read-only
    writes: tuple[str, ...] = ()  # which writes it takes (POST create, PATCH partial_update)
    record: Callable[[Any], Any] | None = None  # makes a record of an LA: the endpoint is the LA's records
    key: Callable[[], Any] | None = None  # the id of a shared (reference) row for its detail route
    multipart: bool = False  # writes are file uploads (multipart/form-data), not JSON


def _code(model) -> Callable[[], Any]:
    return lambda: model.objects.order_by("pk").values_list("pk", flat=True).first()


ENDPOINTS: dict[str, Endpoint] = {
    "families": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.family),
    "children": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.child),
    "people": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.person),
    "family_members": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.family_member),
    "professionals": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.professional),
    "case_notes": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.case_note),
    "document_links": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.document_link),
    "pp_episodes": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.episode),
    "pp_meetings": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.pp_meeting),
    "assessments": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.assessment),
    "delay_events": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.delay_event),
    "proceedings": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.proceedings),
    "child_proceedings": Endpoint(IDENTIFIABLE, WRITE, (PATCH,), records.child_proceedings),
    "extensions": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.extension),
    "hearings": Endpoint(IDENTIFIABLE, WRITE, BOTH, records.hearing),
    "tracker": Endpoint(IDENTIFIABLE, record=records.tracker_row),
    "meetings": Endpoint(IDENTIFIABLE, MEETINGS, (CREATE,), records.tracker_meeting),
    "meeting_items": Endpoint(IDENTIFIABLE, MEETINGS, (PATCH,), records.meeting_item),
    "meeting_actions": Endpoint(IDENTIFIABLE, MEETINGS, BOTH, records.meeting_action),
    "imports": Endpoint(IMPORTS, IMPORTS, (CREATE,), records.import_run, multipart=True),
    "courts": Endpoint(SIGNED_IN, key=_code(m.Court)),
    "hearing_types": Endpoint(SIGNED_IN, key=_code(m.HearingType)),
    "order_outcomes": Endpoint(SIGNED_IN, key=_code(m.OrderOutcome)),
    "assessment_types": Endpoint(SIGNED_IN, key=_code(m.AssessmentType)),
    "delay_drivers": Endpoint(SIGNED_IN, key=_code(m.DelayDriver)),
    "delay_reasons": Endpoint(SIGNED_IN, key=_code(m.DelayReason)),
    "thresholds": Endpoint(SIGNED_IN, key=_code(m.Threshold)),
    "comparators": Endpoint(SIGNED_IN, key=_code(m.NationalComparator)),
    "data_dictionary": Endpoint(PUBLIC, key=lambda: dictionary.build()[0].name),
    "metrics": Endpoint(DASHBOARD),
    "metric_scopes": Endpoint(DASHBOARD),
    "metric_definitions": Endpoint(SIGNED_IN, key=lambda: next(iter(catalogue.BY_CODE))),
}
# Extra actions (basename, action): which capability of its endpoint each needs ("read" or "write").
ACTIONS: dict[tuple[str, str], str] = {
    ("hearings", "outcome"): "write",
    ("imports", "apply"): "write",
    ("imports", "template"): "read",
}
# Extra actions that refuse their record as the matrix makes it, and how: the import run made has
# problems, so applying it is a conflict (409), not a field error.
REFUSED: dict[tuple[str, str], set[int]] = {("imports", "apply"): {409}}
# Extra actions whose success is a file, not JSON (their errors are JSON like every other).
FILES = {("imports", "template")}

LA_STAFF = {SIGNED_IN, IDENTIFIABLE, DASHBOARD}
# What each kind of caller holds, by hand from the rules (cases.permissions) as they are meant to be.
HOLDS: dict[str, set[str]] = {
    "social_worker": LA_STAFF | {WRITE},
    "team_manager": LA_STAFF | {WRITE, MEETINGS},
    "chair": LA_STAFF | {MEETINGS},
    "la_admin": LA_STAFF | {WRITE, MEETINGS, IMPORTS},
    "read_service_account": LA_STAFF,
    "write_service_account": LA_STAFF | {WRITE, IMPORTS},
    "other_la_user": LA_STAFF | {WRITE},
    "board_member": {SIGNED_IN},
    "analyst": {SIGNED_IN, DASHBOARD},
    "superuser": {SIGNED_IN, DASHBOARD},
    "inactive": set(),
    # A token of an inactive account is refused as a credential (401), even where none is needed.
    "inactive_service_account": {BAD_CREDENTIALS},
    "anonymous": set(),
}
ROLES = list(HOLDS)


def caller(role: str, la_a, la_b) -> APIClient:
    """A client calling as ``role`` (people with a verified session, service accounts with a token)."""
    person = {
        "social_worker": (Role.SOCIAL_WORKER, la_a),
        "team_manager": (Role.TEAM_MANAGER, la_a),
        "chair": (Role.QUADRANT_CHAIR, la_a),
        "la_admin": (Role.LA_ADMIN, la_a),
        "other_la_user": (Role.SOCIAL_WORKER, la_b),
        "board_member": (Role.BOARD_MEMBER, None),
        "analyst": (Role.REGIONAL_ANALYST, None),
    }
    if role in person:
        role_value, la = person[role]
        return session_client(f.UserFactory(username=f"matrix.{role}", role=role_value, local_authority=la))
    if role == "read_service_account":
        return token_client(service_account(la_a, role=Role.API_READ))
    if role == "write_service_account":
        return token_client(service_account(la_a))
    if role == "superuser":
        user = f.UserFactory(
            username="matrix.superuser",
            role=Role.REGIONAL_ANALYST,
            local_authority=None,
            is_superuser=True,
            is_staff=True,
        )
        return session_client(user)
    if role == "inactive":
        user = f.UserFactory(username="matrix.inactive", role=Role.SOCIAL_WORKER, local_authority=la_a)
        client = session_client(user)
        m.User.objects.filter(pk=user.pk).update(is_active=False)
        return client
    if role == "inactive_service_account":
        user = service_account(la_a, username="svc.inactive")
        client = token_client(user)
        m.User.objects.filter(pk=user.pk).update(is_active=False)
        return client
    assert role == "anonymous"
    return APIClient()


# -- the operations, from the URL conf --------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    basename: str
    action: str  # list, retrieve, create, partial_update or an extra action's name
    method: str
    detail: bool
    url_name: str

    def __str__(self) -> str:
        return f"{self.basename}-{self.action}"


def operations() -> list[Operation]:
    found = []
    for _prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            for method, action in route.mapping.items():
                if not hasattr(viewset, action):
                    continue
                url_name = route.name.format(basename=basename)
                found.append(Operation(basename, action, method.upper(), route.detail, url_name))
    return found


OPERATIONS = operations()


def test_it_has_a_hand_written_entry_for_every_registered_endpoint_and_action():
    registered = {basename for _prefix, _viewset, basename in router.registry}
    assert sorted(registered - set(ENDPOINTS)) == [], "registered endpoints with no entry in ENDPOINTS"
    assert sorted(set(ENDPOINTS) - registered) == [], "entries in ENDPOINTS for endpoints not registered"
    standard = {"list", "retrieve", CREATE, PATCH}
    extra = {(op.basename, op.action) for op in OPERATIONS if op.action not in standard}
    assert sorted(extra - set(ACTIONS)) == [], "extra actions with no entry in ACTIONS"
    assert sorted(set(ACTIONS) - extra) == [], "entries in ACTIONS for actions not registered"


def assert_json(response, label: str) -> Any:
    assert response["Content-Type"].startswith("application/json"), f"{label}: {response['Content-Type']}"
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"type", "errors"}, f"{label}: {body}"
        assert body["type"] in ("validation_error", "client_error", "server_error"), f"{label}: {body}"
        assert body["errors"], f"{label}: {body}"
        for error in body["errors"]:
            assert set(error) == {"code", "detail", "attr"}, f"{label}: {body}"
    return body


def expected_status(op: Operation, endpoint: Endpoint, holds: set[str]) -> set[int]:
    """The answers a caller holding ``holds`` may get for ``op`` on its own LA's record."""
    if BAD_CREDENTIALS in holds:
        return {401}
    if endpoint.read != PUBLIC:
        if SIGNED_IN not in holds:
            return {401}
        if endpoint.read not in holds:
            return {403}
    if op.method == "GET":
        return {200}
    offered = op.action in endpoint.writes or ACTIONS.get((op.basename, op.action)) == "write"
    if not offered:
        # Refused as a method it does not take (405), or first by the write capability every write asks.
        return {405} if endpoint.write in holds else {403, 405}
    if endpoint.write not in holds:
        return {403}
    if (op.basename, op.action) in REFUSED:
        return REFUSED[(op.basename, op.action)]
    # An empty body: refused on its fields (400) or, for an update, for want of If-Match (428).
    return {400, 428} if op.detail else {400, 201}


def url_of(op: Operation, key: Any = None) -> str:
    if not op.detail:
        return reverse(f"api:{op.url_name}")
    viewset = next(v for _p, v, b in router.registry if b == op.basename)
    kwarg = viewset.lookup_url_kwarg or viewset.lookup_field
    return reverse(f"api:{op.url_name}", kwargs={kwarg: key})


def send(client: APIClient, op: Operation, url: str):
    body = {} if op.method in ("POST", "PATCH", "PUT") else None
    multipart = ENDPOINTS[op.basename].multipart and body is not None
    return getattr(client, op.method.lower())(url, body, format="multipart" if multipart else "json")


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_it_answers_every_kind_of_caller_as_its_capabilities_allow(op, la_a, la_b):
    assert op.basename in ENDPOINTS, f"{op.basename} is registered but has no entry in ENDPOINTS"
    endpoint = ENDPOINTS[op.basename]
    ours = theirs = None
    if endpoint.record is not None:
        ours, theirs = endpoint.record(la_a), endpoint.record(la_b)
    elif op.detail:
        assert endpoint.key is not None, f"{op.basename} has a detail route: give its Endpoint a key"
    wrong = []
    for role in ROLES:
        client = caller(role, la_a, la_b)
        holds = HOLDS[role]
        own, other = (theirs, ours) if role == "other_la_user" else (ours, theirs)
        url = url_of(op, own.pk if own is not None else endpoint.key()) if op.detail else url_of(op)
        response = send(client, op, url)
        label = f"{role} {op.method} {url} -> {response.status_code}"
        if response.status_code >= 400 or (op.basename, op.action) not in FILES:
            assert_json(response, label)
        wanted = expected_status(op, endpoint, holds)
        if response.status_code not in wanted:
            wrong.append(f"{label}, expected {sorted(wanted)}: {response.content[:300]!r}")
        # Another LA's record: not found, for a caller who would otherwise be let at it.
        if op.detail and other is not None and wanted & {200, 400, 428, 201, 409}:
            url = url_of(op, other.pk)
            response = send(client, op, url)
            label = f"{role} {op.method} {url} (another LA's) -> {response.status_code}"
            assert_json(response, label)
            if response.status_code != 404:
                wrong.append(f"{label}, expected 404: {response.content[:300]!r}")
    assert wrong == [], "\n".join(wrong)


# -- JSON, never HTML, whatever goes wrong ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/v1/no-such-endpoint/", "/api/v1/families/not-a-number/", "/api/v2/families/", "/api/"],
)
def test_it_answers_an_unknown_url_under_the_api_with_a_json_404(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert assert_json(response, url)["errors"][0]["code"] == "not_found"


def test_it_answers_a_missing_record_with_a_json_404(api):
    response = api.get("/api/v1/families/999999999/")
    assert response.status_code == 404
    assert assert_json(response, "missing family")["type"] == "client_error"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_answers_a_method_an_endpoint_does_not_take_with_a_json_405(api, la_a, method):
    family = records.family(la_a)
    response = getattr(api, method)(f"/api/v1/families/{family.pk}/", {}, format="json")
    assert response.status_code == 405
    assert assert_json(response, method)["errors"][0]["code"] == "method_not_allowed"
    assert m.Family.objects.filter(pk=family.pk).exists()


def test_it_answers_a_server_error_in_an_endpoint_with_json_in_the_error_format(api, monkeypatch):
    from cases.api.families import FamilyViewSet

    def crash(self, request, *args, **kwargs):
        raise RuntimeError("synthetic failure")

    monkeypatch.setattr(FamilyViewSet, "list", crash)
    api.raise_request_exception = False
    response = api.get("/api/v1/families/")
    assert response.status_code == 500
    body = assert_json(response, "crash")
    assert body["type"] == "server_error"
    assert "synthetic failure" not in response.content.decode()


@override_settings(ROOT_URLCONF="tests.api.crash_urls")
def test_it_answers_a_server_error_outside_drf_under_the_api_with_json(api):
    api.raise_request_exception = False
    response = api.get("/api/v1/crash/")
    assert response.status_code == 500
    assert assert_json(response, "crash")["type"] == "server_error"
    assert "synthetic failure" not in response.content.decode()


# -- as the database's app role (row-level security) ------------------------------------------------


# What a read-only token may list (imports need a read-and-write one: tests/api/test_api_imports.py).
TENANTED = [
    basename
    for basename, endpoint in ENDPOINTS.items()
    if endpoint.record is not None and endpoint.read in HOLDS["read_service_account"]
]


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_token_its_own_las_rows_under_row_level_security(la_a, la_b, as_app_role):
    """A token is known only once DRF authenticates it, after the middleware set no LA: the API sets
    its LA then (``RecordViewSet.perform_authentication``), or row-level security would show nothing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    made = {basename: (ENDPOINTS[basename].record(la_a), ENDPOINTS[basename].record(la_b)) for basename in TENANTED}
    client = token_client(service_account(la_a, role=Role.API_READ))
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {as_app_role}")
    wrong = []
    for basename, (ours, theirs) in made.items():
        listed = client.get(reverse(f"api:{basename}-list"), {"page_size": 1000})
        ids = {row.get("id", row.get("family")) for row in listed.json().get("results", [])}
        if listed.status_code != 200 or ours.pk not in ids or theirs.pk in ids:
            wrong.append(f"{basename} list: {listed.status_code} {sorted(map(str, ids))}, ours {ours.pk}")
        if client.get(reverse(f"api:{basename}-detail", args=[ours.pk])).status_code != 200:
            wrong.append(f"{basename} detail of ours is not 200")
        response = client.get(reverse(f"api:{basename}-detail", args=[theirs.pk]))
        if response.status_code != 404:
            wrong.append(f"{basename} detail of another LA's: {response.status_code}")
    assert wrong == [], "\n".join(wrong)

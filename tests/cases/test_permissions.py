"""The one permissions module: each capability for each persona, the view decorator, the DRF
permission class, what templates ask, and services answering a refusal with a 403."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import include, path, reverse
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import constants as c
from cases import models as m
from cases import permissions as p
from cases import services
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db


# A tiny Django view and DRF view guarded by the module, served by this test module's URLs.
@p.requires(p.WRITE_CASES)
def write_view(request):
    return HttpResponse("written")


class RunMeetingsApi(APIView):
    permission_classes = [p.permission_class(p.RUN_MEETINGS)]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("permission-test/write/", write_view, name="permission_test_write"),
    path("permission-test/api/", RunMeetingsApi.as_view(), name="permission_test_api"),
    path("", include("plo_tracker.urls")),
]
handler403 = "plo_tracker.views.permission_denied"
handler404 = "plo_tracker.views.page_not_found"


@pytest.fixture
def personas(la_a, social_worker, team_manager, chair, other_la_user, board_member, analyst):
    """Every kind of user, by name."""
    return {
        "social_worker": social_worker,  # LA A, read-write
        "team_manager": team_manager,  # LA A, read-write, chairs meetings
        "chair": chair,  # LA A, read-only on case data, runs meetings
        "la_admin": f.UserFactory(username="admin.essex", role=c.Role.LA_ADMIN, local_authority=la_a),
        "other_la": other_la_user,  # LA B, read-write
        "board_member": board_member,
        "analyst": analyst,
        "superuser": f.UserFactory(
            username="root", role=c.Role.REGIONAL_ANALYST, local_authority=None, is_staff=True, is_superuser=True
        ),
        "inactive": f.UserFactory(
            username="left.essex", role=c.Role.SOCIAL_WORKER, local_authority=la_a, is_active=False
        ),
        "anonymous": AnonymousUser(),
        "api_reader": f.UserFactory(username="svc-881-reader", role=c.Role.API_READ, local_authority=la_a, team=None),
        "api_writer": f.UserFactory(username="svc-881-writer", role=c.Role.API_WRITE, local_authority=la_a, team=None),
    }


# Worked out from the roles: (identifiable, write cases, run meetings, region, dashboard, read packs, build packs,
# see the read audit, set legal holds, manage service accounts, export statutory returns, see the data exercise,
# import trackers, save import mappings).
EXPECTED = {
    "social_worker": (1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "team_manager": (1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0),
    "chair": (1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "la_admin": (1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1),
    "other_la": (1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "board_member": (0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0),
    "analyst": (0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0),
    "superuser": (0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0),
    "inactive": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "anonymous": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    # Service accounts (API tokens only): their LA's records, written only with the read-and-write scope.
    "api_reader": (1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "api_writer": (1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0),
}
ORDER = (
    p.SEE_IDENTIFIABLE,
    p.WRITE_CASES,
    p.RUN_MEETINGS,
    p.SEE_REGION,
    p.SEE_DASHBOARD,
    p.READ_PACKS,
    p.BUILD_PACKS,
    p.SEE_AUDIT,
    p.SET_LEGAL_HOLD,
    p.MANAGE_SERVICE_ACCOUNTS,
    p.EXPORT_RETURNS,
    p.SEE_DATA_EXERCISE,
    p.IMPORT_TRACKERS,
    p.SAVE_IMPORT_MAPPINGS,
)


def test_it_lists_every_capability_once():
    assert set(p.CAPABILITIES.values()) == set(ORDER)
    assert all(p.CAPABILITIES[capability.name] is capability for capability in ORDER)


@pytest.mark.parametrize("persona", EXPECTED)
def test_it_gives_each_persona_exactly_its_capabilities(persona, personas):
    user = personas[persona]
    assert tuple(int(capability(user)) for capability in ORDER) == EXPECTED[persona]
    for capability, allowed in zip(ORDER, EXPECTED[persona], strict=True):
        if allowed:
            p.ensure(user, capability)
        else:
            with pytest.raises(PermissionDenied, match=re.escape(capability.denied)):
                p.ensure(user, capability)


def test_it_scopes_aggregates_to_the_region_for_analysts_and_the_own_la_for_its_staff(personas, la_a, la_b):
    area_a = m.Area.objects.filter(local_authority=la_a).first()
    team_a, team_b = f.team_of(la_a), f.team_of(la_b)
    scopes = {
        "region": ("region", None),
        "la_a": ("la", la_a.pk),
        "area_a": ("area", area_a.local_authority_id),
        "team_a": ("team", team_a.local_authority_id),
        "la_b": ("la", la_b.pk),
        "team_b": ("team", team_b.local_authority_id),
    }
    expected = {
        "social_worker": {"la_a", "area_a", "team_a"},
        "chair": {"la_a", "area_a", "team_a"},
        "other_la": {"la_b", "team_b"},
        "board_member": set(),  # board packs only
        "analyst": {"region", "la_a", "la_b"},
        "inactive": set(),
        "anonymous": set(),
    }
    for persona, allowed in expected.items():
        seen = {
            name
            for name, (scope_type, la_id) in scopes.items()
            if p.can_see_aggregates(personas[persona], scope_type=scope_type, local_authority_id=la_id)
        }
        assert seen == allowed, persona


def test_it_sends_anonymous_users_to_sign_in_and_refuses_others_with_the_403_page(client, settings, personas):
    settings.ROOT_URLCONF = __name__
    url = reverse("permission_test_write")

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(settings.LOGIN_URL)}?next={url}"

    sign_in(client, personas["chair"])
    response = client.get(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have permission to do this" in page
    assert p.WRITE_CASES.denied in page  # the refused capability says why

    sign_in(client, personas["social_worker"])
    response = client.get(url)
    assert (response.status_code, response.content) == (200, b"written")


def test_it_builds_drf_permission_classes_from_the_same_predicates(client, settings, personas):
    settings.ROOT_URLCONF = __name__
    url = reverse("permission_test_api")
    assert p.permission_class(p.RUN_MEETINGS) is p.permission_class(p.RUN_MEETINGS)  # one class per capability

    anonymous = client.get(url)
    assert anonymous.status_code == 401  # no credentials: asked for a token
    assert anonymous["WWW-Authenticate"] == "Token"
    for persona, expected in (("chair", 200), ("team_manager", 200), ("social_worker", 403), ("analyst", 403)):
        sign_in(client, personas[persona])
        response = client.get(url)
        assert response.status_code == expected, persona
        if expected == 403:
            assert response.json() == {
                "type": "client_error",
                "errors": [{"code": "permission_denied", "detail": p.RUN_MEETINGS.denied, "attr": None}],
            }


def test_it_lets_templates_ask_only_capabilities_that_exist(settings):
    names = set()
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        names |= set(re.findall(r"\bmay\.(\w+)", template.read_text()))
    assert names  # navigation, home, case and meeting pages ask
    assert names <= set(p.CAPABILITIES), names - set(p.CAPABILITIES)


def test_it_shows_each_persona_the_navigation_its_capabilities_allow(client, personas):
    links = {
        "Cases": "/cases/",
        "Dashboard": "/dashboard/",
        "Board packs": "/board-packs/",
        "Access log": "/access-log/",
        "Service accounts": "/service-accounts/",
        "Returns": "/returns/",
        "Data exercise": "/data-exercise/",
    }
    expected = {
        "social_worker": {"Cases", "Dashboard"},
        "chair": {"Cases", "Dashboard"},
        "la_admin": {"Cases", "Dashboard", "Board packs", "Access log", "Service accounts", "Returns"},
        "board_member": {"Board packs", "Data exercise"},
        "analyst": {"Dashboard", "Board packs", "Data exercise"},
    }
    for persona, shown in expected.items():
        sign_in(client, personas[persona])
        page = client.get(reverse("home")).content.decode()
        nav = page[page.index("govuk-service-navigation__list") :]
        nav = nav[: nav.index("</ul>")]
        assert {label for label, href in links.items() if f'href="{href}"' in nav} == shown, persona


def test_it_shows_write_and_meeting_controls_only_to_those_who_may_use_them(client, la_a, personas):
    family = f.FamilyFactory(local_authority=la_a)
    f.ChildFactory(family=family)
    for persona, writes, runs in (("social_worker", True, False), ("chair", False, True), ("team_manager", True, True)):
        sign_in(client, personas[persona])
        assert ("Open a new case" in client.get(reverse("cases:list")).content.decode()) is writes, persona
        assert ("Add a child" in client.get(reverse("cases:detail", args=[family.pk])).content.decode()) is writes
        assert ("Open a meeting" in client.get(reverse("tracker:meetings")).content.decode()) is runs, persona


def test_it_refuses_to_save_another_las_record_with_a_403_not_a_500(client, la_b, social_worker):
    other = f.FamilyFactory(local_authority=la_b)
    child = m.Child(family=other, la_child_id="CH-X1", last_name="Other", date_of_birth=dt.date(2021, 3, 14))
    with pytest.raises(PermissionDenied, match="own local authority"):
        services.child_save(user=social_worker, child=child)
    assert not m.Child.objects.filter(la_child_id="CH-X1").exists()

    # A record with no LA is refused too, rather than saved into the user's.
    from cases.services.records import record_save

    stray = m.TrackerMeeting(scope=c.ScopeKind.LA, meeting_date=dt.date(2025, 6, 2), chair=social_worker)
    with pytest.raises(PermissionDenied):
        record_save(user=social_worker, instance=stray)
    assert not m.TrackerMeeting.objects.exists()

"""Security headers: a strict Content-Security-Policy the pages keep to, a Permissions-Policy with the
unused browser features off, and no caching of anything a signed-in user is sent."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.views.decorators.cache import never_cache

from cases.constants import Role
from plo_tracker.middleware import SignedInNoStoreMiddleware, permissions_policy_header
from reporting.models import BoardPack, MetricRun
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

# The policy as written by hand: everything from the service itself, nothing inline, no framing.
EXPECTED_CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def csp(response) -> dict[str, str]:
    """The Content-Security-Policy header as directive -> sources (its order is not fixed)."""
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: sources for name, sources in directives}


def assert_headers(response, *, no_store: bool) -> None:
    assert csp(response) == EXPECTED_CSP
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy.split(", "), feature
    if no_store:
        assert "no-store" in response["Cache-Control"].split(", ")
    else:
        assert "no-store" not in response.get("Cache-Control", "")


@pytest.fixture
def case(social_worker):
    family = f.FamilyFactory(local_authority=social_worker.local_authority, name="Ashdown")
    f.EpisodeFactory(family=family)
    return family


@pytest.fixture
def stored_pack(db):
    run = MetricRun.objects.create(status=MetricRun.Status.SUCCEEDED)
    pack = BoardPack(
        month=dt.date(2026, 3, 1),
        metric_run=run,
        sha256="0" * 64,
        size_bytes=8,
        page_count=1,
        generated_at="2026-04-02T06:00Z",
    )
    pack.file.save("2026-03-test.pdf", ContentFile(b"%PDF-1.7"), save=False)
    pack.save()
    return pack


def test_it_sends_every_header_on_a_signed_in_page(client, social_worker, case):
    sign_in(client, social_worker)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert_headers(response, no_store=True)
    assert response["Cache-Control"] == NO_STORE


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_it_keeps_exports_out_of_every_cache(client, social_worker, case, export):
    sign_in(client, social_worker)
    response = client.get(reverse("tracker:list"), {"export": export})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert_headers(response, no_store=True)


def test_it_keeps_board_pack_downloads_out_of_every_cache(client, board_member, stored_pack):
    sign_in(client, board_member)
    response = client.get(reverse("board_packs:download", args=[stored_pack.pk]))
    assert response.status_code == 200
    assert_headers(response, no_store=True)


def test_it_sends_the_policies_but_lets_public_pages_be_cached(client, social_worker):
    # The data dictionary holds no case data: anyone may read it, and a browser may keep it.
    public = client.get(reverse("data_dictionary"))
    assert public.status_code == 200
    assert_headers(public, no_store=False)
    sign_in(client, social_worker)
    # Signed in, every response is no-store: nothing has to remember which pages hold data.
    assert_headers(client.get(reverse("data_dictionary")), no_store=True)


def test_it_adds_no_store_to_a_cache_header_a_view_set_for_a_signed_in_user(social_worker):
    def cacheable(request):
        response = HttpResponse("figures")
        response["Cache-Control"] = "public, max-age=600"
        return response

    request = RequestFactory().get("/")
    request.user = social_worker
    response = SignedInNoStoreMiddleware(cacheable)(request)
    directives = set(response["Cache-Control"].split(", "))
    assert {"no-store", "private", "max-age=0"} <= directives
    assert "public" not in directives
    # A view that already said no-store keeps its own header.
    kept = SignedInNoStoreMiddleware(never_cache(lambda request: HttpResponse("x")))(request)
    assert kept["Cache-Control"] == NO_STORE


def test_it_writes_the_permissions_policy_header_from_the_setting():
    policy = {"camera": [], "fullscreen": ["self", "https://video.example"]}
    assert permissions_policy_header(policy) == 'camera=(), fullscreen=(self "https://video.example")'


class InlineCode(HTMLParser):
    """Collects what the Content-Security-Policy would block: inline scripts, styles and handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self.scripts += 1
            # JSON data blocks (the admin's) are not run, so the policy allows them.
            if not names.get("src") and names.get("type") != "application/json":
                self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        if "style" in names:
            self.found.append(f"style attribute on <{tag}>")
        self.found += [f"{name} on <{tag}>" for name in names if name.startswith("on")]
        if any((names.get(name) or "").strip().lower().startswith("javascript:") for name in ("href", "src")):
            self.found.append(f"javascript: URL on <{tag}>")


def inline_code(response) -> InlineCode:
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser


def test_it_serves_pages_with_no_inline_script_or_style(client, social_worker, case, la_a, stored_pack):
    meeting = f.TrackerMeetingFactory(local_authority=la_a)
    f.MeetingItemFactory(meeting=meeting, family=case)
    pages = {"sign in": reverse("login"), "data dictionary": reverse("data_dictionary")}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        parser = inline_code(response)
        assert parser.found == [], name
        assert parser.scripts == 2, name  # the js-enabled marker and the GOV.UK Frontend module

    signed_in = {
        "home": reverse("home"),
        "case list": reverse("cases:list"),
        "case": reverse("cases:detail", args=[case.pk]),
        "tracker": reverse("tracker:list"),
        "meetings": reverse("tracker:meetings"),
        "meeting record": reverse("tracker:meeting_print", args=[meeting.pk]),
        "dashboard": reverse("dashboard"),
    }
    sign_in(client, social_worker)
    for name, url in signed_in.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert inline_code(response).found == [], name

    admin_user = f.UserFactory(username="admin.essex", role=Role.LA_ADMIN, local_authority=la_a)
    sign_in(client, admin_user)
    response = client.get(reverse("board_packs:list"))
    assert response.status_code == 200
    assert inline_code(response).found == []

    superuser = f.UserFactory(username="root", local_authority=None, role=Role.REGIONAL_ANALYST, is_superuser=True)
    superuser.is_staff = True
    superuser.save()
    sign_in(client, superuser)
    for url in ("/admin/", "/admin/cases/family/", f"/admin/cases/family/{case.pk}/change/", "/admin/cases/court/add/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response).found == [], url

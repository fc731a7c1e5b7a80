"""Every page of the service, found from the URL conf, in Chromium at 1280 px and 375 px: each opens
for the role that uses it, has no serious or critical axe-core violation and nothing wider than the
screen (a wide table scrolls inside its own box); each is screenshotted.

A page added to the URL conf and not listed here fails ``test_it_lists_every_page``: list it with the
role that uses it and how to fill its URL, or say in ``NOT_PAGES`` why it is not a page (a download,
a form's POST target, a step of signing in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import services
from cases.constants import Role
from cases.views.cases import MILESTONES
from tests import factories as f
from tests.api.conftest import service_account
from tests.browser.helpers import accessible_at_both_widths
from tests.cases import milestone_posts as posts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # the factories' password

# URL names that are not pages to look at, and why.
NOT_PAGES = {
    "healthz": "a health check for the load balancer (plain text)",
    "login": "the sign-in page: tests/browser/test_sign_in_page.py",
    "two_factor_code": "a step of signing in, reached only after the password (test_two_factor.py)",
    "two_factor_set_up": "a step of signing in for a user with no authenticator app (test_two_factor.py)",
    "two_factor_recovery_code": "a step of signing in (test_two_factor.py)",
    "two_factor_recovery_codes_new": "a POST that makes new recovery codes",
    "two_factor_recovery_codes": "shown once, straight after new codes are made (tests/accounts)",
    "logout": "signs out (POST)",
    "password_reset_confirm": "reached from the reset email's link only (tests/accounts)",
    "service_account_token_revoke": "a POST target of the service account page",
    "tracker:meeting_close": "a POST target; the confirmation it shows is checked in test_journey_chair.py",
    "board_packs:build": "a POST target of the board packs page",
    "board_packs:download": "a PDF download (tests/reporting/test_pdf.py)",
    "extracts:download": "a file download (XML or CSV)",
    "imports:template": "a file download (the import template)",
    "imports:apply": "a POST target of the import page (tests/browser/test_imports.py)",
}


@dataclass(frozen=True)
class Page:
    role: str
    kwargs: Callable[[dict], dict] = lambda data: {}


PAGES: dict[str, Page] = {
    "home": Page("social_worker"),
    "account": Page("social_worker"),
    "password_change": Page("social_worker"),
    "password_reset": Page("anonymous"),
    "password_reset_done": Page("anonymous"),
    "password_reset_complete": Page("anonymous"),
    "data_dictionary": Page("social_worker"),
    "cases:list": Page("social_worker"),
    "cases:new": Page("social_worker"),
    "cases:detail": Page("social_worker", lambda data: {"case_id": data["case"].pk}),
    "cases:reopen": Page("social_worker", lambda data: {"case_id": data["closed"].pk}),
    "cases:person_new": Page("social_worker", lambda data: {"case_id": data["case"].pk}),
    "cases:member_edit": Page("social_worker", lambda data: {"case_id": data["case"].pk, "pk": data["member"].pk}),
    "cases:professional_new": Page("social_worker", lambda data: {"case_id": data["case"].pk}),
    "cases:professional_edit": Page(
        "social_worker", lambda data: {"case_id": data["case"].pk, "pk": data["professional"].pk}
    ),
    "cases:note_new": Page("social_worker", lambda data: {"case_id": data["case"].pk}),
    "cases:note_edit": Page("social_worker", lambda data: {"case_id": data["case"].pk, "pk": data["note"].pk}),
    "cases:document_new": Page("social_worker", lambda data: {"case_id": data["case"].pk}),
    "cases:document_edit": Page("social_worker", lambda data: {"case_id": data["case"].pk, "pk": data["document"].pk}),
    "tasks:list": Page("social_worker"),
    "tasks:reminders": Page("social_worker"),
    "tracker:list": Page("chair"),
    "tracker:meetings": Page("chair"),
    "tracker:meeting_new": Page("chair"),
    "tracker:meeting": Page("chair", lambda data: {"meeting_id": data["meeting"].pk}),
    "tracker:meeting_agenda": Page("chair", lambda data: {"meeting_id": data["meeting"].pk}),
    "tracker:meeting_item": Page("chair", lambda data: {"meeting_id": data["meeting"].pk, "position": 1}),
    "tracker:meeting_print": Page("chair", lambda data: {"meeting_id": data["meeting"].pk}),
    "access_log": Page("la_admin"),
    "service_accounts": Page("la_admin"),
    "service_account_new": Page("la_admin"),
    "service_account": Page("la_admin", lambda data: {"pk": data["service_account"].pk}),
    "service_account_token_new": Page("la_admin", lambda data: {"pk": data["service_account"].pk}),
    "service_account_scope": Page("la_admin", lambda data: {"pk": data["service_account"].pk}),
    "service_account_deactivate": Page("la_admin", lambda data: {"pk": data["service_account"].pk}),
    "dashboard": Page("analyst"),
    "data_exercise": Page("analyst"),
    "board_packs:list": Page("board"),
    "extracts:index": Page("la_admin"),
    "imports:home": Page("la_admin"),
    "imports:mapping": Page("la_admin", lambda data: {"run_id": data["import_run"].pk}),
    "imports:detail": Page("la_admin", lambda data: {"run_id": data["import_run"].pk}),
}
# Every milestone form (new, correct or its progress step), opened as the every-form test posts it.
MILESTONE_KINDS = sorted({kind for kind, _stage, _mode in posts.SUBMISSIONS if kind != "case"})


def page_names() -> set[str]:
    """Every named URL outside the admin and the API (the API is covered by its own tests)."""
    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("admin", "api"):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def test_it_lists_every_page():
    listed = set(PAGES) | set(NOT_PAGES) | {"cases:milestone_new", "cases:milestone_edit"}
    assert page_names() - listed == set(), "pages to list here"
    assert listed - page_names() == set(), "listed pages that no longer exist"
    assert set(MILESTONE_KINDS) == set(MILESTONES)


@pytest.fixture
def data(la_a):
    """A case in proceedings with a record of every kind (its people, notes and documents too), a closed
    case, a meeting and a service account."""
    worker = f.UserFactory(username="sw.pages", role=Role.SOCIAL_WORKER, local_authority=la_a)
    chair = f.UserFactory(username="chair.pages", role=Role.QUADRANT_CHAIR, local_authority=la_a)
    f.UserFactory(username="admin.pages", role=Role.LA_ADMIN, local_authority=la_a)
    f.UserFactory(username="analyst.pages", role=Role.REGIONAL_ANALYST, local_authority=None, team=None)
    f.UserFactory(username="board.pages", role=Role.BOARD_MEMBER, local_authority=None, team=None)
    by_stage = {stage: posts.stage_records(stage, la=la_a, worker=worker) for stage in posts.STAGES}
    closed = f.FamilyFactory(local_authority=la_a, social_worker=worker, name="Closedcase")
    child = f.ChildFactory(family=closed, date_of_birth=dt.date(2020, 1, 1))
    f.EpisodeFactory(
        family=closed,
        children=[child],
        gateway_meeting_date=dt.date(2024, 1, 8),
        step_decision_date=dt.date(2024, 5, 1),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=timezone.localdate())
    case = by_stage["proceedings"]["family"]
    # The data exercise page shows its stored tables, as after the nightly run.
    from reporting.services.completeness import completeness_compute

    completeness_compute()
    return {
        "by_stage": by_stage,
        "case": case,
        "member": f.FamilyMemberFactory(family=case),
        "professional": f.ProfessionalFactory(family=case),
        "note": f.CaseNoteFactory(family=case, author=worker),
        "document": f.DocumentLinkFactory(family=case),
        "closed": closed,
        "meeting": meeting,
        "service_account": service_account(la_a, role=Role.API_READ),
        "import_run": _import_run(la_a),
    }


def _import_run(la_a):
    """An uploaded tracker of LA A with two columns, one of them a code column."""
    from cases.imports.runs import run_upload

    admin = m.User.objects.get(username="admin.pages")
    data = b"Family ID,Child ID,Gender\r\nFAM-1,000101,Girl\r\n"
    return run_upload(user=admin, name="tracker.csv", data=data)


USERS = {
    "social_worker": "sw.pages",
    "chair": "chair.pages",
    "la_admin": "admin.pages",
    "analyst": "analyst.pages",
    "board": "board.pages",
}


def _milestone_url(kind: str, data: dict) -> str:
    stage, mode = next((s, md) for k, s, md in posts.SUBMISSIONS if k == kind)
    sent = posts.submission(kind, stage, mode, data["by_stage"][stage])
    sent.prepare()
    return sent.url


@pytest.mark.parametrize("role", [*USERS, "anonymous"])
def test_every_page_of_a_role_is_accessible_at_both_widths(page, sign_in, screenshot, data, role):
    if role != "anonymous":
        sign_in(USERS[role], PASSWORD)
    urls = {name: reverse(name, kwargs=spec.kwargs(data)) for name, spec in PAGES.items() if spec.role == role}
    if role == "social_worker":
        urls.update({f"milestone-{kind}": _milestone_url(kind, data) for kind in MILESTONE_KINDS})
    assert urls
    for name, url in sorted(urls.items()):
        response = page.goto(url)
        assert response is not None, f"{name}: {url} gave no response"
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        assert urlsplit(page.url).path == urlsplit(url).path, f"{name}: {url} went to {page.url}"
        accessible_at_both_widths(page, screenshot, f"page-{name.replace(':', '-')}")

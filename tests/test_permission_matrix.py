"""Every URL pattern x every role: what each kind of user gets from each page and download.

What each page needs is written here by hand (not read from the views), and what each role may do
is the hand-written table of tests/cases/test_permissions.py. A page of LA A's records is a 404 to
LA B's staff. The sign-in, second-factor and password-reset steps are tested in tests/accounts/,
and the Django admin in tests/cases/test_admin*.py; a URL pattern added without a row here fails.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases import constants as c
from cases.models import ImportRun
from cases.permissions import EXPORT_RETURNS, IMPORT_TRACKERS, SEE_DATA_EXERCISE
from reporting.models import BoardPack, MetricRun, PeriodSnapshot
from tests import factories as f
from tests.cases.test_permissions import EXPECTED, ORDER
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
PUBLIC, SIGNED_IN = "public", "signed in"
# Sign-in steps and password reset: each has its own tests (tests/accounts/).
SIGN_IN_STEPS = {
    "login",
    "logout",
    "two_factor_set_up",
    "two_factor_code",
    "two_factor_recovery_code",
    "two_factor_recovery_codes",
    "two_factor_recovery_codes_new",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
}
SEE, WRITE, RUN, _REGION, DASH, READ, BUILD, AUDIT, _HOLD, SERVICE_ACCOUNTS = ORDER[:10]

# URL name -> (what it needs, whether it shows one LA's records).
PAGES = {
    "home": (SIGNED_IN, False),
    "healthz": (PUBLIC, False),
    "data_dictionary": (PUBLIC, False),
    "account": (SIGNED_IN, False),
    "dashboard": (DASH, False),
    "board_packs:list": (READ, False),
    "board_packs:build": (BUILD, False),
    "board_packs:download": (READ, False),
    "access_log": (AUDIT, False),
    "cases:list": (SEE, False),
    "cases:new": (WRITE, False),
    "cases:detail": (SEE, True),
    "cases:milestone_new": (WRITE, True),
    "cases:milestone_edit": (WRITE, True),
    "cases:reopen": (WRITE, True),
    "cases:person_new": (WRITE, True),
    "cases:member_edit": (WRITE, True),
    "cases:professional_new": (WRITE, True),
    "cases:professional_edit": (WRITE, True),
    "cases:note_new": (WRITE, True),
    "cases:note_edit": (WRITE, True),
    "cases:document_new": (WRITE, True),
    "cases:document_edit": (WRITE, True),
    "tracker:list": (SEE, False),
    "tasks:list": (SEE, False),
    "tasks:reminders": (SEE, False),
    "tracker:meetings": (SEE, False),
    "tracker:meeting_new": (RUN, False),
    "tracker:meeting": (SEE, True),
    "tracker:meeting_close": (RUN, True),
    "tracker:meeting_print": (SEE, True),
    "tracker:meeting_item": (RUN, True),  # recording a case at the meeting
    "tracker:meeting_agenda": (RUN, True),  # choosing the agenda and attendees
    "service_accounts": (SERVICE_ACCOUNTS, False),
    "service_account_new": (SERVICE_ACCOUNTS, False),
    "service_account": (SERVICE_ACCOUNTS, True),
    "service_account_token_new": (SERVICE_ACCOUNTS, True),
    "service_account_token_revoke": (SERVICE_ACCOUNTS, True),
    "service_account_scope": (SERVICE_ACCOUNTS, True),
    "service_account_deactivate": (SERVICE_ACCOUNTS, True),  # asks first; deactivates on POST
    "imports:home": (IMPORT_TRACKERS, False),
    "imports:template": (IMPORT_TRACKERS, False),
    "imports:detail": (IMPORT_TRACKERS, True),
    "imports:mapping": (IMPORT_TRACKERS, True),
    "imports:apply": (IMPORT_TRACKERS, True),
    "extracts:index": (EXPORT_RETURNS, False),  # only ever the user's own LA: no other LA's to ask for
    "extracts:download": (EXPORT_RETURNS, False),
    "data_exercise": (SEE_DATA_EXERCISE, False),
}
# The pages of one service account.
ACCOUNT_PAGES = [name for name, (_needs, own_la) in PAGES.items() if name.startswith("service_account") and own_la]
# Actions taken by POST only: whoever may take them gets 405 for a GET, the others as any page.
POST_ONLY = {"board_packs:build", "tracker:meeting_close", "service_account_token_revoke", "imports:apply"}
# Downloads served from the pages above with a query.
DOWNLOADS = {
    "tracker CSV": ("tracker:list", {"export": "csv"}),
    "tracker Excel": ("tracker:list", {"export": "xlsx"}),
}


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = pattern.namespace or ""
            names |= url_names(pattern, f"{namespace}{inner}:" if inner else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_it_has_a_row_for_every_url_pattern():
    # The API's endpoints have their own matrix (tests/api/test_api_matrix.py).
    pages = {name for name in url_names() if not name.startswith("api:")}
    assert pages - SIGN_IN_STEPS == set(PAGES)


@pytest.fixture
def records(la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    child = f.ChildFactory(family=family, date_of_birth=D(2021, 1, 1))
    proceedings = f.ProceedingsFactory(family=family, issue_date=D(2026, 3, 2))
    f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    hearing = f.HearingFactory(proceedings=proceedings, listed_date=D(2026, 3, 16))
    meeting = f.TrackerMeetingFactory(local_authority=la_a)
    item = f.MeetingItemFactory(meeting=meeting, family=family)
    run = MetricRun.objects.create(status=MetricRun.Status.SUCCEEDED)
    PeriodSnapshot.objects.create(period=D(2026, 3, 1), run=run, computed_at="2026-04-02T03:00Z")
    pack = BoardPack(
        month=D(2026, 3, 1),
        metric_run=run,
        sha256="0" * 64,
        size_bytes=8,
        page_count=1,
        generated_at="2026-04-02T06:00Z",
    )
    pack.file.save("2026-03-matrix.pdf", ContentFile(b"%PDF-1.7"), save=False)
    pack.save()
    account = f.UserFactory(username="svc-881-sync", role=c.Role.API_WRITE, local_authority=la_a, team=None)
    # A closed family (stepped down), which may be reopened for a repeat episode.
    closed = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    f.EpisodeFactory(
        family=closed, gateway_meeting_date=D(2025, 1, 6), step_decision_date=D(2025, 4, 1), outcome="step_down"
    )
    # A tracker upload of LA A, with its file, for the import pages.
    upload = ImportRun(local_authority=la_a, file_name="tracker.csv", sha256="0" * 64, rows=1)
    upload.file.save("tracker.csv", ContentFile(b"Family ID,Child ID\r\nFAM-1,000101\r\n"), save=False)
    upload.save()
    # The people around the case, a note and a document link, for their pages.
    member = f.FamilyMemberFactory(family=family)
    professional = f.ProfessionalFactory(family=family)
    note = f.CaseNoteFactory(family=family, author=social_worker)
    document = f.DocumentLinkFactory(family=family)
    on_case = {"case_id": family.pk}
    return {
        **{
            name: on_case
            for name in ("cases:person_new", "cases:professional_new", "cases:note_new", "cases:document_new")
        },
        "cases:member_edit": {**on_case, "pk": member.pk},
        "cases:professional_edit": {**on_case, "pk": professional.pk},
        "cases:note_edit": {**on_case, "pk": note.pk},
        "cases:document_edit": {**on_case, "pk": document.pk},
        **{name: {"run_id": upload.pk} for name in ("imports:detail", "imports:mapping", "imports:apply")},
        "cases:reopen": {"case_id": closed.pk},
        "extracts:download": {"kind": "ssd-csv"},
        **{name: {"pk": account.pk} for name in ACCOUNT_PAGES},
        "cases:detail": {"case_id": family.pk},
        "cases:milestone_new": {"case_id": family.pk, "kind": "delay"},
        "cases:milestone_edit": {"case_id": family.pk, "kind": "hearing", "pk": hearing.pk},
        "tracker:meeting": {"meeting_id": meeting.pk},
        "tracker:meeting_close": {"meeting_id": meeting.pk},
        "tracker:meeting_print": {"meeting_id": meeting.pk},
        "tracker:meeting_item": {"meeting_id": meeting.pk, "position": item.position},
        "tracker:meeting_agenda": {"meeting_id": meeting.pk},
        "board_packs:download": {"pk": pack.pk},
    }


def expected_status(persona: str, user, needs, own_la: bool, *, post_only: bool = False) -> int:
    if needs == PUBLIC:
        return 200
    if isinstance(user, AnonymousUser) or not user.is_active:
        return 302  # to sign in
    if needs == SIGNED_IN:
        return 200
    if not EXPECTED[persona][ORDER.index(needs)]:
        return 403
    if own_la and persona == "other_la":
        return 404
    return 405 if post_only else 200


# The roles of tests/cases/test_permissions.py that sign in (an inactive user cannot).
ROLES = ["social_worker", "team_manager", "chair", "la_admin", "other_la", "board_member", "analyst", "anonymous"]


@pytest.mark.parametrize("persona", ROLES)
def test_it_gives_each_role_exactly_the_pages_and_downloads_it_may_have(client, personas, records, persona):
    user = personas[persona]
    if persona != "anonymous":
        sign_in(client, user)
    wrong = {}
    cases = [(name, reverse(name, kwargs=records.get(name, {})), {}) for name in PAGES]
    cases += [(label, reverse(name), query) for label, (name, query) in DOWNLOADS.items()]
    for label, url, query in cases:
        needs, own_la = PAGES[DOWNLOADS[label][0] if label in DOWNLOADS else label]
        status = client.get(url, query).status_code
        want = expected_status(persona, user, needs, own_la, post_only=label in POST_ONLY)
        if status != want:
            wrong[label] = (status, want)
    assert wrong == {}, f"{persona}: (got, expected) {wrong}"


@pytest.fixture
def personas(la_a, social_worker, team_manager, chair, other_la_user, board_member, analyst):
    return {
        "social_worker": social_worker,
        "team_manager": team_manager,
        "chair": chair,
        "la_admin": f.UserFactory(username="admin.essex", role=c.Role.LA_ADMIN, local_authority=la_a),
        "other_la": other_la_user,
        "board_member": board_member,
        "analyst": analyst,
        "anonymous": AnonymousUser(),
    }

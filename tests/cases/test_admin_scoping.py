"""The admin for staff who are not superusers: their own LA's rows only, read-only, reference data
to look at; legal holds set through it are stamped with who set them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from cases import constants as c
from cases import models as m
from reporting.models import BoardPack, BoardPackDownload, MetricRun
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

VIEWABLE = [
    ("cases", "family"),
    ("cases", "child"),
    ("cases", "user"),
    ("cases", "team"),
    ("cases", "localauthority"),
    ("cases", "court"),
    ("cases", "threshold"),
    ("pghistory", "events"),
    ("reporting", "boardpackdownload"),
]


def grant(user, *, action: str = "view", models=VIEWABLE) -> None:
    for app_label, model in models:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
        )


@pytest.fixture
def la_staff(la_a):
    """An administrator of LA A with the admin's view permissions (and, to show they do not count, change ones)."""
    user = f.UserFactory(username="admin.essex", role=c.Role.LA_ADMIN, local_authority=la_a, is_staff=True)
    grant(user)
    grant(user, action="change", models=[("cases", "family"), ("cases", "court"), ("cases", "user")])
    return user


@pytest.fixture
def families(la_a, la_b):
    return {
        "own": f.ChildFactory(family=f.FamilyFactory(local_authority=la_a, name="Ashdown")).family,
        "other": f.ChildFactory(family=f.FamilyFactory(local_authority=la_b, name="Bramford")).family,
    }


def test_it_lists_only_the_staff_users_own_las_rows(client, la_staff, families, other_la_user):
    sign_in(client, la_staff)
    page = client.get(reverse("admin:cases_family_changelist")).content.decode()
    assert "Ashdown" in page
    assert "Bramford" not in page
    children = client.get(reverse("admin:cases_child_changelist")).content.decode()
    assert "Ashdown" in children
    assert "Bramford" not in children
    users = client.get(reverse("admin:cases_user_changelist")).content.decode()
    assert "admin.essex" in users
    assert other_la_user.username not in users
    las = client.get(reverse("admin:cases_localauthority_changelist")).content.decode()
    assert "Essex County Council" in las
    assert "Suffolk County Council" not in las
    teams = client.get(reverse("admin:cases_team_changelist"))
    assert set(teams.context["cl"].queryset.values_list("local_authority_id", flat=True)) == {
        la_staff.local_authority_id
    }


@pytest.mark.parametrize("page", ["change", "history"])
def test_it_does_not_find_another_las_record(client, la_staff, families, page):
    sign_in(client, la_staff)
    other = families["other"]
    response = client.get(reverse(f"admin:cases_family_{page}", args=[other.pk]), follow=True)
    body = response.content.decode()
    # Django's admin answers a row it cannot find by going back to the index with a warning.
    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert f"Family with ID \N{LEFT DOUBLE QUOTATION MARK}{other.pk}\N{RIGHT DOUBLE QUOTATION MARK}" in body
    assert "Bramford" not in body
    assert client.get(reverse(f"admin:cases_family_{page}", args=[families["own"].pk])).status_code == 200


def test_it_refuses_to_delete_any_record_for_staff(client, la_staff, families):
    sign_in(client, la_staff)
    for family in families.values():
        response = client.post(reverse("admin:cases_family_delete", args=[family.pk]), {"post": "yes"})
        assert response.status_code == 403
        assert b"Bramford" not in response.content
    assert m.Family.objects.count() == 2


def test_it_shows_staff_case_records_and_reference_data_read_only(client, la_staff, families):
    sign_in(client, la_staff)
    own = families["own"]
    change = reverse("admin:cases_family_change", args=[own.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="name"' not in page.content
    assert client.post(change, {"name": "Changed", "la_reference": own.la_reference}).status_code == 403
    own.refresh_from_db()
    assert own.name == "Ashdown"

    court = m.Court.objects.get(code="chelmsford")
    court_page = client.get(reverse("admin:cases_court_change", args=[court.pk]))
    assert court_page.status_code == 200
    assert b'name="label"' not in court_page.content  # shown, not offered: superusers edit reference data
    posted = client.post(reverse("admin:cases_court_change", args=[court.pk]), {"label": "Changed", "active": "on"})
    assert posted.status_code == 403
    court.refresh_from_db()
    assert court.label != "Changed"
    assert client.get(reverse("admin:cases_court_add")).status_code == 403

    user_page = client.get(reverse("admin:cases_user_change", args=[la_staff.pk]))
    assert b'name="is_superuser"' not in user_page.content  # no way to raise their own rights
    assert (
        client.post(reverse("admin:cases_user_change", args=[la_staff.pk]), {"is_superuser": "on"}).status_code == 403
    )
    la_staff.refresh_from_db()
    assert not la_staff.is_superuser


def test_it_keeps_the_history_of_every_la_to_superusers(client, la_staff, families):
    sign_in(client, la_staff)
    assert client.get(reverse("admin:pghistory_events_changelist")).status_code == 403
    page = client.get(reverse("admin:cases_family_change", args=[families["own"].pk])).content.decode()
    assert "Every change to this record" not in page
    root = f.UserFactory(username="root", local_authority=None, role=c.Role.REGIONAL_ANALYST, is_superuser=True)
    root.is_staff = True
    root.save()
    sign_in(client, root)
    assert client.get(reverse("admin:pghistory_events_changelist")).status_code == 200
    # Superusers see every LA's rows.
    page = client.get(reverse("admin:cases_family_changelist")).content.decode()
    assert "Ashdown" in page
    assert "Bramford" in page


def test_it_shows_staff_their_own_las_board_pack_downloads(client, la_staff, other_la_user):
    run = MetricRun.objects.create(status=MetricRun.Status.SUCCEEDED)
    pack = BoardPack(month=dt.date(2026, 3, 1), metric_run=run, sha256="0" * 64, size_bytes=8, page_count=1)
    pack.generated_at = "2026-04-02T06:00Z"
    pack.file.save("2026-03-test.pdf", ContentFile(b"%PDF-1.7"), save=False)
    pack.save()
    BoardPackDownload.objects.create(pack=pack, user=la_staff)
    BoardPackDownload.objects.create(pack=pack, user=other_la_user)
    sign_in(client, la_staff)
    response = client.get(reverse("admin:reporting_boardpackdownload_changelist"))
    assert [download.user for download in response.context["cl"].queryset] == [la_staff]


def test_it_gives_staff_with_no_la_no_case_rows(client, families):
    staff = f.UserFactory(username="helpdesk", role=c.Role.REGIONAL_ANALYST, local_authority=None, is_staff=True)
    grant(staff)
    sign_in(client, staff)
    response = client.get(reverse("admin:cases_family_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == []


def hold(client, families, *, action: str):
    return client.post(
        reverse("admin:cases_family_changelist"),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [family.pk for family in families]},
        follow=True,
    )


def test_it_lets_la_administrators_place_their_own_cases_on_legal_hold(client, la_staff, families, social_worker):
    own, other = families["own"], families["other"]
    m.Family.objects.filter(pk=own.pk).update(updated_by=social_worker)
    sign_in(client, la_staff)
    response = hold(client, [own, other], action="place_on_legal_hold")
    assert "1 case placed on legal hold." in response.content.decode()
    own.refresh_from_db()
    other.refresh_from_db()
    # Stamped with who did it; the other LA's case was not in the list to choose from.
    assert (own.legal_hold, own.updated_by, other.legal_hold) == (True, la_staff, False)

    response = hold(client, [own], action="release_legal_hold")
    assert "1 case released from legal hold." in response.content.decode()
    own.refresh_from_db()
    assert own.legal_hold is False


def test_it_offers_legal_holds_to_la_administrators_only(client, la_a, families):
    staff = f.UserFactory(username="tm.staff", role=c.Role.TEAM_MANAGER, local_authority=la_a, is_staff=True)
    grant(staff)
    sign_in(client, staff)
    page = client.get(reverse("admin:cases_family_changelist"))
    assert b"place_on_legal_hold" not in page.content
    hold(client, [families["own"]], action="place_on_legal_hold")
    families["own"].refresh_from_db()
    assert families["own"].legal_hold is False


def test_it_lets_a_superuser_set_an_las_retention_period(client, la_b):
    root = f.UserFactory(username="root", local_authority=None, role=c.Role.REGIONAL_ANALYST, is_superuser=True)
    root.is_staff = True
    root.save()
    sign_in(client, root)
    url = reverse("admin:cases_localauthority_change", args=[la_b.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    response = client.post(url, {**data, "retention_years": "8"})
    assert response.status_code == 302
    la_b.refresh_from_db()
    assert la_b.retention_years == 8
    assert la_b.retention_period_years == 8
    errors = client.post(url, {**data, "retention_years": "0"}).context["adminform"].form.errors
    assert errors["retention_years"] == ["Ensure this value is greater than or equal to 1."]

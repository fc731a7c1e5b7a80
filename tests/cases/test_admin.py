"""The admin: case records read-only with their history, reference data editable, saves stamped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import path, reverse

from cases import admin as cases_admin
from cases import models as m
from plo_tracker import urls as project_urls
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.test", "pw-for-tests-only")


CASE_RECORDS = [model for model in apps.get_app_config("cases").get_models() if issubclass(model, m.CaseRecord)]


def test_it_opens_every_changelist(client, superuser):
    f.HearingFactory()
    f.AssessmentFactory()
    sign_in(client, superuser)
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist


@pytest.mark.parametrize("model", CASE_RECORDS, ids=lambda model: model.__name__)
def test_it_shows_every_case_record_model_read_only(superuser, model):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_it_refuses_to_add_change_or_delete_a_case_record(client, superuser):
    family = f.FamilyFactory(name="Ashdown", la_reference="ASH-1")
    sign_in(client, superuser)
    change = reverse("admin:cases_family_change", args=[family.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="name"' not in page.content  # shown, not offered as a form field
    assert b"Ashdown" in page.content

    data = {"local_authority": family.local_authority_id, "la_reference": "ASH-1", "name": "Changed", "team": ""}
    assert client.post(change, data).status_code == 403
    assert client.get(reverse("admin:cases_family_add")).status_code == 403
    assert client.post(reverse("admin:cases_family_delete", args=[family.pk]), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [family.pk], "post": "yes"}
    client.post(reverse("admin:cases_family_changelist"), bulk)
    family.refresh_from_db()
    assert family.name == "Ashdown"


def test_it_links_a_record_to_its_change_history(client, superuser):
    family = f.FamilyFactory(name="Ashdown")
    m.Family.objects.filter(pk=family.pk).update(name="Ashdown-Reeve")
    sign_in(client, superuser)
    response = client.get(reverse("admin:cases_family_change", args=[family.pk]))
    link = f"?obj=cases.Family:{family.pk}"
    assert link in response.content.decode()
    history = client.get(reverse("admin:pghistory_events_changelist") + link)
    assert history.status_code == 200
    # The insert and the update, with the old and new names.
    assert b"Ashdown-Reeve" in history.content
    assert history.content.count(b"cases.Family") >= 2


def test_it_lets_a_superuser_edit_reference_data(client, superuser):
    threshold = m.Threshold.objects.get(code="pp_threshold_weeks")
    sign_in(client, superuser)
    url = reverse("admin:cases_threshold_change", args=[threshold.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update({"value": "18", "statutory": "on" if threshold.statutory else ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    threshold.refresh_from_db()
    assert threshold.value == Decimal("18")

    court = m.Court.objects.get(code="chelmsford")
    response = client.post(
        reverse("admin:cases_court_change", args=[court.pk]),
        {"label": "Chelmsford Justice Centre", "active": "on", "sort_order": court.sort_order},
    )
    assert response.status_code == 302
    court.refresh_from_db()
    assert court.label == "Chelmsford Justice Centre"


def test_it_keeps_the_admin_from_other_roles(client, social_worker):
    sign_in(client, social_worker)
    response = client.get("/admin/cases/family/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


# An editable admin of a model with ``updated_by`` (case records are read-only in the real one),
# on its own site, to check that admin saves, inline rows included, say who made them.
stamp_site = admin.AdminSite(name="stamp_test")


class ChildInline(admin.TabularInline):
    model = m.Child
    fields = ("local_authority", "la_child_id", "first_name", "last_name", "date_of_birth", "sex", "ethnicity")
    extra = 1


@admin.register(m.Family, site=stamp_site)
class EditableFamilyAdmin(cases_admin.ModelAdmin):
    fields = ("local_authority", "la_reference", "name", "team")
    inlines = [ChildInline]


urlpatterns = [path("stamp-admin/", stamp_site.urls), *project_urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_it_stamps_an_admin_save_with_the_admin_user(client, superuser, social_worker):
    family = f.FamilyFactory(name="Ashdown", la_reference="ASH-1")
    m.Family.objects.filter(pk=family.pk).update(updated_by=social_worker)
    sign_in(client, superuser)
    data = {
        "local_authority": family.local_authority_id,
        "la_reference": "ASH-1",
        "name": "Ashdown-Reeve",
        "team": family.team_id,
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "1000",
        "children-0-local_authority": family.local_authority_id,
        "children-0-la_child_id": "ASH-C1",
        "children-0-first_name": "Robin",
        "children-0-last_name": "Ashdown",
        "children-0-date_of_birth": "2021-03-14",
        "children-0-sex": "F",
        "children-0-ethnicity": "WBRI",
    }
    response = client.post(f"/stamp-admin/cases/family/{family.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    family.refresh_from_db()
    assert (family.name, family.updated_by) == ("Ashdown-Reeve", superuser)
    child = family.children.get()
    assert (child.date_of_birth, child.created_by, child.updated_by) == (dt.date(2021, 3, 14), superuser, superuser)

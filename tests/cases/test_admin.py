"""The admin opens for superusers on every registered model, including a record's history link."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.test", "pw-for-tests-only")


def test_it_opens_every_changelist_and_add_page(client, superuser):
    f.HearingFactory()
    f.AssessmentFactory()
    client.force_login(superuser)
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist


def test_it_links_a_record_to_its_history(client, superuser):
    family = f.FamilyFactory(name="Ashdown")
    client.force_login(superuser)
    response = client.get(reverse("admin:cases_family_change", args=[family.pk]))
    assert response.status_code == 200
    assert f"?obj=cases.Family:{family.pk}" in response.content.decode()


def test_it_keeps_the_admin_from_other_roles(client, social_worker):
    client.force_login(social_worker)
    response = client.get("/admin/cases/family/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url

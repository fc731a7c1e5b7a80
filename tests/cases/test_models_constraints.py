"""Check constraints that name their field: one rule, enforced by the database and shown on the field."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import constants as c
from cases import models as m
from tests import factories as f


def _field_constraints():
    for model in apps.get_app_config("cases").get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, m.FieldCheckConstraint):
                yield model, constraint


def test_it_names_a_real_field_of_its_model_for_every_field_constraint():
    found = list(_field_constraints())
    assert len(found) >= 10
    for model, constraint in found:
        assert model._meta.get_field(constraint.field), constraint.name


def test_it_is_a_plain_check_constraint_in_migrations_and_keeps_its_field_when_cloned():
    constraint = m.Hearing._meta.constraints[-1]
    assert isinstance(constraint, m.FieldCheckConstraint)
    path, _args, kwargs = constraint.deconstruct()
    assert path == "django.db.models.CheckConstraint"
    assert "field" not in kwargs
    assert constraint.clone().field == constraint.field == "replaces"


@pytest.mark.django_db
def test_it_reports_the_rule_on_its_field_and_the_database_refuses_it_too():
    hearing = f.HearingFactory(listed_date=dt.date(2026, 3, 2))
    hearing.status = c.HearingStatus.VACATED
    hearing.reason = m.DelayReason.objects.get(code="judiciary_no_judge")
    hearing.vacated_on = dt.date(2026, 3, 3)
    with pytest.raises(ValidationError) as error:
        hearing.full_clean()
    assert error.value.message_dict["vacated_on"] == [
        "A hearing is vacated on or before the day it is listed for: one put off on the day is adjourned."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Hearing.objects.filter(pk=hearing.pk).update(
            status="vacated", reason_id="judiciary_no_judge", vacated_on=dt.date(2026, 3, 3)
        )

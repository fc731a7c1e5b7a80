"""The batch save path of imports: the model rules worked out without a query per rule, the same
answers as the database's, and a whole batch validated and saved in a few statements."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from cases import models as m
from cases import services
from cases.models.records import FieldCheckConstraint, NotInPythonError, condition_holds
from tests import factories as f
from tests.cases.imports_support import csv_bytes, la_admin, run

D = dt.date


# --- The check constraints, worked out in Python ---------------------------------------------------


def _names(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _names(child)
        else:
            key, value = child
            names.add(key.split("__")[0])
            if isinstance(value, F):
                names.add(value.name)
    return names


def _samples(model, name: str) -> list:
    """A few values of the field: empty, and values either side of each other."""
    if name == "pk":
        return [None, 1, 2]
    field = model._meta.get_field(name)
    empty = [None] if field.null else []
    kind = field.get_internal_type()
    if kind == "DateField":
        return [*empty, D(2026, 3, 1), D(2026, 3, 2)]
    if kind == "BooleanField":
        return [*empty, True, False]
    if kind in ("IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField"):
        return [*empty, 0, 1, 2]
    if kind in ("ForeignKey", "OneToOneField"):
        return [*empty, 1, 2]
    if kind in ("JSONField", "ArrayField"):
        return [*empty, [], ["interim_care_order"]]
    if field.choices:
        return [*empty, "", *[value for value, _label in field.choices][:4]]
    return [*empty, "", "x"]


def _field_check_constraints():
    for model in m.CaseRecord.__subclasses__() + [
        sub for base in m.CaseRecord.__subclasses__() for sub in base.__subclasses__()
    ]:
        for constraint in model._meta.constraints:
            if isinstance(constraint, FieldCheckConstraint):
                yield model, constraint


CONSTRAINTS = list(_field_check_constraints())


def test_every_case_record_check_constraint_is_found():
    # Guards the parametrisation below: the models have this many field check constraints today.
    names = {constraint.name for _model, constraint in CONSTRAINTS}
    assert "episode_fgdm_held_date_needs_held" in names
    assert "child_dob_or_due_date" in names
    assert len(names) >= 15


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "constraint"), CONSTRAINTS, ids=[c.name for _m, c in CONSTRAINTS])
def test_python_gives_the_databases_answer_for_every_value_combination(model, constraint):
    names = sorted(_names(constraint.condition))
    combinations = list(itertools.product(*(_samples(model, name) for name in names)))
    assert combinations
    for values in combinations[:300]:
        instance = model()
        for name, value in zip(names, values, strict=True):
            if name == "pk":
                instance.pk = value
            else:
                setattr(instance, model._meta.get_field(name).attname, value)
        against = instance._get_field_expression_map(meta=model._meta)
        database = Q(constraint.condition).check(against)
        try:
            python = condition_holds(constraint.condition, instance)
        except NotInPythonError:
            pytest.fail(f"{constraint.name} is not worked out in Python")
        assert python == database, f"{constraint.name} with {dict(zip(names, values, strict=True))}"


def test_three_valued_logic_by_hand():
    child = m.Child(date_of_birth=None, expected_due_date=None)
    assert not condition_holds(Q(date_of_birth__isnull=False) | Q(expected_due_date__isnull=False), child)
    episode = m.PreProceedingsEpisode(step_decision_date=None, court_application_date=D(2026, 3, 1))
    # A comparison with an empty date is unknown, and a CHECK passes unless its condition is false.
    assert condition_holds(Q(court_application_date__gte=F("step_decision_date")), episode)
    episode.step_decision_date = D(2026, 3, 2)
    assert not condition_holds(Q(court_application_date__gte=F("step_decision_date")), episode)
    # A field left out of validation (a form's field with its own error) skips the rule, as Django does.
    assert condition_holds(
        Q(court_application_date__gte=F("step_decision_date")), episode, exclude={"court_application_date"}
    )
    with pytest.raises(NotInPythonError):
        condition_holds(Q(family__name="Ashdown"), episode)


@pytest.mark.django_db
def test_a_broken_date_order_is_refused_on_its_field_without_a_query(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    episode = m.PreProceedingsEpisode(
        local_authority=la_a,
        family=family,
        gateway_meeting_date=D(2026, 2, 2),
        gateway_outcome="start_pre_proceedings",
        start_date=D(2026, 1, 20),  # before the legal gateway meeting
    )
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        episode.full_clean(unique_constraints=False)
    assert "start_date" in refused.value.message_dict
    assert len(queries) == 0


# --- Links already loaded are not looked up again ------------------------------------------------


@pytest.mark.django_db
def test_a_loaded_family_is_not_looked_up_again_but_an_unknown_id_is_refused(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    child = m.Child(
        local_authority=la_a, family=family, la_child_id="C1", last_name="Ashdown", date_of_birth=D(2020, 1, 1)
    )
    with CaptureQueriesContext(connection) as queries:
        child.full_clean()
    # Only the unique constraint (LA and child ID) asks the database.
    assert [q["sql"] for q in queries if "cases_family" in q["sql"] or "cases_localauthority" in q["sql"]] == []

    stray = m.Child(local_authority=la_a, family_id=family.pk + 1000, la_child_id="C2", last_name="Brook")
    stray.date_of_birth = D(2020, 1, 1)
    with pytest.raises(ValidationError) as refused:
        stray.full_clean()
    assert "family" in refused.value.message_dict


# --- A batch validated and saved through the services ---------------------------------------------


@pytest.mark.django_db
def test_a_batch_reports_each_broken_rule_by_position_and_keys_taken_in_the_batch_or_stored(la_a):
    admin = la_admin(la_a)
    stored = f.FamilyFactory(local_authority=la_a, la_reference="F-1")
    batch = [
        m.Family(local_authority=la_a, la_reference="F-2", name="Ashdown"),
        m.Family(local_authority=la_a, la_reference="F-1", name="Brook"),  # stored already
        m.Family(local_authority=la_a, la_reference="F-3", name=""),  # a name is required
        m.Family(local_authority=la_a, la_reference="F-2", name="Carr"),  # earlier in the batch
    ]
    errors = services.records_validate_bulk(user=admin, instances=batch, family_of=lambda family: family)
    assert sorted(errors) == [1, 2, 3]
    assert "already exists" in errors[1].messages[0]
    assert "name" in errors[2].message_dict
    assert "already exists" in errors[3].messages[0]
    assert batch[0].created_by == admin
    assert batch[0].updated_by == admin
    # The stored family may be saved again under its own reference.
    stored.name = "Renamed"
    assert services.records_validate_bulk(user=admin, instances=[stored], family_of=lambda family: family) == {}


@pytest.mark.django_db
def test_a_batch_of_another_las_records_is_refused(la_a, la_b):
    admin = la_admin(la_a)
    other = m.Family(local_authority=la_b, la_reference="F-9", name="Other")
    with pytest.raises(PermissionDenied):
        services.records_validate_bulk(user=admin, instances=[other])


@pytest.mark.django_db
def test_a_batch_save_inserts_and_updates_with_who_and_when_in_the_history(la_a):
    admin = la_admin(la_a)
    stored = f.FamilyFactory(local_authority=la_a, la_reference="F-1", name="Before")
    changed_at = stored.updated_at
    stored.name = "After"
    new = m.Family(local_authority=la_a, la_reference="F-2", name="New")
    assert services.records_validate_bulk(user=admin, instances=[stored, new], family_of=lambda f: f) == {}

    with CaptureQueriesContext(connection) as queries:
        services.records_save_bulk(user=admin, instances=[stored, new], fields={"name"})
    assert len([q for q in queries if q["sql"].lstrip().startswith(("INSERT", "UPDATE"))]) <= 2

    stored.refresh_from_db()
    assert stored.name == "After"
    assert stored.updated_by == admin
    assert stored.updated_at > changed_at
    saved = m.Family.objects.get(la_reference="F-2")
    assert (saved.name, saved.created_by, saved.updated_by) == ("New", admin, admin)
    events = m.Family.pgh_event_model.objects.filter(pgh_obj_id__in=[stored.pk, saved.pk], pgh_context__isnull=False)
    assert {(e.pgh_label, e.name, e.pgh_context.metadata["username"]) for e in events} == {
        ("update", "After", admin.username),
        ("insert", "New", admin.username),
    }


@pytest.mark.django_db
def test_an_import_asks_the_database_the_same_number_of_times_for_4_rows_as_for_40(la_a):
    headers = ["Family ID", "Child ID", "Surname", "DOB", "LPM date", "PLO start", "Initial PLO meeting"]

    def tracker(rows: int, prefix: str) -> bytes:
        return csv_bytes(
            [headers]
            + [
                [f"{prefix}-{n // 2}", f"{prefix}{n:04d}", "Ashdown", "14/03/2021", "02/02/2026", "05/02/2026",
                 "16/02/2026"]
                for n in range(rows)
            ]
        )  # fmt: skip

    admin = la_admin(la_a)
    counts = []
    for rows, prefix in ((4, "S"), (40, "L")):
        with CaptureQueriesContext(connection) as queries:
            result = run(admin, "tracker.csv", tracker(rows, prefix))
        assert result.summary() == {"rows": rows, "created": rows, "updated": 0, "unchanged": 0, "errors": 0}
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert m.Child.objects.filter(la_child_id__startswith="L").count() == 40
    assert m.PreProceedingsMeeting.objects.filter(episode__family__la_reference__startswith="L-").count() == 20

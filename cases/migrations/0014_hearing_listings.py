"""Hearing listings: when each listing was made, the day a hearing was vacated, re-listings, orders made.

REFERENCE.md 4, "Listed as at a date": a hearing counts as listed from the day its listing was
made (``listed_on``; where unknown, the day the record was entered), still counts once held or
adjourned on the day, and stops counting from the day it was vacated. A re-listed hearing is a
new listing with its own date, linked to the one it replaces, so the old ``relisted_date`` and
the "re-listed" status go:

- every existing listing takes the day its record was entered as ``listed_on``;
- a vacated hearing is taken as vacated on the day it was entered, or its listed date if earlier;
- an adjourned or vacated hearing with a re-listed date gets a new listing for that date, made on
  the same day as the old one, that replaces it;
- a hearing only marked "re-listed" (moved, with no adjournment or vacation recorded) keeps one
  listing, for its new date.

The tracker facts view stops reading ``relisted_date``: a CMH or IRH counts unless vacated.
The change history triggers are off while the rows are rewritten, so the history is unchanged.
"""

import importlib

import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


def _view(old: str, new: str) -> str:
    sql = importlib.import_module("cases.migrations.0011_tracker_due_dates").VIEW_SQL
    assert sql.count(old) == 2, "the CMH and IRH tests of migration 0011"
    return sql.replace(old, new)


WITH_RELISTED = "AND NOT (h.status = 'vacated' AND h.relisted_date IS NULL)"
UNLESS_VACATED = "AND h.status <> 'vacated'"
DATA_SQL = """
UPDATE cases_hearing SET listed_on = (created_at AT TIME ZONE 'Europe/London')::date;
UPDATE cases_hearing SET status = 'listed', reason_id = NULL, listed_date = COALESCE(relisted_date, listed_date)
    WHERE status = 'relisted';
UPDATE cases_hearing SET vacated_on = LEAST(listed_date, listed_on) WHERE status = 'vacated';
INSERT INTO cases_hearing (created_at, updated_at, created_by_id, updated_by_id, local_authority_id,
    proceedings_id, hearing_type_id, listed_on, listed_date, status, vacated_on, reason_id, replaces_id,
    orders_made, note)
SELECT created_at, updated_at, created_by_id, updated_by_id, local_authority_id,
    proceedings_id, hearing_type_id, listed_on, relisted_date, 'listed', NULL, NULL, id, '{}', ''
FROM cases_hearing WHERE status IN ('adjourned', 'vacated') AND relisted_date IS NOT NULL;
-- Check the new links now: the table is altered next in this transaction.
SET CONSTRAINTS ALL IMMEDIATE;
"""
REVERSE_DATA_SQL = """
UPDATE cases_hearing old SET relisted_date = new.listed_date
    FROM cases_hearing new WHERE new.replaces_id = old.id;
DELETE FROM cases_hearing WHERE replaces_id IS NOT NULL;
SET CONSTRAINTS ALL IMMEDIATE;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_comparator_kind'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='hearing',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='hearing',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='hearing',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='hearing',
            name='listed_on',
            field=models.DateField(default=django.utils.timezone.localdate, help_text="Date the court fixed the hearing's date; where unknown, the day the listing is entered.", verbose_name='date the listing was made'),
        ),
        migrations.AddField(
            model_name='hearing',
            name='orders_made',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('epo', 'Emergency protection order'), ('interim_care', 'Interim care order'), ('interim_supervision', 'Interim supervision order'), ('interim_child_arrangements', 'Interim child arrangements order'), ('directions', 'Case management directions'), ('other', 'Other order')], max_length=30), blank=True, default=list, help_text='Orders made at the hearing, e.g. an interim care order.', size=None),
        ),
        migrations.AddField(
            model_name='hearing',
            name='replaces',
            field=models.OneToOneField(blank=True, help_text='The listing this one replaces, when a hearing was adjourned or vacated and re-listed.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='relisted_as', to='cases.hearing'),
        ),
        migrations.AddField(
            model_name='hearing',
            name='vacated_on',
            field=models.DateField(blank=True, help_text='Date the hearing was vacated (cancelled before the day); from then it no longer counts as listed.', null=True, verbose_name='date vacated'),
        ),
        migrations.AddField(
            model_name='hearingevent',
            name='listed_on',
            field=models.DateField(default=django.utils.timezone.localdate, help_text="Date the court fixed the hearing's date; where unknown, the day the listing is entered.", verbose_name='date the listing was made'),
        ),
        migrations.AddField(
            model_name='hearingevent',
            name='orders_made',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('epo', 'Emergency protection order'), ('interim_care', 'Interim care order'), ('interim_supervision', 'Interim supervision order'), ('interim_child_arrangements', 'Interim child arrangements order'), ('directions', 'Case management directions'), ('other', 'Other order')], max_length=30), blank=True, default=list, help_text='Orders made at the hearing, e.g. an interim care order.', size=None),
        ),
        migrations.AddField(
            model_name='hearingevent',
            name='replaces',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The listing this one replaces, when a hearing was adjourned or vacated and re-listed.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='cases.hearing'),
        ),
        migrations.AddField(
            model_name='hearingevent',
            name='vacated_on',
            field=models.DateField(blank=True, help_text='Date the hearing was vacated (cancelled before the day); from then it no longer counts as listed.', null=True, verbose_name='date vacated'),
        ),
        migrations.RemoveConstraint(
            model_name='hearing',
            name='hearing_relisted_after_listed',
        ),
        migrations.RunSQL(_view(WITH_RELISTED, UNLESS_VACATED), _view(WITH_RELISTED, WITH_RELISTED)),
        migrations.RunSQL(DATA_SQL, REVERSE_DATA_SQL),
        migrations.RemoveField(
            model_name='hearing',
            name='relisted_date',
        ),
        migrations.RemoveField(
            model_name='hearingevent',
            name='relisted_date',
        ),
        migrations.AlterField(
            model_name='hearing',
            name='status',
            field=models.CharField(choices=[('listed', 'Listed'), ('held', 'Held'), ('adjourned', 'Adjourned (on the day)'), ('vacated', 'Vacated (cancelled before the day)')], default='listed', help_text='What happened.', max_length=10),
        ),
        migrations.AlterField(
            model_name='hearingevent',
            name='status',
            field=models.CharField(choices=[('listed', 'Listed'), ('held', 'Held'), ('adjourned', 'Adjourned (on the day)'), ('vacated', 'Vacated (cancelled before the day)')], default='listed', help_text='What happened.', max_length=10),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='hearing',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "cases_hearingevent" ("created_at", "created_by_id", "hearing_type_id", "id", "listed_date", "listed_on", "local_authority_id", "note", "orders_made", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "proceedings_id", "reason_id", "replaces_id", "status", "updated_at", "updated_by_id", "vacated_on") VALUES (NEW."created_at", NEW."created_by_id", NEW."hearing_type_id", NEW."id", NEW."listed_date", NEW."listed_on", NEW."local_authority_id", NEW."note", NEW."orders_made", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."proceedings_id", NEW."reason_id", NEW."replaces_id", NEW."status", NEW."updated_at", NEW."updated_by_id", NEW."vacated_on"); RETURN NULL;', hash='9e2f1de235ad3beaa73be26f0dc7bdd77d703e7b', operation='INSERT', pgid='pgtrigger_insert_insert_e93cb', table='cases_hearing', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='hearing',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "cases_hearingevent" ("created_at", "created_by_id", "hearing_type_id", "id", "listed_date", "listed_on", "local_authority_id", "note", "orders_made", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "proceedings_id", "reason_id", "replaces_id", "status", "updated_at", "updated_by_id", "vacated_on") VALUES (NEW."created_at", NEW."created_by_id", NEW."hearing_type_id", NEW."id", NEW."listed_date", NEW."listed_on", NEW."local_authority_id", NEW."note", NEW."orders_made", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."proceedings_id", NEW."reason_id", NEW."replaces_id", NEW."status", NEW."updated_at", NEW."updated_by_id", NEW."vacated_on"); RETURN NULL;', hash='6dbaeb0d15e58acdef82651d124c4a915c2ca763', operation='UPDATE', pgid='pgtrigger_update_update_5abef', table='cases_hearing', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='hearing',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "cases_hearingevent" ("created_at", "created_by_id", "hearing_type_id", "id", "listed_date", "listed_on", "local_authority_id", "note", "orders_made", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "proceedings_id", "reason_id", "replaces_id", "status", "updated_at", "updated_by_id", "vacated_on") VALUES (OLD."created_at", OLD."created_by_id", OLD."hearing_type_id", OLD."id", OLD."listed_date", OLD."listed_on", OLD."local_authority_id", OLD."note", OLD."orders_made", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."proceedings_id", OLD."reason_id", OLD."replaces_id", OLD."status", OLD."updated_at", OLD."updated_by_id", OLD."vacated_on"); RETURN NULL;', hash='41889eba7f569a11f52a85b5baac5ae38d9bb929', operation='DELETE', pgid='pgtrigger_delete_delete_6b3c5', table='cases_hearing', when='AFTER')),
        ),
        migrations.AddConstraint(
            model_name='hearing',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'vacated'), ('vacated_on__isnull', False)), models.Q(models.Q(('status', 'vacated'), _negated=True), ('vacated_on__isnull', True)), _connector='OR'), name='hearing_vacated_on_when_vacated', violation_error_message='Enter the date the hearing was vacated (and only for a vacated hearing).'),
        ),
        migrations.AddConstraint(
            model_name='hearing',
            constraint=models.CheckConstraint(condition=models.Q(('vacated_on__isnull', True), ('vacated_on__lte', models.F('listed_date')), _connector='OR'), name='hearing_vacated_by_listed_date', violation_error_message='A hearing is vacated on or before the day it is listed for: one put off on the day is adjourned.'),
        ),
        migrations.AddConstraint(
            model_name='hearing',
            constraint=models.CheckConstraint(condition=models.Q(('orders_made', []), ('status__in', ['held', 'adjourned']), _connector='OR'), name='hearing_orders_when_it_took_place', violation_error_message='Orders are made only at a hearing that was held or adjourned on the day.'),
        ),
        migrations.AddConstraint(
            model_name='hearing',
            constraint=models.CheckConstraint(condition=models.Q(('replaces__isnull', True), models.Q(('replaces', models.F('pk')), _negated=True), _connector='OR'), name='hearing_does_not_replace_itself', violation_error_message='A listing cannot replace itself.'),
        ),
        migrations.RunSQL(
            "DELETE FROM cases_trackerfacts; INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow;",
            migrations.RunSQL.noop,
        ),
    ]

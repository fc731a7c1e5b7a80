"""Retention of closed cases: each LA's retention period in years (empty for the service's default,
PLO_RETENTION_YEARS) and a legal hold flag on each family, which `manage.py purge_closed_cases`
never removes. The family's history triggers are recreated to record the new column.
"""

import django.core.validators
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0016_tracker_timetable_flags'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='family',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='family',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='family',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='family',
            name='legal_hold',
            field=models.BooleanField(default=False, help_text="Kept past the LA's retention period (a legal hold): the retention purge never removes it."),
        ),
        migrations.AddField(
            model_name='familyevent',
            name='legal_hold',
            field=models.BooleanField(default=False, help_text="Kept past the LA's retention period (a legal hold): the retention purge never removes it."),
        ),
        migrations.AddField(
            model_name='localauthority',
            name='retention_years',
            field=models.PositiveSmallIntegerField(blank=True, help_text="Years a case is kept after it closes, then removed; empty for the service's default.", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='retention period in years'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='family',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "cases_familyevent" ("created_at", "created_by_id", "id", "la_reference", "legal_hold", "local_authority_id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "social_worker_id", "team_id", "updated_at", "updated_by_id") VALUES (NEW."created_at", NEW."created_by_id", NEW."id", NEW."la_reference", NEW."legal_hold", NEW."local_authority_id", NEW."name", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."social_worker_id", NEW."team_id", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;', hash='b685e0f16e7be17c1df585beb50ee460bc69fe26', operation='INSERT', pgid='pgtrigger_insert_insert_74378', table='cases_family', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='family',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "cases_familyevent" ("created_at", "created_by_id", "id", "la_reference", "legal_hold", "local_authority_id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "social_worker_id", "team_id", "updated_at", "updated_by_id") VALUES (NEW."created_at", NEW."created_by_id", NEW."id", NEW."la_reference", NEW."legal_hold", NEW."local_authority_id", NEW."name", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."social_worker_id", NEW."team_id", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;', hash='5b3c8a735ee0e4608b7a62bf261a72de36d13154', operation='UPDATE', pgid='pgtrigger_update_update_6ab1c', table='cases_family', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='family',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "cases_familyevent" ("created_at", "created_by_id", "id", "la_reference", "legal_hold", "local_authority_id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "social_worker_id", "team_id", "updated_at", "updated_by_id") VALUES (OLD."created_at", OLD."created_by_id", OLD."id", OLD."la_reference", OLD."legal_hold", OLD."local_authority_id", OLD."name", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."social_worker_id", OLD."team_id", OLD."updated_at", OLD."updated_by_id"); RETURN NULL;', hash='68b11b302c3be91d331b0e586231504f7e0259ed', operation='DELETE', pgid='pgtrigger_delete_delete_d5d35', table='cases_family', when='AFTER')),
        ),
        migrations.AddConstraint(
            model_name='localauthority',
            constraint=models.CheckConstraint(condition=models.Q(('retention_years__isnull', True), models.Q(('retention_years__gte', 1), ('retention_years__lte', 100)), _connector='OR'), name='la_retention_years_range', violation_error_message='The retention period must be between 1 and 100 years.'),
        ),
    ]

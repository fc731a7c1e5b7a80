"""The people around a case, its notes and document links; the parent-with-previous-proceedings flag.

- Tables for parents and carers (``Person``, one per LA), their part in each family
  (``FamilyMember``), the professionals on a case, case notes and document links, each with its
  change history (django-pghistory) and each under the row-level security policy of migration 0019
  (``secure_table``), event tables included.
- The tracker facts gain ``parent_previous_proceedings_from``, appended to the view (built from
  migration 0016's ``VIEW_SQL``, the latest full one) and to ``cases_trackerfacts``: raised when a
  person linked to the family is linked to another family whose pre-proceedings episode started, or
  whose proceedings were issued, before this case began (its open episode's start or its open
  proceedings' issue, the earlier). A later migration that changes the view starts from
  ``VIEW_SQL`` here.
- A link written or removed refreshes the facts of the families of that person (a trigger on the
  links, as migration 0007's); and ``cases_trackerfacts_refresh`` now also refreshes every family
  sharing a person with the families it is given, so an episode or application recorded on the
  earlier family updates the later family's flag too.
"""

import importlib

import django.core.validators
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from cases.row_security import secure_table

TRACKER_0007 = importlib.import_module("cases.migrations.0007_tracker_facts_table")
TRACKER_0016 = importlib.import_module("cases.migrations.0016_tracker_timetable_flags")


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# Migration 0016's view, with the people around the case: one more input and one more column.
VIEW_SQL = _replace_once(
    _replace_once(
        _replace_once(
            TRACKER_0016.VIEW_SQL,
            "ep.lbp_sent_date, COALESCE(mt.has_initial_meeting, false) AS has_initial_meeting, ch.first_expected_due\n",
            "ep.lbp_sent_date, COALESCE(mt.has_initial_meeting, false) AS has_initial_meeting, ch.first_expected_due,\n"
            "    COALESCE(par.parent_previous, false) AS parent_previous\n",
        ),
        "    FROM cases_child c WHERE c.family_id = f.id\n) ch ON true\n",
        """    FROM cases_child c WHERE c.family_id = f.id
) ch ON true
LEFT JOIN LATERAL (
    -- A parent or carer of this family with another family whose episode or application began first.
    SELECT true AS parent_previous
    FROM cases_familymember me
    JOIN cases_familymember other ON other.person_id = me.person_id AND other.family_id <> me.family_id
    WHERE me.family_id = f.id AND (
        EXISTS (SELECT 1 FROM cases_preproceedingsepisode oe
            WHERE oe.family_id = other.family_id AND oe.start_date < LEAST(ep.episode_start, pr.issue_date))
        OR EXISTS (SELECT 1 FROM cases_proceedings op
            WHERE op.family_id = other.family_id AND op.issue_date < LEAST(ep.episode_start, pr.issue_date))
    )
    LIMIT 1
) par ON true
""",
    ),
    "        AS timetabled_beyond_from\n",
    "        AS timetabled_beyond_from,\n"
    "    -- Added by 0027: a parent or carer with previous pre-proceedings or proceedings (another family).\n"
    "    CASE WHEN b.parent_previous THEN DATE '0001-01-01' END AS parent_previous_proceedings_from\n",
)

NEW_COLUMN = "parent_previous_proceedings_from"
SECURE_VIEW = "ALTER VIEW cases_trackerrow SET (security_invoker = true);\n"

# The links touched, and every other family of the people they link (a removed link included).
LINK_FAMILIES = (
    "SELECT family_id FROM rows UNION "
    "SELECT fm.family_id FROM rows JOIN cases_familymember fm ON fm.person_id = rows.person_id"
)

REFRESH_WIDE = """
CREATE OR REPLACE FUNCTION cases_trackerfacts_refresh(family_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    -- The families given and every family sharing a parent or carer with one of them.
    ids bigint[] := ARRAY(
        SELECT unnest(family_ids)
        UNION
        SELECT other.family_id FROM cases_familymember me
        JOIN cases_familymember other ON other.person_id = me.person_id
        WHERE me.family_id = ANY(family_ids)
    );
BEGIN
    DELETE FROM cases_trackerfacts WHERE family_id = ANY(ids);
    INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow WHERE family_id = ANY(ids);
END $$;
"""
REFRESH_NARROW = """
CREATE OR REPLACE FUNCTION cases_trackerfacts_refresh(family_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM cases_trackerfacts WHERE family_id = ANY(family_ids);
    INSERT INTO cases_trackerfacts SELECT * FROM cases_trackerrow WHERE family_id = ANY(family_ids);
$$;
"""

FORWARD = (
    VIEW_SQL
    + ";\n"
    + SECURE_VIEW
    + f"ALTER TABLE cases_trackerfacts ADD COLUMN {NEW_COLUMN} date;\n"
    + REFRESH_WIDE
    + TRACKER_0007.trigger_sql("cases_familymember", LINK_FAMILIES)
    + TRACKER_0016.REFRESH
)
BACKWARD = (
    "".join(
        f"DROP TRIGGER IF EXISTS cases_familymember_tracker_{suffix} ON cases_familymember;"
        f" DROP FUNCTION IF EXISTS cases_familymember_tracker_{suffix}();\n"
        for suffix in ("insert", "update", "delete", "update_old")
    )
    + REFRESH_NARROW
    + f"DROP VIEW cases_trackerrow;\nALTER TABLE cases_trackerfacts DROP COLUMN {NEW_COLUMN};\n"
    + TRACKER_0016.VIEW_SQL
    + ";\n"
    + SECURE_VIEW
    + TRACKER_0016.REFRESH
)
TABLES = ("person", "familymember", "professional", "casenote", "documentlink")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0026_imports"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseNote",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                (
                    "note_date",
                    models.DateField(
                        help_text="When the visit, meeting or conversation happened.", verbose_name="date of the note"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("visit", "Visit"),
                            ("meeting", "Meeting"),
                            ("conversation", "Conversation"),
                            ("legal_advice", "Legal advice"),
                            ("other", "Other"),
                        ],
                        help_text="What the note is of.",
                        max_length=20,
                        verbose_name="type of note",
                    ),
                ),
                (
                    "text",
                    models.TextField(help_text="What happened, in plain words.", max_length=10000, verbose_name="note"),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who wrote the note (the user who recorded it).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        help_text="The family (case).",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notes",
                        to="cases.family",
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-note_date", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="CaseNoteEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                (
                    "note_date",
                    models.DateField(
                        help_text="When the visit, meeting or conversation happened.", verbose_name="date of the note"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("visit", "Visit"),
                            ("meeting", "Meeting"),
                            ("conversation", "Conversation"),
                            ("legal_advice", "Legal advice"),
                            ("other", "Other"),
                        ],
                        help_text="What the note is of.",
                        max_length=20,
                        verbose_name="type of note",
                    ),
                ),
                (
                    "text",
                    models.TextField(help_text="What happened, in plain words.", max_length=10000, verbose_name="note"),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who wrote the note (the user who recorded it).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="The family (case).",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.family",
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="cases.casenote",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="DocumentLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                (
                    "label",
                    models.CharField(
                        help_text="What the document is, e.g. 'Letter before proceedings'.", max_length=200
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("letter", "Letter"),
                            ("minutes", "Minutes"),
                            ("report", "Report"),
                            ("order", "Order"),
                            ("other", "Other"),
                        ],
                        help_text="The kind of document.",
                        max_length=20,
                        verbose_name="type of document",
                    ),
                ),
                (
                    "url",
                    models.URLField(
                        error_messages={
                            "invalid": "Enter the link as a full web address starting with https:// or http://"
                        },
                        help_text="Address of the document in the LA's own document store (http or https).",
                        max_length=1000,
                        validators=[django.core.validators.URLValidator(schemes=["http", "https"])],
                        verbose_name="link",
                    ),
                ),
                (
                    "document_date",
                    models.DateField(
                        blank=True,
                        help_text="The date on the document, where it has one.",
                        null=True,
                        verbose_name="date of the document",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        help_text="The family (case).",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="cases.family",
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-document_date", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="DocumentLinkEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                (
                    "label",
                    models.CharField(
                        help_text="What the document is, e.g. 'Letter before proceedings'.", max_length=200
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("letter", "Letter"),
                            ("minutes", "Minutes"),
                            ("report", "Report"),
                            ("order", "Order"),
                            ("other", "Other"),
                        ],
                        help_text="The kind of document.",
                        max_length=20,
                        verbose_name="type of document",
                    ),
                ),
                (
                    "url",
                    models.URLField(
                        error_messages={
                            "invalid": "Enter the link as a full web address starting with https:// or http://"
                        },
                        help_text="Address of the document in the LA's own document store (http or https).",
                        max_length=1000,
                        validators=[django.core.validators.URLValidator(schemes=["http", "https"])],
                        verbose_name="link",
                    ),
                ),
                (
                    "document_date",
                    models.DateField(
                        blank=True,
                        help_text="The date on the document, where it has one.",
                        null=True,
                        verbose_name="date of the document",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="The family (case).",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.family",
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="cases.documentlink",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="FamilyMember",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("mother", "Mother"),
                            ("father", "Father"),
                            ("carer", "Carer"),
                            ("partner", "Parent's partner"),
                            ("other", "Other family member"),
                        ],
                        help_text="The person's role in this family.",
                        max_length=20,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        help_text="The family (case).",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="members",
                        to="cases.family",
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["family", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Person",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                ("first_name", models.CharField(help_text="First name.", max_length=100)),
                ("last_name", models.CharField(help_text="Family name.", max_length=100)),
                (
                    "date_of_birth",
                    models.DateField(
                        blank=True,
                        help_text="Date of birth, where known (it tells two people apart).",
                        null=True,
                        verbose_name="date of birth",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        help_text="First language, where it is not English (e.g. Polish, BSL).",
                        max_length=60,
                    ),
                ),
                (
                    "interpreter_needed",
                    models.BooleanField(
                        default=False,
                        help_text="Whether meetings and hearings need an interpreter.",
                        verbose_name="interpreter needed",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["last_name", "first_name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="FamilyMemberEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("mother", "Mother"),
                            ("father", "Father"),
                            ("carer", "Carer"),
                            ("partner", "Parent's partner"),
                            ("other", "Other family member"),
                        ],
                        help_text="The person's role in this family.",
                        max_length=20,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="The family (case).",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.family",
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="cases.familymember",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="The parent or carer.",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.person",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="familymember",
            name="person",
            field=models.ForeignKey(
                help_text="The parent or carer.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memberships",
                to="cases.person",
            ),
        ),
        migrations.CreateModel(
            name="PersonEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                ("first_name", models.CharField(help_text="First name.", max_length=100)),
                ("last_name", models.CharField(help_text="Family name.", max_length=100)),
                (
                    "date_of_birth",
                    models.DateField(
                        blank=True,
                        help_text="Date of birth, where known (it tells two people apart).",
                        null=True,
                        verbose_name="date of birth",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        help_text="First language, where it is not English (e.g. Polish, BSL).",
                        max_length=60,
                    ),
                ),
                (
                    "interpreter_needed",
                    models.BooleanField(
                        default=False,
                        help_text="Whether meetings and hearings need an interpreter.",
                        verbose_name="interpreter needed",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="cases.person",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="Professional",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("parent_solicitor", "Parent's solicitor"),
                            ("child_solicitor", "Child's solicitor"),
                            ("guardian", "Children's guardian (Cafcass)"),
                            ("la_lawyer", "LA lawyer"),
                            ("other", "Other professional"),
                        ],
                        help_text="Their role on the case.",
                        max_length=20,
                    ),
                ),
                ("name", models.CharField(help_text="Full name.", max_length=120)),
                (
                    "organisation",
                    models.CharField(blank=True, help_text="Firm, Cafcass team or LA legal service.", max_length=120),
                ),
                (
                    "acting_for",
                    models.CharField(
                        blank=True,
                        help_text="For a solicitor: whom they represent (e.g. the mother).",
                        max_length=120,
                        verbose_name="acting for",
                    ),
                ),
                ("email", models.EmailField(blank=True, help_text="Work email address.", max_length=254)),
                ("phone", models.CharField(blank=True, help_text="Work phone number.", max_length=40)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        help_text="The family (case).",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="professionals",
                        to="cases.family",
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["family", "role", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ProfessionalEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True, help_text="When the record was created.")),
                ("updated_at", models.DateTimeField(auto_now=True, help_text="When the record was last changed.")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("parent_solicitor", "Parent's solicitor"),
                            ("child_solicitor", "Child's solicitor"),
                            ("guardian", "Children's guardian (Cafcass)"),
                            ("la_lawyer", "LA lawyer"),
                            ("other", "Other professional"),
                        ],
                        help_text="Their role on the case.",
                        max_length=20,
                    ),
                ),
                ("name", models.CharField(help_text="Full name.", max_length=120)),
                (
                    "organisation",
                    models.CharField(blank=True, help_text="Firm, Cafcass team or LA legal service.", max_length=120),
                ),
                (
                    "acting_for",
                    models.CharField(
                        blank=True,
                        help_text="For a solicitor: whom they represent (e.g. the mother).",
                        max_length=120,
                        verbose_name="acting for",
                    ),
                ),
                ("email", models.EmailField(blank=True, help_text="Work email address.", max_length=254)),
                ("phone", models.CharField(blank=True, help_text="Work phone number.", max_length=40)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who created the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="The family (case).",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.family",
                    ),
                ),
                (
                    "local_authority",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="LA that owns the record.",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="cases.professional",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Who last changed the record.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddIndex(
            model_name="casenote",
            index=models.Index(fields=["local_authority", "updated_at", "id"], name="casenote_feed"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="casenote",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_casenoteevent" ("author_id", "created_at", "created_by_id", "family_id", "id", "kind", "local_authority_id", "note_date", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text", "updated_at", "updated_by_id") VALUES (NEW."author_id", NEW."created_at", NEW."created_by_id", NEW."family_id", NEW."id", NEW."kind", NEW."local_authority_id", NEW."note_date", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."text", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="7f8917489340b6ba43b920750e154871d82bdd99",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_0c4c5",
                    table="cases_casenote",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="casenote",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "cases_casenoteevent" ("author_id", "created_at", "created_by_id", "family_id", "id", "kind", "local_authority_id", "note_date", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text", "updated_at", "updated_by_id") VALUES (NEW."author_id", NEW."created_at", NEW."created_by_id", NEW."family_id", NEW."id", NEW."kind", NEW."local_authority_id", NEW."note_date", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."text", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="97f466be327d79d36e683da492d1a7e67a498483",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_f902d",
                    table="cases_casenote",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="casenote",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_casenoteevent" ("author_id", "created_at", "created_by_id", "family_id", "id", "kind", "local_authority_id", "note_date", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text", "updated_at", "updated_by_id") VALUES (OLD."author_id", OLD."created_at", OLD."created_by_id", OLD."family_id", OLD."id", OLD."kind", OLD."local_authority_id", OLD."note_date", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."text", OLD."updated_at", OLD."updated_by_id"); RETURN NULL;',
                    hash="81405761a1b9fc7fdd3dd4cf600d4f1a396cbbd8",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_88604",
                    table="cases_casenote",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="documentlink",
            index=models.Index(fields=["local_authority", "updated_at", "id"], name="documentlink_feed"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="documentlink",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_documentlinkevent" ("created_at", "created_by_id", "document_date", "family_id", "id", "kind", "label", "local_authority_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "updated_by_id", "url") VALUES (NEW."created_at", NEW."created_by_id", NEW."document_date", NEW."family_id", NEW."id", NEW."kind", NEW."label", NEW."local_authority_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at", NEW."updated_by_id", NEW."url"); RETURN NULL;',
                    hash="27e19b2961cc8d7b1b066b40f98b1808e51a4f61",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_c3c7f",
                    table="cases_documentlink",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="documentlink",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "cases_documentlinkevent" ("created_at", "created_by_id", "document_date", "family_id", "id", "kind", "label", "local_authority_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "updated_by_id", "url") VALUES (NEW."created_at", NEW."created_by_id", NEW."document_date", NEW."family_id", NEW."id", NEW."kind", NEW."label", NEW."local_authority_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at", NEW."updated_by_id", NEW."url"); RETURN NULL;',
                    hash="fcc58429480f70e7e96718d9e3708a6b5f570bab",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_d5c25",
                    table="cases_documentlink",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="documentlink",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_documentlinkevent" ("created_at", "created_by_id", "document_date", "family_id", "id", "kind", "label", "local_authority_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "updated_by_id", "url") VALUES (OLD."created_at", OLD."created_by_id", OLD."document_date", OLD."family_id", OLD."id", OLD."kind", OLD."label", OLD."local_authority_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at", OLD."updated_by_id", OLD."url"); RETURN NULL;',
                    hash="98fb7c03b14362ce8d0e00cfc72061c307bd410a",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_1df7d",
                    table="cases_documentlink",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["local_authority", "updated_at", "id"], name="person_feed"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["local_authority", "last_name", "date_of_birth"], name="person_name_dob"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="person",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_personevent" ("created_at", "created_by_id", "date_of_birth", "first_name", "id", "interpreter_needed", "language", "last_name", "local_authority_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "updated_by_id") VALUES (NEW."created_at", NEW."created_by_id", NEW."date_of_birth", NEW."first_name", NEW."id", NEW."interpreter_needed", NEW."language", NEW."last_name", NEW."local_authority_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="54010257e2406f5e96943d5e99e21cc91c78d083",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_eb0b4",
                    table="cases_person",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="person",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "cases_personevent" ("created_at", "created_by_id", "date_of_birth", "first_name", "id", "interpreter_needed", "language", "last_name", "local_authority_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "updated_by_id") VALUES (NEW."created_at", NEW."created_by_id", NEW."date_of_birth", NEW."first_name", NEW."id", NEW."interpreter_needed", NEW."language", NEW."last_name", NEW."local_authority_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="9f3d412d8b0f868babb81b229ab40fd7e2585e09",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_6804f",
                    table="cases_person",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="person",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_personevent" ("created_at", "created_by_id", "date_of_birth", "first_name", "id", "interpreter_needed", "language", "last_name", "local_authority_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "updated_by_id") VALUES (OLD."created_at", OLD."created_by_id", OLD."date_of_birth", OLD."first_name", OLD."id", OLD."interpreter_needed", OLD."language", OLD."last_name", OLD."local_authority_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at", OLD."updated_by_id"); RETURN NULL;',
                    hash="19484d754c24c689b2a2712ac988d831e0d4e706",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_82e57",
                    table="cases_person",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="familymember",
            index=models.Index(fields=["local_authority", "updated_at", "id"], name="familymember_feed"),
        ),
        migrations.AddConstraint(
            model_name="familymember",
            constraint=models.UniqueConstraint(
                fields=("family", "person"),
                name="familymember_once_per_family",
                violation_error_message="This person is already linked to the family.",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="familymember",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_familymemberevent" ("created_at", "created_by_id", "family_id", "id", "local_authority_id", "person_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "role", "updated_at", "updated_by_id") VALUES (NEW."created_at", NEW."created_by_id", NEW."family_id", NEW."id", NEW."local_authority_id", NEW."person_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."role", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="c1fae973e9bad076f96a4267c9934ba43ea0b982",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_c4f0e",
                    table="cases_familymember",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="familymember",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "cases_familymemberevent" ("created_at", "created_by_id", "family_id", "id", "local_authority_id", "person_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "role", "updated_at", "updated_by_id") VALUES (NEW."created_at", NEW."created_by_id", NEW."family_id", NEW."id", NEW."local_authority_id", NEW."person_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."role", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="81435a7daa18992b96b4f6a068e1559560ff85a8",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_10ebc",
                    table="cases_familymember",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="familymember",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_familymemberevent" ("created_at", "created_by_id", "family_id", "id", "local_authority_id", "person_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "role", "updated_at", "updated_by_id") VALUES (OLD."created_at", OLD."created_by_id", OLD."family_id", OLD."id", OLD."local_authority_id", OLD."person_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."role", OLD."updated_at", OLD."updated_by_id"); RETURN NULL;',
                    hash="9247d8f9ebb43473bb57d3ee01b5ee862e43ec66",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_3a30c",
                    table="cases_familymember",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="professional",
            index=models.Index(fields=["local_authority", "updated_at", "id"], name="professional_feed"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="professional",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_professionalevent" ("acting_for", "created_at", "created_by_id", "email", "family_id", "id", "local_authority_id", "name", "organisation", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "role", "updated_at", "updated_by_id") VALUES (NEW."acting_for", NEW."created_at", NEW."created_by_id", NEW."email", NEW."family_id", NEW."id", NEW."local_authority_id", NEW."name", NEW."organisation", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."phone", NEW."role", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="12573ebe3e15745a918898591d02fb6d6171e7a9",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_44629",
                    table="cases_professional",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="professional",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "cases_professionalevent" ("acting_for", "created_at", "created_by_id", "email", "family_id", "id", "local_authority_id", "name", "organisation", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "role", "updated_at", "updated_by_id") VALUES (NEW."acting_for", NEW."created_at", NEW."created_by_id", NEW."email", NEW."family_id", NEW."id", NEW."local_authority_id", NEW."name", NEW."organisation", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."phone", NEW."role", NEW."updated_at", NEW."updated_by_id"); RETURN NULL;',
                    hash="bbe895620739cea21bcaddbebc46594d855ee4e3",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_9b964",
                    table="cases_professional",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="professional",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_professionalevent" ("acting_for", "created_at", "created_by_id", "email", "family_id", "id", "local_authority_id", "name", "organisation", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "phone", "role", "updated_at", "updated_by_id") VALUES (OLD."acting_for", OLD."created_at", OLD."created_by_id", OLD."email", OLD."family_id", OLD."id", OLD."local_authority_id", OLD."name", OLD."organisation", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."phone", OLD."role", OLD."updated_at", OLD."updated_by_id"); RETURN NULL;',
                    hash="56109c4a201603987207f9680062613424786bf6",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_dc2c6",
                    table="cases_professional",
                    when="AFTER",
                ),
            ),
        ),
        # The flag: state of the unmanaged facts model, then the view, the facts table and the triggers.
        migrations.AddField(model_name="trackerrow", name=NEW_COLUMN, field=models.DateField(null=True)),
        migrations.RunSQL(FORWARD, reverse_sql=BACKWARD),
        *(secure_table(f"cases_{table}{suffix}") for table in TABLES for suffix in ("", "event")),
    ]

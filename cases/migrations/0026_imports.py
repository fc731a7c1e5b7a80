"""Tracker imports: the LAs' saved column mappings and the import history, each under the
row-level security policy of migration 0019 (``secure_table``)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cases.row_security import secure_table


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0025_recorded_review_count"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("file_name", models.CharField(max_length=255)),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256 checksum")),
                ("size", models.PositiveIntegerField(default=0)),
                ("file", models.FileField(blank=True, max_length=255, upload_to="imports/%Y/%m/")),
                ("file_deleted_at", models.DateTimeField(blank=True, null=True)),
                ("mapping_name", models.CharField(blank=True, max_length=100)),
                ("mapping", models.JSONField(blank=True, default=dict, help_text="The columns and codes used.")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("uploaded", "Uploaded: columns to map"),
                            ("checking", "Checking"),
                            ("checked", "Checked: ready to apply"),
                            ("applying", "Applying"),
                            ("applied", "Applied"),
                            ("failed", "Has problems"),
                        ],
                        default="uploaded",
                        max_length=10,
                    ),
                ),
                ("rows", models.PositiveIntegerField(default=0)),
                ("created", models.PositiveIntegerField(default=0)),
                ("updated", models.PositiveIntegerField(default=0)),
                ("unchanged", models.PositiveIntegerField(default=0)),
                ("errors", models.PositiveIntegerField(default=0)),
                ("report", models.JSONField(blank=True, default=dict)),
                (
                    "local_authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="import_runs",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ImportMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        help_text="Name the LA knows the mapping by, e.g. 'Mosaic PLO tracker'.", max_length=100
                    ),
                ),
                (
                    "columns",
                    models.JSONField(blank=True, default=dict, help_text="Source column header -> import column."),
                ),
                (
                    "codes",
                    models.JSONField(
                        blank=True, default=dict, help_text="Import column -> {source word: shared code}."
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "local_authority",
                    models.ForeignKey(
                        help_text="LA the mapping is for.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="import_mappings",
                        to="cases.localauthority",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("local_authority", "name"), name="import_mapping_unique_name_per_la"
                    )
                ],
            },
        ),
        secure_table("cases_importrun"),
        secure_table("cases_importmapping"),
    ]

"""Placeholder: the database keeps Proceedings.concluded_date (filled in by the derived-state work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_tracker_due_dates")]

    operations = []

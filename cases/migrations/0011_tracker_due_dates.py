"""Placeholder: the tracker facts view's next-due dates (filled in by the thresholds work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_thresholds_band_and_term")]

    operations = []

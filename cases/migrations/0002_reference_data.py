"""Load the region's reference data: LAs, areas, teams, courts, code lists, thresholds, comparators."""

from django.db import migrations


def load(apps, schema_editor):
    from cases import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

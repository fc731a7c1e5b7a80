"""Two thresholds that code used to carry as numbers: the Cafcass 30-week band and a full-term pregnancy."""

from django.db import migrations


def load(apps, schema_editor):
    from cases import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_tracker_flag_dates")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

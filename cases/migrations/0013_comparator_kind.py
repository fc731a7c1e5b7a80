"""Each comparator says what it is: national (England), the region's own baseline, an LA's own figure or an exemplar.

Only national figures may be shown under "National" (REFERENCE.md section 4, "Comparators"). The
pages used to guess from the label, so the region's baseline, Essex's own Ofsted figure and the
Tri-borough pilot were shown as national. The kind is now data: this migration renames the labels
that said it in words ("North Somerset (exemplar)"), then sets the kind of every row from the
reference data. A row the reference data does not know stops the migration, since no kind can be
assumed for it: putting a figure under "National" unchecked is the mistake this corrects.
"""

from django.db import migrations, models

CHOICES = [
    ("national", "National figure (England)"),
    ("regional_baseline", "The region's own baseline"),
    ("la_figure", "A local authority's own figure"),
    ("exemplar", "Good-practice exemplar"),
]
HELP = "What the figure is. Only national figures (England) are shown under National."
# metric, vintage, label before, label now (the kind now says national, baseline or exemplar).
RENAMES = [
    ("s31_duration_mean", "2023-24", "National average (Cafcass)", "Cafcass national average"),
    ("s31_duration_mean", "2023-24", "Region baseline (Essex & Suffolk)", "Essex & Suffolk"),
    ("s31_duration_mean", "2024", "North Somerset (exemplar)", "North Somerset"),
    ("s31_duration_mean", "2013", "Tri-borough pilot (exemplar)", "Tri-borough pilot"),
    ("s31_application_rate", "2023-24", "Region baseline", "Essex & Suffolk"),
    ("hearings_per_case", "2013", "Tri-borough pilot before", "Tri-borough pilot, before"),
    ("hearings_per_case", "2013", "Tri-borough pilot after", "Tri-borough pilot, after"),
    ("pp_step_down_rate", "2024", "Essex step-down rate", "Essex's own figure"),
]


def set_kinds(apps, schema_editor):
    from cases import reference_data

    comparator = apps.get_model("cases", "NationalComparator")
    for metric, vintage, before, now in RENAMES:
        comparator.objects.filter(metric=metric, vintage=vintage, label=before).update(label=now)
    reference_data.load(apps)
    unknown = [f"{row.metric}: {row.label} ({row.vintage})" for row in comparator.objects.filter(kind__isnull=True)]
    if unknown:
        raise RuntimeError(
            "These comparators are not in cases/reference_data.py COMPARATORS, so their kind is not known: "
            + "; ".join(unknown)
            + ". Add each there with its kind (or delete it), then migrate again."
        )


def clear_kinds(apps, schema_editor):
    comparator = apps.get_model("cases", "NationalComparator")
    for metric, vintage, before, now in RENAMES:
        comparator.objects.filter(metric=metric, vintage=vintage, label=now).update(label=before)


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_proceedings_concluded_trigger")]

    operations = [
        migrations.AddField(
            model_name="nationalcomparator",
            name="kind",
            field=models.CharField(choices=CHOICES, help_text=HELP, max_length=20, null=True),
        ),
        migrations.RunPython(set_kinds, clear_kinds),
        migrations.AlterField(
            model_name="nationalcomparator",
            name="kind",
            field=models.CharField(choices=CHOICES, help_text=HELP, max_length=20),
        ),
        migrations.AlterField(
            model_name="nationalcomparator",
            name="label",
            field=models.CharField(
                help_text="Which figure it is; for a local authority's own figure, name the LA.", max_length=200
            ),
        ),
    ]

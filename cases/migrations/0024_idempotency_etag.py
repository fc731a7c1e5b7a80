from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_task_reminders")]

    operations = [
        migrations.AddField(
            model_name="idempotencykey",
            name="etag",
            field=models.CharField(
                blank=True,
                help_text="ETag header of the saved response: the version of the record it made.",
                max_length=100,
            ),
        ),
    ]

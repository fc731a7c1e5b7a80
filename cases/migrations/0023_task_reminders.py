"""Schema for task reminders (a user's opt-out and the date of the last digest).

The user table holds no LA's case records (it is not under row-level security), so there is no
table to secure here.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0022_meetings")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="task_reminders",
            field=models.BooleanField(
                default=True,
                help_text="Send a daily email of the user's overdue items and items due soon (My tasks).",
                verbose_name="task reminders",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="task_reminder_sent_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The day the last task reminder email was sent: at most one a day.",
                null=True,
                verbose_name="task reminder sent on",
            ),
        ),
    ]

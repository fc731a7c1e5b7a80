from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_task_reminders")]

    operations = []

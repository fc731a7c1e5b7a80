from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0022_meetings")]

    operations = []

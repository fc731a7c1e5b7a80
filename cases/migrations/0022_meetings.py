from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_changes_feed_indexes")]

    operations = []

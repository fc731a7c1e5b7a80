"""The job outbox (``cases.models.jobs``): work asked for from a page, kept until the workers have it.

The table is under row-level security (``secure_table``): a row shows for its LA; one with no LA
(regional work) shows to every role (``cases.row_security.SHARED_WHEN_NO_LA``).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cases.row_security import secure_table


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0027_case_people'),
    ]

    operations = [
        migrations.CreateModel(
            name='QueuedJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task', models.CharField(help_text="The Celery task's name, e.g. 'reporting.build_board_pack'.", max_length=200)),
                ('args', models.JSONField(blank=True, default=list, help_text='Positional arguments: ids, dates, flags.')),
                ('kwargs', models.JSONField(blank=True, default=dict, help_text='Keyword arguments: ids, dates, flags.')),
                ('requested_at', models.DateTimeField(auto_now_add=True)),
                ('status', models.CharField(choices=[('waiting', 'Waiting to be sent to the workers'), ('sent', 'Sent to the workers'), ('failed', 'Could not be sent (see the last error)')], default='waiting', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0, help_text='Times sending it was tried and failed.')),
                ('last_error', models.TextField(blank=True, help_text='Why the last try to send it failed.')),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('local_authority', models.ForeignKey(blank=True, help_text='LA whose rows the asking transaction showed; empty for regional work.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.localauthority')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['pk'],
                'indexes': [models.Index(condition=models.Q(('status', 'waiting')), fields=['id'], name='queuedjob_waiting')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('sent_at__isnull', False), ('status', 'sent')), models.Q(('status', 'sent'), _negated=True), _connector='OR'), name='queuedjob_sent_has_sent_at')],
            },
        ),
        secure_table("cases_queuedjob"),
    ]

"""Django's ``migrate``, run as the maintenance role, the owner of the schema.

The data migrations write through the default alias (``Model.objects``), so it is not enough to
point the command at the maintenance alias: the whole run goes through ``tenancy.maintenance()``,
in which the default alias is the maintenance connection. ``--database maintenance`` means the
same. Afterwards the app role is granted its privileges on any table the migrations made.
"""

from __future__ import annotations

from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connection

from plo_tracker.lib import db_roles, tenancy


class Command(migrate.Command):
    def handle(self, *args, **options):
        if options["database"] not in (DEFAULT_DB_ALIAS, tenancy.MAINTENANCE):
            return super().handle(*args, **options)
        with tenancy.maintenance() as alias:
            super().handle(*args, **{**options, "database": DEFAULT_DB_ALIAS})
            if alias == tenancy.MAINTENANCE:
                # Run as the owner of the new tables, which may grant on them.
                connection.ensure_connection()
                db_roles.grant_privileges(connection.connection)
        return None

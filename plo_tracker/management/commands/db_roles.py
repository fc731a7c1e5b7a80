"""Create the database roles PLO Tracker runs as and grant their privileges (README "Configuration")."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from plo_tracker.lib import db_roles, tenancy
from plo_tracker.lib.env import parse_database_url


class Command(BaseCommand):
    help = (
        f"Create or correct the database roles {db_roles.APP_ROLE} (the app and workers: row-level security applies) "
        f"and {db_roles.MAINTENANCE_ROLE} (migrations, seeding, metrics: owns the schema, reads every LA), and "
        "grant each its privileges on the database. Runs as DATABASE_ADMIN_URL when set (a superuser, used for "
        "nothing else), else as the maintenance login; without a superuser it only grants and checks. Idempotent."
    )

    def handle(self, *args, **options):
        admin_url = os.environ.get("DATABASE_ADMIN_URL")
        if admin_url:
            try:
                login = parse_database_url(admin_url, name="DATABASE_ADMIN_URL")
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from None
            if login["NAME"] != settings.DATABASES["default"]["NAME"]:
                raise CommandError("DATABASE_ADMIN_URL must name the same database as DATABASE_URL.")
        else:
            login = settings.DATABASES[tenancy.MAINTENANCE]
        # Each role's password is the one in the URL that logs in as it (none: the server trusts it).
        passwords = {
            database["USER"]: database["PASSWORD"]
            for database in settings.DATABASES.values()
            if database["USER"] in db_roles.ROLES and database["PASSWORD"]
        }
        try:
            with db_roles.connect(login) as conn:
                done = db_roles.set_up(conn, passwords=passwords)
        except db_roles.RoleError as error:
            raise CommandError(str(error)) from None
        for line in done:
            self.stdout.write(line)
        self.stdout.write(
            f"The database roles {db_roles.APP_ROLE} and {db_roles.MAINTENANCE_ROLE} are ready on {login['NAME']}."
        )

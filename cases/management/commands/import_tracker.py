"""Import (or check, with --dry-run) an LA's PLO tracker from a CSV or XLSX file.

    manage.py import_tracker --la 881 tracker.xlsx [--mapping "Mosaic PLO tracker"] [--dry-run] [--user NAME]

Columns are mapped by the LA's saved mapping (``--mapping``) and the known header variants. Every
problem is printed (file problems first, then each bad row with its row number and column); the last
line is JSON ``{"rows", "created", "updated", "unchanged", "errors"}``. The exit status is 1 when
anything failed, and then nothing was saved. The changes are recorded as ``--user`` (a read-and-write
user of the LA), by default the LA's "tracker import" service account, created when first needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases import constants as c
from cases import models as m
from cases.imports.engine import ImportResult, file_failure
from cases.imports.runs import run_process, run_upload
from cases.permissions import IMPORT_TRACKERS
from plo_tracker.lib import tenancy

SERVICE_ACCOUNT = "svc-{code}-tracker-import"


def import_user(local_authority: m.LocalAuthority, username: str | None) -> m.User:
    """The user the import is recorded as: ``username`` of the LA, else its tracker import account."""
    if username:
        user = m.User.objects.filter(username=username, local_authority=local_authority).first()
        if user is None or not IMPORT_TRACKERS(user):
            raise CommandError(f"{username} is not an LA administrator or read-and-write account of {local_authority}.")
        return user
    user, created = m.User.objects.get_or_create(
        username=SERVICE_ACCOUNT.format(code=local_authority.dfe_code),
        defaults={"first_name": "Tracker import", "role": c.Role.API_WRITE, "local_authority": local_authority},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Import an LA's PLO tracker (CSV or XLSX); the last line is JSON counts; exit 1 on any error."

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="The LA's DfE code, e.g. 881.")
        parser.add_argument("file", help="The tracker: .csv or .xlsx.")
        parser.add_argument("--mapping", default="", help="Name of the LA's saved column mapping.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and save nothing.")
        parser.add_argument("--user", default="", help="Record the changes as this user of the LA.")

    def handle(self, *args, **options):
        local_authority = m.LocalAuthority.objects.filter(dfe_code=options["la"]).first()
        if local_authority is None:
            raise CommandError(f"There is no LA with the DfE code {options['la']}.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            result = file_failure([f"The file cannot be read: {error.strerror}."])
        else:
            with tenancy.local_authority(local_authority.pk):
                user = import_user(local_authority, options["user"])
                result = self._import(user, path.name, data, options)
        self._report(result)
        if not result.ok:
            sys.exit(1)

    def _import(self, user, name: str, data: bytes, options) -> ImportResult:
        run = run_upload(user=user, name=name, data=data, mapping_name=options["mapping"])
        if run.status != m.ImportStatus.FAILED:
            run = run_process(run_id=run.pk, apply=not options["dry_run"])
        result = ImportResult.from_json(run.report)
        result.rows = run.rows
        result.dry_run = options["dry_run"]
        return result

    def _report(self, result: ImportResult) -> None:
        for problem in result.file_problems:
            self.stderr.write(f"File problem: {problem}")
        for error in result.errors:
            where = f"row {error.row}" + (f", column '{error.column}'" if error.column else "")
            self.stderr.write(f"{where}: {error.message}")
        for notice in result.notices:
            self.stdout.write(notice)
        if result.ok:
            done = "Checked: every row can be imported; nothing was saved." if result.dry_run else "Imported."
            self.stdout.write(done)
        self.stdout.write(json.dumps(result.summary()))

"""The SSD ``ssd_pre_proceedings`` table of one LA as CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases import audit
from cases import models as m
from cases.extracts.output import csv_bytes, ssd_csv, ssd_family_ids
from plo_tracker.lib import tenancy


def local_authority_for(code: str) -> m.LocalAuthority:
    """The LA with this DfE code, or a clear error naming the codes there are."""
    try:
        return m.LocalAuthority.objects.get(dfe_code=code)
    except m.LocalAuthority.DoesNotExist:
        codes = ", ".join(m.LocalAuthority.objects.order_by("dfe_code").values_list("dfe_code", flat=True))
        raise CommandError(f"--la {code!r} is not an LA of the region (DfE codes: {codes}).") from None


def write_output(command: BaseCommand, content: bytes, output: str | None) -> None:
    if output is None:
        command.stdout.write(content.decode("utf-8"), ending="")
        return
    try:
        Path(output).write_bytes(content)
    except OSError as error:
        raise CommandError(f"Could not write {output}: {error.strerror}.") from None


class Command(BaseCommand):
    help = "Write the Standard Safeguarding Dataset table ssd_pre_proceedings of an LA as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="The LA's DfE code, e.g. 881.")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, la, output, **options):
        local_authority = local_authority_for(la)
        with tenancy.local_authority(local_authority.pk):
            rows, headers = ssd_csv(local_authority)
            rows = list(rows)
            content = csv_bytes(rows, headers=headers)
            families = ssd_family_ids(local_authority)
            audit.record_command_read(
                command="ssd_extract", local_authority_id=local_authority.pk, kind=audit.EXPORT, families=families
            )
        write_output(self, content, output)
        stream = self.stderr if output is None else self.stdout
        stream.write(f"ssd_pre_proceedings, {local_authority.short_name}: {len(rows)} rows ({len(families)} families).")

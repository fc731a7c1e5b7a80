"""The CIN census pre-proceedings module of one LA and census year, as XML or CSV, with its validation summary."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases import audit
from cases.extracts import census
from cases.extracts.census import CensusYear
from cases.extracts.output import Extract, csv_bytes
from cases.management.commands.ssd_extract import local_authority_for, write_output
from plo_tracker.lib import tenancy


def _count(number: int, one: str, many: str = "") -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


class Command(BaseCommand):
    help = (
        "Write the Children in Need census pre-proceedings module of an LA for a census year (1 April YEAR to "
        "31 March YEAR+1) as XML or CSV, and print its validation summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="The LA's DfE code, e.g. 881.")
        parser.add_argument("--year", required=True, type=int, help="The census year's first year, e.g. 2026.")
        parser.add_argument("--format", choices=["xml", "csv"], default="xml")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, la, year, format, output, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year {year} is not a census year: give its first year, e.g. 2026 for 2026-27.")
        local_authority = local_authority_for(la)
        census_year = CensusYear(year)
        with tenancy.local_authority(local_authority.pk):
            extract = Extract.build(local_authority=local_authority, year=census_year)
            audit.record_command_read(
                command="cin_extract",
                local_authority_id=local_authority.pk,
                kind=audit.EXPORT,
                families=census.family_ids(local_authority=local_authority, year=census_year),
            )
        content = (
            extract.xml()
            if format == "xml"
            else csv_bytes(census.census_rows(extract.records), headers=census.CSV_HEADERS)
        )
        write_output(self, content, output)
        summary = extract.summary
        lines = [
            f"CIN census {census_year.label} pre-proceedings, {local_authority.short_name}: "
            f"{_count(summary['children'], 'child', 'children')}, {_count(summary['episodes'], 'episode')}, "
            f"{_count(summary['errors'], 'validation error')}.",
            *(f"  {rule.code} {rule.title}: {count}" for rule, count in summary["by_rule"] if count),
            *(f"  {i.la_child_id} episode {i.episode_id}: {i.item} ({i.rule}) {i.message}" for i in extract.issues),
        ]
        # The summary goes where the file does not, so a redirected extract stays clean.
        stream = self.stderr if output is None else self.stdout
        stream.write("\n".join(lines))

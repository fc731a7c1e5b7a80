"""The extracts as downloads and as files: one place that names them and writes their bytes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpResponse, StreamingHttpResponse

from cases import exports
from cases import models as m
from cases.extracts import census, ssd, validation
from cases.extracts.census import CensusYear


@dataclass(frozen=True)
class Extract:
    """One LA's census year: its records and their validation, worked out once."""

    local_authority: m.LocalAuthority
    year: CensusYear
    records: list[census.CensusRecord]
    issues: list[validation.Issue]

    @classmethod
    def build(cls, *, local_authority: m.LocalAuthority, year: CensusYear) -> Extract:
        records = census.census_records(local_authority=local_authority, year=year)
        return cls(local_authority, year, records, validation.validate(records, year=year))

    @property
    def summary(self) -> dict:
        return validation.summary(self.records, self.issues)

    def stem(self, what: str) -> str:
        return f"{what}-{self.local_authority.dfe_code}-{self.year.label}"

    def xml(self) -> bytes:
        return census.census_xml(self.records, local_authority=self.local_authority, year=self.year)


def csv_download(rows: Iterable[list], *, headers: list[str], filename: str) -> StreamingHttpResponse:
    """CSV as every export writes it (UTF-8 with a BOM, typed formulas kept as text)."""
    return exports.csv_response(rows, filename=filename, headers=headers)


def csv_bytes(rows: Iterable[list], *, headers: list[str]) -> bytes:
    """The same CSV as ``csv_download``, for a file or the terminal."""
    return b"".join(
        part if isinstance(part, bytes) else part.encode()
        for part in csv_download(rows, headers=headers, filename="x").streaming_content
    )


def xml_download(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xml"'
    return response


def ssd_csv(local_authority: m.LocalAuthority) -> tuple[Iterable[list], list[str]]:
    return ssd.ssd_rows(ssd.ssd_episodes(local_authority=local_authority)), ssd.HEADERS


def ssd_family_ids(local_authority: m.LocalAuthority) -> list[int]:
    return sorted(
        set(
            m.PreProceedingsEpisode.objects.filter(
                local_authority=local_authority, start_date__isnull=False
            ).values_list("family_id", flat=True)
        )
    )

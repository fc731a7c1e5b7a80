"""Helpers for the tracker import tests: synthetic CSV and XLSX trackers built in the test."""

from __future__ import annotations

import csv
import io

import openpyxl

from cases.constants import Role
from cases.imports.engine import ImportResult, suggest_mapping, tracker_import
from cases.imports.reading import FileProblemError, read_upload
from cases.imports.runs import saved_mapping
from tests import factories as f


def la_admin(local_authority, username: str = "") -> object:
    return f.UserFactory(
        username=username or f"admin.{local_authority.dfe_code}", role=Role.LA_ADMIN, local_authority=local_authority
    )


def csv_bytes(rows: list[list[str]], *, sep: str = ",", encoding: str = "utf-8", bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def xlsx_bytes(rows: list[list[object]], *, setup=None, number_formats: dict[str, str] | None = None) -> bytes:
    """A workbook with the rows on its first sheet; ``setup(workbook)`` may change it further."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "PLO tracker"
    for row in rows:
        sheet.append(row)
    for cell, number_format in (number_formats or {}).items():
        sheet[cell].number_format = number_format
    if setup:
        setup(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(user, name: str, data: bytes, *, dry_run: bool = False, mapping_name: str = "") -> ImportResult:
    """Read, map (suggestions, or the saved mapping) and import a file, as the command does."""
    try:
        table = read_upload(name=name, data=data)
    except FileProblemError as problem:
        return ImportResult(file_problems=problem.problems)
    saved = saved_mapping(local_authority=user.local_authority, name=mapping_name) if mapping_name else None
    mapping = suggest_mapping(table.headers, saved)
    return tracker_import(user=user, table=table, mapping=mapping, dry_run=dry_run)

"""Time to validate (dry run) and import a generated 10,000-row tracker (called by scripts/bench.py).

The tracker is synthetic: one row per child, two children to a family, each with a legal gateway
meeting and pre-proceedings start, references that the bench database does not hold. The import
is timed for real and then rolled back, so the bench database is left as it was.
``BENCH_IMPORT_ROWS`` changes the number of rows (goal: under 20 s for 10,000 at national size).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import time

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
HEADERS = ["Family ID", "Child ID", "Forename", "Surname", "DOB", "Gender", "LPM date", "PLO start", "LBP sent",
           "Number of reviews"]  # fmt: skip


def tracker_csv(rows: int, *, prefix: str) -> bytes:
    """A tracker of ``rows`` synthetic children, two to a family."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    start = dt.date(2025, 1, 6)
    for n in range(rows):
        family = n // 2
        gateway = start + dt.timedelta(days=family % 600)
        writer.writerow(
            [
                f"{prefix}-{family:06d}",
                f"{prefix}C{n:07d}",
                f"Child{n}",
                f"Benchfamily{family}",
                (dt.date(2015, 1, 1) + dt.timedelta(days=(n * 37) % 3000)).strftime("%d/%m/%Y"),
                "F" if n % 2 else "M",
                gateway.strftime("%d/%m/%Y"),
                (gateway + dt.timedelta(days=2)).strftime("%d/%m/%Y"),
                (gateway + dt.timedelta(days=3)).strftime("%d/%m/%Y"),
                str(family % 4),
            ]
        )
    return buffer.getvalue().encode()


def run() -> None:
    from django.db import transaction

    from cases import models as m
    from cases.constants import Role
    from cases.imports.engine import suggest_mapping, tracker_import
    from cases.imports.reading import read_upload
    from plo_tracker.lib import tenancy

    la = m.LocalAuthority.objects.get(dfe_code="881")  # Essex, the region's largest LA
    user, _ = m.User.objects.get_or_create(
        username=f"bench.import.{la.dfe_code}",
        defaults={"role": Role.LA_ADMIN, "local_authority": la, "password": "!"},
    )
    data = tracker_csv(ROWS, prefix=f"BI{int(time.time())}")
    started = time.perf_counter()
    table = read_upload(name="bench-tracker.csv", data=data)
    mapping = suggest_mapping(table.headers)
    read_s = time.perf_counter() - started
    with tenancy.local_authority(la.pk):
        started = time.perf_counter()
        checked = tracker_import(user=user, table=table, mapping=mapping, dry_run=True)
        check_s = time.perf_counter() - started
        with transaction.atomic():
            started = time.perf_counter()
            applied = tracker_import(user=user, table=table, mapping=mapping, dry_run=False)
            apply_s = time.perf_counter() - started
            transaction.set_rollback(True)  # leave the bench database as it was
    if not (checked.ok and applied.ok):
        raise RuntimeError(f"The bench tracker did not import: {checked.file_problems} {checked.errors[:5]}")
    print(
        f"tracker import for {la.short_name}: {ROWS:,} rows read in {read_s:.2f} s, validated (dry run) in "
        f"{check_s:.2f} s, imported in {apply_s:.2f} s ({applied.summary()['created']:,} rows created)",
        flush=True,
    )

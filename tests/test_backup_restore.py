"""A backup restores: every record and its history into a fresh database, with its rules still on.

``scripts/backup.py`` (the README's backup procedure) is run for real: pg_dump of the test
database, pg_restore into a new one, then the restored database is read directly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pghistory
import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


def url_of(settings_dict: dict, name: str) -> str:
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return (
        f"postgresql://{user}{password}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"
    )


def backup(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "backup.py"), *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def restored_url():
    name = f"{connection.settings_dict['NAME']}_restored"
    url = url_of(connection.settings_dict, name)
    admin = url_of(connection.settings_dict, "postgres")

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    drop()
    yield url
    drop()


@pytest.mark.django_db(transaction=True)
def test_it_restores_every_record_and_its_history_into_a_fresh_database(la_a, social_worker, restored_url, tmp_path):
    with pghistory.context(user=social_worker.pk):
        family = f.FamilyFactory(local_authority=la_a, name="Ashdown", la_reference="FAM-BACKUP-1")
        child = f.ChildFactory(family=family, first_name="Ava")
        family.name = "Ashdown-Reeve"
        family.save()
    dump_file = tmp_path / "plo.dump"

    dumped = backup(
        "dump", str(dump_file), "--database-url", url_of(connection.settings_dict, connection.settings_dict["NAME"])
    )
    assert dumped.returncode == 0, dumped.stderr
    assert dump_file.stat().st_size > 0
    counts = json.loads((tmp_path / "plo.dump.counts.json").read_text())
    assert counts["cases_family"] == 1
    assert counts["cases_familyevent"] == 2  # the insert and the rename

    restored = backup("restore", str(dump_file), "--database-url", restored_url)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    summary = json.loads(restored.stdout.strip().splitlines()[-1])
    assert summary["matched"] is True
    assert summary["tables"] == len(counts)

    with psycopg.connect(restored_url) as conn:
        assert conn.execute("SELECT name, la_reference FROM cases_family").fetchall() == [
            ("Ashdown-Reeve", "FAM-BACKUP-1")
        ]
        assert conn.execute("SELECT first_name FROM cases_child WHERE id = %s", [child.pk]).fetchone() == ("Ava",)
        history = conn.execute(
            "SELECT e.pgh_label, e.name, c.metadata->>'user' FROM cases_familyevent e "
            "JOIN pghistory_context c ON c.id = e.pgh_context_id ORDER BY e.pgh_id"
        ).fetchall()
        assert history == [
            ("insert", "Ashdown", str(social_worker.pk)),
            ("update", "Ashdown-Reeve", str(social_worker.pk)),
        ]
        # The rules came back with the rows: row-level security on the case tables, history triggers.
        secured = conn.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'cases_family'"
        ).fetchone()
        assert secured == (True, True)
        conn.execute("UPDATE cases_family SET name = 'Reeve'")
        labels = [row[0] for row in conn.execute("SELECT pgh_label FROM cases_familyevent ORDER BY pgh_id")]
        assert labels == ["insert", "update", "update"]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_over_a_database_that_holds_tables(restored_url, tmp_path):
    dump_file = tmp_path / "plo.dump"
    source = url_of(connection.settings_dict, connection.settings_dict["NAME"])
    assert backup("dump", str(dump_file), "--database-url", source).returncode == 0
    assert backup("restore", str(dump_file), "--database-url", restored_url).returncode == 0
    again = backup("restore", str(dump_file), "--database-url", restored_url)
    assert again.returncode != 0
    assert "already holds" in again.stderr
